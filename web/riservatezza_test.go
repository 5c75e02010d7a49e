package web_test

import (
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/riservatezza"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/web"
)

// rilasciate returns the figures the external exports must rest on, by
// "giorno|plesso": each plesso day as it stood at its window's deadline.
func rilasciate(t *testing.T, e *env) map[string]serie.Osservazione {
	t.Helper()
	st, err := e.db.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Rome")
	fs := st.FinestreParsed()
	obs, err := e.db.OsservazioniRilasciate(ctx, ps.AnnoDi(today).Inizio(), today, func(d time.Time) (time.Time, bool) {
		p, ok := ps.PeriodoDi(fs, d, loc)
		return p.Scadenza, ok
	}, today)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]serie.Osservazione{}
	for _, o := range obs {
		out[o.Giorno.Format(ps.DateLayout)+"|"+o.Plesso] = o
	}
	return out
}

// The external exports, downloaded together, give back no suppressed
// count: every published total minus its published parts is tried, and
// every combination of totals across provinces, districts and grades.
func TestServer_ExportComplementarySuppression(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	truth := rilasciate(t, e)
	shared := readCSV(t, c.get("/ats/export/assenze.csv?uso=esterno").Body)
	if len(shared)-1 != len(truth) || len(shared) < 2 {
		t.Fatalf("%d released plesso days, %d shared", len(truth), len(shared)-1)
	}
	type cella struct {
		vero      int
		pubblico  string
		soppresso bool
	}
	type giorno struct {
		plessi map[string]cella
		gruppi map[string][]string // series -> its plessi
	}
	days := map[string]*giorno{}
	names := map[string]bool{}
	for i := 1; i < len(shared); i++ {
		pub := shared[i]
		o, ok := truth[pub[0]+"|"+pub[1]]
		if !ok {
			t.Fatalf("row %d: %s %s was not released", i, pub[0], pub[1])
		}
		row := append([]string(nil), pub...)
		row[6] = strconv.Itoa(o.Assenti)
		d := days[row[0]]
		if d == nil {
			d = &giorno{plessi: map[string]cella{}, gruppi: map[string][]string{}}
			days[row[0]] = d
		}
		v, _ := strconv.Atoi(row[6])
		_, err := strconv.Atoi(pub[6])
		d.plessi[row[1]] = cella{vero: v, pubblico: pub[6], soppresso: err != nil}
		if err == nil && pub[6] != row[6] {
			t.Fatalf("row %d: %s published as %s", i, row[6], pub[6])
		}
		if v >= 1 && v <= 3 && pub[6] != "<4" && pub[6] != "riservato" {
			t.Fatalf("row %d: count %d published as %q", i, v, pub[6])
		}
		for _, g := range []string{"territorio", "provincia:" + row[2], "distretto:" + row[3], "grado:" + row[4]} {
			if g[len(g)-1] == ':' {
				continue
			}
			d.gruppi[g] = append(d.gruppi[g], row[1])
			names[g] = true
		}
	}
	// The series as shared, by name and day.
	totals := map[string]map[string]cella{}
	for name := range names {
		ext := c.get("/ats/cruscotto/serie.csv?serie=" + url.QueryEscape(name) + "&uso=esterno")
		if ext.Status == http.StatusNotFound {
			// A series identical to its parent (the demo's districts are
			// its provinces) is watched and published once, as the parent.
			delete(names, name)
			continue
		}
		rows := readCSV(t, ext.Body)
		totals[name] = map[string]cella{}
		for i := 1; i < len(rows); i++ {
			v := 0 // the released total: the sum of its released plessi
			if g := days[rows[i][0]]; g != nil {
				for _, code := range g.gruppi[name] {
					v += g.plessi[code].vero
				}
			}
			pv, err := strconv.Atoi(rows[i][3])
			if err == nil && pv != v {
				t.Fatalf("%s %s: %d published, %d released", name, rows[i][0], pv, v)
			}
			totals[name][rows[i][0]] = cella{vero: v, pubblico: rows[i][3], soppresso: err != nil}
			if err != nil && rows[i][4] != "" {
				t.Fatalf("%s %s: suppressed count with its rate %s", name, rows[i][0], rows[i][4])
			}
		}
	}
	dayKeys := make([]string, 0, len(days))
	for d := range days {
		dayKeys = append(dayKeys, d)
	}
	sort.Strings(dayKeys)
	suppressed, complements, primaryOnlyBroken, boundsBroken := 0, 0, 0, 0
	for _, d := range dayKeys {
		g := days[d]
		// The day's published table, rebuilt from the downloads.
		var tab riservatezza.Tabella
		var mask, prim []bool
		var labels []string
		idx := map[string]int{}
		for code, x := range g.plessi {
			idx[code] = len(tab.Valori)
			tab.Valori = append(tab.Valori, x.vero)
			mask = append(mask, x.soppresso)
			labels = append(labels, x.pubblico)
			prim = append(prim, x.vero >= 1 && x.vero <= 3)
			if x.soppresso {
				suppressed++
				if x.pubblico != "<4" {
					complements++
				}
			}
		}
		for name, members := range g.gruppi {
			tot, ok := totals[name][d]
			if !ok {
				continue // not a Monday–Friday: no series point
			}
			sum := 0
			parts := make([]int, len(members))
			hidden, hiddenAt := 0, ""
			for j, code := range members {
				parts[j] = idx[code]
				sum += g.plessi[code].vero
				if g.plessi[code].soppresso {
					hidden++
					hiddenAt = code
				}
			}
			if sum != tot.vero {
				t.Fatalf("%s %s: the series says %d, its plessi sum to %d", name, d, tot.vero, sum)
			}
			// The outside test's attack: a total minus its parts.
			switch {
			case !tot.soppresso && hidden == 1:
				t.Fatalf("%s %s: %s recovered by subtraction", name, d, hiddenAt)
			case tot.soppresso && hidden == 0:
				t.Fatalf("%s %s: the suppressed total is the sum of its parts", name, d)
			}
			tab.Vincoli = append(tab.Vincoli, riservatezza.Vincolo{Totale: len(tab.Valori), Parti: parts})
			tab.Valori = append(tab.Valori, tot.vero)
			mask = append(mask, tot.soppresso)
			labels = append(labels, tot.pubblico)
			prim = append(prim, tot.vero >= 1 && tot.vero <= 3)
		}
		if got := riservatezza.Determinabili(tab, mask); len(got) > 0 {
			t.Fatalf("%s: cells %v recovered by combining totals", d, got)
		}
		// The bounds the labels reveal ("<4": 1..3; "riservato": >= 0),
		// with everything published that day: no small count is left
		// with a single possible value (issue 21: 36 − 30 = 6 over two
		// "<4" plessi, so both are 3).
		lo, hi := make([]float64, len(tab.Valori)), make([]float64, len(tab.Valori))
		for i := range lo {
			hi[i] = math.Inf(1)
			if labels[i] == "<4" {
				lo[i], hi[i] = 1, 3
			}
		}
		for i, iv := range riservatezza.LimitiDa(tab, mask, lo, hi) {
			if mask[i] && tab.Valori[i] >= 1 && tab.Valori[i] <= 3 && iv.Max-iv.Min < 1 {
				t.Fatalf("%s: cell %d (%d) narrowed to %v by the labels' bounds", d, i, tab.Valori[i], iv)
			}
		}
		if len(riservatezza.Ristretti(tab, prim, riservatezza.Esterno)) > 0 {
			boundsBroken++
		}
		if len(riservatezza.Determinabili(tab, prim)) > 0 {
			primaryOnlyBroken++
		}
	}
	if suppressed == 0 || complements == 0 || primaryOnlyBroken == 0 {
		t.Fatalf("the demo cannot tell: %d suppressed, %d complements, %d days undone with the 1–3 rule alone", suppressed, complements, primaryOnlyBroken)
	}
	if boundsBroken == 0 {
		t.Error("the demo cannot tell: the bounds of the 1–3 rule alone narrow nothing")
	}
	t.Logf("%d days: %d plesso counts suppressed, %d of them complements; the 1–3 rule alone is undone on %d days, by its bounds on %d", len(days), suppressed, complements, primaryOnlyBroken, boundsBroken)
}

// The fever/respiratory and gastrointestinal series shared outside: their
// finest cells (province × grade) are never published, and no published
// combination of their territory, province and grade totals, with the
// labels' bounds, leaves a count of 1–3 with one possible value (issue 21:
// 26 − 13 − 10 = 3 for a grade of one plesso).
func TestServer_ExportMotiviSuppression(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	checked, small := 0, 0
	truth := rilasciate(t, e)
	released := func(pre, base, day string) int {
		n := 0
		for _, o := range truth {
			if o.Giorno.Format(ps.DateLayout) != day {
				continue
			}
			kind, val, _ := strings.Cut(base, ":")
			if (kind == "provincia" && o.Strato.Provincia != val) || (kind == "grado" && o.Strato.Grado != val) {
				continue
			}
			v := o.Febbre
			if pre == "gastro/" {
				v = o.Gastro
			}
			if v > 0 {
				n += v
			}
		}
		return n
	}
	for _, pre := range []string{"febbre/", "gastro/"} {
		// The margins as published and as they are, by day.
		type margin struct {
			name      string
			vero      int
			label     string
			soppresso bool
		}
		byDay := map[string][]margin{}
		var names []string
		for _, base := range []string{"territorio", "provincia:CR", "provincia:MN", "grado:primaria", "grado:secondaria1", "grado:secondaria2"} {
			name := pre + base
			ext := c.get("/ats/cruscotto/serie.csv?serie=" + url.QueryEscape(name) + "&uso=esterno")
			if ext.Status == http.StatusNotFound {
				continue
			}
			names = append(names, base)
			rows := readCSV(t, ext.Body)
			for i := 1; i < len(rows); i++ {
				v := released(pre, base, rows[i][0])
				pv, err := strconv.Atoi(rows[i][3])
				if err == nil && pv != v {
					t.Fatalf("%s %s: %d published, %d released", name, rows[i][0], pv, v)
				}
				if v >= 1 && v <= 3 && err == nil {
					t.Fatalf("%s %s: a count of %d published", name, rows[i][0], v)
				}
				byDay[rows[i][0]] = append(byDay[rows[i][0]], margin{base, v, rows[i][3], err != nil})
			}
		}
		if pre == "febbre/" && len(names) < 4 {
			t.Fatalf("%s: %d series published", pre, len(names))
		}
		for d, ms := range byDay {
			// Hidden cells: province × grade; published: the margins.
			var tab riservatezza.Tabella
			var mask []bool
			var lo, hi []float64
			cell := map[string]int{}
			for _, p := range []string{"CR", "MN"} {
				for _, g := range []string{"primaria", "secondaria1", "secondaria2"} {
					cell[p+"|"+g] = len(tab.Valori)
					tab.Valori = append(tab.Valori, 0) // unknown to the attacker: bounds only
					mask, lo, hi = append(mask, true), append(lo, 0), append(hi, math.Inf(1))
				}
			}
			for _, m := range ms {
				var parts []int
				for k, i := range cell {
					p, g, _ := strings.Cut(k, "|")
					if m.name == "territorio" || m.name == "provincia:"+p || m.name == "grado:"+g {
						parts = append(parts, i)
					}
				}
				tab.Vincoli = append(tab.Vincoli, riservatezza.Vincolo{Totale: len(tab.Valori), Parti: parts})
				tab.Valori = append(tab.Valori, m.vero)
				l, h := 0.0, math.Inf(1)
				if m.label == "<4" {
					l, h = 1, 3
				}
				mask, lo, hi = append(mask, m.soppresso), append(lo, l), append(hi, h)
			}
			// The hidden cells' true values only seed the program's
			// feasibility: the ranges come from the published margins.
			iv := riservatezza.LimitiDa(tab, mask, lo, hi)
			for j, m := range ms {
				i := 6 + j
				if !m.soppresso || m.vero < 1 || m.vero > 3 {
					continue
				}
				small++
				if iv[i].Max-iv[i].Min < 1 {
					t.Fatalf("%s%s %s: %d narrowed to %v by the published margins", pre, m.name, d, m.vero, iv[i])
				}
			}
			checked++
		}
	}
	if small == 0 {
		t.Fatalf("the demo has no small fever or gastro count to protect (%d days)", checked)
	}
	t.Logf("%d series-days checked, %d small counts suppressed", checked, small)
}

// The alerts shared outside: a peak rate whose count (rate × pupils) is
// suppressed in the other external exports is not published either
// (issue 21: a plesso's 0,1 × 30 = 3).
func TestServer_ExportAllerteEsterno(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	// A plesso alert whose peak is a small count, as the outside test met.
	day18 := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	small := ps.Segnale{Serie: "plesso:CREE80002T", Giorno: day18, Al: day18, Picco: day18,
		Metodo: "default", Parametri: "{}", Osservato: 0.1, Atteso: 0.03, Soglia: 0.06, Plessi: 1, Iscritti: 30, Giorni: 1}
	if _, err := e.db.AddSegnali(ctx, ps.SystemActor, []ps.Segnale{small}); err != nil {
		t.Fatal(err)
	}
	in := readCSV(t, c.get("/ats/export/allerte.csv").Body)
	ext := readCSV(t, c.get("/ats/export/allerte.csv?uso=esterno").Body)
	if len(in) != len(ext) || len(in) < 3 {
		t.Fatalf("%d internal rows, %d shared", len(in), len(ext))
	}
	col := map[string]int{}
	for i, h := range ext[0] {
		col[h] = i
	}
	hidden, shown := 0, 0
	for i := 1; i < len(ext); i++ {
		rate, err := strconv.ParseFloat(ext[i][col["osservato"]], 64)
		pupils, _ := strconv.Atoi(ext[i][col["iscritti"]])
		if err != nil {
			if ext[i][col["osservato"]] != "riservato" {
				t.Fatalf("row %d: osservato %q", i, ext[i][col["osservato"]])
			}
			hidden++
			continue
		}
		shown++
		if n := math.Round(rate * float64(pupils)); n >= 1 && n <= 3 {
			t.Fatalf("row %d (%s): rate %v × %d pupils gives back %v absent", i, ext[i][col["serie"]], rate, pupils, n)
		}
		if ext[i][col["osservato"]] != in[i][col["osservato"]] {
			t.Fatalf("row %d: published %s, internal %s", i, ext[i][col["osservato"]], in[i][col["osservato"]])
		}
	}
	if hidden == 0 || shown == 0 {
		t.Fatalf("%d rates hidden, %d shown: the test cannot tell", hidden, shown)
	}
}

// TestServer_LateReportMovesNothingShared is the differencing attack: two
// downloads of everything shared outside, before and after one late report
// (after its window's deadline), are identical, so neither its count nor
// its plesso can be read off their difference; the ATS's own view has it.
func TestServer_LateReportMovesNothingShared(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	shared := []string{"/ats/export/assenze.csv?uso=esterno", "/ats/export/allerte.csv?uso=esterno",
		"/ats/cruscotto/serie.csv?serie=provincia%3ACR&uso=esterno", "/ats/cruscotto/serie.csv?serie=territorio&uso=esterno",
		"/ats/cruscotto/serie.csv?serie=febbre%2Fterritorio&uso=esterno"}
	e.setPubblico("1", "province", "3", "100")
	public := []string{"/pubblico/dati/assenze-settimanali.csv"}
	download := func() map[string]string {
		out := map[string]string{}
		for _, p := range shared {
			out[p] = c.get(p).Body
		}
		pc := e.client()
		for _, p := range public {
			r := pc.get(p)
			if r.Status != http.StatusOK {
				t.Fatalf("%s: %d", p, r.Status)
			}
			out[p] = r.Body
		}
		return out
	}
	before := download()
	// A released plesso day two weeks back: a correction arrives now.
	var late serie.Osservazione
	for _, o := range rilasciate(t, e) {
		if today.Sub(o.Giorno) > 10*24*time.Hour && today.Sub(o.Giorno) < 20*24*time.Hour && o.Assenti > 3 {
			late = o
			break
		}
	}
	if late.Plesso == "" {
		t.Fatal("the demo has no released plesso day two weeks back")
	}
	if _, err := e.db.SaveGiorni(ctx, ps.SystemActor, late.Plesso, []ps.Giorno{{Giorno: late.Giorno, Assenti: ps.IntPtr(late.Assenti + 2)}}, "modulo"); err != nil {
		t.Fatal(err)
	}
	latest, err := e.db.Osservazioni(ctx, late.Giorno, late.Giorno)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, o := range latest {
		seen = seen || (o.Plesso == late.Plesso && o.Assenti == late.Assenti+2)
	}
	if !seen {
		t.Fatal("the late report was not stored")
	}
	// A fresh server on the same database (a restart, or another node):
	// no cache stands between the late report and what it serves. Its
	// internal export has the report.
	srv, err := web.New(web.Config{DB: e.db, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return today }, HashParams: fastHash,
		LoginBurst: 1000, LoginRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	e = &env{t: t, db: e.db, srv: srv, ts: ts}
	c = e.loginAs(user, pw)
	want := late.Giorno.Format(ps.DateLayout) + "," + late.Plesso + ","
	found := false
	for _, row := range readCSV(t, c.get("/ats/export/assenze.csv").Body) {
		found = found || (strings.HasPrefix(strings.Join(row, ","), want) && row[6] == strconv.Itoa(late.Assenti+2))
	}
	if !found {
		t.Fatal("the internal export does not show the late report")
	}
	after := download()
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s moved after one late report of %s on %s", p, late.Plesso, late.Giorno.Format(ps.DateLayout))
		}
	}
}
