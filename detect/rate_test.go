package detect

import (
	"math"
	"slices"
	"testing"
)

func rateAlarms(t *testing.T, counts []float64, den float64) []bool {
	t.Helper()
	d := make([]float64, len(counts))
	for i := range d {
		d[i] = den
	}
	r, err := RateThresholds(counts, d, DefaultRateParams())
	if err != nil {
		t.Fatal(err)
	}
	return r.Alarm
}

func TestRate_SasakiRules(t *testing.T) {
	// Denominator 1000: 50 = 5%, 40 = 4%, 30 = 3%.
	for _, c := range []struct {
		name   string
		counts []float64
		want   []bool
	}{
		{"one day 5%", []float64{50}, []bool{true}},
		{"one day 4.9%", []float64{49}, []bool{false}},
		{"two days 4%", []float64{10, 40, 40}, []bool{false, false, true}},
		{"4% then 3.9%", []float64{40, 39}, []bool{false, false}},
		{"3.9% then 4%", []float64{39, 40}, []bool{false, false}},
		{"three days 3%", []float64{30, 30, 30}, []bool{false, false, true}},
		{"3%, 3%, 2.9%", []float64{30, 30, 29}, []bool{false, false, false}},
		{"2.9%, 3%, 3%", []float64{29, 30, 30}, []bool{false, false, false}},
		{"3%, 2.9%, 3%, 3%", []float64{30, 29, 30, 30}, []bool{false, false, false, false}},
		{"run of 3% keeps alarming", []float64{30, 30, 30, 35, 0}, []bool{false, false, true, true, false}},
		{"4% twice inside 3% run", []float64{30, 40, 40}, []bool{false, false, true}},
	} {
		if got := rateAlarms(t, c.counts, 1000); !slices.Equal(got, c.want) {
			t.Errorf("%s: alarms %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRate_UpperBoundExpectedStatistic(t *testing.T) {
	counts := []float64{10, 40, 30, 30, 12}
	den := []float64{1000, 1000, 500, 1000, 200}
	r, err := RateThresholds(counts, den, DefaultRateParams())
	if err != nil {
		t.Fatal(err)
	}
	// Row 0: only the 5% rule: 50. Row 1: previous 1% -> 50. Row 2: previous
	// 4% -> 4% of 500 = 20. Row 3: previous 6% and 4%, both >= 4% -> 40 ...
	// and both >= 3% -> 30. Row 4: previous 3% and 6% -> 3% of 200 = 6.
	wantUB := []float64{50, 50, 20, 30, 6}
	wantAlarm := []bool{false, false, true, true, true}
	for i := range counts {
		if !r.Valid[i] || !math.IsNaN(r.Expected[i]) || r.Statistic[i] != counts[i]/den[i] {
			t.Errorf("row %d: valid %v expected %v stat %v", i, r.Valid[i], r.Expected[i], r.Statistic[i])
		}
		if math.Abs(r.UpperBound[i]-wantUB[i]) > 1e-12 || r.Alarm[i] != wantAlarm[i] {
			t.Errorf("row %d: ub %v alarm %v, want %v %v", i, r.UpperBound[i], r.Alarm[i], wantUB[i], wantAlarm[i])
		}
		// A count exactly at the bound alarms ("at or above").
		if counts[i] >= r.UpperBound[i] != r.Alarm[i] {
			t.Errorf("row %d: alarm disagrees with count >= ub", i)
		}
	}
}

func TestRate_CustomThresholdsAndErrors(t *testing.T) {
	r, err := RateThresholds([]float64{9, 10}, []float64{100, 100}, RateParams{R1: 0.1, R2: 0.09, R3: 0.5})
	if err != nil || !slices.Equal(r.Alarm, []bool{false, true}) {
		t.Errorf("custom: %v %v", r.Alarm, err)
	}
	if _, err := RateThresholds([]float64{1}, []float64{0}, DefaultRateParams()); err == nil {
		t.Error("denominator 0 should be an error")
	}
	if _, err := RateThresholds([]float64{1, 2}, []float64{10}, DefaultRateParams()); err == nil {
		t.Error("length mismatch should be an error")
	}
	if _, err := RateThresholds(nil, nil, RateParams{R1: 0.05, R2: 0, R3: 0.03}); err == nil {
		t.Error("r2 = 0 should be invalid")
	}
}
