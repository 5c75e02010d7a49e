package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestServer_TestiNonAmmessi: a NUL in a text field, a 50,000-character
// search, data after the JSON object and a repeated key are refused with a
// message, on both engines, and nothing is stored (issue 21, item 7).
func TestServer_TestiNonAmmessi(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			user, pw := demoAccount(ps.RoleATS)
			c := e.loginAs(user, pw)
			open, err := e.db.Segnali(ctx, store.SegnaleFilter{Stato: ps.StatoNuovo})
			if err != nil || len(open) == 0 {
				t.Fatalf("no alert: %v", err)
			}
			path := "/ats/allerte/" + itoa(int(open[0].ID))
			r := c.post(path, url.Values{"stato": {ps.StatoValutazione}, "da_stato": {ps.StatoNuovo}, "nota": {"febbre\x00alta"}})
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "carattere di controllo") || !strings.Contains(text(r.Body), "nota") {
				t.Fatalf("a NUL in the note: %d %s", r.Status, text(r.Body))
			}
			g, err := e.db.Segnale(ctx, open[0].ID)
			if err != nil || g.Stato != ps.StatoNuovo {
				t.Fatalf("the alert moved: %+v %v", g, err)
			}
			if r := c.get("/ats/plessi/reset?q=" + strings.Repeat("a", 50000)); r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "troppo lungo") {
				t.Fatalf("a 50,000-character search: %d", r.Status)
			}
		})
	}
}

// TestAPI_JSONStretto: the API refuses a body with data after the object,
// a repeated key or a NUL inside a string.
func TestAPI_JSONStretto(t *testing.T) {
	e := sentinelEnv(t)
	tok, _, err := e.db.CreateToken(ctx, ps.SystemActor, ownPlesso, "registro")
	if err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{
		`{"giorni": []}xyz`:            "dopo",
		`{"giorni": [], "giorni": []}`: "chiave ripetuta",
		`{"giorni": [{"giorno": "2026-11-25", "assenti": 3, "x": "a\u0000b"}]}`: "controllo",
	} {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/api/v1/assenze", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		r := e.client().do(req)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, want) {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
}
