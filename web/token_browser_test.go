package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	ps "github.com/portalescuole/portalescuole"
)

// TestBrowser_TokenTelefono: the token page, with tokens listed and a new
// one shown, stays within a 360 px phone screen (issue 21, item 16: it
// was 459 px wide; a scrolling table's hidden labels escaped it).
func TestBrowser_TokenTelefono(t *testing.T) {
	b := newSession(t)
	e := b.e
	for range 3 {
		if _, _, err := e.db.CreateToken(ctx, ps.SystemActor, "CREE80002T", "registro elettronico della scuola primaria"); err != nil {
			t.Fatal(err)
		}
	}
	width := func() int {
		w, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	b.step("login", chromedp.EmulateViewport(360, 740), chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "cree80002t"), chromedp.SendKeys(chromedp.ID("password"), pwPlesso),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitNotPresent(chromedp.ID("login-submit")))
	b.step("token list", chromedp.Navigate(e.ts.URL+"/plesso/CREE80002T/token"), chromedp.WaitVisible(chromedp.ID("tokens")))
	if w := width(); w > 360 {
		t.Errorf("the token list is %d px wide on a 360 px screen", w)
	}
	b.step("create", chromedp.Click(chromedp.ID("btn-token")), chromedp.WaitVisible(chromedp.ID("token-valore")))
	if w := width(); w > 360 {
		t.Errorf("the new token's page is %d px wide on a 360 px screen", w)
	}
}
