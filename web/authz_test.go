package web_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// TestServer_AuthorizationMatrix walks every route of the table with every
// role (and anonymous), and for plesso routes with a plesso the role may
// see and one it may not.
func TestServer_AuthorizationMatrix(t *testing.T) {
	e := newEnv(t, store.SQLite)
	type who struct {
		name    string
		role    ps.Role
		user    string
		pw      string
		allowed string // a plesso this user may access
		denied  string // a plesso this user may not access
	}
	admUser, admPw := demoAccount(ps.RoleAdmin)
	atsUser, atsPw := demoAccount(ps.RoleATS)
	istUser, istPw := demoAccount(ps.RoleIstituto)
	people := []who{
		{"anonimo", "", "", "", ownPlesso, ownPlesso},
		{"plesso", ps.RolePlesso, "cree80001r", pwPlesso, ownPlesso, otherPlesso},
		{"istituto", ps.RoleIstituto, istUser, istPw, otherPlesso, farPlesso},
		{"ats", ps.RoleATS, atsUser, atsPw, farPlesso, ""},
		{"admin", ps.RoleAdmin, admUser, admPw, otherPlesso, ""}, // not ownPlesso: its reset would log the plesso client out
	}
	clients := map[string]*client{}
	for _, p := range people {
		if p.user == "" {
			clients[p.name] = e.client()
		} else {
			clients[p.name] = e.loginAs(p.user, p.pw)
		}
	}
	checked := 0
	for _, rt := range e.srv.Routes() {
		for _, p := range people {
			codes := []string{""}
			if strings.Contains(rt.Pattern, "{codice}") {
				codes = []string{p.allowed, p.denied}
			}
			for i, code := range codes {
				if code == "" && strings.Contains(rt.Pattern, "{codice}") {
					continue
				}
				path := strings.NewReplacer("{codice}", code, "{id}", "1", "{$}", "").Replace(rt.Pattern)
				c := clients[p.name]
				if rt.Pattern == "/logout" && p.user != "" {
					c = e.loginAs(p.user, p.pw) // do not log out the shared client
				}
				var r resp
				if rt.Method == "GET" {
					r = c.get(path)
				} else {
					r = c.post(path, nil)
				}
				checked++
				name := rt.Method + " " + path + " as " + p.name
				switch {
				case rt.Token:
					// API routes take a token, never a session.
					if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Bearer") {
						t.Errorf("%s: token route answered %d to a session", name, r.Status)
					}
				case rt.Public():
					// POST /login without credentials is a 401 of its own.
					if r.Status == http.StatusForbidden || (r.Status == http.StatusUnauthorized && rt.Pattern != "/login") {
						t.Errorf("%s: public route answered %d", name, r.Status)
					}
				case p.user == "":
					if rt.Method == "GET" && (r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login")) {
						t.Errorf("%s: %d %q, want a redirect to /login", name, r.Status, r.Location)
					}
					if rt.Method == "POST" && r.Status != http.StatusUnauthorized {
						t.Errorf("%s: %d, want 401", name, r.Status)
					}
				case !slices.Contains(rt.Roles, p.role):
					if r.Status != http.StatusForbidden {
						t.Errorf("%s: role not allowed, got %d", name, r.Status)
					}
				case i == 1:
					if r.Status != http.StatusForbidden {
						t.Errorf("%s: plesso outside the user's scope, got %d", name, r.Status)
					}
				default:
					if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden || r.Status >= 500 {
						t.Errorf("%s: allowed, got %d: %.200s", name, r.Status, text(r.Body))
					}
				}
			}
		}
	}
	if checked < 5*len(e.srv.Routes()) {
		t.Fatalf("only %d checks", checked)
	}
}
