package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"sync"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// CreateTokens issues one token per plesso (the load generator's emergency
// mix needs tens of thousands), a thousand per transaction with one audit
// line each, and returns them in clear by plesso.
func (db *DB) CreateTokens(ctx context.Context, a ps.Actor, plessi []string, nome string) (map[string]string, error) {
	out := make(map[string]string, len(plessi))
	now := ts(db.Now())
	for len(plessi) > 0 {
		batch := plessi[:min(1000, len(plessi))]
		plessi = plessi[len(batch):]
		toks := make([]string, len(batch))
		for i := range batch {
			b := make([]byte, 20)
			if _, err := rand.Read(b); err != nil {
				return nil, fmt.Errorf("CreateTokens: %w", err)
			}
			toks[i] = "ps_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
		}
		err := db.withTx(ctx, func(tx querierTx) error {
			for i, p := range batch {
				if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (plesso, nome, prefisso, hash, creato_il, creato_da) VALUES ($1, $2, $3, $4, $5, $6)`,
					p, nome, toks[i][:9], hashToken(toks[i]), now, a.Username); err != nil {
					return fmt.Errorf("CreateTokens: %w", err)
				}
			}
			return db.audit(ctx, tx, a, "token.create", "plessi", map[string]any{"n": len(batch), "nome": nome})
		})
		if err != nil {
			return nil, fmt.Errorf("CreateTokens: %w", err)
		}
		for i, p := range batch {
			out[p] = toks[i]
		}
	}
	return out, nil
}

// usiToken defers the "last used" stamps of API tokens: in emergency mode
// every token of the territory is used for the first time in the same
// morning, and stamping it in its own transaction doubled the writes of
// each submission. Stamps are written together, in one transaction, at
// most every usiIntervallo, and on Close.
type usiToken struct {
	mu     sync.Mutex
	m      map[string]map[int64]time.Time // table → id → last use
	stop   chan struct{}
	done   chan struct{}
	chiuso bool
}

const usiIntervallo = 2 * time.Second

// segnaUso records a token's use, to be written by the flusher.
func (db *DB) segnaUso(table string, id int64, at time.Time) {
	u := &db.usi
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.chiuso {
		return
	}
	if u.m == nil {
		u.m = map[string]map[int64]time.Time{}
	}
	if u.m[table] == nil {
		u.m[table] = map[int64]time.Time{}
	}
	u.m[table][id] = at
	if u.stop == nil {
		u.stop, u.done = make(chan struct{}), make(chan struct{})
		go db.scriviUsi()
	}
}

func (db *DB) scriviUsi() {
	defer close(db.usi.done)
	t := time.NewTicker(usiIntervallo)
	defer t.Stop()
	for {
		select {
		case <-db.usi.stop:
			db.flushUsi()
			return
		case <-t.C:
			db.flushUsi()
		}
	}
}

// flushUsi writes the pending stamps in one transaction (best effort: a
// lost stamp only makes a token's last use look older).
func (db *DB) flushUsi() {
	u := &db.usi
	u.mu.Lock()
	m := u.m
	u.m = nil
	u.mu.Unlock()
	if len(m) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db.withTx(ctx, func(tx querierTx) error {
		for table, ids := range m {
			type uso struct {
				id int64
				at string
			}
			usi := make([]uso, 0, len(ids))
			for id, at := range ids {
				usi = append(usi, uso{id, ts(at)})
			}
			// Many rows per statement (a morning of first uses is tens of
			// thousands), in the few sizes that are prepared once.
			for len(usi) > 0 {
				n := scalino(len(usi), scalaScritture)
				chunk := usi[:n]
				usi = usi[n:]
				var b strings.Builder
				args := make([]any, 0, 2*n)
				b.WriteString(`UPDATE ` + table + ` SET usato_il = v.column2 FROM (VALUES `)
				for i, u := range chunk {
					if i > 0 {
						b.WriteString(", ")
					}
					b.WriteString("(CAST(" + db.segnaposto(len(args)+1) + " AS BIGINT), " + db.segnaposto(len(args)+2) + ")")
					args = append(args, u.id, u.at)
				}
				b.WriteString(`) AS v WHERE ` + table + `.id = v.column1 AND ` + table + `.usato_il < v.column2`)
				if _, err := db.txHot(ctx, tx, b.String()).ExecContext(ctx, args...); err != nil {
					return fmt.Errorf("flushUsi: %w", err)
				}
			}
		}
		return nil
	})
}

// chiudiUsi writes the pending stamps and stops the flusher.
func (db *DB) chiudiUsi() {
	u := &db.usi
	u.mu.Lock()
	u.chiuso = true
	stop, done := u.stop, u.done
	u.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}
