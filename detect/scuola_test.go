package detect

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/calendario"
)

// schoolDays returns the Monday-Friday dates from 12 September of year to
// 8 June of the next, skipping 23 December-6 January and the Easter week,
// as a stand-in school calendar.
func schoolDays(year int, six bool) []time.Time {
	var out []time.Time
	e := calendario.Pasqua(year + 1)
	for d := time.Date(year, time.September, 12, 0, 0, 0, 0, time.UTC); d.Before(time.Date(year+1, time.June, 9, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		wd := d.Weekday()
		if wd == time.Sunday || (wd == time.Saturday && !six) {
			continue
		}
		if (d.Month() == time.December && d.Day() >= 23) || (d.Month() == time.January && d.Day() <= 6) {
			continue
		}
		if k := d.Sub(e).Hours() / 24; k >= -3 && k <= 2 {
			continue
		}
		out = append(out, d)
	}
	return out
}

// synthSchool simulates a territorial series over the given school years:
// 5000 pupils, base 3% with a Monday effect, AR(1) log noise (phi 0.5, sd
// 0.05) and binomial-like sampling noise; add(t, d) adds an absolute rate.
func synthSchool(seed uint64, years []int, add func(i int, d time.Time) float64) Series {
	r := rand.New(rand.NewPCG(seed, 3))
	var s Series
	s.Denominators = []float64{}
	var ar float64
	for _, y := range years {
		for _, d := range schoolDays(y, false) {
			ar = 0.5*ar + 0.05*math.Sqrt(0.75)*r.NormFloat64()
			rate := 0.03 * math.Exp(ar)
			if d.Weekday() == time.Monday {
				rate *= 1.12
			}
			rate += add(len(s.Dates), d)
			den := 5000.0
			c := math.Round(rate*den + math.Sqrt(rate*den)*r.NormFloat64())
			s.Dates = append(s.Dates, d)
			s.Counts = append(s.Counts, math.Max(0, c))
			s.Denominators = append(s.Denominators, den)
		}
	}
	return s
}

func none(int, time.Time) float64 { return 0 }

func TestScuola_PrefixInvariance(t *testing.T) {
	// Two past years and the current one with a wave, a disruption, a
	// half-reported day and an unreported day: every row's output computed
	// on the prefix ending at that row equals the output on the whole series.
	s := synthSchool(7, []int{2021, 2022, 2023}, func(i int, d time.Time) float64 {
		if d.Year() == 2024 && d.Month() == time.February {
			return 0.002 * float64(d.Day())
		}
		if d.Equal(time.Date(2023, 11, 15, 0, 0, 0, 0, time.UTC)) {
			return 0.06
		}
		return 0
	})
	s.Counts[len(s.Counts)-30] = math.NaN()
	s.Denominators[len(s.Counts)-40] /= 2
	s.Counts[len(s.Counts)-40] = math.Round(s.Counts[len(s.Counts)-40] / 2)
	p := DefaultScuolaParams()
	full, err := Scuola(s, p)
	if err != nil {
		t.Fatal(err)
	}
	start := len(s.Dates) - len(schoolDays(2023, false)) - 5
	alarms := 0
	for n := start; n <= len(s.Dates); n++ {
		pre := Series{Dates: s.Dates[:n], Counts: s.Counts[:n], Denominators: s.Denominators[:n]}
		r, err := Scuola(pre, p)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
			if r.Alarm[i] != full.Alarm[i] || r.Valid[i] != full.Valid[i] || r.Anomaly[i] != full.Anomaly[i] ||
				!same(r.Expected[i], full.Expected[i]) || !same(r.UpperBound[i], full.UpperBound[i]) || !same(r.Statistic[i], full.Statistic[i]) {
				t.Fatalf("prefix of %d rows: row %d (%s) differs from the full series", n, i, s.Dates[i].Format("2006-01-02"))
			}
		}
	}
	for _, a := range full.Alarm[start:] {
		if a {
			alarms++
		}
	}
	if alarms == 0 {
		t.Error("the February rise raised no alarm: the invariance test would be vacuous")
	}
}

func TestScuola_Disruption(t *testing.T) {
	for _, c := range []struct {
		name  string
		years []int
		days  int
	}{{"one year, one day", []int{2023}, 1}, {"one year, two days", []int{2023}, 2}, {"past years, two days", []int{2021, 2022, 2023}, 2}} {
		t.Run(c.name, func(t *testing.T) {
			var at time.Time
			s := synthSchool(11, c.years, func(i int, d time.Time) float64 {
				if d.Year() == 2023 && d.Month() == time.November && d.Day() >= 14 && at.IsZero() {
					at = d
				}
				if !at.IsZero() && !d.Before(at) && d.Sub(at) < time.Duration(c.days)*24*time.Hour {
					return 0.06 // six points: a strike
				}
				return 0
			})
			r, err := Scuola(s, DefaultScuolaParams())
			if err != nil {
				t.Fatal(err)
			}
			flagged := 0
			for i, d := range s.Dates {
				if r.Alarm[i] && schoolYear(d) == 2023 {
					t.Errorf("alarm on %s (a %d-day disruption on %s)", d.Format("2006-01-02"), c.days, at.Format("2006-01-02"))
				}
				if r.Anomaly[i] {
					if d.Before(at) || d.Sub(at) >= time.Duration(c.days)*24*time.Hour {
						t.Errorf("anomaly on an ordinary day %s", d.Format("2006-01-02"))
					}
					flagged++
				}
			}
			if flagged != c.days {
				t.Errorf("%d anomaly rows, want %d", flagged, c.days)
			}
		})
	}
}

func TestScuola_PersistentRise(t *testing.T) {
	// A rise of 1.2 points that persists is an alarm within a week, with
	// and without past years; a one-day threshold alone (upper bound at
	// S = 0) would not flag it on its first day.
	for _, years := range [][]int{{2023}, {2021, 2022, 2023}} {
		var start time.Time
		s := synthSchool(5, years, func(i int, d time.Time) float64 {
			if d.Year() == 2024 && d.Month() == time.February && d.Day() >= 5 {
				if start.IsZero() {
					start = d
				}
				return 0.012
			}
			return 0
		})
		r, err := Scuola(s, DefaultScuolaParams())
		if err != nil {
			t.Fatal(err)
		}
		first := -1
		for i, d := range s.Dates {
			if r.Alarm[i] && !d.Before(start) {
				first = i
				break
			}
		}
		i0 := 0
		for s.Dates[i0].Before(start) {
			i0++
		}
		if first < 0 || first-i0 > 5 {
			t.Errorf("%d years: first alarm %d school days after the rise, want <= 5", len(years), first-i0)
		}
		if first == i0 {
			t.Errorf("%d years: alarm on the first day of a moderate rise: not accumulating evidence", len(years))
		}
		for i, d := range s.Dates {
			if r.Alarm[i] && d.Before(start) && schoolYear(d) == 2023 {
				t.Errorf("%d years: false alarm on %s", len(years), d.Format("2006-01-02"))
			}
		}
	}
}

func TestScuola_ShortBaseline(t *testing.T) {
	// One school year: the first row is not evaluated, rows from MinDays
	// on are; the threshold (in z units of a given state) narrows as days accrue.
	s := synthSchool(3, []int{2023}, none)
	r, err := Scuola(s, DefaultScuolaParams())
	if err != nil {
		t.Fatal(err)
	}
	if r.Valid[0] {
		t.Error("first day of a series without past years is valid")
	}
	p := DefaultScuolaParams()
	if !r.Valid[p.MinDays] {
		t.Errorf("row %d not valid", p.MinDays)
	}
	// With past years the first school day is evaluated.
	s2 := synthSchool(3, []int{2022, 2023}, none)
	r2, _ := Scuola(s2, p)
	first := len(schoolDays(2022, false))
	if !r2.Valid[first] {
		t.Error("first school day of the year not valid although past years are present")
	}
	if w := func(r Result, i int) float64 { return r.UpperBound[i] / r.Expected[i] }; !(w(r, p.MinDays) > w(r2, first+p.MinDays)) {
		t.Errorf("short-baseline threshold ratio %.3f not wider than with past years %.3f", w(r, p.MinDays), w(r2, first+p.MinDays))
	}
}

func TestScuola_HalfReported(t *testing.T) {
	// The same rate on half the denominator has a wider interval.
	s := synthSchool(9, []int{2022, 2023}, none)
	i := len(s.Dates) - 50
	a, _ := Scuola(s, DefaultScuolaParams())
	s.Counts[i] = math.Round(s.Counts[i] / 4)
	s.Denominators[i] /= 4
	b, _ := Scuola(s, DefaultScuolaParams())
	ra := a.UpperBound[i] / a.Expected[i]
	rb := b.UpperBound[i] / b.Expected[i]
	if !(rb > ra) {
		t.Errorf("upper/expected %.4f on a quarter-reported day, %.4f on a full day", rb, ra)
	}
	// A NaN count is not valid and does not alarm.
	s.Counts[i] = math.NaN()
	c, _ := Scuola(s, DefaultScuolaParams())
	if c.Valid[i] || c.Alarm[i] {
		t.Error("unreported day valid or alarming")
	}
}

func TestScuola_CountsOnly(t *testing.T) {
	s := synthSchool(13, []int{2022, 2023}, none)
	s.Denominators = nil
	r, err := Scuola(s, DefaultScuolaParams())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := range r.Alarm {
		if r.Alarm[i] {
			n++
		}
	}
	if n > 3 {
		t.Errorf("%d alarm days on a quiet series of counts", n)
	}
}

func TestScuola_Params(t *testing.T) {
	s := synthSchool(1, []int{2023}, none)
	for _, c := range []struct {
		p    Params
		want string
	}{{Params{"h": "0"}, "parametro h"}, {Params{"allowance": "-1"}, "parametro allowance"}, {Params{"minDays": "1"}, "parametro minDays"}, {Params{"alpha": "0.7"}, "parametro alpha"}, {Params{"x": "1"}, `parametro sconosciuto "x"`}} {
		if _, err := scuolaMethod(s, c.p); err == nil || !contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.p, err, c.want)
		}
	}
}

func TestScuola_AlphaRaisesThreshold(t *testing.T) {
	s := synthSchool(5, []int{2023}, func(i int, d time.Time) float64 {
		if d.Year() == 2024 && d.Month() == time.February {
			return 0.01
		}
		return 0
	})
	a, _ := scuolaMethod(s, Params{})
	b, _ := scuolaMethod(s, Params{"alpha": "0.001"})
	na, nb := 0, 0
	for i := range a.Alarm {
		if a.Alarm[i] {
			na++
		}
		if b.Alarm[i] {
			nb++
		}
		if b.Alarm[i] && !a.Alarm[i] {
			t.Fatalf("row %d alarms with alpha 0.001 and not with 0.01", i)
		}
	}
	if !(nb <= na) || na == 0 {
		t.Errorf("alpha 0.001: %d alarm days, 0.01: %d", nb, na)
	}
	// Until the states part (a positive S freezes the estimates), the same
	// row has a higher bound with the stricter alpha.
	for i := range a.Valid {
		if a.Statistic[i] > 0 || b.Statistic[i] > 0 {
			break
		}
		if a.Valid[i] && !(b.UpperBound[i] > a.UpperBound[i]) {
			t.Fatalf("row %d: upper bound %v with alpha 0.001, %v with 0.01", i, b.UpperBound[i], a.UpperBound[i])
		}
	}
}

func contains(a, b string) bool {
	return len(b) == 0 || (len(a) >= len(b) && (a[:len(b)] == b || contains(a[1:], b)))
}

// BenchmarkScuola runs the model on one five-year daily series; ns/day is
// the time per row.
func BenchmarkScuola(b *testing.B) {
	s := synthSchool(1, []int{2019, 2020, 2021, 2022, 2023}, none)
	p := DefaultScuolaParams()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Scuola(s, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(s.Dates)), "ns/day")
}

// schoolYear is the first calendar year of the school year of d.
func schoolYear(d time.Time) int {
	if d.Month() >= time.August {
		return d.Year()
	}
	return d.Year() - 1
}

func TestYmdDays(t *testing.T) {
	for d := time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2031; d = d.AddDate(0, 0, 17) {
		k := ymdDays(d.Date())
		if int64(k) != d.Unix()/86400 {
			t.Fatalf("%s: %d", d, k)
		}
		if y, m, dd := fromCivilDays(k); y != d.Year() || m != d.Month() || dd != d.Day() {
			t.Fatalf("%s: back %d-%d-%d", d, y, m, dd)
		}
	}
	if e := calendario.Pasqua(2024); e.Month() != time.March || e.Day() != 31 {
		t.Errorf("Easter 2024 = %s", e)
	}
}

// The portal runs the model on each series' last three school years only
// (the current one and the two its profile is fitted on): the current
// year's rows must be what the whole history gives.
func TestScuola_ThreeYearsSuffice(t *testing.T) {
	s := synthSchool(11, []int{2019, 2020, 2021, 2022, 2023}, func(i int, d time.Time) float64 {
		if d.Year() == 2021 && d.Month() == time.January {
			return 0.03 // an old epidemic, outside the window
		}
		if d.Year() == 2023 && d.Month() == time.November {
			return 0.001 * float64(d.Day())
		}
		return 0
	})
	p := DefaultScuolaParams()
	full, err := Scuola(s, p)
	if err != nil {
		t.Fatal(err)
	}
	from := 0
	for from < len(s.Dates) && s.Dates[from].Before(time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC)) {
		from++
	}
	cut := Series{Dates: s.Dates[from:], Counts: s.Counts[from:], Denominators: s.Denominators[from:]}
	r, err := Scuola(cut, p)
	if err != nil {
		t.Fatal(err)
	}
	cur := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	alarms := 0
	same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	for i := from; i < len(s.Dates); i++ {
		if s.Dates[i].Before(cur) {
			continue
		}
		j := i - from
		if r.Alarm[j] != full.Alarm[i] || r.Valid[j] != full.Valid[i] || r.Anomaly[j] != full.Anomaly[i] ||
			!same(r.Expected[j], full.Expected[i]) || !same(r.UpperBound[j], full.UpperBound[i]) {
			t.Fatalf("%s: three years give %v/%v, five give %v/%v", s.Dates[i].Format("2006-01-02"), r.Alarm[j], r.Expected[j], full.Alarm[i], full.Expected[i])
		}
		if full.Alarm[i] {
			alarms++
		}
	}
	if alarms == 0 {
		t.Error("no alarm in the current year: the comparison proves little")
	}
}

// TestScuola_Dal: skipping the school years before Dal's changes nothing
// from that school year on, and leaves the skipped rows unevaluated.
func TestScuola_Dal(t *testing.T) {
	s := synthSchool(13, []int{2020, 2021, 2022, 2023}, func(i int, d time.Time) float64 {
		if d.Year() == 2022 && d.Month() == time.January {
			return 0.03 // an epidemic in a skipped year
		}
		if d.Year() == 2023 && d.Month() == time.November {
			return 0.001 * float64(d.Day())
		}
		return 0
	})
	p := DefaultScuolaParams()
	full, err := Scuola(s, p)
	if err != nil {
		t.Fatal(err)
	}
	// Dal in the middle of the last year: that year is evaluated whole.
	dal := 0
	for s.Dates[dal].Before(time.Date(2023, 10, 20, 0, 0, 0, 0, time.UTC)) {
		dal++
	}
	cut := s
	cut.Dal = dal
	r, err := Scuola(cut, p)
	if err != nil {
		t.Fatal(err)
	}
	cur := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	alarms, skipped := 0, 0
	for i := range s.Dates {
		if s.Dates[i].Before(cur) {
			if r.Valid[i] || r.Alarm[i] || r.Anomaly[i] || !math.IsNaN(r.Expected[i]) {
				t.Fatalf("%s: a skipped row was evaluated", s.Dates[i].Format("2006-01-02"))
			}
			if full.Alarm[i] {
				skipped++
			}
			continue
		}
		if r.Alarm[i] != full.Alarm[i] || r.Valid[i] != full.Valid[i] || r.Anomaly[i] != full.Anomaly[i] ||
			!same(r.Expected[i], full.Expected[i]) || !same(r.UpperBound[i], full.UpperBound[i]) || !same(r.Statistic[i], full.Statistic[i]) {
			t.Fatalf("%s: with Dal %v/%v, without %v/%v", s.Dates[i].Format("2006-01-02"), r.Alarm[i], r.Expected[i], full.Alarm[i], full.Expected[i])
		}
		if full.Alarm[i] {
			alarms++
		}
	}
	if alarms == 0 || skipped == 0 {
		t.Errorf("alarms: %d in the kept year, %d in the skipped ones: the comparison proves little", alarms, skipped)
	}
	// Dal past the end: nothing evaluated.
	cut.Dal = len(s.Dates)
	if r, err = Scuola(cut, p); err != nil {
		t.Fatal(err)
	}
	for i := range s.Dates {
		if r.Valid[i] {
			t.Fatalf("row %d evaluated with Dal past the end", i)
		}
	}
}
