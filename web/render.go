package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed all:static
var staticFS embed.FS

func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Files only: no directory listing.
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if fi, err := fs.Stat(sub, strings.TrimSuffix(name, "/")); name == "" || strings.HasSuffix(name, "/") || err != nil || fi.IsDir() {
			http.NotFound(w, r)
			return
		}
		// Vendor files change only with package.json; a day of caching
		// spares old PCs on slow school networks.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}

// favicon serves the portal's icon where browsers look for it by default.
func favicon() http.Handler {
	ico, err := fs.ReadFile(staticFS, "static/favicon.ico")
	if err != nil {
		panic("web: favicon.ico missing from the embedded assets: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/x-icon")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Write(ico)
	})
}

// pages holds one template set per page, each with the shared layout.
type pages struct{ m map[string]*template.Template }

var funcs = template.FuncMap{
	"t":       tr,
	"add":     func(a, b int) int { return a + b },
	"livello": ps.LivelloSerie,
	"sub":     func(a, b int) int { return a - b },
	// etichetteGrafici is the JSON of the chart labels in a language, for
	// the scripts that draw charts (they hold no text of their own).
	"etichetteGrafici": func(lang string) string {
		m := map[string]string{}
		for _, k := range []string{"giorno", "assenti", "atteso", "soglia", "allarme", "provvisorio", "settimana",
			"questanno", "precedente", "influnet", "parziale", "plesso", "territorio", "decimale"} {
			m[k] = tr(lang, "grafico."+k)
		}
		b, _ := json.Marshal(m)
		return string(b)
	},
	"grado": func(lang string, g ps.Grado) string {
		return tr(lang, "grado."+string(g))
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("02/01/2006")
	},
	"isodate": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(ps.DateLayout)
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(rome).Format("02/01/2006 15:04")
	},
	"pct": func(v float64) string { return strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", ",", 1) },
	"media": func(c *ps.Consistenza) string {
		if c == nil || c.Classi == 0 {
			return ""
		}
		return strings.Replace(strconv.FormatFloat(float64(c.Iscritti)/float64(c.Classi), 'f', 1, 64), ".", ",", 1)
	},
	"num": func(n int) string { return formatInt(n) },
	// dec1 prints one decimal with the language's separator.
	"dec1":     func(lang string, v float64) string { return formatDecimal(lang, v, 1) },
	"daylabel": dayLabel,
	"rate":     allerta.Pct,
	// dettagli reads an audit line's JSON details as key–value pairs, in
	// key order ("prima: 200, dopo: 220" rather than raw JSON); nil when
	// they are not a JSON object.
	"dettagli": func(s string) []kv {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) != nil || len(m) == 0 {
			return nil
		}
		out := make([]kv, 0, len(m))
		for k, v := range m {
			var val string
			switch x := v.(type) {
			case string:
				val = x
			default:
				b, _ := json.Marshal(x)
				val = string(b)
			}
			out = append(out, kv{K: k, V: val})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].K < out[j].K })
		return out
	},
	// motivoCampo names a reason's field as the validation does ("febbre"
	// → "febbre_respiratori"), so its error stands under its input.
	"motivoCampo": func(f string) string {
		return map[string]string{"febbre": "febbre_respiratori", "gastro": "gastrointestinali", "altra": "altra_malattia", "non": "non_malattia"}[f]
	},
	// pctp and nump print optional chart values (already in percent).
	"pctp": func(p *float64) string {
		if p == nil {
			return "–"
		}
		return strings.Replace(strconv.FormatFloat(*p, 'f', 1, 64), ".", ",", 1) + "%"
	},
	"nump": func(p *float64) string {
		if p == nil {
			return "–"
		}
		return strings.Replace(strconv.FormatFloat(*p, 'f', 2, 64), ".", ",", 1)
	},
	"rateOpt": func(x float64) string {
		if x != x {
			return "–"
		}
		return allerta.Pct(x)
	},
	"trend": func(x float64) string {
		switch {
		case x > 0.002:
			return "↑ in aumento (" + allerta.Pct(x) + ")"
		case x < -0.002:
			return "↓ in calo (" + allerta.Pct(x) + ")"
		}
		return "→ stabile"
	},
	"statoBadge": func(st string) string {
		return map[string]string{ps.StatoNuovo: "bg-danger", ps.StatoValutazione: "bg-warning text-dark", ps.StatoConfermato: "bg-dark", ps.StatoArchiviato: "bg-secondary"}[st]
	},
	"alunni": sentinella.Alunni,
	"mul100": func(v float64) float64 { return v * 100 },
	"statoClass": func(st sentinella.Stato) string {
		return map[sentinella.Stato]string{sentinella.InTempo: "ok", sentinella.InRitardo: "ritardo", sentinella.Mancante: "manca", sentinella.Aperta: "aperta"}[st]
	},
	"itoaPtr": itoaPtr,
	"list":    func(v ...string) []string { return v },
	// field reads a reason field of an entry row by short name.
	"field": func(g giornoForm, name string) string {
		return map[string]string{"febbre": g.Febbre, "gastro": g.Gastro, "altra": g.Altra, "non": g.NonMal}[name]
	},
	// dict builds the argument of a sub-template from key/value pairs.
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
}

// rome is the portal's civil time zone; a missing tzdata falls back to UTC.
var rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.UTC
	}
	return l
}()

// formatInt writes 12345 as 12.345, the Italian way.
// formatDecimal prints v with the given decimals and the language's
// separator ("40,0" in Italian, "40.0" in English).
func formatDecimal(lang string, v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if lang != langEN {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func formatInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// parsePages parses each page once per language: the number functions
// (num, pct, rate...) then write the language's separators without every
// call naming the language.
func parsePages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{m: map[string]*template.Template{}}
	for _, lang := range []string{langIT, langEN} {
		fm := funcsFor(lang)
		for _, n := range names {
			base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
			if base == "layout" {
				continue
			}
			t, err := template.New("layout.html").Funcs(fm).ParseFS(templateFS, "templates/layout.html", n)
			if err != nil {
				return nil, fmt.Errorf("template %s: %w", n, err)
			}
			p.m[lang+"/"+base] = t
		}
	}
	return p, nil
}

// kv is one key and value for a template.
type kv struct{ K, V string }

// funcsFor is funcs with the number functions of a language.
func funcsFor(lang string) template.FuncMap {
	fm := template.FuncMap{}
	for k, v := range funcs {
		fm[k] = v
	}
	dec := func(v float64, d int) string { return formatDecimal(lang, v, d) }
	fm["num"] = func(n int) string { return formatIntLang(lang, n) }
	fm["pct"] = func(v float64) string { return dec(v, 1) }
	fm["rate"] = func(x float64) string { return pctLang(lang, x) }
	fm["media"] = func(c *ps.Consistenza) string {
		if c == nil || c.Classi == 0 {
			return ""
		}
		return dec(float64(c.Iscritti)/float64(c.Classi), 1)
	}
	fm["pctp"] = func(p *float64) string {
		if p == nil {
			return "–"
		}
		return dec(*p, 1) + "%"
	}
	fm["nump"] = func(p *float64) string {
		if p == nil {
			return "–"
		}
		return dec(*p, 2)
	}
	fm["rateOpt"] = func(x float64) string {
		if x != x {
			return "–"
		}
		return pctLang(lang, x)
	}
	// evidenza writes the accumulated evidence against its threshold
	// ("2,7 su 2,0"), or "–" for a method without one.
	fm["evidenza"] = func(e, s float64) string {
		if e != e || s != s {
			return "–"
		}
		return tr(lang, "allerte.evidenzaSu", dec(e, 1), dec(s, 1))
	}
	fm["trend"] = func(x float64) string {
		switch {
		case x > 0.002:
			return tr(lang, "trend.su", pctLang(lang, x))
		case x < -0.002:
			return tr(lang, "trend.giu", pctLang(lang, x))
		}
		return tr(lang, "trend.stabile")
	}
	return fm
}

// pctLang writes a share as a percentage with one decimal ("7,6%"; "7.6%"
// in English).
func pctLang(lang string, x float64) string { return formatDecimal(lang, 100*x, 1) + "%" }

// formatIntLang groups thousands the language's way (12.345, 12,345).
func formatIntLang(lang string, n int) string {
	if lang == langEN {
		return strings.ReplaceAll(formatInt(n), ".", ",")
	}
	return formatInt(n)
}

// fieldError is one entry of a form's error summary.
type fieldError struct {
	Field string
	Msg   string
}

// page is the data every template gets.
type page struct {
	L        string // language
	Title    string
	User     *ps.User
	Settings store.Settings
	Path     string
	Flash    string
	Nav      string // active section
	// Segnala is true for a plesso user whose plesso reports absences today
	// (sentinel this school year, or in emergency mode): only then does the
	// menu offer the absence entry.
	Segnala bool
	// Errors maps field -> translated message; Summary keeps form order.
	Errors  map[string]string
	Summary []fieldError
	Data    any
}

func (s *Server) newPage(r *http.Request, c *reqCtx, title string, data any) *page {
	st, err := s.db.Settings(r.Context())
	if err != nil {
		s.log.Error("settings", "err", err)
	}
	p := &page{L: c.lang, Title: tr(c.lang, title), User: c.user, Settings: st, Path: r.URL.RequestURI(), Data: data}
	if c.user != nil {
		p.Flash = s.sessions.PopString(r.Context(), "flash")
		if c.user.Role == ps.RolePlesso && c.user.Plesso != "" {
			if ok, err := s.db.CanReportCodice(r.Context(), c.user.Plesso, s.now().In(rome)); err == nil {
				p.Segnala = ok
			}
		}
	}
	return p
}

// setErrors translates field errors, ordered as the form shows them.
func (p *page) setErrors(fields map[string]string, order []string, args map[string][]any) {
	p.Errors = map[string]string{}
	for f, key := range fields {
		p.Errors[f] = tr(p.L, key, args[f]...)
	}
	sorted := append([]string(nil), order...)
	for f := range fields {
		found := false
		for _, o := range order {
			if o == f {
				found = true
			}
		}
		if !found {
			sorted = append(sorted, f)
		}
	}
	for _, f := range sorted {
		if m, ok := p.Errors[f]; ok {
			p.Summary = append(p.Summary, fieldError{f, m})
		}
	}
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.pages.m[p.L+"/"+name]
	if !ok {
		s.log.Error("no such template", "name", name)
		http.Error(w, "errore interno", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "errore interno", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// status maps an error code to its HTTP status: the one place that does.
func status(code string) int {
	switch code {
	case ps.EInvalid:
		return http.StatusUnprocessableEntity
	case ps.EUnauthorized:
		return http.StatusUnauthorized
	case ps.EForbidden:
		return http.StatusForbidden
	case ps.ENotFound:
		return http.StatusNotFound
	case ps.EConflict:
		return http.StatusConflict
	case ps.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case ps.ELocked:
		return http.StatusTooManyRequests
	case ps.EUnavailable:
		return http.StatusServiceUnavailable
	case ps.EBadRequest:
		return http.StatusBadRequest
	case ps.ENotAcceptable:
		return http.StatusNotAcceptable
	case ps.EUnsupported:
		return http.StatusUnsupportedMediaType
	case ps.EMethod:
		return http.StatusMethodNotAllowed
	}
	return http.StatusInternalServerError
}

// isAPI reports whether a request is for the JSON API.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// fail is the one error writer: the status from the error's code, the
// message (and field messages) from the catalogue in the request's
// language, as JSON for the API and as a page otherwise. Internal causes
// are logged, never shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := ps.ErrorCode(err)
	msg := ps.ErrorMessage(err)
	if code == ps.EInternal && store.NonDisponibile(err) {
		// The database is gone for now (a failover, a restart): say so,
		// and when to try again.
		code, msg = ps.EUnavailable, "err.unavailable"
		w.Header().Set("Retry-After", "5")
		s.log.Warn("database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if code == ps.EInternal {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else if errors.Unwrap(err) != nil {
		s.log.Warn("request refused", "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	c, _ := r.Context().Value(ctxKey{}).(*reqCtx)
	if c == nil {
		c = &reqCtx{lang: langOf(r)}
	}
	if wantsJSON(r) {
		e := apiError{Errore: tr(c.lang, msg)}
		for f, key := range ps.FieldErrors(err) {
			if e.Campi == nil {
				e.Campi = map[string]string{}
			}
			e.Campi[f] = tr(c.lang, key)
		}
		writeJSON(w, status(code), e)
		return
	}
	p := s.newPage(r, c, "err.title", nil)
	p.Flash = ""
	p.Data = tr(c.lang, msg)
	s.render(w, r, status(code), "error", p)
}

// wantsJSON tells API requests (and clients asking for JSON) from pages.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.Header.Get("Accept"), "application/json")
}
