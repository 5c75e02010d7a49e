package web

import (
	"net/http"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
)

type sentinelleData struct {
	Anno      ps.AnnoScolastico
	Anni      []ps.AnnoScolastico
	Totale    []sentinella.Quota
	PerProv   []sentinella.Quota
	PerDistr  []sentinella.Quota
	PerGrado  []sentinella.Quota
	Righe     []ps.Adempimento
	Provincia string
	Solo      bool // only sentinels listed
}

func (s *Server) sentinellePage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	q := r.URL.Query()
	d := sentinelleData{Anno: ps.AnnoDi(s.now()), Provincia: q.Get("provincia"), Solo: q.Get("solo") == "1"}
	if a, ok := ps.ParseAnno(q.Get("anno")); ok {
		d.Anno = a
	}
	d.Anni = []ps.AnnoScolastico{d.Anno + 1, d.Anno, d.Anno - 1}
	rows, err := s.db.Adempimenti(r.Context(), d.Anno, store.PlessoFilter{InScope: true, Attivi: true})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	distr, _ := s.db.Distretti(r.Context())
	names := map[string]string{}
	for _, x := range distr {
		names[x.Codice] = x.Nome
	}
	id := func(k string) string { return k }
	d.Totale = sentinella.Copertura(rows, func(ps.Adempimento) string { return "tot" }, func(string) string { return tr(c.lang, "ats.totale") })
	d.PerProv = sentinella.Copertura(rows, func(a ps.Adempimento) string { return a.Plesso.Provincia }, id)
	d.PerDistr = sentinella.Copertura(rows, func(a ps.Adempimento) string { return a.Plesso.Distretto }, func(k string) string { return names[k] })
	d.PerGrado = sentinella.Copertura(rows, func(a ps.Adempimento) string { return string(a.Plesso.Grado) }, func(k string) string { return tr(c.lang, "grado."+k) })
	for _, a := range rows {
		if (d.Provincia == "" || a.Plesso.Provincia == d.Provincia) && (!d.Solo || a.Sentinella) {
			d.Righe = append(d.Righe, a)
		}
	}
	s.render(w, r, http.StatusOK, "sentinelle", s.newPage(r, c, "ats.sentinelle", d))
}

func (s *Server) sentinellaSet(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	anno, ok := ps.ParseAnno(r.PostFormValue("anno"))
	if !ok {
		s.fail(w, r, &ps.Error{Code: ps.EInvalid, Message: "err.anno.format"})
		return
	}
	on := r.PostFormValue("on") == "1"
	if err := s.db.SetSentinella(r.Context(), actor(r, c.user), c.plesso.Codice, anno, on); err != nil {
		s.fail(w, r, err)
		return
	}
	back := safeNext(r.PostFormValue("next"))
	http.Redirect(w, r, back, http.StatusSeeOther)
}
