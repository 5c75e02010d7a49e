package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
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
	if r.PostFormValue("conferma") != "1" {
		// Nothing leaves before the operator has seen how many schools,
		// and which, the reminder goes to.
		q.Stato = r.PostFormValue("stato")
		s.render(w, r, http.StatusOK, "solleciti_conferma", s.newPage(r, c, "ats.solleciti.conferma.title",
			sollecitiConferma{Q: q, Messaggi: msgs, SenzaEmail: noEmail}))
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
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "ats.solleciti.fatto", added, len(msgs)-added, noEmail))
	q.Stato = r.PostFormValue("stato")
	http.Redirect(w, r, "/ats/adempimenti?"+q.Encode(), http.StatusSeeOther)
}

// sollecitiConferma is the confirmation step before reminders are queued.
type sollecitiConferma struct {
	Q          adempimentiQuery
	Messaggi   []store.OutboxMessage
	SenzaEmail int
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	msgs, err := s.db.OutboxMessages(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.db.OutboxCounts(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "outbox", s.newPage(r, c, "ats.outbox", map[string]any{"Messages": msgs, "Counts": counts}))
}

func (s *Server) outboxRequeue(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, &ps.Error{Code: ps.ENotFound, Message: "err.notfound.outbox"})
		return
	}
	if err := s.db.RequeueOutbox(r.Context(), actor(r, c.user), id); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.cfg.Wake != nil {
		s.cfg.Wake()
	}
	http.Redirect(w, r, "/ats/outbox", http.StatusSeeOther)
}

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
	st, _ := s.db.Settings(r.Context())
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

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	users, err := s.db.PlessoUsers(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, ok := users[c.plesso.Codice]
	if !ok {
		s.sessions.Put(r.Context(), "flash", tr(c.lang, "ats.reset.nouser"))
		http.Redirect(w, r, "/plesso/"+c.plesso.Codice, http.StatusSeeOther)
		return
	}
	pw := auth.Generate(12)
	var hash string
	var herr error
	if err := s.hash(r.Context(), func() { hash, herr = auth.Hash(pw, s.cfg.HashParams) }); err != nil {
		return
	}
	if herr != nil {
		s.fail(w, r, herr)
		return
	}
	if err := s.db.SetPassword(r.Context(), actor(r, c.user), u.ID, hash, true, "password.reset"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "flash", tr(c.lang, "ats.reset.fatto", u.Username, pw))
	http.Redirect(w, r, "/plesso/"+c.plesso.Codice, http.StatusSeeOther)
}
