package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// RigaAssenza is one revision of a whole-plesso school day, as the
// in-memory aggregates (package aggregati) read them: integers only, a
// national history being a million and a half of them.
type RigaAssenza struct {
	ID        int64
	Plesso    string
	Giorno    int32 // days since 1970-01-01
	Revisione int32
	// Assenti is -1 for a closed day or one without the number absent:
	// such a revision removes the day from the series.
	Assenti  int32
	Malattia int32 // febbre + gastro + altra_malattia, -1 when not split
	// Febbre (fever or respiratory illness) and Gastro, -1 when not given.
	Febbre, Gastro int32
}

// Valida says whether the revision puts the day in the series.
func (r RigaAssenza) Valida() bool { return r.Assenti >= 0 }

// GiornoNum returns the days since 1970-01-01 of a 'YYYY-MM-DD' date
// without going through time.Parse (the aggregates read millions).
func GiornoNum(s string) int32 {
	if len(s) < 10 {
		return int32(parseDay(s).Unix() / 86400)
	}
	n := func(a, b int) int {
		v := 0
		for _, c := range s[a:b] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, m, d := n(0, 4), n(5, 7), n(8, 10)
	// H. Hinnant's days_from_civil, for years after 0.
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468)
}

// MassimoIDAssenze returns the largest id of the absences table (0 when
// empty): the aggregates split a full read in ranges of ids below it.
func (db *DB) MassimoIDAssenze(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT MAX(id) FROM assenze`).Scan(&n)
	return n.Int64, err
}

// ScanAssenze calls fn, in id order, for every whole-plesso revision with
// dopo < id <= fino (no upper bound when fino <= 0), and returns the
// largest id seen (dopo if none). Rows are streamed: a national history is
// millions of rows; the SQL folds the closed flag and the NULLs into -1
// so that a row is eight integers and a code.
func (db *DB) ScanAssenze(ctx context.Context, dopo, fino int64, fn func(RigaAssenza)) (int64, error) {
	q := `SELECT id, plesso, giorno, revisione,
		CASE WHEN chiuso OR assenti IS NULL THEN -1 ELSE assenti END,
		COALESCE(febbre, -1), COALESCE(gastro, -1), COALESCE(febbre + gastro + altra_malattia, -1)
		FROM assenze WHERE classe = '' AND id > $1`
	args := []any{dopo}
	if fino > 0 {
		q += ` AND id <= $2`
		args = append(args, fino)
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return dopo, fmt.Errorf("ScanAssenze: %w", err)
	}
	defer rows.Close()
	last := dopo
	var giorno string
	var rev, a, f, g, m int64
	for rows.Next() {
		var r RigaAssenza
		if err := rows.Scan(&r.ID, &r.Plesso, &giorno, &rev, &a, &f, &g, &m); err != nil {
			return last, fmt.Errorf("ScanAssenze: %w", err)
		}
		r.Giorno = GiornoNum(giorno)
		r.Revisione, r.Assenti, r.Febbre, r.Gastro, r.Malattia = int32(rev), int32(a), int32(f), int32(g), int32(m)
		last = max(last, r.ID)
		fn(r)
	}
	return last, rows.Err()
}

// ConsistenzeDopo returns the enrolment revisions with id greater than dopo.
func (db *DB) ConsistenzeDopo(ctx context.Context, dopo int64) ([]ps.Consistenza, error) {
	return queryAll(ctx, db.sql, scanConsistenza, `SELECT `+consistenzaCols+` FROM consistenze WHERE id > $1 ORDER BY id`, dopo)
}

// IscrittiDopo returns the enrolment revisions with id greater than dopo
// with only what the aggregates use: ID, Plesso, Anno, Revisione,
// Iscritti and ValidoDal (the rest left zero).
func (db *DB) IscrittiDopo(ctx context.Context, dopo int64) ([]ps.Consistenza, error) {
	return queryAll(ctx, db.sql, func(s scanner) (c ps.Consistenza, err error) {
		var anno int
		var dal string
		err = s.Scan(&c.ID, &c.Plesso, &anno, &c.Revisione, &c.Iscritti, &dal)
		c.Anno, c.ValidoDal = ps.AnnoScolastico(anno), time.Unix(int64(GiornoNum(dal))*86400, 0).UTC()
		return c, err
	}, `SELECT id, plesso, anno, revisione, iscritti, valido_dal FROM consistenze WHERE id > $1 ORDER BY id`, dopo)
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
