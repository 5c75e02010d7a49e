package sentinella

import (
	"context"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// Finestra is one reporting window of one plesso, as its home shows it.
type Finestra struct {
	Periodo ps.Periodo
	Cella
}

// StatoPlesso tells a sentinel plesso where it stands: the last window whose
// deadline has passed (Ultima, nil if none in the last fortnight) and the
// window in course (Corrente, nil outside any window or with no school day
// in it). Windows without school days are skipped: there is nothing to send.
func StatoPlesso(ctx context.Context, db *store.DB, p *ps.Plesso, finestre []ps.Finestra, now time.Time, loc *time.Location) (ultima, corrente *Finestra, err error) {
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	periodi := ps.Periodi(finestre, today.AddDate(0, 0, -14), today.AddDate(0, 0, 7), loc)
	return statoPeriodi(ctx, db, p, periodi, now)
}

// statoPeriodi is StatoPlesso over given windows (the sentinel windows, or
// the daily ones of an emergency).
func statoPeriodi(ctx context.Context, db *store.DB, p *ps.Plesso, periodi []ps.Periodo, now time.Time) (ultima, corrente *Finestra, err error) {
	if len(periodi) == 0 {
		return nil, nil, nil
	}
	from, to := periodi[0].Dal, periodi[len(periodi)-1].Al
	first, err := db.PrimeSegnalazioniPlesso(ctx, p.Codice, from, to)
	if err != nil {
		return nil, nil, err
	}
	lessons := map[string]bool{}
	for a := ps.AnnoDi(from); a <= ps.AnnoDi(to); a++ {
		cal, err := db.AnnoCalendario(ctx, p, a)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range cal.GiorniTra(from, to) {
			lessons[d.Format(ps.DateLayout)] = true
		}
	}
	ultima, corrente = statoFinestre(periodi, func(d time.Time) bool { return lessons[d.Format(ps.DateLayout)] }, first, now)
	return ultima, corrente, nil
}

// statoFinestre is the pure part of StatoPlesso.
func statoFinestre(periodi []ps.Periodo, school func(time.Time) bool, first map[string]time.Time, now time.Time) (ultima, corrente *Finestra) {
	c := Calcola(periodi, []ps.Plesso{{}}, func(_ ps.Plesso, d time.Time) bool { return school(d) },
		map[string]map[string]time.Time{"": first}, now)
	for j, per := range periodi {
		cell := c.Celle[0][j]
		if cell.Stato == NessunGiorno {
			continue
		}
		f := &Finestra{Periodo: per, Cella: cell}
		if now.Before(per.Scadenza) {
			// The first window still open is the one due next; days not
			// begun yet count as school days still to come.
			if corrente == nil {
				corrente = f
			}
			continue
		}
		ultima = f
	}
	return ultima, corrente
}
