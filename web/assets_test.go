package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/portalescuole/portalescuole/store"
)

// The browser asks for /favicon.ico on every first visit; a 404 there is a
// console error on every page.
func TestServer_Favicon(t *testing.T) {
	e := newEnv(t, store.SQLite)
	r := e.client().get("/favicon.ico")
	if r.Status != 200 || r.Header.Get("Content-Type") != "image/x-icon" || !strings.HasPrefix(r.Body, "\x00\x00\x01\x00") {
		t.Fatalf("favicon: %d %q, %d bytes", r.Status, r.Header.Get("Content-Type"), len(r.Body))
	}
}

// Every font the stylesheets ask for loads: the files of app.css's
// @font-face rules are embedded, and the CSP admits the data: fonts that
// Bootstrap Italia's CSS embeds.
func TestServer_Fonts(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.client()
	css := c.get("/static/app.css")
	if css.Status != 200 {
		t.Fatalf("app.css: %d", css.Status)
	}
	urls := regexp.MustCompile(`url\("(vendor/[^"]+\.woff2)"\)`).FindAllStringSubmatch(css.Body, -1)
	families := map[string]bool{}
	for _, m := range urls {
		if r := c.get("/static/" + m[1]); r.Status != 200 {
			t.Errorf("%s: %d", m[1], r.Status)
		}
		families[strings.Split(m[1], "/")[3]] = true
	}
	for _, f := range []string{"Titillium_Web", "Roboto_Mono", "Lora"} {
		if !families[f] {
			t.Errorf("app.css declares no font file of %s (Bootstrap Italia uses it): %v", f, families)
		}
	}
	bi := c.get("/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css")
	csp := c.get("/login").Header.Get("Content-Security-Policy")
	if strings.Contains(bi.Body, "url(data:application/font-woff") {
		m := regexp.MustCompile(`font-src ([^;]*)`).FindStringSubmatch(csp)
		if m == nil || !strings.Contains(m[1], "data:") {
			t.Errorf("Bootstrap Italia embeds data: fonts but the CSP font-src is %q", csp)
		}
	}
}

// Chart scripts hold no text of their own: every legend label comes from
// the page, in its language.
func TestServer_ChartLabels(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.client()
	for _, js := range []string{"/static/cruscotto.js", "/static/completezza.js"} {
		body := c.get(js).Body
		if m := regexp.MustCompile(`label: "[^"]*[A-Za-z][^"]*"`).FindString(body); m != "" {
			t.Errorf("%s has a hard-coded label: %s", js, m)
		}
	}
	meta := regexp.MustCompile(`<meta name="etichette-grafici" content="([^"]*)">`)
	it := meta.FindStringSubmatch(c.get("/login").Body)
	if it == nil || !strings.Contains(it[1], "anno precedente") {
		t.Fatalf("Italian chart labels: %v", it)
	}
	c.post("/lingua", url.Values{"lang": {"en"}, "next": {"/login"}})
	en := meta.FindStringSubmatch(c.get("/login").Body)
	if en == nil || !strings.Contains(en[1], "previous year") || strings.Contains(en[1], "anno precedente") {
		t.Fatalf("English chart labels: %v", en)
	}
}
