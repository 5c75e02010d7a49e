// Package sentinella is the sentinel plessi' twice-weekly absence register:
// one validation and save path shared by the form, the file upload and the
// API (Invia), the class-register file parser, and timeliness
// (completezza) with its reminders.
package sentinella

import (
	"context"
	"sort"
	"strconv"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/metrics"
	"github.com/portalescuole/portalescuole/store"
)

// MaxGiorni bounds one submission: about two months of school days.
const MaxGiorni = 62

// Invia validates the days of one plesso against the calendar and the
// enrolment in force on each day, and stores them only if every day is
// valid (errors are keyed by field path, "giorni[i].campo"). prefix(i)
// names day i in those paths; nil means "giorni[i].". letti, when not nil,
// are the plesso's data of a school year already read (the API reads them
// with the token: store.TokenConDati); the others are read here.
func Invia(ctx context.Context, db *store.DB, a ps.Actor, p *ps.Plesso, giorni []ps.Giorno, fonte string,
	prefix func(int) string, letti *store.DatiInvio) (store.SalvataggioAssenze, map[string]string, error) {
	errs, err := Valida(ctx, db, p, giorni, prefix, letti)
	if err != nil || len(errs) > 0 {
		return store.SalvataggioAssenze{}, errs, err
	}
	sort.Slice(giorni, func(i, j int) bool { return giorni[i].Giorno.Before(giorni[j].Giorno) })
	res, err := db.SaveGiorni(ctx, a, p.Codice, giorni, fonte)
	if err == nil {
		metrics.Invii.WithLabelValues(fonte).Inc()
	}
	return res, nil, err
}

// Valida checks days as Invia does, without saving (the file preview).
// It normalises the days in place.
func Valida(ctx context.Context, db *store.DB, p *ps.Plesso, giorni []ps.Giorno, prefix func(int) string, letti *store.DatiInvio) (map[string]string, error) {
	if prefix == nil {
		prefix = func(i int) string { return "giorni[" + strconv.Itoa(i) + "]." }
	}
	errs := map[string]string{}
	if len(giorni) == 0 {
		errs["giorni"] = "err.giorni.nessuno"
		return errs, nil
	}
	if len(giorni) > MaxGiorni {
		errs["giorni"] = ps.Msg("err.giorni.troppi", MaxGiorni)
		return errs, nil
	}
	// A plesso's sentinel flag, calendar and enrolment of a school year are
	// read once, in one query (store.DatiInvio).
	perAnno := map[ps.AnnoScolastico]store.DatiInvio{}
	if letti != nil && letti.Plesso == p.Codice {
		perAnno[letti.Anno] = *letti
	}
	datiDi := func(anno ps.AnnoScolastico) (store.DatiInvio, error) {
		d, ok := perAnno[anno]
		if !ok {
			var err error
			if d, err = db.DatiInvio(ctx, p, anno); err != nil {
				return d, err
			}
			perAnno[anno] = d
		}
		return d, nil
	}
	seen := map[string]int{}
	today := db.Now()
	for i := range giorni {
		g := &giorni[i]
		g.Normalize()
		pre := prefix(i)
		if g.Giorno.IsZero() {
			errs[pre+"giorno"] = "err.giorno.data"
			continue
		}
		if j, dup := seen[g.Giorno.Format(ps.DateLayout)]; dup {
			errs[pre+"giorno"] = ps.Msg("err.giorno.ripetuto", j)
			continue
		}
		seen[g.Giorno.Format(ps.DateLayout)] = i
		anno := ps.AnnoDi(g.Giorno)
		dati, err := datiDi(anno)
		if err != nil {
			return nil, err
		}
		// A day refused by date still has its figures checked, so that a
		// file's errors all come at once.
		dayErr := ""
		scolastico := true
		if g.Giorno.After(today) {
			dayErr = "err.giorno.futuro"
		} else {
			// The one rule (store.SegnalazioneAmmessa); the emergency
			// periods are cached.
			es, err := db.EmergenzeDelGiorno(ctx, g.Giorno)
			if err != nil {
				return nil, err
			}
			if !store.SegnalazioneAmmessa(dati.Sentinella, es, p, g.Giorno) {
				dayErr = ps.Msg("err.giorno.non_abilitato", anno.String(), g.Giorno.Format("02/01/2006"))
			} else {
				scolastico = dati.Calendario.GiornoScolastico(g.Giorno)
			}
		}
		iscritti := 0
		if c := store.InVigore(dati.Consistenze, g.Giorno); c != nil {
			iscritti = c.Iscritti
		}
		for k, v := range ps.ValidaGiorno(*g, iscritti, scolastico, pre) {
			errs[k] = v
		}
		if dayErr != "" {
			errs[pre+"giorno"] = dayErr
		}
	}
	return errs, nil
}

// DaInserire returns the school days a plesso should report now: those after
// its last reported day up to today, at most MaxGiorni. A plesso that never
// reported starts from the window before the current one, which is the one
// usually falling due.
func DaInserire(ctx context.Context, db *store.DB, p *ps.Plesso, finestre []ps.Finestra, today time.Time, loc *time.Location) ([]time.Time, error) {
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	last, err := db.UltimoGiornoSegnalato(ctx, p.Codice)
	if err != nil {
		return nil, err
	}
	from := last.AddDate(0, 0, 1)
	if last.IsZero() {
		from = today
		if per, ok := ps.PeriodoDi(finestre, today, loc); ok {
			from = per.Dal
		}
		for d := from.AddDate(0, 0, -1); d.After(from.AddDate(0, 0, -8)); d = d.AddDate(0, 0, -1) {
			if per, ok := ps.PeriodoDi(finestre, d, loc); ok {
				from = per.Dal
				break
			}
		}
	}
	if min := today.AddDate(0, 0, -90); from.Before(min) {
		from = min
	}
	var out []time.Time
	for anno := ps.AnnoDi(from); anno <= ps.AnnoDi(today); anno++ {
		cal, err := db.AnnoCalendario(ctx, p, anno)
		if err != nil {
			return nil, err
		}
		out = append(out, cal.GiorniTra(from, today)...)
	}
	if len(out) > MaxGiorni {
		out = out[len(out)-MaxGiorni:]
	}
	return out, nil
}
