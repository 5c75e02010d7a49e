package web

import (
	"html/template"
	"net/http"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/bollettino"
	"github.com/portalescuole/portalescuole/serie"
)

// settimanaBollettino is the week asked in the URL, by default the last
// complete one.
func (s *Server) settimanaBollettino(r *http.Request) time.Time {
	if d, err := time.Parse(ps.DateLayout, r.URL.Query().Get("settimana")); err == nil {
		return serie.Lunedi(d)
	}
	return serie.Lunedi(s.today()).AddDate(0, 0, -7)
}

type bollettinoData struct {
	Settimana  time.Time
	Prec, Succ time.Time
	HaSucc     bool
	HTML       template.HTML
	Sintesi    string
}

func (s *Server) bollettinoPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	week := s.settimanaBollettino(r)
	d, err := allerta.Bollettino(r.Context(), s.db, week, s.now(), rome)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lingua := bollettino.Italiano
	if c.lang == langEN {
		lingua = bollettino.Inglese
		s.bollettinoInglese(r, &d)
	}
	h, err := bollettino.HTMLIn(d, lingua)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	bd := bollettinoData{Settimana: week, Prec: week.AddDate(0, 0, -7), Succ: week.AddDate(0, 0, 7), HTML: template.HTML(h), Sintesi: lingua.Sintesi(d)}
	bd.HaSucc = !bd.Succ.After(s.today())
	s.render(w, r, http.StatusOK, "bollettino", s.newPage(r, c, "bollettino.title", bd))
}

func (s *Server) bollettinoPDF(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	week := s.settimanaBollettino(r)
	d, err := allerta.Bollettino(r.Context(), s.db, week, s.now(), rome)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pdf, err := bollettino.PDF(d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.db.Audit(r.Context(), actor(r, c.user), "export", "bollettino", map[string]string{"settimana": week.Format(ps.DateLayout)})
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="bollettino-`+week.Format("2006-01-02")+`.pdf"`)
	w.Write(pdf)
}

func (s *Server) bollettinoInvia(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	week := s.settimanaBollettino(r)
	if d, err := time.Parse(ps.DateLayout, r.PostFormValue("settimana")); err == nil {
		week = serie.Lunedi(d)
	}
	n, err := allerta.InviaBollettino(r.Context(), s.db, week, s.now(), rome)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if n > 0 && s.cfg.Wake != nil {
		s.cfg.Wake()
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "bollettino.inviato", n))
	http.Redirect(w, r, "/ats/bollettino?settimana="+week.Format(ps.DateLayout), http.StatusSeeOther)
}

// bollettinoInglese puts the bulletin's own words in English: series and
// group names, and the methods paragraph. The PDF and the e-mail stay the
// ATS's Italian document.
func (s *Server) bollettinoInglese(r *http.Request, d *bollettino.Dati) {
	n := s.motore.Nominatore(r.Context())
	for i, g := range d.Gruppi {
		if g.Chiave != "" {
			d.Gruppi[i].Nome = nomeSerie(langEN, n, g.Chiave)
		}
	}
	for i, a := range d.Allerte {
		if a.Chiave != "" {
			d.Allerte[i].Serie = nomeSerie(langEN, n, a.Chiave)
		}
	}
	if d.Situazione != nil {
		for k := range d.Situazione.Nomi {
			d.Situazione.Nomi[k] = nomeSerie(langEN, n, k)
		}
	}
	d.Metodi = bollettino.Inglese.Metodi(d.Stima.Copertura, d.PlessiStima, descriviMetodo(langEN, allerta.Metodo, "", d.AnniPrecedenti))
}
