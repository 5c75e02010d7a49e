package web_test

import (
	"context"
	stdhtml "html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
	"github.com/portalescuole/portalescuole/web"
)

var ctx = context.Background()

// today is the fixed date of every web test: school year 2026/27.
var today = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

// Demo accounts used by the tests (see package demo).
const (
	ownPlesso   = "CREE80001R" // cree80001r, has not entered figures
	otherPlesso = "CREE80002T" // cree80002t, same demo istituto CRIC800000
	farPlesso   = "MNEE800023" // another province and istituto
	pwPlesso    = "demo-plesso-2026"
)

// env is a real server on a loopback port over a fresh database with the
// demo data.
type env struct {
	t   *testing.T
	db  *store.DB
	srv *web.Server
	ts  *httptest.Server
}

var fastHash = auth.Params{Memory: 1024, Time: 1, Threads: 1}

func newEnv(t *testing.T, d store.Dialect, mut ...func(*web.Config)) *env {
	t.Helper()
	// The demo is seeded once per engine and copied for each test.
	db := storetest.Seeded(t, d, "demo", func(db *store.DB) error { return demo.Seed(ctx, db, today) })
	db.Now = func() time.Time { return today }
	cfg := web.Config{DB: db, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return today }, HashParams: fastHash,
		LoginBurst: 1000, LoginRate: 1000, APIBurst: 1000, APIRate: 1000}
	for _, m := range mut {
		m(&cfg)
	}
	srv, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close) // after the HTTP server's, before the database's
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &env{t: t, db: db, srv: srv, ts: ts}
}

// client is a browser-like client: cookies, no automatic redirects.
type client struct {
	e *env
	h *http.Client
	// xff, when set, is sent as X-Forwarded-For (a client behind a trusted
	// proxy, see newEnv's TrustedProxies).
	xff string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, h: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (c *client) do(req *http.Request) resp {
	c.e.t.Helper()
	if c.xff != "" {
		req.Header.Set("X-Forwarded-For", c.xff)
	}
	res, err := c.h.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Body: string(b), Location: res.Header.Get("Location"), Header: res.Header}
}

func (c *client) get(path string) resp {
	c.e.t.Helper()
	req, _ := http.NewRequest("GET", c.e.ts.URL+path, nil)
	return c.do(req)
}

// post sends a same-origin form, as a browser would.
func (c *client) post(path string, form url.Values) resp {
	c.e.t.Helper()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.e.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

func (c *client) login(username, password string) resp {
	c.e.t.Helper()
	return c.post("/login", url.Values{"username": {username}, "password": {password}})
}

// loginAs logs in a demo account and checks it worked.
func (e *env) loginAs(username, password string) *client {
	e.t.Helper()
	c := e.client()
	r := c.login(username, password)
	if r.Status != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d: %s", username, r.Status, text(r.Body))
	}
	return c
}

var tagRE = regexp.MustCompile(`<[^>]*>`)
var spaceRE = regexp.MustCompile(`\s+`)

// text strips tags, for messages in failures and for Contains checks.
func text(s string) string {
	return strings.TrimSpace(spaceRE.ReplaceAllString(stdhtml.UnescapeString(tagRE.ReplaceAllString(s, " ")), " "))
}

func demoAccount(role ps.Role) (string, string) {
	for _, a := range demo.Accounts {
		if a.Role == role {
			return a.Username, a.Password
		}
	}
	panic("no demo account for " + role)
}

func (e *env) countConsistenze(plesso string) int {
	e.t.Helper()
	all, err := e.db.Consistenze(ctx, plesso)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(all)
}
