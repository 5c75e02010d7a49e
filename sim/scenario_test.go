package sim

import (
	"math"
	"testing"
	"time"
)

func TestSynthWave_OnePoint(t *testing.T) {
	on := time.Date(2024, 2, 5, 0, 0, 0, 0, time.UTC)
	for _, dbl := range []float64{3, 7, 12} {
		w := SynthWave(on, dbl, 0.04)
		k := epochDay(on)
		if a, b := w(k-1), w(k); !(a < OnePoint && b >= OnePoint*0.999) {
			t.Errorf("doubling %v: %v the day before, %v on the day", dbl, a, b)
		}
		// Early growth doubles in about dbl days.
		if r := w(k-40) / w(k-40-int(dbl)); math.Abs(r-2) > 0.15 {
			t.Errorf("doubling %v: early ratio over %v days %v", dbl, dbl, r)
		}
	}
}

func TestSimulate_Scenarios(t *testing.T) {
	plessi := SyntheticPlessi(40, 3)
	cfg := DefaultConfig(plessi)
	cfg.Wave = SynthWave(time.Date(2023, 11, 6, 0, 0, 0, 0, time.UTC), 5, 0.03)
	cfg.Disruptions, cfg.DisruptMin, cfg.DisruptMax = 3, 0.05, 0.05
	cfg.NetworkSeed = 7
	s := Simulate(cfg, Season{Name: "x", StartYear: 2023}, 1)
	if s.Truth.OnePointRow < 0 || !s.Truth.Onset.Equal(s.Dates[s.Truth.OnePointRow]) {
		t.Fatalf("one-point row %d, onset %s", s.Truth.OnePointRow, s.Truth.Onset)
	}
	if s.Truth.Attributable[s.Truth.OnePointRow] < OnePoint || s.Truth.Attributable[s.Truth.OnePointRow-1] >= OnePoint {
		t.Error("one-point row is not the first row at one point")
	}
	nd := 0
	for i, d := range s.Truth.Disruption {
		if d {
			nd++
			if i > 0 && !s.Truth.Disruption[i-1] && s.Rate(i)-s.Rate(i-1) < 0.02 && s.Truth.Attributable[i] < 0.005 {
				t.Errorf("disruption row %d: rate %.4f after %.4f", i, s.Rate(i), s.Rate(i-1))
			}
		}
	}
	if nd < 3 || nd > 6 {
		t.Errorf("%d disruption rows for 3 disruptions of 1-2 days", nd)
	}
	// The same network seed gives the same plesso levels in another year
	// simulated with another seed.
	s2 := Simulate(cfg, Season{Name: "y", StartYear: 2022}, 2)
	for i := range s.Plessi {
		if s.Plessi[i].BaseRate != s2.Plessi[i].BaseRate {
			t.Fatal("base rates differ across years of the same network")
		}
	}
	cfg.NetworkSeed = 0
	if s3 := Simulate(cfg, Season{Name: "y", StartYear: 2022}, 2); s3.Plessi[0].BaseRate == s.Plessi[0].BaseRate {
		t.Error("without a network seed the base rates should follow the simulation seed")
	}
}

func TestSimulate_AR1(t *testing.T) {
	plessi := SyntheticPlessi(200, 4)
	lag1 := func(phi float64) float64 {
		cfg := DefaultConfig(plessi)
		cfg.Wave = func(int) float64 { return 0 }
		cfg.AR1Phi, cfg.AR1SD = phi, 0.08
		cfg.SeasonalAmplitude = 0
		cfg.Weekday = [7]float64{}
		cfg.PreHoliday, cfg.PostHoliday = 1, 1
		s := Simulate(cfg, Season{Name: "x", StartYear: 2023}, 9)
		var x []float64
		for i, d := range s.Dates {
			if d.Weekday() == time.Saturday || s.Denominators[i] <= 0 {
				continue // only the six-day plessi: another series
			}
			x = append(x, math.Log(s.Rate(i)))
		}
		var m float64
		for _, v := range x {
			m += v
		}
		m /= float64(len(x))
		var c, v float64
		for i := 1; i < len(x); i++ {
			c += (x[i] - m) * (x[i-1] - m)
			v += (x[i] - m) * (x[i] - m)
		}
		return c / v
	}
	if a, b := lag1(0), lag1(0.7); !(b > a+0.2) {
		t.Errorf("lag-1 correlation %.2f with phi 0.7, %.2f with none", b, a)
	}
}
