package web_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/internal/testenv"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/web"
)

// chromium returns Debian's browser, or skips saying why.
func chromium(t *testing.T) string {
	t.Helper()
	return testenv.Program(t, "the browser test needs Debian's chromium (apt-get install chromium; .ci/run installs it)",
		os.Getenv("CHROMIUM"), "chromium", "chromium-browser")
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// axe runs axe-core in the page and fails on serious or critical violations.
// Table rows past the twentieth are left out: they repeat the ones before,
// and a list of 700 plessi would cost axe half a minute.
func axe(t *testing.T, bctx context.Context, src, page string) {
	t.Helper()
	run := `axe.run({exclude: [["tbody > tr:nth-child(n+21)"]]}, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target}))})))`
	err := chromedp.Do(bctx, chromedp.Evaluate[chromedp.Void](src))
	var out []axeViolation
	if err == nil {
		out, err = chromedp.Run(bctx, chromedp.Evaluate[[]axeViolation](run, chromedp.EvalAwaitPromise))
	}
	if err != nil {
		t.Fatalf("axe on %s: %v", page, err)
	}
	for _, v := range out {
		if v.Impact == "serious" || v.Impact == "critical" {
			targets := []string{}
			for _, n := range v.Nodes {
				b, _ := json.Marshal(n.Target)
				targets = append(targets, string(b))
			}
			t.Errorf("axe %s on %s: %s (%s) at %s", v.Impact, page, v.ID, v.Help, strings.Join(targets, ", "))
		}
	}
}

// TestBrowser_RegistroFlow is the secretary's first visit in a real browser:
// login → Registro assenze → Aggiungi → a bad value shows its error →
// Salva → the record is listed; axe-core checks every page on the way.
func TestBrowser_RegistroFlow(t *testing.T) {
	b := newSession(t)
	e, bctx, base := b.e, b.ctx, b.e.ts.URL
	step, textOf := b.step, b.text

	step("login page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("username")))
	b.check("login")
	step("login",
		chromedp.SendKeys(chromedp.ID("username"), "cree80001r"),
		chromedp.SendKeys(chromedp.ID("password"), pwPlesso),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("btn-registro")),
	)
	if loc, _ := chromedp.Run(bctx, chromedp.Location()); !strings.HasSuffix(loc, "/plesso/"+ownPlesso) {
		t.Fatalf("after login at %s", loc)
	}
	b.check("home")
	step("Registro assenze", chromedp.Click(chromedp.ID("btn-registro")), chromedp.WaitVisible(chromedp.ID("btn-aggiungi")))
	b.check("registro")
	step("Aggiungi", chromedp.Click(chromedp.ID("btn-aggiungi")), chromedp.WaitVisible(chromedp.ID("iscritti")))
	b.check("form")

	step("bad value",
		chromedp.SendKeys(chromedp.ID("iscritti"), "duecento"),
		chromedp.SendKeys(chromedp.ID("classi"), "10"),
		chromedp.Click(chromedp.ID("btn-salva")),
		chromedp.WaitVisible(chromedp.ID("iscritti-err")),
	)
	if txt := textOf("iscritti-err"); !strings.Contains(txt, "numero intero") {
		t.Fatalf("error next to the field: %q", txt)
	}
	b.check("form with errors")
	if n := e.countConsistenze(ownPlesso); n != 0 {
		t.Fatalf("a bad value saved %d revisions", n)
	}

	step("Salva",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("iscritti").value = ""`),
		chromedp.SendKeys(chromedp.ID("iscritti"), "230"),
		chromedp.Click(chromedp.ID("btn-salva")),
		chromedp.WaitVisible(chromedp.ID("flash")),
	)
	if txt := textOf("flash"); !strings.Contains(txt, "Dati salvati") {
		t.Fatalf("confirmation %q", txt)
	}
	if txt := textOf("registro-2026"); !strings.Contains(txt, "230") || !strings.Contains(txt, "in vigore") {
		t.Fatalf("record not listed: %q", txt)
	}
	b.check("registro with a record")

	// A 360-px phone: the form fits without horizontal scrolling.
	step("phone", chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(base+"/plesso/"+ownPlesso+"/registro/aggiungi"),
		chromedp.WaitVisible(chromedp.ID("btn-salva")))
	width, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 360 {
		t.Errorf("the form is %d px wide on a 360-px screen", width)
	}
	b.check("form at 360 px")
}

// session is a real browser on a fresh demo server, with axe-core at hand.
type session struct {
	t   *testing.T
	e   *env
	ctx context.Context
	axe string
}

// newSession skips without chromium and fails without axe-core. The
// browser lives 90 seconds, or as long as a journey says.
func newSession(t *testing.T, life ...time.Duration) *session {
	t.Helper()
	return newSessionOn(t, store.SQLite, life...)
}

// newSessionOn is newSession on a demo of the given engine.
func newSessionOn(t *testing.T, engine store.Dialect, life ...time.Duration) *session {
	t.Helper()
	return newSessionWith(t, engine, life)
}

// newSessionWith is newSessionOn with the server's configuration changed.
func newSessionWith(t *testing.T, engine store.Dialect, life []time.Duration, mut ...func(*web.Config)) *session {
	t.Helper()
	exe := chromium(t)
	src, err := os.ReadFile("../node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core missing (run npm ci): %v", err)
	}
	e := newEnv(t, engine, mut...)
	d := 90 * time.Second
	if len(life) > 0 {
		d = life[0]
	}
	return &session{t: t, e: e, ctx: browser(t, exe, d), axe: string(src)}
}

func (b *session) step(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *session) text(id string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		b.t.Fatalf("text of #%s: %v", id, err)
	}
	return s
}

// check runs axe-core on the current page.
func (b *session) check(page string) {
	b.t.Helper()
	axe(b.t, b.ctx, b.axe, page)
}

// browser starts Debian's chromium for one test.
func browser(t *testing.T, exe string, life time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancel1 := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancel2 := chromedp.NewContext(actx)
	bctx, cancel3 := context.WithTimeout(bctx, life)
	t.Cleanup(func() { cancel3(); cancel2(); cancel1() })
	return bctx
}

// TestBrowser_AssenzeEntry: a sentinel secretary enters a half-week by hand.
func TestBrowser_AssenzeEntry(t *testing.T) {
	b := newSession(t)
	e, bctx, step := b.e, b.ctx, b.step
	field := func(id string) chromedp.CSS { return chromedp.CSS(`[id="` + id + `"]`) }
	step("login", chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "cree80002t"), chromedp.SendKeys(chromedp.ID("password"), pwPlesso),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("btn-assenze")))
	step("Assenze della settimana", chromedp.Click(chromedp.ID("btn-assenze")), chromedp.WaitVisible(field("g0.assenti")))
	b.check("assenze")
	days, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("fieldset.giorno")).map(f => f.id)`))
	if err != nil || strings.Join(days, ",") != "giorno-2026-11-23,giorno-2026-11-24,giorno-2026-11-25,giorno-2026-11-26" {
		t.Fatalf("days offered: %v %v", days, err)
	}
	step("a bad value", chromedp.SendKeys(field("g0.assenti"), "tre"), chromedp.SendKeys(field("g1.assenti"), "0"),
		chromedp.Click(chromedp.ID("btn-salva-assenze")), chromedp.WaitVisible(field("g0.assenti-err")))
	msg, _ := chromedp.Run(bctx, chromedp.Text(field("g0.assenti-err")))
	if !strings.Contains(msg, "numero intero") {
		t.Fatalf("error next to the field: %q", msg)
	}
	b.check("assenze with errors")
	step("fix and save",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("g0.assenti").value = "7";
			document.getElementById("g2.chiuso").checked = true;
			document.getElementById("g2.motivo_chiusura").value = "sciopero";`),
		chromedp.Click(chromedp.ID("btn-salva-assenze")), chromedp.WaitVisible(chromedp.ID("flash")))
	flash, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("flash")))
	if !strings.Contains(flash, "Giorni nuovi: 3;") {
		t.Fatalf("confirmation %q", flash)
	}
	if d := e.stored(otherPlesso, "2026-11-23"); d == nil || *d.Assenti != 7 {
		t.Fatalf("stored %+v", d)
	}
	if d := e.stored(otherPlesso, "2026-11-24"); d == nil || d.Assenti == nil || *d.Assenti != 0 {
		t.Fatalf("zero not stored: %+v", d)
	}
	if d := e.stored(otherPlesso, "2026-11-26"); d != nil {
		t.Fatalf("an empty day was stored: %+v", d)
	}
}

// TestBrowser_Cruscotto opens the dashboard with the demo data, checks that
// every chart drew, and takes an alert through its lifecycle.
func TestBrowser_Cruscotto(t *testing.T) {
	b := newSession(t)
	e, bctx, step := b.e, b.ctx, b.step
	user, pw := demoAccount(ps.RoleATS)
	step("login", chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("filtri")))
	step("dashboard", chromedp.Navigate(e.ts.URL+"/ats/cruscotto"), chromedp.WaitVisible(chromedp.ID("stima")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll(".chart[data-kind]").length > 0 &&
			document.querySelectorAll(".chart[data-kind]").length === document.querySelectorAll(".chart[data-drawn]").length`))
	drawn, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll(".chart[data-drawn] canvas").length`))
	if err != nil || drawn < 5 {
		t.Fatalf("%d charts drew (%v)", drawn, err)
	}
	if n, _ := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll(".mappa svg path[data-istat]").length`)); n != 177 {
		t.Fatalf("map has %d municipalities", n)
	}
	b.check("cruscotto")
	// On a phone the page fits the screen: charts, map and tables included.
	step("phone", chromedp.EmulateViewport(360, 740), chromedp.Navigate(e.ts.URL+"/ats/cruscotto"), chromedp.WaitVisible(chromedp.ID("stima")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll(".chart[data-kind]").length === document.querySelectorAll(".chart[data-drawn]").length`))
	if w, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || w > 360 {
		t.Errorf("the dashboard is %d px wide at 360 px (%v)", w, err)
	}
	step("desktop", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(e.ts.URL+"/ats/cruscotto"), chromedp.WaitVisible(chromedp.ID("stima")))
	step("open an alert", chromedp.Click(chromedp.CSS("#allerte-aperte li a")), chromedp.WaitVisible(chromedp.ID("btn-aggiorna")))
	for _, st := range []string{"in valutazione", "confermato"} {
		step("to "+st,
			chromedp.Evaluate[chromedp.Void](`document.getElementById("stato").value = "`+st+`";
				document.getElementById("nota").value = "nota di prova";
				var f = document.getElementById("flash"); if (f) f.remove();`),
			chromedp.Click(chromedp.ID("btn-aggiorna")), chromedp.WaitVisible(chromedp.ID("flash")))
		got, _ := chromedp.Run(bctx, chromedp.Text(chromedp.ID("stato-allerta")))
		if !strings.Contains(got, st) {
			t.Fatalf("state shown %q, want %q", got, st)
		}
	}
	b.check("allerta")
}
