package store

import (
	"context"
	"fmt"
	"time"

	ps "github.com/portalescuole/portalescuole"
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
		return nil, fmt.Errorf("PrimeSegnalazioniPlesso: %w", err)
	}
	out := make(map[string]time.Time, len(rows))
	for _, f := range rows {
		out[f.giorno] = parseTS(f.at)
	}
	return out, nil
}

// UltimiStudentiMIM returns the ministry's latest pupil count for a plesso up
// to school year anno, and the year it refers to; ok is false when none.
func (db *DB) UltimiStudentiMIM(ctx context.Context, plesso string, anno ps.AnnoScolastico) (studenti int, di ps.AnnoScolastico, ok bool, err error) {
	type row struct{ anno, studenti int }
	rows, err := queryAll(ctx, db.sql, func(s scanner) (r row, err error) { return r, s.Scan(&r.anno, &r.studenti) },
		`SELECT anno, studenti FROM studenti_mim WHERE plesso = $1 AND anno <= $2 ORDER BY anno DESC LIMIT 1`, plesso, int(anno))
	if err != nil {
		return 0, 0, false, fmt.Errorf("UltimiStudentiMIM: %w", err)
	}
	if len(rows) == 0 {
		return 0, 0, false, nil
	}
	return rows[0].studenti, ps.AnnoScolastico(rows[0].anno), true, nil
}
