package detect

import (
	"math"
	"testing"
	"time"
)

func TestDow_HolidayGap(t *testing.T) {
	// School days Monday-Friday for six weeks from Monday 2024-01-08;
	// Monday 2024-01-22 (week 3) is a holiday and absent.
	var dates []time.Time
	var counts []float64
	mondays := map[string]float64{"2024-01-08": 10, "2024-01-15": 20, "2024-01-29": 40, "2024-02-05": 50, "2024-02-12": 99}
	d := time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)
	for range 6 * 7 {
		key := d.Format("2006-01-02")
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && key != "2024-01-22" {
			dates = append(dates, d)
			c, ok := mondays[key]
			if !ok {
				c = float64(d.Day()%4 + 1)
			}
			counts = append(counts, c)
		}
		d = d.AddDate(0, 0, 1)
	}
	row := func(day string) int {
		for i, x := range dates {
			if x.Format("2006-01-02") == day {
				return i
			}
		}
		t.Fatalf("%s not in series", day)
		return -1
	}
	r, err := DowBaseline(dates, counts, DefaultDowParams())
	if err != nil {
		t.Fatal(err)
	}
	// Monday 2024-02-12: the four previous Mondays present are 01-08,
	// 01-15, 01-29, 02-05 (10, 20, 40, 50), skipping the holiday.
	i := row("2024-02-12")
	mu := 30.0
	sd := math.Sqrt((400 + 100 + 100 + 400) / 3.0)
	ub := mu + NormalQuantile(0.999)*sd
	if !r.Valid[i] || r.Expected[i] != mu || math.Abs(r.UpperBound[i]-ub) > 1e-12 || !r.Alarm[i] {
		t.Errorf("Monday 02-12: valid %v exp %v ub %v (want %v) alarm %v", r.Valid[i], r.Expected[i], r.UpperBound[i], ub, r.Alarm[i])
	}
	// Monday 02-05 has only three earlier Mondays: not evaluated. Tuesday
	// 02-06 has four earlier Tuesdays (the week-3 Tuesday is there).
	if j := row("2024-02-05"); r.Valid[j] {
		t.Error("Monday 02-05 should not be evaluated (3 earlier Mondays)")
	}
	j := row("2024-02-06")
	var tue []float64
	for _, day := range []string{"2024-01-09", "2024-01-16", "2024-01-23", "2024-01-30"} {
		tue = append(tue, counts[row(day)])
	}
	m, _ := meanSD(tue)
	if !r.Valid[j] || r.Expected[j] != m {
		t.Errorf("Tuesday 02-06: valid %v exp %v, want %v", r.Valid[j], r.Expected[j], m)
	}
	// Nothing in the first four weeks is evaluated.
	for k := range row("2024-02-02") + 1 {
		if r.Valid[k] {
			t.Errorf("row %d (%s) evaluated too early", k, dates[k].Format("2006-01-02"))
		}
	}
}

func TestDow_WeeklySeriesIsC1(t *testing.T) {
	// On a series of Mondays the weekday baseline is the previous rows, so
	// with weeks = 4 it equals EARS C1 with baseline 4.
	var dates []time.Time
	counts := []float64{3, 5, 4, 6, 9, 2, 7, 7, 5, 30, 4}
	d := time.Date(2024, 9, 16, 0, 0, 0, 0, time.UTC)
	for range counts {
		dates = append(dates, d)
		d = d.AddDate(0, 0, 7)
	}
	r, err := DowBaseline(dates, counts, DefaultDowParams())
	if err != nil {
		t.Fatal(err)
	}
	c1 := EarsC1(counts, EarsParams{Baseline: 4, Alpha: 0.001})
	for i := range counts {
		if r.Valid[i] != c1.Valid[i] || r.Alarm[i] != c1.Alarm[i] ||
			(r.Valid[i] && (r.Expected[i] != c1.Expected[i] || r.UpperBound[i] != c1.UpperBound[i])) {
			t.Errorf("row %d: dow %v/%v/%v/%v, C1 %v/%v/%v/%v", i, r.Valid[i], r.Expected[i], r.UpperBound[i], r.Alarm[i],
				c1.Valid[i], c1.Expected[i], c1.UpperBound[i], c1.Alarm[i])
		}
	}
}

func TestDow_Errors(t *testing.T) {
	d0 := time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)
	if _, err := DowBaseline([]time.Time{d0, d0}, []float64{1, 2}, DefaultDowParams()); err == nil {
		t.Error("repeated date should be an error")
	}
	if _, err := DowBaseline([]time.Time{d0}, []float64{1, 2}, DefaultDowParams()); err == nil {
		t.Error("length mismatch should be an error")
	}
	if _, err := DowBaseline(nil, nil, DowParams{Weeks: 1, Alpha: 0.001}); err == nil {
		t.Error("weeks 1 should be invalid")
	}
	if r, err := DowBaseline(nil, nil, DefaultDowParams()); err != nil || len(r.Valid) != 0 {
		t.Errorf("empty series: %v %v", r, err)
	}
}
