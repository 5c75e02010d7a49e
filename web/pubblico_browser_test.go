package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	ps "github.com/portalescuole/portalescuole"
)

// TestBrowser_Pubblico: an anonymous visitor on a 360-px phone reads the
// public page (axe, no horizontal scrolling, the chart drawn over its
// table), and with JavaScript off still gets every number in tables.
func TestBrowser_Pubblico(t *testing.T) {
	b := newSession(t)
	e, bctx, step := b.e, b.ctx, b.step
	larghezza := func(page string) {
		t.Helper()
		w, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if w > 360 {
			t.Errorf("%s is %d px wide on a 360-px screen", page, w)
		}
	}
	step("phone", chromedp.EmulateViewport(360, 740))
	step("public page", chromedp.Navigate(e.ts.URL+"/pubblico"), chromedp.WaitVisible(chromedp.ID("sintesi")),
		chromedp.Poll[chromedp.Void](`document.querySelector("#grafico-anni[data-drawn] canvas") !== null`))
	b.check("pubblico at 360 px")
	larghezza("/pubblico")
	for _, p := range []string{"/pubblico/dati", "/pubblico/bollettino"} {
		step(p, chromedp.Navigate(e.ts.URL+p), chromedp.WaitVisible(chromedp.ID("main")))
		b.check(p + " at 360 px")
		larghezza(p)
	}

	// The admin's switch and thresholds, in Impostazioni.
	user, pw := demoAccount(ps.RoleAdmin)
	step("admin", chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitNotPresent(chromedp.ID("login-submit")),
		chromedp.Navigate(e.ts.URL+"/admin/impostazioni"), chromedp.WaitVisible(chromedp.ID("pubblico_attivo")))
	b.check("impostazioni at 360 px")
	larghezza("/admin/impostazioni")
	step("logout", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("username")))

	step("JavaScript off", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}), chromedp.Navigate(e.ts.URL+"/pubblico"), chromedp.WaitVisible(chromedp.ID("tabella-anni")))
	rows, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#tabella-anni tbody tr").length`))
	if err != nil || rows < 5 {
		t.Fatalf("years table has %d rows without JavaScript (%v)", rows, err)
	}
	canvas, _ := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#grafico-anni canvas").length`))
	if canvas != 0 {
		t.Fatal("a chart drew with JavaScript off: the check proves nothing")
	}
	if txt := b.text("tabella-aree"); txt == "" {
		t.Fatal("no area table without JavaScript")
	}
	larghezza("/pubblico without JavaScript")
}
