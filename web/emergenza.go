package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
)

func init() {
	for k, v := range map[string][2]string{
		"ats.emergenza":              {"Modalità emergenza", "Emergency mode"},
		"emergenza.help":             {"In modalità emergenza tutti i plessi (primaria e secondarie, attivi) dell'ambito scelto inseriscono le assenze ogni giorno entro la scadenza, come i plessi sentinella. Ogni plesso riceve un'e-mail con le istruzioni e, dopo ogni scadenza mancata, un promemoria. Un cambiamento vale su tutti i server entro un minuto.", "In emergency mode every active primary and secondary school building of the chosen scope reports absences daily by the deadline, as sentinel buildings do. Each building receives an e-mail with instructions and, after each missed deadline, a reminder. A change applies on every server within a minute."},
		"emergenza.avvia":            {"Avvia la modalità emergenza", "Start emergency mode"},
		"emergenza.chiudi":           {"Termina", "Stop"},
		"emergenza.ambito":           {"Ambito", "Scope"},
		"emergenza.dal":              {"Dal giorno", "From"},
		"emergenza.al":               {"Ultimo giorno", "Last day"},
		"emergenza.scadenza":         {"Scadenza giornaliera (ora)", "Daily deadline (time)"},
		"emergenza.frequenza":        {"Frequenza", "Frequency"},
		"emergenza.freq.giornaliera": {"Ogni giorno", "Daily"},
		"emergenza.freq.finestre":    {"Come i plessi sentinella", "As sentinel buildings"},
		"emergenza.attive":           {"In corso", "In force"},
		"emergenza.nessuna":          {"Nessuna modalità emergenza in corso: inseriscono le assenze solo i plessi sentinella.", "No emergency mode in force: only sentinel buildings report absences."},
		"emergenza.storico":          {"Storico", "History"},
		"emergenza.avviata":          {"Avviata da", "Started by"},
		"emergenza.chiusa":           {"Terminata da", "Stopped by"},
		"emergenza.plessi":           {"Plessi nell'ambito", "Buildings in scope"},
		"emergenza.giorno":           {"Giorno", "Day"},
		"emergenza.intempo":          {"In tempo", "On time"},
		"emergenza.ritardo":          {"In ritardo", "Late"},
		"emergenza.mancanti":         {"Mancanti o aperti", "Missing or open"},
		"emergenza.avviata.flash":    {"Modalità emergenza avviata per %s dal %s: le e-mail di istruzioni ai plessi sono in coda.", "Emergency mode started for %s from %s: the instruction e-mails to the buildings are being queued."},
		"emergenza.chiusa.flash":     {"Modalità emergenza terminata per %s (ultimo giorno %s).", "Emergency mode stopped for %s (last day %s)."},
		"emergenza.plesso":           {"Modalità emergenza dal %s: inserire le assenze di ogni giorno di lezione entro le %s.", "Emergency mode from %s: report each school day's absences by %s."},
		"err.emergenza.ambito":       {"Ambito non valido: territorio, provincia:CR, distretto:CODICE o grado:primaria|secondaria1|secondaria2, tra quelli dell'anagrafe.", "Invalid scope: territorio, provincia:CR, distretto:CODE or grado:primaria|secondaria1|secondaria2, among those in the register."},
		"err.emergenza.scadenza":     {"Scadenza non valida: scrivere l'ora come 10:00.", "Invalid deadline: write the time as 10:00."},
		"err.emergenza.frequenza":    {"Frequenza non valida.", "Invalid frequency."},
		"err.emergenza.dal":          {"Data non valida (AAAA-MM-GG).", "Invalid date (YYYY-MM-DD)."},
		"err.emergenza.attiva":       {"Per questo ambito la modalità emergenza è già in corso.", "Emergency mode is already in force for this scope."},
		"err.giorno.non_abilitato":   {"il plesso non è sentinella nell'anno scolastico %s e il %s non è in modalità emergenza: non può inserire assenze per questo giorno", "the building is not a sentinel in school year %s and %s is not in emergency mode: it cannot report absences for this day"},
		"err.notfound.emergenza":     {"Per questo ambito non c'è una modalità emergenza in corso.", "There is no emergency mode in force for this scope."},
	} {
		catalog[k] = v
	}
}

type ambitoScelta struct{ Chiave, Nome string }

// emergenzaGiorno is one day of an emergency period: the plessi due and
// how they reported.
type emergenzaGiorno struct {
	Giorno                          time.Time
	Dovuti, InTempo, Ritardo, Manca int
}

type emergenzaAttiva struct {
	E      store.Emergenza
	Nome   string
	Plessi int
	Giorni []emergenzaGiorno
}

type emergenzaData struct {
	Ambiti  []ambitoScelta
	Attive  []emergenzaAttiva
	Storico []store.Emergenza
	// The form's values, kept on error.
	Ambito, Dal, Scadenza, Frequenza, Ieri string
}

func (s *Server) emergenzaPage(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	today := s.oggiEmergenza()
	s.renderEmergenza(w, r, c, emergenzaData{Dal: today.Format(ps.DateLayout), Scadenza: "10:00", Frequenza: store.FrequenzaGiornaliera}, nil, http.StatusOK)
}

// oggiEmergenza is today's civil date in Rome.
func (s *Server) oggiEmergenza() time.Time {
	n := s.now().In(rome)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Server) renderEmergenza(w http.ResponseWriter, r *http.Request, c *reqCtx, d emergenzaData, errs map[string]string, status int) {
	ctx := r.Context()
	today := s.oggiEmergenza()
	d.Ieri = today.AddDate(0, 0, -1).Format(ps.DateLayout)
	d.Ambiti = []ambitoScelta{{"territorio", tr(c.lang, "cruscotto.territorio")}}
	prov, err := s.db.Province(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, p := range prov {
		d.Ambiti = append(d.Ambiti, ambitoScelta{"provincia:" + p, tr(c.lang, "ats.provincia") + " " + p})
	}
	distr, err := s.db.Distretti(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, x := range distr {
		d.Ambiti = append(d.Ambiti, ambitoScelta{"distretto:" + x.Codice, x.Nome})
	}
	for _, g := range []ps.Grado{ps.Primaria, ps.Secondaria1, ps.Secondaria2} {
		d.Ambiti = append(d.Ambiti, ambitoScelta{"grado:" + string(g), tr(c.lang, "grado."+string(g))})
	}
	if d.Storico, err = s.db.Emergenze(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.db.Settings(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, e := range d.Storico {
		if !e.Aperta() {
			continue
		}
		// The last week of daily completeness of the scope.
		comp, err := sentinella.CaricaEmergenza(ctx, s.db, e, st.FinestreParsed(), today.AddDate(0, 0, -6), today, s.now(), rome)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		a := emergenzaAttiva{E: e, Nome: sentinella.DescriviAmbito(e.Ambito), Plessi: len(comp.Plessi)}
		for j, per := range comp.Periodi {
			n := comp.Conta(j)
			// A day still open is not in yet: missing, on this page.
			g := emergenzaGiorno{Giorno: per.Dal, InTempo: n.InTempo, Ritardo: n.InRitardo, Manca: n.Mancanti + n.Aperte, Dovuti: n.Dovuti}
			a.Giorni = append([]emergenzaGiorno{g}, a.Giorni...)
		}
		d.Attive = append(d.Attive, a)
	}
	p := s.newPage(r, c, "ats.emergenza", d)
	if errs != nil {
		p.setErrors(errs, []string{"ambito", "dal", "scadenza", "frequenza"}, nil)
	}
	s.render(w, r, status, "emergenza", p)
}

func (s *Server) emergenzaAvvia(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	d := emergenzaData{Ambito: r.PostFormValue("ambito"), Dal: strings.TrimSpace(r.PostFormValue("dal")),
		Scadenza: strings.TrimSpace(r.PostFormValue("scadenza")), Frequenza: r.PostFormValue("frequenza")}
	dal, err := time.Parse(ps.DateLayout, d.Dal)
	if err != nil {
		s.renderEmergenza(w, r, c, d, map[string]string{"dal": "err.emergenza.dal"}, http.StatusUnprocessableEntity)
		return
	}
	if r.PostFormValue("conferma") != "1" {
		if _, _, _, err := s.db.CheckStartEmergenza(r.Context(), d.Ambito, dal, d.Frequenza, d.Scadenza); err != nil {
			if f := ps.FieldErrors(err); f != nil {
				s.renderEmergenza(w, r, c, d, f, http.StatusUnprocessableEntity)
				return
			}
			s.fail(w, r, err)
			return
		}
		// First what it will involve: how many plessi, how many e-mails,
		// and, for a start in the past, how many school days each will be
		// late for at once (issue 21: one click queued 197 e-mails).
		s.confermaEmergenza(w, r, c, d, dal)
		return
	}
	e, err := s.db.StartEmergenza(r.Context(), actor(r, c.user), d.Ambito, dal, d.Frequenza, d.Scadenza)
	if err != nil {
		if f := ps.FieldErrors(err); f != nil {
			s.renderEmergenza(w, r, c, d, f, http.StatusUnprocessableEntity)
			return
		}
		if ps.ErrorCode(err) == ps.EConflict {
			s.renderEmergenza(w, r, c, d, map[string]string{"ambito": ps.ErrorMessage(err)}, http.StatusConflict)
			return
		}
		s.fail(w, r, err)
		return
	}
	// The instructions are queued now, outside the request (tens of
	// thousands of plessi take seconds); the reminder loop would queue them
	// within its interval anyway, and dedupe keys make each go once.
	s.inBackground(s.istruzioniEmergenza)
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "emergenza.avviata.flash", sentinella.DescriviAmbito(e.Ambito), e.Dal.Format("02/01/2006")))
	http.Redirect(w, r, "/ats/emergenza", http.StatusSeeOther)
}

func (s *Server) emergenzaChiudi(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	al := s.oggiEmergenza().AddDate(0, 0, -1)
	if v := strings.TrimSpace(r.PostFormValue("al")); v != "" {
		t, err := time.Parse(ps.DateLayout, v)
		if err != nil {
			s.fail(w, r, &ps.Error{Code: ps.EInvalid, Message: "err.emergenza.dal"})
			return
		}
		al = t
	}
	e, err := s.db.StopEmergenza(r.Context(), actor(r, c.user), r.PostFormValue("ambito"), al)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "emergenza.chiusa.flash", sentinella.DescriviAmbito(e.Ambito), e.Al.Format("02/01/2006")))
	http.Redirect(w, r, "/ats/emergenza", http.StatusSeeOther)
}

// giorniAmmessi keeps the days a plesso may report: all of them for a
// sentinel, those in emergency mode otherwise (the form lists no day that
// saving would refuse).
func (s *Server) giorniAmmessi(r *http.Request, p *ps.Plesso, days []time.Time) ([]time.Time, error) {
	var out []time.Time
	for _, d := range days {
		ok, err := s.db.CanReport(r.Context(), p, d)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, d)
		}
	}
	return out, nil
}

// istruzioniEmergenza queues the instructions of the periods in force.
func (s *Server) istruzioniEmergenza(ctx context.Context) {
	st, err := s.db.Settings(ctx)
	if err != nil {
		s.log.Warn("emergenza: istruzioni", "err", err)
		return
	}
	n, err := sentinella.PromemoriaEmergenza(ctx, s.db, st.FinestreParsed(), s.now(), rome)
	if err != nil {
		s.log.Warn("emergenza: istruzioni", "err", err)
	}
	if n > 0 && s.cfg.Wake != nil {
		s.cfg.Wake()
	}
}

// emergenzaConferma is the confirmation step of a start.
type emergenzaConferma struct {
	emergenzaData
	Nome          string
	Plessi, Email int
	GiorniPassati int // lesson days from the start to yesterday
	SenzaEmail    int
}

func (s *Server) confermaEmergenza(w http.ResponseWriter, r *http.Request, c *reqCtx, d emergenzaData, dal time.Time) {
	ctx := r.Context()
	ambito, err := s.db.NormalizeAmbito(ctx, d.Ambito)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plessi, err := s.db.Plessi(ctx, store.AmbitoFiltro(ambito))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	users, err := s.db.PlessoUsers(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	k := emergenzaConferma{emergenzaData: d, Nome: sentinella.DescriviAmbito(ambito), Plessi: len(plessi)}
	for _, p := range plessi {
		if p.Email != "" || users[p.Codice].Email != "" {
			k.Email++
		} else {
			k.SenzaEmail++
		}
	}
	today := s.oggiEmergenza()
	for g := dal; g.Before(today); g = g.AddDate(0, 0, 1) {
		if wd := g.Weekday(); wd != time.Saturday && wd != time.Sunday {
			k.GiorniPassati++
		}
	}
	s.render(w, r, http.StatusOK, "emergenza_conferma", s.newPage(r, c, "ats.emergenza", k))
}
