package web_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
)

// TestBrowser_Emergenza: the ATS starts emergency mode for Cremona from its
// page, a non-sentinel plesso reports through its home, others through the
// API, and the dashboard's estimate then rests on more plessi and a wider
// share of pupils.
func TestBrowser_Emergenza(t *testing.T) {
	b := newSession(t)
	e, bctx, step := b.e, b.ctx, b.step
	var last string
	if err := e.db.SQL().QueryRow(`SELECT MAX(giorno) FROM assenze`).Scan(&last); err != nil || last == "" {
		t.Fatalf("demo's last reported day: %q %v", last, err)
	}
	stima := func() (int, float64) {
		t.Helper()
		step("dashboard", chromedp.Navigate(e.ts.URL+"/ats/cruscotto"), chromedp.WaitVisible(chromedp.ID("stima")))
		txt := b.text("stima")
		m := regexp.MustCompile(`da (\d+) plessi.*?coprono il ([\d,]+)`).FindStringSubmatch(txt)
		if m == nil || !strings.Contains(txt, giornoTest(last).Format("02/01/2006")) {
			t.Fatalf("estimate of %s: %q", last, txt)
		}
		n, _ := strconv.Atoi(m[1])
		cov, _ := strconv.ParseFloat(strings.ReplaceAll(m[2], ",", "."), 64)
		return n, cov
	}
	login := func(user, pw, wait string) {
		t.Helper()
		step("login "+user, chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), pw),
			chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID(wait)))
	}
	logout := func() {
		t.Helper()
		step("logout", chromedp.Evaluate[chromedp.Void](`document.querySelector('form[action="/logout"]').submit()`),
			chromedp.WaitVisible(chromedp.ID("username")))
	}
	// The estimate before, as the dashboard computes it (the dashboard
	// itself is not viewed: it may serve a page up to a minute old).
	arch := aggregati.Nuovo(e.db)
	if _, err := arch.Aggiorna(ctx); err != nil {
		t.Fatal(err)
	}
	st0 := serie.PostStratificata(arch.Osservazioni(giornoTest(last), giornoTest(last)), arch.Popolazione(2026), nil)
	if len(st0) != 1 {
		t.Fatalf("estimate before: %v", st0)
	}
	plessi0, cop0 := st0[0].Plessi, st0[0].Copertura*100
	atsUser, atsPw := demoAccount(ps.RoleATS)
	login(atsUser, atsPw, "filtri")

	step("emergency page", chromedp.Navigate(e.ts.URL+"/ats/emergenza"), chromedp.WaitVisible(chromedp.ID("emergenza-nessuna")))
	b.check("emergenza")
	step("start for Cremona",
		chromedp.SetValue(chromedp.ID("ambito"), "provincia:CR"),
		chromedp.SetValue(chromedp.ID("dal"), last),
		chromedp.Click(chromedp.ID("avvia-emergenza")), chromedp.WaitVisible(chromedp.ID("emergenza-riepilogo")),
		chromedp.Click(chromedp.ID("conferma-emergenza")),
		chromedp.WaitVisible(chromedp.CSS(`.emergenza-attiva[data-ambito="provincia:CR"]`)))
	b.check("emergenza in corso")
	logout()

	// The demo plesso, not sentinel, has its figures for the year.
	if _, _, err := e.db.AddConsistenza(ctx, ps.SystemActor, ps.Consistenza{Plesso: ownPlesso, Anno: 2026, Iscritti: 230, Classi: 11}); err != nil {
		t.Fatal(err)
	}
	login(strings.ToLower(ownPlesso), pwPlesso, "emergenza-plesso")
	field := func(id string) chromedp.CSS { return chromedp.CSS(`[id="` + id + `"]`) }
	step("absence entry", chromedp.Click(chromedp.ID("btn-assenze")), chromedp.WaitVisible(field("g0.assenti")))
	days, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("fieldset.giorno")).map(f => f.id)`))
	if err != nil || len(days) == 0 || days[0] < "giorno-"+last {
		t.Fatalf("days offered: %v %v (emergency from %s)", days, err, last)
	}
	// The day the sentinels reported last, through the form's range.
	step("the emergency's first day", chromedp.Navigate(e.ts.URL+"/plesso/"+ownPlesso+"/assenze?dal="+last+"&al="+last), chromedp.WaitVisible(field("g0.assenti")))
	b.check("assenze in emergenza")
	step("save", chromedp.SendKeys(field("g0.assenti"), "11"), chromedp.Click(chromedp.ID("btn-salva-assenze")), chromedp.WaitVisible(chromedp.ID("flash")))
	if d := e.stored(ownPlesso, last); d == nil || *d.Assenti != 11 {
		t.Fatalf("stored %+v", d)
	}
	logout()

	// Other non-sentinel plessi of Cremona report through their registers.
	cr, err := e.db.Plessi(ctx, store.PlessoFilter{Provincia: "CR", InScope: true, Attivi: true})
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, p := range cr {
		if ok, _ := e.db.Sentinella(ctx, p.Codice, 2026); ok || p.Codice == ownPlesso {
			continue
		}
		if _, err := e.db.ConsistenzaInVigore(ctx, p.Codice, giornoTest(last)); err != nil {
			continue
		}
		tok, _, err := e.db.CreateToken(ctx, ps.SystemActor, p.Codice, "registro")
		if err != nil {
			t.Fatal(err)
		}
		r := apiDo(e, "POST", "/api/v1/assenze", tok, map[string]any{"giorni": []any{map[string]any{"giorno": last, "assenti": 5}}})
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", p.Codice, r.Status, r.Body)
		}
		if sent++; sent == 20 {
			break
		}
	}

	login(atsUser, atsPw, "filtri")
	plessi1, cop1 := stima()
	if plessi1 != plessi0+1+sent || cop1 <= cop0+0.05 {
		t.Fatalf("estimate from %d plessi (%.1f%%) before, %d (%.1f%%) after %d emergency reports", plessi0, cop0, plessi1, cop1, 1+sent)
	}
	t.Logf("estimate of %s: %d plessi (%.1f%% of pupils) before, %d (%.1f%%) with emergency mode", last, plessi0, cop0, plessi1, cop1)
	b.check("cruscotto in emergenza")
}
