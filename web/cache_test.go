package web_test

import (
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// TestServer_NoStore: authenticated pages and exports say no-store; the
// public figures may be cached.
func TestServer_NoStore(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	for _, p := range []string{"/ats/cruscotto", "/ats/export/assenze.csv", "/ats/allerte", "/ats/export/allerte.csv?uso=esterno"} {
		r := c.get(p)
		if r.Status != 200 {
			t.Fatalf("%s: %d", p, r.Status)
		}
		if cc := strings.Join(r.Header.Values("Cache-Control"), ", "); !strings.Contains(cc, "no-store") {
			t.Errorf("%s: Cache-Control %q, want no-store", p, cc)
		}
	}
	e.setPubblico("1", "province", "3", "100")
	if cc := e.client().get("/pubblico/dati/assenze-settimanali.csv").Header.Get("Cache-Control"); strings.Contains(cc, "no-store") {
		t.Errorf("public figures: %q", cc)
	}
}
