package cli

import (
	"errors"
	"fmt"
	ps "github.com/portalescuole/portalescuole"

	"context"
	"log/slog"
	"time"

	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
)

// promemoriaLoop, every interval, queues the sentinel plessi' deadline
// reminders, reruns detection and, from 8:00, the daily alert digest and
// on Mondays the weekly bulletin;
// dedupe keys in the outbox make each e-mail go once.
func promemoriaLoop(ctx context.Context, db *store.DB, motore *allerta.Motore, log *slog.Logger, wake func(), every time.Duration, dopo func(context.Context)) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		rome = time.UTC
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := eseguiLavori(ctx, db, motore, log, time.Now(), rome)
		if n > 0 && wake != nil {
			wake()
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("promemoria assenze", "err", err)
		}
		if dopo != nil && ctx.Err() == nil {
			dopo(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// lavori are the periodic jobs due at one tick.
type lavori struct {
	Promemoria, Rilevazione, Riepilogo, Bollettino bool
}

// lavoriDovuti decides what is due at now (loc is the ATS's time zone):
// reminders and detection at every tick, the daily digest from 8:00, the
// weekly bulletin on Monday from 8:00. Each job dedupes its own e-mails
// (per day, week, recipient), so a later tick of the same day adds nothing.
func lavoriDovuti(now time.Time, loc *time.Location) lavori {
	l := now.In(loc)
	morning := l.Hour() >= 8
	return lavori{Promemoria: true, Rilevazione: true, Riepilogo: morning, Bollettino: morning && l.Weekday() == time.Monday}
}

// eseguiLavori runs the jobs due at now and returns the e-mails queued.
// Each job fails alone: a reminder that cannot be queued does not keep
// the round's detection, digest or bulletin from running; the errors come
// back together.
func eseguiLavori(ctx context.Context, db *store.DB, motore *allerta.Motore, log *slog.Logger, now time.Time, loc *time.Location) (int, error) {
	due := lavoriDovuti(now, loc)
	st, err := db.Settings(ctx)
	if err != nil {
		return 0, fmt.Errorf("lavori: impostazioni: %w", err)
	}
	n := 0
	var errs []error
	if due.Promemoria {
		k, err := sentinella.Promemoria(ctx, db, st.FinestreParsed(), now, loc)
		n += k
		if err != nil {
			errs = append(errs, fmt.Errorf("promemoria: %w", err))
		}
	}
	// Detection reruns on whatever arrived (closed windows, late data):
	// signals are unique per series, day and method.
	if due.Rilevazione {
		es, err := motore.Esegui(ctx, ps.SystemActor, now)
		n += es.Email
		if err != nil {
			errs = append(errs, fmt.Errorf("rilevazione: %w", err))
		} else if len(es.Nuovi) > 0 {
			log.Info("nuove allerte", "n", len(es.Nuovi), "serie", es.Serie, "completa", es.Tutto, "durata", es.Durata)
		}
	}
	if due.Riepilogo {
		d, err := allerta.Riepilogo(ctx, db, now, loc)
		n += d
		if err != nil {
			errs = append(errs, fmt.Errorf("riepilogo: %w", err))
		}
	}
	// The weekly bulletin of the last complete week goes out on Monday
	// morning (once: dedupe key per week and recipient).
	if due.Bollettino {
		d, err := allerta.InviaBollettino(ctx, db, now.AddDate(0, 0, -7), now, loc)
		n += d
		if err != nil {
			errs = append(errs, fmt.Errorf("bollettino: %w", err))
		}
	}
	return n, errors.Join(errs...)
}
