package web

import (
	"net/http"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

type calendarioData struct {
	Plesso           *ps.Plesso
	C                store.CalendarioPlesso
	Patrono          string // DD/MM
	Chiusure         string
	Anno             ps.AnnoScolastico
	Giorni           int
	Inizio, Fine     time.Time
	Overrides        []store.Override
	Province         []string
	OvGiorno, OvProv string
}

func (s *Server) calendarioData(r *http.Request, c *reqCtx) (*calendarioData, error) {
	cp, err := s.db.CalendarioDi(r.Context(), c.plesso.Codice)
	if err != nil {
		return nil, err
	}
	d := &calendarioData{Plesso: c.plesso, C: cp, Anno: ps.AnnoDi(s.now())}
	if cp.Patrono != "" {
		if t, err := time.Parse("01-02", cp.Patrono); err == nil {
			d.Patrono = t.Format("02/01")
		}
	}
	days := make([]string, len(cp.Chiusure))
	for i, x := range cp.Chiusure {
		days[i] = x.Format(ps.DateLayout)
	}
	d.Chiusure = strings.Join(days, ", ")
	cal, err := s.db.AnnoCalendario(r.Context(), c.plesso, d.Anno)
	if err != nil {
		return nil, err
	}
	lessons := cal.GiorniScolastici()
	d.Giorni = len(lessons)
	if len(lessons) > 0 {
		d.Inizio, d.Fine = lessons[0], lessons[len(lessons)-1]
	}
	return d, nil
}

func (s *Server) calendarioPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d, err := s.calendarioData(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "calendario", s.newPage(r, c, "calendario.title", d))
}

func (s *Server) calendarioSave(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	errs := map[string]string{}
	cp := store.CalendarioPlesso{Ambrosiano: r.PostFormValue("ambrosiano") == "1", SeiGiorni: r.PostFormValue("sei_giorni") == "1"}
	if v := strings.TrimSpace(r.PostFormValue("patrono")); v != "" {
		t, err := time.Parse("02/01", v)
		if err != nil {
			errs["patrono"] = "err.calendario.patrono"
		} else {
			cp.Patrono = t.Format("01-02")
		}
	}
	for _, v := range strings.Split(r.PostFormValue("chiusure"), ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		t, err := time.Parse(ps.DateLayout, v)
		if err != nil {
			t, err = time.Parse("02/01/2006", v)
		}
		if err != nil {
			errs["chiusure"] = "err.calendario.chiusure"
			break
		}
		cp.Chiusure = append(cp.Chiusure, t)
	}
	if len(cp.Chiusure) > 20 {
		errs["chiusure"] = "err.calendario.troppe"
	}
	if len(errs) > 0 {
		d, err := s.calendarioData(r, c)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Patrono, d.Chiusure = r.PostFormValue("patrono"), r.PostFormValue("chiusure")
		p := s.newPage(r, c, "calendario.title", d)
		p.setErrors(errs, []string{"patrono", "chiusure"}, nil)
		s.render(w, r, http.StatusUnprocessableEntity, "calendario", p)
		return
	}
	if err := s.db.SetCalendario(r.Context(), actor(r, c.user), c.plesso.Codice, cp); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "calendario.saved"))
	http.Redirect(w, r, "/plesso/"+c.plesso.Codice+"/calendario", http.StatusSeeOther)
}

func (s *Server) overridePage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	s.renderOverrides(w, r, c, nil, http.StatusOK)
}

func (s *Server) renderOverrides(w http.ResponseWriter, r *http.Request, c *reqCtx, errs map[string]string, status int) {
	ovs, err := s.db.Overrides(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	prov, _ := s.db.Province(r.Context())
	p := s.newPage(r, c, "ats.calendario", &calendarioData{Overrides: ovs, Province: prov})
	if errs != nil {
		p.setErrors(errs, []string{"giorno"}, nil)
	}
	s.render(w, r, status, "calendario_ats", p)
}

func (s *Server) overrideSave(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := time.Parse(ps.DateLayout, r.PostFormValue("giorno"))
	if err != nil {
		s.renderOverrides(w, r, c, map[string]string{"giorno": tr(c.lang, "err.data.format")}, http.StatusUnprocessableEntity)
		return
	}
	o := store.Override{Giorno: d, Provincia: strings.ToUpper(strings.TrimSpace(r.PostFormValue("provincia"))),
		Scuola: r.PostFormValue("scuola") == "1", Motivo: strings.TrimSpace(r.PostFormValue("motivo"))}
	if err := s.db.SetOverride(r.Context(), actor(r, c.user), o, r.PostFormValue("rimuovi") == "1"); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/ats/calendario", http.StatusSeeOther)
}
