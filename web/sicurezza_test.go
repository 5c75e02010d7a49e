package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	stdhtml "html"

	ps "github.com/portalescuole/portalescuole"

	"github.com/portalescuole/portalescuole/store"
)

// TestSicurezza_Redirect tries the open redirect and its variants on
// /login?next= (followed by a correct login) and on POST /lingua.
func TestSicurezza_Redirect(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	cases := []struct {
		next string
		want string
	}{
		{"/\t/127.0.0.1:18199/pwned", "/"},
		{"/\n/evil.example", "/"},
		{"/\r/evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"//evil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"/a/\t/b", "/"},
		{"/x\x00y", "/"},
		{"", "/"},
		{"/ats/adempimenti?provincia=MN&grado=primaria", "/ats/adempimenti?provincia=MN&grado=primaria"},
		{"/plesso/CREE80001R", "/plesso/CREE80001R"},
	}
	for _, tc := range cases {
		t.Run("login "+url.QueryEscape(tc.next), func(t *testing.T) {
			c := e.client()
			page := c.get("/login?next=" + url.QueryEscape(tc.next))
			next := loginNext(t, page.Body)
			r := c.post("/login", url.Values{"username": {user}, "password": {pw}, "next": {next}})
			if r.Status != http.StatusSeeOther || r.Location != tc.want {
				t.Fatalf("Location %q (status %d), want %q", r.Location, r.Status, tc.want)
			}
		})
		t.Run("lingua "+url.QueryEscape(tc.next), func(t *testing.T) {
			r := e.client().post("/lingua", url.Values{"lang": {"en"}, "next": {tc.next}})
			if r.Status != http.StatusSeeOther || r.Location != tc.want {
				t.Fatalf("Location %q (status %d), want %q", r.Location, r.Status, tc.want)
			}
		})
	}
	t.Run("the issue's attack verbatim", func(t *testing.T) {
		c := e.client()
		page := c.get("/login?next=%2F%09%2F127.0.0.1:18199%2Fpwned")
		if next := loginNext(t, page.Body); next != "/" {
			t.Fatal("the login page keeps the foreign target")
		}
	})
	t.Run("the way back after login keeps a whole query", func(t *testing.T) {
		r := e.client().get("/ats/adempimenti?provincia=MN&grado=primaria")
		u, err := url.Parse(r.Location)
		if err != nil || u.Path != "/login" || u.Query().Get("next") != "/ats/adempimenti?provincia=MN&grado=primaria" {
			t.Fatalf("redirect to %q", r.Location)
		}
	})
}

var nextRE = regexp.MustCompile(`name="next" value="([^"]*)"`)

// loginNext returns the login form's next field (the last one: the
// layout's language form comes first).
func loginNext(t *testing.T, body string) string {
	t.Helper()
	m := nextRE.FindAllStringSubmatch(body, -1)
	if m == nil {
		t.Fatal("no next field in the login page")
	}
	return stdhtml.UnescapeString(m[len(m)-1][1])
}
