package detect

import (
	"math"
	"testing"
)

const z001 = 3.0902323061678132 // qnorm(0.999) as printed by R

func approx(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

func validRows(r Result) []int {
	var rows []int
	for i, v := range r.Valid {
		if v {
			rows = append(rows, i)
		}
	}
	return rows
}

func TestDefaultEarsParams(t *testing.T) {
	p := DefaultEarsParams()
	if p.Baseline != 7 || p.MinSigma != 0 || p.Alpha != 0.001 {
		t.Fatalf("DefaultEarsParams() = %+v", p)
	}
	if got := p.zAlpha(false); got != z001 {
		t.Errorf("zAlpha = %.17g, want %.17g", got, z001)
	}
	if got := (EarsParams{Baseline: 7}).zAlpha(true); got != NormalQuantile(1-0.025) {
		t.Errorf("C3 default zAlpha = %v, want qnorm(0.975)", got)
	}
}

func TestEarsParams_Validate(t *testing.T) {
	for _, p := range []EarsParams{{Baseline: 2}, {Baseline: 7, MinSigma: -1}, {Baseline: 7, Alpha: 1}, {Baseline: 7, Alpha: math.NaN()}} {
		if p.Validate() == nil {
			t.Errorf("%+v should be invalid", p)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("EarsC1 with Baseline 2 should panic")
		}
	}()
	EarsC1([]float64{1, 2, 3}, EarsParams{Baseline: 2})
}

func TestEarsC1_Hand(t *testing.T) {
	// Baseline 1..7: mean 4, sd sqrt(28/6); day 8 = 20 alarms, day 9 (baseline 2..8) does not.
	x := []float64{1, 2, 3, 4, 5, 6, 7, 20, 9}
	r := EarsC1(x, DefaultEarsParams())
	if got := validRows(r); len(got) != 2 || got[0] != 7 {
		t.Fatalf("valid rows = %v, want [7 8]", got)
	}
	sd := math.Sqrt(28.0 / 6)
	if !approx(r.Expected[7], 4) || !approx(r.UpperBound[7], 4+z001*sd) || !r.Alarm[7] {
		t.Errorf("row 7: exp %v ub %v alarm %v", r.Expected[7], r.UpperBound[7], r.Alarm[7])
	}
	if !approx(r.Statistic[7], 16/sd) {
		t.Errorf("C1 statistic %v, want %v", r.Statistic[7], 16/sd)
	}
	// Day 9: baseline 2..7,20 has mean 47/7; 9 is well inside.
	if !approx(r.Expected[8], 47.0/7) || r.Alarm[8] {
		t.Errorf("row 8: exp %v alarm %v", r.Expected[8], r.Alarm[8])
	}
}

func TestEarsC1_ConstantBaselineAndMinSigma(t *testing.T) {
	x := []float64{5, 5, 5, 5, 5, 5, 5, 5, 6}
	r := EarsC1(x, DefaultEarsParams())
	// sd = 0, minSigma = 0: bound equals the mean, any increase alarms (as R).
	if r.UpperBound[7] != 5 || r.Alarm[7] || r.UpperBound[8] != 5 || !r.Alarm[8] {
		t.Errorf("ub %v alarm %v", r.UpperBound[7:], r.Alarm[7:])
	}
	p := DefaultEarsParams()
	p.MinSigma = 1
	r = EarsC1(x, p)
	if !approx(r.UpperBound[8], 5+z001) || r.Alarm[8] {
		t.Errorf("minSigma 1: ub %v alarm %v", r.UpperBound[8], r.Alarm[8])
	}
}

func TestEarsC2_Lag(t *testing.T) {
	// Days 7 and 8 (0-based) are huge; C2 for day 9 uses days 0..6 only.
	x := []float64{1, 2, 3, 4, 5, 6, 7, 100, 100, 5}
	r := EarsC2(x, DefaultEarsParams())
	if got := validRows(r); len(got) != 1 || got[0] != 9 {
		t.Fatalf("valid rows = %v, want [9]", got)
	}
	if !approx(r.Expected[9], 4) || !approx(r.UpperBound[9], 4+z001*math.Sqrt(28.0/6)) || r.Alarm[9] {
		t.Errorf("row 9: exp %v ub %v alarm %v", r.Expected[9], r.UpperBound[9], r.Alarm[9])
	}
	if !EarsC1(x, DefaultEarsParams()).Alarm[7] {
		t.Error("C1 should alarm on day 7")
	}
}

func TestEarsC3_RDefinition(t *testing.T) {
	// Baseline 3, minSigma 0.5. Rows 0..6 are the constant 1: sd 0 -> sigma 0.5.
	p := EarsParams{Baseline: 3, MinSigma: 0.5, Alpha: 0.001}
	x := []float64{1, 1, 1, 1, 1, 1, 1, 3, 4, 2}
	r := EarsC3(x, p)
	if got := validRows(r); len(got) != 3 || got[0] != 7 {
		t.Fatalf("valid rows = %v, want [7 8 9]", got)
	}
	// Row 7: C2 of rows 5 and 6 is 0 -> no excess; ub = 3 + 0.5*z.
	if !approx(r.UpperBound[7], 3+0.5*z001) || r.Alarm[7] || r.Statistic[7] != 0 {
		t.Errorf("row 7: ub %v alarm %v stat %v", r.UpperBound[7], r.Alarm[7], r.Statistic[7])
	}
	// Row 9: C2_7 = (3-1)/0.5 = 4 -> 3; C2_8 = (4-1)/0.5 = 6 -> 5; excess 8.
	// Its own baseline (rows 4..6) is still constant: sigma 0.5.
	// ub = max(0, 2 + 0.5*(z - 8)) = 0, and 2 > 0 alarms.
	if r.Statistic[9] != 8 || r.UpperBound[9] != 0 || !r.Alarm[9] {
		t.Errorf("row 9: ub %v alarm %v stat %v", r.UpperBound[9], r.Alarm[9], r.Statistic[9])
	}
	// Same data, CDC definition: C3_9 = 3 + 5 + max(0, (2-1)/0.5 - 1) = 9 > 2.
	c := EarsC3CDC(x, p)
	if c.Statistic[9] != 9 || !c.Alarm[9] || c.UpperBound[9] != 0 {
		t.Errorf("CDC row 9: stat %v ub %v alarm %v", c.Statistic[9], c.UpperBound[9], c.Alarm[9])
	}
	// CDC row 7: no previous excess; C2_7 = 4 -> 3 > 2 alarms; ub = 1 + 0.5*3.
	if c.Statistic[7] != 3 || !c.Alarm[7] || c.UpperBound[7] != 2.5 {
		t.Errorf("CDC row 7: stat %v ub %v alarm %v", c.Statistic[7], c.UpperBound[7], c.Alarm[7])
	}
}

func TestEarsC3_NaNWhenSigmaZero(t *testing.T) {
	// Constant zeros with minSigma 0: C2 = 0/0 = NaN, R reports NaN / NA.
	x := make([]float64, 15)
	for _, f := range []func([]float64, EarsParams) Result{EarsC3, EarsC3CDC} {
		r := f(x, DefaultEarsParams())
		for i := range x {
			if r.Valid[i] || r.Alarm[i] {
				t.Fatalf("row %d should be invalid", i)
			}
		}
		if !math.IsNaN(r.UpperBound[14]) {
			t.Errorf("ub = %v, want NaN", r.UpperBound[14])
		}
	}
}

func TestEars_ShortSeries(t *testing.T) {
	x := []float64{1, 2, 3}
	for _, f := range []func([]float64, EarsParams) Result{EarsC1, EarsC2, EarsC3, EarsC3CDC} {
		r := f(x, DefaultEarsParams())
		if len(r.Valid) != 3 || len(validRows(r)) != 0 {
			t.Errorf("short series: %+v", r)
		}
	}
}
