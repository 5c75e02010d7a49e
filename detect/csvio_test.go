package detect

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func csvTestDate(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestReadCSV_Basic(t *testing.T) {
	// Columns in any order, an extra column ignored, decimal and exponent
	// counts accepted.
	f, err := os.Open(filepath.Join("testdata", "csv_denominator.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	want := Series{
		Dates: []time.Time{csvTestDate("2024-10-07"), csvTestDate("2024-10-08"), csvTestDate("2024-10-09"),
			csvTestDate("2024-10-10"), csvTestDate("2024-10-14")},
		Counts:       []float64{3, 5, 12.5, 0, 10},
		Denominators: []float64{250, 250, 248, 248, 250},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
}

func TestReadCSV_BOMSpacesCRLFQuotes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "csv_crlf_bom.csv"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ReadCSV(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if s.Denominators != nil || !slices.Equal(s.Counts, []float64{1, 2, 3}) || !s.Dates[2].Equal(csvTestDate("2024-01-22")) {
		t.Errorf("got %+v", s)
	}
	if s.Dates[0].Location() != time.UTC {
		t.Errorf("dates should be UTC, got %v", s.Dates[0].Location())
	}
}

func TestCSV_RoundTrip(t *testing.T) {
	in := "date,count\n2024-09-16,12\n2024-09-17,0.30000000000000004\n2024-09-18,1e+21\n2024-09-19,0\n2024-09-23,7\n"
	s, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteCSV(&out, s, newResult(len(s.Counts))); err != nil {
		t.Fatal(err)
	}
	want := "date,count,expected,upperbound,alarm\n" +
		"2024-09-16,12,,,\n2024-09-17,0.30000000000000004,,,\n2024-09-18,1e+21,,,\n2024-09-19,0,,,\n2024-09-23,7,,,\n"
	if out.String() != want {
		t.Fatalf("WriteCSV:\n%s\nwant\n%s", out.String(), want)
	}
	back, err := ReadCSV(&out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Errorf("round trip: %+v, want %+v", back, s)
	}
}

func TestWriteCSV_Fields(t *testing.T) {
	s := Series{
		Dates:  []time.Time{csvTestDate("2024-01-08"), csvTestDate("2024-01-09"), csvTestDate("2024-01-10"), csvTestDate("2024-01-11")},
		Counts: []float64{1, 2, 3, 4},
	}
	r := newResult(4)
	// Row 0 invalid with values set: all three fields empty.
	r.Expected[0], r.UpperBound[0], r.Alarm[0] = 1, 2, true
	// Row 1 valid, expected NaN (as the rate method).
	r.Valid[1], r.Expected[1], r.UpperBound[1] = true, math.NaN(), 2.5
	// Row 2 valid, alarm, non-short float.
	r.Valid[2], r.Expected[2], r.UpperBound[2], r.Alarm[2] = true, 1.0/3, 2.9, true
	// Row 3 valid, upper bound NaN.
	r.Valid[3], r.Expected[3], r.UpperBound[3] = true, 4, math.NaN()
	var out bytes.Buffer
	if err := WriteCSV(&out, s, r); err != nil {
		t.Fatal(err)
	}
	want := "date,count,expected,upperbound,alarm\n" +
		"2024-01-08,1,,,\n" +
		"2024-01-09,2,,2.5,0\n" +
		"2024-01-10,3,0.3333333333333333,2.9,1\n" +
		"2024-01-11,4,4,,0\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	r.Valid = r.Valid[:3]
	if err := WriteCSV(&out, s, r); err == nil {
		t.Error("result shorter than the series should be an error")
	}
}

func TestReadCSV_Errors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "input vuoto"},
		{"\n\n", "input vuoto"},
		{"date,count\n", "nessuna riga di dati dopo l'intestazione (riga 1)"},
		{"date\n2024-01-08\n", `riga 1: manca la colonna "count" nell'intestazione; colonne trovate: "date"`},
		{"giorno,count\n2024-01-08,1\n", `riga 1: manca la colonna "date"`},
		{"date;count\n2024-01-08;1\n", "il separatore dei campi deve essere la virgola"},
		{"date,count,Date\n", `riga 1: colonna "date" ripetuta`},
		{"date,count\n2024-01-08,1\n2024-1-9,3\n", `riga 3: data "2024-1-9" non valida: serve il formato AAAA-MM-GG`},
		{"date,count\n2024-02-30,1\n", `riga 2: data "2024-02-30" non valida`},
		{"date,count\n08/01/2024,1\n", `riga 2: data "08/01/2024" non valida`},
		{"date,count\n2024-01-08T00:00:00,1\n", "riga 2: data"},
		{"date,count\n,1\n", `riga 2: data "" non valida`},
		{"date,count\n2024-01-08,1\n2024-01-08,2\n", "riga 3: data ripetuta 2024-01-08"},
		{"date,count\n2024-01-09,1\n2024-01-08,2\n", "riga 3: date non in ordine crescente (2024-01-08 dopo 2024-01-09)"},
		{"date,count\n2024-01-08,-1\n", "riga 2: count -1 negativo"},
		{"date,count\n2024-01-08,-0.5\n", "riga 2: count -0.5 negativo"},
		{"date,count\n2024-01-08,abc\n", `riga 2: count "abc" non è un numero`},
		{"date,count\n2024-01-08,NaN\n", `riga 2: count "NaN" non è un numero`},
		{"date,count\n2024-01-08,Inf\n", `riga 2: count "Inf" non è un numero`},
		{"date,count\n2024-01-08,1e999\n", `riga 2: count "1e999" non è un numero`},
		{"date,count\n2024-01-08,0x10\n", `riga 2: count "0x10" non è un numero`},
		{"date,count\n2024-01-08,\"1,5\"\n", "usare il punto come separatore decimale"},
		{"date,count\n2024-01-08,\n", "riga 2: count mancante"},
		{"date,count\n2024-01-08\n", "riga 2: 1 campi, ne servono almeno 2"},
		{"count,x,date\n1,2\n", "riga 2: 2 campi, ne servono almeno 3"},
		{"date,count,denominator\n2024-01-08,1,0\n", "riga 2: denominator 0 deve essere maggiore di 0"},
		{"date,count,denominator\n2024-01-08,1,-3\n", "riga 2: denominator -3 deve essere maggiore di 0"},
		{"date,count,denominator\n2024-01-08,1,100\n2024-01-09,5,4\n", "riga 3: denominator 4 minore di count 5"},
		{"date,count,denominator\n2024-01-08,1,\n", "riga 2: denominator mancante"},
		{"date,count,denominator\n2024-01-08,1,tutti\n", `riga 2: denominator "tutti" non è un numero`},
		{"date,count\n2024-01-08,1\n2024-01-09,\"2\n", "CSV non valido"},
		{"date,count\n2024-01-08,1\"x\n", "riga 2: CSV non valido"},
		// Empty lines are skipped but still counted.
		{"date,count\n\n2024-01-08,1\n\n2024-01-08,2\n", "riga 5: data ripetuta"},
		{"date,count\r\n2024-01-08,1\r\n2024-01-09,x\r\n", `riga 3: count "x" non è un numero`},
	} {
		_, err := ReadCSV(strings.NewReader(c.in))
		if err == nil {
			t.Errorf("%q: no error, want %q", c.in, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want %q", c.in, err, c.want)
		}
	}
}

func TestReadCSV_TestdataErrors(t *testing.T) {
	for file, want := range map[string]string{
		"csv_bad_date.csv":        "riga 3: data",
		"csv_unsorted.csv":        "riga 3: date non in ordine crescente",
		"csv_repeated.csv":        "riga 3: data ripetuta",
		"csv_semicolon.csv":       "riga 1: manca la colonna",
		"csv_negative.csv":        "riga 2: count -1 negativo",
		"csv_den_below_count.csv": "riga 2: denominator 4 minore di count 5",
		"csv_header_only.csv":     "nessuna riga di dati",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ReadCSV(bytes.NewReader(b)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", file, err, want)
		}
	}
}

func TestRun_ParseParams(t *testing.T) {
	p, err := ParseParams([]string{"baseline=7", "alpha = 0.01", "m=NULL", "x="})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, Params{"baseline": "7", "alpha": "0.01", "m": "NULL", "x": ""}) {
		t.Errorf("got %v", p)
	}
	for _, bad := range [][]string{{"baseline"}, {"=7"}, {" =7"}, {"alpha=0.1", "alpha=0.2"}} {
		if _, err := ParseParams(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
	if p, err := ParseParams(nil); err != nil || len(p) != 0 {
		t.Errorf("no params: %v %v", p, err)
	}
}

// runTestInput is 60 school days (Monday to Friday from 2024-09-16,
// skipping the holiday Friday 2024-11-01) with varying counts, a burst at
// the end, and a denominator column.
func runTestInput() (string, int) {
	var b strings.Builder
	b.WriteString("date,count,denominator\n")
	d := csvTestDate("2024-09-16")
	n := 0
	for n < 60 {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && !d.Equal(csvTestDate("2024-11-01")) {
			c := 20 + (n*4)%11
			if n >= 56 {
				c = 60 + 5*(n-56)
			}
			b.WriteString(d.Format("2006-01-02") + "," + csvFloat(float64(c)) + ",500\n")
			n++
		}
		d = d.AddDate(0, 0, 1)
	}
	return b.String(), n
}

func TestRun_EveryMethod(t *testing.T) {
	in, n := runTestInput()
	// Rows each method cannot evaluate at the start with its defaults.
	lead := map[string]int{
		"ears-c1": 7, "ears-c2": 9, "ears-c3": 11, "ears-c3-cdc": 11,
		"cusum": DefaultCusumRef, "cusum-reset": DefaultCusumRef,
		"ewma": 30, "rate": 0,
		"dow": 20, // the first four weeks hold no earlier occurrence enough
		// Without past years the model learns the level from the first
		// school days and evaluates from MinDays on.
		"scuola":  DefaultScuolaParams().MinDays,
		"livello": DefaultLivelloParams().MinDays,
	}
	registered := Methods()
	for m := range lead {
		if !slices.Contains(registered, m) {
			t.Errorf("method %q not registered (have %v)", m, registered)
		}
	}
	for _, m := range registered {
		var out bytes.Buffer
		err := Run(m, nil, strings.NewReader(in), &out)
		k, mine := lead[m]
		if m == "default" {
			continue // an alias, checked by TestRun_DefaultIsAlias
		}
		if m == "farrington" {
			// Weekly only: a daily series is refused (its weekly output is
			// checked by TestRun_FarringtonWeekly).
			if err == nil || !strings.Contains(err.Error(), "settimane consecutive") {
				t.Errorf("%s on a daily series: err %v, want the consecutive-weeks refusal", m, err)
			}
			continue
		}
		if !mine {
			t.Errorf("%s: registered but not covered by this test", m)
			continue
		} else if err != nil {
			t.Errorf("%s: %v", m, err)
			continue
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if lines[0] != "date,count,expected,upperbound,alarm" {
			t.Errorf("%s: header %q", m, lines[0])
		}
		if len(lines) != n+1 {
			t.Errorf("%s: %d data rows, want %d", m, len(lines)-1, n)
			continue
		}
		alarms := 0
		for i, l := range lines[1:] {
			f := strings.Split(l, ",")
			if len(f) != 5 {
				t.Errorf("%s row %d: %q", m, i, l)
				continue
			}
			if f[4] != "" && f[4] != "0" && f[4] != "1" {
				t.Errorf("%s row %d: alarm %q", m, i, f[4])
			}
			if f[4] == "1" {
				alarms++
			}
			if k < 0 {
				continue
			}
			if empty := f[2] == "" && f[3] == "" && f[4] == ""; i < k && !empty {
				t.Errorf("%s row %d: %q, want empty fields before row %d", m, i, l, k)
			}
			if i == k && f[4] == "" {
				t.Errorf("%s row %d: %q, want the first evaluated row", m, i, l)
			}
		}
		if k >= 0 && alarms == 0 {
			t.Errorf("%s: no alarm on the final burst", m)
		}
	}
}

func TestRun_DefaultIsAlias(t *testing.T) {
	in, _ := runTestInput()
	run := func(m string, p []string) string {
		var out bytes.Buffer
		if err := Run(m, p, strings.NewReader(in), &out); err != nil {
			t.Fatalf("%s %v: %v", m, p, err)
		}
		return out.String()
	}
	// The alias adds its parameters; those given on the command line win.
	with := func(extra ...string) []string {
		var p []string
		for k, v := range defaultParams {
			over := false
			for _, e := range extra {
				over = over || strings.HasPrefix(e, k+"=")
			}
			if !over {
				p = append(p, k+"="+v)
			}
		}
		return append(p, extra...)
	}
	if run("default", nil) != run(defaultMethod, with()) {
		t.Error("default differs from " + defaultMethod + " with its parameters")
	}
	// window moves the expected values, which the output shows.
	if run("default", []string{"window=4"}) != run(defaultMethod, with("window=4")) {
		t.Error("a parameter given to default is not passed on")
	}
	if run("default", []string{"window=4"}) == run("default", nil) {
		t.Error("window had no effect: the test cannot tell whether parameters are passed on")
	}
}

func TestRun_RDefaults(t *testing.T) {
	in, _ := runTestInput()
	run := func(m string, p ...string) string {
		var out bytes.Buffer
		if err := Run(m, p, strings.NewReader(in), &out); err != nil {
			t.Fatalf("%s %v: %v", m, p, err)
		}
		return out.String()
	}
	for _, c := range []struct {
		method string
		params []string
	}{
		{"ears-c1", []string{"alpha=0.001", "baseline=7", "minSigma=0"}},
		{"ears-c2", []string{"alpha=0.001", "baseline=7", "minSigma=0"}},
		{"ears-c3", []string{"alpha=0.025", "baseline=7", "minSigma=0"}}, // earsC's C3 default
		{"cusum", []string{"k=1.04", "h=2.26", "m=NULL", "ref=28"}},
		{"ewma", []string{"lambda=0.4", "baseline=28", "guard=2", "alpha=0.01", "minSigma=0.5"}},
		{"rate", []string{"r1=0.05", "r2=0.04", "r3=0.03"}},
		{"dow", []string{"weeks=4", "alpha=0.001", "minSigma=0"}},
	} {
		if run(c.method) != run(c.method, c.params...) {
			t.Errorf("%s: defaults differ from %v", c.method, c.params)
		}
	}
	if run("ears-c3") == run("ears-c3", "alpha=0.001") {
		t.Error("ears-c3 alpha has no effect")
	}
	// A fixed m changes the cusum output.
	if run("cusum") == run("cusum", "m=5") {
		t.Error("cusum m has no effect")
	}
}

func TestRun_Errors(t *testing.T) {
	in, _ := runTestInput()
	noDen := "date,count\n2024-01-08,1\n2024-01-09,2\n"
	for _, c := range []struct {
		method string
		params []string
		in     string
		want   string
	}{
		{"ears-c9", nil, in, `metodo sconosciuto "ears-c9"; disponibili: `},
		{"ears-c1", []string{"alfa=0.01"}, in, `parametro sconosciuto "alfa" per ears-c1; ammessi: alpha, baseline, minSigma`},
		{"ears-c3-cdc", []string{"alpha=0.01"}, in, `parametro sconosciuto "alpha" per ears-c3-cdc; ammessi: baseline, minSigma`},
		{"cusum", []string{"range=29"}, in, `parametro sconosciuto "range" per cusum; ammessi: h, k, m, ref`},
		{"ewma", []string{"w1=0.4"}, in, `parametro sconosciuto "w1" per ewma; ammessi: alpha, baseline, guard, lambda, minSigma`},
		{"rate", []string{"r4=0.1"}, in, `parametro sconosciuto "r4" per rate; ammessi: r1, r2, r3`},
		{"dow", []string{"baseline=4"}, in, `parametro sconosciuto "baseline" per dow; ammessi: alpha, minSigma, weeks`},
		{"default", []string{"alfa=1"}, in, `parametro sconosciuto "alfa"`},
		{"ears-c1", []string{"alpha"}, in, `parametro "alpha" non valido: serve la forma nome=valore`},
		{"ears-c1", []string{"baseline=2"}, in, "ears-c1: parametro baseline = 2, il minimo è 3"},
		{"ears-c2", []string{"baseline=sette"}, in, `ears-c2: parametro baseline: "sette" non è un intero`},
		{"ears-c1", []string{"alpha=1.5"}, in, "ears-c1: parametro alpha = 1.5 fuori da (0, 1)"},
		{"ears-c1", []string{"alpha=0"}, in, "fuori da (0, 1)"},
		{"ears-c1", []string{"minSigma=-1"}, in, "minSigma = -1"},
		{"cusum", []string{"ref=0"}, in, "cusum: parametro ref = 0"},
		{"cusum", []string{"m=-1"}, in, "cusum: parametro m = -1"},
		{"cusum-reset", []string{"h=NaN"}, in, "k e h devono essere numeri finiti"},
		{"ewma", []string{"lambda=0"}, in, "ewma: parametro lambda = 0 fuori da (0, 1]"},
		{"ewma", []string{"guard=-1"}, in, "ewma: parametro guard = -1"},
		{"ewma", []string{"baseline=1"}, in, "ewma: parametro baseline = 1"},
		{"rate", []string{"r1=5"}, in, "rate: parametro r1 = 5 fuori da (0, 1]"},
		{"rate", nil, noDen, "rate: serve la colonna denominator"},
		{"dow", []string{"weeks=1"}, in, "dow: parametro weeks = 1, il minimo è 2"},
		{"ears-c1", nil, "date,count\n2024-01-08,-2\n", "riga 2: count -2 negativo"},
	} {
		var out bytes.Buffer
		err := Run(c.method, c.params, strings.NewReader(c.in), &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: error %v, want %q", c.method, c.params, err, c.want)
		}
		if out.Len() != 0 {
			t.Errorf("%s %v: wrote %q on error", c.method, c.params, out.String())
		}
	}
	err := Run("nessuno", nil, strings.NewReader(in), &bytes.Buffer{})
	for _, m := range []string{"cusum", "default", "dow", "ears-c1", "ewma", "rate"} {
		if err == nil || !strings.Contains(err.Error(), m) {
			t.Errorf("unknown-method error %v should list %s", err, m)
		}
	}
}

func TestRun_ShortSeriesAllEmpty(t *testing.T) {
	// Shorter than the baseline: R stops, the CLI writes rows with empty
	// fields.
	var out bytes.Buffer
	if err := Run("ears-c1", nil, strings.NewReader("date,count\n2024-01-08,1\n2024-01-09,2\n"), &out); err != nil {
		t.Fatal(err)
	}
	want := "date,count,expected,upperbound,alarm\n2024-01-08,1,,,\n2024-01-09,2,,,\n"
	if out.String() != want {
		t.Errorf("got %q", out.String())
	}
}

func FuzzReadCSV(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "csv_*"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seed corpus in testdata/csv_*: %v", err)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ReadCSV(bytes.NewReader(b))
		if err != nil {
			if s.Dates != nil || s.Counts != nil || s.Denominators != nil {
				t.Fatalf("error %v with a non-empty series", err)
			}
			return
		}
		n := len(s.Dates)
		if n == 0 || len(s.Counts) != n || (s.Denominators != nil && len(s.Denominators) != n) {
			t.Fatalf("lengths %d/%d/%d", n, len(s.Counts), len(s.Denominators))
		}
		for i := range n {
			d := s.Dates[i]
			if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
				t.Fatalf("row %d: date %v is not a UTC midnight", i, d)
			}
			if i > 0 && !d.After(s.Dates[i-1]) {
				t.Fatalf("row %d: dates not strictly increasing", i)
			}
			c := s.Counts[i]
			if !(c >= 0) || math.IsInf(c, 0) || math.Signbit(c) {
				t.Fatalf("row %d: count %v", i, c)
			}
			if s.Denominators != nil {
				den := s.Denominators[i]
				if !(den > 0) || math.IsInf(den, 0) || den < c {
					t.Fatalf("row %d: denominator %v for count %v", i, den, c)
				}
			}
		}
		// What was read is written back and read again unchanged.
		var out bytes.Buffer
		if err := WriteCSV(&out, s, newResult(n)); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSV(&out)
		if err != nil {
			t.Fatalf("re-reading our own output: %v\n%s", err, out.String())
		}
		if !reflect.DeepEqual(back.Dates, s.Dates) || !slices.Equal(back.Counts, s.Counts) {
			t.Fatalf("round trip changed the series")
		}
	})
}

// TestRun_FarringtonWeekly: Farrington through the CSV contract on six
// years of weekly counts with a final burst: one row per week, the first
// years empty (no reference), the burst alarmed.
func TestRun_FarringtonWeekly(t *testing.T) {
	var b strings.Builder
	b.WriteString("date,count\n")
	d := csvTestDate("2019-09-02")
	const weeks = 6 * 52
	for i := 0; i < weeks; i++ {
		c := 40 + (i*7)%13
		if i >= weeks-3 {
			c = 150 + 20*(i-weeks+3)
		}
		b.WriteString(d.Format("2006-01-02") + "," + csvFloat(float64(c)) + "\n")
		d = d.AddDate(0, 0, 7)
	}
	var out bytes.Buffer
	if err := Run("farrington", nil, strings.NewReader(b.String()), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if lines[0] != "date,count,expected,upperbound,alarm" || len(lines) != weeks+1 {
		t.Fatalf("header %q, %d rows; want %d", lines[0], len(lines)-1, weeks)
	}
	evaluated, alarms := 0, 0
	for i, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) != 5 || (f[4] != "" && f[4] != "0" && f[4] != "1") {
			t.Fatalf("row %d: %q", i, l)
		}
		if f[4] != "" {
			evaluated++
			if i < 52 {
				t.Errorf("row %d evaluated without a year of history: %q", i, l)
			}
		}
		if f[4] == "1" && i >= weeks-3 {
			alarms++
		}
	}
	if evaluated < 40 || alarms == 0 {
		t.Fatalf("%d rows evaluated, %d alarms on the final burst", evaluated, alarms)
	}
}
