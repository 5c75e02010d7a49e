package detect

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Farrington reproduces surveillance::farringtonFlexible (surveillance
// 1.20.3) for a weekly series with dates, i.e. an sts built with
// epochAsDate = TRUE and freq = 52. The R functions reproduced are
// farringtonFlexible, algo.farrington.referencetimepoints, blocks,
// algo.farrington.data.glm, algo.farrington.glm,
// algo.farrington.fitGLM.flexible, anscombe.residuals,
// algo.farrington.assign.weights and the two threshold functions
// algo.farrington.threshold.farrington ("delta") and
// algo.farrington.threshold.noufaily ("nbPlugin", "muan"); the GLM is
// glm.fit with family quasipoisson (see farrington_glm.go).

// FarringtonParams mirrors farringtonFlexible's control list; field names
// follow R's names.
type FarringtonParams struct {
	// B is the number of years back used as reference (R: b).
	B int
	// W is the half-width in weeks of the window around each reference
	// week (R: w).
	W int
	// Reweight down-weights past outbreaks by their Anscombe residuals and
	// refits (R: reweight).
	Reweight bool
	// WeightsThreshold is the Anscombe residual above which a week is
	// down-weighted (R: weightsThreshold; 1 in Farrington 1996, 2.58 in
	// Noufaily 2012).
	WeightsThreshold float64
	// Trend fits a linear time trend, kept only when significant, b >= 3
	// and not extrapolating above the reference data (R: trend).
	Trend bool
	// PThresholdTrend is the p-value below which the trend is kept
	// (R: pThresholdTrend).
	PThresholdTrend float64
	// Alpha: the upper bound is a (1-Alpha) one-sided quantile (R: alpha).
	Alpha float64
	// Limit54 = {cases, period}: no alarm when fewer than cases were
	// counted in the last period weeks, current week included (R: limit54).
	Limit54 [2]int
	// PowerTrans is the transformation of the "delta" threshold: "2/3"
	// (skewness correction), "1/2" or "none" (R: powertrans).
	PowerTrans string
	// FitFun must be "" or "algo.farrington.fitGLM.flexible", the only
	// value R accepts (R: fitFun).
	FitFun string
	// PopulationOffset adds offset(log(population)) to the GLM, with
	// Series.Denominators as population (R: populationOffset).
	PopulationOffset bool
	// NoPeriods is the number of levels of the seasonal factor; 1 means no
	// factor, the reference weeks of Farrington 1996 only (R: noPeriods).
	NoPeriods int
	// PastWeeksNotIncluded is the number of weeks before the current one
	// left out of the fit; nil means W, as R's NULL
	// (R: pastWeeksNotIncluded).
	PastWeeksNotIncluded *int
	// ThresholdMethod is "delta" (Farrington 1996), "nbPlugin" (negative
	// binomial quantile with the fitted mean plugged in, Noufaily 2012) or
	// "muan" (negative binomial quantile at the upper (1-Alpha) normal
	// quantile of the fitted mean) (R: thresholdMethod).
	ThresholdMethod string
	// Range lists the 0-based rows to evaluate; nil means R's default
	// range (52*B + W + 1):n, i.e. rows 52*B+W .. n-1 (R: range, 1-based).
	Range []int
}

// FarringtonDefault returns farringtonFlexible's default control list
// (surveillance 1.20.3): b = 5, w = 3, reweight, weightsThreshold 2.58,
// trend with pThresholdTrend 0.05, alpha 0.05, limit54 c(5, 4),
// powertrans "2/3", noPeriods 1, pastWeeksNotIncluded NULL (= w),
// thresholdMethod "delta".
func FarringtonDefault() FarringtonParams {
	return FarringtonParams{
		B: 5, W: 3, Reweight: true, WeightsThreshold: 2.58,
		Trend: true, PThresholdTrend: 0.05, Alpha: 0.05,
		Limit54: [2]int{5, 4}, PowerTrans: "2/3",
		FitFun:    "algo.farrington.fitGLM.flexible",
		NoPeriods: 1, ThresholdMethod: "delta",
	}
}

// FarringtonNoufaily returns the improved method of Noufaily et al. (2012)
// with the controls of surveillance's vignette "monitoringCounts"
// (con.noufaily): noPeriods 10, b 4, w 3, weightsThreshold 2.58,
// pastWeeksNotIncluded 26, pThresholdTrend 1 (the trend is always kept
// when it does not extrapolate), thresholdMethod "nbPlugin"; the rest as
// FarringtonDefault (alpha 0.05, limit54 c(5, 4), reweight, trend).
func FarringtonNoufaily() FarringtonParams {
	p := FarringtonDefault()
	p.B, p.W = 4, 3
	p.NoPeriods = 10
	p.WeightsThreshold = 2.58
	pw := 26
	p.PastWeeksNotIncluded = &pw
	p.PThresholdTrend = 1
	p.ThresholdMethod = "nbPlugin"
	return p
}

// Validate reports parameters R rejects or that cannot work.
func (p FarringtonParams) Validate() error {
	switch {
	case p.B < 1:
		return fmt.Errorf("detect: Farrington b = %d, serve almeno 1 anno", p.B)
	case p.W < 0:
		return fmt.Errorf("detect: Farrington w = %d deve essere >= 0", p.W)
	case p.NoPeriods < 1:
		return fmt.Errorf("detect: Farrington noPeriods = %d deve essere >= 1", p.NoPeriods)
	case !(p.Alpha > 0 && p.Alpha < 1):
		return fmt.Errorf("detect: Farrington alpha = %v fuori da (0, 1)", p.Alpha)
	case math.IsNaN(p.WeightsThreshold) || math.IsNaN(p.PThresholdTrend):
		return errors.New("detect: Farrington weightsThreshold e pThresholdTrend devono essere numeri")
	case !(p.Limit54[0] >= 0 && p.Limit54[1] > 0):
		// R: "The limit54 arguments are out of bounds".
		return fmt.Errorf("detect: Farrington limit54 = %d,%d: servono casi >= 0 e periodo > 0", p.Limit54[0], p.Limit54[1])
	case p.PastWeeksNotIncluded != nil && *p.PastWeeksNotIncluded < 0:
		return fmt.Errorf("detect: Farrington pastWeeksNotIncluded = %d deve essere >= 0", *p.PastWeeksNotIncluded)
	}
	switch p.PowerTrans {
	case "2/3", "1/2", "none":
	default:
		return fmt.Errorf("detect: Farrington powertrans %q: ammessi \"2/3\", \"1/2\", \"none\"", p.PowerTrans)
	}
	switch p.ThresholdMethod {
	case "delta", "nbPlugin", "muan":
	default:
		return fmt.Errorf("detect: Farrington thresholdMethod %q: ammessi \"delta\", \"nbPlugin\", \"muan\"", p.ThresholdMethod)
	}
	if p.FitFun != "" && p.FitFun != "algo.farrington.fitGLM.flexible" {
		return fmt.Errorf("detect: Farrington fitFun %q: l'unico ammesso è \"algo.farrington.fitGLM.flexible\"", p.FitFun)
	}
	return nil
}

func (p FarringtonParams) pastWeeks() int {
	if p.PastWeeksNotIncluded == nil {
		return p.W
	}
	return *p.PastWeeksNotIncluded
}

// Farrington runs farringtonFlexible on a weekly series with dates. The
// dates must be consecutive weeks (7 days apart); a week without data is a
// NaN count (R's NA: left out of the fit, and no alarm while it is among
// the last limit54 weeks).
//
// Row i of the result:
//   - outside the evaluated range, or without the b years of reference
//     weeks R needs (R would stop()): Valid false, values 0;
//   - no model: the GLM converges neither with nor without trend (R's
//     alarm is NA), or R would stop() on this row's data (no reference
//     counts left, a seasonal level missing, a 0/0 Anscombe residual):
//     Valid false, values NaN;
//   - otherwise Valid true and, as R reports them, Expected = expected
//     (NaN unless limit54 is met), UpperBound = upperbound (NaN unless
//     limit54 is met), Statistic = the exceedance score (y - fit)/(upper -
//     fit) of control$score (computed even when limit54 is not met; for
//     "nbPlugin"/"muan" R forms it on the link scale, reproduced as is),
//     Alarm = score > 1 and count > 0 and limit54 met.
func Farrington(s Series, p FarringtonParams) (Result, error) {
	rows, err := farringtonRows(s, p)
	if err != nil {
		return Result{}, err
	}
	res := newResult(len(s.Counts))
	for _, r := range rows {
		k := r.row
		switch r.status {
		case farrNoHistory:
			continue
		case farrNoModel:
			res.Expected[k], res.UpperBound[k], res.Statistic[k] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		res.Valid[k] = true
		res.Statistic[k] = r.score
		if r.enough == triTrue {
			res.UpperBound[k] = r.upper
			res.Expected[k] = math.NaN()
			if !math.IsNaN(r.upper) {
				res.Expected[k] = r.expected
			}
			res.Alarm[k] = !math.IsNaN(r.score) && r.score > 1 && s.Counts[k] != 0
		} else {
			res.UpperBound[k], res.Expected[k] = math.NaN(), math.NaN()
		}
	}
	return res, nil
}

type farrStatus int

const (
	farrOK        farrStatus = iota
	farrNoHistory            // reference weeks missing: R would stop()
	farrNoModel              // no GLM: R's alarm is NA
)

// tri is R's logical with NA.
type tri int8

const (
	triFalse tri = iota
	triTrue
	triNA
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// and3 is R's && on logicals with NA.
func and3(a, b tri) tri {
	if a == triFalse || b == triFalse {
		return triFalse
	}
	if a == triNA || b == triNA {
		return triNA
	}
	return triTrue
}

// farrRow holds what R computes for one time point.
type farrRow struct {
	row      int
	status   farrStatus
	enough   tri     // limit54 met
	predFit  float64 // pred$fit on the threshold's scale (response or link)
	predSe   float64 // pred$se.fit
	expected float64 // R's expected before the limit54/NA masking
	phi      float64
	doTrend  bool
	upper    float64
	score    float64
}

// farrData is one time point's reference data (R's dataGLM).
type farrData struct {
	y, wtime, offset []float64
	group            []int // seasgroups level index (0 = reference level)
	nLevels          int
	predGroup        int // level index of noPeriods for the prediction
	wtimeNow         float64
	offsetNow        float64
	maxY             float64
}

var errNoHistory = errors.New("detect: reference weeks missing")

// farringtonRows validates the input and evaluates the rows of the range.
func farringtonRows(s Series, p FarringtonParams) ([]farrRow, error) {
	if p.FitFun == "" {
		p.FitFun = "algo.farrington.fitGLM.flexible"
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	n := len(s.Counts)
	if len(s.Dates) != n {
		return nil, fmt.Errorf("detect: Farrington: %d date per %d conteggi (servono le date delle settimane)", len(s.Dates), n)
	}
	for i, y := range s.Counts {
		if y < 0 { // R: negative values not allowed for the 'quasiPoisson' family
			return nil, fmt.Errorf("detect: Farrington: conteggio negativo (%v) alla riga %d", y, i+1)
		}
	}
	days := make([]int64, n)
	for i, t := range s.Dates {
		days[i] = civilDays(t)
		if i > 0 && days[i]-days[i-1] != 7 {
			return nil, fmt.Errorf("detect: Farrington richiede settimane consecutive: %s segue %s",
				s.Dates[i].Format(time.DateOnly), s.Dates[i-1].Format(time.DateOnly))
		}
	}
	if p.PopulationOffset && len(s.Denominators) != n {
		return nil, fmt.Errorf("detect: Farrington con populationOffset richiede %d denominatori, ce ne sono %d", n, len(s.Denominators))
	}
	rng := p.Range
	if rng == nil {
		for k := 52*p.B + p.W; k < n; k++ {
			rng = append(rng, k)
		}
	}
	out := make([]farrRow, 0, len(rng))
	ev := farrEvaluator{s: s, p: p, days: days, labels: make([]int, n)}
	for _, k := range rng {
		if k < 0 || k >= n {
			return nil, fmt.Errorf("detect: Farrington range: riga %d fuori dalla serie (%d righe)", k, n)
		}
		r, err := ev.row(k)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// civilDays is the date's day number since 1970-01-01 (R's as.Date
// numeric value) for the calendar date in the time's own location.
func civilDays(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// farringtonRefDays reproduces algo.farrington.referencetimepoints for a
// weekly sts with dates: seq(day, by = "-1 year", length.out = b + 1)
// (same month and day j years back; 29 February becomes 1 March in a
// common year, as R's POSIXlt normalisation does), each moved to the
// nearest date with the weekday of day (within ±3 days). Element 0 is day.
func farringtonRefDays(day int64, b int) []int64 {
	t := time.Unix(day*86400, 0).UTC()
	y, m, d := t.Date()
	wd := int64(t.Weekday()) // R's format(, "%w"): 0 = Sunday
	out := make([]int64, b+1)
	for j := 0; j <= b; j++ {
		rt := time.Date(y-j, m, d, 0, 0, 0, 0, time.UTC)
		ref := rt.Unix() / 86400
		a := ref - (int64(rt.Weekday()) - wd)
		bb := a + 7
		if a > ref {
			bb = a - 7
		}
		if abs64(a-ref) > abs64(bb-ref) {
			a = bb
		}
		out[j] = a
	}
	return out
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// rAssign is R's x[from:to] <- v with 1-based from:to (which counts down
// when from > to; index 0 is ignored). It reports false where R would fail
// (negative or out-of-range indices).
func rAssign(x []int, from, to, v int) bool {
	if from < 0 || to < 0 || from > len(x) || to > len(x) {
		return false
	}
	step := 1
	if from > to {
		step = -1
	}
	for i := from; ; i += step {
		if i >= 1 {
			x[i-1] = v
		}
		if i == to {
			return true
		}
	}
}

// farringtonBlocks fills labels (0 = NA) as surveillance:::blocks followed
// by algo.farrington.data.glm's exclusion of the weeks
// (k - pastWeeksNotIncluded):k. refs are the 0-based rows of the reference
// dates, refs[0] = k, refs[j] j years back. Blocks returns an error where R
// stops for "Number of factors too big!", errNoHistory where R fails on
// indices.
func farringtonBlocks(labels []int, refs []int, k, b, w, np, pastWeeks int) error {
	for i := range labels {
		labels[i] = 0
	}
	// 1-based as in R.
	now := k + 1
	ref := make([]int, len(refs))
	for i, r := range refs {
		ref[i] = r + 1
	}
	if !rAssign(labels, now-w, now, np) {
		return errNoHistory
	}
	for i := 1; i <= b; i++ {
		refWeek := ref[i]
		if !rAssign(labels, refWeek-w, refWeek+w, np) {
			return errNoHistory
		}
		if np == 1 {
			continue
		}
		period := ref[i-1] - 2*w - 1 - refWeek
		if period < np-(2*w+1) {
			return fmt.Errorf("detect: Farrington noPeriods = %d troppo grande per w = %d (R: Number of factors too big!)", np, w)
		}
		// R's %/% and %% floor towards -Inf.
		lengthOfBlocks := floorDiv(period, np-1)
		rest := period - lengthOfBlocks*(np-1)
		cum := 0
		for j := 1; j <= np-1; j++ {
			l := lengthOfBlocks
			if j <= rest {
				l++
			}
			from := refWeek + w + 1 + cum
			cum += l
			if !rAssign(labels, from, refWeek+w+1+cum-1, j) {
				return errNoHistory
			}
		}
	}
	if !rAssign(labels, now-pastWeeks, now, 0) {
		return errNoHistory
	}
	return nil
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

type farrEvaluator struct {
	s      Series
	p      FarringtonParams
	days   []int64
	labels []int
}

// row evaluates time point k as one iteration of farringtonFlexible's loop.
func (e *farrEvaluator) row(k int) (farrRow, error) {
	p := e.p
	r := farrRow{row: k}
	n := len(e.s.Counts)
	// Reference time points: all must be dates of the series.
	refDays := farringtonRefDays(e.days[k], p.B)
	refs := make([]int, len(refDays))
	for j, d := range refDays {
		off := d - e.days[0]
		if off < 0 || off%7 != 0 || off/7 >= int64(n) {
			r.status = farrNoHistory
			return r, nil
		}
		refs[j] = int(off / 7)
	}
	err := farringtonBlocks(e.labels, refs, k, p.B, p.W, p.NoPeriods, p.pastWeeks())
	if errors.Is(err, errNoHistory) {
		r.status = farrNoHistory
		return r, nil
	}
	if err != nil {
		return r, err
	}
	d, ok := e.data(k)
	if !ok {
		r.status = farrNoModel
		return r, nil
	}
	if !e.fitAndThreshold(d, &r) {
		r.status = farrNoModel
		return r, nil
	}
	// limit54: sum(observed[(k - period + 1):k]) >= cases, NA with NA counts.
	from := k - p.Limit54[1] + 1
	if from < -1 { // R: negative index mixed with positive ones
		r.status = farrNoModel
		return r, nil
	}
	var sum float64
	for i := max(from, 0); i <= k; i++ {
		sum += e.s.Counts[i]
	}
	switch {
	case math.IsNaN(sum):
		r.enough = triNA
	default:
		r.enough = triOf(sum >= float64(p.Limit54[0]))
	}
	return r, nil
}

// data builds dataGLM for row k from e.labels; ok is false where R would
// fail to fit (no observations, or a single-level seasonal factor).
func (e *farrEvaluator) data(k int) (farrData, bool) {
	p := e.p
	var d farrData
	first := slices.IndexFunc(e.labels, func(l int) bool { return l != 0 })
	if first < 0 {
		return d, false
	}
	diff0 := float64(e.days[1] - e.days[0])
	firstKept := -1
	d.maxY = math.Inf(-1)
	var labels, levels []int
	for i, l := range e.labels {
		if l == 0 || math.IsNaN(e.s.Counts[i]) {
			continue
		}
		// dataGLM keeps the row; first date and max(response) count it.
		if firstKept < 0 {
			firstKept = i
		}
		d.maxY = math.Max(d.maxY, e.s.Counts[i])
		off := 0.0
		if p.PopulationOffset {
			off = math.Log(e.s.Denominators[i])
			if math.IsNaN(off) { // glm's na.omit drops the row
				continue
			}
		}
		d.y = append(d.y, e.s.Counts[i])
		d.wtime = append(d.wtime, float64(e.days[i]-e.days[first])/diff0)
		d.offset = append(d.offset, off)
		labels = append(labels, l)
		if !slices.Contains(levels, l) {
			levels = append(levels, l)
		}
	}
	if len(d.y) == 0 { // R: glm fails on an empty data set
		return d, false
	}
	// seasgroups levels: sorted numerically (factor() on numbers), and
	// only those left after NA removal (glm's drop.unused.levels).
	slices.Sort(levels)
	d.nLevels = len(levels)
	for _, l := range labels {
		d.group = append(d.group, slices.Index(levels, l))
	}
	// The prediction's wtime is measured from the first row kept in
	// dataGLM, while the fit's wtime starts at the first block row.
	d.wtimeNow = float64(e.days[k]-e.days[firstKept]) / diff0
	if p.PopulationOffset {
		d.offsetNow = math.Log(e.s.Denominators[k])
		if math.IsNaN(d.offsetNow) {
			return d, false
		}
	}
	d.predGroup = 0
	if p.NoPeriods != 1 {
		if len(levels) < 2 { // R: contrasts need 2 or more levels
			return d, false
		}
		d.predGroup = slices.Index(levels, p.NoPeriods)
		if d.predGroup < 0 { // R: factor has new level
			return d, false
		}
	}
	return d, true
}

// design returns the column-major model matrix of response ~ 1 [+ wtime]
// [+ seasgroups] (treatment contrasts) and the matching prediction row.
func (d *farrData) design(trend, factors bool) (x []float64, x0 []float64, p int) {
	n := len(d.y)
	p = 1
	if trend {
		p++
	}
	if factors {
		p += d.nLevels - 1
	}
	x = make([]float64, n*p)
	x0 = make([]float64, p)
	for i := 0; i < n; i++ {
		x[i] = 1
	}
	x0[0] = 1
	c := 1
	if trend {
		copy(x[n:2*n], d.wtime)
		x0[1] = d.wtimeNow
		c = 2
	}
	if factors {
		for i, g := range d.group {
			if g > 0 {
				x[(c+g-1)*n+i] = 1
			}
		}
		if d.predGroup > 0 {
			x0[c+d.predGroup-1] = 1
		}
	}
	return x, x0, p
}

// farrModel is algo.farrington.fitGLM.flexible's result.
type farrModel struct {
	f     *qpFit
	trend bool // "wtime" among the coefficients
	phi   float64
	// disp is what summary.glm(model)$dispersion returns later, in the
	// trend test and in predict.glm: after reweighting, fitGLM.flexible
	// sets model$weights <- omega, so summary.glm then weights the working
	// residuals by the prior weights omega instead of the working weights.
	disp float64
	x0   []float64
}

// fit is algo.farrington.fitGLM.flexible: fit (dropping the trend if that
// does not converge), phi = max(dispersion, 1), then optionally reweight
// by Anscombe residuals and refit. nil where R returns NULL or stops.
func (e *farrEvaluator) fit(d *farrData, trend bool) *farrModel {
	p := e.p
	factors := p.NoPeriods != 1
	n := len(d.y)
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	x, x0, np := d.design(trend, factors)
	f, err := fitQuasiPoisson(x, n, np, d.y, ones, d.offset)
	if err != nil {
		return nil
	}
	if f.broken || !f.converged {
		if trend {
			trend = false
			x, x0, np = d.design(false, factors)
			if f, err = fitQuasiPoisson(x, n, np, d.y, ones, d.offset); err != nil {
				return nil
			}
		}
		if f.broken || !f.converged {
			return nil
		}
	}
	phi := math.Max(f.dispersion(), 1) // NaN stays NaN, as R's max(NaN, 1)
	if p.Reweight {
		omega, ok := anscombeWeights(f, phi, p.WeightsThreshold)
		if !ok {
			return nil
		}
		if f, err = fitQuasiPoisson(x, n, np, d.y, omega, d.offset); err != nil || f.broken {
			return nil
		}
		phi = math.Max(f.dispersion(), 1)
		return &farrModel{f: f, trend: trend, phi: phi, disp: f.dispersionWith(omega), x0: x0}
	}
	return &farrModel{f: f, trend: trend, phi: phi, disp: f.dispersion(), x0: x0}
}

// anscombeWeights is anscombe.residuals followed by
// algo.farrington.assign.weights: weeks whose residual s exceeds the
// threshold get weight gamma/s², the others gamma, with gamma making the
// weights sum to the number of weeks.
func anscombeWeights(f *qpFit, phi, threshold float64) ([]float64, bool) {
	h := f.hatValues()
	s := make([]float64, f.n)
	var sum float64
	for i := range s {
		mu := f.mu[i]
		a := 1.5 * (math.Pow(f.y[i], 2.0/3)*math.Pow(mu, -1.0/6) - math.Sqrt(mu))
		s[i] = a / math.Sqrt(phi*(1-h[i]))
		if math.IsNaN(s[i]) {
			return nil, false // R's NA logical index: no usable weights
		}
		if s[i] > threshold {
			sum += math.Pow(s[i], -2)
		} else {
			sum += 1
		}
	}
	gamma := float64(len(s)) / sum
	omega := make([]float64, len(s))
	for i, v := range s {
		if v > threshold {
			omega[i] = gamma * math.Pow(v, -2)
		} else {
			omega[i] = gamma
		}
	}
	return omega, true
}

// fitAndThreshold is algo.farrington.glm (trend decision and prediction)
// followed by the threshold function. false where R gets no model.
func (e *farrEvaluator) fitAndThreshold(d farrData, r *farrRow) bool {
	p := e.p
	m := e.fit(&d, p.Trend)
	if m == nil {
		return false
	}
	doTrend := false
	if m.trend {
		eta, _ := m.f.predictLink(m.x0, d.offsetNow, m.disp)
		fitResp := math.Max(math.Exp(eta), dblEps)
		pv := m.f.pValue(1, m.disp)
		if math.IsNaN(m.f.coef[1]) { // aliased wtime: summary has no such row
			return false
		}
		sig, noExtra := triNA, triNA
		if !math.IsNaN(pv) {
			sig = triOf(pv < p.PThresholdTrend)
		}
		if !math.IsNaN(fitResp) {
			noExtra = triOf(fitResp <= d.maxY)
		}
		dt := and3(and3(triOf(p.B >= 3), sig), noExtra)
		if dt == triNA {
			return false // R: missing value where TRUE/FALSE needed
		}
		doTrend = dt == triTrue
		if !doTrend {
			if m = e.fit(&d, false); m == nil {
				return false
			}
		}
	}
	r.doTrend = doTrend
	r.phi = m.phi
	eta, se := m.f.predictLink(m.x0, d.offsetNow, m.disp)
	y := e.s.Counts[r.row]
	z := NormalQuantile(1 - p.Alpha)
	if p.ThresholdMethod == "delta" {
		// type = "response": fit = linkinv(eta), se.fit = se * mu.eta(eta).
		mu0 := math.Max(math.Exp(eta), dblEps)
		r.predFit, r.predSe = mu0, se*mu0
		r.upper, r.score = farringtonDeltaThreshold(mu0, se*mu0, m.phi, p.PowerTrans, z, y)
		r.expected = mu0
		return true
	}
	r.predFit, r.predSe = eta, se
	r.expected = math.Exp(eta)
	mu0q := math.Exp(eta)
	if p.ThresholdMethod == "muan" {
		mu0q = math.Exp(eta + se*z) // qnorm(1 - alpha, mean = eta, sd = se)
	}
	switch {
	case math.IsNaN(mu0q) || math.IsNaN(m.phi):
		return false // R: NA in an if() condition
	case math.IsInf(mu0q, 1):
		r.upper = math.NaN()
	case m.phi > 1:
		r.upper = qnbinom(1-p.Alpha, mu0q/(m.phi-1), 1/m.phi)
	default:
		r.upper = qpois(1-p.Alpha, mu0q)
	}
	r.score = math.NaN()
	if !math.IsNaN(r.upper) {
		r.score = (y - eta) / (r.upper - eta)
	}
	return true
}

// rPow is R's x^y for the cases used here (R computes x^2 as x*x).
func rPow(x, y float64) float64 {
	if y == 2 {
		return x * x
	}
	return math.Pow(x, y)
}

// farringtonDeltaThreshold is algo.farrington.threshold.farrington: the
// upper end of a normal prediction interval for the transformed count
// (power 1, 1/2 or 2/3) with variance phi*mu0 plus the estimation
// variance by the delta method; z = qnorm(1 - alpha).
func farringtonDeltaThreshold(mu0, seFit, phi float64, powertrans string, z, y float64) (upper, score float64) {
	tau := phi + seFit*seFit/mu0
	var se, exponent float64
	switch powertrans {
	case "none":
		se, exponent = math.Sqrt(mu0*tau), 1
	case "1/2":
		se, exponent = math.Sqrt(1.0/4*tau), 1.0/2
	default: // "2/3"
		se, exponent = math.Sqrt(4.0/9*math.Pow(mu0, 1.0/3)*tau), 2.0/3
	}
	m := rPow(mu0, exponent)
	lo := rPow(m-z*se, 1/exponent)
	hi := rPow(m+z*se, 1/exponent)
	// sort(c(lo, hi), na.last = FALSE)[2]
	switch {
	case math.IsNaN(hi):
		upper = hi
		if !math.IsNaN(lo) {
			upper = lo
		}
	case math.IsNaN(lo):
		upper = hi
	default:
		upper = math.Max(lo, hi)
	}
	score = math.NaN()
	if !math.IsNaN(upper) {
		score = (y - mu0) / (upper - mu0)
	}
	return upper, score
}

func init() {
	register("farrington", farringtonMethod)
}

// farringtonMethod parses R's control names: preset ("farrington" for
// FarringtonDefault, "noufaily" for FarringtonNoufaily; the other
// parameters override it), b, w, reweight, weightsThreshold, trend,
// pThresholdTrend, alpha, limit54 ("5,4"), powertrans, fitFun,
// populationOffset, noPeriods, pastWeeksNotIncluded (an integer or NULL),
// thresholdMethod ("delta", "nbPlugin", "muan"; "Noufaily" is accepted for
// "nbPlugin", the method R's documentation attributes to Noufaily et al.
// 2012), range ("from:to", 1-based rows as in R).
func farringtonMethod(s Series, ps Params) (Result, error) {
	const name = "farrington"
	if err := allowParams(name, ps, "preset", "b", "w", "reweight", "weightsThreshold", "trend",
		"pThresholdTrend", "alpha", "limit54", "powertrans", "fitFun", "populationOffset",
		"noPeriods", "pastWeeksNotIncluded", "thresholdMethod", "range"); err != nil {
		return Result{}, err
	}
	p := FarringtonDefault()
	switch ps["preset"] {
	case "", "farrington":
	case "noufaily":
		p = FarringtonNoufaily()
	default:
		return Result{}, fmt.Errorf("%s: preset %q: ammessi farrington, noufaily", name, ps["preset"])
	}
	var err error
	wrap := func(e error) error { return fmt.Errorf("%s: %w", name, e) }
	for _, q := range []struct {
		name string
		v    *int
	}{{"b", &p.B}, {"w", &p.W}, {"noPeriods", &p.NoPeriods}} {
		if *q.v, err = ps.Int(q.name, *q.v); err != nil {
			return Result{}, wrap(err)
		}
	}
	for _, q := range []struct {
		name string
		v    *bool
	}{{"reweight", &p.Reweight}, {"trend", &p.Trend}, {"populationOffset", &p.PopulationOffset}} {
		if *q.v, err = ps.Bool(q.name, *q.v); err != nil {
			return Result{}, wrap(err)
		}
	}
	for _, q := range []struct {
		name string
		v    *float64
	}{{"weightsThreshold", &p.WeightsThreshold}, {"pThresholdTrend", &p.PThresholdTrend}, {"alpha", &p.Alpha}} {
		if *q.v, err = ps.Float(q.name, *q.v); err != nil {
			return Result{}, wrap(err)
		}
	}
	if v, ok := ps["limit54"]; ok {
		f := strings.Split(strings.TrimSuffix(strings.TrimPrefix(strings.ReplaceAll(v, " ", ""), "c("), ")"), ",")
		a, err1 := strconv.Atoi(strings.TrimSpace(f[0]))
		var b int
		var err2 error = errors.New("manca il periodo")
		if len(f) == 2 {
			b, err2 = strconv.Atoi(strings.TrimSpace(f[1]))
		}
		if err1 != nil || err2 != nil {
			return Result{}, fmt.Errorf("%s: parametro limit54 %q: servono due interi, casi e settimane (es. 5,4)", name, v)
		}
		p.Limit54 = [2]int{a, b}
	}
	if v, ok := ps["powertrans"]; ok {
		p.PowerTrans = v
	}
	if v, ok := ps["fitFun"]; ok {
		p.FitFun = v
	}
	if v, ok := ps["thresholdMethod"]; ok {
		if v == "Noufaily" {
			v = "nbPlugin"
		}
		p.ThresholdMethod = v
	}
	if v, ok := ps["pastWeeksNotIncluded"]; ok {
		if v == "NULL" {
			p.PastWeeksNotIncluded = nil
		} else {
			pw, err := ps.Int("pastWeeksNotIncluded", 0)
			if err != nil {
				return Result{}, wrap(err)
			}
			p.PastWeeksNotIncluded = &pw
		}
	}
	if v, ok := ps["range"]; ok {
		a, b, found := strings.Cut(v, ":")
		from, err1 := strconv.Atoi(strings.TrimSpace(a))
		to, err2 := strconv.Atoi(strings.TrimSpace(b))
		if !found || err1 != nil || err2 != nil || from < 1 || to < from || to > len(s.Counts) {
			return Result{}, fmt.Errorf("%s: parametro range %q: serve da:a con 1 <= da <= a <= %d", name, v, len(s.Counts))
		}
		for k := from - 1; k < to; k++ {
			p.Range = append(p.Range, k)
		}
	}
	if err := p.Validate(); err != nil {
		return Result{}, wrap(err)
	}
	return Farrington(s, p)
}
