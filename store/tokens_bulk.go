package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"

	ps "github.com/portalescuole/portalescuole"
)

// CreaTokens issues one token per plesso (the load generator's emergency
// mix needs tens of thousands), a thousand per transaction with one audit
// line each, and returns them in clear by plesso.
func (db *DB) CreaTokens(ctx context.Context, a ps.Actor, plessi []string, nome string) (map[string]string, error) {
	out := make(map[string]string, len(plessi))
	now := ts(db.Now())
	for len(plessi) > 0 {
		batch := plessi[:min(1000, len(plessi))]
		plessi = plessi[len(batch):]
		toks := make([]string, len(batch))
		for i := range batch {
			b := make([]byte, 20)
			if _, err := rand.Read(b); err != nil {
				return nil, err
			}
			toks[i] = "ps_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
		}
		err := db.withTx(ctx, func(tx querierTx) error {
			for i, p := range batch {
				if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (plesso, nome, prefisso, hash, creato_il, creato_da) VALUES ($1, $2, $3, $4, $5, $6)`,
					p, nome, toks[i][:9], hashToken(toks[i]), now, a.Username); err != nil {
					return err
				}
			}
			return db.audit(ctx, tx, a, "token.create", "plessi", map[string]any{"n": len(batch), "nome": nome})
		})
		if err != nil {
			return nil, err
		}
		for i, p := range batch {
			out[p] = toks[i]
		}
	}
	return out, nil
}
