package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
)

// A token's state is shown, and revoking it needs the confirmation the
// page asks for: an unconfirmed POST leaves the class register working.
func TestServer_TokenRevoca(t *testing.T) {
	e := sentinelEnv(t)
	tok, _, err := e.db.CreateToken(ctx, ps.SystemActor, ownPlesso, "registro")
	if err != nil {
		t.Fatal(err)
	}
	c := e.loginAs("cree80001r", pwPlesso)
	page := c.get("/plesso/" + ownPlesso + "/token")
	if !strings.Contains(text(page.Body), "Attivo") {
		t.Fatalf("an active token has no state: %s", text(page.Body))
	}
	m := regexp.MustCompile(`action="(/plesso/` + ownPlesso + `/token/\d+/revoca)"`).FindStringSubmatch(page.Body)
	if m == nil || !strings.Contains(page.Body, `name="conferma" value="1"`) {
		t.Fatalf("no confirmed revocation form: %s", page.Body)
	}
	if r := c.post(m[1], nil); r.Status != 303 || !strings.Contains(text(c.get(r.Location).Body), "Revoca non confermata") {
		t.Fatalf("unconfirmed revocation: %d", r.Status)
	}
	if r := apiDo(e, "GET", "/api/v1/plesso", tok, nil); r.Status != 200 {
		t.Fatalf("an unconfirmed revocation stopped the token: %d", r.Status)
	}
	if r := c.post(m[1], url.Values{"conferma": {"1"}}); r.Status != 303 {
		t.Fatalf("confirmed revocation: %d", r.Status)
	}
	if r := apiDo(e, "GET", "/api/v1/plesso", tok, nil); r.Status != 401 {
		t.Fatalf("a revoked token still works: %d", r.Status)
	}
	if !strings.Contains(text(c.get("/plesso/"+ownPlesso+"/token").Body), "revocato il") {
		t.Error("the revoked token's state is not shown")
	}
}
