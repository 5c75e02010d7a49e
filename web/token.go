package web

import (
	"net/http"
	"strconv"
	"strings"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/store"
)

type tokenData struct {
	Plesso *ps.Plesso
	Tokens []store.APIToken
	Nuovo  string // shown once, right after creation
	Modulo string // the form's one-use mark (nuovoModuloToken)
	ATS    bool   // the ATS's tokens, not a plesso's
}

func (s *Server) tokenPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderTokens(w, r, c, "", http.StatusOK)
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, c *reqCtx, nuovo string, status int) {
	toks, err := s.db.Tokens(r.Context(), c.plesso.Codice)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "token", s.newPage(r, c, "token.title", tokenData{Plesso: c.plesso, Tokens: toks, Nuovo: nuovo, Modulo: s.nuovoModuloToken(r)}))
}

// nuovoModuloToken marks a token form: its POST creates a token once. A
// reload of the page that showed the new token sends the same mark again
// and creates nothing (issue 21: it made a second token). The token itself
// is never kept: only the mark is, in the session.
func (s *Server) nuovoModuloToken(r *http.Request) string {
	m := auth.Generate(16)
	s.sessions.Put(r.Context(), "token_modulo", m)
	return m
}

// moduloTokenValido consumes the form's mark; false for a mark already
// used (a reload) or unknown.
func (s *Server) moduloTokenValido(r *http.Request) bool {
	m := r.PostFormValue("modulo")
	if m == "" || m != s.sessions.GetString(r.Context(), "token_modulo") {
		return false
	}
	s.sessions.Remove(r.Context(), "token_modulo")
	return true
}

// tokenCreate shows the new token in the response itself, never in a
// session or log: it exists in clear only there.
func (s *Server) tokenCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.moduloTokenValido(r) {
		s.sessions.Put(r.Context(), "flash", tr(c.lang, "token.gia_creato"))
		http.Redirect(w, r, "/plesso/"+c.plesso.Codice+"/token", http.StatusSeeOther)
		return
	}
	nome := strings.TrimSpace(r.PostFormValue("nome"))
	if nome == "" {
		nome = "registro elettronico"
	}
	if len([]rune(nome)) > 80 {
		nome = string([]rune(nome)[:80])
	}
	tok, _, err := s.db.CreateToken(r.Context(), actor(r, c.user), c.plesso.Codice, nome)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderTokens(w, r, c, tok, http.StatusOK)
}

func (s *Server) tokenRevoke(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if !s.revocaConfermata(w, r, c, "/plesso/"+c.plesso.Codice+"/token") {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		err = s.db.RevokeToken(r.Context(), actor(r, c.user), c.plesso.Codice, id)
	}
	if err != nil {
		s.fail(w, r, &ps.Error{Code: ps.ENotFound, Message: "err.notfound.page"})
		return
	}
	http.Redirect(w, r, "/plesso/"+c.plesso.Codice+"/token", http.StatusSeeOther)
}

// The ATS's own tokens, for the read API under /api/v1/ats/.
func (s *Server) atsTokenPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderATSTokens(w, r, c, "")
}

func (s *Server) renderATSTokens(w http.ResponseWriter, r *http.Request, c *reqCtx, nuovo string) {
	toks, err := s.db.Tokens(r.Context(), "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &ps.Plesso{Nome: tr(c.lang, "token.ats")}
	s.render(w, r, http.StatusOK, "token", s.newPage(r, c, "token.title", tokenData{Plesso: p, Tokens: toks, Nuovo: nuovo, ATS: true, Modulo: s.nuovoModuloToken(r)}))
}

func (s *Server) atsTokenCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.moduloTokenValido(r) {
		s.sessions.Put(r.Context(), "flash", tr(c.lang, "token.gia_creato"))
		http.Redirect(w, r, "/ats/token", http.StatusSeeOther)
		return
	}
	nome := strings.TrimSpace(r.PostFormValue("nome"))
	if nome == "" {
		nome = "ATS"
	}
	tok, _, err := s.db.CreateToken(r.Context(), actor(r, c.user), "", nome)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderATSTokens(w, r, c, tok)
}

func (s *Server) atsTokenRevoke(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if !s.revocaConfermata(w, r, c, "/ats/token") {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		err = s.db.RevokeToken(r.Context(), actor(r, c.user), "", id)
	}
	if err != nil {
		s.fail(w, r, &ps.Error{Code: ps.ENotFound, Message: "err.notfound.page"})
		return
	}
	http.Redirect(w, r, "/ats/token", http.StatusSeeOther)
}

// revocaConfermata lets a revocation through only with the confirmation
// the page asks for: a revoked token stops the class register at once, and
// nothing brings it back. Otherwise it returns to the list, saying so.
func (s *Server) revocaConfermata(w http.ResponseWriter, r *http.Request, c *reqCtx, back string) bool {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return false
	}
	if r.PostFormValue("conferma") == "1" {
		return true
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "token.revoca.nonconfermata"))
	http.Redirect(w, r, back, http.StatusSeeOther)
	return false
}
