package detect

import (
	"math"
	"testing"
)

func TestCusum_Hand(t *testing.T) {
	// m = 2; standardized counts (x-2)/sqrt(2): 0, 2.828, 2.828, 0.
	x := []float64{2, 2, 2, 2, 2, 6, 6, 2}
	p := DefaultCusumParams(4)
	r := Cusum(x, p)
	s2 := math.Sqrt2
	wantS := []float64{0, 4/s2 - 1.04, 8/s2 - 2.08, 8/s2 - 3.12}
	wantA := []bool{false, false, true, true}
	for j, i := range []int{4, 5, 6, 7} {
		if !r.Valid[i] || !approx(r.Statistic[i], wantS[j]) || r.Alarm[i] != wantA[j] || r.Expected[i] != 2 {
			t.Errorf("row %d: S %v alarm %v valid %v", i, r.Statistic[i], r.Alarm[i], r.Valid[i])
		}
	}
	for i := 0; i < 4; i++ {
		if r.Valid[i] {
			t.Errorf("reference row %d must not be valid", i)
		}
	}
	// Upper bound: ceiling(sqrt(m)*(h + k - S_{t-1}) + m).
	if want := math.Ceil(s2*3.3 + 2); r.UpperBound[4] != want || want != 7 {
		t.Errorf("ub[4] = %v, want %v", r.UpperBound[4], want)
	}
	if want := math.Ceil(s2*(3.3-wantS[2]) + 2); r.UpperBound[7] != want {
		t.Errorf("ub[7] = %v, want %v", r.UpperBound[7], want)
	}

	// Reset: after the alarm on row 6 the sum restarts, so row 7 is quiet.
	rr := CusumReset(x, p)
	if !rr.Alarm[6] || rr.Alarm[7] || rr.Statistic[7] != 0 || !approx(rr.Statistic[6], wantS[2]) {
		t.Errorf("reset: alarms %v stats %v", rr.Alarm[4:], rr.Statistic[4:])
	}
	if want := math.Ceil(s2*3.3 + 2); rr.UpperBound[7] != want {
		t.Errorf("reset ub[7] = %v, want %v", rr.UpperBound[7], want)
	}
}

func TestCusum_FixedMAndAlarmAtH(t *testing.T) {
	// m = 1 fixed: x_t = count - 1. S reaches exactly h = 2 -> alarm (>=).
	m := 1.0
	p := CusumParams{Ref: 1, K: 0, H: 2, M: &m}
	r := Cusum([]float64{100, 2, 2}, p)
	if r.Expected[1] != 1 || r.Statistic[1] != 1 || r.Alarm[1] || r.Statistic[2] != 2 || !r.Alarm[2] {
		t.Errorf("S %v alarm %v", r.Statistic, r.Alarm)
	}
}

func TestCusum_ZeroMean(t *testing.T) {
	// m = 0: 0/0 is NaN as in R (alarm NA) and stays NaN; the bound is 0.
	r := Cusum([]float64{0, 0, 0, 1, 0}, DefaultCusumParams(2))
	for i := range r.Valid {
		if r.Valid[i] || r.Alarm[i] || r.UpperBound[i] != 0 {
			t.Errorf("row %d: valid %v alarm %v ub %v", i, r.Valid[i], r.Alarm[i], r.UpperBound[i])
		}
	}
	// First monitored count positive: x = +Inf -> alarm, then NaN.
	r = Cusum([]float64{0, 0, 3, 0}, DefaultCusumParams(2))
	if !r.Valid[2] || !r.Alarm[2] || r.Valid[3] {
		t.Errorf("valid %v alarm %v", r.Valid, r.Alarm)
	}
}

func TestCusum_ShortAndInvalid(t *testing.T) {
	if r := Cusum([]float64{1, 2}, DefaultCusumParams(2)); len(validRows(r)) != 0 {
		t.Error("no row can be monitored")
	}
	if (CusumParams{Ref: 0, K: 1, H: 1}).Validate() == nil {
		t.Error("Ref 0 must be invalid")
	}
}
