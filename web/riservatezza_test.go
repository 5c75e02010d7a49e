package web_test

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/riservatezza"
	"github.com/portalescuole/portalescuole/store"
)

// The external exports, downloaded together, give back no suppressed
// count: every published total minus its published parts is tried, and
// every combination of totals across provinces, districts and grades.
func TestServer_ExportComplementarySuppression(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	internal := readCSV(t, c.get("/ats/export/assenze.csv").Body)
	shared := readCSV(t, c.get("/ats/export/assenze.csv?uso=esterno").Body)
	if len(internal) != len(shared) || len(internal) < 2 {
		t.Fatalf("%d internal rows, %d shared", len(internal), len(shared))
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
	for i := 1; i < len(internal); i++ {
		row, pub := internal[i], shared[i]
		if row[0] != pub[0] || row[1] != pub[1] {
			t.Fatalf("row %d differs: %v %v", i, row, pub)
		}
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
		if v >= 1 && v <= 3 && pub[6] != "<4" {
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
		in := readCSV(t, c.get("/ats/cruscotto/serie.csv?serie="+url.QueryEscape(name)).Body)
		totals[name] = map[string]cella{}
		for i := 1; i < len(rows); i++ {
			v, _ := strconv.Atoi(in[i][3])
			_, err := strconv.Atoi(rows[i][3])
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
	suppressed, complements, primaryOnlyBroken := 0, 0, 0
	for _, d := range dayKeys {
		g := days[d]
		// The day's published table, rebuilt from the downloads.
		var tab riservatezza.Tabella
		var mask, prim []bool
		idx := map[string]int{}
		for code, x := range g.plessi {
			idx[code] = len(tab.Valori)
			tab.Valori = append(tab.Valori, x.vero)
			mask = append(mask, x.soppresso)
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
			prim = append(prim, tot.vero >= 1 && tot.vero <= 3)
		}
		if got := riservatezza.Determinabili(tab, mask); len(got) > 0 {
			t.Fatalf("%s: cells %v recovered by combining totals", d, got)
		}
		if len(riservatezza.Determinabili(tab, prim)) > 0 {
			primaryOnlyBroken++
		}
	}
	if suppressed == 0 || complements == 0 || primaryOnlyBroken == 0 {
		t.Fatalf("the demo cannot tell: %d suppressed, %d complements, %d days undone with the 1–3 rule alone", suppressed, complements, primaryOnlyBroken)
	}
	t.Logf("%d days: %d plesso counts suppressed, %d of them complements; the 1–3 rule alone is undone on %d days", len(days), suppressed, complements, primaryOnlyBroken)
}
