package web_test

import (
	"regexp"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// The compliance filters: an istituto is found by part of its code, and
// with a state chosen the percentages still describe the whole selection.
func TestServer_AdempimentiFiltri(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	listed := func(body string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<td><a href="/plesso/([A-Z0-9]+)`).FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}

	t.Run("istituto by part of its code", func(t *testing.T) {
		exact, err := e.db.Adempimenti(ctx, 2026, store.PlessoFilter{Istituto: "CRIC800000", InScope: true, Attivi: true})
		if err != nil || len(exact) == 0 {
			t.Fatalf("demo istituto: %d, %v", len(exact), err)
		}
		got := listed(c.get("/ats/adempimenti?anno=2026/27&istituto=cric80000").Body)
		if len(got) < len(exact) {
			t.Fatalf("partial code: %d plessi, the istituto alone has %d", len(got), len(exact))
		}
		for _, code := range got {
			p, err := e.db.Plesso(ctx, code)
			if err != nil || !strings.Contains(p.Istituto, "CRIC80000") {
				t.Errorf("%s (istituto %q) listed for cric80000", code, p.Istituto)
			}
		}
	})

	t.Run("percentages with a state", func(t *testing.T) {
		sel, err := e.db.Adempimenti(ctx, 2026, store.PlessoFilter{Provincia: "MN", InScope: true, Attivi: true})
		if err != nil {
			t.Fatal(err)
		}
		tot := ps.Totale(sel)
		if tot.Fatti == 0 || tot.Mancano == 0 {
			t.Fatalf("demo state not plausible for MN: %+v", tot)
		}
		for _, stato := range []string{"manca", "fatto"} {
			page := text(c.get("/ats/adempimenti?anno=2026/27&provincia=MN&stato=" + stato).Body)
			want := "Totale: " + itoa(tot.Fatti) + " / " + itoa(tot.Totale)
			if !strings.Contains(page, want) {
				t.Errorf("stato=%s: want %q on the page: %s", stato, want, page[:min(len(page), 600)])
			}
		}
		got := listed(c.get("/ats/adempimenti?anno=2026/27&provincia=MN&stato=manca").Body)
		if len(got) != tot.Mancano {
			t.Errorf("stato=manca lists %d plessi, %d are missing", len(got), tot.Mancano)
		}
	})
}
