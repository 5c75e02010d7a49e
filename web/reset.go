package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
)

// A plesso's password reset by the ATS: the operator finds the plesso by its
// code (credentials page) or from its page, reads what will happen, and
// confirms; only the confirmed POST changes anything (resetPassword).

type resetData struct {
	Plesso *ps.Plesso
}

// resetCerca turns the code typed on the credentials page into the plesso's
// confirmation page.
func (s *Server) resetCerca(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	code := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("codice")))
	if _, err := s.db.Plesso(r.Context(), code); err != nil || code == "" {
		s.sessions.Put(r.Context(), "flash", tr(c.lang, "ats.reset.sconosciuto", code))
		http.Redirect(w, r, "/ats/credenziali", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/ats/plessi/"+url.PathEscape(code)+"/reset", http.StatusSeeOther)
}

// resetConferma shows what a reset does before it is done.
func (s *Server) resetConferma(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.render(w, r, http.StatusOK, "reset_conferma", s.newPage(r, c, "ats.reset", resetData{Plesso: c.plesso}))
}

// resetConfermato resets only when the confirmation came with the request;
// a bare POST (an old bookmark, a double click elsewhere) goes to the page
// that explains it.
func (s *Server) resetConfermato(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("conferma") != "1" {
		http.Redirect(w, r, "/ats/plessi/"+url.PathEscape(c.plesso.Codice)+"/reset", http.StatusSeeOther)
		return
	}
	s.resetPassword(w, r, c)
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	users, err := s.db.PlessoUsers(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, ok := users[c.plesso.Codice]
	if !ok {
		s.sessions.Put(r.Context(), "flash", tr(c.lang, "ats.reset.nouser"))
		http.Redirect(w, r, "/plesso/"+c.plesso.Codice, http.StatusSeeOther)
		return
	}
	pw := auth.Generate(12)
	var hash string
	var herr error
	if err := s.hash(r.Context(), func() { hash, herr = auth.Hash(pw, s.cfg.HashParams) }); err != nil {
		return
	}
	if herr != nil {
		s.fail(w, r, herr)
		return
	}
	if err := s.db.SetPassword(r.Context(), actor(r, c.user), u.ID, hash, true, "password.reset"); err != nil {
		s.fail(w, r, err)
		return
	}
	msg := tr(c.lang, "ats.reset.fatto", u.Username, pw)
	// The form's checkbox is ticked by default; "0" alone (unticked) keeps
	// the tokens (issue 21: a reset left them valid).
	if slices.Contains(r.PostForm["revoca_token"], "1") {
		toks, err := s.db.Tokens(r.Context(), c.plesso.Codice)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		n := 0
		for _, t := range toks {
			if !t.RevocatoIl.IsZero() {
				continue
			}
			if err := s.db.RevokeToken(r.Context(), actor(r, c.user), c.plesso.Codice, t.ID); err != nil && ps.ErrorCode(err) != ps.ENotFound {
				s.fail(w, r, err)
				return
			}
			n++
		}
		msg += " " + tr(c.lang, "ats.reset.revocati", n)
	}
	s.sessions.Put(r.Context(), "flash", msg)
	http.Redirect(w, r, "/plesso/"+c.plesso.Codice, http.StatusSeeOther)
}
