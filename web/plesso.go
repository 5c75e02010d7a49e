package web

import (
	"net/http"
	"strconv"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/metrics"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
)

type plessoData struct {
	Plesso     *ps.Plesso
	Istituto   *ps.Istituto
	Anno       ps.AnnoScolastico
	Corrente   *ps.Consistenza // in force today, nil when none
	Fatto      bool            // figures entered for the current year
	Sentinella bool
	// Segnala: sentinel or in emergency today (store.CanReport), so the
	// absence entry is offered; Emergenza is the period in force, if any.
	Segnala   bool
	Emergenza *store.Emergenza
	// For a sentinel: the last window whose deadline passed and the one in
	// course, each with its state (nil when there is none).
	Ultima, InCorso *sentinella.Finestra
	CanReset        bool
	Revisioni       []ps.Consistenza
	PerAnno         []annoRevisioni
	Form            formData
	AskConfirm      bool
	MediaValore     string
}

type annoRevisioni struct {
	Anno      ps.AnnoScolastico
	Revisioni []ps.Consistenza
	InVigore  int64 // ID of the revision in force today (current year) or the latest
}

type formData struct {
	Anno, Iscritti, Classi, ValidoDal, Note string
	Anni                                    []ps.AnnoScolastico
}

func (s *Server) plessoBase(r *http.Request, c *reqCtx) (*plessoData, error) {
	d := &plessoData{Plesso: c.plesso, Anno: ps.AnnoDi(s.now())}
	if c.plesso.Istituto != "" {
		d.Istituto, _ = s.db.Istituto(r.Context(), c.plesso.Istituto)
	}
	revs, err := s.db.Consistenze(r.Context(), c.plesso.Codice)
	if err != nil {
		return nil, err
	}
	d.Revisioni = revs
	for _, rv := range revs {
		if rv.Anno == d.Anno {
			d.Fatto = true
		}
	}
	if cur, err := s.db.ConsistenzaInVigore(r.Context(), c.plesso.Codice, s.now()); err == nil {
		d.Corrente = cur
	}
	if d.Sentinella, err = s.db.Sentinella(r.Context(), c.plesso.Codice, d.Anno); err != nil {
		return nil, err
	}
	if d.Segnala, err = s.db.CanReport(r.Context(), c.plesso, s.now().In(rome)); err != nil {
		return nil, err
	}
	if e, ok, err := s.db.EmergenzaPlesso(r.Context(), c.plesso, s.now().In(rome)); err != nil {
		return nil, err
	} else if ok {
		d.Emergenza = &e
	}
	d.CanReset = c.user.Territory()
	return d, nil
}

func (s *Server) plessoHome(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d, err := s.plessoBase(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Segnala {
		st, err := s.db.Settings(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if d.Emergenza != nil && !d.Sentinella {
			d.Ultima, d.InCorso, err = sentinella.StatoPlessoEmergenza(r.Context(), s.db, c.plesso, *d.Emergenza, st.FinestreParsed(), s.now(), rome)
		} else {
			d.Ultima, d.InCorso, err = sentinella.StatoPlesso(r.Context(), s.db, c.plesso, st.FinestreParsed(), s.now(), rome)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p := s.newPage(r, c, c.plesso.Nome, d)
	p.Title = c.plesso.Nome
	s.render(w, r, http.StatusOK, "plesso", p)
}

func (s *Server) registro(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d, err := s.plessoBase(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, rv := range d.Revisioni {
		if n := len(d.PerAnno); n == 0 || d.PerAnno[n-1].Anno != rv.Anno {
			d.PerAnno = append(d.PerAnno, annoRevisioni{Anno: rv.Anno, InVigore: rv.ID})
		}
		d.PerAnno[len(d.PerAnno)-1].Revisioni = append(d.PerAnno[len(d.PerAnno)-1].Revisioni, rv)
	}
	if d.Corrente != nil {
		for i := range d.PerAnno {
			if d.PerAnno[i].Anno == d.Corrente.Anno {
				d.PerAnno[i].InVigore = d.Corrente.ID
			}
		}
	}
	s.render(w, r, http.StatusOK, "registro", s.newPage(r, c, "registro.title", d))
}

func (s *Server) anniSelezionabili() []ps.AnnoScolastico {
	cur := ps.AnnoDi(s.now())
	return []ps.AnnoScolastico{cur + 1, cur, cur - 1}
}

func (s *Server) registroForm(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	d, err := s.plessoBase(r, c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Form = formData{Anno: d.Anno.String(), Anni: s.anniSelezionabili()}
	if d.Corrente != nil && d.Corrente.Anno == d.Anno {
		// A variation starts from the figures in force.
		d.Form.Iscritti = strconv.Itoa(d.Corrente.Iscritti)
		d.Form.Classi = strconv.Itoa(d.Corrente.Classi)
	}
	s.render(w, r, http.StatusOK, "registro_form", s.newPage(r, c, "form.title", d))
}

func (s *Server) registroSave(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	in := ps.ConsistenzaInput{
		Anno:      r.PostFormValue("anno"),
		Iscritti:  r.PostFormValue("iscritti"),
		Classi:    r.PostFormValue("classi"),
		ValidoDal: r.PostFormValue("valido_dal"),
		Note:      r.PostFormValue("note"),
		Conferma:  r.PostFormValue("conferma") == "1",
	}
	// The plesso comes from the authorised path only: a "plesso" field in the
	// body, forged or not, is ignored.
	cons, err := ps.ParseConsistenza(in, s.now())
	args := map[string][]any{}
	if err == nil && !in.Conferma {
		err = s.plausibilita(r, c, cons, args)
	}
	if err == nil {
		cons.Plesso = c.plesso.Codice
		var saved ps.Consistenza
		var created bool
		saved, created, err = s.db.AddConsistenza(r.Context(), actor(r, c.user), cons)
		if err == nil {
			if created {
				metrics.Consistenze.Inc()
			}
			msg := tr(c.lang, "form.saved", saved.Revisione, saved.Anno.String())
			if !created {
				msg = tr(c.lang, "form.unchanged")
			}
			s.sessions.Put(r.Context(), "flash", msg)
			http.Redirect(w, r, "/plesso/"+c.plesso.Codice+"/registro", http.StatusSeeOther)
			return
		}
	}
	fields := ps.FieldErrors(err)
	if fields == nil {
		s.fail(w, r, err)
		return
	}
	d, berr := s.plessoBase(r, c)
	if berr != nil {
		s.fail(w, r, berr)
		return
	}
	d.Form = formData{Anno: in.Anno, Iscritti: in.Iscritti, Classi: in.Classi, ValidoDal: in.ValidoDal, Note: in.Note, Anni: s.anniSelezionabili()}
	if key, ok := fields["conferma"]; ok {
		d.AskConfirm = true
		if key == "warn.media_classe" {
			d.MediaValore = formatDecimal(c.lang, float64(cons.Iscritti)/float64(cons.Classi), 1)
			args["conferma"] = []any{d.MediaValore}
		}
	}
	p := s.newPage(r, c, "form.title", d)
	p.setErrors(fields, []string{"anno", "iscritti", "classi", "valido_dal", "note", "conferma"}, args)
	s.render(w, r, http.StatusUnprocessableEntity, "registro_form", p)
}

// plausibilita asks for a confirmation when the pupils entered are far from
// the reference: the figures in force, else the ministry's
// latest count (a 356 typed as 1200 must not pass unnoticed).
func (s *Server) plausibilita(r *http.Request, c *reqCtx, cons ps.Consistenza, args map[string][]any) error {
	rif, fonte := 0, ""
	quando := cons.ValidoDal
	if quando.IsZero() {
		quando = s.now()
	}
	if cur, err := s.db.ConsistenzaInVigore(r.Context(), c.plesso.Codice, quando); err == nil {
		rif, fonte = cur.Iscritti, tr(c.lang, "warn.iscritti.fonte.registro", cur.Revisione)
	} else if n, di, ok, err := s.db.UltimiStudentiMIM(r.Context(), c.plesso.Codice, cons.Anno); err != nil {
		return err
	} else if ok {
		rif, fonte = n, tr(c.lang, "warn.iscritti.fonte.mim", di.String())
	}
	if !ps.IscrittiImplausibili(cons.Iscritti, rif) {
		return nil
	}
	args["conferma"] = []any{formatInt(cons.Iscritti), fonte, formatInt(rif)}
	return &ps.Error{Code: ps.EInvalid, Message: "err.form", Fields: map[string]string{"conferma": "warn.iscritti"}}
}

type istitutoData struct {
	Istituto *ps.Istituto
	Anno     ps.AnnoScolastico
	Righe    []ps.Adempimento
}

func (s *Server) istitutoHome(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	ist, err := s.db.Istituto(r.Context(), c.user.Istituto)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	anno := ps.AnnoDi(s.now())
	rows, err := s.db.Adempimenti(r.Context(), anno, storeFilterIstituto(c.user.Istituto))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := s.newPage(r, c, "istituto.title", istitutoData{Istituto: ist, Anno: anno, Righe: rows})
	s.render(w, r, http.StatusOK, "istituto", p)
}
