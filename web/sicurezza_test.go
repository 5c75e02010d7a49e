package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	stdhtml "html"

	ps "github.com/portalescuole/portalescuole"

	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/web"
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

// clock is a test clock that the test moves.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock    { c := &clock{}; c.ns.Store(t.UnixNano()); return c }
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// behindProxy makes the test server trust loopback as its reverse proxy,
// so that clients can come from any address through X-Forwarded-For.
func behindProxy(c *web.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
}

// loginError is the message shown on the login page.
func loginError(body string) string {
	m := alertRE.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return text(m[1])
}

var alertRE = regexp.MustCompile(`(?s)<div class="alert alert-danger"[^>]*>(.*?)</div>`)

// TestSicurezza_Login: failures slow down only the address that failed, not
// the account's owner; unknown, disabled and wrong answer alike.
func TestSicurezza_Login(t *testing.T) {
	clk := newClock(today)
	e := newEnv(t, store.SQLite, behindProxy, func(c *web.Config) { c.Now = clk.now })
	attacker := e.client()
	attacker.xff = "203.0.113.9"
	school := e.client()
	school.xff = "198.51.100.7"

	t.Run("the attacker cannot lock the school out", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			if r := attacker.login("cree80001r", "sbagliata"); r.Status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, r.Status)
			}
		}
		r := attacker.login("cree80001r", pwPlesso)
		if r.Status != http.StatusTooManyRequests || !strings.Contains(loginError(r.Body), "riprovare tra 30 secondi") || r.Header.Get("Retry-After") != "30" {
			t.Fatalf("6th attempt from the attacker: %d %q", r.Status, loginError(r.Body))
		}
		if r := school.login("cree80001r", pwPlesso); r.Status != http.StatusSeeOther {
			t.Fatalf("the school with the right password: %d %q", r.Status, loginError(r.Body))
		}
	})

	t.Run("the delays grow", func(t *testing.T) {
		clk.add(31 * time.Second)
		if r := attacker.login("cree80001r", "sbagliata"); r.Status != http.StatusUnauthorized {
			t.Fatalf("after the wait: %d", r.Status)
		}
		r := attacker.login("cree80001r", "sbagliata")
		if r.Status != http.StatusTooManyRequests || !strings.Contains(loginError(r.Body), "riprovare tra 60 secondi") {
			t.Fatalf("after the 6th failure: %d %q", r.Status, loginError(r.Body))
		}
	})

	t.Run("unknown, disabled, wrong and throttled read alike", func(t *testing.T) {
		if _, err := e.db.SQL().ExecContext(ctx, `UPDATE users SET disabled = TRUE WHERE username = 'cree80002t'`); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.xff = "192.0.2.44"
		answers := map[string]resp{
			"wrong":             c.login("mnee800023", "sbagliata"),
			"unknown":           c.login("zzee999999", "sbagliata"),
			"disabled, wrong":   c.login("cree80002t", "sbagliata"),
			"disabled, right":   c.login("cree80002t", pwPlesso),
			"unknown, long":     c.login(strings.Repeat("a", 300), "x"),
			"wrong, other case": c.login("MNEE800023", "x"),
		}
		for name, r := range answers {
			if r.Status != http.StatusUnauthorized || loginError(r.Body) != "Nome utente o password non corretti." {
				t.Errorf("%s: %d %q", name, r.Status, loginError(r.Body))
			}
		}
		// Throttling answers the same for an account that does not exist.
		for _, user := range []string{"mnee800023", "zzee999999"} {
			c := e.client()
			c.xff = "192.0.2.45"
			var last resp
			for i := 0; i < 6; i++ {
				last = c.login(user, "sbagliata")
			}
			if last.Status != http.StatusTooManyRequests || !strings.Contains(loginError(last.Body), "riprovare tra") {
				t.Errorf("%s, 6th failure: %d %q", user, last.Status, loginError(last.Body))
			}
		}
	})

	t.Run("an address trying many accounts is slowed", func(t *testing.T) {
		c := e.client()
		c.xff = "2001:db8:1:2::7"
		for i := 0; i < 20; i++ {
			if r := c.login(fmt.Sprintf("utente%02d", i), "x"); r.Status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, r.Status)
			}
		}
		// Another address of the same IPv6 /64 is the same client.
		c.xff = "2001:db8:1:2::99"
		if r := c.login("utente99", "x"); r.Status != http.StatusTooManyRequests {
			t.Fatalf("21st account from the same /64: %d", r.Status)
		}
	})

	t.Run("the audit keeps no giant usernames", func(t *testing.T) {
		c := e.client()
		c.xff = "192.0.2.60"
		c.login(strings.Repeat("A", 900_000), "x")
		var n int
		if err := e.db.SQL().QueryRowContext(ctx, `SELECT COALESCE(MAX(LENGTH(entity) + LENGTH(username) + LENGTH(detail)), 0) FROM audit`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 2000 {
			t.Fatalf("an audit row of %d characters", n)
		}
	})
}

// TestSicurezza_Sessioni: a password change ends the user's other sessions,
// a reset by the ATS ends all of them.
func TestSicurezza_Sessioni(t *testing.T) {
	e := newEnv(t, store.SQLite)
	a := e.loginAs("cree80001r", pwPlesso)
	b := e.loginAs("cree80001r", pwPlesso)
	if r := b.get("/plesso/" + ownPlesso); r.Status != http.StatusOK {
		t.Fatalf("second session: %d", r.Status)
	}
	r := a.post("/password", url.Values{"current": {pwPlesso}, "new": {"una frase nuova e lunga"}, "confirm": {"una frase nuova e lunga"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.Status, text(r.Body))
	}
	if r := a.get("/plesso/" + ownPlesso); r.Status != http.StatusOK {
		t.Fatalf("the session that changed the password: %d %q", r.Status, r.Location)
	}
	if r := b.get("/plesso/" + ownPlesso); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Fatalf("the other session after the change: %d %q", r.Status, r.Location)
	}

	user, pw := demoAccount(ps.RoleATS)
	ats := e.loginAs(user, pw)
	if r := ats.post("/ats/plessi/"+ownPlesso+"/reset", url.Values{"conferma": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.Status)
	}
	if r := a.get("/plesso/" + ownPlesso); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Fatalf("the user's session after a reset: %d %q", r.Status, r.Location)
	}
}

var newErrRE = regexp.MustCompile(`id="new-err">([^<]*)<`)
var currentErrRE = regexp.MustCompile(`id="current-err">([^<]*)<`)

// TestSicurezza_Password: weak new passwords are refused next to the field,
// and wrong guesses of the current one are slowed down.
func TestSicurezza_Password(t *testing.T) {
	clk := newClock(today)
	e := newEnv(t, store.SQLite, func(c *web.Config) { c.Now = clk.now })
	c := e.loginAs("cree80001r", pwPlesso)
	for _, tc := range []struct{ pw, want string }{
		{"1234567890", "tra le più usate"},
		{"password123", "tra le più usate"},
		{"          ", "solo di spazi"},
		{"Juventus2026!", "tra le più usate"},
		{"cree80001r nuova", "non può contenere il nome utente"},
		{"la mia valpadana", "non può contenere il nome utente"},
	} {
		r := c.post("/password", url.Values{"current": {pwPlesso}, "new": {tc.pw}, "confirm": {tc.pw}})
		m := newErrRE.FindStringSubmatch(r.Body)
		if r.Status != http.StatusUnprocessableEntity || m == nil || !strings.Contains(stdhtml.UnescapeString(m[1]), tc.want) {
			t.Errorf("%q: %d, message %q", tc.pw, r.Status, m)
		}
	}
	for i := 0; i < 5; i++ {
		r := c.post("/password", url.Values{"current": {"sbagliata"}, "new": {"una frase nuova e lunga"}, "confirm": {"una frase nuova e lunga"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password %d: %d", i+1, r.Status)
		}
	}
	r := c.post("/password", url.Values{"current": {pwPlesso}, "new": {"una frase nuova e lunga"}, "confirm": {"una frase nuova e lunga"}})
	m := currentErrRE.FindStringSubmatch(r.Body)
	if r.Status != http.StatusTooManyRequests || m == nil || !strings.Contains(m[1], "riprovare tra 30 secondi") {
		t.Fatalf("6th attempt: %d %q", r.Status, m)
	}
	clk.add(30 * time.Second)
	if r := c.post("/password", url.Values{"current": {pwPlesso}, "new": {"una frase nuova e lunga"}, "confirm": {"una frase nuova e lunga"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("after the wait: %d %s", r.Status, text(r.Body))
	}
}

// TestSicurezza_Proxy: forwarded headers count only from trusted proxies,
// and the client is the right-most address that is not one.
func TestSicurezza_Proxy(t *testing.T) {
	lastIP := func(e *env) string {
		t.Helper()
		entries, _, err := e.db.FindAudit(ctx, ps.AuditFilter{Action: "login.fail", Limit: 1})
		if err != nil || len(entries) == 0 {
			t.Fatalf("no login.fail audited: %v", err)
		}
		return entries[0].IP
	}
	t.Run("no trusted proxy: X-Forwarded-For is ignored", func(t *testing.T) {
		e := newEnv(t, store.SQLite, func(c *web.Config) { c.LoginBurst = 3; c.LoginRate = 0.001 })
		var last resp
		for i := 0; i < 4; i++ {
			c := e.client()
			c.xff = fmt.Sprintf("198.51.100.%d", i+1) // a fresh value each time
			last = c.login("cree80001r", "sbagliata")
		}
		if last.Status != http.StatusTooManyRequests {
			t.Fatalf("4th attempt in a burst of 3 with a new X-Forwarded-For: %d", last.Status)
		}
		if ip := lastIP(e); ip != "127.0.0.1" {
			t.Fatalf("audited address %q", ip)
		}
	})
	t.Run("right-most untrusted address", func(t *testing.T) {
		e := newEnv(t, store.SQLite, func(c *web.Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
		})
		for _, tc := range []struct{ xff, want string }{
			{"198.51.100.7", "198.51.100.7"},
			{"6.6.6.6, 198.51.100.7", "198.51.100.7"},
			{"6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"},
			{"10.1.1.1, 10.0.0.2", "10.1.1.1"},
			{"bogus, 198.51.100.8", "198.51.100.8"},
			{"198.51.100.9, bogus", "127.0.0.1"},
		} {
			c := e.client()
			c.xff = tc.xff
			c.login("cree80001r", "sbagliata")
			if ip := lastIP(e); ip != tc.want {
				t.Errorf("X-Forwarded-For %q: client %q, want %q", tc.xff, ip, tc.want)
			}
		}
	})
	t.Run("HSTS over HTTPS at a trusted proxy only", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			trusted bool
			proto   string
			want    bool
		}{
			{"trusted https", true, "https", true},
			{"trusted http", true, "http", false},
			{"untrusted https", false, "https", false},
		} {
			var mut []func(*web.Config)
			if tc.trusted {
				mut = append(mut, behindProxy)
			}
			e := newEnv(t, store.SQLite, mut...)
			req, _ := http.NewRequest("GET", e.ts.URL+"/login", nil)
			req.Header.Set("X-Forwarded-Proto", tc.proto)
			r := e.client().do(req)
			if got := r.Header.Get("Strict-Transport-Security") != ""; got != tc.want {
				t.Errorf("%s: HSTS %v", tc.name, got)
			}
		}
	})
	t.Run("metrics only to the real loopback peer", func(t *testing.T) {
		e := newEnv(t, store.SQLite, behindProxy)
		if r := e.client().get("/metrics"); r.Status != http.StatusOK {
			t.Fatalf("plain loopback: %d", r.Status)
		}
		c := e.client()
		c.xff = "127.0.0.1"
		if r := c.get("/metrics"); r.Status != http.StatusForbidden {
			t.Fatalf("forwarded by the proxy: %d", r.Status)
		}
	})
}

// apiReq sends an API request with a raw body and headers.
func apiReq(e *env, method, path, auth, ctype, body string) resp {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return e.client().do(req)
}

func isJSON(r resp) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") && json.Valid([]byte(r.Body))
}

// TestSicurezza_API: the smaller API and routing items of issue 11.
func TestSicurezza_API(t *testing.T) {
	e := newEnv(t, store.SQLite)
	tok, _, err := e.db.CreateToken(ctx, ps.SystemActor, ownPlesso, "registro")
	if err != nil {
		t.Fatal(err)
	}
	day := `{"giorno": "2026-11-23", "assenti": 3}`

	t.Run("405 for a known path with another method", func(t *testing.T) {
		for _, tc := range []struct{ method, path, allow string }{
			{"POST", "/healthz", "GET, HEAD"},
			{"DELETE", "/login", "GET, HEAD, POST"},
			{"GET", "/lingua", "POST"},
			{"PUT", "/plesso/" + ownPlesso + "/assenze", "GET, HEAD, POST"},
		} {
			r := apiReq(e, tc.method, tc.path, "", "", "")
			if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != tc.allow {
				t.Errorf("%s %s: %d Allow %q", tc.method, tc.path, r.Status, r.Header.Get("Allow"))
			}
		}
		if r := apiReq(e, "GET", "/non-esiste", "", "", ""); r.Status != http.StatusNotFound {
			t.Errorf("unknown path: %d", r.Status)
		}
	})

	t.Run("JSON under /api/", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			method string
			path   string
			status int
		}{
			{"unknown path", "GET", "/api/v1/non-esiste", 404},
			{"wrong method", "DELETE", "/api/v1/assenze", 405},
			{"no token", "GET", "/api/v1/plesso", 401},
		} {
			r := apiReq(e, tc.method, tc.path, "", "", "")
			if r.Status != tc.status || !isJSON(r) {
				t.Errorf("%s: %d %q %.100s", tc.name, r.Status, r.Header.Get("Content-Type"), r.Body)
			}
		}
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/assenze", strings.NewReader(`{"giorni": [`+day+`]}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if r := e.client().do(req); r.Status != http.StatusForbidden || !isJSON(r) {
			t.Errorf("cross-site refusal: %d %.100s", r.Status, r.Body)
		}
	})

	t.Run("Bearer in any case", func(t *testing.T) {
		for _, scheme := range []string{"Bearer ", "bearer ", "BEARER  "} {
			if r := apiReq(e, "GET", "/api/v1/plesso", scheme+tok, "", ""); r.Status != http.StatusOK {
				t.Errorf("%q: %d %s", scheme, r.Status, r.Body)
			}
		}
	})

	t.Run("error paths with array indexes", func(t *testing.T) {
		var ae struct {
			Campi map[string]string `json:"campi"`
		}
		r := apiReq(e, "POST", "/api/v1/assenze", "Bearer "+tok, "application/json",
			`{"giorni": [`+day+`, {"giorno": "2026-11-24", "assenti": "nove"}]}`)
		json.Unmarshal([]byte(r.Body), &ae)
		if r.Status != http.StatusBadRequest || ae.Campi["giorni[1].assenti"] == "" {
			t.Errorf("type error: %d %s", r.Status, r.Body)
		}
		r = apiReq(e, "POST", "/api/v1/assenze", "Bearer "+tok, "application/json",
			`{"giorni": [`+day+`, `+day+`, {"giorno": "2026-11-25", "assenti": 1, "extra": 1}]}`)
		ae.Campi = nil
		json.Unmarshal([]byte(r.Body), &ae)
		if r.Status != http.StatusBadRequest || ae.Campi["giorni[2].extra"] == "" {
			t.Errorf("unknown field: %d %s", r.Status, r.Body)
		}
	})

	t.Run("a body that is not JSON is refused", func(t *testing.T) {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
			r := apiReq(e, "POST", "/api/v1/assenze", "Bearer "+tok, ct, `{"giorni": [`+day+`]}`)
			if r.Status != http.StatusUnsupportedMediaType || !isJSON(r) {
				t.Errorf("Content-Type %q: %d %s", ct, r.Status, r.Body)
			}
		}
	})

	t.Run("a rate per token", func(t *testing.T) {
		e := newEnv(t, store.SQLite, func(c *web.Config) { c.APIBurst = 5; c.APIRate = 0.001 })
		other, _, _ := e.db.CreateToken(ctx, ps.SystemActor, otherPlesso, "registro")
		var last resp
		for range 6 {
			last = apiReq(e, "GET", "/api/v1/plesso", "Bearer "+other, "", "")
		}
		if last.Status != http.StatusTooManyRequests || !isJSON(last) || last.Header.Get("Retry-After") == "" {
			t.Fatalf("6th request in a burst of 5: %d %s", last.Status, last.Body)
		}
		third, _, _ := e.db.CreateToken(ctx, ps.SystemActor, farPlesso, "registro")
		if r := apiReq(e, "GET", "/api/v1/plesso", "Bearer "+third, "", ""); r.Status != http.StatusOK {
			t.Fatalf("another token: %d", r.Status)
		}
	})

	t.Run("bad tokens are slowed down and their audit bounded", func(t *testing.T) {
		var last resp
		for range 40 {
			last = apiReq(e, "GET", "/api/v1/plesso", "Bearer ps_falso", "", "")
		}
		if last.Status != http.StatusTooManyRequests || !isJSON(last) {
			t.Fatalf("40th bad token: %d %s", last.Status, last.Body)
		}
		_, n, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "login.fail", Entity: "user:api-token"})
		if n == 0 || n > 10 {
			t.Fatalf("%d audit rows for 40 bad tokens", n)
		}
	})

	t.Run("no directory listing under /static/", func(t *testing.T) {
		for _, p := range []string{"/static/", "/static/vendor/", "/static/vendor"} {
			if r := e.client().get(p); r.Status != http.StatusNotFound {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
		if r := e.client().get("/static/app.css"); r.Status != http.StatusOK {
			t.Errorf("a file: %d", r.Status)
		}
	})
}

// auditBytes is the size of the audit text.
func auditBytes(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRowContext(ctx, `SELECT COALESCE(SUM(LENGTH(username) + LENGTH(ip) + LENGTH(action) + LENGTH(entity) + LENGTH(detail)), 0) FROM audit`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSicurezza_Audit: what a client sends cannot make the audit log grow
// without bound.
func TestSicurezza_Audit(t *testing.T) {
	clk := newClock(today)
	e := newEnv(t, store.SQLite, func(c *web.Config) { c.Now = clk.now })
	c := e.loginAs("cree80001r", pwPlesso)
	before := auditBytes(t, e)
	long := "/plesso/" + strings.Repeat("A", 921_600)
	for range 20 {
		if r := c.get(long); r.Status != http.StatusForbidden {
			t.Fatalf("%d", r.Status)
		}
	}
	grown := auditBytes(t, e) - before
	if grown > 20_000 {
		t.Fatalf("20 GETs of a long path wrote %d bytes of audit", grown)
	}
	t.Logf("20 GETs of a path of %d characters wrote %d bytes of audit", len(long), grown)
	_, n, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "access.denied", Username: "cree80001r"})
	if n == 0 || n > 10 {
		t.Fatalf("%d access.denied rows for 20 identical refusals", n)
	}
	// The repeats are counted in the next row written once the rate allows.
	clk.add(5 * time.Second)
	c.get(long)
	entries, _, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "access.denied", Username: "cree80001r", Limit: 1})
	if len(entries) == 0 || !strings.Contains(entries[0].Detail, `"omessi":"10"`) {
		t.Fatalf("the row after the repeats: %+v", entries)
	}
}

// TestSicurezza_Impostazioni: each setting is checked by its type; all
// errors come at once, each next to its field, and nothing is saved.
func TestSicurezza_Impostazioni(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleAdmin)
	c := e.loginAs(user, pw)
	good := store.DefaultSettings()
	good.PubblicoAttivo = "1" // the demo publishes
	form := func(mod map[string]string) url.Values {
		v := url.Values{"nome_ats": {good.NomeATS}, "email_assistenza": {good.EmailAssistenza}, "numero_verde": {good.NumeroVerde},
			"orari_assistenza": {good.OrariAssistenza}, "province": {good.Province}, "mittente_email": {good.MittenteEmail},
			"url_portale": {good.URLPortale}, "finestre": {good.Finestre}, "email_allerte": {good.EmailAllerte},
			"pubblico_form": {"1"}, "pubblico_attivo": {good.PubblicoAttivo}, "pubblico_livello": {good.PubblicoLivello},
			"pubblico_min_plessi": {good.PubblicoMinPlessi}, "pubblico_min_alunni": {good.PubblicoMinAlunni},
			"quota_iscritti": {good.QuotaIscritti}, "minimo_plessi": {good.MinimoPlessi}, "checklist": {good.ChecklistAllerta}}
		for k, x := range mod {
			v.Set(k, x)
		}
		return v
	}
	bad := map[string]string{
		"mittente_email":      "portale@ats.example\r\nBcc: tutti@example.com",
		"url_portale":         "javascript:alert(1)",
		"nome_ats":            "ATS <script>alert(1)</script>",
		"email_assistenza":    "non un indirizzo",
		"numero_verde":        "800 611 616<b>",
		"province":            "CR,XX",
		"email_allerte":       "a@ats.example, b@",
		"orari_assistenza":    "9-13\r\nBcc: x@example.com",
		"pubblico_livello":    "comuni",
		"pubblico_min_plessi": "1",
		"pubblico_min_alunni": "tanti",
	}
	r := c.post("/admin/impostazioni", form(bad))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("%d", r.Status)
	}
	for k := range bad {
		if !strings.Contains(r.Body, `id="`+k+`-err"`) {
			t.Errorf("no error next to %s", k)
		}
		if n := strings.Count(r.Body, `href="#`+k+`"`); n != 1 {
			t.Errorf("%s listed %d times in the summary", k, n)
		}
	}
	if st, _ := e.db.Settings(ctx); st != good {
		t.Fatalf("settings changed: %+v", st)
	}
	for name, mod := range map[string]map[string]string{
		"one by one: CRLF in the sender":  {"mittente_email": "a@ats.example\r\nBcc: x@example.com"},
		"a sender with markup":            {"mittente_email": "<b>x</b> <a@ats.example>"},
		"an ftp URL":                      {"url_portale": "ftp://ats.example/"},
		"a URL without host":              {"url_portale": "https://"},
		"a lower-case unknown province":   {"province": "cr,zz"},
		"a tab in the ATS name":           {"nome_ats": "ATS\tVal Padana"},
		"a display name in the help mail": {"email_assistenza": "Aiuto <aiuto@ats.example>"},
	} {
		if r := c.post("/admin/impostazioni", form(mod)); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", name, r.Status)
		}
	}
	ok := map[string]string{"mittente_email": "Portale Scuole <portale@ats.example>", "url_portale": "https://portalescuole.ats.example/",
		"numero_verde": "+39 800 611 616", "province": "CR, MN, LO", "email_allerte": "a@ats.example, b@ats.example"}
	if r := c.post("/admin/impostazioni", form(ok)); r.Status != http.StatusSeeOther {
		t.Fatalf("valid settings: %d %s", r.Status, text(r.Body))
	}
}

// TestSicurezza_LoginPerAccount: 100 wrong passwords for one account from
// 100 addresses, none of them slowed on its own, slow the account down;
// another account is not touched (issue 21: 300 from 300 addresses went
// through).
func TestSicurezza_LoginPerAccount(t *testing.T) {
	clk := newClock(today)
	e := newEnv(t, store.SQLite, behindProxy, func(c *web.Config) { c.Now = clk.now })
	for i := range 100 {
		c := e.client()
		c.xff = fmt.Sprintf("203.0.%d.%d", i/200, 1+i%200)
		if r := c.login("cree80002t", "sbagliata"); r.Status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, r.Status)
		}
	}
	c := e.client()
	c.xff = "198.51.100.200"
	r := c.login("cree80002t", pwPlesso)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("the 101st attempt, from a fresh address: %d %q", r.Status, loginError(r.Body))
	}
	if r := c.login("cree80001r", pwPlesso); r.Status != http.StatusSeeOther {
		t.Fatalf("another account from the same address: %d %q", r.Status, loginError(r.Body))
	}
	clk.add(31 * time.Second)
	if r := e.client().login("cree80002t", pwPlesso); r.Status != http.StatusSeeOther {
		t.Fatalf("after the delay the owner gets in: %d %q", r.Status, loginError(r.Body))
	}
}
