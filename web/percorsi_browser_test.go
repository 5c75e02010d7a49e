package web_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/web"
)

// A journey is what one demo account walks: its main pages, each at 1280
// and 360 px, in Italian and then in English through the site's language
// switch. On every page it fails on horizontal overflow (naming the widest
// elements that stick out), console errors (CSP violations included),
// axe-core serious or critical violations, words of the other language
// (derived from the catalogue) and decimals written the other language's
// way.
type journey struct {
	user, pw string
	// pages are paths; a func computes paths that need the page before
	// (an alert's id).
	pages []string
	more  func(j *journeyRun) []string
}

// TestBrowser_Percorsi walks each role's journey in one browser, a fresh
// browser context (cookies) per role and one tab reused for its pages.
func TestBrowser_Percorsi(t *testing.T) {
	b := newSession(t, 10*time.Minute) // a guard against a hung browser, not a speed limit
	istituto, istitutoPw := demoAccount(ps.RoleIstituto)
	ats, atsPw := demoAccount(ps.RoleATS)
	adm, admPw := demoAccount(ps.RoleAdmin)
	own, other := "/plesso/"+ownPlesso, "/plesso/"+otherPlesso
	atsPages := []string{"/ats/cruscotto", "/ats/allerte", "/ats/adempimenti", "/ats/adempimenti?stato=manca",
		"/ats/sentinelle", "/ats/completezza", "/ats/emergenza", "/ats/calendario", "/ats/credenziali",
		"/ats/plessi/reset?q=cree", "/ats/plessi/" + ownPlesso + "/reset", "/ats/outbox", "/ats/import", "/ats/bollettino", "/ats/token",
		other + "/andamento"}
	firstAlert := func(j *journeyRun) []string {
		j.open("/ats/allerte")
		href, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`(document.querySelector('a[href^="/ats/allerte/"]') || {}).pathname || ""`))
		if err != nil || href == "" {
			j.t.Fatalf("no alert listed in the demo (%v)", err)
		}
		return []string{href}
	}
	journeys := map[string]journey{
		"plesso": {user: strings.ToLower(ownPlesso), pw: pwPlesso,
			pages: []string{own, own + "/registro", own + "/registro/aggiungi", own + "/assenze", own + "/andamento",
				own + "/token", own + "/calendario", "/password"}},
		"sentinella": {user: strings.ToLower(otherPlesso), pw: pwPlesso,
			pages: []string{other, other + "/assenze", other + "/assenze/file", other + "/andamento", other + "/registro",
				other + "/token", other + "/calendario"}},
		"istituto": {user: istituto, pw: istitutoPw,
			pages: []string{"/istituto", other, other + "/andamento", other + "/registro", own}},
		"ats":   {user: ats, pw: atsPw, pages: atsPages, more: firstAlert},
		"admin": {user: adm, pw: admPw, pages: []string{"/", "/admin/audit", "/admin/impostazioni", "/ats/cruscotto"}},
	}
	words := catalogueWords(t)
	names := properNames(t, b.e)
	for _, role := range []string{"plesso", "sentinella", "istituto", "ats", "admin"} {
		t.Run(role, func(t *testing.T) {
			j := b.journey(t, journeys[role], words, names)
			for _, lang := range []string{"it", "en"} {
				if lang == "en" {
					j.switchLanguage("en")
				}
				for _, p := range j.paths {
					for _, w := range []int64{1280, 360} {
						j.visit(p, lang, w)
					}
				}
			}
		})
	}
}

// journeyRun is one role's walk: its browser context, tab and console.
type journeyRun struct {
	t       *testing.T
	b       *session
	ctx     context.Context
	paths   []string
	words   lexicon
	names   *strings.Replacer
	console *consoleLog
}

func (b *session) journey(t *testing.T, jr journey, words lexicon, names *strings.Replacer) *journeyRun {
	t.Helper()
	// The browser starts with the session; each role gets its own cookies.
	if err := chromedp.Do(b.ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	j := &journeyRun{t: t, b: b, ctx: rctx, words: words, names: names, console: listenConsole(rctx)}
	j.step("login", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(b.e.ts.URL+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), jr.user), chromedp.SendKeys(chromedp.ID("password"), jr.pw),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitNotPresent(chromedp.ID("login-submit")))
	j.paths = jr.pages
	if jr.more != nil {
		j.paths = append(slices.Clone(jr.pages), jr.more(j)...)
	}
	j.console.take(j) // the login page's messages are the login test's business
	return j
}

func (j *journeyRun) step(what string, steps ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	if err := chromedp.Do(j.ctx, steps...); err != nil {
		j.t.Fatalf("%s: %v", what, err)
	}
}

// open loads a page and waits until it is ready: the main content shown
// and every chart drawn.
func (j *journeyRun) open(path string) {
	j.t.Helper()
	j.step(path, chromedp.Navigate(j.b.e.ts.URL+path), chromedp.WaitVisible(chromedp.ID("main")),
		chromedp.Poll[chromedp.Void](`document.readyState === "complete" &&
			Array.from(document.querySelectorAll(".chart[data-kind]")).every(c => c.hasAttribute("data-drawn"))`))
}

// switchLanguage presses the language switch in the page header.
func (j *journeyRun) switchLanguage(lang string) {
	j.t.Helper()
	j.open(j.paths[0])
	j.step("language switch", chromedp.Click(chromedp.CSS(`form[action="/lingua"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] #main`)))
	j.console.take(j)
}

func (j *journeyRun) visit(path, lang string, width int64) {
	j.t.Helper()
	page := fmt.Sprintf("%s (%s, %d px)", path, lang, width)
	j.step(page, chromedp.EmulateViewport(width, 900))
	j.open(path)
	if got, _ := chromedp.Run(j.ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
		j.t.Fatalf("%s: page in %q", page, got)
	}
	j.overflow(page)
	for _, m := range j.console.take(j) {
		j.t.Errorf("console on %s: %s", page, m)
	}
	if width == 1280 { // the text is the same at both widths
		txt, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](visibleTextJS))
		if err != nil {
			j.t.Fatalf("text of %s: %v", page, err)
		}
		j.language(page, lang, txt)
	}
	// axe once per page and language, at each width in turn: Italian at
	// 1280 px, English at 360 (contrast and names do not change with the
	// language, layout does with the width).
	if (lang == "it") == (width == 1280) {
		axe(j.t, j.ctx, j.b.axe, page)
		j.console.take(j) // axe's own inline styles, refused by the CSP
	}
}

// overflow fails when the page is wider than the screen, naming the
// elements that stick out first (whose parent still fits), widest first.
func (j *journeyRun) overflow(page string) {
	j.t.Helper()
	type res struct {
		Scroll, Client int
		Culprits       []string
	}
	r, err := chromedp.Run(j.ctx, chromedp.Evaluate[res](`(() => {
		const de = document.documentElement, vw = de.clientWidth;
		const r = {scroll: de.scrollWidth, client: vw, culprits: []};
		if (r.scroll <= vw) return r;
		const clipped = el => { for (let p = el.parentElement; p && p !== de; p = p.parentElement) {
			const o = getComputedStyle(p).overflowX; if (o !== "visible") return true; } return false; };
		const out = el => el.getBoundingClientRect().right > vw + 0.5;
		const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
			(el.classList.length ? "." + Array.from(el.classList).slice(0, 3).join(".") : "");
		const found = [];
		for (const el of document.body.querySelectorAll("*")) {
			if (!out(el) || clipped(el) || (el.parentElement && out(el.parentElement))) continue;
			const b = el.getBoundingClientRect();
			found.push([b.right, name(el) + " (" + Math.round(b.width) + " px wide, to " + Math.round(b.right) + ")"]);
		}
		found.sort((a, b) => b[0] - a[0]);
		r.culprits = found.slice(0, 5).map(f => f[1]);
		return r;
	})()`))
	if err != nil {
		j.t.Fatalf("overflow of %s: %v", page, err)
	}
	if r.Scroll > r.Client {
		j.t.Errorf("%s is %d px wide on a %d-px screen: %s", page, r.Scroll, r.Client, strings.Join(r.Culprits, "; "))
	}
}

// visibleTextJS returns the page's visible text and its accessible names
// (aria-label, title, placeholder, alt), leaving out what is marked as
// in the other language (the language switch; in English pages what was
// written in Italian: settings, notes, the bulletin), what must not be translated (translate="no": codes, names) and
// literals to type as they are (code: the file's column names) and what
// the user wrote (a textarea).
const visibleTextJS = `(() => {
	const other = 'body [lang]:not([lang="' + document.documentElement.lang + '"])';
	const skip = el => el.closest(other + ', [translate="no"], code, kbd, samp, textarea, script, style, noscript, template');
	const parts = [];
	const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = w.nextNode(); n; n = w.nextNode()) {
		const el = n.parentElement;
		if (!el || skip(el) || !n.textContent.trim()) continue;
		if (!el.checkVisibility() && !el.closest(".visually-hidden")) continue;
		parts.push(n.textContent);
	}
	for (const el of document.body.querySelectorAll("[aria-label], [title], [placeholder], img[alt]")) {
		if (skip(el)) continue;
		for (const a of ["aria-label", "title", "placeholder", "alt"]) if (el.getAttribute(a)) parts.push(el.getAttribute(a));
	}
	return parts.join(" | ");
})()`

var (
	wordRE = regexp.MustCompile(`[\p{L}']+`)
	// A decimal with a point where Italian wants a comma ("13.6"; "12.345"
	// is a thousands separator), and the reverse for English.
	pointDecimal = regexp.MustCompile(`(?:^|[^\d.,/])\d+\.\d{1,2}(?:[^\d.,/]|$)`)
	commaDecimal = regexp.MustCompile(`(?:^|[^\d.,/])\d+,\d{1,2}(?:[^\d.,/]|$)`)
	// Times ("dalle 9.00 alle 13.00", "9.00–13.00") and versions ("CC BY
	// 4.0") are not decimals.
	notDecimals = regexp.MustCompile(`(?:BY(?:-SA)? \d\.\d)|(?:(?:dalle|alle|ore|from|to|at)\s+\d{1,2}[.:][0-5]\d)|(?:\d{1,2}[.:][0-5]\d\s*[–-]\s*\d{1,2}[.:][0-5]\d)`)
)

// language checks a page for words of the other language and for the
// other language's decimal separator.
func (j *journeyRun) language(page, lang, txt string) {
	j.t.Helper()
	decimals, other, words := commaDecimal, "Italian", j.words.it
	if lang == "it" {
		decimals, other, words = pointDecimal, "English", j.words.en
	}
	clean := notDecimals.ReplaceAllString(txt, " ")
	if ms := decimals.FindAllStringIndex(clean, 5); ms != nil {
		var m []string
		for _, ix := range ms {
			m = append(m, quote(clean, ix))
		}
		j.t.Errorf("%s: %s decimals: %s", page, other, strings.Join(m, "; "))
	}
	txt = j.names.Replace(txt)
	var found []string
	seen := map[string]bool{}
	for _, ix := range wordRE.FindAllStringIndex(txt, -1) {
		w := txt[ix[0]:ix[1]]
		if !words[w] || seen[w] {
			continue
		}
		seen[w] = true
		found = append(found, w+" "+quote(txt, ix))
	}
	if found != nil {
		j.t.Errorf("%s: %s words: %s", page, other, strings.Join(found, "; "))
	}
}

// quote quotes a match with 30 bytes either side.
func quote(txt string, ix []int) string {
	from, to := max(0, ix[0]-30), min(len(txt), ix[1]+30)
	for from > 0 && !utf8.RuneStart(txt[from]) {
		from--
	}
	for to < len(txt) && !utf8.RuneStart(txt[to]) {
		to++
	}
	return fmt.Sprintf("(in %q)", txt[from:to])
}

// lexicon holds, per language, the words of the catalogue's texts in that
// language that none of the other language's texts uses, lower-case and
// capitalised, minus names that read the same in both (places,
// institutions, products). English words count from five letters: shorter
// ones ("file", "data") are Italian too.
type lexicon struct{ it, en map[string]bool }

func catalogueWords(t *testing.T) lexicon {
	t.Helper()
	// Names, and English words that are Italian too ("sono state") or
	// identifiers (the "default" method, docs/detection.md).
	names := map[string]bool{"cremona": true, "mantova": true, "lombardia": true, "influnet": true, "istat": true,
		"excel": true, "farrington": true, "openpolis": true, "state": true, "default": true, "detection": true}
	only := func(in, other, least int) map[string]bool {
		seen := map[string]bool{}
		for _, m := range web.Catalogo {
			for _, w := range wordRE.FindAllString(m[other], -1) {
				seen[strings.ToLower(w)] = true
			}
		}
		words := map[string]bool{}
		for _, m := range web.Catalogo {
			if m[0] == m[1] {
				continue
			}
			for _, w := range wordRE.FindAllString(m[in], -1) {
				w = strings.Trim(strings.ToLower(w), "'")
				if i := strings.LastIndex(w, "'"); i >= 0 {
					w = w[i+1:] // dell'anno → anno, building's → s
				}
				if len([]rune(w)) < least || seen[w] || names[w] {
					continue
				}
				words[w] = true
				words[strings.ToUpper(w[:1])+w[1:]] = true
			}
		}
		if len(words) < 500 {
			t.Fatalf("only %d words derived from the catalogue", len(words))
		}
		return words
	}
	return lexicon{it: only(0, 1, 4), en: only(1, 0, 5)}
}

// properNames blanks the names of schools, institutions, municipalities
// and districts: they read the same in both languages.
func properNames(t *testing.T, e *env) *strings.Replacer {
	t.Helper()
	var all []string
	pl, err := e.db.Plessi(ctx, store.PlessoFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pl {
		all = append(all, p.Nome)
	}
	is, _ := e.db.Istituti(ctx)
	for _, i := range is {
		all = append(all, i.Nome)
	}
	cs, _ := e.db.Comuni(ctx)
	for _, c := range cs {
		all = append(all, c.Nome)
	}
	ds, _ := e.db.Distretti(ctx)
	for _, d := range ds {
		all = append(all, d.Nome)
	}
	if len(all) < 500 {
		t.Fatalf("only %d names in the demo", len(all))
	}
	// Longest first, so a school's name goes before its municipality's.
	slices.SortFunc(all, func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	for _, n := range all {
		if n != "" {
			pairs = append(pairs, n, "·")
		}
	}
	return strings.NewReplacer(pairs...)
}

// consoleLog keeps a tab's console errors, exceptions and browser-log
// errors (a blocked resource, a CSP violation) until taken.
type consoleLog struct {
	mu    sync.Mutex
	msgs  []string
	marks chan string
	n     int
}

func listenConsole(ctx context.Context) *consoleLog {
	c := &consoleLog{marks: make(chan string, 1)}
	msgs := chromedp.Console(ctx) // subscribed now, read below
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			switch {
			case m.Type == chromedp.ConsoleDebug && strings.HasPrefix(m.Text, "journey-mark "):
				c.marks <- m.Text
			case m.Type == chromedp.ConsoleError || m.IsException():
				c.mu.Lock()
				c.msgs = append(c.msgs, m.Text+" "+m.URL)
				c.mu.Unlock()
			}
		}
	}()
	return c
}

// take returns the messages so far: it writes a mark to the console and
// waits for it, so every message the page wrote before is in.
func (c *consoleLog) take(j *journeyRun) []string {
	j.t.Helper()
	c.n++
	mark := fmt.Sprintf("journey-mark %d", c.n)
	j.step("console mark", chromedp.Evaluate[chromedp.Void](`console.debug(`+fmt.Sprintf("%q", mark)+`)`))
	for {
		select {
		case got := <-c.marks:
			if got != mark {
				continue
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			out := c.msgs
			c.msgs = nil
			return out
		case <-j.ctx.Done():
			j.t.Fatalf("console mark: %v", j.ctx.Err())
		}
	}
}
