package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	ps "github.com/portalescuole/portalescuole"
)

// Route is one entry of the route table.
type Route struct {
	Method  string
	Pattern string
	// Roles allowed; nil means public (no login needed).
	Roles   []ps.Role
	handler func(w http.ResponseWriter, r *http.Request, c *reqCtx)
	// Token routes authenticate a register vendor's API token instead of
	// a session; the token decides the plesso.
	Token bool
}

// Public reports whether the route needs neither login nor token.
func (rt Route) Public() bool { return rt.Roles == nil && !rt.Token }

var (
	anyRole   = []ps.Role{ps.RolePlesso, ps.RoleIstituto, ps.RoleATS, ps.RoleAdmin}
	plessoAcc = anyRole // narrowed per plesso by CanAccessPlesso
	atsRoles  = []ps.Role{ps.RoleATS, ps.RoleAdmin}
	admin     = []ps.Role{ps.RoleAdmin}
	// Token routes: which kind of token each accepts.
	plessoToken = []ps.Role{ps.RolePlesso}
	atsToken    = []ps.Role{ps.RoleATS}
)

func (s *Server) routeTable() []Route {
	return []Route{
		{"GET", "/healthz", nil, s.healthz, false},
		{"GET", "/login", nil, s.loginPage, false},
		{"POST", "/login", nil, s.login, false},
		{"POST", "/lingua", nil, s.setLang, false},
		{"POST", "/logout", anyRole, s.logout, false},
		{"GET", "/password", anyRole, s.passwordPage, false},
		{"POST", "/password", anyRole, s.changePassword, false},
		{"GET", "/{$}", anyRole, s.home, false},

		{"GET", "/plesso/{codice}", plessoAcc, s.plessoHome, false},
		{"GET", "/plesso/{codice}/registro", plessoAcc, s.registro, false},
		{"GET", "/plesso/{codice}/registro/aggiungi", plessoAcc, s.registroForm, false},
		{"POST", "/plesso/{codice}/registro", plessoAcc, s.registroSave, false},

		{"GET", "/plesso/{codice}/assenze", plessoAcc, s.assenzePage, false},
		{"POST", "/plesso/{codice}/assenze", plessoAcc, s.assenzeSave, false},
		{"GET", "/plesso/{codice}/assenze/file", plessoAcc, s.filePage, false},
		{"POST", "/plesso/{codice}/assenze/file", plessoAcc, s.fileUpload, false},
		{"GET", "/plesso/{codice}/assenze/modello.csv", plessoAcc, s.fileModello, false},
		{"GET", "/plesso/{codice}/token", plessoAcc, s.tokenPage, false},
		{"POST", "/plesso/{codice}/token", plessoAcc, s.tokenCreate, false},
		{"POST", "/plesso/{codice}/token/{id}/revoca", plessoAcc, s.tokenRevoke, false},
		{"GET", "/plesso/{codice}/calendario", plessoAcc, s.calendarioPage, false},
		{"POST", "/plesso/{codice}/calendario", plessoAcc, s.calendarioSave, false},

		{"GET", "/istituto", []ps.Role{ps.RoleIstituto}, s.istitutoHome, false},

		{"GET", "/ats/adempimenti", atsRoles, s.adempimenti, false},
		{"GET", "/ats/adempimenti.csv", atsRoles, s.adempimentiCSV, false},
		{"GET", "/ats/adempimenti.xlsx", atsRoles, s.adempimentiXLSX, false},
		{"POST", "/ats/solleciti", atsRoles, s.solleciti, false},
		{"GET", "/ats/outbox", atsRoles, s.outbox, false},
		{"POST", "/ats/outbox/{id}/reinvia", atsRoles, s.outboxRequeue, false},
		{"GET", "/ats/credenziali", atsRoles, s.credenzialiPage, false},
		{"POST", "/ats/credenziali", atsRoles, s.credenziali, false},
		{"GET", "/ats/plessi/reset", atsRoles, s.resetCerca, false},
		{"GET", "/ats/plessi/{codice}/reset", atsRoles, s.resetConferma, false},
		{"POST", "/ats/plessi/{codice}/reset", atsRoles, s.resetConfermato, false},
		{"GET", "/ats/import", atsRoles, s.importPage, false},
		{"POST", "/ats/import", atsRoles, s.importFile, false},

		{"GET", "/ats/sentinelle", atsRoles, s.sentinellePage, false},
		{"POST", "/ats/sentinelle/{codice}", atsRoles, s.sentinellaSet, false},
		{"GET", "/ats/completezza", atsRoles, s.completezzaPage, false},
		{"GET", "/ats/emergenza", atsRoles, s.emergenzaPage, false},
		{"POST", "/ats/emergenza", atsRoles, s.emergenzaAvvia, false},
		{"POST", "/ats/emergenza/chiudi", atsRoles, s.emergenzaChiudi, false},
		{"GET", "/ats/completezza.json", atsRoles, s.completezzaJSON, false},
		{"GET", "/ats/calendario", atsRoles, s.overridePage, false},
		{"POST", "/ats/calendario", atsRoles, s.overrideSave, false},

		{"GET", "/ats/allerte", atsRoles, s.allertePage, false},
		{"POST", "/ats/allerte/esegui", atsRoles, s.allerteEsegui, false},
		{"GET", "/ats/allerte/{id}", atsRoles, s.allertaPage, false},
		{"POST", "/ats/allerte/{id}", atsRoles, s.allertaUpdate, false},
		{"GET", "/ats/cruscotto", atsRoles, s.cruscottoPage, false},
		{"GET", "/ats/cruscotto/serie.json", atsRoles, s.serieJSON, false},
		{"GET", "/ats/cruscotto/serie.csv", atsRoles, s.exportSerie, false},
		{"GET", "/ats/cruscotto/settimane.json", atsRoles, s.settimaneJSON, false},
		{"GET", "/ats/cruscotto/settimane.csv", atsRoles, s.settimaneCSV, false},
		{"GET", "/ats/bollettino", atsRoles, s.bollettinoPage, false},
		{"GET", "/ats/bollettino.pdf", atsRoles, s.bollettinoPDF, false},
		{"POST", "/ats/bollettino/invia", atsRoles, s.bollettinoInvia, false},
		{"GET", "/ats/export/assenze.csv", atsRoles, s.exportAssenze, false},
		{"GET", "/ats/export/assenze.xlsx", atsRoles, s.exportAssenze, false},
		{"GET", "/ats/export/allerte.csv", atsRoles, s.exportAllerte, false},
		{"GET", "/ats/export/allerte.xlsx", atsRoles, s.exportAllerte, false},
		{"GET", "/ats/export/completezza.csv", atsRoles, s.exportCompletezza, false},
		{"GET", "/ats/export/completezza.xlsx", atsRoles, s.exportCompletezza, false},
		{"GET", "/plesso/{codice}/andamento", plessoAcc, s.andamentoPage, false},
		{"GET", "/plesso/{codice}/andamento.json", plessoAcc, s.andamentoJSON, false},

		{"GET", "/pubblico", nil, s.pubblicoPage, false},
		{"GET", "/pubblico/anni.json", nil, s.pubblicoFile, false},
		{"GET", "/pubblico/bollettino", nil, s.pubblicoBollettino, false},
		{"GET", "/pubblico/bollettino.pdf", nil, s.pubblicoPDF, false},
		{"GET", "/pubblico/dati", nil, s.pubblicoSchema, false},
		{"GET", "/pubblico/dati/assenze-settimanali.csv", nil, s.pubblicoFile, false},
		{"GET", "/pubblico/dati/assenze-settimanali.json", nil, s.pubblicoFile, false},
		{"GET", "/pubblico/dati/catalogo.jsonld", nil, s.pubblicoFile, false},

		{"GET", "/api/v1/openapi.json", nil, s.apiOpenAPI, false},
		{"GET", "/api/v1/plesso", plessoToken, s.apiPlesso, true},
		{"GET", "/api/v1/assenze", plessoToken, s.apiGetAssenze, true},
		{"POST", "/api/v1/assenze", plessoToken, s.apiPostAssenze, true},
		{"GET", "/api/v1/ats/serie", atsToken, s.apiATSSerie, true},
		{"GET", "/api/v1/ats/assenze", atsToken, s.apiATSAssenze, true},
		{"GET", "/api/v1/ats/allerte", atsToken, s.apiATSAllerte, true},
		{"GET", "/api/v1/ats/completezza", atsToken, s.apiATSCompletezza, true},
		{"GET", "/ats/token", atsRoles, s.atsTokenPage, false},
		{"POST", "/ats/token", atsRoles, s.atsTokenCreate, false},
		{"POST", "/ats/token/{id}/revoca", atsRoles, s.atsTokenRevoke, false},

		{"GET", "/admin/audit", admin, s.auditPage, false},
		{"GET", "/admin/impostazioni", admin, s.settingsPage, false},
		{"POST", "/admin/impostazioni", admin, s.saveSettings, false},
	}
}

// reqCtx is what authorize resolved for a handler.
type reqCtx struct {
	user   *ps.User
	plesso *ps.Plesso // for /plesso/{codice} routes, already authorised
	lang   string
}

type ctxKey struct{}

// authorize is the one gate: login, forced password change, role, and for
// routes with {codice} the plesso scope. A plesso the user may not see is
// answered 403 whether or not it exists, so codes cannot be probed.
func (s *Server) authorize(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &reqCtx{lang: langOf(r)}
		if uid := s.sessions.GetInt64(r.Context(), "uid"); uid != 0 {
			u, err := s.db.UserByID(r.Context(), uid)
			switch {
			case err == nil && !u.Disabled && s.sessions.GetString(r.Context(), "pw") == passwordStamp(u.PasswordHash):
				c.user = u
			case err == nil || ps.ErrorCode(err) == ps.ENotFound:
				// The password changed (or was reset) since this session
				// began, or the account is gone or disabled: the session ends.
				s.sessions.Destroy(r.Context())
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, c))
		if rt.Public() {
			rt.handler(w, r, c)
			return
		}
		if rt.Token {
			if !s.apiAuth(w, r, c) {
				return
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead && !jsonBody(r) {
				writeJSON(w, http.StatusUnsupportedMediaType, apiError{Errore: "il corpo deve essere JSON (Content-Type: application/json)"})
				return
			}
			if !slices.Contains(rt.Roles, c.user.Role) {
				s.auditLimited(r, actor(r, c.user), "access.denied", truncate(r.URL.Path, 200), map[string]string{"method": r.Method})
				writeJSON(w, http.StatusForbidden, apiError{Errore: "questo token non dà accesso a " + r.URL.Path})
				return
			}
			rt.handler(w, r, c)
			return
		}
		if c.user == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(safeNext(r.URL.RequestURI())), http.StatusSeeOther)
				return
			}
			s.fail(w, r, &ps.Error{Code: ps.EUnauthorized, Message: "login.title"})
			return
		}
		if c.user.MustChange && rt.Pattern != "/password" && rt.Pattern != "/logout" {
			http.Redirect(w, r, "/password", http.StatusSeeOther)
			return
		}
		if !slices.Contains(rt.Roles, c.user.Role) {
			s.deny(w, r, c, rt.Pattern)
			return
		}
		if strings.Contains(rt.Pattern, "{codice}") {
			codice := ps.NormalizeCodice(r.PathValue("codice"))
			p, err := s.db.Plesso(r.Context(), codice)
			if err != nil && ps.ErrorCode(err) != ps.ENotFound {
				s.fail(w, r, err)
				return
			}
			if p == nil || !c.user.CanAccessPlesso(p) {
				if p == nil && c.user.Territory() {
					s.fail(w, r, err)
					return
				}
				s.deny(w, r, c, codice)
				return
			}
			c.plesso = p
		}
		rt.handler(w, r, c)
	})
}

func (s *Server) deny(w http.ResponseWriter, r *http.Request, c *reqCtx, what string) {
	// Repeated refusals from one address are aggregated (auditLimited), and
	// what the client chose is cut short.
	s.auditLimited(r, actor(r, c.user), "access.denied", truncate(what, 100), map[string]string{"method": truncate(r.Method, 20), "path": truncate(r.URL.Path, 200)})
	s.fail(w, r, &ps.Error{Code: ps.EForbidden, Message: "err.forbidden"})
}

// safeNext keeps only what is still a same-origin path after a browser's
// URL clean-up, so /login?next= and /lingua cannot redirect away. Browsers
// drop TAB, CR and LF anywhere and read a backslash as a slash, so
// "/<TAB>/evil.example" and "/\\evil.example" become "//evil.example", another
// origin: any control character or backslash is refused outright.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || len(next) > 2000 {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) || r == '\uFFFD' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return next
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := s.db.Ping(r.Context()); err != nil {
		http.Error(w, "database non raggiungibile", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// home sends each role to its start page.
func (s *Server) home(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	switch c.user.Role {
	case ps.RolePlesso:
		http.Redirect(w, r, "/plesso/"+c.user.Plesso, http.StatusSeeOther)
	case ps.RoleIstituto:
		http.Redirect(w, r, "/istituto", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/ats/adempimenti", http.StatusSeeOther)
	}
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	l := langIT
	if r.PostFormValue("lang") == langEN {
		l = langEN
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
