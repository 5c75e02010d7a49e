package sentinella

import (
	"context"
	"fmt"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// Stato is a plesso's timeliness in one reporting window.
type Stato string

const (
	InTempo      Stato = "in tempo"   // every school day reported by the deadline
	InRitardo    Stato = "in ritardo" // every day reported, some after the deadline
	Mancante     Stato = "mancante"   // deadline passed, some day not reported
	Aperta       Stato = "aperta"     // deadline not passed yet, not complete
	NessunGiorno Stato = "-"          // no school day in the window
)

// Cella is one plesso in one window.
type Cella struct {
	Stato     Stato
	Giorni    int // school days in the window
	Segnalati int // of which reported
}

// Completezza is the timeliness grid of the sentinel plessi.
type Completezza struct {
	Periodi []ps.Periodo
	Plessi  []ps.Plesso
	Celle   [][]Cella // [plesso][periodo]
	// Tasso is, per window whose deadline has passed, the share of plessi
	// (with school days) that reported everything on time; -1 when open.
	Tasso []float64
}

// Conteggio is one window's plessi by state: those with school days in it
// (Dovuti), on time, late, missing, and still open (deadline not passed).
type Conteggio struct {
	Dovuti, InTempo, InRitardo, Mancanti, Aperte int
}

// Conta tallies window j of the grid.
func (c Completezza) Conta(j int) Conteggio {
	var n Conteggio
	for i := range c.Plessi {
		switch c.Celle[i][j].Stato {
		case InTempo:
			n.InTempo++
		case InRitardo:
			n.InRitardo++
		case Mancante:
			n.Mancanti++
		case Aperta:
			n.Aperte++
		default:
			continue
		}
		n.Dovuti++
	}
	return n
}

// Calcola is the pure part: school(p, d) tells the lesson days of a plesso,
// first[p][day] when a day was first reported.
func Calcola(periodi []ps.Periodo, plessi []ps.Plesso, school func(p ps.Plesso, d time.Time) bool,
	first map[string]map[string]time.Time, now time.Time) Completezza {
	c := Completezza{Periodi: periodi, Plessi: plessi, Celle: make([][]Cella, len(plessi)), Tasso: make([]float64, len(periodi))}
	onTime := make([]int, len(periodi))
	due := make([]int, len(periodi))
	for i, p := range plessi {
		c.Celle[i] = make([]Cella, len(periodi))
		for j, per := range periodi {
			cell := Cella{}
			late := false
			for d := per.Dal; !d.After(per.Al); d = d.AddDate(0, 0, 1) {
				if !school(p, d) {
					continue
				}
				cell.Giorni++
				if at, ok := first[p.Codice][d.Format(ps.DateLayout)]; ok {
					cell.Segnalati++
					late = late || at.After(per.Scadenza)
				}
			}
			passed := !now.Before(per.Scadenza)
			switch {
			case cell.Giorni == 0:
				cell.Stato = NessunGiorno
			case cell.Segnalati == cell.Giorni && !late:
				cell.Stato = InTempo
			case cell.Segnalati == cell.Giorni:
				cell.Stato = InRitardo
			case passed:
				cell.Stato = Mancante
			default:
				cell.Stato = Aperta
			}
			if passed && cell.Giorni > 0 {
				due[j]++
				if cell.Stato == InTempo {
					onTime[j]++
				}
			}
			c.Celle[i][j] = cell
		}
	}
	for j := range periodi {
		c.Tasso[j] = -1
		if due[j] > 0 {
			c.Tasso[j] = float64(onTime[j]) / float64(due[j])
		}
	}
	return c
}

// Carica computes the grid for the sentinel plessi of the school year of
// `to`, over the windows touching [from, to].
func Carica(ctx context.Context, db *store.DB, finestre []ps.Finestra, from, to, now time.Time, loc *time.Location) (Completezza, error) {
	anno := ps.AnnoDi(to)
	codes, err := db.Sentinelle(ctx, anno)
	if err != nil {
		return Completezza{}, err
	}
	// The sentinels only: a national register is 40,000 plessi.
	all, err := db.Plessi(ctx, store.PlessoFilter{Sentinelle: anno})
	if err != nil {
		return Completezza{}, err
	}
	byCode := make(map[string]ps.Plesso, len(all))
	for _, p := range all {
		byCode[p.Codice] = p
	}
	var plessi []ps.Plesso
	for _, code := range codes {
		if p, ok := byCode[code]; ok {
			plessi = append(plessi, p)
		}
	}
	return caricaPlessi(ctx, db, plessi, ps.Periodi(finestre, from, to, loc), from, to, now)
}

// caricaPlessi computes the grid of given plessi over given windows.
func caricaPlessi(ctx context.Context, db *store.DB, plessi []ps.Plesso, periodi []ps.Periodo, from, to, now time.Time) (Completezza, error) {
	if len(periodi) > 0 {
		from = periodi[0].Dal
		to = periodi[len(periodi)-1].Al
	}
	first, err := db.PrimeSegnalazioni(ctx, from, to)
	if err != nil {
		return Completezza{}, err
	}
	lessons := map[string]map[string]bool{}
	for a := ps.AnnoDi(from); a <= ps.AnnoDi(to); a++ {
		cals, err := db.Calendari(ctx, plessi, a)
		if err != nil {
			return Completezza{}, err
		}
		for _, p := range plessi {
			m := lessons[p.Codice]
			if m == nil {
				m = map[string]bool{}
				lessons[p.Codice] = m
			}
			cal := cals[p.Codice]
			for _, d := range cal.GiorniTra(from, to) {
				m[d.Format(ps.DateLayout)] = true
			}
		}
	}
	school := func(p ps.Plesso, d time.Time) bool { return lessons[p.Codice][d.Format(ps.DateLayout)] }
	return Calcola(periodi, plessi, school, first, now), nil
}

// Promemoria queues the automatic reminders for the windows around now:
// the day before a deadline to sentinel plessi not yet complete, and after
// it to those still missing days. Dedupe keys make each reminder go once.
func Promemoria(ctx context.Context, db *store.DB, finestre []ps.Finestra, now time.Time, loc *time.Location) (int, error) {
	today := oggi(now, loc)
	// Emergency scopes: instructions when one starts, a reminder after each
	// daily deadline.
	ne, err := PromemoriaEmergenza(ctx, db, finestre, now, loc)
	if err != nil {
		return 0, err
	}
	c, err := Carica(ctx, db, finestre, today.AddDate(0, 0, -10), today, now, loc)
	if err != nil {
		return 0, err
	}
	dest, err := leggiDestinatari(ctx, db)
	if err != nil {
		return 0, err
	}
	st := dest.st
	var msgs []store.OutboxMessage
	for i, p := range c.Plessi {
		to := dest.email(p)
		if to == "" {
			continue
		}
		for j, per := range c.Periodi {
			cell := c.Celle[i][j]
			var kind string
			switch {
			case cell.Stato == Aperta && now.After(per.Scadenza.Add(-24*time.Hour)):
				kind = "prima"
			case cell.Stato == Mancante && now.Before(per.Scadenza.Add(72*time.Hour)):
				kind = "dopo"
			default:
				continue
			}
			subj, body := testoPromemoria(st, p, per, cell, kind, loc)
			msgs = append(msgs, store.OutboxMessage{Kind: "promemoria.assenze." + kind, To: to, Subject: subj, Body: body,
				DedupeKey: fmt.Sprintf("promemoria.assenze.%s:%s:%s", kind, p.Codice, per.Key())})
		}
	}
	n, err := accoda(ctx, db, msgs)
	return n + ne, err
}

// oggi is now's day in loc, as a UTC midnight (the portal's days).
func oggi(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// destinatari are what every reminder reads: the settings (the texts'
// help channels) and each plesso's account, whose e-mail serves when the
// register has none.
type destinatari struct {
	st    store.Settings
	users map[string]ps.User
}

func leggiDestinatari(ctx context.Context, db *store.DB) (destinatari, error) {
	st, err := db.Settings(ctx)
	if err != nil {
		return destinatari{}, err
	}
	users, err := db.PlessoUsers(ctx)
	if err != nil {
		return destinatari{}, err
	}
	return destinatari{st: st, users: users}, nil
}

// email is where a plesso's reminders go ("" when nowhere).
func (d destinatari) email(p ps.Plesso) string {
	if p.Email != "" {
		return p.Email
	}
	return d.users[p.Codice].Email
}

// accoda queues messages enqueueBatch at a time: a thousand per outbox
// transaction, so the write lock is held for a few statements.
func accoda(ctx context.Context, db *store.DB, msgs []store.OutboxMessage) (int, error) {
	added := 0
	for len(msgs) > 0 {
		n := min(enqueueBatch, len(msgs))
		k, err := db.Enqueue(ctx, ps.SystemActor, msgs[:n])
		added += k
		if err != nil {
			return added, err
		}
		msgs = msgs[n:]
	}
	return added, nil
}

func testoPromemoria(st store.Settings, p ps.Plesso, per ps.Periodo, cell Cella, kind string, loc *time.Location) (string, string) {
	dal, al := per.Dal.Format("02/01"), per.Al.Format("02/01/2006")
	scad := per.Scadenza.In(loc).Format("02/01/2006 alle 15:04")
	subj := fmt.Sprintf("Portale Scuole – assenze dal %s al %s: scadenza %s (%s)", dal, al, scad, p.Codice)
	if kind == "dopo" {
		subj = fmt.Sprintf("Portale Scuole – assenze dal %s al %s non ancora inserite (%s)", dal, al, p.Codice)
	}
	body := fmt.Sprintf("Gentile segreteria del plesso sentinella %s (%s),\n\n", p.Nome, p.Codice)
	body += fmt.Sprintf("per la rilevazione dal %s al %s i giorni di lezione inseriti sono %d su %d.\n", dal, al, cell.Segnalati, cell.Giorni)
	if kind == "prima" {
		body += fmt.Sprintf("La scadenza è il %s.\n\n", scad)
	} else {
		body += fmt.Sprintf("La scadenza era il %s: i dati servono comunque, anche in ritardo.\n\n", scad)
	}
	body += fmt.Sprintf("Per inserirli: %s → Registro assenze → Assenze della settimana.\n\n", st.URLPortale)
	body += fmt.Sprintf("Per informazioni: %s, numero verde %s (%s).\n\n%s\n", st.EmailAssistenza, st.NumeroVerde, st.OrariAssistenza, st.NomeATS)
	return subj, body
}
