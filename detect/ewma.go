package detect

import (
	"fmt"
	"math"
)

// EwmaParams configures Ewma.
type EwmaParams struct {
	// Lambda is the smoothing coefficient in (0, 1] (ESSENCE: 0.4).
	Lambda float64
	// Baseline is the number of rows in the baseline window (ESSENCE: 28).
	Baseline int
	// Guard is the number of rows between the baseline and the row under
	// test (ESSENCE: 2), so an outbreak's first days do not inflate the
	// baseline that judges them.
	Guard int
	// Alpha is the one-sided false-alarm probability; the threshold is
	// NormalQuantile(1-Alpha).
	Alpha float64
	// MinSigma is a floor for the baseline standard deviation.
	MinSigma float64
}

// DefaultEwmaParams returns lambda 0.4, baseline 28, guard 2, alpha 0.01,
// minSigma 0.5.
//
// The floor 0.5 is a choice of this package: with a baseline of zeros a
// single case gives Z = 0.4/(0.5*0.5) = 1.6 and does not alarm, two cases
// do. It is close to the floor of Rnssp::alert_ewma for lambda 0.4, which
// applies (lambda/t_0.95)*(1+0.5*(1-lambda)^2) ≈ 0.28 to the EWMA-scale
// sigma, i.e. about 0.55 on the raw sd.
func DefaultEwmaParams() EwmaParams {
	return EwmaParams{Lambda: 0.4, Baseline: 28, Guard: 2, Alpha: 0.01, MinSigma: 0.5}
}

// Validate reports unusable parameters.
func (p EwmaParams) Validate() error {
	if !(p.Lambda > 0 && p.Lambda <= 1) {
		return fmt.Errorf("parametro lambda = %v fuori da (0, 1]", p.Lambda)
	}
	if p.Baseline < 2 {
		return fmt.Errorf("parametro baseline = %d, il minimo è 2 (serve una deviazione standard)", p.Baseline)
	}
	if p.Guard < 0 {
		return fmt.Errorf("parametro guard = %d non può essere negativo", p.Guard)
	}
	if !(p.Alpha > 0 && p.Alpha < 1) {
		return fmt.Errorf("parametro alpha = %v fuori da (0, 1)", p.Alpha)
	}
	if !(p.MinSigma >= 0) || math.IsInf(p.MinSigma, 1) {
		return fmt.Errorf("parametro minSigma = %v deve essere finito e >= 0", p.MinSigma)
	}
	return nil
}

// Ewma is an ESSENCE-style exponentially weighted moving average detector
// for daily counts (Burkom, "Development, adaptation, and assessment of
// alerting algorithms for biosurveillance", Johns Hopkins APL Technical
// Digest 24(4), 2003 — cited from memory, not re-read; the ESSENCE
// defaults lambda 0.4, 28-day
// baseline and 2-day guard band are those documented for CDC's
// Rnssp::alert_ewma, "to match ESSENCE implementation").
//
// With E_0 = count_0 and E_t = Lambda*count_t + (1-Lambda)*E_{t-1} over all
// rows, row t (t >= Baseline+Guard) is judged against the baseline rows
// t-Guard-Baseline .. t-Guard-1, with mean mu_t and sd s_t (R's sd, n-1):
//
//	sigma_t = max(s_t, MinSigma) * sqrt(Lambda/(2-Lambda))
//	Z_t     = (E_t - mu_t) / sigma_t                      (Statistic)
//	Alarm_t = Z_t > z,   z = NormalQuantile(1-Alpha)
//
// Expected is mu_t. UpperBound is the count that makes Z_t equal z given
// E_{t-1}, (mu_t + z*sigma_t - (1-Lambda)*E_{t-1})/Lambda, so Alarm_t is
// count_t > UpperBound_t (up to rounding); it is negative when yesterday's
// EWMA alone is above the threshold, and then any count alarms. Rows before
// Baseline+Guard, and rows whose sigma is 0 (constant baseline with
// MinSigma 0), are not valid.
//
// What this is not, and what could not be verified: ESSENCE's own code is
// not public. Rnssp::alert_ewma, CDC's open re-implementation, differs from
// this textbook form: it tests Z against a Student t quantile with n-1
// degrees of freedom, widens sigma by the correction term
// sqrt(l/(2-l) + 1/n - 2(1-l)^(g+1)(1-(1-l)^n)/n) for the uncertainty of
// the baseline mean and its correlation with the EWMA, adds a constant and
// a floor to sigma, grows the baseline from 11 to 28 days at the start,
// pulls the EWMA back to the alert limit after an alert, and runs a second
// EWMA with lambda 0.9 keeping the smaller p-value. None of that is done
// here; thresholds will therefore be somewhat lower (more alarms) than
// ESSENCE's on the same data.
func Ewma(counts []float64, p EwmaParams) Result {
	if err := p.Validate(); err != nil {
		panic("detect: Ewma: " + err.Error())
	}
	n := len(counts)
	res := newResult(n)
	if n == 0 {
		return res
	}
	lam := p.Lambda
	z := NormalQuantile(1 - p.Alpha)
	scale := math.Sqrt(lam / (2 - lam))
	first := p.Baseline + p.Guard
	e := counts[0]
	for t := 1; t < n; t++ {
		prev := e
		e = lam*counts[t] + (1-lam)*prev
		if t < first {
			continue
		}
		mu, sd := meanSD(counts[t-p.Guard-p.Baseline : t-p.Guard])
		sigma := math.Max(sd, p.MinSigma) * scale
		res.Expected[t] = mu
		res.UpperBound[t] = (mu + z*sigma - (1-lam)*prev) / lam
		res.Statistic[t] = (e - mu) / sigma
		if !(sigma > 0) || math.IsNaN(res.UpperBound[t]) || math.IsNaN(res.Statistic[t]) {
			res.UpperBound[t] = math.NaN()
			continue
		}
		res.Valid[t] = true
		res.Alarm[t] = res.Statistic[t] > z
	}
	return res
}
