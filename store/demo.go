package store

import (
	"context"
	"fmt"
	"strings"

	ps "github.com/portalescuole/portalescuole"
)

// DemoStatali names and places the plessi that only a pupil-count file
// created (demo data: their istituto and municipality are derived, see
// package demo). Audited like any write.
func (db *DB) DemoStatali(ctx context.Context, place func(codice string) (istituto, nome, catastale, comune string, ok bool)) error {
	plessi, err := db.Plessi(ctx, PlessoFilter{})
	if err != nil {
		return fmt.Errorf("DemoStatali: %w", err)
	}
	return db.withTx(ctx, func(tx querierTx) error {
		n := 0
		for _, p := range plessi {
			if p.CodiceCatastale != "" || p.Nome != p.Codice {
				continue
			}
			ist, nome, cat, comune, ok := place(p.Codice)
			if !ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO istituti (codice, nome) VALUES ($1, $2) ON CONFLICT (codice) DO NOTHING`, ist, nome); err != nil {
				return fmt.Errorf("DemoStatali: %w", err)
			}
			label := map[ps.Grado]string{ps.Primaria: "Scuola primaria", ps.Secondaria1: "Scuola secondaria di I grado",
				ps.Secondaria2: "Scuola secondaria di II grado", ps.Infanzia: "Scuola dell'infanzia"}[p.Grado]
			if label == "" {
				label = "Plesso"
			}
			if _, err := tx.ExecContext(ctx, `UPDATE plessi SET nome = $1, istituto = $2, codice_catastale = $3, comune_nome = $4, email = $5 WHERE codice = $6`,
				label+" di "+comune, ist, cat, comune, strings.ToLower(p.Codice)+"@scuola.invalid", p.Codice); err != nil {
				return fmt.Errorf("DemoStatali: %w", err)
			}
			n++
		}
		// Demo mail must never reach a real school: the public register's
		// addresses are replaced by undeliverable ones.
		if _, err := tx.ExecContext(ctx, `UPDATE plessi SET email = LOWER(codice) || '@scuola.invalid'`); err != nil {
			return fmt.Errorf("DemoStatali: %w", err)
		}
		return db.audit(ctx, tx, ps.Actor{Username: "demo"}, "demo.statali", "plessi", map[string]int{"n": n})
	})
}
