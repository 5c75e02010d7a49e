package detect

import (
	"math"
	"math/rand/v2"
	"testing"
)

func ewmaClose(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestEwma_Hand(t *testing.T) {
	// lambda 0.5, baseline 3, guard 1, minSigma 0, alpha 0.01.
	// EWMA: E0=2, E1=3, E2=3, E3=4, E4=4, E5=7.
	// Row 4: baseline rows 0..2 = {2,4,3}: mean 3, sd 1; row 5: rows 1..3 =
	// {4,3,5}: mean 4, sd 1. sigma = 1*sqrt(0.5/1.5).
	x := []float64{2, 4, 3, 5, 4, 10}
	p := EwmaParams{Lambda: 0.5, Baseline: 3, Guard: 1, Alpha: 0.01, MinSigma: 0}
	r := Ewma(x, p)
	sig := math.Sqrt(1.0 / 3)
	z := 2.3263478740408408 // qnorm(0.99) as printed by R
	for i := range 4 {
		if r.Valid[i] || r.Alarm[i] {
			t.Errorf("row %d should not be evaluated", i)
		}
	}
	want := []struct {
		exp, ub, stat float64
		alarm         bool
	}{
		4: {3, (3 + z*sig - 0.5*4) / 0.5, (4 - 3) / sig, false},
		5: {4, (4 + z*sig - 0.5*4) / 0.5, (7 - 4) / sig, true},
	}
	for i := 4; i < 6; i++ {
		w := want[i]
		if !r.Valid[i] || !ewmaClose(r.Expected[i], w.exp) || !ewmaClose(r.UpperBound[i], w.ub) ||
			!ewmaClose(r.Statistic[i], w.stat) || r.Alarm[i] != w.alarm {
			t.Errorf("row %d: exp %v ub %v stat %v alarm %v, want %+v", i,
				r.Expected[i], r.UpperBound[i], r.Statistic[i], r.Alarm[i], w)
		}
	}
	// The same numbers as printed by R: (3 + qnorm(.99)*sqrt(1/3) - 2)/0.5
	// and (4 + qnorm(.99)*sqrt(1/3) - 2)/0.5.
	if !ewmaClose(r.UpperBound[4], 4.6862351426123858) || !ewmaClose(r.UpperBound[5], 6.6862351426123858) {
		t.Errorf("ub %.17g %.17g", r.UpperBound[4], r.UpperBound[5])
	}
}

func TestEwma_MinSigmaAndConstantBaseline(t *testing.T) {
	x := make([]float64, 40)
	x[35] = 1 // one case after a month of zeros
	x[37], x[38] = 1, 1
	p := DefaultEwmaParams()
	r := Ewma(x, p)
	for i := range 30 {
		if r.Valid[i] {
			t.Fatalf("row %d valid before baseline+guard", i)
		}
	}
	// sd 0 floored at 0.5: one case gives Z = 0.4/(0.5*0.5) = 1.6 < 2.326.
	if !r.Valid[35] || r.Alarm[35] || !ewmaClose(r.Statistic[35], 1.6) {
		t.Errorf("row 35: valid %v alarm %v Z %v", r.Valid[35], r.Alarm[35], r.Statistic[35])
	}
	if !r.Alarm[38] {
		// E: 0.4, 0.24, 0.544, 0.7264; baseline mean 1/28, sd floored.
		t.Errorf("row 38: Z %v should alarm", r.Statistic[38])
	}
	if r.Alarm[37] || !ewmaClose(r.Statistic[37], 0.544/0.25) {
		t.Errorf("row 37: Z %v, want 2.176 and no alarm", r.Statistic[37])
	}
	p.MinSigma = 0
	r = Ewma(x, p)
	if r.Valid[30] || r.Alarm[30] {
		t.Error("constant baseline with minSigma 0 should not be evaluated")
	}
}

func TestEwma_UpperBoundMatchesAlarm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 400)
	for i := range x {
		x[i] = float64(rng.IntN(12))
		if i%50 > 44 {
			x[i] += 15
		}
	}
	r := Ewma(x, DefaultEwmaParams())
	alarms := 0
	for i := range x {
		if !r.Valid[i] {
			continue
		}
		if r.Alarm[i] {
			alarms++
		}
		// Away from the boundary the bound and the alarm agree.
		if math.Abs(x[i]-r.UpperBound[i]) > 1e-9 && (x[i] > r.UpperBound[i]) != r.Alarm[i] {
			t.Errorf("row %d: count %v ub %v alarm %v", i, x[i], r.UpperBound[i], r.Alarm[i])
		}
	}
	if alarms == 0 {
		t.Error("no alarms on the injected bursts")
	}
}

func TestEwma_ParamsAndShort(t *testing.T) {
	for _, p := range []EwmaParams{
		{Lambda: 0, Baseline: 28, Alpha: 0.01},
		{Lambda: 1.1, Baseline: 28, Alpha: 0.01},
		{Lambda: 0.4, Baseline: 1, Alpha: 0.01},
		{Lambda: 0.4, Baseline: 28, Guard: -1, Alpha: 0.01},
		{Lambda: 0.4, Baseline: 28, Alpha: 1},
		{Lambda: 0.4, Baseline: 28, Alpha: 0.01, MinSigma: -1},
	} {
		if p.Validate() == nil {
			t.Errorf("%+v should be invalid", p)
		}
	}
	if err := DefaultEwmaParams().Validate(); err != nil {
		t.Error(err)
	}
	for _, n := range []int{0, 1, 30} {
		r := Ewma(make([]float64, n), DefaultEwmaParams())
		if len(r.Valid) != n || len(validRowsEwma(r)) != 0 {
			t.Errorf("n=%d: %d rows, valid %v", n, len(r.Valid), validRowsEwma(r))
		}
	}
}

func validRowsEwma(r Result) []int {
	var out []int
	for i, v := range r.Valid {
		if v {
			out = append(out, i)
		}
	}
	return out
}
