package store

import (
	"context"
	"fmt"

	ps "github.com/portalescuole/portalescuole"
)

// Adempimenti returns, for every plesso matching f, whether it has entered
// its figures for the school year, with its latest revision.
func (db *DB) Adempimenti(ctx context.Context, anno ps.AnnoScolastico, f PlessoFilter) ([]ps.Adempimento, error) {
	plessi, err := db.Plessi(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("Adempimenti: %w", err)
	}
	// The latest revision of each plesso (a window function: a correlated
	// MAX per row costs seconds on SQLite at national scale).
	revs, err := queryAll(ctx, db.sql, scanConsistenza, `SELECT `+consistenzaCols+` FROM (SELECT *,
		ROW_NUMBER() OVER (PARTITION BY plesso ORDER BY revisione DESC) AS ultima FROM consistenze WHERE anno = $1) c WHERE ultima = 1`, int(anno))
	if err != nil {
		return nil, fmt.Errorf("Adempimenti: %w", err)
	}
	latest := make(map[string]ps.Consistenza, len(revs))
	for _, c := range revs {
		latest[c.Plesso] = c
	}
	// The ministry's counts of the latest release not after this year.
	counts, err := queryAll(ctx, db.sql, func(sc scanner) (s Studenti, err error) {
		return s, sc.Scan(&s.Plesso, &s.Studenti)
	}, `SELECT plesso, studenti FROM studenti_mim WHERE anno = (SELECT MAX(anno) FROM studenti_mim WHERE anno <= $1)`, int(anno))
	if err != nil {
		return nil, fmt.Errorf("Adempimenti: %w", err)
	}
	mim := make(map[string]int, len(counts))
	for _, c := range counts {
		mim[c.Plesso] = c.Studenti
	}
	sentinels, err := queryAll(ctx, db.sql, scanString, `SELECT plesso FROM sentinelle WHERE anno = $1`, int(anno))
	if err != nil {
		return nil, fmt.Errorf("Adempimenti: %w", err)
	}
	sent := make(map[string]bool, len(sentinels))
	for _, p := range sentinels {
		sent[p] = true
	}
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
