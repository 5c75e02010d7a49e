package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/sentinella"
)

type classeForm struct {
	Idx                       int
	Classe, Iscritti, Assenti string
}

type giornoForm struct {
	Idx                                    int
	Data                                   time.Time
	Assenti, Febbre, Gastro, Altra, NonMal string
	Chiuso                                 bool
	Motivo                                 string
	Classi                                 []classeForm
	Salvato                                *ps.Rilevazione // latest stored revision, nil if none
	Open                                   bool            // details shown (classes given or errors)
}

type assenzeData struct {
	Plesso     *ps.Plesso
	Sentinella bool
	Anno       ps.AnnoScolastico
	Giorni     []giornoForm
	Correzione bool // an explicit range was asked for
	Dal, Al    string
	Motivi     []string
	Recenti    []ps.Rilevazione
}

var weekdays = [...]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"}
var weekdaysEN = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func dayLabel(lang string, d time.Time) string {
	if lang == langEN {
		return weekdaysEN[d.Weekday()] + " " + d.Format("02/01/2006")
	}
	return weekdays[d.Weekday()] + " " + d.Format("02/01/2006")
}

func itoaPtr(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// giorniForm builds the rows of the entry screen, prefilled with what is stored.
func (s *Server) giorniForm(r *http.Request, p *ps.Plesso, days []time.Time) ([]giornoForm, error) {
	if len(days) == 0 {
		return nil, nil
	}
	stored, err := s.db.Rilevazioni(r.Context(), p.Codice, days[0], days[len(days)-1])
	if err != nil {
		return nil, err
	}
	byDay := map[string]ps.Rilevazione{}
	for _, st := range stored {
		byDay[st.Giorno.Giorno.Format(ps.DateLayout)] = st
	}
	nClassi := 8
	if c, err := s.db.ConsistenzaInVigore(r.Context(), p.Codice, days[len(days)-1]); err == nil {
		nClassi = min(max(c.Classi, 5), 40)
	}
	out := make([]giornoForm, len(days))
	for i, d := range days {
		g := giornoForm{Idx: i, Data: d}
		if st, ok := byDay[d.Format(ps.DateLayout)]; ok {
			g.Salvato = &st
			g.Assenti, g.Chiuso, g.Motivo = itoaPtr(st.Assenti), st.Chiuso, st.MotivoChiusura
			g.Febbre, g.Gastro, g.Altra, g.NonMal = itoaPtr(st.Motivi.Febbre), itoaPtr(st.Motivi.Gastro), itoaPtr(st.Motivi.AltraMalattia), itoaPtr(st.Motivi.NonMalattia)
			for k, c := range st.Classi {
				g.Classi = append(g.Classi, classeForm{Idx: k, Classe: c.Classe, Iscritti: strconv.Itoa(c.Iscritti), Assenti: strconv.Itoa(c.Assenti)})
			}
			g.Open = len(st.Classi) > 0 || !st.Motivi.Empty()
		}
		for k := len(g.Classi); k < max(nClassi, len(g.Classi)); k++ {
			g.Classi = append(g.Classi, classeForm{Idx: k})
		}
		out[i] = g
	}
	return out, nil
}

func (s *Server) assenzeBase(r *http.Request, c *reqCtx) (*assenzeData, error) {
	now := s.now()
	d := &assenzeData{Plesso: c.plesso, Anno: ps.AnnoDi(now), Motivi: ps.MotiviChiusura}
	var err error
	if d.Sentinella, err = s.db.CanReport(r.Context(), c.plesso, now.In(rome)); err != nil {
		return nil, err
	}
	d.Recenti, err = s.db.Rilevazioni(r.Context(), c.plesso.Codice, now.AddDate(0, 0, -28), now)
	return d, err
}

func (s *Server) assenzePage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d, err := s.assenzeBase(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Sentinella {
		st, err := s.db.Settings(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var days []time.Time
		q := r.URL.Query()
		if dal, err1 := time.Parse(ps.DateLayout, q.Get("dal")); err1 == nil {
			al, err2 := time.Parse(ps.DateLayout, q.Get("al"))
			if err2 != nil || al.Before(dal) {
				al = dal
			}
			if al.After(s.now()) {
				al = s.now()
			}
			d.Correzione, d.Dal, d.Al = true, dal.Format(ps.DateLayout), al.Format(ps.DateLayout)
			for a := ps.AnnoDi(dal); a <= ps.AnnoDi(al); a++ {
				cal, err := s.db.AnnoCalendario(r.Context(), c.plesso, a)
				if err != nil {
					s.fail(w, r, err)
					return
				}
				days = append(days, cal.GiorniTra(dal, al)...)
			}
			if len(days) > sentinella.MaxGiorni {
				days = days[:sentinella.MaxGiorni]
			}
		} else {
			days, err = sentinella.DaInserire(r.Context(), s.db, c.plesso, st.FinestreParsed(), s.now().In(rome), rome)
			if err == nil {
				days, err = s.giorniAmmessi(r, c.plesso, days)
			}
			if err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if d.Giorni, err = s.giorniForm(r, c.plesso, days); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "assenze", s.newPage(r, c, "assenze.title", d))
}

// parseOptInt reads an optional count: "" is nil (not reported), which is
// different from "0".
func parseOptInt(v, field string, errs map[string]string) *int {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > 6 {
		errs[field] = "err.assenze.intero"
		return nil
	}
	return &n
}

func (s *Server) assenzeSave(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	n, _ := strconv.Atoi(r.PostFormValue("n"))
	if n < 0 || n > sentinella.MaxGiorni {
		s.fail(w, r, &ps.Error{Code: ps.EInvalid, Message: "err.form"})
		return
	}
	errs := map[string]string{}
	forms, giorni, index, classRow := leggiGiorni(r, n, errs)
	if len(giorni) == 0 && len(errs) == 0 {
		errs["g0.assenti"] = "err.assenze.nessuno"
	}
	prefix := func(j int) string { return fmt.Sprintf("g%d.", index[j]) }
	// Field paths of Invia count non-empty class rows: point them back at
	// the row of the form.
	remap := func(verrs map[string]string) map[string]string {
		remapped := map[string]string{}
		for k, v := range verrs {
			var i, j int
			var rest string
			if nn, _ := fmt.Sscanf(k, "g%d.classi[%d].%s", &i, &j, &rest); nn == 3 && i < n && j < len(classRow[i]) {
				k = fmt.Sprintf("g%d.classi[%d].%s", i, classRow[i][j], rest)
			}
			remapped[k] = v
		}
		return remapped
	}
	if len(errs) > 0 && len(giorni) > 0 {
		// Every error at once: the rules of the days whose fields read.
		bad := map[string]bool{}
		for k := range errs {
			day, _, _ := strings.Cut(k, ".")
			bad[day] = true
		}
		verrs, err := sentinella.Valida(r.Context(), s.db, c.plesso, giorni, prefix, nil)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for k, v := range remap(verrs) {
			if day, _, _ := strings.Cut(k, "."); !bad[day] {
				errs[k] = v
			}
		}
	}
	if len(errs) == 0 {
		res, verrs, err := sentinella.Invia(r.Context(), s.db, actor(r, c.user), c.plesso, giorni, "modulo", prefix, nil)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		verrs = remap(verrs)
		if len(verrs) == 0 {
			s.sessions.Put(r.Context(), "flash", tr(c.lang, "assenze.saved", res.Nuovi, res.Corretti, res.Invariati))
			http.Redirect(w, r, "/plesso/"+c.plesso.Codice+"/assenze", http.StatusSeeOther)
			return
		}
		errs = verrs
	}
	s.assenzeErrori(w, r, c, forms, errs)
}

// assenzeErrori shows the form again with what was typed and each error
// next to its field, and in the summary with its day.
func (s *Server) assenzeErrori(w http.ResponseWriter, r *http.Request, c *reqCtx, forms []giornoForm, errs map[string]string) {
	d, err := s.assenzeBase(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range forms {
		for k := range errs {
			if strings.HasPrefix(k, fmt.Sprintf("g%d.", i)) && (strings.Contains(k, "classi") || strings.Contains(k, "motivi")) {
				forms[i].Open = true
			}
		}
	}
	d.Giorni = forms
	p := s.newPage(r, c, "assenze.title", d)
	order := []string{}
	for i := range forms {
		for _, f := range []string{"giorno", "assenti", "motivo_chiusura", "motivi", "motivi.febbre_respiratori", "motivi.gastrointestinali", "motivi.altra_malattia", "motivi.non_malattia"} {
			order = append(order, fmt.Sprintf("g%d.%s", i, f))
		}
	}
	p.setErrors(errs, order, nil)
	// Next to a field a message is a sentence; in the summary it also says
	// which day it is about ("martedì 24/11/2026: …").
	for f, m := range p.Errors {
		p.Errors[f] = maiuscola(m)
	}
	for i, fe := range p.Summary {
		msg := maiuscola(fe.Msg)
		var g int
		if _, err := fmt.Sscanf(fe.Field, "g%d.", &g); err == nil && g >= 0 && g < len(forms) && !forms[g].Data.IsZero() {
			msg = dayLabel(c.lang, forms[g].Data) + ": " + fe.Msg
		}
		p.Summary[i].Msg = msg
	}
	s.render(w, r, http.StatusUnprocessableEntity, "assenze", p)
}

// leggiGiorni reads the form's n day rows: what was typed (to show it
// again), the days to submit, the form row of each and, per row, the form
// row of each class given; field errors go to errs.
func leggiGiorni(r *http.Request, n int, errs map[string]string) ([]giornoForm, []ps.Giorno, []int, [][]int) {
	forms := make([]giornoForm, n)
	var giorni []ps.Giorno
	var index []int              // giorni[j] came from form row index[j]
	classRow := make([][]int, n) // g.Classi[j] of day i came from class row classRow[i][j]
	for i := 0; i < n; i++ {
		f := func(name string) string { return r.PostFormValue(fmt.Sprintf("g%d.%s", i, name)) }
		key := func(name string) string { return fmt.Sprintf("g%d.%s", i, name) }
		day, _ := time.Parse(ps.DateLayout, f("giorno"))
		gf := giornoForm{Idx: i, Data: day, Assenti: f("assenti"), Febbre: f("febbre"), Gastro: f("gastro"), Altra: f("altra"), NonMal: f("non"),
			Chiuso: f("chiuso") == "1", Motivo: f("motivo_chiusura")}
		g := ps.Giorno{Giorno: day, Chiuso: gf.Chiuso}
		if g.Chiuso {
			g.MotivoChiusura = gf.Motivo
		}
		g.Assenti = parseOptInt(gf.Assenti, key("assenti"), errs)
		g.Motivi = ps.Motivi{Febbre: parseOptInt(gf.Febbre, key("motivi.febbre_respiratori"), errs), Gastro: parseOptInt(gf.Gastro, key("motivi.gastrointestinali"), errs),
			AltraMalattia: parseOptInt(gf.Altra, key("motivi.altra_malattia"), errs), NonMalattia: parseOptInt(gf.NonMal, key("motivi.non_malattia"), errs)}
		nc, _ := strconv.Atoi(f("nc"))
		nc = min(max(nc, 0), ps.MaxClassiGiorno)
		for k := 0; k < nc; k++ {
			cf := classeForm{Idx: k, Classe: f(fmt.Sprintf("c%d.classe", k)), Iscritti: f(fmt.Sprintf("c%d.iscritti", k)), Assenti: f(fmt.Sprintf("c%d.assenti", k))}
			gf.Classi = append(gf.Classi, cf)
			if strings.TrimSpace(cf.Classe+cf.Iscritti+cf.Assenti) == "" {
				continue // an empty class row
			}
			pi := key(fmt.Sprintf("classi[%d].", k))
			classRow[i] = append(classRow[i], k)
			isc := parseOptInt(cf.Iscritti, pi+"iscritti", errs)
			ass := parseOptInt(cf.Assenti, pi+"assenti", errs)
			ac := ps.AssenzaClasse{Classe: cf.Classe}
			if isc != nil {
				ac.Iscritti = *isc
			}
			if ass != nil {
				ac.Assenti = *ass
			} else if _, bad := errs[pi+"assenti"]; !bad {
				errs[pi+"assenti"] = "err.assenze.classe"
			}
			g.Classi = append(g.Classi, ac)
			gf.Open = true
		}
		forms[i] = gf
		// A row left entirely empty is a day not reported yet: skipped, not 0.
		if g.Assenti == nil && !g.Chiuso && len(g.Classi) == 0 && g.Motivi.Empty() {
			continue
		}
		giorni = append(giorni, g)
		index = append(index, i)
	}
	return forms, giorni, index, classRow
}

// maiuscola capitalises a message's first letter.
func maiuscola(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+utf8.RuneLen(r):]
	}
	return s
}
