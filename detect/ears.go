package detect

import (
	"fmt"
	"math"
)

// Result is the row-aligned output of a detector: index i describes counts[i].
type Result struct {
	// Expected is the baseline mean the count is judged against
	// (the reference-period mean m for Cusum).
	Expected []float64
	// UpperBound is the threshold as R's surveillance reports it; rows the
	// method cannot evaluate hold 0, rows where R yields NaN hold NaN.
	UpperBound []float64
	// Statistic is the method's test statistic (see each detector); it may
	// be ±Inf or NaN on a valid row when the baseline sd is 0 and MinSigma
	// is 0, where R's bound still exists (it equals the mean for C1/C2).
	Statistic []float64
	// Alarm reports an aberration; always false where Valid is false.
	Alarm []bool
	// Valid is false where the method cannot evaluate the row: not enough
	// history yet, or R's arithmetic yields NaN/NA (e.g. 0/0 when the
	// baseline is constant and MinSigma is 0).
	Valid []bool
	// Anomaly marks rows whose rate jumped far above the expected value without the persistence of an epidemic rise: a data anomaly to verify with the plesso (strike, trip, snow), not an alarm. Nil for methods that do not flag anomalies.
	Anomaly []bool
	// Threshold is the decision interval that Statistic is compared with,
	// per row, for methods whose statistic accumulates evidence (Livello);
	// nil for the others.
	Threshold []float64
}

func newResult(n int) Result {
	return Result{
		Expected:   make([]float64, n),
		UpperBound: make([]float64, n),
		Statistic:  make([]float64, n),
		Alarm:      make([]bool, n),
		Valid:      make([]bool, n),
	}
}

// EarsParams configures the EARS detectors, mirroring earsC's control list.
type EarsParams struct {
	// Baseline is the number of reference days (R: baseline, >= 3).
	Baseline int
	// MinSigma is a floor for the baseline standard deviation, which keeps
	// a constant baseline from producing a zero-width threshold (R: minSigma).
	MinSigma float64
	// Alpha is the one-sided false-alarm probability; the threshold uses
	// qnorm(1-Alpha). Alpha <= 0 selects R's default for the method: 0.001
	// for C1 and C2, 0.025 for C3 (earsC in surveillance 1.20.3). Ignored by
	// EarsC3CDC, whose threshold is fixed at CDCC3Threshold.
	Alpha float64
}

// DefaultEarsParams returns earsC's defaults for C1/C2: baseline 7,
// minSigma 0, alpha 0.001. Note that R's earsC uses alpha 0.025 when
// method "C3" is called without alpha; pass Alpha 0 to get that.
func DefaultEarsParams() EarsParams {
	return EarsParams{Baseline: 7, MinSigma: 0, Alpha: 0.001}
}

// CDCC3Threshold is the textbook alarm level for the CDC C3 statistic.
const CDCC3Threshold = 2.0

// Validate reports parameters that R's earsC rejects with stop().
func (p EarsParams) Validate() error {
	if p.Baseline < 3 {
		return fmt.Errorf("detect: EARS baseline %d < 3 (R: minimum baseline to use is 3)", p.Baseline)
	}
	if !(p.MinSigma >= 0) || math.IsInf(p.MinSigma, 1) {
		return fmt.Errorf("detect: EARS MinSigma %v must be finite and >= 0", p.MinSigma)
	}
	if math.IsNaN(p.Alpha) || p.Alpha >= 1 {
		return fmt.Errorf("detect: EARS Alpha %v must be in (0, 1) (or <= 0 for the default)", p.Alpha)
	}
	return nil
}

// zAlpha mirrors earsC: zAlpha <- qnorm(1 - alpha), with the method default
// when alpha is not given.
func (p EarsParams) zAlpha(c3 bool) float64 {
	a := p.Alpha
	if a <= 0 {
		a = 0.001
		if c3 {
			a = 0.025
		}
	}
	return NormalQuantile(1 - a)
}

func (p EarsParams) mustValidate() {
	if err := p.Validate(); err != nil {
		// Invalid parameters are a programming/configuration error, as in R.
		panic(err)
	}
}

// meanSD returns R's mean(x) and sd(x) (n-1 denominator). Like R's
// summary.c and cov.c it refines the mean with a second pass, so the
// results agree with R to within an ulp or two.
func meanSD(x []float64) (mean, sd float64) {
	n := float64(len(x))
	var s float64
	for _, v := range x {
		s += v
	}
	mean = s / n
	if !math.IsInf(mean, 0) && !math.IsNaN(mean) {
		var t float64
		for _, v := range x {
			t += v - mean
		}
		mean += t / n
	}
	var ss float64
	for _, v := range x {
		d := v - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss / (n - 1))
}

// EarsC1 reproduces earsC(method = "C1"): the baseline is the Baseline days
// immediately before day t, UpperBound = mean + qnorm(1-alpha) *
// max(sd, MinSigma), Alarm = count > UpperBound. Statistic is the C1 value
// (count - mean) / max(sd, MinSigma). Rows 0..Baseline-1 are not valid.
func EarsC1(counts []float64, p EarsParams) Result {
	p.mustValidate()
	return earsC12(counts, p, 0)
}

// EarsC2 reproduces earsC(method = "C2"): like C1 but the baseline is
// shifted back by a 2-day lag (days t-Baseline-2 .. t-3), so that the
// start of an outbreak does not inflate its own baseline. Rows
// 0..Baseline+1 are not valid.
func EarsC2(counts []float64, p EarsParams) Result {
	p.mustValidate()
	return earsC12(counts, p, 2)
}

func earsC12(counts []float64, p EarsParams, lag int) Result {
	n := len(counts)
	res := newResult(n)
	z := p.zAlpha(false)
	b := p.Baseline
	for i := b + lag; i < n; i++ {
		mu, sd := meanSD(counts[i-lag-b : i-lag])
		sigma := math.Max(sd, p.MinSigma)
		ub := mu + z*sigma
		res.Expected[i] = mu
		res.UpperBound[i] = ub
		res.Statistic[i] = (counts[i] - mu) / sigma
		if math.IsNaN(ub) {
			continue
		}
		res.Valid[i] = true
		res.Alarm[i] = counts[i] > ub
	}
	return res
}

// c2Terms returns, for every row i >= Baseline+2, the C2 baseline mean,
// sigma = max(sd, MinSigma) and C2 statistic (count - mean)/sigma.
func c2Terms(counts []float64, p EarsParams) (mu, sigma, c2 []float64) {
	n := len(counts)
	mu = make([]float64, n)
	sigma = make([]float64, n)
	c2 = make([]float64, n)
	b := p.Baseline
	for i := b + 2; i < n; i++ {
		m, sd := meanSD(counts[i-2-b : i-2])
		s := math.Max(sd, p.MinSigma)
		mu[i], sigma[i], c2[i] = m, s, (counts[i]-m)/s
	}
	return mu, sigma, c2
}

// EarsC3 reproduces earsC(method = "C3") of surveillance 1.20.3 exactly,
// which is NOT the CDC textbook C3 (see EarsC3CDC). With C2_j the C2
// statistic of day j and sigma_t the C2 baseline sd of day t (floored at
// MinSigma), R computes
//
//	UpperBound_t = max(0, count_t + sigma_t*(z - (max(0, C2_{t-2}-1) + max(0, C2_{t-1}-1))))
//	Alarm_t      = count_t > UpperBound_t
//
// i.e. the bound is built on the observed count itself and the two previous
// days' C2 excess; day t's own C2 does not enter. With z = qnorm(1-alpha)
// (alpha default 0.025 for C3 in R). Statistic holds the two-day excess
// sum that R compares against z. Expected is day t's C2 baseline mean.
// Rows 0..Baseline+3 are not valid.
func EarsC3(counts []float64, p EarsParams) Result {
	p.mustValidate()
	n := len(counts)
	res := newResult(n)
	z := p.zAlpha(true)
	mu, sigma, c2 := c2Terms(counts, p)
	for i := p.Baseline + 4; i < n; i++ {
		// Same operation order as R: lag2 + lag1, NaN propagating (pmax).
		part := math.Max(0, c2[i-2]-1) + math.Max(0, c2[i-1]-1)
		ub := math.Max(0, counts[i]+sigma[i]*(z-part))
		res.Expected[i] = mu[i]
		res.UpperBound[i] = ub
		res.Statistic[i] = part
		if math.IsNaN(ub) {
			continue
		}
		res.Valid[i] = true
		res.Alarm[i] = counts[i] > ub
	}
	return res
}

// EarsC3CDC is the CDC's C3 as published for EARS (Hutwagner et al., "The
// bioterrorism preparedness and response Early Aberration Reporting System
// (EARS)", J Urban Health 80(2 Suppl 1):i89-i96, 2003; formula as stated in
// Fricker, Hegler & Dunfee, "Comparing syndromic surveillance detection
// methods: EARS' versus a CUSUM-based methodology", Stat Med 27:3407-3429,
// 2008):
//
//	C3_t = sum_{j=t-2..t} max(0, C2_j - 1),  alarm when C3_t > 2
//
// with C2_j the C2 statistic (2-day lag baseline, p.Alpha ignored).
// Statistic holds C3_t. UpperBound is the count above which day t alarms,
// mean_t + sigma_t*(3 - previous two days' excess); when the previous two
// days alone exceed the threshold every count alarms and UpperBound is 0.
// Rows 0..Baseline+3 are not valid.
func EarsC3CDC(counts []float64, p EarsParams) Result {
	p.mustValidate()
	n := len(counts)
	res := newResult(n)
	mu, sigma, c2 := c2Terms(counts, p)
	for i := p.Baseline + 4; i < n; i++ {
		prev := math.Max(0, c2[i-2]-1) + math.Max(0, c2[i-1]-1)
		c3 := prev + math.Max(0, c2[i]-1)
		res.Expected[i] = mu[i]
		res.Statistic[i] = c3
		if math.IsNaN(c3) {
			res.UpperBound[i] = math.NaN()
			continue
		}
		if prev > CDCC3Threshold {
			res.UpperBound[i] = 0
		} else {
			res.UpperBound[i] = mu[i] + sigma[i]*(1+CDCC3Threshold-prev)
		}
		res.Valid[i] = true
		res.Alarm[i] = c3 > CDCC3Threshold
	}
	return res
}
