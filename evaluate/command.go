package evaluate

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/portalescuole/portalescuole/detect"
	"github.com/portalescuole/portalescuole/sim"
)

// DefaultSeasons are the InfluNet seasons of docs/detection.md: the ten
// complete seasons from 2013-14, without 2019-20 (schools closed from 24
// February 2020) and 2020-21 (no influenza epidemic, schools partly in
// distance learning). 2011-12 starts in January in the source.
var DefaultSeasons = []string{
	"2013-2014", "2014-2015", "2015-2016", "2016-2017", "2017-2018",
	"2018-2019", "2021-2022", "2022-2023", "2023-2024", "2024-2025",
}

// Markers delimit the generated part of docs/detection.md.
const (
	BeginMarker = "<!-- evaluate:begin -->"
	EndMarker   = "<!-- evaluate:end -->"
)

// Baselines are two useless detectors kept in the table as reference
// points: one that alarms every day, one that never alarms.
func Baselines() []Setting {
	always := func(s detect.Series, _ detect.Params) (detect.Result, error) {
		n := len(s.Counts)
		r := detect.Result{Expected: make([]float64, n), UpperBound: make([]float64, n), Statistic: make([]float64, n), Alarm: make([]bool, n), Valid: make([]bool, n)}
		for i := range r.Alarm {
			r.Alarm[i], r.Valid[i] = true, true
		}
		return r, nil
	}
	never := func(s detect.Series, _ detect.Params) (detect.Result, error) {
		n := len(s.Counts)
		r := detect.Result{Expected: make([]float64, n), UpperBound: make([]float64, n), Statistic: make([]float64, n), Alarm: make([]bool, n), Valid: make([]bool, n)}
		for i := range r.Valid {
			r.Valid[i] = true
		}
		return r, nil
	}
	return []Setting{{Method: "(always alarm)", Fn: always}, {Method: "(never alarm)", Fn: never}}
}

const commandUsage = `portalescuole evaluate: valuta i rilevatori su stagioni simulate (metriche ATQ)

Uso:
  portalescuole evaluate [--influnet FILE] [--studenti FILE] [--seasons 2013-2014,...]
                         [--nsim 40] [--seed 1] [--share 0.05 | --synthetic N]
                         [--shift 2] [--scale-sd 0.25] [--realtime=true]
                         [--csv FILE] [--doc docs/detection.md]

Stampa le tabelle in Markdown; --csv scrive i risultati in CSV; --doc sostituisce
la parte generata del documento (tra ` + BeginMarker + ` e ` + EndMarker + `).
`

// Main runs `portalescuole evaluate` (args without the command name) and
// returns the exit status: 0 ok, 1 failure, 2 usage.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, commandUsage) }
	influnet := fs.String("influnet", "demo/data/influnet-lombardia-settimanale.csv", "CSV InfluNet settimanale (inc_5-14)")
	studenti := fs.String("studenti", "demo/data/mim-studenti-per-plesso-cr-mn-2024-25.csv", "CSV MIM studenti per plesso")
	seasons := fs.String("seasons", strings.Join(DefaultSeasons, ","), "stagioni InfluNet da simulare")
	nsim := fs.Int("nsim", 40, "simulazioni per stagione")
	seed := fs.Uint64("seed", 1, "seme")
	share := fs.Float64("share", 0.05, "quota di alunni del campione sentinella")
	synthetic := fs.Int("synthetic", 0, "usa N plessi sintetici invece del campione reale")
	shift := fs.Int("shift", 2, "spostamento casuale della stagione, ± settimane")
	scaleSD := fs.Float64("scale-sd", 0.25, "deviazione standard log del fattore di scala della stagione")
	realtime := fs.Bool("realtime", true, "rilevatori eseguiti giorno per giorno con i ritardi di invio")
	csvPath := fs.String("csv", "", "scrive i risultati in CSV")
	docPath := fs.String("doc", "", "aggiorna la parte generata di questo documento Markdown")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || *nsim < 1 {
		fs.Usage()
		return 2
	}
	res, err := Run(RunConfig{
		InfluNet: *influnet, Studenti: *studenti, Seasons: strings.Split(*seasons, ","),
		NSim: *nsim, Seed: *seed, Share: *share, Synthetic: *synthetic,
		ShiftWeeks: *shift, ScaleSD: *scaleSD, RealTime: *realtime,
	})
	if err != nil {
		fmt.Fprintln(stderr, "evaluate:", err)
		return 1
	}
	fmt.Fprint(stdout, res.Markdown)
	if *csvPath != "" {
		var b bytes.Buffer
		if err := WriteCSV(&b, res.Tables...); err == nil {
			err = os.WriteFile(*csvPath, b.Bytes(), 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "evaluate:", err)
			return 1
		}
	}
	if *docPath != "" {
		if err := ReplaceGenerated(*docPath, res.Markdown); err != nil {
			fmt.Fprintln(stderr, "evaluate:", err)
			return 1
		}
	}
	return 0
}

// RunConfig is what Run needs; file paths are read with os.
type RunConfig struct {
	InfluNet, Studenti string
	Seasons            []string
	NSim               int
	Seed               uint64
	Share              float64
	Synthetic          int
	ShiftWeeks         int
	ScaleSD            float64
	RealTime           bool
}

// RunResult is the outcome of Run.
type RunResult struct {
	Tables      []Table // "mon-sat" (Saturday rows kept), "mon-fri" (dropped)
	Recommended Setting
	Found       bool
	Markdown    string // the generated section of docs/detection.md
}

// Run loads the data, simulates, scores Baselines and DefaultGrid on the
// territorial series with and without Saturday rows, and recommends a
// default (Recommend with DefaultCriteria over both tables).
func Run(rc RunConfig) (RunResult, error) {
	f, err := os.Open(rc.InfluNet)
	if err != nil {
		return RunResult{}, err
	}
	all, err := sim.LoadInfluNet(f)
	f.Close()
	if err != nil {
		return RunResult{}, err
	}
	byName := map[string]sim.Season{}
	for _, s := range all {
		byName[s.Name] = s
	}
	var seasons []sim.Season
	for _, n := range rc.Seasons {
		s, ok := byName[strings.TrimSpace(n)]
		if !ok {
			return RunResult{}, fmt.Errorf("stagione %q non presente in %s", n, rc.InfluNet)
		}
		seasons = append(seasons, s)
	}
	var plessi []sim.Plesso
	var sampleNote string
	if rc.Synthetic > 0 {
		plessi = sim.SyntheticPlessi(rc.Synthetic, rc.Seed)
		sampleNote = fmt.Sprintf("%d synthetic plessi", len(plessi))
	} else {
		g, err := os.Open(rc.Studenti)
		if err != nil {
			return RunResult{}, err
		}
		in, err := sim.LoadPlessi(g)
		g.Close()
		if err != nil {
			return RunResult{}, err
		}
		plessi = sim.SentinelSample(in, rc.Share, rc.Seed)
		tot := 0
		for _, p := range in {
			tot += p.Iscritti
		}
		sampleNote = fmt.Sprintf("of the %d in-scope plessi (%d pupils) of CR and MN", len(in), tot)
	}
	pupils, six := 0, 0
	for _, p := range plessi {
		pupils += p.Iscritti
		if p.SeiGiorni {
			six++
		}
	}
	cfg := sim.DefaultConfig(plessi)
	cfg.RandomShiftWeeks = rc.ShiftWeeks
	cfg.RandomScaleSD = rc.ScaleSD
	settings := append(DefaultGrid(), Baselines()...)

	var res RunResult
	var reps []Report
	for _, drop := range []bool{false, true} {
		opt := DefaultOptions()
		opt.Seed, opt.RealTime, opt.ExcludeSaturdays = rc.Seed, rc.RealTime, drop
		rep, err := EvaluateWith(settings, seasons, cfg, rc.NSim, opt)
		if err != nil {
			return RunResult{}, err
		}
		label := "mon-sat"
		if drop {
			label = "mon-fri"
		}
		reps = append(reps, rep)
		res.Tables = append(res.Tables, Table{Label: label, Rows: rep.Rows})
	}
	best, ranked, ok := Recommend(DefaultCriteria(), res.Tables[0].Rows, res.Tables[1].Rows)
	mark := ""
	if ok {
		res.Recommended, res.Found = settings[best], true
		mark = settings[best].Name()
	}

	var b strings.Builder
	names := make([]string, len(seasons))
	for i, s := range seasons {
		names[i] = s.Name
	}
	mode := "in real time (each school day on the series known that evening: late reports missing)"
	if !rc.RealTime {
		mode = "once on the final series (every late report arrived)"
	}
	fmt.Fprintf(&b, "Generated by `go run ./cmd/portalescuole evaluate -doc docs/detection.md` (do not edit by hand between the markers).\n\n")
	fmt.Fprintf(&b, "Run: %d InfluNet seasons (%s) × %d simulations = %d simulated school years; seed %d; "+
		"season shift uniform in ±%d weeks and scale exp(%.2f·N(0,1)); sentinel sample: %d plessi, %d pupils, %d with Saturday lessons (%s); "+
		"detectors run %s. %d of %d simulated years have an epidemic onset, %d have outbreak days; "+
		"mean series length %.0f school days Monday–Saturday, %.0f Monday–Friday.\n\n",
		len(seasons), strings.Join(names, ", "), rc.NSim, reps[0].Simulations, rc.Seed,
		rc.ShiftWeeks, rc.ScaleSD, len(plessi), pupils, six, sampleNote,
		mode, reps[0].WithOnset, reps[0].Simulations, reps[0].WithOutbreak, reps[0].MeanRows, reps[1].MeanRows)
	fmt.Fprintf(&b, "ATQ metrics: means over simulated years (± standard error); FAR, ADD, ATQ, AATQ and FATQ as defined in the ATQ R package; ADD in calendar days; sens. = share of years with outbreak days in which an outbreak day alarmed; false-alarm days = share of non-outbreak school days with an alarm; lead = school days from the first alarm on an outbreak day to the onset (positive = before).\n\n")
	fmt.Fprintf(&b, "#### A. Territorial series Monday–Saturday (Saturday rows hold only the 6-day plessi)\n\n")
	if err := WriteMarkdown(&b, res.Tables[0].Rows, mark); err != nil {
		return RunResult{}, err
	}
	fmt.Fprintf(&b, "\n#### B. The same simulations with the Saturday rows dropped (Monday–Friday)\n\n")
	if err := WriteMarkdown(&b, res.Tables[1].Rows, mark); err != nil {
		return RunResult{}, err
	}
	c := DefaultCriteria()
	fmt.Fprintf(&b, "\nAcceptable (both series): FAR ≤ %.2f and false-alarm days ≤ %.0f%%. Ranked by worst FATQ over A and B, then worst AATQ:\n\n", c.MaxFAR, 100*c.MaxFalseDayRate)
	if !ok {
		fmt.Fprintf(&b, "no setting is acceptable.\n")
	}
	for k, i := range ranked {
		if k == 5 {
			break
		}
		a, bb := res.Tables[0].Rows[i], res.Tables[1].Rows[i]
		fmt.Fprintf(&b, "%d. `%s`: FATQ %s / %s, AATQ %s / %s, FAR %s / %s, false-alarm days %s / %s, median lead %s / %s school days (A / B)\n",
			k+1, settings[i].Name(), f3(a.FATQ), f3(bb.FATQ), f3(a.AATQ), f3(bb.AATQ), f3(a.FAR), f3(bb.FAR),
			pct(a.FalseDayRate), pct(bb.FalseDayRate), f1(a.LeadMedian), f1(bb.LeadMedian))
	}
	if ok {
		fmt.Fprintf(&b, "\n**Recommended `default`: `%s`.**\n", mark)
	}
	res.Markdown = b.String()
	return res, nil
}

// ReplaceGenerated replaces the text between BeginMarker and EndMarker in
// the file at path with section.
func ReplaceGenerated(path, section string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(data)
	i := strings.Index(s, BeginMarker)
	j := strings.Index(s, EndMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s: mancano i segnaposto %s e %s", path, BeginMarker, EndMarker)
	}
	out := s[:i+len(BeginMarker)] + "\n" + section + "\n" + s[j:]
	return os.WriteFile(path, []byte(out), 0o644)
}
