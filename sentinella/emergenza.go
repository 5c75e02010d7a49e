package sentinella

import (
	"context"
	"fmt"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// enqueueBatch bounds one outbox transaction (and its audit line) when a
// scope of tens of thousands of plessi gets its e-mails.
const enqueueBatch = 1000

// PeriodiEmergenza lists the windows of an emergency period touching
// [from, to]: one per day (Monday to Saturday), due that day at the
// period's deadline, or the sentinel windows when the period uses them.
func PeriodiEmergenza(e store.Emergenza, finestre []ps.Finestra, from, to time.Time, loc *time.Location) []ps.Periodo {
	if from.Before(e.Dal) {
		from = e.Dal
	}
	if !e.Al.IsZero() && to.After(e.Al) {
		to = e.Al
	}
	if to.Before(from) {
		return nil
	}
	if e.Frequenza == store.FrequenzaFinestre {
		return ps.Periodi(finestre, from, to, loc)
	}
	var h, m int
	fmt.Sscanf(e.Scadenza, "%d:%d", &h, &m)
	var out []ps.Periodo
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Sunday {
			continue
		}
		out = append(out, ps.Periodo{Dal: d, Al: d, Scadenza: time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)})
	}
	return out
}

// CaricaEmergenza computes the timeliness grid of every plesso in an
// emergency's scope over its windows touching [from, to].
func CaricaEmergenza(ctx context.Context, db *store.DB, e store.Emergenza, finestre []ps.Finestra, from, to, now time.Time, loc *time.Location) (Completezza, error) {
	plessi, err := db.Plessi(ctx, store.AmbitoFiltro(e.Ambito))
	if err != nil {
		return Completezza{}, err
	}
	periodi := PeriodiEmergenza(e, finestre, from, to, loc)
	if len(periodi) == 0 {
		return Completezza{Plessi: plessi, Celle: make([][]Cella, len(plessi))}, nil
	}
	return caricaPlessi(ctx, db, plessi, periodi, from, to, now)
}

// StatoPlessoEmergenza is StatoPlesso for a plesso in emergency: its daily
// windows (or the sentinel ones) of the last fortnight and the next week.
func StatoPlessoEmergenza(ctx context.Context, db *store.DB, p *ps.Plesso, e store.Emergenza, finestre []ps.Finestra, now time.Time, loc *time.Location) (ultima, corrente *Finestra, err error) {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	return statoPeriodi(ctx, db, p, PeriodiEmergenza(e, finestre, today.AddDate(0, 0, -14), today.AddDate(0, 0, 7), loc), now)
}

// PromemoriaEmergenza queues, for every emergency period in force, the
// instructions to each plesso of its scope (once per period and plesso)
// and, after each daily deadline, a reminder to those that have not
// reported the day (once per plesso and day, for three days).
func PromemoriaEmergenza(ctx context.Context, db *store.DB, finestre []ps.Finestra, now time.Time, loc *time.Location) (int, error) {
	today := oggi(now, loc)
	all, err := db.Emergenze(ctx)
	if err != nil {
		return 0, err
	}
	var attive []store.Emergenza
	for _, e := range all {
		if e.Al.IsZero() || !e.Al.Before(today.AddDate(0, 0, -3)) {
			attive = append(attive, e)
		}
	}
	if len(attive) == 0 {
		return 0, nil
	}
	dest, err := leggiDestinatari(ctx, db)
	if err != nil {
		return 0, err
	}
	st, users := dest.st, dest.users
	var msgs []store.OutboxMessage
	for _, e := range attive {
		c, err := CaricaEmergenza(ctx, db, e, finestre, today.AddDate(0, 0, -3), today, now, loc)
		if err != nil {
			return 0, err
		}
		for i, p := range c.Plessi {
			to := dest.email(p)
			if to == "" {
				continue
			}
			if e.Aperta() {
				subj, body := testoIstruzioni(st, p, e, users[p.Codice].Username)
				msgs = append(msgs, store.OutboxMessage{Kind: "emergenza.istruzioni", To: to, Subject: subj, Body: body,
					DedupeKey: fmt.Sprintf("emergenza.istruzioni:%d:%s", e.ID, p.Codice)})
			}
			for j, per := range c.Periodi {
				cell := c.Celle[i][j]
				// No reminder for a deadline that passed before the period
				// was started.
				if cell.Stato != Mancante || !now.Before(per.Scadenza.Add(72*time.Hour)) || per.Scadenza.Before(e.AvviataIl) {
					continue
				}
				subj, body := testoPromemoria(st, p, per, cell, "dopo", loc)
				msgs = append(msgs, store.OutboxMessage{Kind: "promemoria.emergenza", To: to, Subject: subj, Body: body,
					DedupeKey: fmt.Sprintf("promemoria.emergenza:%s:%s", p.Codice, per.Key())})
			}
		}
	}
	return accoda(ctx, db, msgs)
}

// DescriviAmbito names a scope key in Italian for people.
func DescriviAmbito(ambito string) string {
	kind, val, _ := strings.Cut(ambito, ":")
	switch kind {
	case "territorio":
		return "tutto il territorio"
	case "provincia":
		return "la provincia di " + val
	case "distretto":
		return "il distretto " + val
	case "grado":
		return "le scuole " + map[string]string{"primaria": "primarie", "secondaria1": "secondarie di primo grado",
			"secondaria2": "secondarie di secondo grado"}[val]
	}
	return ambito
}

func testoIstruzioni(st store.Settings, p ps.Plesso, e store.Emergenza, username string) (string, string) {
	subj := fmt.Sprintf("Portale Scuole – modalità emergenza dal %s: assenze ogni giorno entro le %s (%s)", e.Dal.Format("02/01/2006"), e.Scadenza, p.Codice)
	var b strings.Builder
	fmt.Fprintf(&b, "Gentile segreteria del plesso %s (%s),\n\n", p.Nome, p.Codice)
	fmt.Fprintf(&b, "%s ha attivato la modalità emergenza per %s dal %s.\n", st.NomeATS, DescriviAmbito(e.Ambito), e.Dal.Format("02/01/2006"))
	if e.Frequenza == store.FrequenzaFinestre {
		b.WriteString("Anche se il plesso non è sentinella, le chiediamo di inserire le assenze con le stesse scadenze dei plessi sentinella.\n\n")
	} else {
		fmt.Fprintf(&b, "Anche se il plesso non è sentinella, le chiediamo di inserire ogni giorno di lezione le assenze del giorno entro le %s.\n\n", e.Scadenza)
	}
	b.WriteString("Servono solo numeri complessivi (alunni assenti, ed eventualmente per classe e per motivo): nessun dato personale degli alunni.\n\n")
	fmt.Fprintf(&b, "Per inserirle: %s → Registro assenze → Assenze della settimana; oppure un file dal registro elettronico, o l'API del fornitore del registro.\n", st.URLPortale)
	if username != "" {
		fmt.Fprintf(&b, "Le credenziali sono quelle del plesso: nome utente %s. Se la password è stata smarrita, la può reimpostare l'ATS.\n", username)
	}
	fmt.Fprintf(&b, "\nPer informazioni: %s, numero verde %s (%s).\n\n%s\n", st.EmailAssistenza, st.NumeroVerde, st.OrariAssistenza, st.NomeATS)
	return subj, b.String()
}
