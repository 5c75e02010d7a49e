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

	"github.com/portalescuole/portalescuole/internal/testenv"
)

// The R comparison: Go writes seeded random series, testdata/compare.R
// computes earsC (C1, C2, C3) and algo.cusum on them and on the package
// data sets, and Go compares every evaluated row.

// rSeries is one input line of compare.R.
type rSeries struct {
	name     string
	baseline int
	minSigma float64
	alpha    float64 // 0: let earsC pick its method default
	ref      int
	k, h     float64
	m        *float64 // nil: algo.cusum's m = NULL
	x        []float64
}

func (s rSeries) ears() EarsParams {
	return EarsParams{Baseline: s.baseline, MinSigma: s.minSigma, Alpha: s.alpha}
}

func (s rSeries) cusum() CusumParams {
	return CusumParams{Ref: s.ref, K: s.k, H: s.h, M: s.m}
}

func (s rSeries) line() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	m := "NA"
	if s.m != nil {
		m = f(*s.m)
	}
	xs := make([]string, len(s.x))
	for i, v := range s.x {
		xs[i] = f(v)
	}
	return strings.Join([]string{s.name, strconv.Itoa(s.baseline), f(s.minSigma), f(s.alpha),
		strconv.Itoa(s.ref), f(s.k), f(s.h), m, strings.Join(xs, " ")}, "\t")
}

func parseRSeries(line string) (rSeries, error) {
	f := strings.Split(line, "\t")
	if len(f) != 9 {
		return rSeries{}, fmt.Errorf("want 9 fields, got %d: %q", len(f), line)
	}
	var s rSeries
	var err error
	num := func(v string) float64 {
		x, e := strconv.ParseFloat(v, 64)
		if e != nil && err == nil {
			err = e
		}
		return x
	}
	s.name = f[0]
	s.baseline = int(num(f[1]))
	s.minSigma, s.alpha = num(f[2]), num(f[3])
	s.ref = int(num(f[4]))
	s.k, s.h = num(f[5]), num(f[6])
	if f[7] != "NA" {
		m := num(f[7])
		s.m = &m
	}
	for _, v := range strings.Fields(f[8]) {
		s.x = append(s.x, num(v))
	}
	return s, err
}

// poisson draws a Poisson variate by Knuth's product method (fine for the
// small means used here).
func poisson(r *rand.Rand, lambda float64) float64 {
	l, k, p := math.Exp(-lambda), 0.0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// genSeries returns n seeded series covering sparse counts with many
// zeros, dense counts, ties and constant stretches, and outbreaks, with
// varied detector parameters.
func genSeries(seed uint64, n int) []rSeries {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	baselines := []int{3, 5, 7, 7, 7, 7, 10, 14, 28}
	minSigmas := []float64{0, 0, 0, 0.2, 0.5, 1}
	alphas := []float64{0, 0.001, 0.001, 0.01, 0.025, 0.05}
	out := make([]rSeries, n)
	for i := range out {
		s := rSeries{baseline: baselines[r.IntN(len(baselines))], k: 1.04, h: 2.26}
		length := 30 + r.IntN(171)
		if length < s.baseline+10 {
			length = s.baseline + 10
		}
		kind := i % 5
		s.name = fmt.Sprintf("s%03d_kind%d", i, kind)
		lambda := 0.0
		switch kind {
		case 0: // sparse: mostly zeros
			lambda = 0.05 + 0.75*r.Float64()
		case 1: // dense
			lambda = 5 + 75*r.Float64()
		case 2, 3: // moderate, with constant stretches below
			lambda = 1 + 10*r.Float64()
		case 4: // overdispersed (gamma-ish mixture) with outbreaks below
			lambda = 2 + 20*r.Float64()
		}
		s.x = make([]float64, length)
		for t := 0; t < length; t++ {
			l := lambda
			if kind == 4 {
				l *= 0.25 + 1.5*r.Float64()
			}
			s.x[t] = poisson(r, l)
		}
		if kind == 2 || kind == 3 {
			for c := 0; c < 1+r.IntN(4); c++ { // constant stretches (ties, sd = 0)
				start, w := r.IntN(length), 3+r.IntN(15)
				v := s.x[start]
				if r.IntN(3) == 0 {
					v = 0
				}
				for t := start; t < start+w && t < length; t++ {
					s.x[t] = v
				}
			}
		}
		if kind == 4 || r.IntN(4) == 0 { // outbreak
			start, w := r.IntN(length), 2+r.IntN(8)
			for t := start; t < start+w && t < length; t++ {
				s.x[t] += poisson(r, 2+2*lambda)
			}
		}
		s.minSigma = minSigmas[r.IntN(len(minSigmas))]
		s.alpha = alphas[r.IntN(len(alphas))]
		s.ref = 1 + r.IntN(length/2)
		switch r.IntN(6) {
		case 0:
			s.k, s.h = 0.5, 4
		case 1:
			m := math.Round(10*(0.5+lambda)) / 10
			s.m = &m
		}
		out[i] = s
	}
	return out
}

// rRow is one evaluated time point reported by R.
type rRow struct {
	row   int // 0-based
	ub    float64
	alarm string // TRUE, FALSE or NA
}

type rRun struct {
	series   []rSeries
	rows     map[string]map[string][]rRow // series name -> method -> rows
	qnorm    [][2]float64
	rSeconds map[string]float64 // compute time per method (time mode)
	wall     time.Duration
}

// requireR skips the test unless Rscript and the surveillance package work.
func requireR(t testing.TB) {
	t.Helper()
	rCheckOnce.Do(func() {
		if _, err := exec.LookPath("Rscript"); err != nil {
			rSkipReason = "Rscript not on PATH: R comparison skipped (apt-get install r-cran-surveillance)"
			return
		}
		out, err := exec.Command("Rscript", "-e", `suppressPackageStartupMessages(library(surveillance))`).CombinedOutput()
		if err != nil {
			rSkipReason = fmt.Sprintf("library(surveillance) fails in R, R comparison skipped: %v\n%s", err, out)
		}
	})
	if rSkipReason != "" {
		testenv.Missing(t, "%s", rSkipReason)
	}
}

var (
	rCheckOnce  sync.Once
	rSkipReason string
)

// runR writes series to a temp dir and runs compare.R once over all of them.
func runR(t testing.TB, series []rSeries, timing bool) *rRun {
	t.Helper()
	dir, err := os.MkdirTemp("", "detect-r-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "series.txt")
	var b strings.Builder
	for _, s := range series {
		b.WriteString(s.line())
		b.WriteByte('\n')
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "compare.R"))
	if err != nil {
		t.Fatal(err)
	}
	resPath, dsPath, qPath := filepath.Join(dir, "results.txt"), filepath.Join(dir, "datasets.txt"), filepath.Join(dir, "qnorm.txt")
	args := []string{script, in, resPath, dsPath, qPath}
	if timing {
		args = append(args, "time")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("Rscript", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("Rscript compare.R: %v\n%s", err, stderr.String())
	}
	run := &rRun{wall: time.Since(start), rows: map[string]map[string][]rRow{}, rSeconds: map[string]float64{}}

	run.series = append(run.series, series...)
	ds, err := os.ReadFile(dsPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(ds)), "\n") {
		s, err := parseRSeries(l)
		if err != nil {
			t.Fatalf("datasets.txt: %v", err)
		}
		run.series = append(run.series, s)
	}

	f, err := os.Open(resPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Split(sc.Text(), "\t")
		if len(fl) != 5 {
			t.Fatalf("bad result line %q", sc.Text())
		}
		row, err := strconv.Atoi(fl[2])
		if err != nil {
			t.Fatal(err)
		}
		ub := math.NaN()
		if fl[3] != "NA" {
			if ub, err = strconv.ParseFloat(fl[3], 64); err != nil {
				t.Fatal(err)
			}
		}
		if run.rows[fl[0]] == nil {
			run.rows[fl[0]] = map[string][]rRow{}
		}
		run.rows[fl[0]][fl[1]] = append(run.rows[fl[0]][fl[1]], rRow{row: row - 1, ub: ub, alarm: fl[4]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	q, err := os.ReadFile(qPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(q)), "\n") {
		fl := strings.Split(l, "\t")
		p, err1 := strconv.ParseFloat(fl[0], 64)
		v, err2 := strconv.ParseFloat(fl[1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad qnorm line %q", l)
		}
		run.qnorm = append(run.qnorm, [2]float64{p, v})
	}

	for _, l := range strings.Split(stdout.String(), "\n") {
		var meth string
		var sec float64
		var n int
		if _, err := fmt.Sscanf(l, "TIME %s %g %d", &meth, &sec, &n); err == nil {
			run.rSeconds[meth] = sec
		}
	}
	return run
}

var (
	compareOnce sync.Once
	compareRun  *rRun
)

const compareSeed = 20240901

// sharedRun runs R once per test binary for all comparison tests.
func sharedRun(t *testing.T) *rRun {
	t.Helper()
	requireR(t)
	compareOnce.Do(func() { compareRun = runR(t, genSeries(compareSeed, 240), false) })
	if compareRun == nil {
		t.Fatal("R run failed earlier")
	}
	return compareRun
}

var goMethods = map[string]func(rSeries) Result{
	"C1":    func(s rSeries) Result { return EarsC1(s.x, s.ears()) },
	"C2":    func(s rSeries) Result { return EarsC2(s.x, s.ears()) },
	"C3":    func(s rSeries) Result { return EarsC3(s.x, s.ears()) },
	"CUSUM": func(s rSeries) Result { return Cusum(s.x, s.cusum()) },
}

// compareMethod checks every series' Go result against R's rows and
// returns the largest relative upper-bound difference and rows compared.
func compareMethod(t *testing.T, run *rRun, method string) (maxRel float64, rows, alarms, na int) {
	t.Helper()
	fn := goMethods[method]
	for _, s := range run.series {
		want, ok := run.rows[s.name][method]
		if !ok {
			t.Errorf("%s/%s: no R output", s.name, method)
			continue
		}
		got := fn(s)
		inR := make([]bool, len(s.x))
		for _, w := range want {
			inR[w.row] = true
			rows++
			g := got.UpperBound[w.row]
			switch {
			case math.IsNaN(w.ub) || math.IsNaN(g):
				if !(math.IsNaN(w.ub) && math.IsNaN(g)) {
					t.Errorf("%s/%s row %d: ub Go %v, R %v", s.name, method, w.row+1, g, w.ub)
				}
			default:
				d := math.Abs(g - w.ub)
				if d > 1e-12 {
					rel := d / math.Abs(w.ub)
					maxRel = math.Max(maxRel, rel)
					if rel > 1e-9 {
						t.Errorf("%s/%s row %d: ub Go %.17g, R %.17g (rel %.2e)", s.name, method, w.row+1, g, w.ub, rel)
					}
				}
			}
			var ga string
			switch {
			case !got.Valid[w.row]:
				ga = "NA"
				na++
			case got.Alarm[w.row]:
				ga = "TRUE"
				alarms++
			default:
				ga = "FALSE"
			}
			if ga != w.alarm {
				t.Errorf("%s/%s row %d: alarm Go %s, R %s (count %v, ub %v)", s.name, method, w.row+1, ga, w.alarm, s.x[w.row], w.ub)
			}
		}
		for i, v := range got.Valid {
			if v && !inR[i] {
				t.Errorf("%s/%s row %d: valid in Go but not evaluated by R", s.name, method, i+1)
			}
		}
	}
	return maxRel, rows, alarms, na
}

func TestEars_MatchesR(t *testing.T) {
	run := sharedRun(t)
	for _, m := range []string{"C1", "C2", "C3"} {
		maxRel, rows, alarms, na := compareMethod(t, run, m)
		t.Logf("%s: %d series, %d rows, %d alarms, %d NA rows, max relative ub difference %.3g", m, len(run.series), rows, alarms, na, maxRel)
		enoughCompared(t, m, len(run.series), rows, alarms)
	}
}

// Minimums of a comparison with R (the seeded run gives about 246 series,
// 23,000–28,000 rows and 1,500–4,900 alarms per method, 2,574 qnorm
// points): an R script that silently produced little cannot pass.
const (
	minRSeries = 200
	minRRows   = 20000
	minRAlarms = 500
	minRQnorm  = 2000
)

func enoughCompared(t *testing.T, method string, series, rows, alarms int) {
	t.Helper()
	if series < minRSeries || rows < minRRows || alarms < minRAlarms {
		t.Errorf("%s: compared %d series, %d rows, %d alarms with R; want at least %d, %d, %d",
			method, series, rows, alarms, minRSeries, minRRows, minRAlarms)
	}
}

func TestCusum_MatchesR(t *testing.T) {
	run := sharedRun(t)
	maxRel, rows, alarms, na := compareMethod(t, run, "CUSUM")
	t.Logf("CUSUM: %d series, %d rows, %d alarms, %d NA rows, max relative ub difference %.3g", len(run.series), rows, alarms, na, maxRel)
	enoughCompared(t, "CUSUM", len(run.series), rows, alarms)
}

func TestDatasets_Covered(t *testing.T) {
	run := sharedRun(t)
	n := 0
	for _, s := range run.series {
		if strings.HasPrefix(s.name, "salmNewport") || strings.HasPrefix(s.name, "influMen") {
			n++
		}
	}
	if n != 6 {
		t.Errorf("expected 6 data-set series from R, got %d", n)
	}
}

func TestNormalQuantile_MatchesR(t *testing.T) {
	run := sharedRun(t)
	var maxRel float64
	for _, pq := range run.qnorm {
		got := NormalQuantile(pq[0])
		rel := math.Abs(got-pq[1]) / math.Abs(pq[1])
		if pq[1] == 0 {
			rel = math.Abs(got)
		}
		maxRel = math.Max(maxRel, rel)
		if rel > 1e-15 {
			t.Errorf("NormalQuantile(%.17g) = %.17g, R qnorm %.17g", pq[0], got, pq[1])
		}
	}
	t.Logf("qnorm: %d points, max relative difference %.3g", len(run.qnorm), maxRel)
	if len(run.qnorm) < minRQnorm {
		t.Errorf("qnorm: %d points compared with R, want at least %d", len(run.qnorm), minRQnorm)
	}
}
