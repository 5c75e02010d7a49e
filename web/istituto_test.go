package web_test

import (
	"regexp"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// The istituto's list holds the plessi that the 6–19 survey asks for, the
// same as the ATS's compliance list: no infanzia, nothing outside the scope.
func TestServer_IstitutoHome(t *testing.T) {
	e := newEnv(t, store.SQLite)
	istUser, istPw := demoAccount(ps.RoleIstituto)
	c := e.loginAs(istUser, istPw)
	page := c.get("/istituto")
	if page.Status != 200 {
		t.Fatalf("istituto %d", page.Status)
	}
	listed := regexp.MustCompile(`<a href="/plesso/([A-Z0-9]+)/registro">`).FindAllStringSubmatch(page.Body, -1)
	if len(listed) == 0 {
		t.Fatal("no plesso listed")
	}
	u, err := e.db.UserByUsername(ctx, istUser)
	if err != nil {
		t.Fatal(err)
	}
	all, err := e.db.Plessi(ctx, store.PlessoFilter{Istituto: u.Istituto, Attivi: true})
	if err != nil {
		t.Fatal(err)
	}
	inScope := 0
	outOfScope := 0
	for _, p := range all {
		if p.Grado.InScope() {
			inScope++
		} else {
			outOfScope++
		}
	}
	if outOfScope == 0 {
		t.Fatalf("the demo istituto %s has no plesso outside the survey: the test proves nothing", u.Istituto)
	}
	for _, m := range listed {
		if g := ps.GradoFromCodice(m[1]); !g.InScope() {
			t.Errorf("%s (%s) listed: it is not asked for 6–19 figures", m[1], g)
		}
	}
	if len(listed) != inScope {
		t.Errorf("%d plessi listed, %d in the survey", len(listed), inScope)
	}
}

// An infanzia plesso opened by its istituto is told it has nothing to
// enter, and is not offered the 6–19 form.
func TestServer_PlessoFuoriRilevazione(t *testing.T) {
	e := newEnv(t, store.SQLite)
	istUser, istPw := demoAccount(ps.RoleIstituto)
	c := e.loginAs(istUser, istPw)
	u, err := e.db.UserByUsername(ctx, istUser)
	if err != nil {
		t.Fatal(err)
	}
	all, err := e.db.Plessi(ctx, store.PlessoFilter{Istituto: u.Istituto, Attivi: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		for _, path := range []string{"/plesso/" + p.Codice, "/plesso/" + p.Codice + "/registro"} {
			body := c.get(path).Body
			offered := strings.Contains(body, "/registro/aggiungi") || strings.Contains(body, `id="btn-registro"`)
			told := strings.Contains(body, `id="fuori-rilevazione"`)
			if p.Grado.InScope() == told || (!p.Grado.InScope() && offered) {
				t.Errorf("%s %s (%s): form offered %v, told it is outside the survey %v", path, p.Codice, p.Grado, offered, told)
			}
		}
	}
}
