package evaluate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/portalescuole/portalescuole/detect"
	"github.com/portalescuole/portalescuole/sim"
)

// The scenario evaluation of issue 10: synthetic school years of several
// kinds (networks of 8-30 or 100+ sentinel plessi; waves starting in
// September-October, winter or spring with doubling times of 3-12 days, or
// no wave; AR(1) day-to-day noise; mild non-influenza bumps; one- or two-day
// disruptions; late and missing reports), with or without two past school
// years of the same network in front of the current one. Each year is
// scored in real time: the detector runs once per school day t on the
// series known on the evening of t (past years complete, the current year
// without the reports still in transit) and the output of row t is kept,
// as the check does with `portalescuole detect --method default` on every
// prefix.

// Kind is a family of simulated years; every parameter range is drawn
// uniformly per year from the year's seed.
type Kind struct {
	Name string
	// Plessi is the range of the number of synthetic sentinel plessi.
	Plessi [2]int
	// Waves are the timings drawn from ("autumn": first 1-point day 25
	// September-10 November; "winter": 1 December-15 February; "spring":
	// 1 March-30 April; "none": no wave), one per year at random.
	Waves []string
	// Doubling (days) and Peak (absolute attributable absence at the peak).
	Doubling, Peak [2]float64
	// AR1Phi and AR1SD ranges of the territory AR(1) noise.
	AR1Phi, AR1SD [2]float64
	// Bumps, Disruptions: ranges of counts per year.
	Bumps, Disruptions [2]int
	// OnTime and Never: ranges of report shares.
	OnTime, Never [2]float64
	// PastYears is the number of past school years in the input (0 or more).
	PastYears int
	// StartYears are the school years drawn from (calendars differ).
	StartYears []int
	// Drift, when not zero, is the range of the winter drift of ordinary
	// absence (sim.Config.SeasonalAmplitude; 0.14-0.2 makes January a
	// quarter to a third higher than September, as in the world of
	// ../shared/valutazione); zero keeps the simulator's default.
	Drift [2]float64
}

// WithDrift returns the kinds with a winter drift drawn in [lo, hi].
func WithDrift(kinds []Kind, lo, hi float64) []Kind {
	out := make([]Kind, len(kinds))
	for i, k := range kinds {
		k.Drift = [2]float64{lo, hi}
		k.Name += ", winter drift"
		out[i] = k
	}
	return out
}

// TuningKinds are the kinds the default was tuned on.
func TuningKinds() []Kind {
	base := Kind{
		Doubling: [2]float64{4, 9}, Peak: [2]float64{0.02, 0.05},
		AR1Phi: [2]float64{0.4, 0.6}, AR1SD: [2]float64{0.03, 0.06},
		Bumps: [2]int{0, 2}, Disruptions: [2]int{1, 2},
		OnTime: [2]float64{0.85, 0.95}, Never: [2]float64{0.02, 0.06},
		StartYears: []int{2015, 2017, 2022},
	}
	small, large := base, base
	small.Name, small.Plessi = "tuning: small network, autumn/winter/none", [2]int{12, 25}
	small.Waves = []string{"autumn", "winter", "none"}
	large.Name, large.Plessi = "tuning: large network, autumn/winter/none", [2]int{100, 140}
	large.Waves = []string{"autumn", "winter", "none"}
	smallPast, largePast := small, large
	smallPast.Name, smallPast.PastYears = small.Name+", 2 past years", 2
	largePast.Name, largePast.PastYears = large.Name+", 2 past years", 2
	return []Kind{small, large, smallPast, largePast}
}

// HeldOutKinds are kinds and parameter combinations not used in tuning:
// spring waves, doubling times at the ends of the range, the smallest and
// a larger network, stronger or weaker correlation, more disruptions and
// bumps, worse reporting, other school years.
func HeldOutKinds() []Kind {
	base := Kind{
		AR1Phi: [2]float64{0.2, 0.8}, AR1SD: [2]float64{0.02, 0.08},
		Bumps: [2]int{1, 3}, Disruptions: [2]int{2, 3},
		OnTime: [2]float64{0.7, 0.85}, Never: [2]float64{0.05, 0.15},
		StartYears: []int{2016, 2019, 2023, 2024},
	}
	var out []Kind
	for _, past := range []int{0, 2} {
		k := base
		k.PastYears = past
		suffix := ""
		if past > 0 {
			suffix = ", 2 past years"
		}
		a := k
		a.Name, a.Plessi, a.Waves = "held-out: 8-11 plessi, fast waves (3-4 d), spring/autumn/none"+suffix, [2]int{8, 11}, []string{"spring", "autumn", "none"}
		a.Doubling, a.Peak = [2]float64{3, 4}, [2]float64{0.015, 0.04}
		b := k
		b.Name, b.Plessi, b.Waves = "held-out: 26-30 plessi, slow waves (9-12 d), winter/spring/none"+suffix, [2]int{26, 30}, []string{"winter", "spring", "none"}
		b.Doubling, b.Peak = [2]float64{9, 12}, [2]float64{0.015, 0.03}
		c := k
		c.Name, c.Plessi, c.Waves = "held-out: 180-250 plessi, 3-12 d, all timings"+suffix, [2]int{180, 250}, []string{"autumn", "winter", "spring", "none"}
		c.Doubling, c.Peak = [2]float64{3, 12}, [2]float64{0.015, 0.06}
		out = append(out, a, b, c)
	}
	return out
}

// Year is one simulated current year with its past years.
type Year struct {
	Kind    string
	Current sim.Simulation
	Past    []sim.Simulation
	Wave    string
}

// SimulateYear draws one year of kind k from seed.
func SimulateYear(k Kind, seed uint64) Year {
	r := rand.New(rand.NewPCG(seed, sim.Seed(seed, 77)))
	uf := func(a [2]float64) float64 { return a[0] + (a[1]-a[0])*r.Float64() }
	ui := func(a [2]int) int { return a[0] + r.IntN(a[1]-a[0]+1) }
	plessi := sim.SyntheticPlessi(ui(k.Plessi), sim.Seed(seed, 1))
	start := k.StartYears[r.IntN(len(k.StartYears))]
	netSeed := sim.Seed(seed, 2)
	cfgFor := func(year int, wave string) sim.Config {
		cfg := sim.DefaultConfig(plessi)
		cfg.NetworkSeed = netSeed
		if k.Drift[1] > 0 {
			cfg.SeasonalAmplitude = uf(k.Drift)
		}
		cfg.AR1Phi, cfg.AR1SD = uf(k.AR1Phi), uf(k.AR1SD)
		cfg.Bumps, cfg.BumpMin, cfg.BumpMax = ui(k.Bumps), 0.002, 0.005
		cfg.Disruptions, cfg.DisruptMin, cfg.DisruptMax = ui(k.Disruptions), 0.03, 0.08
		cfg.OnTimeShare, cfg.NeverShare = uf(k.OnTime), uf(k.Never)
		var on time.Time
		switch wave {
		case "autumn":
			on = time.Date(year, time.September, 25, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(47))
		case "winter":
			on = time.Date(year, time.December, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(77))
		case "spring":
			on = time.Date(year+1, time.March, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(61))
		}
		if on.IsZero() {
			cfg.Wave = func(int) float64 { return 0 }
		} else {
			cfg.Wave = sim.SynthWave(on, uf(k.Doubling), uf(k.Peak))
		}
		return cfg
	}
	y := Year{Kind: k.Name}
	for p := k.PastYears; p >= 1; p-- {
		// Past years: a winter wave or none.
		w := "winter"
		if r.IntN(3) == 0 {
			w = "none"
		}
		yr := start - p
		y.Past = append(y.Past, sim.Simulate(cfgFor(yr, w), sim.Season{Name: fmt.Sprint(yr), StartYear: yr}, sim.Seed(seed, 10+uint64(p))))
	}
	y.Wave = k.Waves[r.IntN(len(k.Waves))]
	y.Current = sim.Simulate(cfgFor(start, y.Wave), sim.Season{Name: fmt.Sprint(start), StartYear: start}, sim.Seed(seed, 10))
	return y
}

// YearScore are the scenario metrics of one year for one setting.
type YearScore struct {
	SeasonScore          // ATQ family against the one-point day
	HasWave, Detected    bool
	Lead                 int // first true alarm - one-point row (negative = before)
	HasLead              bool
	QuietDays, FalseDays int
	Disruptions          int // disruption events in quiet periods
	DisruptionAlarms     int // alarm days on them and the two rows after
	DisruptionsFlagged   int // events with an anomaly flag on one of their rows
	Episodes             int // alert episodes (gap <= 2 rows)
	Quiet                bool
}

// Episodes counts runs of alarm rows, two alarms at most gap rows apart
// (gap-1 quiet rows between them... i.e. up to 2 rows without alarm) being
// one episode.
func Episodes(alarms []bool, gap int) int {
	n, last := 0, -1000
	for i, a := range alarms {
		if !a {
			continue
		}
		if i-last > gap+1 {
			n++
		}
		last = i
	}
	return n
}

// RunYear runs the settings on y in real time and scores them.
//
// With realTime false the settings run once on the final series instead
// (every late report arrived): for a quick first sweep only.
func RunYear(y Year, settings []Setting, methods []detect.Method, realTime bool) ([]YearScore, error) {
	// Past years: the final series, rows with reports only.
	var past detect.Series
	past.Denominators = []float64{}
	for _, p := range y.Past {
		for i := range p.Dates {
			if p.Denominators[i] > 0 {
				past.Dates = append(past.Dates, p.Dates[i])
				past.Counts = append(past.Counts, p.Counts[i])
				past.Denominators = append(past.Denominators, p.Denominators[i])
			}
		}
	}
	cur := y.Current
	ts := buildSeries(cur, false)
	n := len(ts.dates)
	alarms := make([][]bool, len(settings))
	anom := make([][]bool, len(settings))
	for i := range alarms {
		alarms[i], anom[i] = make([]bool, n), make([]bool, n)
	}
	counts := append([]float64(nil), ts.counts...)
	dens := append([]float64(nil), ts.dens...)
	ser := detect.Series{
		Dates:        append([]time.Time(nil), past.Dates...),
		Counts:       append([]float64(nil), past.Counts...),
		Denominators: append([]float64(nil), past.Denominators...),
	}
	np := len(past.Dates)
	if !realTime {
		for i := 0; i < n; i++ {
			if dens[i] > 0 {
				ser.Dates = append(ser.Dates, ts.dates[i])
				ser.Counts = append(ser.Counts, counts[i])
				ser.Denominators = append(ser.Denominators, dens[i])
			}
		}
		for k, m := range methods {
			res, err := m(ser, settings[k].Params)
			if err != nil {
				return nil, fmt.Errorf("evaluate: %s: %w", settings[k].Name(), err)
			}
			j := np
			for i := 0; i < n; i++ {
				if dens[i] > 0 {
					alarms[k][i] = res.Alarm[j]
					if res.Anomaly != nil {
						anom[k][i] = res.Anomaly[j]
					}
					j++
				}
			}
		}
	}
	for t := 0; t < n && realTime; t++ {
		for _, l := range ts.late {
			if l.Row <= t && l.Arrival > t {
				counts[l.Row] -= l.Count
				dens[l.Row] -= l.Iscritti
			}
		}
		ser.Dates, ser.Counts, ser.Denominators = ser.Dates[:np], ser.Counts[:np], ser.Denominators[:np]
		for i := 0; i <= t; i++ {
			if dens[i] > 0 {
				ser.Dates = append(ser.Dates, ts.dates[i])
				ser.Counts = append(ser.Counts, counts[i])
				ser.Denominators = append(ser.Denominators, dens[i])
			}
		}
		last := len(ser.Dates) - 1
		if dens[t] > 0 {
			for k, m := range methods {
				res, err := m(ser, settings[k].Params)
				if err != nil {
					return nil, fmt.Errorf("evaluate: %s: %w", settings[k].Name(), err)
				}
				alarms[k][t] = res.Alarm[last]
				if res.Anomaly != nil {
					anom[k][t] = res.Anomaly[last]
				}
			}
		}
		for _, l := range ts.late {
			if l.Row <= t && l.Arrival > t {
				counts[l.Row] += l.Count
				dens[l.Row] += l.Iscritti
			}
		}
	}
	tr := cur.Truth
	attr := make([]float64, n)
	disr := make([]bool, n)
	onePoint := -1
	for j, i := range ts.orig {
		attr[j] = tr.Attributable[i]
		disr[j] = tr.Disruption[i]
		if onePoint < 0 && i >= tr.OnePointRow && tr.OnePointRow >= 0 {
			onePoint = j
		}
	}
	out := make([]YearScore, len(settings))
	for k := range settings {
		a := alarms[k]
		var s YearScore
		s.SeasonScore = Score(a, Truth{Dates: ts.dates, Reference: tr.Onset, Outbreak: ts.outbreak}, DefaultATQParams())
		s.HasWave = onePoint >= 0
		s.Quiet = !s.HasWave
		first := -1
		for i := range a {
			if a[i] && ts.outbreak[i] && first < 0 {
				first = i
			}
		}
		s.Detected = s.HasWave && first >= 0
		if s.Detected {
			s.Lead, s.HasLead = first-onePoint, true
		}
		near := make([]bool, n) // disruption rows and the two after
		for i := range disr {
			if disr[i] {
				for j := i; j < min(n, i+3); j++ {
					near[j] = true
				}
			}
		}
		for i := range a {
			if attr[i] < 0.001 && !near[i] {
				s.QuietDays++
				if a[i] {
					s.FalseDays++
				}
			}
		}
		for i := 0; i < n; i++ {
			if !disr[i] || (i > 0 && disr[i-1]) {
				continue
			}
			end := i
			for end+1 < n && disr[end+1] {
				end++
			}
			if attr[i] >= 0.001 {
				continue
			}
			s.Disruptions++
			for j := i; j < min(n, end+3); j++ {
				if a[j] {
					s.DisruptionAlarms++
				}
			}
			for j := i; j <= end; j++ {
				if anom[k][j] {
					s.DisruptionsFlagged++
					break
				}
			}
		}
		s.Episodes = Episodes(a, 2)
		out[k] = s
	}
	return out, nil
}

// ScenarioMetrics summarise YearScores.
type ScenarioMetrics struct {
	Years, Waves, Quiet int
	Detected            float64 // share of waves detected
	LeadMedian          float64 // median lead (school days; negative = before the 1-point day)
	LeadQ1, LeadQ3      float64
	FalsePer100         float64 // false-alarm days per 100 quiet school days
	AlarmsPerDisruption float64
	FlaggedDisruptions  float64 // share of disruptions flagged as anomalies
	EpisodesPerQuiet    float64 // alert episodes per year without a wave
	FATQ, AATQ, FAR     float64
}

// SummarizeYears aggregates scores of one setting over years.
func SummarizeYears(sc []YearScore) ScenarioMetrics {
	var m ScenarioMetrics
	var leads []float64
	var det, quietDays, fd, dis, disA, flag, epi int
	var ss []SeasonScore
	for _, s := range sc {
		m.Years++
		ss = append(ss, s.SeasonScore)
		if s.HasWave {
			m.Waves++
			if s.Detected {
				det++
			}
			if s.HasLead {
				leads = append(leads, float64(s.Lead))
			}
		} else {
			m.Quiet++
			epi += s.Episodes
		}
		quietDays += s.QuietDays
		fd += s.FalseDays
		dis += s.Disruptions
		disA += s.DisruptionAlarms
		flag += s.DisruptionsFlagged
	}
	m.Detected = ratio(float64(det), float64(m.Waves))
	m.LeadMedian, m.LeadQ1, m.LeadQ3 = quantile(leads, 0.5), quantile(leads, 0.25), quantile(leads, 0.75)
	m.FalsePer100 = 100 * ratio(float64(fd), float64(quietDays))
	m.AlarmsPerDisruption = ratio(float64(disA), float64(dis))
	m.FlaggedDisruptions = ratio(float64(flag), float64(dis))
	m.EpisodesPerQuiet = ratio(float64(epi), float64(m.Quiet))
	all := Summarize(ss)
	m.FATQ, m.AATQ, m.FAR = all.FATQ, all.AATQ, all.FAR
	return m
}

// ScenarioResult is the table of one kind (or the pool of several).
type ScenarioResult struct {
	Kind    string
	Metrics []ScenarioMetrics // per setting
}

// EvaluateKinds simulates nYears of each kind (seeds sim.Seed(seed, kind,
// j)) and scores every setting; the last result pools all kinds.
func EvaluateKinds(settings []Setting, kinds []Kind, nYears int, seed uint64, workers int, realTime bool) ([]ScenarioResult, error) {
	methods := make([]detect.Method, len(settings))
	for i, s := range settings {
		if s.Fn != nil {
			methods[i] = s.Fn
			continue
		}
		m, ok := detect.Lookup(s.Method)
		if !ok {
			return nil, fmt.Errorf("evaluate: metodo %q non registrato", s.Method)
		}
		methods[i] = m
	}
	type job struct{ kind, j int }
	var jobs []job
	for k := range kinds {
		for j := 0; j < nYears; j++ {
			jobs = append(jobs, job{k, j})
		}
	}
	scores := make([][]YearScore, len(jobs))
	errs := make([]error, len(jobs))
	parallelo(len(jobs), workers, func(i int) {
		jb := jobs[i]
		y := SimulateYear(kinds[jb.kind], sim.Seed(seed, uint64(jb.kind), uint64(jb.j)))
		scores[i], errs[i] = RunYear(y, settings, methods, realTime)
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	var out []ScenarioResult
	pool := make([][]YearScore, len(settings))
	for k, kd := range kinds {
		r := ScenarioResult{Kind: kd.Name}
		for si := range settings {
			var col []YearScore
			for i, jb := range jobs {
				if jb.kind == k {
					col = append(col, scores[i][si])
				}
			}
			pool[si] = append(pool[si], col...)
			r.Metrics = append(r.Metrics, SummarizeYears(col))
		}
		out = append(out, r)
	}
	all := ScenarioResult{Kind: "all kinds"}
	for si := range settings {
		all.Metrics = append(all.Metrics, SummarizeYears(pool[si]))
	}
	return append(out, all), nil
}

// ScuolaGrid is the grid of scuola settings tuned (docs/detection.md).
func ScuolaGrid() []Setting {
	var g []Setting
	for _, k := range []string{"0", "0.25"} {
		for _, h := range []string{"1.5", "2", "2.5"} {
			for _, pt := range []string{"0.0035", "0.004"} {
				g = append(g, Setting{Method: "scuola", Params: detect.Params{"k": k, "h": h, "points": pt}})
			}
		}
	}
	return g
}

// FinalSettings are scored in real time on both sets: "default" (the
// command's own path), three neighbours of it, the previous default and
// "default" on counts without denominators.
func FinalSettings() []Setting {
	return []Setting{
		{Method: "default", Params: detect.Params{}},
		{Method: "scuola", Params: detect.Params{"k": "0.25", "h": "2.5", "points": "0.0035"}},
		{Method: "scuola", Params: detect.Params{"k": "0.25", "h": "1.5", "points": "0.004"}},
		{Method: "scuola", Params: detect.Params{"k": "0", "h": "2", "points": "0.004"}},
		{Method: "dow", Params: detect.Params{"weeks": "8", "alpha": "0.01"}},
		{Method: "default (counts only)", Params: detect.Params{}, Fn: countsOnly("default")},
	}
}

// DriftSettings are compared on the kinds with a winter drift: the
// default (livello), the previous default (scuola as it was configured)
// and two textbook methods.
func DriftSettings() []Setting {
	return []Setting{
		{Method: "default", Params: detect.Params{}},
		{Method: "scuola", Params: detect.Params{"k": "0.25", "h": "2", "points": "0.004"}},
		{Method: "ewma", Params: detect.Params{}},
		{Method: "ears-c2", Params: detect.Params{}},
	}
}

// countsOnly runs a method without the denominator column, as the command
// does on a `date,count` CSV.
func countsOnly(method string) detect.Method {
	m, _ := detect.Lookup(method)
	return func(s detect.Series, p detect.Params) (detect.Result, error) {
		s.Denominators = nil
		return m(s, p)
	}
}

// ScenarioMarkdown writes one table per result: a row per setting.
func ScenarioMarkdown(b *strings.Builder, settings []Setting, results []ScenarioResult, mark string) {
	for _, r := range results {
		if len(r.Metrics) == 0 {
			continue
		}
		m0 := r.Metrics[0]
		fmt.Fprintf(b, "\n##### %s (%d years: %d with a wave, %d without)\n\n", r.Kind, m0.Years, m0.Waves, m0.Quiet)
		b.WriteString("| setting | waves detected | median lead (IQR) | false-alarm days /100 quiet | alarms / disruption | disruptions flagged | episodes / quiet year | FATQ | AATQ | FAR |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|\n")
		idx := make([]int, len(settings))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, c int) bool { return false })
		for _, i := range idx {
			m := r.Metrics[i]
			name := "`" + settings[i].Name() + "`"
			if settings[i].Name() == mark {
				name = "**" + name + "**"
			}
			fmt.Fprintf(b, "| %s | %s | %s (%s, %s) | %s | %s | %s | %s | %s | %s | %s |\n", name,
				pct(m.Detected), f1(m.LeadMedian), f1(m.LeadQ1), f1(m.LeadQ3), f2(m.FalsePer100),
				f2(m.AlarmsPerDisruption), pct(m.FlaggedDisruptions), f2(m.EpisodesPerQuiet), f3(m.FATQ), f3(m.AATQ), f3(m.FAR))
		}
	}
}

// ChooseScuola picks, among settings meeting the targets on the pooled
// result (detected >= 90%, median lead <= 0, false-alarm days <= 1/100,
// alarms per disruption <= 1), the one with the fewest false-alarm days
// plus a penalty for lateness: score = FalsePer100 + 0.2*max(LeadMedian+3, 0)
// + 10*(1-Detected). ok is false when none meets the targets.
func ChooseScuola(pool ScenarioResult) (int, bool) {
	best, bestScore := -1, math.Inf(1)
	for i, m := range pool.Metrics {
		if !(m.Detected >= 0.9 && m.LeadMedian <= 0 && m.FalsePer100 <= 1 && m.AlarmsPerDisruption <= 1) {
			continue
		}
		sc := m.FalsePer100 + 0.2*math.Max(m.LeadMedian+3, 0) + 10*(1-m.Detected)
		if sc < bestScore {
			best, bestScore = i, sc
		}
	}
	return best, best >= 0
}
