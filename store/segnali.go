package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

const segnaleCols = `id, serie, giorno, osservato, atteso, soglia, metodo, parametri, contributi, plessi, completezza, copertura, creato_il, stato, assegnato, al, picco, giorni, iscritti, notificato, evidenza, soglia_evidenza`

func scanSegnale(s scanner) (ps.Segnale, error) {
	var g ps.Segnale
	var giorno, contributi, creato, al, picco string
	var ev, sev sql.NullFloat64
	err := s.Scan(&g.ID, &g.Serie, &giorno, &g.Osservato, &g.Atteso, &g.Soglia, &g.Metodo, &g.Parametri, &contributi,
		&g.Plessi, &g.Completezza, &g.Copertura, &creato, &g.Stato, &g.Assegnato, &al, &picco, &g.Giorni, &g.Iscritti, &g.Notificato, &ev, &sev)
	g.Evidenza, g.SogliaEvidenza = nullZero(ev), nullZero(sev)
	g.Giorno, g.CreatoIl = parseDay(giorno), parseTS(creato)
	g.Al, g.Picco = g.Giorno, g.Giorno
	if al != "" {
		g.Al = parseDay(al)
	}
	if picco != "" {
		g.Picco = parseDay(picco)
	}
	if err == nil && contributi != "" {
		err = json.Unmarshal([]byte(contributi), &g.Contributi)
	}
	return g, err
}

// nullZero reads a nullable real: 0 for NULL.
func nullZero(v sql.NullFloat64) float64 {
	if !v.Valid {
		return 0
	}
	return v.Float64
}

// evidenzaArgs writes a signal's evidence and threshold, NULL when it has
// none (NaN, or the zero value of a method without one).
func evidenzaArgs(g ps.Segnale) (any, any) {
	if !(g.SogliaEvidenza > 0) || math.IsNaN(g.Evidenza) || math.IsInf(g.Evidenza, 0) {
		return nil, nil
	}
	return g.Evidenza, g.SogliaEvidenza
}

// AddSegnali stores new signals; one already stored for the same
// series, day and method is left untouched (a rerun adds nothing). It
// returns the signals actually added, with their ids. A national run can
// propose tens of thousands: the known ones are filtered out with one read,
// the rest inserted in multi-row statements.
func (db *DB) AddSegnali(ctx context.Context, a ps.Actor, sig []ps.Segnale) ([]ps.Segnale, error) {
	if len(sig) == 0 {
		return nil, nil
	}
	key := func(serie, giorno, metodo string) string { return serie + "\x00" + giorno + "\x00" + metodo }
	first := sig[0].Giorno
	for _, g := range sig {
		if g.Giorno.Before(first) {
			first = g.Giorno
		}
	}
	var added []ps.Segnale
	now := db.Now().UTC()
	err := db.withTx(ctx, func(tx querierTx) error {
		known := map[string]bool{}
		keys, err := queryAll(ctx, tx, func(s scanner) (string, error) {
			var a, b, c string
			err := s.Scan(&a, &b, &c)
			return key(a, b, c), err
		}, `SELECT serie, giorno, metodo FROM segnali WHERE giorno >= $1`, day(first))
		if err != nil {
			return fmt.Errorf("AddSegnali: %w", err)
		}
		for _, k := range keys {
			known[k] = true
		}
		var todo []ps.Segnale
		for _, g := range sig {
			k := key(g.Serie, day(g.Giorno), g.Metodo)
			if !known[k] {
				known[k] = true // a duplicate in the input counts once
				todo = append(todo, g)
			}
		}
		const batch = 100 // 20 parameters a row
		for len(todo) > 0 {
			n := min(batch, len(todo))
			part := todo[:n]
			todo = todo[n:]
			var b strings.Builder
			args := make([]any, 0, 20*n)
			b.WriteString(`INSERT INTO segnali (serie, giorno, osservato, atteso, soglia, metodo, parametri, contributi, plessi, completezza, copertura, creato_il, stato, al, picco, giorni, iscritti, notificato, evidenza, soglia_evidenza) VALUES `)
			for i, g := range part {
				contrib, err := json.Marshal(g.Contributi)
				if err != nil {
					return fmt.Errorf("AddSegnali: %w", err)
				}
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(")
				for j := range 20 {
					if j > 0 {
						b.WriteString(", ")
					}
					b.WriteString(db.segnaposto(len(args) + j + 1))
				}
				b.WriteString(")")
				al, picco := g.Al, g.Picco
				if al.Before(g.Giorno) {
					al = g.Giorno
				}
				if picco.IsZero() {
					picco = g.Giorno
				}
				ev, sev := evidenzaArgs(g)
				args = append(args, g.Serie, day(g.Giorno), g.Osservato, g.Atteso, g.Soglia, g.Metodo, g.Parametri, string(contrib),
					g.Plessi, g.Completezza, g.Copertura, ts(now), ps.StatoNuovo, day(al), day(picco), max(1, g.Giorni), g.Iscritti, g.Notificato, ev, sev)
			}
			b.WriteString(` ON CONFLICT (serie, giorno, metodo) DO NOTHING RETURNING id, serie, giorno, metodo`)
			type ins struct {
				id  int64
				key string
			}
			rows, err := queryAll(ctx, tx, func(s scanner) (r ins, err error) {
				var a, g, m string
				err = s.Scan(&r.id, &a, &g, &m)
				r.key = key(a, g, m)
				return r, err
			}, b.String(), args...)
			if err != nil {
				return fmt.Errorf("AddSegnali: %w", err)
			}
			ids := make(map[string]int64, len(rows))
			for _, r := range rows {
				ids[r.key] = r.id
			}
			for _, g := range part {
				id, ok := ids[key(g.Serie, day(g.Giorno), g.Metodo)]
				if !ok {
					continue // stored meanwhile by a concurrent run
				}
				g.ID, g.CreatoIl, g.Stato = id, now, ps.StatoNuovo
				if g.Al.Before(g.Giorno) {
					g.Al = g.Giorno
				}
				if g.Picco.IsZero() {
					g.Picco = g.Giorno
				}
				g.Giorni = max(1, g.Giorni)
				added = append(added, g)
			}
		}
		// The history rows reference the new signals: PostgreSQL checks each
		// reference with a plan made when the table's statistics were
		// last taken, and a table that looked empty is scanned whole for
		// each row (minutes for a national first run). Fresh statistics
		// first.
		if db.dialect == Postgres && len(added) > 1000 {
			if _, err := tx.ExecContext(ctx, `ANALYZE segnali`); err != nil {
				return fmt.Errorf("AddSegnali: %w", err)
			}
		}
		for rest := added; len(rest) > 0; {
			part := rest[:min(200, len(rest))]
			rest = rest[len(part):]
			var hist strings.Builder
			hargs := make([]any, 0, 5*len(part))
			hist.WriteString(`INSERT INTO segnali_storia (segnale, at, username, a, nota) VALUES `)
			for i, g := range part {
				if i > 0 {
					hist.WriteString(", ")
				}
				n := len(hargs)
				fmt.Fprintf(&hist, "(%s, %s, %s, %s, %s)", db.segnaposto(n+1), db.segnaposto(n+2), db.segnaposto(n+3), db.segnaposto(n+4), db.segnaposto(n+5))
				hargs = append(hargs, g.ID, ts(now), a.Username, ps.StatoNuovo, "segnale generato da "+g.Metodo)
			}
			if _, err := tx.ExecContext(ctx, hist.String(), hargs...); err != nil {
				return fmt.Errorf("AddSegnali: %w", err)
			}
		}
		if len(added) == 0 {
			return nil
		}
		detail := map[string]any{"n": len(added)}
		if len(added) <= 200 {
			ids := make([]string, len(added))
			for i, g := range added {
				ids[i] = strconv.FormatInt(g.ID, 10)
			}
			detail["ids"] = strings.Join(ids, ",")
		} else {
			// A national first run adds tens of thousands: the range of ids
			// (consecutive in this transaction) says which.
			lo, hi := added[0].ID, added[0].ID
			for _, g := range added {
				lo, hi = min(lo, g.ID), max(hi, g.ID)
			}
			detail["ids"] = fmt.Sprintf("%d-%d", lo, hi)
		}
		return db.audit(ctx, tx, a, "segnali.add", "segnali", detail)
	})
	return added, err
}

// SegnaleFilter selects alerts.
type SegnaleFilter struct {
	Stato string
	Serie string
	// Tipo is "aggregati" (territory, province, district, grade), "plessi"
	// (a single plesso's series) or "" for both.
	Tipo    string
	Dal, Al time.Time
	// Livello keeps one level of the hierarchy (ps.LivelliSerie).
	Livello string
	// Aperti keeps the episodes still to handle (nuovo, in valutazione).
	Aperti bool
	Limit  int
	Offset int // episodes skipped, for a page after the first
}

// condizioneLivello is the SQL test of a series key's level, the same
// rule as ps.LivelloSerie.
var condizioneLivello = map[string]string{
	ps.LivelloTerritorio: "serie = 'territorio'",
	ps.LivelloProvincia:  "serie LIKE 'provincia:%'",
	ps.LivelloDistretto:  "serie LIKE 'distretto:%'",
	ps.LivelloGrado:      "serie LIKE 'grado:%'",
	ps.LivelloMotivo:     "(serie LIKE 'febbre/%' OR serie LIKE 'gastro/%')",
	ps.LivelloPlesso:     "(serie <> 'territorio' AND serie NOT LIKE 'provincia:%' AND serie NOT LIKE 'distretto:%' AND serie NOT LIKE 'grado:%' AND serie NOT LIKE 'febbre/%' AND serie NOT LIKE 'gastro/%')",
}

// ConteggioSegnali is the number of alert episodes of one level in one state.
type ConteggioSegnali struct {
	Livello, Stato string
	N              int
}

// CountSegnaliPerLivello counts every alert episode by level and state: the
// summaries (dashboard, bulletin) and the list's filters count alike.
func (db *DB) CountSegnaliPerLivello(ctx context.Context) (map[string]map[string]int, error) {
	out := map[string]map[string]int{}
	rows, err := db.sql.QueryContext(ctx, `SELECT serie, stato, COUNT(*) FROM segnali GROUP BY serie, stato`)
	if err != nil {
		return nil, fmt.Errorf("count segnali: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var serie, stato string
		var n int
		if err := rows.Scan(&serie, &stato, &n); err != nil {
			return nil, fmt.Errorf("count segnali: %w", err)
		}
		l := ps.LivelloSerie(serie)
		if out[l] == nil {
			out[l] = map[string]int{}
		}
		out[l][stato] += n
	}
	return out, rows.Err()
}

// Segnali lists alert episodes, the most recently active first.
func (db *DB) Segnali(ctx context.Context, f SegnaleFilter) ([]ps.Segnale, error) {
	w := f.where()
	limit := f.Limit
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	p := w.segnaposto(limit, max(0, f.Offset))
	q := `SELECT ` + segnaleCols + ` FROM segnali` + w.sql() + ` ORDER BY al DESC, giorno DESC, id DESC LIMIT ` + p[0] + ` OFFSET ` + p[1]
	list, err := queryAll(ctx, db.sql, scanSegnale, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list segnali: %w", err)
	}
	return list, nil
}

// CountSegnali counts the episodes that Segnali would list without a limit.
func (db *DB) CountSegnali(ctx context.Context, f SegnaleFilter) (int, error) {
	w := f.where()
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM segnali`+w.sql(), w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count segnali: %w", err)
	}
	return n, nil
}

// where is the filter's WHERE clause and its arguments.
func (f SegnaleFilter) where() *condizioni {
	w := &condizioni{}
	if f.Stato != "" {
		w.con("stato = ?", f.Stato)
	}
	if f.Serie != "" {
		w.con("serie = ?", f.Serie)
	}
	switch f.Tipo {
	case "plessi":
		w.con("serie LIKE ?", "plesso:%")
	case "aggregati":
		w.con("serie NOT LIKE ?", "plesso:%")
	}
	if c, ok := condizioneLivello[f.Livello]; ok {
		w.con(c)
	}
	if !f.Dal.IsZero() {
		w.con("al >= ?", day(f.Dal)) // active on or after Dal
	}
	if !f.Al.IsZero() {
		w.con("giorno <= ?", day(f.Al))
	}
	if f.Aperti {
		w.con("stato IN (?, ?)", ps.StatoNuovo, ps.StatoValutazione)
	}
	return w
}

// Segnale returns one alert.
func (db *DB) Segnale(ctx context.Context, id int64) (*ps.Segnale, error) {
	g, err := scanSegnale(db.sql.QueryRowContext(ctx, `SELECT `+segnaleCols+` FROM segnali WHERE id = $1`, id))
	if isNoRows(err) {
		return nil, notFound("segnale")
	}
	return &g, err
}

// StoriaSegnale lists an alert's history, oldest first.
func (db *DB) StoriaSegnale(ctx context.Context, id int64) ([]ps.EventoSegnale, error) {
	return queryAll(ctx, db.sql, func(s scanner) (e ps.EventoSegnale, err error) {
		var at string
		err = s.Scan(&at, &e.Username, &e.Da, &e.A, &e.Nota)
		e.At = parseTS(at)
		return e, err
	}, `SELECT at, username, da, a, nota FROM segnali_storia WHERE segnale = $1 ORDER BY id`, id)
}

// UpdateSegnale changes an alert's state and/or assignee and adds a note,
// all in its history and the audit log. A state change must be allowed by
// ps.TransizioneAmmessa; the previous state is checked in the same
// transaction, so two operators cannot both move it.
func (db *DB) UpdateSegnale(ctx context.Context, a ps.Actor, id int64, stato, assegnato, nota string, daStato string) error {
	return db.withTx(ctx, func(tx querierTx) error {
		var cur, curAss string
		if err := tx.QueryRowContext(ctx, `SELECT stato, assegnato FROM segnali WHERE id = $1`, id).Scan(&cur, &curAss); isNoRows(err) {
			return notFound("segnale")
		} else if err != nil {
			return fmt.Errorf("read segnale %d: %w", id, err)
		}
		if daStato != "" && cur != daStato {
			return &ps.Error{Code: ps.EConflict, Message: "err.segnale.cambiato"}
		}
		ev := ps.EventoSegnale{Nota: strings.TrimSpace(nota)}
		if stato != "" && stato != cur {
			if !ps.TransizioneAmmessa(cur, stato) {
				return &ps.Error{Code: ps.EInvalid, Message: "err.segnale.transizione", Fields: map[string]string{"stato": "err.segnale.transizione"}}
			}
			ev.Da, ev.A = cur, stato
		}
		if ev.A == "" && ev.Nota == "" && assegnato == curAss {
			return nil
		}
		if assegnato != curAss {
			if ev.Nota != "" {
				ev.Nota += " "
			}
			ev.Nota += "(assegnato a " + assegnato + ")"
		}
		newStato := cur
		if ev.A != "" {
			newStato = ev.A
		}
		// Conditional on what was read: under READ COMMITTED a concurrent
		// move commits between the read and this write, and the loser must
		// get a conflict, not overwrite it.
		res, err := tx.ExecContext(ctx, `UPDATE segnali SET stato = $1, assegnato = $2 WHERE id = $3 AND stato = $4 AND assegnato = $5`,
			newStato, assegnato, id, cur, curAss)
		if err != nil {
			return fmt.Errorf("update segnale %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update segnale %d: %w", id, err)
		} else if n != 1 {
			return &ps.Error{Code: ps.EConflict, Message: "err.segnale.cambiato"}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO segnali_storia (segnale, at, username, da, a, nota) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, ts(db.Now()), a.Username, ev.Da, ev.A, ev.Nota); err != nil {
			return fmt.Errorf("history of segnale %d: %w", id, err)
		}
		return db.audit(ctx, tx, a, "segnale.update", "segnale:"+strconv.FormatInt(id, 10), map[string]string{"da": ev.Da, "a": ev.A, "assegnato": assegnato, "nota": ev.Nota})
	})
}

// InfluNetSettimana is a week of school-age ILI incidence.
type InfluNetSettimana struct {
	Settimana string // ISO week "2025-47"
	Stagione  string
	Incidenza float64
}

// InfluNet lists the stored weeks in order.
func (db *DB) InfluNet(ctx context.Context) ([]InfluNetSettimana, error) {
	return queryAll(ctx, db.sql, func(s scanner) (w InfluNetSettimana, err error) {
		return w, s.Scan(&w.Settimana, &w.Stagione, &w.Incidenza)
	}, `SELECT settimana, stagione, incidenza FROM influnet ORDER BY settimana`)
}
