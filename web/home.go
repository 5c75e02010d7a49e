package web

import (
	"fmt"
	"net/http"

	ps "github.com/portalescuole/portalescuole"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	st, err := s.db.StatoDatabase(r.Context())
	if err != nil {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "database non raggiungibile", http.StatusServiceUnavailable)
		return
	}
	// The first line stays "ok" for probes; the others say which database
	// answered and how far its standbys are (a failover's monitor reads them).
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "ok\nmotore: %s\nruolo: %s\n", st.Motore, st.Ruolo)
	if st.Motore == "postgres" {
		fmt.Fprintf(w, "standby: %d\nritardo_replica_s: %.3f\n", st.Standby, st.Ritardo.Seconds())
	}
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
