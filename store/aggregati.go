package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// RigaAssenza is one revision of a whole-plesso school day, as the
// in-memory aggregates (package aggregati) read them.
type RigaAssenza struct {
	ID        int64
	Plesso    string
	Giorno    time.Time
	Revisione int
	// Valida is false for a closed day or one without the number absent:
	// such a revision removes the day from the series.
	Valida   bool
	Assenti  int
	Malattia int // febbre + gastro + altra_malattia, -1 when not split
	// Febbre (fever or respiratory illness) and Gastro, -1 when not given.
	Febbre, Gastro int
}

// ScorriAssenze calls fn, in id order, for every whole-plesso revision with
// id greater than dopo, and returns the largest id seen (dopo if none).
// Rows are streamed: a national history is millions of rows.
func (db *DB) ScorriAssenze(ctx context.Context, dopo int64, fn func(RigaAssenza)) (int64, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, plesso, giorno, revisione, chiuso, assenti, febbre, gastro, altra_malattia
		FROM assenze WHERE classe = '' AND id > $1 ORDER BY id`, dopo)
	if err != nil {
		return dopo, err
	}
	defer rows.Close()
	last := dopo
	var giorno string
	var chiuso bool
	var a, f, g, m sql.NullInt64
	for rows.Next() {
		var r RigaAssenza
		if err := rows.Scan(&r.ID, &r.Plesso, &giorno, &r.Revisione, &chiuso, &a, &f, &g, &m); err != nil {
			return last, err
		}
		r.Giorno = parseDay(giorno)
		r.Valida = !chiuso && a.Valid
		r.Assenti = int(a.Int64)
		r.Malattia, r.Febbre, r.Gastro = -1, -1, -1
		if f.Valid {
			r.Febbre = int(f.Int64)
		}
		if g.Valid {
			r.Gastro = int(g.Int64)
		}
		if f.Valid && g.Valid && m.Valid {
			r.Malattia = int(f.Int64 + g.Int64 + m.Int64)
		}
		last = max(last, r.ID)
		fn(r)
	}
	return last, rows.Err()
}

// ConsistenzeDopo returns the enrolment revisions with id greater than dopo.
func (db *DB) ConsistenzeDopo(ctx context.Context, dopo int64) ([]ps.Consistenza, error) {
	return queryAll(ctx, db.sql, scanConsistenza, `SELECT `+consistenzaCols+` FROM consistenze WHERE id > $1 ORDER BY id`, dopo)
}

// FirmaAnagrafe changes whenever the register of plessi may have changed
// (an import run, a plesso added or retired): the in-memory aggregates are
// then rebuilt, since a plesso's strata decide its series.
func (db *DB) FirmaAnagrafe(ctx context.Context) (string, error) {
	var n, attivi int64
	var imp sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM plessi), (SELECT COUNT(*) FROM plessi WHERE attivo),
		(SELECT MAX(id) FROM import_runs)`).Scan(&n, &attivi, &imp)
	return fmt.Sprintf("%d/%d/%d", n, attivi, imp.Int64), err
}

// SentinellePerAnno counts the sentinel plessi of every school year.
func (db *DB) SentinellePerAnno(ctx context.Context) (map[ps.AnnoScolastico]int, error) {
	type row struct{ anno, n int }
	rows, err := queryAll(ctx, db.sql, func(s scanner) (r row, err error) {
		err = s.Scan(&r.anno, &r.n)
		return r, err
	}, `SELECT anno, COUNT(*) FROM sentinelle GROUP BY anno`)
	out := map[ps.AnnoScolastico]int{}
	for _, r := range rows {
		out[ps.AnnoScolastico(r.anno)] = r.n
	}
	return out, err
}

// StudenteMIM is one plesso's pupil count in one ministry release.
type StudenteMIM struct {
	Plesso   string
	Anno     ps.AnnoScolastico
	Studenti int
}

// TuttiStudentiMIM returns every ministry count of every release.
func (db *DB) TuttiStudentiMIM(ctx context.Context) ([]StudenteMIM, error) {
	return queryAll(ctx, db.sql, func(s scanner) (r StudenteMIM, err error) {
		var anno int
		err = s.Scan(&r.Plesso, &anno, &r.Studenti)
		r.Anno = ps.AnnoScolastico(anno)
		return r, err
	}, `SELECT plesso, anno, studenti FROM studenti_mim`)
}
