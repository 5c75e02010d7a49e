package web

import (
	"bytes"
	"net/http"
	"strings"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/store"
)

type credenzialiData struct {
	Senza  int
	Totale int
}

func (s *Server) plessiSenzaUtenza(r *http.Request) ([]ps.Plesso, int, error) {
	plessi, err := s.db.Plessi(r.Context(), store.PlessoFilter{InScope: true, Attivi: true})
	if err != nil {
		return nil, 0, err
	}
	users, err := s.db.PlessoUsers(r.Context())
	if err != nil {
		return nil, 0, err
	}
	var out []ps.Plesso
	for _, p := range plessi {
		if _, ok := users[p.Codice]; !ok {
			out = append(out, p)
		}
	}
	return out, len(plessi), nil
}

func (s *Server) credenzialiPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	senza, tot, err := s.plessiSenzaUtenza(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "credenziali", s.newPage(r, c, "ats.credenziali", credenzialiData{Senza: len(senza), Totale: tot}))
}

// credenziali creates an account for every active plesso in scope that has
// none and answers with the CSV for a mail merge; passwords exist in clear
// only in this response.
func (s *Server) credenziali(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	senza, _, err := s.plessiSenzaUtenza(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(senza) == 0 {
		s.sessions.Put(r.Context(), "flash", tr(c.lang, "ats.credenziali.nessuna"))
		http.Redirect(w, r, "/ats/credenziali", http.StatusSeeOther)
		return
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	users := make([]ps.User, len(senza))
	passwords := make([]string, len(senza))
	for i, p := range senza {
		passwords[i] = auth.Generate(12)
		var hash string
		var herr error
		if err := s.hash(r.Context(), func() { hash, herr = auth.Hash(passwords[i], s.cfg.HashParams) }); err != nil {
			return
		}
		if herr != nil {
			s.fail(w, r, herr)
			return
		}
		users[i] = ps.User{Username: strings.ToLower(p.Codice), Role: ps.RolePlesso, Plesso: p.Codice, Email: p.Email, PasswordHash: hash}
	}
	if err := s.db.CreateUsers(r.Context(), actor(r, c.user), users); err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := newCSV(&buf)
	cw.Write([]string{"codice", "nome", "comune", "email", "indirizzo_portale", "nome_utente", "password_iniziale"})
	for i, p := range senza {
		cw.Write([]string{p.Codice, p.Nome, p.ComuneNome, p.Email, st.URLPortale, users[i].Username, passwords[i]})
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="credenziali-plessi.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
