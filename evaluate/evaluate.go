// Package evaluate scores the detectors of package detect on seasons
// simulated by package sim with the ATQ family of metrics (FAR, ADD, ATQ,
// AATQ, FATQ; see metrics.go for definitions and sources), plus
// sensitivity, false-alarm days and the lead time of the first true alarm
// before the InfluNet epidemic onset. It backs `portalescuole evaluate`
// (Main) and docs/detection.md.
package evaluate

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/portalescuole/portalescuole/detect"
	"github.com/portalescuole/portalescuole/sim"
)

// Setting is one detector configuration: a registered method name and its
// parameters. Fn, when set, is run instead of detect.Lookup(Method) (for
// tests and baselines such as "always alarm").
type Setting struct {
	Method string
	Params detect.Params
	Fn     detect.Method
}

// Name renders the setting as "method k=v k=v" with parameters sorted.
func (s Setting) Name() string {
	keys := make([]string, 0, len(s.Params))
	for k := range s.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(s.Method)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, s.Params[k])
	}
	return b.String()
}

// Options control an evaluation.
type Options struct {
	// Seed is the base seed; simulation j of season i uses sim.Seed(Seed, i, j).
	Seed uint64
	// RealTime runs every detector as the portal would, once per school day
	// t on the territorial series known at the end of day t (late reports
	// not yet arrived are missing), keeping the alarm of day t. When false
	// the detectors run once on the final series (faster, optimistic).
	RealTime bool
	// ExcludeSaturdays drops the Saturday rows from the territorial series
	// before detection (only 6-day plessi report on Saturdays).
	ExcludeSaturdays bool
	ATQ              ATQParams
	// Workers is the number of simulations run in parallel (0 = GOMAXPROCS).
	Workers int
}

// DefaultOptions: seed 1, real time, Saturdays kept, ATQ as in R.
func DefaultOptions() Options {
	return Options{Seed: 1, RealTime: true, ATQ: DefaultATQParams()}
}

// Row is one line of the results table.
type Row struct {
	Setting Setting
	Metrics
}

// Report is the result of an evaluation.
type Report struct {
	Rows []Row
	// Simulations is the number of simulated seasons scored per setting;
	// WithOnset how many had an epidemic onset, WithOutbreak outbreak days.
	Simulations, WithOnset, WithOutbreak int
	// MeanRows is the mean number of rows (school days) of the series.
	MeanRows float64
	Options  Options
}

// Evaluate runs every setting on nSim simulations of each season with
// DefaultOptions and returns one row per setting, in the order given.
func Evaluate(settings []Setting, seasons []sim.Season, cfg sim.Config, nSim int) ([]Row, error) {
	r, err := EvaluateWith(settings, seasons, cfg, nSim, DefaultOptions())
	return r.Rows, err
}

// EvaluateWith is Evaluate with explicit options and the full report.
func EvaluateWith(settings []Setting, seasons []sim.Season, cfg sim.Config, nSim int, opt Options) (Report, error) {
	methods := make([]detect.Method, len(settings))
	for i, s := range settings {
		if s.Fn != nil {
			methods[i] = s.Fn
			continue
		}
		m, ok := detect.Lookup(s.Method)
		if !ok {
			return Report{}, fmt.Errorf("evaluate: metodo %q non registrato", s.Method)
		}
		methods[i] = m
	}
	type job struct{ season, rep int }
	var jobs []job
	for i := range seasons {
		for j := 0; j < nSim; j++ {
			jobs = append(jobs, job{i, j})
		}
	}
	scores := make([][]SeasonScore, len(jobs)) // [job][setting]
	info := make([]sim.Truth, len(jobs))
	nrows := make([]int, len(jobs))
	errs := make([]error, len(jobs))
	parallelo(len(jobs), opt.Workers, func(k int) {
		jb := jobs[k]
		s := sim.Simulate(cfg, seasons[jb.season], sim.Seed(opt.Seed, uint64(jb.season), uint64(jb.rep)))
		info[k] = s.Truth
		scores[k], nrows[k], errs[k] = runSettings(s, settings, methods, opt)
	})
	for _, err := range errs {
		if err != nil {
			return Report{}, err
		}
	}
	rep := Report{Simulations: len(jobs), Options: opt}
	var rowsSum int
	for k, t := range info {
		if t.HasOnset() {
			rep.WithOnset++
		}
		for _, ob := range t.Outbreak {
			if ob {
				rep.WithOutbreak++
				break
			}
		}
		rowsSum += nrows[k]
	}
	if len(jobs) > 0 {
		rep.MeanRows = float64(rowsSum) / float64(len(jobs))
	}
	for i, s := range settings {
		col := make([]SeasonScore, len(jobs))
		for k := range jobs {
			col[k] = scores[k][i]
		}
		rep.Rows = append(rep.Rows, Row{Setting: s, Metrics: Summarize(col)})
	}
	return rep, nil
}

// territorial is the series handed to the detectors.
type territorial struct {
	orig         []int // row of sim.Dates for each row here
	dates        []time.Time
	counts, dens []float64
	outbreak     []bool
	late         []sim.LateReport // Row/Arrival in rows here; Arrival may be len
}

func buildSeries(s sim.Simulation, excludeSat bool) territorial {
	var t territorial
	idx := make([]int, len(s.Dates)) // sim row -> row here, -1 dropped
	for i, d := range s.Dates {
		if excludeSat && d.Weekday() == time.Saturday {
			idx[i] = -1
			continue
		}
		idx[i] = len(t.orig)
		t.orig = append(t.orig, i)
		t.dates = append(t.dates, d)
		t.counts = append(t.counts, s.Counts[i])
		t.dens = append(t.dens, s.Denominators[i])
		t.outbreak = append(t.outbreak, s.Truth.Outbreak[i])
	}
	for _, l := range s.Late {
		if idx[l.Row] < 0 {
			continue
		}
		// The first kept row on or after the arrival row.
		arr := len(t.orig)
		for a := l.Arrival; a < len(s.Dates); a++ {
			if idx[a] >= 0 {
				arr = idx[a]
				break
			}
		}
		l.Row, l.Arrival = idx[l.Row], arr
		t.late = append(t.late, l)
	}
	return t
}

// runSettings runs every setting on one simulation and scores it.
func runSettings(s sim.Simulation, settings []Setting, methods []detect.Method, opt Options) ([]SeasonScore, int, error) {
	ts := buildSeries(s, opt.ExcludeSaturdays)
	n := len(ts.dates)
	alarms := make([][]bool, len(settings))
	for i := range alarms {
		alarms[i] = make([]bool, n)
	}
	run := func(t int, counts, dens []float64, keepLast bool) error {
		// Rows with no report at all (denominator 0) are not in the series
		// the portal has: drop them.
		dates := ts.dates[:t+1]
		rows := make([]int, 0, t+1)
		allIn := true
		for i := 0; i <= t; i++ {
			if dens[i] > 0 {
				rows = append(rows, i)
			} else {
				allIn = false
			}
		}
		ser := detect.Series{Dates: dates, Counts: counts[:t+1], Denominators: dens[:t+1]}
		if !allIn {
			ser = detect.Series{Dates: make([]time.Time, len(rows)), Counts: make([]float64, len(rows)), Denominators: make([]float64, len(rows))}
			for j, i := range rows {
				ser.Dates[j], ser.Counts[j], ser.Denominators[j] = dates[i], counts[i], dens[i]
			}
		}
		if len(rows) == 0 {
			return nil
		}
		for k, m := range methods {
			res, err := m(ser, settings[k].Params)
			if err != nil {
				return fmt.Errorf("evaluate: %s: %w", settings[k].Name(), err)
			}
			if keepLast {
				if rows[len(rows)-1] == t {
					alarms[k][t] = res.Alarm[len(rows)-1]
				}
				continue
			}
			for j, i := range rows {
				alarms[k][i] = res.Alarm[j]
			}
		}
		return nil
	}
	if opt.RealTime {
		counts := append([]float64(nil), ts.counts...)
		dens := append([]float64(nil), ts.dens...)
		for t := 0; t < n; t++ {
			var pending []sim.LateReport
			for _, l := range ts.late {
				if l.Row <= t && l.Arrival > t {
					pending = append(pending, l)
					counts[l.Row] -= l.Count
					dens[l.Row] -= l.Iscritti
				}
			}
			err := run(t, counts, dens, true)
			for _, l := range pending {
				counts[l.Row] += l.Count
				dens[l.Row] += l.Iscritti
			}
			if err != nil {
				return nil, n, err
			}
		}
	} else if n > 0 {
		if err := run(n-1, ts.counts, ts.dens, false); err != nil {
			return nil, n, err
		}
	}
	truth := Truth{Dates: ts.dates, Reference: s.Truth.Onset, Outbreak: ts.outbreak}
	out := make([]SeasonScore, len(settings))
	for k := range settings {
		out[k] = Score(alarms[k], truth, opt.ATQ)
	}
	return out, n, nil
}

// parallelo runs do(0) … do(n-1) on workers goroutines (all the CPUs when
// workers ≤ 0) and returns when all are done; each index is done once.
func parallelo(n, workers int, do func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				do(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
