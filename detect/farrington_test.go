package detect

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Expected values in this file were computed with R 4.2.2 and surveillance
// 1.20.3 (the commands are in the comments).

func day(s string) int64 {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return civilDays(t)
}

func TestFarringtonRefDays(t *testing.T) {
	// surveillance:::algo.farrington.referencetimepoints(as.Date(d), b = 5,
	//   freq = 52, epochAsDate = TRUE, epochStr = "week")
	cases := map[string]string{
		// 29 Feb: seq(, by = "-1 year") gives 1 March in common years.
		"2016-02-29": "2016-02-29 2015-03-02 2014-03-03 2013-03-04 2012-02-27 2011-02-28",
		"2021-01-04": "2021-01-04 2020-01-06 2019-01-07 2018-01-01 2017-01-02 2016-01-04",
		"2020-12-28": "2020-12-28 2019-12-30 2018-12-31 2017-12-25 2016-12-26 2015-12-28",
		"2019-07-01": "2019-07-01 2018-07-02 2017-07-03 2016-07-04 2015-06-29 2014-06-30",
	}
	for d, want := range cases {
		got := farringtonRefDays(day(d), 5)
		var s []string
		for _, g := range got {
			s = append(s, time.Unix(g*86400, 0).UTC().Format(time.DateOnly))
		}
		if strings.Join(s, " ") != want {
			t.Errorf("%s: got %s, want %s", d, strings.Join(s, " "), want)
		}
	}
}

func TestFarringtonBlocks(t *testing.T) {
	// dates <- as.Date("2017-01-02") + 7*(0:181); k <- 182
	// ref <- algo.farrington.referencetimepoints(dates[k], b = 2, ...)
	// surveillance:::blocks(ref, dates, "week", dates[k], b = 2, w = 1, p = 3, TRUE)
	n := 182
	refs := []int{181, 129, 77} // which(dates %in% ref) - 1, newest first
	var days []int64
	for i := 0; i < n; i++ {
		days = append(days, day("2017-01-02")+int64(7*i))
	}
	for j, d := range farringtonRefDays(days[181], 2) {
		if int((d-days[0])/7) != refs[j] {
			t.Fatalf("reference %d: row %d, want %d", j, (d-days[0])/7, refs[j])
		}
	}
	want := make([]int, n)
	set := func(from, to, v int) { // 1-based inclusive
		for i := from; i <= to; i++ {
			want[i-1] = v
		}
	}
	set(77, 79, 3)
	set(80, 104, 1)
	set(105, 128, 2)
	set(129, 131, 3)
	set(132, 156, 1)
	set(157, 180, 2)
	set(181, 182, 3)
	labels := make([]int, n)
	// pastWeeksNotIncluded 0 keeps the blocks output except row k itself.
	if err := farringtonBlocks(labels, refs, 181, 2, 1, 3, 0); err != nil {
		t.Fatal(err)
	}
	want[181] = 0
	for i := range want {
		if labels[i] != want[i] {
			t.Fatalf("row %d: label %d, want %d\n got %v\nwant %v", i+1, labels[i], want[i], labels, want)
		}
	}
	// The default exclusion (k - w):k removes the current window.
	if err := farringtonBlocks(labels, refs, 181, 2, 1, 3, 1); err != nil {
		t.Fatal(err)
	}
	if labels[180] != 0 || labels[179] != 2 {
		t.Errorf("pastWeeksNotIncluded = 1: labels %v", labels[176:])
	}
	// Too many periods for the gap between windows: R stops.
	if err := farringtonBlocks(labels, refs, 181, 2, 1, 60, 1); err == nil {
		t.Error("noPeriods 60 accepted")
	}
}

func closeRel(a, b, rel float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= rel*math.Abs(b) || math.Abs(a-b) < 1e-14
}

func TestQuasiPoissonFit(t *testing.T) {
	y := []float64{2, 3, 6, 7, 8, 9, 10, 12, 15, 4}
	n := len(y)
	x := make([]float64, 2*n)
	ones := make([]float64, n)
	zero := make([]float64, n)
	for i := range y {
		x[i], x[n+i], ones[i] = 1, float64(i+1), 1
	}
	// m <- glm(y ~ x, family = quasipoisson); x <- 1:10
	f, err := fitQuasiPoisson(x, n, 2, y, ones, zero)
	if err != nil || !f.converged {
		t.Fatal(err, f.converged)
	}
	want := []float64{1.336745460414734, 0.11576881803494919} // coef(m)
	for j := range want {
		if !closeRel(f.coef[j], want[j], 1e-12) {
			t.Errorf("coef %d = %.17g, want %.17g", j, f.coef[j], want[j])
		}
	}
	if d := f.dispersion(); !closeRel(d, 1.3100821176797282, 1e-12) { // summary(m)$dispersion
		t.Errorf("dispersion %.17g", d)
	}
	hat := []float64{0.27134180615384851, 0.22394029013039146, 0.17917846763735734,
		0.14067254015652825, 0.11316333387375452, 0.10277185690265604, 0.11730481697856286,
		0.16661902564385425, 0.26305511625863209, 0.4219527462644147} // hatvalues(m)
	for i, h := range f.hatValues() {
		if !closeRel(h, hat[i], 1e-12) {
			t.Errorf("hat %d = %.17g, want %.17g", i, h, hat[i])
		}
	}
	if p := f.pValue(1, f.dispersion()); !closeRel(p, 0.039938782900411605, 1e-10) { // summary(m)$coefficients["x", 4]
		t.Errorf("p-value %.17g", p)
	}

	// m2 <- glm(y ~ x, family = quasipoisson, weights = w)
	// predict(m2, data.frame(x = 11), se.fit = TRUE, type = "link")
	w := []float64{1, 1, 1, 0.5, 2, 1, 1, 1, 0.3, 1}
	f, err = fitQuasiPoisson(x, n, 2, y, w, zero)
	if err != nil || !f.converged {
		t.Fatal(err)
	}
	for j, v := range []float64{1.4098718293309618, 0.098593576305606043} {
		if !closeRel(f.coef[j], v, 1e-12) {
			t.Errorf("weighted coef %d = %.17g, want %.17g", j, f.coef[j], v)
		}
	}
	if d := f.dispersion(); !closeRel(d, 1.2207038175750058, 1e-12) {
		t.Errorf("weighted dispersion %.17g", d)
	}
	eta, se := f.predictLink([]float64{1, 11}, 0, f.dispersion())
	if !closeRel(eta, 2.4944011686926282, 1e-12) || !closeRel(se, 0.27671119320198351, 1e-12) {
		t.Errorf("predict: %.17g ± %.17g", eta, se)
	}
}

func TestQuasiPoissonAliased(t *testing.T) {
	// A column of zeros is aliased: dqrdc2 moves it last, its coefficient
	// is NA and the others are those of the smaller model.
	y := []float64{1, 4, 2, 6, 3}
	n := len(y)
	x := make([]float64, 3*n)
	ones := make([]float64, n)
	for i := range y {
		x[i], x[2*n+i], ones[i] = 1, float64(i), 1
	}
	f, err := fitQuasiPoisson(x, n, 3, y, ones, make([]float64, n))
	if err != nil {
		t.Fatal(err)
	}
	if f.rank != 2 || !math.IsNaN(f.coef[1]) || f.pivot[2] != 1 {
		t.Fatalf("rank %d coef %v pivot %v", f.rank, f.coef, f.pivot)
	}
	x2 := append(append([]float64{}, x[:n]...), x[2*n:]...)
	g, _ := fitQuasiPoisson(x2, n, 2, y, ones, make([]float64, n))
	if !closeRel(f.coef[0], g.coef[0], 1e-14) || !closeRel(f.coef[2], g.coef[1], 1e-14) {
		t.Errorf("aliased fit %v, reduced fit %v", f.coef, g.coef)
	}
}

func TestDiscreteQuantiles(t *testing.T) {
	// qnbinom(p, size, prob) and qpois(p, lambda) in R.
	nb := []struct{ p, size, prob, want float64 }{
		{0.95, 3.7, 0.4, 13},
		{0.95, 1e6, 1 / 1.000001, 3},
		{0.99, 0.01, 0.5, 0},
		{0.95, 2000 / 0.3, 1 / 1.3, 2084},
	}
	for _, c := range nb {
		if got := qnbinom(c.p, c.size, c.prob); got != c.want {
			t.Errorf("qnbinom(%v, %v, %v) = %v, want %v", c.p, c.size, c.prob, got, c.want)
		}
	}
	po := []struct{ p, lambda, want float64 }{{0.95, 2.3, 5}, {0.95, 1500, 1564}, {0.9, 0.01, 0}}
	for _, c := range po {
		if got := qpois(c.p, c.lambda); got != c.want {
			t.Errorf("qpois(%v, %v) = %v, want %v", c.p, c.lambda, got, c.want)
		}
	}
	// 2*pt(-|t|, df)
	pt := []struct{ t, df, want float64 }{
		{2.1, 7, 0.073871196212922596}, {0.3, 33, 0.76605883817039189},
		{12, 180, 9.382802687422803e-25}, {1.96, 3, 0.14485220856485359},
	}
	for _, c := range pt {
		if got := tTwoSided(c.t, c.df); !closeRel(got, c.want, 1e-12) {
			t.Errorf("2*pt(-%v, %v) = %.17g, want %.17g", c.t, c.df, got, c.want)
		}
	}
}

// farringtonTestSeries is a seasonal Poisson weekly series of the given
// length starting on Monday 2 January 2017, with an outbreak at the end.
func farringtonTestSeries(seed uint64, weeks int) Series {
	r := rand.New(rand.NewPCG(seed, 0xfa))
	s := Series{}
	start := time.Date(2017, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < weeks; i++ {
		s.Dates = append(s.Dates, start.AddDate(0, 0, 7*i))
		l := 8 * math.Exp(0.5*math.Sin(2*math.Pi*float64(i)/52))
		if i >= weeks-3 {
			l *= 3
		}
		s.Counts = append(s.Counts, poisson(r, l))
	}
	return s
}

func TestFarringtonResultShape(t *testing.T) {
	s := farringtonTestSeries(1, 6*52)
	res, err := Farrington(s, FarringtonDefault())
	if err != nil {
		t.Fatal(err)
	}
	first := 52*5 + 3 // R's default range starts at row 52*b + w + 1 (1-based)
	for i := range s.Counts {
		if res.Valid[i] != (i >= first) {
			t.Fatalf("row %d valid %v", i, res.Valid[i])
		}
	}
	n := len(s.Counts)
	if !res.Alarm[n-1] || !(res.UpperBound[n-1] > res.Expected[n-1]) {
		t.Errorf("outbreak week: count %v expected %v upper %v alarm %v",
			s.Counts[n-1], res.Expected[n-1], res.UpperBound[n-1], res.Alarm[n-1])
	}
	// limit54: a week with fewer than 5 cases in the last 4 weeks has no
	// bound and no alarm, but R still evaluated it.
	s.Counts[n-4], s.Counts[n-3], s.Counts[n-2], s.Counts[n-1] = 0, 1, 0, 3
	res, _ = Farrington(s, FarringtonDefault())
	if !res.Valid[n-1] || res.Alarm[n-1] || !math.IsNaN(res.UpperBound[n-1]) || !math.IsNaN(res.Expected[n-1]) {
		t.Errorf("limit54 week: valid %v alarm %v upper %v expected %v",
			res.Valid[n-1], res.Alarm[n-1], res.UpperBound[n-1], res.Expected[n-1])
	}
	// Too short for b = 5: nothing evaluated, no error.
	res, err = Farrington(farringtonTestSeries(2, 5*52), FarringtonDefault())
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range res.Valid {
		if v {
			t.Fatalf("row %d valid in a 5-year series with b = 5", i)
		}
	}
}

func TestFarringtonInputErrors(t *testing.T) {
	s := farringtonTestSeries(3, 300)
	gap := s
	gap.Dates = append([]time.Time(nil), s.Dates...)
	gap.Dates[100] = gap.Dates[100].AddDate(0, 0, 1)
	if _, err := Farrington(gap, FarringtonDefault()); err == nil {
		t.Error("dates not 7 days apart accepted")
	}
	noDates := Series{Counts: s.Counts}
	if _, err := Farrington(noDates, FarringtonDefault()); err == nil {
		t.Error("series without dates accepted")
	}
	neg := s
	neg.Counts = append([]float64(nil), s.Counts...)
	neg.Counts[5] = -1
	if _, err := Farrington(neg, FarringtonDefault()); err == nil {
		t.Error("negative count accepted")
	}
	p := FarringtonDefault()
	p.PopulationOffset = true
	if _, err := Farrington(s, p); err == nil {
		t.Error("populationOffset without denominators accepted")
	}
	for _, bad := range []func(*FarringtonParams){
		func(p *FarringtonParams) { p.B = 0 },
		func(p *FarringtonParams) { p.Alpha = 1 },
		func(p *FarringtonParams) { p.Limit54 = [2]int{5, 0} },
		func(p *FarringtonParams) { p.PowerTrans = "1/3" },
		func(p *FarringtonParams) { p.ThresholdMethod = "Noufaily" },
		func(p *FarringtonParams) { p.FitFun = "algo.farrington.fitGLM" },
		func(p *FarringtonParams) { p.NoPeriods = 0 },
	} {
		p := FarringtonDefault()
		bad(&p)
		if p.Validate() == nil {
			t.Errorf("invalid params accepted: %+v", p)
		}
	}
}

func TestFarringtonMethodParams(t *testing.T) {
	m, ok := Lookup("farrington")
	if !ok {
		t.Fatal("farrington not registered")
	}
	s := farringtonTestSeries(4, 6*52)
	got, err := m(s, Params{"preset": "noufaily", "alpha": "0.01", "limit54": "c(3, 2)",
		"thresholdMethod": "Noufaily", "pastWeeksNotIncluded": "NULL", "range": "300:312"})
	if err != nil {
		t.Fatal(err)
	}
	p := FarringtonNoufaily()
	p.Alpha, p.Limit54, p.PastWeeksNotIncluded = 0.01, [2]int{3, 2}, nil
	for k := 299; k < 312; k++ {
		p.Range = append(p.Range, k)
	}
	want, err := Farrington(s, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Valid {
		if got.Valid[i] != want.Valid[i] || !closeRel(got.UpperBound[i], want.UpperBound[i], 0) ||
			(i >= 299) != got.Valid[i] {
			t.Fatalf("row %d: %v %v / %v %v", i, got.Valid[i], got.UpperBound[i], want.Valid[i], want.UpperBound[i])
		}
	}
	for _, bad := range []Params{{"b": "x"}, {"limit54": "5"}, {"thresholdMethod": "foo"},
		{"range": "0:3"}, {"preset": "x"}, {"unknown": "1"}, {"powertrans": "3/4"}} {
		if _, err := m(s, bad); err == nil {
			t.Errorf("params %v accepted", bad)
		}
	}
}

// BenchmarkFarrington: one 6-year weekly series, every week of its last
// year evaluated (rows without 5 years of history are skipped quickly).
func BenchmarkFarrington(b *testing.B) {
	s := farringtonTestSeries(5, 6*52)
	for _, c := range []struct {
		name string
		p    FarringtonParams
	}{{"default", FarringtonDefault()}, {"noufaily", FarringtonNoufaily()}} {
		p := c.p
		for k := len(s.Counts) - 52; k < len(s.Counts); k++ {
			p.Range = append(p.Range, k)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Farrington(s, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
