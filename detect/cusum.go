package detect

import (
	"fmt"
	"math"
)

// CusumParams configures Cusum, mirroring algo.cusum's control list with
// trans = "standard" (the only transformation implemented).
type CusumParams struct {
	// Ref is the length of the reference period: rows 0..Ref-1 are only
	// used to estimate m and are not evaluated. It maps to R's
	// control$range = (Ref+1):length(counts) (1-based), since algo.cusum
	// estimates m from observed[1:(range[1]-1)] and monitors range.
	Ref int
	// K is the reference value (allowance) subtracted from each
	// standardized count (R: k, default 1.04).
	K float64
	// H is the decision interval: alarm when the sum reaches H (R: h,
	// default 2.26).
	H float64
	// M is the expected count; nil means R's m = NULL, the mean of the
	// reference period.
	M *float64
}

// DefaultCusumParams returns algo.cusum's defaults (k = 1.04, h = 2.26,
// m = NULL) for a reference period of ref rows; R has no default range.
func DefaultCusumParams(ref int) CusumParams {
	return CusumParams{Ref: ref, K: 1.04, H: 2.26}
}

// Validate reports unusable parameters.
func (p CusumParams) Validate() error {
	if p.Ref < 1 {
		return fmt.Errorf("detect: CUSUM Ref %d < 1 (m needs at least one reference row)", p.Ref)
	}
	if math.IsNaN(p.K) || math.IsInf(p.K, 0) || math.IsNaN(p.H) || math.IsInf(p.H, 0) {
		return fmt.Errorf("detect: CUSUM K %v and H %v must be finite", p.K, p.H)
	}
	if p.M != nil && math.IsNaN(*p.M) {
		return fmt.Errorf("detect: CUSUM M is NaN")
	}
	return nil
}

// Cusum reproduces surveillance::algo.cusum with trans = "standard" and
// control$range = (Ref+1):n. With m the reference mean (or p.M),
// x_t = (count_t - m)/sqrt(m) and S_0 = 0 at the first monitored row:
//
//	S_t          = max(0, S_{t-1} + x_t - K)      (Statistic)
//	Alarm_t      = S_t >= H
//	UpperBound_t = ceiling(sqrt(m)*(H + K - S_{t-1}) + m), NaN and
//	               negative values set to 0
//
// The upper bound is R's back-transformation of H: the smallest integer
// count (rounded up) at which S_t would reach H given S_{t-1}. Because of
// the ceiling it is not exactly equivalent to the alarm rule; Alarm is
// authoritative. When m == 0 the standardization divides by zero exactly as
// in R; rows whose S_t is NaN (R: alarm NA) are not valid, and once NaN the
// sum stays NaN.
func Cusum(counts []float64, p CusumParams) Result {
	return cusum(counts, p, false)
}

// CusumReset is Cusum whose sum restarts at 0 after each alarm, so one
// outbreak raises one run of alarms per H of excess instead of alarming
// until the excess has drained (a common operational variant; not in R).
// Statistic holds S_t before the reset, and the next row's UpperBound uses
// S_{t-1} = 0.
func CusumReset(counts []float64, p CusumParams) Result {
	return cusum(counts, p, true)
}

func cusum(counts []float64, p CusumParams, reset bool) Result {
	if err := p.Validate(); err != nil {
		panic(err)
	}
	n := len(counts)
	res := newResult(n)
	if p.Ref >= n {
		return res
	}
	var m float64
	if p.M != nil {
		m = *p.M
	} else {
		m, _ = meanSD(counts[:p.Ref])
	}
	sq := math.Sqrt(m)
	k, h := p.K, p.H
	s := 0.0
	for i := p.Ref; i < n; i++ {
		prev := s
		x := (counts[i] - m) / sq
		s = math.Max(0, prev+(x-k)) // R's max() propagates NaN like math.Max
		ub := math.Ceil(sq*(h+k-prev) + m)
		if math.IsNaN(ub) || ub < 0 {
			ub = 0
		}
		res.Expected[i] = m
		res.UpperBound[i] = ub
		res.Statistic[i] = s
		if math.IsNaN(s) {
			continue
		}
		res.Valid[i] = true
		res.Alarm[i] = s >= h
		if reset && res.Alarm[i] {
			s = 0
		}
	}
	return res
}
