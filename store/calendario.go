package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/calendario"
)

// CalendarioPlesso is a plesso's own calendar settings.
type CalendarioPlesso struct {
	Ambrosiano bool
	Patrono    string // "MM-DD", "" = none
	SeiGiorni  bool
	Chiusure   []time.Time // the institute's extra closure days
}

// CalendarioDi returns a plesso's settings (the regional defaults when it
// has none: Roman rite, 5-day week, no patron day).
func (db *DB) CalendarioDi(ctx context.Context, plesso string) (CalendarioPlesso, error) {
	var c CalendarioPlesso
	var chiusure string
	err := db.hot().QueryRowContext(ctx, `SELECT ambrosiano, patrono, sei_giorni, chiusure FROM plessi_calendario WHERE plesso = $1`, plesso).
		Scan(&c.Ambrosiano, &c.Patrono, &c.SeiGiorni, &chiusure)
	if isNoRows(err) {
		return c, nil
	}
	c.Chiusure = parseChiusure(chiusure)
	return c, err
}

// SetCalendario stores a plesso's settings, audited.
func (db *DB) SetCalendario(ctx context.Context, a ps.Actor, plesso string, c CalendarioPlesso) error {
	days := make([]string, len(c.Chiusure))
	for i, d := range c.Chiusure {
		days[i] = day(d)
	}
	return db.withTx(ctx, func(tx querierTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO plessi_calendario (plesso, ambrosiano, patrono, sei_giorni, chiusure) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (plesso) DO UPDATE SET ambrosiano = excluded.ambrosiano, patrono = excluded.patrono, sei_giorni = excluded.sei_giorni, chiusure = excluded.chiusure`,
			plesso, c.Ambrosiano, c.Patrono, c.SeiGiorni, strings.Join(days, ",")); err != nil {
			return fmt.Errorf("SetCalendario: %w", err)
		}
		return db.audit(ctx, tx, a, "calendario.plesso", "plesso:"+plesso, map[string]any{"ambrosiano": c.Ambrosiano, "patrono": c.Patrono,
			"sei_giorni": c.SeiGiorni, "chiusure": days})
	})
}

// Override is an ATS decision on one date, for a province or ("") all.
type Override struct {
	Giorno    time.Time
	Provincia string
	Scuola    bool // true: lessons held; false: no lessons
	Motivo    string
}

// Overrides lists the ATS overrides, newest date first.
func (db *DB) Overrides(ctx context.Context) ([]Override, error) {
	return queryAll(ctx, db.sql, func(s scanner) (o Override, err error) {
		var g string
		err = s.Scan(&g, &o.Provincia, &o.Scuola, &o.Motivo)
		o.Giorno = parseDay(g)
		return o, err
	}, `SELECT giorno, provincia, scuola, motivo FROM calendario_override ORDER BY giorno DESC, provincia`)
}

// SetOverride adds or replaces an override; remove deletes it instead.
func (db *DB) SetOverride(ctx context.Context, a ps.Actor, o Override, remove bool) error {
	defer db.overrides.invalida()
	return db.withTx(ctx, func(tx querierTx) error {
		var err error
		if remove {
			_, err = tx.ExecContext(ctx, `DELETE FROM calendario_override WHERE giorno = $1 AND provincia = $2`, day(o.Giorno), o.Provincia)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO calendario_override (giorno, provincia, scuola, motivo) VALUES ($1, $2, $3, $4)
				ON CONFLICT (giorno, provincia) DO UPDATE SET scuola = excluded.scuola, motivo = excluded.motivo`,
				day(o.Giorno), o.Provincia, o.Scuola, o.Motivo)
		}
		if err != nil {
			return fmt.Errorf("SetOverride: %w", err)
		}
		return db.audit(ctx, tx, a, "calendario.override", "giorno:"+day(o.Giorno), map[string]any{"provincia": o.Provincia,
			"scuola": o.Scuola, "motivo": o.Motivo, "rimosso": remove})
	})
}

// AnnoCalendario builds the calendar of a plesso for a school year: the
// regional rule, the plesso's settings, and the ATS overrides for all
// provinces and for the plesso's own (the province's win).
func (db *DB) AnnoCalendario(ctx context.Context, p *ps.Plesso, anno ps.AnnoScolastico) (calendario.Anno, error) {
	c, err := db.CalendarioDi(ctx, p.Codice)
	if err != nil {
		return calendario.Anno{}, fmt.Errorf("AnnoCalendario: %w", err)
	}
	ovs, err := db.overridesCached(ctx)
	if err != nil {
		return calendario.Anno{}, fmt.Errorf("AnnoCalendario: %w", err)
	}
	return annoCalendario(p, c, ovs, anno), nil
}

// Calendari builds the calendars of many plessi with two queries, not two
// per plesso.
func (db *DB) Calendari(ctx context.Context, plessi []ps.Plesso, anno ps.AnnoScolastico) (map[string]calendario.Anno, error) {
	ovs, err := db.Overrides(ctx)
	if err != nil {
		return nil, fmt.Errorf("Calendari: %w", err)
	}
	type row struct {
		plesso string
		c      CalendarioPlesso
	}
	rows, err := queryAll(ctx, db.sql, func(s scanner) (r row, err error) {
		var chiusure string
		err = s.Scan(&r.plesso, &r.c.Ambrosiano, &r.c.Patrono, &r.c.SeiGiorni, &chiusure)
		r.c.Chiusure = parseChiusure(chiusure)
		return r, err
	}, `SELECT plesso, ambrosiano, patrono, sei_giorni, chiusure FROM plessi_calendario`)
	if err != nil {
		return nil, fmt.Errorf("Calendari: %w", err)
	}
	settings := make(map[string]CalendarioPlesso, len(rows))
	for _, r := range rows {
		settings[r.plesso] = r.c
	}
	out := make(map[string]calendario.Anno, len(plessi))
	for i := range plessi {
		out[plessi[i].Codice] = annoCalendario(&plessi[i], settings[plessi[i].Codice], ovs, anno)
	}
	return out, nil
}

func parseChiusure(s string) []time.Time {
	var out []time.Time
	for _, x := range strings.Split(s, ",") {
		if d := parseDay(strings.TrimSpace(x)); !d.IsZero() {
			out = append(out, d)
		}
	}
	return out
}

func annoCalendario(p *ps.Plesso, c CalendarioPlesso, ovs []Override, anno ps.AnnoScolastico) calendario.Anno {
	o := calendario.Opzioni{SeiGiorni: c.SeiGiorni, ChiusureExtra: c.Chiusure, Override: map[string]bool{}}
	if c.Ambrosiano {
		o.Rito = calendario.Ambrosiano
	}
	if pd := parseDay("2000-" + c.Patrono); c.Patrono != "" && !pd.IsZero() {
		o.Patrono = pd
	}
	for _, ov := range ovs {
		if ov.Provincia == "" {
			o.Override[day(ov.Giorno)] = ov.Scuola
		}
	}
	for _, ov := range ovs {
		if ov.Provincia == p.Provincia {
			o.Override[day(ov.Giorno)] = ov.Scuola
		}
	}
	return calendario.PerAnno(int(anno), o)
}
