package web

import (
	"net/http"
	"strconv"
	"strings"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

type allerteData struct {
	Stato   string
	Tipo    string
	Stati   []string
	Segnali []ps.Segnale
}

func (s *Server) allertePage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d := allerteData{Stato: r.URL.Query().Get("stato"), Tipo: r.URL.Query().Get("tipo"), Stati: ps.StatiSegnale}
	var err error
	d.Segnali, err = s.db.Segnali(r.Context(), store.SegnaleFilter{Stato: d.Stato, Tipo: d.Tipo, Limit: 500})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "allerte", s.newPage(r, c, "allerte.title", d))
}

// allerteEsegui runs detection on demand.
func (s *Server) allerteEsegui(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	es, err := s.motore.Esegui(r.Context(), actor(r, c.user), s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if es.Email > 0 && s.cfg.Wake != nil {
		s.cfg.Wake()
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "allerte.eseguito", es.Serie, len(es.Nuovi)))
	http.Redirect(w, r, "/ats/allerte", http.StatusSeeOther)
}

type allertaData struct {
	S      *ps.Segnale
	Storia []ps.EventoSegnale
	Stati  []string
	Utenti []string
}

func (s *Server) segnaleID(w http.ResponseWriter, r *http.Request) (*ps.Segnale, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, &ps.Error{Code: ps.ENotFound, Message: "err.notfound.page"})
		return nil, false
	}
	g, err := s.db.Segnale(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return g, true
}

func (s *Server) allertaPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	g, ok := s.segnaleID(w, r)
	if !ok {
		return
	}
	s.renderAllerta(w, r, c, g, nil, http.StatusOK)
}

func (s *Server) renderAllerta(w http.ResponseWriter, r *http.Request, c *reqCtx, g *ps.Segnale, errs map[string]string, status int) {
	storia, err := s.db.StoriaSegnale(r.Context(), g.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var utenti []string
	for _, role := range []ps.Role{ps.RoleATS, ps.RoleAdmin} {
		us, _ := s.db.Users(r.Context(), role)
		for _, u := range us {
			utenti = append(utenti, u.Username)
		}
	}
	var next []string
	for _, st := range ps.StatiSegnale {
		if ps.TransizioneAmmessa(g.Stato, st) {
			next = append(next, st)
		}
	}
	p := s.newPage(r, c, "allerte.dettaglio", allertaData{S: g, Storia: storia, Stati: next, Utenti: utenti})
	if errs != nil {
		p.setErrors(errs, []string{"stato", "nota"}, nil)
	}
	s.render(w, r, status, "allerta", p)
}

func (s *Server) allertaUpdate(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	g, ok := s.segnaleID(w, r)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	nota := strings.TrimSpace(r.PostFormValue("nota"))
	if len([]rune(nota)) > 2000 {
		s.renderAllerta(w, r, c, g, map[string]string{"nota": "err.note.long"}, http.StatusUnprocessableEntity)
		return
	}
	err := s.db.AggiornaSegnale(r.Context(), actor(r, c.user), g.ID, r.PostFormValue("stato"), strings.TrimSpace(r.PostFormValue("assegnato")),
		nota, r.PostFormValue("da_stato"))
	switch {
	case ps.ErrorCode(err) == ps.EInvalid || ps.ErrorCode(err) == ps.EConflict:
		g, _ = s.db.Segnale(r.Context(), g.ID)
		s.renderAllerta(w, r, c, g, map[string]string{"stato": ps.ErrorMessage(err)}, status(ps.ErrorCode(err)))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "allerte.aggiornata"))
	http.Redirect(w, r, "/ats/allerte/"+strconv.FormatInt(g.ID, 10), http.StatusSeeOther)
}
