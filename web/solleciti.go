package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// promemoria writes the reminder for a plesso that has not entered its
// figures. Plain text: it must read well in any school's mail client.
func promemoria(st store.Settings, p ps.Plesso, anno ps.AnnoScolastico) (subject, body string) {
	subject = fmt.Sprintf("Portale Scuole – iscritti e classi a.s. %s: dati mancanti (%s)", anno, p.Codice)
	var b strings.Builder
	fmt.Fprintf(&b, "Gentile segreteria del plesso %s (%s),\n\n", p.Nome, p.Codice)
	fmt.Fprintf(&b, "nel Portale Scuole non risultano ancora inseriti il numero di iscritti (6–19 anni) e il numero di classi per l'anno scolastico %s.\n\n", anno)
	b.WriteString("Per inserirli:\n")
	fmt.Fprintf(&b, "1. accedere a %s con le credenziali del plesso;\n", st.URLPortale)
	b.WriteString("2. selezionare il pulsante «Registro assenze»;\n3. selezionare il pulsante «Aggiungi»;\n")
	b.WriteString("4. compilare tutti i campi obbligatori;\n5. premere «Salva».\n\n")
	b.WriteString("Il dato serve alla sorveglianza delle assenze scolastiche prevista dal piano pandemico regionale.\n\n")
	fmt.Fprintf(&b, "Per informazioni: %s, oppure numero verde %s (%s), riservati al personale scolastico.\n\n", st.EmailAssistenza, st.NumeroVerde, st.OrariAssistenza)
	fmt.Fprintf(&b, "%s\n", st.NomeATS)
	return subject, b.String()
}

func (s *Server) solleciti(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	q := s.readAdempimentiQuery(r)
	q.Stato = "manca"
	rows, err := s.adempimentiRows(r, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	users, err := s.db.PlessoUsers(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := s.now().In(rome).Format("2006-01-02")
	var msgs []store.OutboxMessage
	noEmail := 0
	for _, a := range rows {
		to := a.Plesso.Email
		if to == "" {
			to = users[a.Plesso.Codice].Email
		}
		if to == "" {
			noEmail++
			continue
		}
		subj, body := promemoria(st, a.Plesso, q.Anno)
		msgs = append(msgs, store.OutboxMessage{
			Kind: "promemoria.consistenza",
			// One reminder per plesso, year and day, however often the
			// operator presses the button.
			DedupeKey: fmt.Sprintf("promemoria.consistenza:%d:%s:%s", int(q.Anno), a.Plesso.Codice, today),
			To:        to, Subject: subj, Body: body,
		})
	}
	// Plessi already reminded today are not reminded again (the dedupe
	// key): the confirmation counts only the others (issue 21: it said 18
	// and sent 0).
	keys := make([]string, len(msgs))
	for i, m := range msgs {
		keys[i] = m.DedupeKey
	}
	gia, err := s.db.InCoda(r.Context(), keys)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reminded := 0
	msgs = slices.DeleteFunc(msgs, func(m store.OutboxMessage) bool {
		if gia[m.DedupeKey] {
			reminded++
			return true
		}
		return false
	})
	if r.PostFormValue("conferma") != "1" {
		// Nothing leaves before the operator has seen how many schools,
		// and which, the reminder goes to.
		q.Stato = r.PostFormValue("stato")
		s.render(w, r, http.StatusOK, "solleciti_conferma", s.newPage(r, c, "ats.solleciti.conferma.title",
			sollecitiConferma{Q: q, Messaggi: msgs, SenzaEmail: noEmail, GiaOggi: reminded}))
		return
	}
	added, err := s.db.Enqueue(r.Context(), actor(r, c.user), msgs)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.cfg.Wake != nil && added > 0 {
		s.cfg.Wake()
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "ats.solleciti.fatto", added, len(msgs)-added+reminded, noEmail))
	q.Stato = r.PostFormValue("stato")
	http.Redirect(w, r, "/ats/adempimenti?"+q.Encode(), http.StatusSeeOther)
}

// sollecitiConferma is the confirmation step before reminders are queued.
type sollecitiConferma struct {
	Q          adempimentiQuery
	Messaggi   []store.OutboxMessage
	SenzaEmail int
	GiaOggi    int // plessi already reminded today, left out
}
