package web_test

import (
	"encoding/csv"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// TestServer_CSVExcelItaliano: the Italian Excel layout has the same rows
// with semicolons and decimal commas; the machine layout is unchanged
// (issue 21, item 17).
func TestServer_CSVExcelItaliano(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	for _, path := range []string{"/ats/cruscotto/serie.csv?serie=territorio", "/ats/export/allerte.csv?stato=", "/ats/export/assenze.csv?", "/ats/adempimenti.csv?anno=2026/27"} {
		plain := readCSV(t, c.get(path).Body)
		r := c.get(path + "&formato=excel-it")
		if !strings.Contains(r.Header.Get("Content-Disposition"), "-excel.csv") {
			t.Fatalf("%s: %q", path, r.Header.Get("Content-Disposition"))
		}
		cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff")))
		cr.Comma = ';'
		it, err := cr.ReadAll()
		if err != nil || len(it) != len(plain) || len(it) < 2 {
			t.Fatalf("%s: %d rows, %d plain (%v)", path, len(it), len(plain), err)
		}
		decimals := 0
		for i := range plain {
			for j := range plain[i] {
				want := plain[i][j]
				if strings.Contains(want, ".") && strings.Trim(want, "0123456789.-") == "" {
					want = strings.Replace(want, ".", ",", 1)
					decimals++
				}
				if it[i][j] != want {
					t.Fatalf("%s row %d col %d: %q, want %q", path, i, j, it[i][j], want)
				}
			}
		}
		if strings.Contains(path, "serie.csv") && decimals == 0 {
			t.Fatalf("%s: no decimal to tell", path)
		}
	}
}

// TestServer_AuditLeggibile: the audit page shows a line's details as
// keys and values, not raw JSON (issue 21, item 20).
func TestServer_AuditLeggibile(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleAdmin)
	c := e.loginAs(user, pw)
	e.db.Audit(ctx, ps.SystemActor, "prova.dettagli", "plesso:CREE80002T", map[string]any{"prima": 200, "dopo": 220})
	page := c.get("/admin/audit")
	if page.Status != 200 || !strings.Contains(page.Body, "<dt>dopo</dt><dd>220</dd><dt>prima</dt><dd>200</dd>") || strings.Contains(page.Body, `{&#34;dopo&#34;`) {
		t.Fatalf("audit details: %d", page.Status)
	}
}
