package sim

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/calendario"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func loadSeasons(t *testing.T) []Season {
	t.Helper()
	f, err := os.Open("../demo/data/influnet-lombardia-settimanale.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := LoadInfluNet(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func season(t *testing.T, name string) Season {
	t.Helper()
	for _, s := range loadSeasons(t) {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("season %s not found", name)
	return Season{}
}

func realSample(t *testing.T) []Plesso {
	t.Helper()
	f, err := os.Open("../demo/data/mim-studenti-per-plesso-cr-mn-2024-25.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := LoadPlessi(f)
	if err != nil {
		t.Fatal(err)
	}
	return SentinelSample(all, 0.05, 1)
}

func TestISOWeekMonday(t *testing.T) {
	for _, tc := range []struct {
		y, w int
		want time.Time
	}{
		{2013, 1, day(2012, 12, 31)},
		{2020, 53, day(2020, 12, 28)},
		{2025, 5, day(2025, 1, 27)},
		{2016, 52, day(2016, 12, 26)},
	} {
		if got := ISOWeekMonday(tc.y, tc.w); !got.Equal(tc.want) {
			t.Errorf("ISOWeekMonday(%d, %d) = %s, want %s", tc.y, tc.w, got.Format(time.DateOnly), tc.want.Format(time.DateOnly))
		}
	}
}

func TestLoadInfluNet_Real(t *testing.T) {
	ss := loadSeasons(t)
	if len(ss) != 14 || ss[0].Name != "2011-2012" || ss[13].Name != "2024-2025" {
		t.Fatalf("got %d seasons, first %q", len(ss), ss[0].Name)
	}
	s := season(t, "2017-2018")
	if len(s.Weeks) != 26 || s.StartYear != 2017 {
		t.Errorf("2017-2018: %d weeks, start %d", len(s.Weeks), s.StartYear)
	}
	pk, _ := s.Peak()
	if pk.Year != 2018 || pk.Week != 4 || pk.Inc != 25.02 {
		t.Errorf("peak %+v, want 2018-04 25.02", pk)
	}
	for i := 1; i < len(s.Weeks); i++ {
		if !s.Weeks[i].Monday().After(s.Weeks[i-1].Monday()) {
			t.Fatal("weeks not sorted")
		}
	}
}

func TestLoadInfluNet_Errors(t *testing.T) {
	head := "flu_season,year_week,inc_5-14\n"
	for name, in := range map[string]string{
		"no columns":  "a,b\n1,2\n",
		"bad season":  head + "2012,2012-44,1\n",
		"bad week":    head + "2012-2013,2012-60,1\n",
		"week 53":     head + "2012-2013,2012-53,1\n", // 2012 has 52 ISO weeks
		"other year":  head + "2012-2013,2015-01,1\n",
		"negative":    head + "2012-2013,2012-44,-1\n",
		"duplicate":   head + "2012-2013,2012-44,1\n2012-2013,2012-44,2\n",
		"empty input": "",
	} {
		if _, err := LoadInfluNet(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	ss, err := LoadInfluNet(strings.NewReader(head + "2015-2016,2016-01,2\n2015-2016,2015-53,NA\n2015-2016,2015-52,1\n"))
	if err != nil || len(ss) != 1 || len(ss[0].Weeks) != 2 || ss[0].Weeks[0].Week != 52 {
		t.Errorf("NA row and sorting: %+v %v", ss, err)
	}
}

func TestOnsetDefinition(t *testing.T) {
	// Hand-made season: 1, 6, 4, 6, 7, 3 from ISO week 2 of 2019. With
	// threshold 5 and 2 consecutive weeks the onset is week 5 (6 then 7),
	// not week 3 (6 followed by 4).
	s := Season{Name: "x", StartYear: 2018}
	for i, v := range []float64{1, 6, 4, 6, 7, 3} {
		s.Weeks = append(s.Weeks, Week{Year: 2019, Week: 2 + i, Inc: v})
	}
	on, w, ok := s.Onset(5, 2)
	if !ok || w.Week != 5 || !on.Equal(day(2019, 1, 28)) {
		t.Errorf("onset %s week %+v ok %v, want 2019-01-28 (week 5)", on.Format(time.DateOnly), w, ok)
	}
	if _, _, ok := s.Onset(8, 1); ok {
		t.Error("onset found above the peak")
	}
	if on, _, _ := s.Onset(5, 1); !on.Equal(day(2019, 1, 14)) {
		t.Errorf("one week: %s, want 2019-01-14", on.Format(time.DateOnly))
	}
	// Background = mean of the 2 lowest (1, 3) = 2; excess 4, 5, 2, 4, 5, 1.
	if b := s.Background(2); b != 2 {
		t.Errorf("background %v", b)
	}
	if on, _, _ := s.Excess(2).Onset(4, 2); !on.Equal(day(2019, 1, 28)) {
		t.Errorf("excess onset %s", on.Format(time.DateOnly))
	}
	// Real data, documented in docs/detection.md: 2016-17 crosses in week 51.
	on, _, ok = season(t, "2016-2017").Excess(4).Onset(5, 2)
	if !ok || !on.Equal(day(2016, 12, 19)) {
		t.Errorf("2016-17 onset %s", on.Format(time.DateOnly))
	}
	if _, _, ok := season(t, "2020-2021").Excess(4).Onset(5, 2); ok {
		t.Error("2020-21 (no epidemic) has an onset")
	}
}

func TestDailyIncidenceInterpolates(t *testing.T) {
	s := Season{Weeks: []Week{{2019, 2, 2}, {2019, 3, 9}}}
	// Thursdays 10 and 17 January 2019 carry the values.
	for _, tc := range []struct {
		d    time.Time
		want float64
	}{
		{day(2019, 1, 10), 2}, {day(2019, 1, 17), 9}, {day(2019, 1, 13), 5},
		{day(2018, 12, 13), 0}, {day(2018, 12, 27), 1}, {day(2019, 2, 14), 0},
	} {
		if got := s.DailyIncidence(tc.d); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: %v, want %v", tc.d.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestLoadPlessiAndSample(t *testing.T) {
	in := "CODICESCUOLA,NUMEROSTUDENTI\nCRAA80101X,50\nCR1E00200P,80\nCRMM80101A,200\nCRPS01000G,600\nCR1A00900G,30\nCRIC80000X,900\nCREE80102B,0\n"
	ps, err := LoadPlessi(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"CR1E00200P": Primaria, "CRMM80101A": Secondaria1, "CRPS01000G": Secondaria2}
	if len(ps) != len(want) {
		t.Fatalf("got %+v", ps)
	}
	for _, p := range ps {
		if want[p.Codice] != p.Grado {
			t.Errorf("%s: %s", p.Codice, p.Grado)
		}
	}
	if _, err := LoadPlessi(strings.NewReader("CODICESCUOLA,NUMEROSTUDENTI\nCREE1,x\n")); err == nil {
		t.Error("bad number accepted")
	}

	sample := realSample(t)
	sum := 0
	for _, p := range sample {
		sum += p.Iscritti
		if p.Grado == Primaria && p.SeiGiorni {
			t.Errorf("%s: primaria with Saturday lessons", p.Codice)
		}
	}
	// 5% of the 83,374 in-scope pupils of the file, overshooting by at most one plesso.
	if sum < 4169 || sum > 4169+1300 {
		t.Errorf("sample has %d pupils", sum)
	}
	again := realSample(t)
	for i := range sample {
		if sample[i] != again[i] {
			t.Fatal("SentinelSample is not deterministic")
		}
	}
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func TestSimulateDeterministic(t *testing.T) {
	cfg := DefaultConfig(realSample(t))
	cfg.RandomShiftWeeks, cfg.RandomScaleSD = 2, 0.25
	s := season(t, "2017-2018")
	a, b := Simulate(cfg, s, 7), Simulate(cfg, s, 7)
	if !sameFloats(a.Counts, b.Counts) || !sameFloats(a.Denominators, b.Denominators) || len(a.Late) != len(b.Late) ||
		a.ShiftWeeks != b.ShiftWeeks || a.Scale != b.Scale || !a.Truth.Onset.Equal(b.Truth.Onset) {
		t.Fatal("same seed, different simulations")
	}
	for i := range a.Plessi {
		if !sameFloats(a.Plessi[i].Counts, b.Plessi[i].Counts) || a.Plessi[i].BaseRate != b.Plessi[i].BaseRate {
			t.Fatalf("plesso %d differs", i)
		}
	}
	c := Simulate(cfg, s, 8)
	if sameFloats(a.Counts, c.Counts) {
		t.Error("different seeds, same counts")
	}
}

func TestBaselineAbsenceRate(t *testing.T) {
	cfg := DefaultConfig(SyntheticPlessi(40, 3))
	cfg.WaveScale = 0 // no influenza at all: every day is non-epidemic
	for seed := uint64(1); seed <= 5; seed++ {
		s := Simulate(cfg, season(t, "2018-2019"), seed)
		var c, d float64
		for i := range s.Dates {
			if s.Truth.Attributable[i] != 0 {
				t.Fatal("attributable absence without a wave")
			}
			c += s.Counts[i]
			d += s.Denominators[i]
		}
		if r := c / d; r < 0.02 || r > 0.04 {
			t.Errorf("seed %d: territorial rate %.4f outside 2-4%%", seed, r)
		}
		for _, p := range s.Plessi {
			if p.BaseRate < 0.02 || p.BaseRate > 0.04 {
				t.Errorf("base rate %v", p.BaseRate)
			}
			var a, n float64
			for _, x := range p.Absent {
				if !math.IsNaN(x) {
					a += x
					n += float64(p.Plesso.Iscritti)
				}
			}
			// Over a school year the winter and weekday effects average out
			// to within a few percent; noise adds a little more.
			if r := a / n / p.BaseRate; r < 0.85 || r > 1.15 {
				t.Errorf("seed %d %s: observed/base = %.3f", seed, p.Plesso.Codice, r)
			}
		}
	}
	// With the real wave, the non-epidemic days (Sept-Oct and May-June,
	// no attributable absence) also stay in 2-4%.
	cfg.WaveScale = 1
	s := Simulate(cfg, season(t, "2018-2019"), 1)
	var c, d float64
	for i := range s.Dates {
		if s.Truth.Attributable[i] == 0 {
			c += s.Counts[i]
			d += s.Denominators[i]
		}
	}
	if d == 0 || c/d < 0.02 || c/d > 0.04 {
		t.Errorf("non-epidemic rate %.4f", c/d)
	}
}

func TestClosuresAreMissingNotZero(t *testing.T) {
	cfg := DefaultConfig(SyntheticPlessi(15, 4))
	cfg.ClosureProb = 0.2
	s := Simulate(cfg, season(t, "2015-2016"), 11)
	closed := 0
	den := make([]float64, len(s.Dates))
	for _, p := range s.Plessi {
		for j, st := range p.Status {
			switch st {
			case Closed:
				closed++
				if !math.IsNaN(p.Counts[j]) || !math.IsNaN(p.Absent[j]) || p.Delay[j] != -1 {
					t.Fatalf("closed day %s has count %v", p.Dates[j].Format(time.DateOnly), p.Counts[j])
				}
			case Never:
				if !math.IsNaN(p.Counts[j]) {
					t.Fatal("never-reported day has a count")
				}
			default:
				if math.IsNaN(p.Counts[j]) {
					t.Fatal("reported day without count")
				}
				den[p.Rows[j]] += float64(p.Plesso.Iscritti)
			}
		}
	}
	if closed == 0 {
		t.Fatal("no closures drawn")
	}
	for i := range den {
		if den[i] != s.Denominators[i] {
			t.Fatalf("row %d: denominator %v, want %v (closed plessi must not count)", i, s.Denominators[i], den[i])
		}
	}
	// Default rate: about 0.5% of plesso-days.
	cfg.ClosureProb = DefaultConfig(nil).ClosureProb
	s = Simulate(cfg, season(t, "2015-2016"), 11)
	var n, c int
	for _, p := range s.Plessi {
		for _, st := range p.Status {
			n++
			if st == Closed {
				c++
			}
		}
	}
	if f := float64(c) / float64(n); f > 0.015 {
		t.Errorf("closures %.3f of plesso-days", f)
	}
}

func TestSchoolDaysOnly(t *testing.T) {
	sample := realSample(t)
	six := false
	for _, p := range sample {
		six = six || p.SeiGiorni
	}
	if !six {
		t.Fatal("the sample has no 6-day plesso; the Saturday check would be vacuous")
	}
	cfg := DefaultConfig(sample)
	s := Simulate(cfg, season(t, "2023-2024"), 5)
	christmas := calendario.Periodo{Dal: day(2023, 12, 23), Al: day(2024, 1, 6)}
	for _, d := range s.Dates {
		if d.Weekday() == time.Sunday || christmas.Contiene(d) || d.Before(day(2023, 9, 12)) || d.After(day(2024, 6, 8)) {
			t.Errorf("territorial row on %s (%s)", d.Format(time.DateOnly), d.Weekday())
		}
	}
	for _, p := range s.Plessi {
		a := calendario.PerAnno(2023, calendario.Opzioni{SeiGiorni: p.Plesso.SeiGiorni})
		for _, d := range p.Dates {
			if !a.GiornoScolastico(d) {
				t.Errorf("%s: %s is not a school day", p.Plesso.Codice, d.Format(time.DateOnly))
			}
			if d.Weekday() == time.Saturday && !p.Plesso.SeiGiorni {
				t.Errorf("%s: Saturday lesson in a 5-day plesso", p.Plesso.Codice)
			}
		}
		if len(p.Dates) != len(a.GiorniScolastici()) {
			t.Errorf("%s: %d days, calendar has %d", p.Plesso.Codice, len(p.Dates), len(a.GiorniScolastici()))
		}
	}
}

func TestWaveRaisesAbsencesAroundPeak(t *testing.T) {
	cfg := DefaultConfig(realSample(t))
	s := season(t, "2017-2018") // peak in ISO week 4 of 2018, inc_5-14 25.02
	sim := Simulate(cfg, s, 3)
	cfg0 := cfg
	cfg0.WaveScale = 0
	flat := Simulate(cfg0, s, 3)
	rate := func(x Simulation, from, to time.Time) float64 {
		var c, d float64
		for i, dt := range x.Dates {
			if !dt.Before(from) && !dt.After(to) {
				c += x.Counts[i]
				d += x.Denominators[i]
			}
		}
		return c / d
	}
	pk := sim.Truth.Peak
	if !pk.Equal(day(2018, 1, 22)) {
		t.Fatalf("peak %s", pk.Format(time.DateOnly))
	}
	atPeak := rate(sim, pk.AddDate(0, 0, -7), pk.AddDate(0, 0, 11))
	october := rate(sim, day(2017, 10, 2), day(2017, 10, 27))
	noWave := rate(flat, pk.AddDate(0, 0, -7), pk.AddDate(0, 0, 11))
	t.Logf("peak %.4f, October %.4f, same days without wave %.4f", atPeak, october, noWave)
	if atPeak < october+0.01 || atPeak < noWave+0.01 {
		t.Errorf("the wave adds less than 1 point at the peak: %.4f vs %.4f / %.4f", atPeak, october, noWave)
	}
	// Attributable absence and outbreak days sit around the peak.
	for i, d := range sim.Dates {
		if sim.Truth.Outbreak[i] && (d.Before(day(2017, 11, 15)) || d.After(day(2018, 4, 15))) {
			t.Errorf("outbreak day %s far from the peak", d.Format(time.DateOnly))
		}
	}
	if !sim.Truth.HasOnset() || sim.Truth.Onset.After(pk) || sim.Truth.OnsetRow < 0 {
		t.Errorf("onset %v row %d", sim.Truth.Onset, sim.Truth.OnsetRow)
	}
}

func TestVintageLeavesOutLateReports(t *testing.T) {
	cfg := DefaultConfig(SyntheticPlessi(20, 9))
	s := Simulate(cfg, season(t, "2014-2015"), 2)
	if len(s.Late) == 0 {
		t.Fatal("no late report")
	}
	l := s.Late[len(s.Late)/2]
	c, d := s.Vintage(l.Row)
	if d[l.Row] > s.Denominators[l.Row]-l.Iscritti || c[l.Row] > s.Counts[l.Row]-l.Count {
		t.Error("a report in transit is counted on its day")
	}
	if l.Arrival < len(s.Dates) {
		c, d = s.Vintage(l.Arrival)
		full := true
		for _, o := range s.Late {
			if o.Row == l.Row && o.Arrival > l.Arrival {
				full = false
			}
		}
		if full && (c[l.Row] != s.Counts[l.Row] || d[l.Row] != s.Denominators[l.Row]) {
			t.Error("an arrived report is missing")
		}
	}
	// Completeness on the day is about OnTimeShare.
	var on, all float64
	for _, p := range s.Plessi {
		for _, st := range p.Status {
			if st == Closed {
				continue
			}
			all++
			if st == OnTime {
				on++
			}
		}
	}
	if f := on / all; f < 0.87 || f > 0.93 {
		t.Errorf("on-time share %.3f", f)
	}
}

func TestBinomialMean(t *testing.T) {
	r := newRand(1, 1)
	for _, tc := range []struct {
		n int
		p float64
	}{{200, 0.03}, {1000, 0.05}, {50, 0.7}, {3000, 0.2}} {
		var sum float64
		const k = 20000
		for i := 0; i < k; i++ {
			x := binomial(r, tc.n, tc.p)
			if x < 0 || x > tc.n {
				t.Fatalf("out of range: %d", x)
			}
			sum += float64(x)
		}
		mean := sum / k
		se := math.Sqrt(float64(tc.n)*tc.p*(1-tc.p)) / math.Sqrt(k)
		if math.Abs(mean-float64(tc.n)*tc.p) > 5*se {
			t.Errorf("Binomial(%d, %v): mean %v", tc.n, tc.p, mean)
		}
	}
}
