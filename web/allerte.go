package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/store"
)

type allerteData struct {
	Stato   string
	Tipo    string
	Livello string
	Aperte  bool
	Stati   []string
	Livelli []string
	Segnali []ps.Segnale
	// Totale counts every episode the filters keep; the page shows
	// allertePerPagina of them from Pagina (1 = the first).
	Totale, Pagina, Pagine int
	// Query is the filters as a URL query, for the pages' links (built
	// by url.Values, so already escaped).
	Query template.URL
	// Gruppi shows each alert with those on its sub-series that overlap
	// it (a province with its districts, a series with its illness ones).
	Gruppi   []gruppoAllerte
	Anomalie []rigaAnomalia
}

// rigaAllerta is an episode with its series and days in words.
type rigaAllerta struct {
	ps.Segnale
	Nome, Periodo     string
	nomeEN, periodoEN string
}

type gruppoAllerte struct {
	Capo  rigaAllerta
	Figli []rigaAllerta
}

type rigaAnomalia struct {
	ps.Anomalia
	Nome string
}

func (s *Server) riga(n allerta.Nominatore, g ps.Segnale) rigaAllerta {
	return rigaAllerta{Segnale: g, Nome: n.Nome(g.Serie), Periodo: allerta.Periodo(g),
		nomeEN: nomeSerie(langEN, n, g.Serie), periodoEN: periodo(langEN, g)}
}

// NomeIn and PeriodoIn are the series and days in a language (the
// dashboard's rows are cached for both).
func (a rigaAllerta) NomeIn(lang string) string {
	if lang == langEN {
		return a.nomeEN
	}
	return a.Nome
}

func (a rigaAllerta) PeriodoIn(lang string) string {
	if lang == langEN {
		return a.periodoEN
	}
	return a.Periodo
}

// allertePerPagina is the length of a page of the alert list: a national
// network has thousands of episodes.
const allertePerPagina = 50

func (s *Server) allertePage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	q := r.URL.Query()
	d := allerteData{Stato: q.Get("stato"), Tipo: q.Get("tipo"), Livello: q.Get("livello"), Aperte: q.Get("aperte") == "1",
		Stati: ps.StatiSegnale, Livelli: ps.LivelliSerie, Pagina: 1}
	if !slices.Contains(ps.LivelliSerie, d.Livello) {
		d.Livello = ""
	}
	if n, err := strconv.Atoi(q.Get("pagina")); err == nil && n > 1 {
		d.Pagina = n
	}
	f := store.SegnaleFilter{Stato: d.Stato, Tipo: d.Tipo, Livello: d.Livello, Aperti: d.Aperte && d.Stato == ""}
	var err error
	if d.Totale, err = s.db.CountSegnali(r.Context(), f); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Pagine = max(1, (d.Totale+allertePerPagina-1)/allertePerPagina)
	d.Pagina = min(d.Pagina, d.Pagine)
	f.Limit, f.Offset = allertePerPagina, (d.Pagina-1)*allertePerPagina
	if d.Segnali, err = s.db.Segnali(r.Context(), f); err != nil {
		s.fail(w, r, err)
		return
	}
	v := url.Values{}
	for k, x := range map[string]string{"stato": d.Stato, "tipo": d.Tipo, "livello": d.Livello} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if d.Aperte {
		v.Set("aperte", "1")
	}
	d.Query = template.URL(v.Encode())
	if _, err := s.aggregati(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	n := s.motore.Nominatore(r.Context())
	for _, g := range allerta.Raggruppa(d.Segnali, s.motore.Archivio().Genitore) {
		gr := gruppoAllerte{Capo: s.riga(n, g.Capo)}
		for _, f := range g.Figli {
			gr.Figli = append(gr.Figli, s.riga(n, f))
		}
		d.Gruppi = append(d.Gruppi, gr)
	}
	an, err := s.db.Anomalie(r.Context(), s.today().AddDate(0, 0, -60), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, x := range an {
		d.Anomalie = append(d.Anomalie, rigaAnomalia{Anomalia: x, Nome: nomeSerie(c.lang, n, x.Serie)})
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
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "allerte.eseguito", es.Serie, len(es.Nuovi), len(es.Estesi), es.Anomalie))
	http.Redirect(w, r, "/ats/allerte", http.StatusSeeOther)
}

type allertaData struct {
	S      *ps.Segnale
	Storia []ps.EventoSegnale
	Stati  []string
	Utenti []string
	// The alert in words: its series, days, method; the alerts shown with
	// it; the series around the episode; what to do.
	Nome, Periodo, Metodo string
	Correlate             []rigaAllerta
	Intorno               []rigaIntorno
	Dal, Al               string // the chart's period
	Checklist             []string
	// Nota and StatoScelto are what the operator typed and chose, kept in
	// the form when it comes back with an error or a conflict.
	Nota, StatoScelto string
}

// rigaIntorno is one day of the series around an episode.
type rigaIntorno struct {
	Giorno                time.Time
	Tasso, Atteso, Soglia float64
	Evidenza, SogliaEv    float64
	Allarme, Provvisorio  bool
	Nell                  bool // inside the episode
	Quota                 float64
	Plessi, Iscritti      int
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
	d := allertaData{S: g, Storia: storia, Stati: next, Utenti: utenti}
	if r.Method == http.MethodPost {
		d.Nota, d.StatoScelto = r.PostFormValue("nota"), r.PostFormValue("stato")
	}
	if _, err := s.aggregati(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	n := s.motore.Nominatore(r.Context())
	d.Nome, d.Periodo, d.Metodo = nomeSerie(c.lang, n, g.Serie), periodo(c.lang, *g), descriviMetodo(c.lang, g.Metodo, g.Parametri, s.motore.AnniPrecedenti(g.Serie, ps.AnnoDi(g.Giorno)))
	if st, err := s.db.Settings(r.Context()); err == nil {
		d.Checklist = st.Checklist()
	}
	// Alerts at the same time on the series containing this one and on
	// those it contains.
	if near, err := s.db.Segnali(r.Context(), store.SegnaleFilter{Dal: g.Giorno, Limit: 500}); err == nil {
		gen := s.motore.Archivio().Genitore
		up := allerta.Antenati(g.Serie, gen)
		for _, x := range near {
			if x.ID == g.ID || x.Giorno.After(g.Al) {
				continue
			}
			if slices.Contains(up, x.Serie) || slices.Contains(allerta.Antenati(x.Serie, gen), g.Serie) {
				d.Correlate = append(d.Correlate, s.riga(n, x))
			}
		}
	}
	// The series from four weeks before the episode to two after.
	dal, al := g.Giorno.AddDate(0, 0, -28), g.Al.AddDate(0, 0, 14)
	if t := s.today(); al.After(t) {
		al = t
	}
	d.Dal, d.Al = dal.Format(ps.DateLayout), al.Format(ps.DateLayout)
	if g.Metodo != allerta.MetodoSettimanale {
		if tr, err := s.motore.Traccia(r.Context(), g.Serie, dal, al); err == nil {
			for i, day := range tr.Giorni {
				d.Intorno = append(d.Intorno, rigaIntorno{Giorno: day, Tasso: tr.Tasso[i], Atteso: tr.Atteso[i], Soglia: tr.Soglia[i],
					Evidenza: tr.Evidenza[i], SogliaEv: tr.SogliaEv[i], Allarme: tr.Allarme[i], Provvisorio: tr.Provvisorio[i], Quota: tr.Quota[i], Plessi: tr.Plessi[i], Iscritti: tr.Iscritti[i],
					Nell: !day.Before(g.Giorno) && !day.After(g.Al)})
			}
		}
	}
	p := s.newPage(r, c, "allerte.dettaglio", d)
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
	err := s.db.UpdateSegnale(r.Context(), actor(r, c.user), g.ID, r.PostFormValue("stato"), strings.TrimSpace(r.PostFormValue("assegnato")),
		nota, r.PostFormValue("da_stato"))
	switch {
	case ps.ErrorCode(err) == ps.EConflict:
		// What changed, by whom and when; the note stays in the form
		// (issue 21: it was lost without a word).
		g, _ = s.db.Segnale(r.Context(), g.ID)
		msg := ps.Msg("err.segnale.cambiato.da", statoSegnale(c.lang, g.Stato), "–", "–")
		if storia, err := s.db.StoriaSegnale(r.Context(), g.ID); err == nil && len(storia) > 0 {
			last := storia[len(storia)-1]
			msg = ps.Msg("err.segnale.cambiato.da", statoSegnale(c.lang, g.Stato), last.Username, last.At.In(rome).Format("02/01/2006 15:04"))
		}
		r.PostForm.Set("stato", "") // chosen again, on the state as it is now
		s.renderAllerta(w, r, c, g, map[string]string{"stato": msg}, http.StatusConflict)
		return
	case ps.ErrorCode(err) == ps.EInvalid:
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
