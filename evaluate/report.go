package evaluate

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/portalescuole/portalescuole/detect"
)

// DefaultGrid is the grid of settings of docs/detection.md: EARS C1/C2/C3
// with a few alphas and baselines, the CDC C3, CUSUM with a few k/h,
// EWMA lambdas, the day-of-week baseline and the absence-rate thresholds.
// Farrington is left out: it needs past years of the same series, and a
// simulation is one school year. The last setting is the scuola default.
func DefaultGrid() []Setting {
	var g []Setting
	add := func(m string, kv ...string) {
		p := detect.Params{}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		g = append(g, Setting{Method: m, Params: p})
	}
	for _, m := range []string{"ears-c1", "ears-c2"} {
		for _, b := range []string{"7", "14"} {
			for _, a := range []string{"0.001", "0.01", "0.05"} {
				add(m, "baseline", b, "alpha", a)
			}
		}
	}
	for _, a := range []string{"0.025", "0.1"} {
		add("ears-c3", "baseline", "7", "alpha", a)
	}
	add("ears-c3-cdc", "baseline", "7")
	add("ears-c3-cdc", "baseline", "14")
	for _, k := range []string{"1.04", "2", "4"} {
		for _, h := range []string{"2.26", "5"} {
			add("cusum", "k", k, "h", h)
		}
	}
	add("cusum-reset", "k", "2", "h", "5")
	add("cusum-reset", "k", "2", "h", "8")
	add("cusum-reset", "k", "3", "h", "5")
	for _, l := range []string{"0.2", "0.4", "0.9"} {
		add("ewma", "lambda", l, "alpha", "0.01")
	}
	add("ewma", "lambda", "0.4", "alpha", "0.001")
	for _, w := range []string{"4", "6", "8", "10"} {
		for _, a := range []string{"0.001", "0.01"} {
			add("dow", "weeks", w, "alpha", a)
		}
	}
	add("rate", "r1", "0.05", "r2", "0.04", "r3", "0.03")
	add("rate", "r1", "0.06", "r2", "0.05", "r3", "0.04")
	add("rate", "r1", "0.07", "r2", "0.06", "r3", "0.05")
	// The school-absence model chosen by the scenario evaluation (§ 7).
	add("scuola", "h", "2", "k", "0.25", "points", "0.004")
	return g
}

// Criteria are the acceptability limits of Recommend.
type Criteria struct {
	// MaxFAR is the largest acceptable FAR (ATQ family definition).
	MaxFAR float64
	// MaxFalseDayRate is the largest acceptable share of non-outbreak
	// school days with an alarm.
	MaxFalseDayRate float64
}

// DefaultCriteria: FAR <= 0.8 and alarms on at most 2% of non-outbreak
// school days (about 2-3 false alarm days a year).
func DefaultCriteria() Criteria { return Criteria{MaxFAR: 0.8, MaxFalseDayRate: 0.02} }

func (c Criteria) ok(r Row) bool {
	return r.FAR <= c.MaxFAR && r.FalseDayRate <= c.MaxFalseDayRate
}

// Recommend picks the setting to use as `default` from one or more tables
// of the same settings in the same order (e.g. the territorial series with
// and without Saturday rows): among the settings acceptable (Criteria) in
// every table, the one whose worst FATQ across the tables is lowest (FATQ
// judges the first alarm, the one that triggers action), ties broken by the
// worst AATQ and then the worst FAR. It returns the index of the setting in
// the tables and the candidates in order of preference; ok is false when
// no setting qualifies.
func Recommend(c Criteria, tables ...[]Row) (best int, ranked []int, ok bool) {
	if len(tables) == 0 {
		return -1, nil, false
	}
	type cand struct {
		i               int
		fatq, aatq, far float64
	}
	var cs []cand
	for i := range tables[0] {
		c0 := cand{i: i}
		good := true
		for _, t := range tables {
			r := t[i]
			if !c.ok(r) {
				good = false
				break
			}
			c0.fatq = math.Max(c0.fatq, r.FATQ)
			c0.aatq = math.Max(c0.aatq, r.AATQ)
			c0.far = math.Max(c0.far, r.FAR)
		}
		if good {
			cs = append(cs, c0)
		}
	}
	sort.SliceStable(cs, func(a, b int) bool {
		x, y := cs[a], cs[b]
		if x.fatq != y.fatq {
			return x.fatq < y.fatq
		}
		if x.aatq != y.aatq {
			return x.aatq < y.aatq
		}
		return x.far < y.far
	})
	for _, c := range cs {
		ranked = append(ranked, c.i)
	}
	if len(cs) == 0 {
		return -1, nil, false
	}
	return cs[0].i, ranked, true
}

func f3(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}

func f2(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', 2, 64)
}

func f1(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// WriteMarkdown writes the results as a Markdown table; the row whose
// setting name equals mark is set in bold.
func WriteMarkdown(w io.Writer, rows []Row, mark string) error {
	if _, err := fmt.Fprintln(w, "| setting | FAR | ADD | ATQ | AATQ | FATQ | sens. | false-alarm days | lead (median [IQR], school days) |"); err != nil {
		return err
	}
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range rows {
		name := "`" + r.Setting.Name() + "`"
		if r.Setting.Name() == mark {
			name = "**" + name + "**"
		}
		lead := "–"
		if r.LeadN > 0 {
			lead = fmt.Sprintf("%s [%s, %s] (n=%d)", f1(r.LeadMedian), f1(r.LeadQ1), f1(r.LeadQ3), r.LeadN)
		}
		if _, err := fmt.Fprintf(w, "| %s | %s | %s | %s | %s ±%s | %s ±%s | %s | %s | %s |\n",
			name, f3(r.FAR), f1(r.ADD), f3(r.ATQ), f3(r.AATQ), f2(r.AATQSE), f3(r.FATQ), f2(r.FATQSE),
			pct(r.Sensitivity), pct(r.FalseDayRate), lead); err != nil {
			return err
		}
	}
	return nil
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

// Table is a labelled results table (e.g. "mon-sat", "mon-fri").
type Table struct {
	Label string
	Rows  []Row
}

// CSVHeader is the header line WriteCSV writes.
var CSVHeader = []string{"series", "setting", "method", "params", "seasons", "far", "add", "atq", "aatq", "aatq_se",
	"fatq", "fatq_se", "sensitivity", "false_alarm_day_rate", "lead_median", "lead_q1", "lead_q3", "lead_n"}

// WriteCSV writes the tables as one CSV (decimal point, NaN as empty),
// the table label in the first column.
func WriteCSV(w io.Writer, tables ...Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	num := func(x float64) string {
		if math.IsNaN(x) {
			return ""
		}
		return strconv.FormatFloat(x, 'g', 6, 64)
	}
	for _, t := range tables {
		for _, r := range t.Rows {
			params := Setting{Params: r.Setting.Params}.Name()
			if len(params) > 0 {
				params = params[1:]
			}
			rec := []string{t.Label, r.Setting.Name(), r.Setting.Method, params, strconv.Itoa(r.Seasons),
				num(r.FAR), num(r.ADD), num(r.ATQ), num(r.AATQ), num(r.AATQSE), num(r.FATQ), num(r.FATQSE),
				num(r.Sensitivity), num(r.FalseDayRate), num(r.LeadMedian), num(r.LeadQ1), num(r.LeadQ3), strconv.Itoa(r.LeadN)}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
