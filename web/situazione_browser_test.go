package web_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
	"github.com/portalescuole/portalescuole/web"
)

// TestBrowser_Situazione reads the dashboard and the bulletin as the ATS
// epidemiologist does (issue 22), on both engines: the week in one
// paragraph, the alerts by level with the list's counts, the hierarchy's
// order, provisional days and the week in progress drawn apart, and
// emergency mode announced with the sentinel-only series to choose.
func TestBrowser_Situazione(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { situazione(t, d) })
	}
}

func situazione(t *testing.T, engine store.Dialect) {
	// The dashboard recomputed at every change: the test reads it at once.
	b := newSessionWith(t, engine, []time.Duration{150 * time.Second}, func(c *web.Config) { c.Freschezza = -1 })
	e, bctx, step := b.e, b.ctx, b.step
	user, pw := demoAccount(ps.RoleATS)
	step("login", chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("filtri")))
	// dashboard opens the dashboard until its page says want: after new
	// data it may first serve the page computed before, while it computes
	// the new one.
	dashboard := func(what, js string) {
		t.Helper()
		for range 100 {
			step(what, chromedp.Navigate(e.ts.URL+"/ats/cruscotto"), chromedp.WaitVisible(chromedp.ID("paragrafo-settimana")))
			if ok, _ := chromedp.Run(bctx, chromedp.Evaluate[bool](js)); ok {
				return
			}
		}
		t.Fatalf("%s: the dashboard never showed it: %s", what, b.text("paragrafo-settimana"))
	}

	// The week in one paragraph, on the first screen.
	dashboard("dashboard", `true`)
	par := b.text("paragrafo-settimana")
	for _, want := range []string{"Settimana dal 16/11 al 20/11/2026: assenti il", "atteso", "Il territorio è in allerta dal", "Modalità emergenza non attiva."} {
		if !strings.Contains(par, want) {
			t.Errorf("paragraph lacks %q: %s", want, par)
		}
	}
	if cur := b.text("settimana-in-corso"); !strings.Contains(cur, "Settimana dal 23/11 al 27/11/2026: nessun giorno ancora abbastanza completo") {
		t.Errorf("current week: %q", cur)
	}
	if bottom, _ := chromedp.Run(bctx, chromedp.Evaluate[float64](`document.getElementById("conteggi-allerte").getBoundingClientRect().bottom`)); bottom > 900 {
		t.Errorf("the alert counts end at %.0f px, below the first screen", bottom)
	}
	b.check("cruscotto")

	// Alerts by level: every count is the list's, filtered the same way.
	type cella struct {
		Href string
		N    int
	}
	celle, err := chromedp.Run(bctx, chromedp.Evaluate[[]cella](`Array.from(document.querySelectorAll("#conteggi-allerte tbody td")).map(td => {
		const a = td.querySelector("a"); return {Href: a ? a.getAttribute("href") : "", N: parseInt(td.textContent, 10)}; })`))
	if err != nil || len(celle) != len(ps.LivelliSerie)*len(ps.StatiSegnale) {
		t.Fatalf("count cells %v %v", celle, err)
	}
	total := 0
	for _, c := range celle {
		total += c.N
		if c.N == 0 {
			continue
		}
		step("list "+c.Href, chromedp.Navigate(e.ts.URL+c.Href), chromedp.WaitVisible(chromedp.ID("allerte-totale")))
		got := b.text("allerte-totale")
		if !strings.HasPrefix(got, strconv.Itoa(c.N)+" allert") {
			t.Errorf("%s: the dashboard counts %d, the list says %q", c.Href, c.N, got)
		}
	}
	all, err := e.db.CountSegnali(ctx, store.SegnaleFilter{})
	if err != nil || total != all || total == 0 {
		t.Fatalf("the dashboard counts %d alerts, the store %d (%v)", total, all, err)
	}
	// The open ones of the aggregates, territory first.
	step("dashboard", chromedp.Navigate(e.ts.URL+"/ats/cruscotto"), chromedp.WaitVisible(chromedp.ID("allerte-aperte")))
	livelli, _ := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#allerte-aperte li")).map(li => li.dataset.livello)`))
	if len(livelli) == 0 || livelli[0] != ps.LivelloTerritorio || slices.Contains(livelli, ps.LivelloPlesso) {
		t.Errorf("open alerts by level: %v", livelli)
	}
	for i := 1; i < len(livelli); i++ {
		if slices.Index(ps.LivelliSerie, livelli[i]) < slices.Index(ps.LivelliSerie, livelli[i-1]) {
			t.Errorf("open alerts out of the hierarchy's order: %v", livelli)
		}
	}

	// This week: every sentinel reports Monday, one reports Tuesday.
	codes, err := e.db.Sentinelle(ctx, 2026)
	if err != nil {
		t.Fatal(err)
	}
	send := func(code, day string, assenti int) bool {
		t.Helper()
		tok, _, err := e.db.CreateToken(ctx, ps.SystemActor, code, "registro")
		if err != nil {
			t.Fatal(err)
		}
		return apiDo(e, "POST", "/api/v1/assenze", tok, map[string]any{"giorni": []any{map[string]any{"giorno": day, "assenti": assenti}}}).Status == 200
	}
	sent := 0
	for _, c := range codes {
		if send(c, "2026-11-23", 9) {
			sent++
		}
	}
	if sent < 4 || !send(codes[0], "2026-11-24", 30) {
		t.Fatalf("%d of %d sentinels reported Monday", sent, len(codes))
	}
	dashboard("the week in progress", `!!document.getElementById("settimana-parziale")`)
	par = b.text("paragrafo-settimana")
	if !strings.Contains(par, "Settimana dal 23/11 al 27/11/2026") || !strings.Contains(par, "1 giorno di lezione con dati completi") ||
		!strings.Contains(par, "1 giorno ancora provvisorio") {
		t.Errorf("paragraph of the week in progress: %s", par)
	}
	if p := b.text("settimana-parziale"); !strings.Contains(p, "La settimana 48 (dal 23/11) non è completa") || !strings.Contains(p, "1 giorno di lezione") {
		t.Errorf("week in progress: %q", p)
	}
	step("charts drawn", chromedp.Poll[chromedp.Void](`document.querySelectorAll(".chart[data-kind]").length === document.querySelectorAll(".chart[data-drawn]").length`))
	// The provisional Tuesday is a mark of its own, off the line; the
	// week in progress a point apart from this year's line.
	tue := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC).Unix()
	daily, err := chromedp.Run(bctx, chromedp.Evaluate[[]any](`(function () { const d = document.querySelector(".chart-main").uplot.data;
		const i = d[0].indexOf(`+strconv.FormatInt(tue, 10)+`); return [i, d[1][i], d[5][i], d[1][i-1]]; })()`))
	if err != nil || len(daily) != 4 || daily[0].(float64) < 0 || daily[1] != nil || daily[2] == nil || daily[3] == nil {
		t.Errorf("daily chart at the provisional day (index, line, mark, Monday's line): %v %v", daily, err)
	}
	// Week 48 is the 13th of the school year (weeks from the Monday of
	// 1 September, 31/08/2026).
	pos := 1 + int(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC).Sub(time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC)).Hours()/24/7)
	weekly, err := chromedp.Run(bctx, chromedp.Evaluate[[]any](`(function () { const el = document.querySelector('.chart[data-kind="settimane"]'), d = el.uplot.data;
		const i = d[0].indexOf(`+strconv.Itoa(pos)+`); return [d[1][i], d[4][i], d[1][i-1]]; })()`))
	if err != nil || len(weekly) != 3 || weekly[0] != nil || weekly[1] == nil || weekly[2] == nil {
		t.Errorf("weekly chart's last week (line, partial point, week before): %v %v", weekly, err)
	}

	// Emergency mode for Cremona from Monday: a plesso outside the network
	// reports, and the dashboard says so.
	if _, err := e.db.StartEmergenza(ctx, ps.SystemActor, "provincia:CR", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), store.FrequenzaGiornaliera, "12:00"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.db.AddConsistenza(ctx, ps.SystemActor, ps.Consistenza{Plesso: ownPlesso, Anno: 2026, Iscritti: 900, Classi: 40}); err != nil {
		t.Fatal(err)
	}
	if !send(ownPlesso, "2026-11-23", 200) {
		t.Fatal("the plesso in emergency could not report")
	}
	dashboard("emergency mode", `!!document.getElementById("banner-emergenza") && document.getElementById("paragrafo-settimana").textContent.includes("Modalità emergenza attiva")`)
	banner := b.text("banner-emergenza")
	m := regexp.MustCompile(`Provincia di Cremona, dal 23/11/2026.*?: (l'|il )([\d,]+)% degli alunni della settimana è di plessi fuori dalla rete sentinella`).FindStringSubmatch(banner)
	if m == nil || m[2] == "0,0" {
		t.Errorf("emergency banner: %q", banner)
	}
	if par := b.text("paragrafo-settimana"); !strings.Contains(par, "rete sentinella e plessi in emergenza") || !strings.Contains(par, "Modalità emergenza attiva (Provincia di Cremona) dal 23/11/2026") {
		t.Errorf("paragraph in emergency mode: %s", par)
	}
	opts, _ := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#c-serie option")).map(o => o.value)`))
	if !slices.Contains(opts, "sentinella:territorio") || !slices.Contains(opts, "sentinella:provincia:CR") {
		t.Errorf("series menu in emergency mode: %v", opts)
	}
	b.check("cruscotto in emergenza")
	monday := func() float64 {
		t.Helper()
		step("charts drawn", chromedp.Poll[chromedp.Void](`!!document.querySelector(".chart-main[data-drawn]")`))
		v, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`(function () { const d = document.querySelector(".chart-main").uplot.data;
			return d[1][d[0].indexOf(`+strconv.FormatInt(tue-86400, 10)+`)]; })()`))
		if err != nil {
			t.Fatalf("Monday's rate: %v", err)
		}
		return v
	}
	all23 := monday()
	step("sentinel network only", chromedp.Click(chromedp.ID("link-solo-sentinella")),
		chromedp.WaitVisible(chromedp.CSS(`.chart-main[data-drawn]`)))
	if src, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`decodeURIComponent(document.querySelector(".chart-main").dataset.src)`)); !strings.Contains(src, "serie=sentinella:territorio") {
		t.Errorf("chart of %q", src)
	}
	// The sentinel-only Monday leaves out the plesso outside the network
	// (200 of its 900 pupils absent), which the territory counts.
	if twin := monday(); !(twin < all23-2) {
		t.Errorf("Monday: %.1f%% with every plesso, %.1f%% with the sentinel network only", all23, twin)
	}

	// The bulletin of the week before opens on the same paragraph, with
	// its alerts counted by level and the territory's first.
	step("bulletin", chromedp.Navigate(e.ts.URL+"/ats/bollettino?settimana=2026-11-16"), chromedp.WaitVisible(chromedp.ID("bollettino-sintesi")))
	sint := b.text("bollettino-sintesi")
	for _, want := range []string{"Settimana dal 16/11 al 20/11/2026: assenti il", "Il territorio è in allerta dal", "Allerte della settimana: territorio 1"} {
		if !strings.Contains(sint, want) {
			t.Errorf("bulletin summary lacks %q: %s", want, sint)
		}
	}
	first, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`#bollettino-allerte tbody tr:first-child td:nth-child(3)`)))
	if first != "Intero territorio" {
		t.Errorf("the bulletin's first alert is %q", first)
	}
	b.check("bollettino")
	step("English", chromedp.Click(chromedp.CSS(`button[lang="en"]`)), chromedp.WaitVisible(chromedp.ID("bollettino-lingua")))
	if en := b.text("bollettino-sintesi"); !strings.Contains(en, "Week of 16/11 to 20/11/2026") || !strings.Contains(en, "The territory has been in alert since") {
		t.Errorf("English bulletin summary: %s", en)
	}
	dashboard("English dashboard", `document.getElementById("paragrafo-settimana").textContent.includes("Emergency mode on (Province of Cremona)")`)
}
