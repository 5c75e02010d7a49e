package detect

import (
	"fmt"
	"math"
)

// LivelloParams configures Livello. z-like quantities are in units of the
// standard deviation of a day's log rate around its expected value.
type LivelloParams struct {
	// Window is how many school days the baseline level rests on.
	Window int
	// Guard is how many of the latest school days the baseline leaves out,
	// so that the start of a rise is not absorbed by the level it is
	// judged against.
	Guard int
	// Allowance is the relative rise over the expected rate that is not
	// worth an alarm (0.1 = 10%): mild bumps stay below it.
	Allowance float64
	// K is the CUSUM reference value and H its decision interval.
	K, H float64
	// Jump and JumpPoints define a data anomaly as in Scuola.
	Jump, JumpPoints float64
	// Alpha scales H as in Scuola (z(1-Alpha)/z(0.99)).
	Alpha float64
	// MinDays is how many school days of the year the baseline needs
	// before a day is evaluated (>= 2).
	MinDays int
	// Gain is the smallest weight of a day in the running weekday and
	// break effects, the variance and the correlation.
	Gain float64
	// Break is the relative uncertainty of the level after a break of a
	// week or more (Christmas, Easter): absence often returns at another
	// level, and the days before the break say little about it.
	Break float64
}

// DefaultLivelloParams returns the parameters chosen in docs/detection.md §8.
func DefaultLivelloParams() LivelloParams {
	return LivelloParams{Window: 20, Guard: 5, Allowance: 0.1, K: 0.45, H: 1.5, Jump: 4, JumpPoints: 0.02, Alpha: 0.01, MinDays: 5, Gain: 0.03, Break: 0.05}
}

// Validate reports unusable parameters.
func (p LivelloParams) Validate() error {
	switch {
	case p.Window < 3:
		return fmt.Errorf("parametro window = %d, il minimo è 3", p.Window)
	case p.Guard < 0:
		return fmt.Errorf("parametro guard = %d deve essere >= 0", p.Guard)
	case !(p.Allowance >= 0 && p.Allowance < 10):
		return fmt.Errorf("parametro allowance = %v fuori da [0, 10)", p.Allowance)
	case !(p.K >= 0) || math.IsInf(p.K, 1):
		return fmt.Errorf("parametro k = %v deve essere finito e >= 0", p.K)
	case !(p.H > 0) || math.IsInf(p.H, 1):
		return fmt.Errorf("parametro h = %v deve essere finito e > 0", p.H)
	case !(p.Jump > 0) || math.IsInf(p.Jump, 1):
		return fmt.Errorf("parametro jump = %v deve essere finito e > 0", p.Jump)
	case !(p.JumpPoints > 0 && p.JumpPoints <= 1):
		return fmt.Errorf("parametro jumpPoints = %v fuori da (0, 1]", p.JumpPoints)
	case !(p.Alpha > 0 && p.Alpha < 0.5):
		return fmt.Errorf("parametro alpha = %v fuori da (0, 0.5)", p.Alpha)
	case p.MinDays < 2:
		return fmt.Errorf("parametro minDays = %d, il minimo è 2", p.MinDays)
	case !(p.Gain > 0 && p.Gain < 1):
		return fmt.Errorf("parametro gain = %v fuori da (0, 1)", p.Gain)
	case !(p.Break >= 0 && p.Break < 1):
		return fmt.Errorf("parametro break = %v fuori da [0, 1)", p.Break)
	}
	return nil
}

// livelloLongBreak is the gap in days from which a break restarts the
// baseline (Christmas, Easter; a long weekend does not).
const livelloLongBreak = 7

// livelloPriorDays is the weight, in days, of the past years' level at the
// start of a school year.
const livelloPriorDays = 3

// Livello is the portal's default model of a daily school-absence series
// (docs/detection.md §8). It differs from Scuola in what the day is judged
// against: a short, robust, lagged baseline that keeps following the
// series, instead of a running level frozen while evidence accumulates.
// Ordinary absence drifts up by a quarter to a third from September into
// the winter; a level that stops following it raises alarms for weeks.
//
// With u = log((count+0.5)/den) (den = 1 without denominators):
//
//   - expected: u ~ L + w[weekday] + b*post + c*pre, where L is a Huber
//     M-estimate of the effect-adjusted u over the Window school days
//     before the latest Guard days of the year (early in the year the guard
//     shrinks so that MinDays days remain; after a break of a week or more
//     it shrinks the same way, so the level soon rests on the days after
//     the break). Weekday and break effects, the extra-binomial variance V
//     and the lag-1 correlation phi are learnt online from clipped
//     residuals, starting from a fit on up to two past school years when
//     the input has them (fitScuolaProfile, which discounts their
//     epidemics); with past years, their level and annual profile at the
//     day also enter the first MinDays days, so the year is evaluated
//     from its first day;
//   - variance: sd^2 = (V + vs)(1 + iota^2/n) + Break^2/(1+m) for the
//     first MinDays days m after a long break, with vs the day's sampling
//     variance and iota^2 = (1+phi)/(1-phi) the variance inflation of a
//     correlated mean of n days;
//   - evidence: a one-sided CUSUM S of (u - expected - log(1+Allowance))/sd
//     with reference K, scaled by 1/iota, capped at 1.5 thresholds; a day
//     alarms when S exceeds H (widened by a Student t quantile while V
//     rests on few days, and scaled by Alpha);
//   - anomalies: a jump (z > Jump, or more than JumpPoints above the
//     expected rate with z > 2) after an ordinary day, while S is below
//     half its threshold, is a data anomaly for up to two days: it neither
//     alarms nor enters S or the baseline. A third such day enters S with
//     the two before it, and those two are then no longer anomalies in the
//     output (a jump the next days sustain is a rise).
//
// Every Alarm, Expected, UpperBound, Statistic and Threshold of row t uses
// rows <= t only. Anomaly may be cleared afterwards by the rows that
// follow (see above). UpperBound is the upper end of the day's 95%
// prediction interval, a count; Threshold is the decision interval that
// Statistic is compared with. Each school year restarts from its past
// years, so Series.Dal may skip earlier years.
func Livello(s Series, p LivelloParams) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if err := checkSeries("livello", s); err != nil {
		return Result{}, err
	}
	n := len(s.Counts)
	hasDen := s.Denominators != nil
	res := newResult(n)
	res.Anomaly = make([]bool, n)
	res.Threshold = make([]float64, n)
	rows := scuolaRows(s)
	sampVarR := samplingVar(hasDen)
	sampVar := func(mu float64, d float64) float64 { return sampVarR(math.Exp(mu), d) }
	zq := NormalQuantile(0.99)
	hAlpha := p.H * NormalQuantile(1-p.Alpha) / zq
	lnAllow := math.Log1p(p.Allowance)

	skip := math.MinInt
	if s.Dal > 0 {
		skip = math.MaxInt
		if s.Dal < n {
			skip = rows[s.Dal].sy
		}
	}
	var st scuolaState
	curYear := math.MinInt
	// base holds the effect-adjusted log rates of the year's baseline days
	// (anomalies excluded); pendingRows the rows of a pending jump.
	var base, buf, dev []float64
	var pendingRows []int
	sinceBreak, lastDay := 0, 0
	var pastLevel float64
	var pastProf [2]float64
	for t := range n {
		rw := &rows[t]
		res.Expected[t], res.UpperBound[t], res.Statistic[t], res.Threshold[t] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if rw.sy < skip {
			continue
		}
		if rw.sy != curYear {
			curYear = rw.sy
			fit := fitScuolaProfile(rows, t, sampVar)
			if fit.ok {
				if v, phi, ok := livelloPastNoise(rows, t, fit, p, sampVarR); ok {
					fit.v, fit.phi = v, phi
				}
			}
			st = newScuolaState(fit)
			// The level is local; the past years' level and annual profile
			// only start the year, until MinDays days are known.
			st.prof, pastLevel, pastProf = [2]float64{}, fit.level, fit.prof
			base, pendingRows = base[:0], pendingRows[:0]
			sinceBreak = 0
		}
		if !rw.ok {
			st.prevOK = false
			continue
		}
		day := dayNumber(rw)
		if len(base) > 0 && day-lastDay >= livelloLongBreak {
			sinceBreak = 0
		}
		lastDay = day
		post, pre := rw.post && len(base) > 0, rw.preH
		eff := st.effects(rw.wd, post, pre, rw)
		if len(base) == 0 && !st.past {
			// First valid day of the year: it starts the baseline.
			base = append(base, rw.u-eff)
			sinceBreak++
			st.prevOK = false
			continue
		}
		g := min(p.Guard, max(0, len(base)-p.MinDays))
		if sinceBreak < len(base) {
			g = min(g, max(0, sinceBreak-p.MinDays))
		}
		hi := len(base) - g
		lo := max(0, hi-p.Window)
		var L, prior float64
		nb := float64(hi - lo)
		if nb > 0 {
			buf = append(buf[:0], base[lo:hi]...)
			L, dev = huberLocation(buf, dev)
		}
		if st.past && len(base) < p.MinDays {
			// The first days of a year with past years: their level at this
			// time of year, worth livelloPriorDays days, with the
			// uncertainty of a level after a break.
			lp := pastLevel + pastProf[0]*rw.hc + pastProf[1]*rw.hs
			L = (nb*L + livelloPriorDays*lp) / (nb + livelloPriorDays)
			prior = p.Break * p.Break * livelloPriorDays / (nb + livelloPriorDays)
			nb += livelloPriorDays
		}

		mu := L + eff
		em := math.Exp(mu)
		vs := sampVarR(em, rw.den)
		v := st.V
		if st.nV+st.priorV < 3 {
			v = math.Max(v, 0.01) // a placeholder until a few days are known
		}
		phi := st.phi()
		iota := math.Sqrt((1 + phi) / (1 - phi))
		shift := prior
		if sinceBreak < len(base) && sinceBreak < p.MinDays {
			shift = p.Break * p.Break / float64(1+sinceBreak)
		}
		sd := math.Sqrt((v+vs)*(1+iota*iota/nb) + shift)
		hEff, jump := hAlpha, p.Jump
		if df := st.nV + st.priorV - 1; df < 200 {
			q := t99[max(int(df), 0)] / zq
			hEff, jump = hEff*q, jump*q
		}
		res.Expected[t] = math.Max(0, em*rw.den-0.5)
		if res.Expected[t] < 1e-9 {
			res.Expected[t] = 0
		}
		res.UpperBound[t] = math.Max(0, math.Exp(mu+z975*sd)*rw.den-0.5)
		if hasDen {
			res.UpperBound[t] = math.Min(res.UpperBound[t], rw.den)
		}
		res.Threshold[t] = hEff
		valid := st.past || len(base) >= p.MinDays
		res.Valid[t] = valid

		r := rw.u - mu
		z := r / sd
		zc := (r - lnAllow) / sd
		excess := math.Exp(rw.u) - em
		if !hasDen {
			excess = (math.Exp(rw.u)/em - 1) * scuolaRefRate
		}
		big := z > jump || (z > scuolaElevated && excess > p.JumpPoints)
		// A jump that continues a rise is not an anomaly.
		rising := st.run == 0 && st.S >= hEff/2
		anomaly := false
		if big && !rising && (st.run > 0 || !st.prevOK || st.prevZ < scuolaElevated) {
			st.run++
			if st.run <= 2 {
				anomaly = true
				st.pending += (zc - p.K) / iota
				pendingRows = append(pendingRows, t)
			} else {
				// Sustained: the jump was the start of a rise.
				st.S = math.Max(0, st.S+st.pending)
				for _, j := range pendingRows {
					res.Anomaly[j] = false
					base = append(base, rows[j].u-st.effects(rows[j].wd, rows[j].post, rows[j].preH, &rows[j]))
				}
				st.run, st.pending, pendingRows = 0, 0, pendingRows[:0]
			}
		} else {
			st.run, st.pending, pendingRows = 0, 0, pendingRows[:0]
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
		base = append(base, rw.u-eff)
		sinceBreak++
		// Effects, variance and correlation follow clipped residuals, but
		// not while the evidence is high: they would absorb the rise. The
		// level is not frozen: it is the lagged window above.
		if st.S <= hEff/2 {
			rc := math.Max(-scuolaClip*sd, math.Min(scuolaClip*sd, r))
			st.updateEffects(rc, rc/sd, vs, rw.wd, post, pre, p.Gain)
		}
		st.prevOK, st.prevZ = true, z
	}
	return res, nil
}

// z975 is the normal 0.975 quantile (95% two-sided interval).
var z975 = NormalQuantile(0.975)

// updateEffects moves the weekday and break effects, the variance and the
// lag-1 correlation towards the clipped residual rc (zc = rc/sd).
func (st *scuolaState) updateEffects(rc, zc, vs float64, wd int, post, pre bool, gain float64) {
	gw := math.Max(1/(st.nw[wd]+3), gain) // shrunk towards 0 with 3 prior days
	st.w[wd] += gw * rc
	st.nw[wd]++
	// Weekday offsets average zero over Monday-Friday: the level carries
	// what every day shares.
	m := (st.w[1] + st.w[2] + st.w[3] + st.w[4] + st.w[5]) / 5
	for i := range st.w {
		st.w[i] -= m
	}
	if post {
		gp := math.Max(1/(st.nPost+3), gain)
		st.post += gp * rc
		st.nPost++
	}
	if pre {
		gp := math.Max(1/(st.nPre+3), gain)
		st.pre += gp * rc
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

// huberLocation returns a Huber M-estimate of the location of a (c = 1.345
// times the MAD scale, three reweighting steps from the median); a is
// reordered, dev is scratch space returned for reuse.
func huberLocation(a, dev []float64) (float64, []float64) {
	m := quickMedian(a)
	dev = dev[:0]
	for _, x := range a {
		dev = append(dev, math.Abs(x-m))
	}
	c := 1.345 * 1.4826 * quickMedian(dev)
	if !(c > 0) {
		return m, dev
	}
	for range 3 {
		var sw, swx float64
		for _, x := range a {
			w := 1.0
			if d := math.Abs(x - m); d > c {
				w = c / d
			}
			sw += w
			swx += w * x
		}
		m = swx / sw
	}
	return m, dev
}

// dayNumber is the row's date as days since 1970-01-01.
func dayNumber(rw *scuolaRow) int { return rw.day }

// livelloMethod: parameters window, guard, allowance, k, h, jump,
// jumpPoints, alpha, minDays, gain, break; see Livello.
func livelloMethod(s Series, p Params) (Result, error) {
	const name = "livello"
	if err := allowParams(name, p, "allowance", "alpha", "break", "gain", "guard", "h", "jump", "jumpPoints", "k", "minDays", "window"); err != nil {
		return Result{}, err
	}
	lp := DefaultLivelloParams()
	var err error
	for _, q := range []struct {
		name string
		v    *float64
	}{{"allowance", &lp.Allowance}, {"k", &lp.K}, {"h", &lp.H}, {"jump", &lp.Jump}, {"jumpPoints", &lp.JumpPoints}, {"alpha", &lp.Alpha}, {"gain", &lp.Gain}, {"break", &lp.Break}} {
		if *q.v, err = p.Float(q.name, *q.v); err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	for _, q := range []struct {
		name string
		v    *int
	}{{"window", &lp.Window}, {"guard", &lp.Guard}, {"minDays", &lp.MinDays}} {
		if *q.v, err = p.Int(q.name, *q.v); err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := lp.Validate(); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	return Livello(s, lp)
}

func init() { register("livello", livelloMethod) }

// livelloPastNoise estimates the extra-binomial variance and the lag-1
// correlation on the past school years before row first as the model meets
// a day: against the lagged robust level of the days before it, with the
// past fit's effects. The fit's own residuals are against one level a year
// and an annual harmonic: they carry the drift and the bumps, and overstate
// both (phi near 0.7 where a local level leaves about 0.1).
func livelloPastNoise(rows []scuolaRow, first int, f scuolaFit, p LivelloParams, sampVarR func(r, d float64) float64) (v, phi float64, ok bool) {
	lastYear := rows[first-1].sy
	lo := first
	for lo > 0 && rows[lo-1].sy > lastYear-scuolaPastYears {
		lo--
	}
	var base, buf, dev, res, vs []float64
	var idx []int
	year := math.MinInt
	for t := lo; t < first; t++ {
		rw := &rows[t]
		if rw.sy != year {
			year, base = rw.sy, base[:0]
		}
		if !rw.ok {
			continue
		}
		e := f.w[rw.wd]
		if rw.post && len(base) > 0 {
			e += f.post
		}
		if rw.preH {
			e += f.pre
		}
		if len(base) >= p.MinDays {
			hi := len(base) - min(p.Guard, len(base)-p.MinDays)
			buf = append(buf[:0], base[max(0, hi-p.Window):hi]...)
			var L float64
			L, dev = huberLocation(buf, dev)
			res = append(res, rw.u-L-e)
			vs = append(vs, sampVarR(math.Exp(L+e), rw.den))
			idx = append(idx, t)
		}
		base = append(base, rw.u-e)
	}
	if len(res) < 40 {
		return 0, 0, false
	}
	abs := make([]float64, len(res))
	for i, r := range res {
		abs[i] = math.Abs(r)
	}
	scale := 1.4826 * quickMedian(abs)
	if !(scale > 0) {
		return 0, 0, false
	}
	phi = lag1(rows, idx, res, scale)
	var mvs float64
	for _, x := range vs {
		mvs += x
	}
	mvs /= float64(len(vs))
	// The residual holds the baseline's own error too.
	iota2 := (1 + phi) / (1 - phi)
	v = math.Max(scale*scale/(1+iota2/float64(p.Window))-mvs, scuolaMinVar)
	return v, phi, true
}
