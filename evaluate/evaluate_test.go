package evaluate

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/detect"
	"github.com/portalescuole/portalescuole/sim"
)

// consecutive calendar days from 1 January 2020.
func dates(n int) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = time.Date(2020, 1, 1+i, 0, 0, 0, 0, time.UTC)
	}
	return out
}

func alarmsAt(n int, idx ...int) []bool {
	a := make([]bool, n)
	for _, i := range idx {
		a[i] = true
	}
	return a
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestScoreHandComputed(t *testing.T) {
	p := DefaultATQParams()
	d := dates(40)
	ref := d[30] // 31 January 2020
	ob := make([]bool, 40)
	for i := 25; i < 40; i++ {
		ob[i] = true
	}
	truth := Truth{Dates: d, Reference: ref, Outbreak: ob}

	// Alarms on row 10 (11 Jan, 20 days before ref: 6 days before the
	// optimal day, outside the 14-day window), row 20 (10 days before ref:
	// in the window, 4 days after the optimal day), row 27 (3 days before
	// ref, an outbreak day) and row 35 (after ref: ignored by the ATQ family).
	s := Score(alarmsAt(40, 10, 20, 27, 35), truth, p)
	atq10 := math.Pow(6.0/21, 2)  // 4/49 = 0.081633
	atq20 := math.Pow(4.0/21, 4)  // 256/194481 = 0.001316
	atq27 := math.Pow(11.0/21, 4) // 14641/194481 = 0.075282
	if s.TrueAlarms != 2 || s.FalseAlarms != 1 {
		t.Errorf("true %d false %d, want 2 and 1", s.TrueAlarms, s.FalseAlarms)
	}
	if !near(s.FAR, 0.5) { // 1/(1+1)
		t.Errorf("FAR %v, want 0.5", s.FAR)
	}
	if !near(s.ADD, 4) { // |14 - 10|
		t.Errorf("ADD %v, want 4", s.ADD)
	}
	if len(s.ATQ) != 3 || !near(s.ATQ[0], atq10) || !near(s.ATQ[1], atq20) || !near(s.ATQ[2], atq27) {
		t.Errorf("ATQ %v", s.ATQ)
	}
	if !near(s.AATQ, (atq10+atq20+atq27)/3) || !near(s.FATQ, 4.0/49) {
		t.Errorf("AATQ %v FATQ %v", s.AATQ, s.FATQ)
	}
	// Lead: onset row 30, first alarm on an outbreak row 27 -> 3 days before.
	if !s.HasLead || s.Lead != 3 || !s.Detected {
		t.Errorf("lead %d %v", s.Lead, s.HasLead)
	}
	if s.FalseDays != 2 || s.NonOutbreakDays != 25 {
		t.Errorf("false days %d/%d, want 2/25", s.FalseDays, s.NonOutbreakDays)
	}

	// No alarm: FAR 1, ADD = days from the first day to ref, AATQ = FATQ = 1.
	s = Score(make([]bool, 40), truth, p)
	if s.FAR != 1 || s.ADD != 30 || s.AATQ != 1 || s.FATQ != 1 || s.HasLead || s.Detected {
		t.Errorf("no alarm: %+v", s)
	}

	// One alarm exactly on the optimal day (14 days before ref): ATQ 0.
	s = Score(alarmsAt(40, 16), truth, p)
	if s.FAR != 0 || s.ADD != 0 || s.AATQ != 0 || s.FATQ != 0 {
		t.Errorf("optimal alarm: %+v", s)
	}
	// An alarm on the reference day itself: (14/21)^4, still a true alarm.
	s = Score(alarmsAt(40, 30), truth, p)
	if !near(s.FATQ, math.Pow(14.0/21, 4)) || s.FAR != 0 || s.ADD != 14 {
		t.Errorf("alarm on ref: %+v", s)
	}

	// Early alarm 40 days before ref: ATQ capped at 1; no true alarm so
	// FAR = 1 and ADD = tmax.
	d2 := dates(60)
	s = Score(alarmsAt(60, 10), Truth{Dates: d2, Reference: d2[50]}, p)
	if s.FATQ != 1 || s.FAR != 1 || s.ADD != 50 {
		t.Errorf("early alarm: %+v", s)
	}

	// No reference date (no epidemic): 1 with any alarm, 0 without.
	s = Score(alarmsAt(40, 5), Truth{Dates: d}, p)
	if s.FAR != 1 || s.ADD != 1 || s.AATQ != 1 || s.FATQ != 1 || s.HasReference {
		t.Errorf("no ref, alarm: %+v", s)
	}
	s = Score(make([]bool, 40), Truth{Dates: d}, p)
	if s.FAR != 0 || s.ADD != 0 || s.AATQ != 0 || s.FATQ != 0 {
		t.Errorf("no ref, quiet: %+v", s)
	}

	// Calendar days, not rows: two school days around a weekend.
	wk := []time.Time{time.Date(2020, 1, 3, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 17, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 20, 0, 0, 0, 0, time.UTC)}
	s = Score([]bool{true, false, false}, Truth{Dates: wk, Reference: wk[2]}, p)
	if s.TrueAlarms != 0 || !near(s.FATQ, math.Pow(3.0/21, 2)) { // 17 days before ref: 3 days early
		t.Errorf("calendar days: %+v", s)
	}
}

func TestSummarize(t *testing.T) {
	sc := []SeasonScore{
		{FAR: 0.5, ADD: 4, AATQ: 0.2, FATQ: 0.1, ATQ: []float64{0.1, 0.3}, HasOutbreak: true, Detected: true, Lead: 1, HasLead: true, FalseDays: 1, NonOutbreakDays: 10},
		{FAR: 1, ADD: 30, AATQ: 1, FATQ: 1, HasOutbreak: true, Lead: 2, HasLead: true, NonOutbreakDays: 10},
		{FAR: 0, ADD: 0, AATQ: 0, FATQ: 0, ATQ: []float64{0.2}, HasOutbreak: true, Detected: true, Lead: 3, HasLead: true, FalseDays: 3, NonOutbreakDays: 20},
		{FAR: 0.5, ADD: 2, AATQ: 0.4, FATQ: 0.5, Lead: 4, HasLead: true},
	}
	m := Summarize(sc)
	if m.Seasons != 4 || !near(m.FAR, 0.5) || !near(m.ADD, 9) || !near(m.AATQ, 0.4) || !near(m.FATQ, 0.4) {
		t.Errorf("means: %+v", m)
	}
	if !near(m.ATQ, 0.2) || !near(m.Sensitivity, 2.0/3) || !near(m.FalseDayRate, 0.1) {
		t.Errorf("ATQ %v sens %v false %v", m.ATQ, m.Sensitivity, m.FalseDayRate)
	}
	// R: quantile(c(1,2,3,4), c(.25,.5,.75)) = 1.75 2.5 3.25
	if m.LeadN != 4 || !near(m.LeadMedian, 2.5) || !near(m.LeadQ1, 1.75) || !near(m.LeadQ3, 3.25) {
		t.Errorf("lead %v [%v, %v] n=%d", m.LeadMedian, m.LeadQ1, m.LeadQ3, m.LeadN)
	}
	if se := m.FATQSE; !near(se, math.Sqrt((0.09+0.36+0.16+0.01)/3)/2) {
		t.Errorf("FATQ se %v", se)
	}
}

func loadSeason(t *testing.T, name string) sim.Season {
	t.Helper()
	f, err := os.Open("../demo/data/influnet-lombardia-settimanale.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := sim.LoadInfluNet(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no season %s", name)
	return sim.Season{}
}

func TestEvaluateRanksUselessDetectorsLast(t *testing.T) {
	cfg := sim.DefaultConfig(sim.SyntheticPlessi(20, 1))
	seasons := []sim.Season{loadSeason(t, "2017-2018"), loadSeason(t, "2014-2015")}
	sensible := Setting{Method: "dow", Params: detect.Params{"weeks": "6", "alpha": "0.01"}}
	settings := append([]Setting{sensible}, Baselines()...)
	rows, err := Evaluate(settings, seasons, cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	good, always, never := rows[0], rows[1], rows[2]
	for _, r := range rows {
		t.Logf("%-22s FAR %.3f ADD %.1f AATQ %.3f FATQ %.3f sens %.2f false %.3f", r.Setting.Name(), r.FAR, r.ADD, r.AATQ, r.FATQ, r.Sensitivity, r.FalseDayRate)
	}
	if good.Seasons != 6 {
		t.Errorf("%d seasons scored, want 6", good.Seasons)
	}
	if !(good.FATQ < always.FATQ && good.FATQ < never.FATQ) || !(good.FAR < always.FAR && good.FAR < never.FAR) {
		t.Errorf("useless detectors not worse: good %+v always %+v never %+v", good.Metrics, always.Metrics, never.Metrics)
	}
	if always.FalseDayRate != 1 || never.Sensitivity != 0 {
		t.Errorf("baselines: always false days %v, never sensitivity %v", always.FalseDayRate, never.Sensitivity)
	}
	// Looser limits than DefaultCriteria: 6 simulated years are too few
	// for the 2% false-alarm-day limit to be meaningful here.
	best, ranked, ok := Recommend(Criteria{MaxFAR: 0.9, MaxFalseDayRate: 0.05}, rows)
	if !ok || best != 0 || len(ranked) != 1 {
		t.Errorf("Recommend = %d %v %v, want the dow setting only", best, ranked, ok)
	}
	// Deterministic.
	again, err := Evaluate(settings, seasons, cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	if again[0].FATQ != good.FATQ || again[0].LeadMedian != good.LeadMedian && !math.IsNaN(good.LeadMedian) {
		t.Error("Evaluate is not deterministic")
	}
	// An unknown method is an error.
	if _, err := Evaluate([]Setting{{Method: "nope"}}, seasons, cfg, 1); err == nil {
		t.Error("unknown method accepted")
	}
}

func TestRealTimeSeesFewerReports(t *testing.T) {
	// A detector that records the denominator it sees on the last row.
	cfg := sim.DefaultConfig(sim.SyntheticPlessi(20, 2))
	s := sim.Simulate(cfg, loadSeason(t, "2016-2017"), 4)
	ts := buildSeries(s, false)
	if len(ts.late) == 0 {
		t.Fatal("no late reports")
	}
	seen := map[int]float64{}
	probe := func(ser detect.Series, _ detect.Params) (detect.Result, error) {
		n := len(ser.Counts)
		seen[n-1] = ser.Denominators[n-1]
		return detect.Result{Alarm: make([]bool, n), Valid: make([]bool, n), Expected: make([]float64, n), UpperBound: make([]float64, n), Statistic: make([]float64, n)}, nil
	}
	opt := DefaultOptions()
	if _, _, err := runSettings(s, []Setting{{Method: "probe"}}, []detect.Method{probe}, opt); err != nil {
		t.Fatal(err)
	}
	l := ts.late[0]
	if got := seen[l.Row]; got > ts.dens[l.Row]-l.Iscritti {
		t.Errorf("row %d: real-time denominator %v includes a late report (final %v)", l.Row, got, ts.dens[l.Row])
	}
	// Dropping Saturdays leaves no Saturday row.
	for _, d := range buildSeries(s, true).dates {
		if d.Weekday() == time.Saturday {
			t.Fatal("Saturday row kept")
		}
	}
}

func TestRecommend(t *testing.T) {
	row := func(far, fd, aatq, fatq float64) Row {
		return Row{Metrics: Metrics{FAR: far, FalseDayRate: fd, AATQ: aatq, FATQ: fatq}}
	}
	a := []Row{row(0.5, 0.01, 0.5, 0.6), row(0.5, 0.01, 0.4, 0.5), row(0.9, 0.01, 0.1, 0.1), row(0.5, 0.3, 0.1, 0.1)}
	b := []Row{row(0.5, 0.01, 0.5, 0.6), row(0.5, 0.01, 0.4, 0.7), row(0.5, 0.01, 0.1, 0.1), row(0.5, 0.01, 0.1, 0.1)}
	best, ranked, ok := Recommend(DefaultCriteria(), a)
	if !ok || best != 1 || len(ranked) != 2 {
		t.Errorf("one table: %d %v", best, ranked)
	}
	// Over both tables setting 1's worst FATQ is 0.7 > 0.6.
	best, _, _ = Recommend(DefaultCriteria(), a, b)
	if best != 0 {
		t.Errorf("two tables: %d, want 0", best)
	}
	if _, _, ok := Recommend(DefaultCriteria(), []Row{row(1, 0, 0, 0)}); ok {
		t.Error("unacceptable row recommended")
	}
}

func TestWriters(t *testing.T) {
	rows := []Row{
		{Setting: Setting{Method: "ears-c2", Params: detect.Params{"alpha": "0.01", "baseline": "7"}}, Metrics: Metrics{Seasons: 2, FAR: 0.5, ADD: 3, ATQ: 0.2, AATQ: 0.3, FATQ: 0.4, Sensitivity: 1, FalseDayRate: 0.01, LeadMedian: 2, LeadQ1: 1, LeadQ3: 3, LeadN: 2}},
		{Setting: Setting{Method: "rate"}, Metrics: Metrics{Seasons: 2, ATQ: math.NaN(), LeadMedian: math.NaN()}},
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, rows, "ears-c2 alpha=0.01 baseline=7"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| **`ears-c2 alpha=0.01 baseline=7`** | 0.500 | 3.0 | 0.200 |") || strings.Count(md.String(), "\n") != 4 {
		t.Errorf("markdown:\n%s", md.String())
	}
	var c bytes.Buffer
	if err := WriteCSV(&c, Table{Label: "mon-fri", Rows: rows}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(c.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "mon-fri,ears-c2 alpha=0.01 baseline=7,ears-c2,alpha=0.01 baseline=7,2,0.5,3,0.2,") {
		t.Errorf("csv:\n%s", c.String())
	}

	path := filepath.Join(t.TempDir(), "doc.md")
	os.WriteFile(path, []byte("intro\n"+BeginMarker+"\nold\n"+EndMarker+"\noutro\n"), 0o644)
	if err := ReplaceGenerated(path, "new table"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "intro\n"+BeginMarker+"\nnew table\n"+EndMarker+"\noutro\n" {
		t.Errorf("doc: %q", got)
	}
}

func TestMainSmall(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "d.md")
	os.WriteFile(doc, []byte(BeginMarker+"\n"+EndMarker+"\n"), 0o644)
	var out, errb bytes.Buffer
	code := Main([]string{
		"-influnet", "../demo/data/influnet-lombardia-settimanale.csv",
		"-studenti", "../demo/data/mim-studenti-per-plesso-cr-mn-2024-25.csv",
		"-seasons", "2017-2018", "-nsim", "1", "-csv", filepath.Join(dir, "r.csv"), "-doc", doc,
	}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	got, _ := os.ReadFile(doc)
	if !strings.Contains(string(got), "#### A. Territorial series") || !strings.Contains(out.String(), "(never alarm)") {
		t.Errorf("output:\n%s", got)
	}
	if Main([]string{"-nsim", "0"}, &out, &errb) != 2 {
		t.Error("bad flags accepted")
	}
}
