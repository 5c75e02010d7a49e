package detect

import (
	"fmt"
	"math"
)

// RateParams are the absence-rate thresholds of RateThresholds, as
// fractions (0.05 = 5%).
type RateParams struct {
	R1 float64 // one day at or above R1 alarms
	R2 float64 // two consecutive days at or above R2 alarm
	R3 float64 // three consecutive days at or above R3 alarm
}

// DefaultRateParams returns Sasaki et al.'s thresholds: 5% on one day, 4%
// on two consecutive days, 3% on three consecutive days.
func DefaultRateParams() RateParams { return RateParams{R1: 0.05, R2: 0.04, R3: 0.03} }

// Validate reports thresholds outside (0, 1].
func (p RateParams) Validate() error {
	for _, q := range []struct {
		name string
		v    float64
	}{{"r1", p.R1}, {"r2", p.R2}, {"r3", p.R3}} {
		if !(q.v > 0 && q.v <= 1) {
			return fmt.Errorf("parametro %s = %v fuori da (0, 1] (è una frazione: 0.05 = 5%%)", q.name, q.v)
		}
	}
	return nil
}

// RateThresholds applies the school-level absence-rate rules of Sasaki et
// al. ("Evidence-based tool for triggering school closures during influenza
// outbreaks, Japan", Emerg Infect Dis 15(11):1841-1843, 2009,
// doi:10.3201/eid1511.090798), who derived them from influenza-related
// absence in 54 elementary schools of Joetsu City: with rate_t =
// counts[t]/denominators[t], day t alarms when
//
//	rate_t >= R1, or
//	rate_t >= R2 and rate_{t-1} >= R2, or
//	rate_t, rate_{t-1}, rate_{t-2} >= R3.
//
// Rows are consecutive school days, so "consecutive" means consecutive rows
// whatever the dates. The comparisons are made as counts[t] >= R*den[t]
// (the same inequality without a division), so that UpperBound is exact.
//
// Every row is valid (rules that need earlier days simply do not apply on
// the first rows). Expected is NaN: the rule has no expected value.
// Statistic is rate_t. UpperBound is the smallest count that alarms on row t
// given the earlier rows: min(R1, R2 if rate_{t-1} >= R2, R3 if the two
// previous rates are >= R3) * denominators[t]; note the rule is "at or
// above", so Alarm_t is counts[t] >= UpperBound_t (not > as for EARS).
//
// It returns an error if the slices differ in length or a denominator is
// not positive.
func RateThresholds(counts, denominators []float64, p RateParams) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if len(denominators) != len(counts) {
		return Result{}, fmt.Errorf("rate: %d denominatori per %d conteggi", len(denominators), len(counts))
	}
	n := len(counts)
	res := newResult(n)
	// at(i, r): row i's rate is at or above r.
	at := func(i int, r float64) bool { return i >= 0 && counts[i] >= r*denominators[i] }
	for t := range n {
		d := denominators[t]
		if !(d > 0) || math.IsInf(d, 1) {
			return Result{}, fmt.Errorf("rate: riga %d: denominatore %v non positivo", t+1, d)
		}
		thr := p.R1
		if at(t-1, p.R2) {
			thr = math.Min(thr, p.R2)
		}
		if at(t-1, p.R3) && at(t-2, p.R3) {
			thr = math.Min(thr, p.R3)
		}
		res.Expected[t] = math.NaN()
		res.UpperBound[t] = thr * d
		res.Statistic[t] = counts[t] / d
		res.Valid[t] = true
		res.Alarm[t] = counts[t] >= res.UpperBound[t]
	}
	return res, nil
}
