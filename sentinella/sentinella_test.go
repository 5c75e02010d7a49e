package sentinella

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

func d(s string) time.Time {
	t, err := time.Parse(ps.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseFile(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		days       int
		err        string
	}{
		{"template unchanged", TemplateCSV, 0, "non contiene righe di dati"},
		{"template filled in", strings.NewReplacer("# AAAA-MM-GG,1A", "2026-11-23,1A", "# AAAA-MM-GG,1B", "2026-11-23,1B", "# AAAA-MM-GG,,", "2026-11-24,,").Replace(TemplateCSV), 2, ""},
		{"comment lines", "data,assenti\n# 2026-11-23,3\n2026-11-24,4\n", 1, ""},
		{"semicolon, Italian dates, total row", "data;classe;iscritti;assenti\n23/11/2026;;;7\n24/11/2026;2A;20;1\n", 2, ""},
		{"missing column", "data,classe\n2026-11-23,1A\n", 0, "manca la colonna «assenti»"},
		{"bad date", "data,assenti\n2026-13-01,3\n", 0, "riga 2: data"},
		{"letters", "data,classe,iscritti,assenti\n2026-11-23,1A,20,tre\n", 0, "riga 2: «assenti»"},
		{"class without enrolment", "data,classe,assenti\n2026-11-23,1A,2\n", 0, "riga 2: manca «iscritti»"},
		{"total twice", "data,assenti\n2026-11-23,3\n2026-11-23,4\n", 0, "riga 3: totale del plesso ripetuto"},
		{"empty", "", 0, "vuoto"},
		{"only header", "data,assenti\n", 0, "non contiene righe"},
		{"broken quote", "data,assenti\n\"2026-11-23,3\n", 0, "virgolette"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			righe, err := ParseFile("x.csv", []byte(tc.data))
			if tc.err == "" {
				if err != nil || len(righe) != tc.days {
					t.Fatalf("%d days, %v", len(righe), err)
				}
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) || !strings.Contains(fe.Error(), tc.err) || righe != nil {
				t.Fatalf("got %v, want %q", err, tc.err)
			}
		})
	}
	filled := strings.NewReplacer("# AAAA-MM-GG,1A", "2026-11-23,1A", "# AAAA-MM-GG,1B", "2026-11-23,1B", "# AAAA-MM-GG,,", "2026-11-24,,").Replace(TemplateCSV)
	righe, _ := ParseFile("x.csv", []byte(filled))
	if g := righe[0].Giorno; len(g.Classi) != 2 || g.Classi[0].Motivi.Febbre == nil || *g.Classi[0].Motivi.Febbre != 1 || righe[0].LinesText() != "righe 4, 5" ||
		!slices.Equal(righe[0].LineeClassi, []int{4, 5}) {
		t.Fatalf("template day %+v %s", g, righe[0].LinesText())
	}
	if g := righe[1].Giorno; !g.Chiuso || g.MotivoChiusura != "sciopero" {
		t.Fatalf("closure %+v", g)
	}
}

// Every bad line and field of a file is reported at once, and the days
// read without error come back for the caller's checks.
func TestLeggiFile_AllErrors(t *testing.T) {
	data := "data,classe,iscritti,assenti,febbre_respiratori\n" +
		"2026-13-01,1A,20,x,\n" + // line 2: date and assenti
		"2026-11-23,1A,venti,tre,-1\n" + // line 3: three fields
		"2026-11-23,1B,20,2,\n" + // line 4: good, but its day has a bad line
		"2026-11-24,1A,20,2,1\n" + // line 5: good day
		"2026-11-25,,,,\n" // line 6: total without assenti
	righe, errs := LeggiFile("x.csv", []byte(data))
	want := []string{"riga 2: data", "riga 2: «assenti»", "riga 3: «febbre_respiratori»", "riga 3: «assenti»", "riga 3: «iscritti»", "riga 6: manca «assenti»"}
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d: %q", len(errs), len(want), errs)
	}
	for _, w := range want {
		found := false
		for _, e := range errs {
			found = found || strings.HasPrefix(Testo(e), w)
		}
		if !found {
			t.Errorf("missing %q in %q", w, errs)
		}
	}
	if len(righe) != 1 || righe[0].Giorno.Giorno.Format(ps.DateLayout) != "2026-11-24" {
		t.Fatalf("good days %+v", righe)
	}
}

func TestParseFile_XLSX(t *testing.T) {
	b, err := os.ReadFile("testdata/registro.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	righe, err := ParseFile("registro.xlsx", b)
	if err != nil || len(righe) != 2 || len(righe[0].Giorno.Classi) != 2 {
		t.Fatalf("%+v %v", righe, err)
	}
}

func FuzzParseFile(f *testing.F) {
	f.Add("x.csv", []byte(TemplateCSV))
	f.Add("x.csv", []byte("data;classe;iscritti;assenti\n23/11/2026;;;7\n"))
	f.Add("x.xlsx", []byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		righe, err := ParseFile(name, data)
		if (err == nil) == (righe == nil) && !(err == nil && len(righe) > 0) {
			t.Fatalf("inconsistent result: %d days, %v", len(righe), err)
		}
		for _, r := range righe {
			if r.Giorno.Giorno.IsZero() || len(r.Lines) == 0 {
				t.Fatalf("day without date or lines: %+v", r)
			}
		}
	})
}

func TestCalcola(t *testing.T) {
	loc := time.UTC
	periodi := ps.Periodi(ps.FinestreDefault, d("2026-11-16"), d("2026-11-28"), loc)
	if len(periodi) != 4 || periodi[0].Key() != "2026-11-16" || !periodi[0].Scadenza.Equal(time.Date(2026, 11, 19, 12, 0, 0, 0, loc)) ||
		!periodi[1].Scadenza.Equal(time.Date(2026, 11, 23, 12, 0, 0, 0, loc)) {
		t.Fatalf("windows %+v", periodi)
	}
	plessi := []ps.Plesso{{Codice: "A"}, {Codice: "B"}, {Codice: "C"}, {Codice: "D"}}
	school := func(p ps.Plesso, day time.Time) bool {
		return day.Weekday() != time.Sunday && (p.Codice != "D" || day.Weekday() != time.Saturday) && day.Format(ps.DateLayout) != "2026-11-18"
	}
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	first := map[string]map[string]time.Time{
		"A": {"2026-11-16": at("2026-11-17T08:00:00Z"), "2026-11-17": at("2026-11-19T11:59:00Z")},
		"B": {"2026-11-16": at("2026-11-17T08:00:00Z"), "2026-11-17": at("2026-11-19T12:01:00Z")},
		"C": {"2026-11-16": at("2026-11-17T08:00:00Z")},
		"D": {"2026-11-19": at("2026-11-20T08:00:00Z"), "2026-11-20": at("2026-11-20T08:00:00Z")},
	}
	now := at("2026-11-24T10:00:00Z")
	c := Calcola(periodi, plessi, school, first, now)
	want := [][]Stato{
		{InTempo, Mancante, Aperta, Aperta},
		{InRitardo, Mancante, Aperta, Aperta},
		{Mancante, Mancante, Aperta, Aperta},
		{Mancante, InTempo, Aperta, Aperta}, // D: 5-day week, Saturday not due
	}
	for i := range want {
		for j := range want[i] {
			if got := c.Celle[i][j].Stato; got != want[i][j] {
				t.Errorf("%s window %d: %s, want %s", plessi[i].Codice, j, got, want[i][j])
			}
		}
	}
	if c.Celle[0][0].Giorni != 2 { // the 18th is a closure
		t.Errorf("school days %d", c.Celle[0][0].Giorni)
	}
	if c.Tasso[0] != 0.25 || c.Tasso[1] != 0.25 || c.Tasso[2] != -1 {
		t.Errorf("rates %v", c.Tasso)
	}
}

func TestCopertura(t *testing.T) {
	rows := []ps.Adempimento{
		{Plesso: ps.Plesso{Provincia: "CR"}, Consistenza: &ps.Consistenza{Iscritti: 100}, Sentinella: true},
		{Plesso: ps.Plesso{Provincia: "CR"}, StudentiMIM: 300},
		{Plesso: ps.Plesso{Provincia: "MN"}, StudentiMIM: 200, Consistenza: &ps.Consistenza{Iscritti: 250}},
	}
	q := Copertura(rows, func(a ps.Adempimento) string { return a.Plesso.Provincia }, func(k string) string { return k })
	if len(q) != 2 || q[0].Alunni != 400 || q[0].AlunniSent != 100 || q[0].Percentuale() != 25 || q[1].Alunni != 250 || q[1].Sentinelle != 0 {
		t.Fatalf("%+v", q)
	}
}
