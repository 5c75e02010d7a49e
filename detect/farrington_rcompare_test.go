package detect

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The R comparison for Farrington: Go writes seeded weekly series with
// their controls, testdata/farrington.R runs farringtonFlexible on them
// (and on salmNewport) in one Rscript process, and Go compares every row.

// farrRSeries is one input line of farrington.R.
type farrRSeries struct {
	name  string
	p     FarringtonParams
	start time.Time
	x     []float64
	pop   []float64 // nil: no population
	// rows are the 0-based rows evaluated, nil for R's default range.
	rows []int
}

// params returns the controls with the range of the comparison.
func (s farrRSeries) params() FarringtonParams {
	p := s.p
	p.Range = s.rows
	return p
}

func (s farrRSeries) series() Series {
	out := Series{Counts: s.x, Denominators: s.pop}
	for i := range s.x {
		out.Dates = append(out.Dates, s.start.AddDate(0, 0, 7*i))
	}
	return out
}

func fmtR(v float64) string {
	if math.IsNaN(v) {
		return "NA"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func rBool(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

func (s farrRSeries) line() string {
	p := s.p
	pw := "NA"
	if p.PastWeeksNotIncluded != nil {
		pw = strconv.Itoa(*p.PastWeeksNotIncluded)
	}
	nums := func(v []float64) string {
		if v == nil {
			return "NA"
		}
		f := make([]string, len(v))
		for i, x := range v {
			f[i] = fmtR(x)
		}
		return strings.Join(f, " ")
	}
	rng := "NA"
	if s.rows != nil {
		f := make([]string, len(s.rows))
		for i, k := range s.rows {
			f[i] = strconv.Itoa(k + 1)
		}
		rng = strings.Join(f, " ")
	}
	return strings.Join([]string{s.name, strconv.Itoa(p.B), strconv.Itoa(p.W), rBool(p.Reweight),
		fmtR(p.WeightsThreshold), rBool(p.Trend), fmtR(p.PThresholdTrend), fmtR(p.Alpha),
		fmt.Sprintf("%d,%d", p.Limit54[0], p.Limit54[1]), p.PowerTrans, rBool(p.PopulationOffset),
		strconv.Itoa(p.NoPeriods), pw, p.ThresholdMethod, s.start.Format(time.DateOnly),
		nums(s.x), nums(s.pop), rng}, "\t")
}

func parseFarrRSeries(line string) (farrRSeries, error) {
	f := strings.Split(line, "\t")
	if len(f) != 18 {
		return farrRSeries{}, fmt.Errorf("want 18 fields, got %d", len(f))
	}
	var err error
	atoi := func(v string) int {
		n, e := strconv.Atoi(v)
		if e != nil && err == nil {
			err = e
		}
		return n
	}
	num := func(v string) float64 {
		if v == "NA" {
			return math.NaN()
		}
		x, e := strconv.ParseFloat(v, 64)
		if e != nil && err == nil {
			err = e
		}
		return x
	}
	nums := func(v string) []float64 {
		if v == "NA" {
			return nil
		}
		var out []float64
		for _, x := range strings.Fields(v) {
			out = append(out, num(x))
		}
		return out
	}
	s := farrRSeries{name: f[0]}
	p := FarringtonDefault()
	p.B, p.W = atoi(f[1]), atoi(f[2])
	p.Reweight, p.WeightsThreshold = f[3] == "TRUE", num(f[4])
	p.Trend, p.PThresholdTrend, p.Alpha = f[5] == "TRUE", num(f[6]), num(f[7])
	lim := strings.Split(f[8], ",")
	p.Limit54 = [2]int{atoi(lim[0]), atoi(lim[1])}
	p.PowerTrans, p.PopulationOffset, p.NoPeriods = f[9], f[10] == "TRUE", atoi(f[11])
	if f[12] != "NA" {
		pw := atoi(f[12])
		p.PastWeeksNotIncluded = &pw
	}
	p.ThresholdMethod = f[13]
	s.p = p
	if s.start, err = time.Parse(time.DateOnly, f[14]); err != nil {
		return s, err
	}
	s.x, s.pop = nums(f[15]), nums(f[16])
	for _, v := range nums(f[17]) {
		s.rows = append(s.rows, int(v)-1)
	}
	return s, err
}

// farrPoisson draws a Poisson variate: Knuth's product for small means,
// a rounded normal approximation for large ones (the exact law does not
// matter, only that Go and R see the same counts).
func farrPoisson(r *rand.Rand, l float64) float64 {
	if l > 60 {
		return math.Max(0, math.Round(l+math.Sqrt(l)*r.NormFloat64()))
	}
	return poisson(r, l)
}

// genFarringtonSeries returns n seeded weekly series of 5 to 8 years
// starting on a Monday: seasonal Poisson, trends, outbreaks, many zeros,
// school-like series with summer closures and overdispersion, missing
// weeks; with default, Noufaily and randomly varied controls.
func genFarringtonSeries(seed uint64, n int) []farrRSeries {
	r := rand.New(rand.NewPCG(seed, 0xfa77))
	monday := time.Date(2003, 1, 6, 0, 0, 0, 0, time.UTC)
	out := make([]farrRSeries, n)
	for i := range out {
		weeks := 261 + r.IntN(157)
		start := monday.AddDate(0, 0, 7*r.IntN(52*15))
		kind := i % 6
		base := 2 + 28*r.Float64()
		amp := 0.2 + 0.6*r.Float64()
		phase := 2 * math.Pi * r.Float64()
		slope := 0.0
		switch kind {
		case 1:
			slope = (0.05 + 0.25*r.Float64()) * float64(1-2*r.IntN(2))
		case 3:
			base = 0.05 + 0.95*r.Float64()
		case 4:
			base = 20 + 280*r.Float64()
		}
		x := make([]float64, weeks)
		for t := range x {
			ts := start.AddDate(0, 0, 7*t)
			l := base * math.Exp(amp*math.Sin(2*math.Pi*float64(t)/52.18+phase)+slope*float64(t)/52)
			if kind == 4 || kind == 5 {
				l *= 0.4 + 1.2*r.Float64() // overdispersion (gamma-like mixture)
			}
			x[t] = farrPoisson(r, l)
			if kind == 4 { // schools closed from mid-June to early September
				if _, wk := ts.ISOWeek(); wk >= 25 && wk <= 35 {
					x[t] = 0
				}
			}
		}
		if kind == 2 || r.IntN(4) == 0 {
			for o := 0; o < 1+r.IntN(5); o++ {
				at, w := r.IntN(weeks), 2+r.IntN(7)
				for t := at; t < at+w && t < weeks; t++ {
					x[t] += farrPoisson(r, (1+3*r.Float64())*(base+2))
				}
			}
		}
		if kind == 5 { // missing weeks (NA)
			for m := 0; m < 1+r.IntN(6); m++ {
				x[r.IntN(weeks)] = math.NaN()
			}
		}
		s := farrRSeries{name: fmt.Sprintf("f%03d_kind%d", i, kind), start: start, x: x}
		switch (i / 6) % 3 {
		case 0:
			s.p = FarringtonDefault()
		case 1:
			s.p = FarringtonNoufaily()
		default:
			s.p = randomFarringtonParams(r)
		}
		// R's time goes into the GLM fits, so compare the first 20 rows
		// of the default range (truncated oldest windows) and the last 40.
		if first := 52*s.p.B + s.p.W; weeks-first > 60 {
			for k := first; k < first+20; k++ {
				s.rows = append(s.rows, k)
			}
			for k := weeks - 40; k < weeks; k++ {
				s.rows = append(s.rows, k)
			}
		}
		if s.p.PopulationOffset {
			s.pop = make([]float64, weeks)
			enrolled := 200 + 1800*r.Float64()
			for t := range s.pop {
				s.pop[t] = math.Round(enrolled * (1 + 0.1*math.Sin(float64(t)/40)))
			}
		}
		out[i] = s
	}
	return append(out, farringtonEdgeSeries()...)
}

// farringtonEdgeSeries are hand-made corner cases: all zeros (the GLM does
// not converge), a single case, constant counts (zero dispersion), very
// large counts, and long runs of missing weeks.
func farringtonEdgeSeries() []farrRSeries {
	start := time.Date(2012, 1, 2, 0, 0, 0, 0, time.UTC)
	const weeks = 6*52 + 10
	mk := func(name string, p FarringtonParams, f func(t int) float64) farrRSeries {
		x := make([]float64, weeks)
		for t := range x {
			x[t] = f(t)
		}
		return farrRSeries{name: name, p: p, start: start, x: x}
	}
	var out []farrRSeries
	for _, c := range []struct {
		name string
		p    FarringtonParams
	}{{"default", FarringtonDefault()}, {"noufaily", FarringtonNoufaily()}} {
		out = append(out,
			mk("edge_zeros_"+c.name, c.p, func(int) float64 { return 0 }),
			mk("edge_one_case_"+c.name, c.p, func(t int) float64 { return map[bool]float64{true: 1}[t == 150] }),
			mk("edge_spike_"+c.name, c.p, func(t int) float64 { return map[bool]float64{true: 40}[t >= weeks-3] }),
			mk("edge_constant_"+c.name, c.p, func(int) float64 { return 5 }),
			mk("edge_large_"+c.name, c.p, func(t int) float64 {
				return math.Round(20000 * (1 + 0.3*math.Sin(float64(t)/8.3)) * (1 + 0.0007*float64(t)))
			}),
			mk("edge_missing_"+c.name, c.p, func(t int) float64 {
				// Three-week gaps. Longer ones can empty a reference
				// window or leave a seasonal level with one week: R then
				// fails, or that week's Anscombe residual is 0/0 and its
				// weight depends on the sign of rounding noise.
				if t%52 >= 25 && t%52 < 28 || t > weeks-3 {
					return math.NaN()
				}
				return float64(3 + t%7)
			}),
		)
	}
	return out
}

func randomFarringtonParams(r *rand.Rand) FarringtonParams {
	pick := func(n int) int { return r.IntN(n) }
	p := FarringtonDefault()
	p.B = []int{2, 3, 4, 4, 5, 5}[pick(6)]
	p.W = []int{1, 2, 3, 3, 4}[pick(5)]
	p.Reweight = pick(4) != 0
	p.WeightsThreshold = []float64{1, 2.58}[pick(2)]
	p.Trend = pick(4) != 0
	p.PThresholdTrend = []float64{0.05, 0.05, 1}[pick(3)]
	p.Alpha = []float64{0.01, 0.05, 0.1}[pick(3)]
	p.Limit54 = [][2]int{{5, 4}, {0, 4}, {3, 2}}[pick(3)]
	p.PowerTrans = []string{"2/3", "1/2", "none"}[pick(3)]
	p.NoPeriods = []int{1, 1, 3, 10}[pick(4)]
	switch pick(4) {
	case 1:
		pw := 0
		p.PastWeeksNotIncluded = &pw
	case 2:
		pw := 10
		p.PastWeeksNotIncluded = &pw
	case 3:
		pw := 26
		p.PastWeeksNotIncluded = &pw
	}
	p.ThresholdMethod = []string{"delta", "nbPlugin", "muan"}[pick(3)]
	p.PopulationOffset = pick(4) == 0
	return p
}

// farrRRow is one row reported by farrington.R.
type farrRRow struct {
	row                  int // 0-based
	ub, expected         float64
	alarm                string // TRUE, FALSE, NA
	score, phi, trendFit float64
}

type farrRRun struct {
	series   []farrRSeries
	rows     map[string][]farrRRow
	errs     map[string]string
	rSeconds float64
	rRows    int
	wall     time.Duration
}

func runFarringtonR(t testing.TB, series []farrRSeries, timing bool) *farrRRun {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "series.txt")
	var b strings.Builder
	for _, s := range series {
		b.WriteString(s.line())
		b.WriteByte('\n')
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "farrington.R"))
	if err != nil {
		t.Fatal(err)
	}
	resPath, dsPath := filepath.Join(dir, "results.txt"), filepath.Join(dir, "datasets.txt")
	args := []string{script, in, resPath, dsPath}
	if timing {
		args = append(args, "time")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("Rscript", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("Rscript farrington.R: %v\n%s", err, stderr.String())
	}
	run := &farrRRun{wall: time.Since(start), rows: map[string][]farrRRow{}, errs: map[string]string{}}
	run.series = append(run.series, series...)
	ds, err := os.ReadFile(dsPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(ds)), "\n") {
		if l == "" {
			continue
		}
		s, err := parseFarrRSeries(l)
		if err != nil {
			t.Fatalf("datasets: %v", err)
		}
		run.series = append(run.series, s)
	}
	f, err := os.Open(resPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	num := func(v string) float64 {
		if v == "NA" {
			return math.NaN()
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("bad number %q", v)
		}
		return x
	}
	for sc.Scan() {
		fl := strings.Split(sc.Text(), "\t")
		if len(fl) == 3 && fl[1] == "ERROR" {
			run.errs[fl[0]] = fl[2]
			continue
		}
		if len(fl) != 8 {
			t.Fatalf("bad result line %q", sc.Text())
		}
		row, err := strconv.Atoi(fl[1])
		if err != nil {
			t.Fatal(err)
		}
		run.rows[fl[0]] = append(run.rows[fl[0]], farrRRow{row: row - 1, ub: num(fl[2]),
			expected: num(fl[3]), alarm: fl[4], score: num(fl[5]), phi: num(fl[6]), trendFit: num(fl[7])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(stdout.String(), "\n") {
		var sec float64
		var ns, nr int
		if _, err := fmt.Sscanf(l, "TIME %g %d %d", &sec, &ns, &nr); err == nil {
			run.rSeconds, run.rRows = sec, nr
		}
	}
	return run
}

// farrDiff returns the relative difference (0 when equal or when R's value
// is below 1e-6 in magnitude, +Inf when only one is NaN) and whether it is
// within the tolerance: 1e-6 relative, or 1e-9 absolute near zero.
func farrDiff(got, want float64) (float64, bool) {
	if math.IsNaN(got) || math.IsNaN(want) {
		if math.IsNaN(got) && math.IsNaN(want) {
			return 0, true
		}
		return math.Inf(1), false
	}
	d := math.Abs(got - want)
	if d == 0 {
		return 0, true
	}
	rel := d / math.Abs(want)
	ok := d <= 1e-9 || rel <= 1e-6
	if math.Abs(want) < 1e-6 {
		rel = 0 // judged by the absolute tolerance only
	}
	return rel, ok
}

type farrStats struct {
	series, rows, alarms, naRows, noBound int
	maxUB, maxExp, maxScore, maxPhi       float64
}

// compareFarrington checks every series against R's rows.
func compareFarrington(t *testing.T, run *farrRRun, series []farrRSeries) farrStats {
	t.Helper()
	var st farrStats
	for _, s := range series {
		if msg, ok := run.errs[s.name]; ok {
			t.Errorf("%s: R failed: %s", s.name, msg)
			continue
		}
		st.series++
		got, err := Farrington(s.series(), s.params())
		if err != nil {
			t.Errorf("%s: %v", s.name, err)
			continue
		}
		inR := make([]bool, len(s.x))
		nerr := 0
		report := func(format string, a ...any) {
			if nerr < 5 {
				t.Errorf(s.name+": "+format, a...)
			}
			nerr++
		}
		for _, w := range run.rows[s.name] {
			k := w.row
			inR[k] = true
			st.rows++
			if w.alarm == "NA" {
				st.naRows++
				if got.Valid[k] {
					report("row %d: R has no model (alarm NA), Go valid", k+1)
				}
				continue
			}
			if !got.Valid[k] {
				report("row %d: not valid in Go, R alarm %s ub %v", k+1, w.alarm, w.ub)
				continue
			}
			if math.IsNaN(w.ub) {
				st.noBound++
			}
			du, okU := farrDiff(got.UpperBound[k], w.ub)
			de, okE := farrDiff(got.Expected[k], w.expected)
			ds, okS := farrDiff(got.Statistic[k], w.score)
			st.maxUB, st.maxExp, st.maxScore = math.Max(st.maxUB, du), math.Max(st.maxExp, de), math.Max(st.maxScore, ds)
			if !okU || !okE || !okS {
				report("row %d: upper Go %.17g R %.17g; expected Go %.17g R %.17g; score Go %.17g R %.17g",
					k+1, got.UpperBound[k], w.ub, got.Expected[k], w.expected, got.Statistic[k], w.score)
			}
			ga := rBool(got.Alarm[k])
			if ga == "TRUE" {
				st.alarms++
			}
			if ga != w.alarm {
				report("row %d: alarm Go %s R %s (count %v, upper %v, score %v)", k+1, ga, w.alarm, s.x[k], w.ub, w.score)
			}
		}
		// phi and the trend decision, from the internal rows.
		rows, _ := farringtonRows(s.series(), s.params())
		byRow := map[int]farrRow{}
		for _, r := range rows {
			byRow[r.row] = r
		}
		for _, w := range run.rows[s.name] {
			r, ok := byRow[w.row]
			if w.alarm == "NA" || !ok {
				continue
			}
			dp, okP := farrDiff(r.phi, w.phi)
			st.maxPhi = math.Max(st.maxPhi, dp)
			// For constant counts the trend coefficient and its standard
			// error are rounding noise (~1e-18): the trend test is a coin
			// toss in R too, and either way the prediction is the constant.
			trendOK := (w.trendFit == 1) == r.doTrend || strings.HasPrefix(s.name, "edge_constant")
			if !okP || !trendOK {
				report("row %d: phi Go %.17g R %.17g, trend Go %v R %v", w.row+1, r.phi, w.phi, r.doTrend, w.trendFit)
			}
		}
		for i, v := range got.Valid {
			if v && !inR[i] {
				report("row %d: valid in Go but not evaluated by R", i+1)
			}
		}
		if nerr > 5 {
			t.Errorf("%s: %d more differences", s.name, nerr-5)
		}
	}
	return st
}

const farringtonSeed = 20250310

var (
	farrOnce sync.Once
	farrRun  *farrRRun
)

func TestFarrington_MatchesR(t *testing.T) {
	requireR(t)
	farrOnce.Do(func() { farrRun = runFarringtonR(t, genFarringtonSeries(farringtonSeed, 200), false) })
	if farrRun == nil {
		t.Fatal("R run failed earlier")
	}
	var gen, ds []farrRSeries
	for _, s := range farrRun.series {
		if strings.HasPrefix(s.name, "salmNewport") || strings.HasPrefix(s.name, "influMen") {
			ds = append(ds, s)
		} else {
			gen = append(gen, s)
		}
	}
	if len(ds) != 4 {
		t.Fatalf("want 4 data-set series (salmNewport, influMen) from R, got %d", len(ds))
	}
	t.Logf("Rscript wall time: %v", farrRun.wall.Round(time.Millisecond))
	for _, c := range []struct {
		name   string
		series []farrRSeries
	}{{"generated", gen}, {"salmNewport+influMen", ds}} {
		t.Run(c.name, func(t *testing.T) {
			st := compareFarrington(t, farrRun, c.series)
			t.Logf("%d series, %d rows (%d alarms, %d without model, %d without bound by limit54); "+
				"max relative difference (tolerance 1e-6, or 1e-9 absolute): upperbound %.3g, expected %.3g, score %.3g, phi %.3g",
				st.series, st.rows, st.alarms, st.naRows, st.noBound, st.maxUB, st.maxExp, st.maxScore, st.maxPhi)
			if st.rows == 0 {
				t.Error("no rows compared")
			}
		})
	}
}

// TestFarrington_BenchR times R (farringtonFlexible) and Go on the same
// 20 six-year series, every row of R's default range, and prints ms per
// series; it asserts only that the outputs agree.
//
//	go test ./detect -run TestFarrington_BenchR -v
func TestFarrington_BenchR(t *testing.T) {
	if testing.Short() {
		t.Skip("timing comparison skipped in -short mode")
	}
	requireR(t)
	var series []farrRSeries
	for i, preset := range []string{"default", "noufaily"} {
		for j := 0; j < 10; j++ {
			s := farringtonTestSeries(uint64(100*i+j), 6*52)
			p := FarringtonDefault()
			if preset == "noufaily" {
				p = FarringtonNoufaily()
			}
			series = append(series, farrRSeries{name: fmt.Sprintf("bench_%s_%d", preset, j), p: p,
				start: s.Dates[0], x: s.Counts})
		}
	}
	for i, preset := range []string{"default", "noufaily"} {
		part := series[10*i : 10*i+10]
		run := runFarringtonR(t, part, true)
		compareFarrington(t, run, part)
		rMs := run.rSeconds * 1000 / float64(len(part))
		reps := 0
		start := time.Now()
		for time.Since(start) < 500*time.Millisecond {
			for _, s := range part {
				if _, err := Farrington(s.series(), s.p); err != nil {
					t.Fatal(err)
				}
			}
			reps++
		}
		goMs := float64(time.Since(start).Nanoseconds()) / 1e6 / float64(reps*len(part))
		rows := run.rRows / len(part)
		t.Logf("%-8s %d rows/series: R %9.2f ms/series, Go %8.3f ms/series, R/Go %6.0f (Rscript wall %v)",
			preset, rows, rMs, goMs, rMs/goMs, run.wall.Round(time.Millisecond))
	}
}
