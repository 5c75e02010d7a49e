package web_test

import (
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
