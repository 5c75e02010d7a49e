package detect

import (
	"fmt"
	"math"
	"time"

	"github.com/portalescuole/portalescuole/calendario"
)

// ScuolaParams configures Scuola. All z-like quantities are in units of the
// standard deviation of a day's log rate around its expected value.
type ScuolaParams struct {
	// K is the CUSUM reference value (sd units of the long-run sd).
	K float64
	// H is the CUSUM decision interval; with a short baseline it is widened
	// by the ratio of a Student t to a normal quantile (see Scuola).
	H float64
	// Allowance is the relative rise over the expected count that is not
	// worth an alarm on a series without denominators (0.1 = 10%, chosen
	// on the tuning set run without denominators; docs/detection.md).
	Allowance float64
	// Points is the absolute rise of the absence rate that is not worth an
	// alarm when the series has denominators (Allowance is then unused) (0.004 = 0.4 percentage
	// points): mild non-influenza bumps (a few tenths of a point) stay below.
	Points float64
	// Jump is the z above which a day that follows an ordinary day is a
	// data anomaly (strike, trip, snow) rather than the start of a wave.
	Jump float64
	// JumpPoints: with denominators, a day that follows an ordinary day and
	// exceeds its expected rate by more than JumpPoints (0.02 = 2 points,
	// far more than a wave adds from one school day to the next) with z > 2
	// is an anomaly too: in small networks a strike is not many sd away.
	JumpPoints float64
	// Gain is the smallest weight of a day in the running level (an
	// exponential memory of about 1/Gain school days).
	Gain float64
	// Alpha scales the decision interval for a stricter or looser use
	// (e.g. a single plesso's noisy series): H is multiplied by
	// z(1-Alpha)/z(0.99), so the default 0.01 leaves it as it is and 0.001
	// raises it by a third. It is not a false-alarm probability.
	Alpha float64
	// MinDays is how many school days of the current year a series without
	// past years needs before its rows are evaluated (>= 2).
	MinDays int
}

// DefaultScuolaParams returns the parameters chosen in docs/detection.md.
func DefaultScuolaParams() ScuolaParams {
	return ScuolaParams{K: 0.25, H: 2, Allowance: 0.1, Points: 0.004, Jump: 4, JumpPoints: 0.02, Gain: 0.03, Alpha: 0.01, MinDays: 5}
}

// Validate reports unusable parameters.
func (p ScuolaParams) Validate() error {
	switch {
	case !(p.K >= 0) || math.IsInf(p.K, 1):
		return fmt.Errorf("parametro k = %v deve essere finito e >= 0", p.K)
	case !(p.H > 0) || math.IsInf(p.H, 1):
		return fmt.Errorf("parametro h = %v deve essere finito e > 0", p.H)
	case !(p.Allowance >= 0 && p.Allowance < 10):
		return fmt.Errorf("parametro allowance = %v fuori da [0, 10)", p.Allowance)
	case !(p.Points >= 0 && p.Points < 1):
		return fmt.Errorf("parametro points = %v fuori da [0, 1)", p.Points)
	case !(p.JumpPoints > 0 && p.JumpPoints <= 1):
		return fmt.Errorf("parametro jumpPoints = %v fuori da (0, 1]", p.JumpPoints)
	case !(p.Jump > 0) || math.IsInf(p.Jump, 1):
		return fmt.Errorf("parametro jump = %v deve essere finito e > 0", p.Jump)
	case !(p.Gain > 0 && p.Gain < 1):
		return fmt.Errorf("parametro gain = %v fuori da (0, 1)", p.Gain)
	case !(p.Alpha > 0 && p.Alpha < 0.5):
		return fmt.Errorf("parametro alpha = %v fuori da (0, 0.5)", p.Alpha)
	case p.MinDays < 2:
		return fmt.Errorf("parametro minDays = %d, il minimo è 2", p.MinDays)
	}
	return nil
}

// Fixed constants of the model (not tuned).
const (
	scuolaClip      = 2.5   // Huber clip of residuals entering the estimates
	scuolaClipVar   = 0.977 // E[min(z^2, 2.5^2)] for a standard normal z
	scuolaElevated  = 2.0   // a day above this z makes the next jump a rise, not an anomaly
	scuolaMaxFreeze = 30    // rows the estimates stay frozen while the CUSUM is positive
	scuolaPriorPast = 5     // weight (days) of the past-years level at the start of a year
	scuolaPriorEff  = 20    // weight (days) of past-years weekday and break effects
	scuolaMaxPhi    = 0.8   // cap of the AR(1) coefficient
	scuolaMinVar    = 1e-4  // floor of the extra-binomial log variance (1% sd)
	scuolaPastYears = 2     // past school years used for the profile
	scuolaRefRate   = 0.03  // absence rate assumed for counts without denominators
	scuolaCap       = 1.5   // S is capped at 1.5 thresholds: alarms end soon after the excess does
)

// Scuola is the portal's model of a daily school-absence series ("scuola").
//
// Each row is a school day; rows of later school years (a school year runs
// from August to July) may follow earlier ones. With rate r = count/den
// (den = 1 without denominators) the model works on u = log((count+0.5)/den):
//
//   - expected: u ~ L + w[weekday] + b*post + c*pre + profile(day of the
//     school year), where post marks the first day after a break (a missing
//     weekday between two rows), pre a day before a national holiday,
//     Christmas, Carnival or Easter (known from the date, so the model stays
//     causal). At the first row of a school year, when earlier school years
//     are present, w, b, c, the profile (one annual harmonic) and the level
//     of the last year are fitted once on up to 2 past years by Huber-weighted
//     least squares, which discounts their epidemics; the year's level L then
//     starts there with the weight of a few days and follows this year.
//     Without past years every term is learnt online from the first school
//     day (the short-baseline start);
//   - variance: sd^2 = (V + vs)*(1 + 1/n), with V the extra-binomial
//     (overdispersion) log variance learnt from clipped residuals, vs the
//     sampling variance of the day, (1-r)/(r*den) with a denominator and
//     1/count without (so a half-reported day has a wider interval), and
//     1/n the uncertainty of a level estimated from n days;
//   - evidence: a one-sided CUSUM of z = (u - expected - log(1+a))/sd, with
//     a = Points/expected rate with denominators, Allowance without,
//     S = max(0, S + (z - K)/iota), with iota = sqrt((1+phi)/(1-phi)) the
//     long-run sd of an AR(1) with lag-1 correlation phi (estimated): positive
//     correlation between consecutive days would otherwise make runs of
//     ordinary days look like evidence. A row alarms when S > H*q, where
//     q >= 1 is the ratio of the Student t (degrees of freedom = days the
//     variance rests on) to the normal 0.99 quantile: thresholds widen while
//     the baseline is short. S restarts at 0 each school year;
//   - anomalies: a day whose z exceeds Jump (or, with denominators, whose
//     rate exceeds the expected one by JumpPoints with z > 2) right after an
//     ordinary day (z < 2), and the day after it if still so, is a data anomaly:
//     it neither alarms nor enters the CUSUM or the estimates. A third such
//     day in a row is no longer a disruption: the three days enter the
//     CUSUM together;
//   - robust updates: residuals enter the level, effects, variance and phi
//     clipped at 2.5 sd, and only while S = 0 (no evidence of a rise), for
//     at most 30 rows in a row, after which the level resumes following the
//     series (a lasting change of level is not an epidemic forever).
//
// Everything at row t is computed from rows <= t: the output of a row does
// not change when later rows are appended. Rows whose count is NaN
// (unreported) are not valid and leave the state unchanged. Expected and
// UpperBound are counts (rates times den); Statistic is S; UpperBound is the
// smallest count that would make S exceed the threshold today. The cost is
// O(n) with a fit of a dozen coefficients per school year.
func Scuola(s Series, p ScuolaParams) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if err := checkSeries("scuola", s); err != nil {
		return Result{}, err
	}
	n := len(s.Counts)
	hasDen := s.Denominators != nil
	res := newResult(n)
	res.Anomaly = make([]bool, n)
	rows := scuolaRows(s)
	sampVarR := samplingVar(hasDen)
	sampVar := func(mu float64, d float64) float64 { return sampVarR(math.Exp(mu), d) }
	zq := NormalQuantile(0.99)
	hAlpha := p.H * NormalQuantile(1-p.Alpha) / zq
	relAllow := math.Log1p(p.Allowance)

	var st scuolaState
	curYear := math.MinInt
	yearStart := 0
	// Each school year restarts from its past years' rows, not from the
	// state of the year before: years before Dal's can be skipped.
	skip := math.MinInt
	if s.Dal > 0 {
		skip = math.MaxInt
		if s.Dal < n {
			skip = rows[s.Dal].sy
		}
	}
	for t := range n {
		rw := &rows[t]
		res.Expected[t], res.UpperBound[t], res.Statistic[t] = math.NaN(), math.NaN(), math.NaN()
		if rw.sy < skip {
			continue
		}
		if rw.sy != curYear {
			curYear, yearStart = rw.sy, t
			st = newScuolaState(fitScuolaProfile(rows, t, sampVar))
		}
		post, pre := rw.post && t > yearStart, rw.preH
		if !rw.ok {
			st.prevOK = false
			continue
		}
		u := rw.u
		wd := rw.wd
		if st.nL == 0 {
			// First valid day of a year without past years: it sets the level.
			st.L = u - st.effects(wd, post, pre, rw)
			st.nL = 1
			st.prevOK = false
			continue
		}
		mu := st.L + st.effects(wd, post, pre, rw)
		em := math.Exp(mu)
		lnAllow := relAllow
		if hasDen {
			lnAllow = math.Log1p(p.Points / em)
		}
		vs := sampVarR(em, rw.den)
		v := st.V
		if st.nV == 0 {
			v = math.Max(v, 0.01) // a placeholder until the second day
		}
		sd := math.Sqrt((v + vs) * (1 + 1/st.nL))
		phi := st.phi()
		iota := math.Sqrt((1 + phi) / (1 - phi))
		hEff, jump := hAlpha, p.Jump
		if df := st.nV + st.priorV - 1; df < 200 {
			q := t99[max(int(df), 0)] / zq
			hEff, jump = hEff*q, jump*q
		}
		res.Expected[t] = math.Max(0, em*rw.den-0.5)
		if res.Expected[t] < 1e-9 {
			res.Expected[t] = 0 // no rounding residue in the output
		}
		res.UpperBound[t] = math.Exp(mu+lnAllow+sd*(p.K+iota*(hEff-st.S)))*rw.den - 0.5
		if hasDen {
			// No count can exceed the denominator: the bound says "cannot alarm today".
			res.UpperBound[t] = math.Min(res.UpperBound[t], rw.den)
		}
		valid := st.past || st.nL >= float64(p.MinDays)
		res.Valid[t] = valid

		r := u - mu
		z := r / sd
		zc := (r - lnAllow) / sd
		// Anomaly: an isolated jump after an ordinary day.
		anomaly := false
		// Without denominators the jump is judged relative to the expected
		// count as if the rate were 3% (the reference rate of Allowance).
		excess := math.Exp(u) - em
		if !hasDen {
			excess = (math.Exp(u)/em - 1) * scuolaRefRate
		}
		big := z > jump || (z > scuolaElevated && excess > p.JumpPoints)
		if big && (st.run > 0 || !st.prevOK || st.prevZ < scuolaElevated) {
			st.run++
			if st.run <= 2 {
				anomaly = true
				st.pending += (zc - p.K) / iota
			} else {
				st.S = math.Max(0, st.S+st.pending)
				st.run, st.pending = 0, 0
			}
		} else {
			st.run, st.pending = 0, 0
		}
		if anomaly {
			res.Anomaly[t] = valid
			res.Statistic[t] = st.S
			st.prevOK = false // the next jump is judged against an ordinary day
			continue
		}
		st.S = math.Min(math.Max(0, st.S+(zc-p.K)/iota), scuolaCap*hEff)
		res.Statistic[t] = st.S
		res.Alarm[t] = valid && st.S > hEff

		// Robust updates, frozen while there is evidence of a rise.
		if st.S > hEff/2 && t-yearStart >= p.MinDays {
			st.frozen++
		} else {
			st.frozen = 0
		}
		if st.frozen == 0 || st.frozen > scuolaMaxFreeze {
			rc := math.Max(-scuolaClip*sd, math.Min(scuolaClip*sd, r))
			st.update(rc, rc/sd, vs, wd, post, pre, p.Gain)
		}
		st.prevOK, st.prevZ = true, z
	}
	return res, nil
}

// scuolaState is the running state of Scuola within one school year.
type scuolaState struct {
	past bool // effects and level come from past school years

	L, nL     float64    // level (log rate) and its weight in days
	w         [7]float64 // weekday offsets
	nw        [7]float64
	post, pre float64 // break offsets
	nPost     float64
	nPre      float64
	prof      [2]float64 // annual harmonic (cos, sin) from past years
	V, nV     float64    // extra-binomial variance and its weight
	priorV    float64    // prior weight in days of V (for the t quantile)
	cxy, czz  float64    // lag-1 products and squares of clipped z
	nPhi      float64

	S       float64
	run     int     // consecutive anomaly candidates
	pending float64 // their CUSUM contributions
	prevOK  bool
	prevZ   float64
	prevZC  float64
	frozen  int
}

func newScuolaState(f scuolaFit) scuolaState {
	var st scuolaState
	if !f.ok {
		return st
	}
	st.past = true
	st.L, st.nL = f.level, scuolaPriorPast
	st.w = f.w
	for i := range st.nw {
		st.nw[i] = scuolaPriorEff
	}
	st.post, st.pre, st.nPost, st.nPre = f.post, f.pre, scuolaPriorEff, scuolaPriorEff
	st.prof = f.prof
	st.V, st.priorV = f.v, scuolaPriorEff
	st.cxy, st.czz, st.nPhi = f.phi, 1, scuolaPriorEff
	return st
}

func (st *scuolaState) effects(wd int, post, pre bool, rw *scuolaRow) float64 {
	e := st.w[wd]
	if post {
		e += st.post
	}
	if pre {
		e += st.pre
	}
	if st.past {
		e += st.prof[0]*rw.hc + st.prof[1]*rw.hs
	}
	return e
}

func (st *scuolaState) phi() float64 {
	if st.nPhi < 5 || st.czz <= 0 {
		return 0
	}
	return math.Max(0, math.Min(scuolaMaxPhi, st.cxy/st.czz))
}

// update moves the estimates towards the clipped residual rc (zc = rc/sd).
func (st *scuolaState) update(rc, zc, vs float64, wd int, post, pre bool, gain float64) {
	g := math.Max(1/(st.nL+1), gain)
	st.L += g * rc
	st.nL++
	rest := (1 - g) * rc
	gw := math.Max(1/(st.nw[wd]+3), gain) // shrunk towards 0 with 3 prior days
	st.w[wd] += gw * rest
	st.nw[wd]++
	if post {
		gp := math.Max(1/(st.nPost+3), gain)
		st.post += gp * rest
		st.nPost++
	}
	if pre {
		gp := math.Max(1/(st.nPre+3), gain)
		st.pre += gp * rest
		st.nPre++
	}
	gv := math.Max(1/(st.nV+st.priorV+1), gain)
	st.V += gv * (math.Max(rc*rc/scuolaClipVar-vs, scuolaMinVar) - st.V)
	st.V = math.Max(st.V, scuolaMinVar)
	st.nV++
	if st.prevOK {
		gp := math.Max(1/(st.nPhi+1), gain)
		st.cxy += gp * (zc*st.prevZC - st.cxy)
		st.czz += gp * (zc*zc - st.czz)
		st.nPhi++
	}
	st.prevZC = zc
}

// scuolaRow holds what Scuola needs of a row, computed once.
type scuolaRow struct {
	sy     int  // school year (first calendar year)
	day    int  // days since 1970-01-01
	wd     int  // weekday
	post   bool // first row after a break (a missing lesson weekday)
	preH   bool // the next weekday is a common school holiday (from the date)
	preA   bool // the next row follows a break (known once it exists)
	hc, hs float64
	ok     bool    // count and denominator usable
	u      float64 // log((count+0.5)/den)
	den    float64
}

// scuolaRows precomputes the rows' features with integer day arithmetic.
func scuolaRows(s Series) []scuolaRow {
	n := len(s.Dates)
	rows := make([]scuolaRow, n)
	day := make([]int, n)
	lastSat := -100
	easterYear, easterDay := -1, 0
	for t, d := range s.Dates {
		y, m, dd := d.Date()
		k := ymdDays(y, m, dd)
		day[t] = k
		r := &rows[t]
		r.day = k
		r.wd = int(d.Weekday())
		r.sy = y
		if m < time.August {
			r.sy = y - 1
		}
		a := 2 * math.Pi * float64(k-ymdDays(r.sy, time.September, 1)) / 365.25
		r.hc, r.hs = math.Cos(a), math.Sin(a)
		six := t-lastSat <= 12
		if r.wd == int(time.Saturday) {
			lastSat = t
		}
		if t > 0 && rows[t-1].sy == r.sy {
			r.post = gapHasLessonDay(day[t-1], rows[t-1].wd, k, six)
			rows[t-1].preA = r.post
		}
		// The next weekday and whether it is a common holiday.
		nx := k + 1
		switch r.wd {
		case int(time.Friday):
			nx = k + 3
		case int(time.Saturday):
			nx = k + 2
		}
		ny, nm, nd := fromCivilDays(nx)
		if ny != easterYear {
			e := calendario.Pasqua(ny)
			easterYear, easterDay = ny, ymdDays(e.Year(), e.Month(), e.Day())
		}
		r.preH = holidayAfter(m, dd, nm, nd, nx-easterDay)
		r.den = 1
		if s.Denominators != nil {
			r.den = s.Denominators[t]
		}
		c := s.Counts[t]
		r.ok = finiteVal(c) && r.den > 0 && finiteVal(r.den)
		if r.ok {
			r.u = math.Log((c + 0.5) / r.den)
		}
	}
	return rows
}

// ymdDays is the number of days from 1970-01-01 to y-m-d (proleptic
// Gregorian; H. Hinnant's days_from_civil).
func ymdDays(y int, m time.Month, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (int(m) + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// fromCivilDays is the inverse of ymdDays.
func fromCivilDays(z int) (int, time.Month, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, time.Month(m), d
}

// gapHasLessonDay reports whether the days strictly between days a (weekday
// wa) and b include a weekday with lessons (Monday-Friday, and Saturday for
// a six-day series); a gap of more than 20 days always does.
func gapHasLessonDay(a, wa, b int, sixDay bool) bool {
	if b-a > 20 {
		return true
	}
	for k := 1; k < b-a; k++ {
		switch (wa + k) % 7 {
		case 0:
			continue
		case 6:
			if !sixDay {
				continue
			}
		}
		return true
	}
	return false
}

// holidayAfter reports whether the next weekday (month nm, day nd, fromEaster
// days after Easter) of a day in month m, day d is a school holiday common to
// Italian schools: a national holiday, the Christmas break (23 December-6
// January), the Easter break (Thursday before Easter to the Tuesday after) or
// Carnival (Monday-Tuesday before Ash Wednesday in the Roman rite,
// Thursday-Friday after it in the Ambrosian one). Local holidays are not
// known: such a day is an ordinary day, clipped if it jumps.
func holidayAfter(m time.Month, d int, nm time.Month, nd int, fromEaster int) bool {
	switch {
	case nm == time.November && nd == 1, nm == time.December && nd == 8,
		nm == time.April && nd == 25, nm == time.May && nd == 1, nm == time.June && nd == 2:
		return true
	case nm == time.December && nd >= 23, nm == time.January && nd <= 6:
		return m == time.December && d >= 19
	}
	return (fromEaster >= -3 && fromEaster <= 2) || fromEaster == -48 || fromEaster == -47 || fromEaster == -44 || fromEaster == -43
}

// t99 caches tQuantile99 for integer degrees of freedom below 200.
var t99 = func() (q [200]float64) {
	for df := range q {
		q[df] = tQuantile99(math.Max(float64(df), 1))
	}
	return q
}()

// tQuantile99 approximates the 0.99 quantile of Student's t with df degrees
// of freedom (Cornish-Fisher expansion; exact values for df 1-4).
func tQuantile99(df float64) float64 {
	switch {
	case df < 1.5:
		return 31.821
	case df < 2.5:
		return 6.965
	case df < 3.5:
		return 4.541
	case df < 4.5:
		return 3.747
	}
	z := NormalQuantile(0.99)
	z3, z5, z7 := z*z*z, math.Pow(z, 5), math.Pow(z, 7)
	return z + (z3+z)/(4*df) + (5*z5+16*z3+3*z)/(96*df*df) + (3*z7+19*z5+17*z3-15*z)/(384*df*df*df)
}

// scuolaFit is the profile fitted on past school years.
type scuolaFit struct {
	ok        bool
	level     float64 // the last past year's level
	w         [7]float64
	post, pre float64
	prof      [2]float64
	v         float64 // extra-binomial variance of the residuals
	phi       float64 // lag-1 correlation of the standardised residuals
}

// fitScuolaProfile fits, on the rows before first that belong to up to
// scuolaPastYears earlier school years, u = a_year + w[weekday] + b*post +
// c*pre + harmonic, by iteratively reweighted least squares with Huber
// weights (epidemics of past years are large positive residuals and get
// small weights). ok is false with fewer than 40 usable rows.
func fitScuolaProfile(all []scuolaRow, first int, sampVar func(float64, float64) float64) scuolaFit {
	if first == 0 {
		return scuolaFit{}
	}
	lastYear := all[first-1].sy
	lo := first
	for lo > 0 && all[lo-1].sy > lastYear-scuolaPastYears {
		lo--
	}
	var idx []int
	for t := lo; t < first; t++ {
		if all[t].ok {
			idx = append(idx, t)
		}
	}
	if len(idx) < 40 {
		return scuolaFit{}
	}
	firstYear := all[idx[0]].sy
	nYears := lastYear - firstYear + 1
	// Columns: year intercepts, weekdays Tue..Sat (Monday is the reference
	// within the intercept; Sunday folded into Saturday), post, pre, cos, sin.
	np := nYears + 5 + 4
	type entry struct {
		col [6]int
		val [6]float64
		n   int
	}
	X := make([]entry, len(idx))
	y := make([]float64, len(idx))
	for i, t := range idx {
		r := &all[t]
		e := &X[i]
		add := func(c int, v float64) { e.col[e.n], e.val[e.n] = c, v; e.n++ }
		add(r.sy-firstYear, 1)
		wd := r.wd
		if wd == 0 {
			wd = 6
		}
		if wd >= 2 {
			add(nYears+wd-2, 1)
		}
		if r.post {
			add(nYears+5, 1)
		}
		if r.preA && t+1 < first {
			add(nYears+6, 1)
		}
		add(nYears+7, r.hc)
		add(nYears+8, r.hs)
		y[i] = r.u
	}
	wts := make([]float64, len(idx))
	for i := range wts {
		wts[i] = 1
	}
	beta := make([]float64, np)
	resid := make([]float64, len(idx))
	abs := make([]float64, len(idx))
	ata := make([]float64, np*np)
	atb := make([]float64, np)
	var scale float64
	for iter := 0; iter < 3; iter++ {
		clear(ata)
		clear(atb)
		for i := range X {
			e := &X[i]
			w := wts[i]
			for a := 0; a < e.n; a++ {
				wa := w * e.val[a]
				atb[e.col[a]] += wa * y[i]
				row := ata[e.col[a]*np:]
				for b := 0; b < e.n; b++ {
					row[e.col[b]] += wa * e.val[b]
				}
			}
		}
		for a := 0; a < np; a++ {
			ata[a*np+a] += 1e-6
		}
		if !solveSym(ata, atb, beta, np) {
			return scuolaFit{}
		}
		for i := range X {
			e := &X[i]
			var f float64
			for a := 0; a < e.n; a++ {
				f += e.val[a] * beta[e.col[a]]
			}
			resid[i] = y[i] - f
			abs[i] = math.Abs(resid[i])
		}
		scale = 1.4826 * quickMedian(abs)
		if !(scale > 0) {
			break
		}
		for i, r := range resid {
			// Huber below, Tukey's bisquare above: epidemics only push up,
			// and their days should not lift the profile.
			wts[i] = 1
			if r > 0 {
				a := r / (4.685 * scale)
				wts[i] = 0
				if a < 1 {
					wts[i] = (1 - a*a) * (1 - a*a)
				}
			} else if a := -r / (1.345 * scale); a > 1 {
				wts[i] = 1 / a
			}
		}
	}
	f := scuolaFit{ok: true, level: beta[nYears-1]}
	for wd := 2; wd <= 6; wd++ {
		f.w[wd] = beta[nYears+wd-2]
	}
	f.w[0] = f.w[6]
	f.post, f.pre = beta[nYears+5], beta[nYears+6]
	f.prof = [2]float64{beta[nYears+7], beta[nYears+8]}
	// Variance: robust residual variance less the sampling part.
	var vs float64
	for i, t := range idx {
		vs += sampVar(y[i]-resid[i], all[t].den)
	}
	vs /= float64(len(idx))
	f.v = math.Max(scale*scale-vs, scuolaMinVar)
	f.phi = lag1(all, idx, resid, scale)
	return f
}

// lag1 is the lag-1 correlation of the residuals res (of rows idx, in
// order) clipped at scuolaClip scales, over consecutive rows of one school
// year, capped at scuolaMaxPhi (0 when none).
func lag1(all []scuolaRow, idx []int, res []float64, scale float64) float64 {
	var cxy, czz float64
	for i := 1; i < len(idx); i++ {
		if idx[i] != idx[i-1]+1 || all[idx[i]].sy != all[idx[i-1]].sy {
			continue
		}
		a := math.Max(-scuolaClip, math.Min(scuolaClip, res[i]/scale))
		b := math.Max(-scuolaClip, math.Min(scuolaClip, res[i-1]/scale))
		cxy += a * b
		czz += a * a
	}
	if czz <= 0 {
		return 0
	}
	return math.Max(0, math.Min(scuolaMaxPhi, cxy/czz))
}

// quickMedian returns the median of a, reordering it.
func quickMedian(a []float64) float64 {
	n := len(a)
	if n == 0 {
		return math.NaN()
	}
	k := n / 2
	lo, hi := 0, n-1
	for lo < hi {
		piv := a[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for a[i] < piv {
				i++
			}
			for a[j] > piv {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		if k <= j {
			hi = j
		} else if k >= i {
			lo = i
		} else {
			break
		}
	}
	return a[k]
}

// solveSym solves the symmetric positive definite system a x = b (n x n,
// row-major) by Cholesky; false when it is not positive definite.
func solveSym(a, b, x []float64, n int) bool {
	l := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			sum := a[i*n+j]
			for k := 0; k < j; k++ {
				sum -= l[i*n+k] * l[j*n+k]
			}
			if i == j {
				if !(sum > 0) {
					return false
				}
				l[i*n+i] = math.Sqrt(sum)
			} else {
				l[i*n+j] = sum / l[j*n+j]
			}
		}
	}
	yv := make([]float64, n)
	for i := 0; i < n; i++ {
		sum := b[i]
		for k := 0; k < i; k++ {
			sum -= l[i*n+k] * yv[k]
		}
		yv[i] = sum / l[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		sum := yv[i]
		for k := i + 1; k < n; k++ {
			sum -= l[k*n+i] * x[k]
		}
		x[i] = sum / l[i*n+i]
	}
	return true
}

// scuolaMethod: parameters k, h, allowance, jump, gain, minDays; see Scuola.
func scuolaMethod(s Series, p Params) (Result, error) {
	const name = "scuola"
	if err := allowParams(name, p, "allowance", "alpha", "gain", "h", "jump", "jumpPoints", "k", "minDays", "points"); err != nil {
		return Result{}, err
	}
	sp := DefaultScuolaParams()
	var err error
	for _, q := range []struct {
		name string
		v    *float64
	}{{"k", &sp.K}, {"h", &sp.H}, {"allowance", &sp.Allowance}, {"points", &sp.Points}, {"jump", &sp.Jump}, {"jumpPoints", &sp.JumpPoints}, {"gain", &sp.Gain}, {"alpha", &sp.Alpha}} {
		if *q.v, err = p.Float(q.name, *q.v); err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	if sp.MinDays, err = p.Int("minDays", sp.MinDays); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	if err := sp.Validate(); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	return Scuola(s, sp)
}

func init() { register("scuola", scuolaMethod) }

// checkSeries reports a series the school models cannot read: as many
// dates (and denominators) as counts, dates strictly increasing.
func checkSeries(name string, s Series) error {
	n := len(s.Counts)
	if len(s.Dates) != n {
		return fmt.Errorf("%s: %d date per %d conteggi", name, len(s.Dates), n)
	}
	if s.Denominators != nil && len(s.Denominators) != n {
		return fmt.Errorf("%s: %d denominatori per %d conteggi", name, len(s.Denominators), n)
	}
	for t := 1; t < n; t++ {
		if !s.Dates[t].After(s.Dates[t-1]) {
			return fmt.Errorf("%s: riga %d: date non in ordine crescente", name, t+1)
		}
	}
	return nil
}

// samplingVar returns the sampling variance of a log rate r on
// denominator d: binomial with denominators, Poisson on the count without.
func samplingVar(hasDen bool) func(r, d float64) float64 {
	return func(r, d float64) float64 {
		if hasDen {
			r = math.Min(r, 0.999)
			return (1 - r) / (r * d)
		}
		return 1 / math.Max(r, 0.5)
	}
}
