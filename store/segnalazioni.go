package store

import (
	"context"
	"time"
)

// PrimeSegnalazioniPlesso is PrimeSegnalazioni for one plesso: when each of
// its days in [from, to] was first reported (the first revision's time,
// which decides timeliness however often the day was corrected later).
func (db *DB) PrimeSegnalazioniPlesso(ctx context.Context, plesso string, from, to time.Time) (map[string]time.Time, error) {
	type first struct{ giorno, at string }
	rows, err := queryAll(ctx, db.sql, func(s scanner) (f first, err error) { return f, s.Scan(&f.giorno, &f.at) },
		`SELECT giorno, segnalato_il FROM assenze WHERE plesso = $1 AND classe = '' AND revisione = 1 AND giorno >= $2 AND giorno <= $3`,
		plesso, day(from), day(to))
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(rows))
	for _, f := range rows {
		out[f.giorno] = parseTS(f.at)
	}
	return out, nil
}
