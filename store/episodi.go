package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// Episodi is what SaveEpisodi changed.
type Episodi struct {
	Nuovi  []ps.Segnale // episodes opened, with their ids
	Estesi []ps.Segnale // stored episodes that grew (later last day or higher peak), as stored now
}

// SaveEpisodi merges the alert episodes computed by a detection run
// into the stored ones. An episode that overlaps a stored one of the same
// series and method extends it (earlier first day, later last day, higher
// peak: never shrinks it, so what was once seen stays); otherwise it opens
// a new one. A rerun on the same data changes nothing. Each extension is
// a conditional UPDATE on the values read, checked by rows affected: a
// concurrent run that moved the episode meanwhile wins, and this one skips
// it (the next run sees the merged state).
func (db *DB) SaveEpisodi(ctx context.Context, a ps.Actor, eps []ps.Segnale) (Episodi, error) {
	var out Episodi
	if len(eps) == 0 {
		return out, nil
	}
	first := eps[0].Giorno
	for _, e := range eps {
		if e.Giorno.Before(first) {
			first = e.Giorno
		}
	}
	type chiave struct{ serie, metodo string }
	var nuovi []ps.Segnale
	now := db.Now().UTC()
	err := db.withTx(ctx, func(tx querierTx) error {
		stored, err := queryAll(ctx, tx, scanSegnale, `SELECT `+segnaleCols+` FROM segnali WHERE al >= $1 OR al = ''`, day(first))
		if err != nil {
			return fmt.Errorf("SaveEpisodi: %w", err)
		}
		by := map[chiave][]*ps.Segnale{}
		for i := range stored {
			g := &stored[i]
			by[chiave{g.Serie, g.Metodo}] = append(by[chiave{g.Serie, g.Metodo}], g)
		}
		nuovi = nil
		var estesi []ps.Segnale
		for _, e := range eps {
			if e.Al.Before(e.Giorno) {
				e.Al = e.Giorno
			}
			if e.Picco.IsZero() {
				e.Picco = e.Giorno
			}
			// The earliest overlapping episode grows: late data can bridge two
			// stored episodes, and extending the later one back to the first
			// day of the earlier would give two episodes the same first day.
			var old *ps.Segnale
			for _, g := range by[chiave{e.Serie, e.Metodo}] {
				if !g.Giorno.After(e.Al) && !g.Al.Before(e.Giorno) && (old == nil || g.Giorno.Before(old.Giorno)) {
					old = g
				}
			}
			if old == nil {
				nuovi = append(nuovi, e)
				continue
			}
			m := unisciEpisodio(*old, e)
			if m.Giorno.Equal(old.Giorno) && m.Al.Equal(old.Al) && m.Giorni == old.Giorni && m.Picco.Equal(old.Picco) && m.Evidenza == old.Evidenza {
				continue
			}
			ok, err := db.estendiEpisodio(ctx, tx, a, *old, m, now)
			if err != nil {
				return err
			}
			if !ok {
				continue // moved by a concurrent run: left to it
			}
			*old = m
			estesi = append(estesi, m)
		}
		if len(estesi) > 0 {
			ids := make([]string, 0, min(len(estesi), 200))
			for _, g := range estesi[:min(len(estesi), 200)] {
				ids = append(ids, strconv.FormatInt(g.ID, 10))
			}
			if err := db.audit(ctx, tx, a, "segnali.extend", "segnali", map[string]any{"n": len(estesi), "ids": strings.Join(ids, ",")}); err != nil {
				return fmt.Errorf("SaveEpisodi: %w", err)
			}
		}
		out.Estesi = estesi
		return nil
	})
	if err != nil {
		return Episodi{}, fmt.Errorf("SaveEpisodi: %w", err)
	}
	// New episodes through the bulk insert (multi-row statements, history,
	// audit); the unique (series, first day, method) keeps a concurrent
	// run from storing the same one twice.
	for i := range nuovi {
		nuovi[i].Notificato = 0
	}
	out.Nuovi, err = db.AddSegnali(ctx, a, nuovi)
	return out, err
}

// unisciEpisodio is stored episode m grown by e, which overlaps it: the
// wider days, the higher evidence, and the higher peak with its context.
func unisciEpisodio(m, e ps.Segnale) ps.Segnale {
	if e.Giorno.Before(m.Giorno) {
		m.Giorno = e.Giorno
	}
	if e.Al.After(m.Al) {
		m.Al = e.Al
	}
	m.Giorni = max(m.Giorni, e.Giorni)
	if e.SogliaEvidenza > 0 && (m.SogliaEvidenza == 0 || e.Evidenza > m.Evidenza) {
		m.Evidenza, m.SogliaEvidenza = e.Evidenza, e.SogliaEvidenza
	}
	if e.Osservato > m.Osservato {
		m.Picco, m.Osservato, m.Atteso, m.Soglia, m.Contributi = e.Picco, e.Osservato, e.Atteso, e.Soglia, e.Contributi
		m.Plessi, m.Iscritti, m.Completezza, m.Copertura, m.Parametri = e.Plessi, e.Iscritti, e.Completezza, e.Copertura, e.Parametri
	}
	return m
}

// estendiEpisodio stores m over old, conditionally on old being still
// what was read, with a line of history; false when a concurrent run
// moved it first.
func (db *DB) estendiEpisodio(ctx context.Context, tx querierTx, a ps.Actor, old, m ps.Segnale, now time.Time) (bool, error) {
	contrib, err := json.Marshal(m.Contributi)
	if err != nil {
		return false, fmt.Errorf("estendiEpisodio %d: %w", m.ID, err)
	}
	ev, sev := evidenzaArgs(m)
	res, err := tx.ExecContext(ctx, `UPDATE segnali SET giorno = $1, al = $2, giorni = $3, picco = $4, osservato = $5, atteso = $6, soglia = $7,
		contributi = $8, plessi = $9, iscritti = $10, completezza = $11, copertura = $12, parametri = $13,
		evidenza = $14, soglia_evidenza = $15
		WHERE id = $16 AND giorno = $17 AND al = $18 AND giorni = $19`,
		day(m.Giorno), day(m.Al), m.Giorni, day(m.Picco), m.Osservato, m.Atteso, m.Soglia, string(contrib), m.Plessi, m.Iscritti,
		m.Completezza, m.Copertura, m.Parametri, ev, sev, m.ID, day(old.Giorno), day(old.Al), old.Giorni)
	if err != nil {
		return false, fmt.Errorf("estendiEpisodio %d: %w", m.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	nota := fmt.Sprintf("episodio esteso: dal %s al %s, %d giorni di allarme, picco %.1f%% il %s", m.Giorno.Format("02/01/2006"),
		m.Al.Format("02/01/2006"), m.Giorni, 100*m.Osservato, m.Picco.Format("02/01/2006"))
	if _, err := tx.ExecContext(ctx, `INSERT INTO segnali_storia (segnale, at, username, nota) VALUES ($1, $2, $3, $4)`,
		m.ID, ts(now), a.Username, nota); err != nil {
		return false, fmt.Errorf("estendiEpisodio %d: %w", m.ID, err)
	}
	return true, nil
}

// MarkNotificato records that an episode was e-mailed with the given peak
// rate, unless a higher one was already recorded (conditional UPDATE: two
// runs never both announce the same rise).
func (db *DB) MarkNotificato(ctx context.Context, id int64, picco float64) (bool, error) {
	ok, err := db.MarkNotificati(ctx, map[int64]float64{id: picco})
	return ok[id], err
}

// MarkNotificati is MarkNotificato for many episodes in one transaction;
// it returns those this call recorded.
func (db *DB) MarkNotificati(ctx context.Context, picchi map[int64]float64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(picchi) == 0 {
		return out, nil
	}
	err := db.withTx(ctx, func(tx querierTx) error {
		for id, picco := range picchi {
			res, err := tx.ExecContext(ctx, `UPDATE segnali SET notificato = $1 WHERE id = $2 AND notificato < $1`, picco, id)
			if err != nil {
				return fmt.Errorf("MarkNotificati: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("MarkNotificati: %w", err)
			} else if n == 1 {
				out[id] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("MarkNotificati: %w", err)
	}
	return out, nil
}

// AddAnomalie stores data anomalies; one already stored for the same
// series, day and method is left as it is. Returns how many were added.
func (db *DB) AddAnomalie(ctx context.Context, a ps.Actor, an []ps.Anomalia) (int, error) {
	if len(an) == 0 {
		return 0, nil
	}
	sort.Slice(an, func(i, j int) bool { return an[i].Giorno.Before(an[j].Giorno) })
	now := ts(db.Now().UTC())
	n := 0
	err := db.withTx(ctx, func(tx querierTx) error {
		for _, x := range an {
			res, err := tx.ExecContext(ctx, `INSERT INTO anomalie (serie, giorno, osservato, atteso, metodo, plessi, creato_il)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (serie, giorno, metodo) DO NOTHING`,
				x.Serie, day(x.Giorno), x.Osservato, x.Atteso, x.Metodo, x.Plessi, now)
			if err != nil {
				return fmt.Errorf("AddAnomalie: %w", err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("AddAnomalie: %w", err)
			}
			n += int(k)
		}
		if n == 0 {
			return nil
		}
		return db.audit(ctx, tx, a, "anomalie.add", "anomalie", map[string]int{"n": n})
	})
	return n, err
}

// Anomalie lists data anomalies from a day on, newest first.
func (db *DB) Anomalie(ctx context.Context, dal time.Time, limit int) ([]ps.Anomalia, error) {
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	return queryAll(ctx, db.sql, func(s scanner) (x ps.Anomalia, err error) {
		var g, c string
		err = s.Scan(&x.ID, &x.Serie, &g, &x.Osservato, &x.Atteso, &x.Metodo, &x.Plessi, &c)
		x.Giorno, x.CreatoIl = parseDay(g), parseTS(c)
		return x, err
	}, `SELECT id, serie, giorno, osservato, atteso, metodo, plessi, creato_il FROM anomalie WHERE giorno >= $1
		ORDER BY giorno DESC, serie LIMIT $2`, day(dal), limit)
}
