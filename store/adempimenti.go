package store

import (
	"context"

	ps "github.com/portalescuole/portalescuole"
)

// Adempimenti returns, for every plesso matching f, whether it has entered
// its figures for the school year, with its latest revision.
func (db *DB) Adempimenti(ctx context.Context, anno ps.AnnoScolastico, f PlessoFilter) ([]ps.Adempimento, error) {
	plessi, err := db.Plessi(ctx, f)
	if err != nil {
		return nil, err
	}
	latest := map[string]ps.Consistenza{}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+consistenzaCols+` FROM consistenze c WHERE anno = $1
		AND revisione = (SELECT MAX(revisione) FROM consistenze c2 WHERE c2.plesso = c.plesso AND c2.anno = c.anno)`, int(anno))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		c, err := scanConsistenza(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		latest[c.Plesso] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	mim := map[string]int{}
	// The ministry's counts of the latest release not after this year.
	mr, err := db.sql.QueryContext(ctx, `SELECT plesso, studenti FROM studenti_mim s WHERE anno = (SELECT MAX(anno) FROM studenti_mim WHERE anno <= $1)`, int(anno))
	if err != nil {
		return nil, err
	}
	for mr.Next() {
		var p string
		var n int
		if err := mr.Scan(&p, &n); err != nil {
			mr.Close()
			return nil, err
		}
		mim[p] = n
	}
	mr.Close()
	sent := map[string]bool{}
	sr, err := db.sql.QueryContext(ctx, `SELECT plesso FROM sentinelle WHERE anno = $1`, int(anno))
	if err != nil {
		return nil, err
	}
	for sr.Next() {
		var p string
		if err := sr.Scan(&p); err != nil {
			sr.Close()
			return nil, err
		}
		sent[p] = true
	}
	sr.Close()
	out := make([]ps.Adempimento, 0, len(plessi))
	for _, p := range plessi {
		a := ps.Adempimento{Plesso: p, StudentiMIM: mim[p.Codice], Sentinella: sent[p.Codice]}
		if c, ok := latest[p.Codice]; ok {
			a.Consistenza = &c
		}
		out = append(out, a)
	}
	return out, nil
}
