package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// reqCtx is what authorize resolved for a handler.
type reqCtx struct {
	user   *ps.User
	plesso *ps.Plesso // for /plesso/{codice} routes, already authorised
	lang   string
	// dati: the API token's plesso's sentinel flag, calendar and enrolment
	// of the current school year, read with the token (store.TokenConDati).
	dati *store.DatiInvio
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
			default:
				// The database did not answer: the user is not anonymous,
				// and must not be sent to the login page (a 503 tells a
				// failover apart from a lost session).
				s.fail(w, r, fmt.Errorf("authorize: read user %d: %w", uid, err))
				return
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, c))
		if rt.Public() {
			rt.handler(w, r, c)
			return
		}
		// What needs an account or a token is never kept by a browser or a
		// proxy cache (issue 21: pages and exports were cacheable).
		w.Header().Set("Cache-Control", "no-store")
		if rt.Token {
			if !s.apiAuth(w, r, c) {
				return
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead && !jsonBody(r) {
				s.fail(w, r, &ps.Error{Code: ps.EUnsupported, Message: "api.err.content_type"})
				return
			}
			if !slices.Contains(rt.Roles, c.user.Role) {
				s.auditLimited(r, actor(r, c.user), "access.denied", truncate(r.URL.Path, 200), map[string]string{"method": r.Method})
				s.fail(w, r, &ps.Error{Code: ps.EForbidden, Message: ps.Msg("api.err.accesso", r.URL.Path)})
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
