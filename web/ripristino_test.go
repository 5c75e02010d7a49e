package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// TestServer_ResetRevocaToken: an ATS password reset revokes the plesso's
// register tokens unless the operator unticks the box (issue 21, item 10).
func TestServer_ResetRevocaToken(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	tok, _, err := e.db.CreateToken(ctx, ps.SystemActor, ownPlesso, "registro")
	if err != nil {
		t.Fatal(err)
	}
	path := "/ats/plessi/" + ownPlesso + "/reset"
	// Unticked: only the hidden "0" is sent; the token stays valid.
	if r := c.post(path, url.Values{"conferma": {"1"}, "revoca_token": {"0"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.Status)
	}
	if _, err := e.db.TokenPlesso(ctx, tok); err != nil {
		t.Fatalf("an unticked reset revoked the token: %v", err)
	}
	// Ticked, as the form comes: revoked.
	if r := c.post(path, url.Values{"conferma": {"1"}, "revoca_token": {"0", "1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.Status)
	}
	if _, err := e.db.TokenPlesso(ctx, tok); err == nil {
		t.Fatal("the token still works after a reset with the box ticked")
	}
	if page := c.get(path); page.Status != http.StatusOK || !strings.Contains(page.Body, `id="revoca-token" checked`) {
		t.Fatalf("the confirmation page does not offer the box ticked: %d", page.Status)
	}
}

// TestServer_MetricsRealIP: a loopback request relayed with X-Real-IP is a
// request from elsewhere.
func TestServer_MetricsRealIP(t *testing.T) {
	e := newEnv(t, store.SQLite)
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/metrics", nil)
	if r := e.client().do(req); r.Status != http.StatusOK {
		t.Fatalf("a local request: %d", r.Status)
	}
	req, _ = http.NewRequest(http.MethodGet, e.ts.URL+"/metrics", nil)
	req.Header.Set("X-Real-IP", "203.0.113.5")
	if r := e.client().do(req); r.Status != http.StatusForbidden {
		t.Fatalf("relayed with X-Real-IP: %d", r.Status)
	}
}

// TestServer_HealthzSenzaDatabase: the first health check after the
// database is gone says 503, not 500, also from a client with a session
// (a load balancer that keeps cookies, a browser).
func TestServer_HealthzSenzaDatabase(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	if r := c.get("/healthz"); r.Status != http.StatusOK {
		t.Fatalf("healthy: %d", r.Status)
	}
	e.db.Close()
	if r := c.get("/healthz"); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("without the database: %d %s", r.Status, r.Body)
	}
}

// TestServer_TokenUnaVolta: the token form creates one token; sending the
// same form again (a reload of the page that shows the token) creates
// none and says why (issue 21, item 16).
func TestServer_TokenUnaVolta(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.loginAs("cree80002t", pwPlesso)
	path := "/plesso/CREE80002T/token"
	page := c.get(path)
	m := regexp.MustCompile(`name="modulo" value="([^"]+)"`).FindStringSubmatch(page.Body)
	if page.Status != http.StatusOK || m == nil {
		t.Fatalf("token page: %d, mark %v", page.Status, m)
	}
	form := url.Values{"modulo": {m[1]}, "nome": {"registro"}}
	first := c.post(path, form)
	if first.Status != http.StatusOK || !strings.Contains(first.Body, `id="token-valore"`) {
		t.Fatalf("create: %d", first.Status)
	}
	again := c.post(path, form)
	if again.Status != http.StatusSeeOther {
		t.Fatalf("the same form again: %d", again.Status)
	}
	if p := c.get(again.Location); !strings.Contains(text(p.Body), "già stato creato") {
		t.Fatalf("no word about it: %s", text(p.Body))
	}
	toks, err := e.db.Tokens(ctx, "CREE80002T")
	if err != nil || len(toks) != 1 {
		t.Fatalf("%d tokens (%v), want 1", len(toks), err)
	}
}

// TestServer_AllertaConflitto: two operators on one alert; A archives it,
// then B, whose page still says "nuovo", sets "in valutazione" with a note:
// B is told what changed, by whom, and finds the note in the form; nothing
// of B's is saved (issue 21, item 12).
func TestServer_AllertaConflitto(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	a, b := e.loginAs(user, pw), e.loginAs(user, pw)
	open, err := e.db.Segnali(ctx, store.SegnaleFilter{Stato: ps.StatoNuovo})
	if err != nil || len(open) == 0 {
		t.Fatalf("no alert: %v", err)
	}
	path := "/ats/allerte/" + strconv.FormatInt(open[0].ID, 10)
	if r := a.post(path, url.Values{"stato": {ps.StatoArchiviato}, "da_stato": {ps.StatoNuovo}}); r.Status != http.StatusSeeOther {
		t.Fatalf("A archives: %d %s", r.Status, text(r.Body))
	}
	const note = "Sentita la scuola: focolaio di influenza in due classi"
	r := b.post(path, url.Values{"stato": {ps.StatoValutazione}, "da_stato": {ps.StatoNuovo}, "nota": {note}})
	body := text(r.Body)
	if r.Status != http.StatusConflict || !strings.Contains(body, "Nel frattempo l'allerta è passata a «archiviata»") && !strings.Contains(body, "Nel frattempo l'allerta è passata a «archiviato»") {
		t.Fatalf("B's conflict: %d %s", r.Status, body)
	}
	if !strings.Contains(r.Body, ">"+note+"</textarea>") {
		t.Fatal("the typed note is not in the form")
	}
	storia, err := e.db.StoriaSegnale(ctx, open[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range storia {
		if strings.Contains(ev.Nota, "focolaio") {
			t.Fatal("B's note was saved despite the conflict")
		}
	}
}

// TestServer_DatabaseAssente: with the database gone (a failover, a
// restart), pages and the API answer 503 with Retry-After and a sentence,
// not 500 (issue 21, item 11).
func TestServer_DatabaseAssente(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	tok, _, err := e.db.CreateToken(ctx, ps.SystemActor, ownPlesso, "registro")
	if err != nil {
		t.Fatal(err)
	}
	e.db.Close()
	r := c.get("/ats/allerte")
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(text(r.Body), "riprovare tra qualche secondo") {
		t.Fatalf("a page without the database: %d %q %s", r.Status, r.Header.Get("Retry-After"), text(r.Body))
	}
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/plesso", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if r := e.client().do(req); r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("the API without the database: %d %s", r.Status, r.Body)
	}
}
