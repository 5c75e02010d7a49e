package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Caches of the submission path: an emergency morning asks the same
// questions of every request (the ATS calendar overrides) and runs the
// same handful of queries tens of thousands of times.

// elenco keeps the rows of a small table that every request asks about
// (the emergency periods, the ATS calendar overrides) for the DB's cache
// TTL (SetEmergenzaTTL): a write through this DB drops it at once, one
// made on another node or by the command line shows within the TTL.
type elenco[T any] struct {
	mu     sync.Mutex
	at     time.Time // wall clock of the load (time.Now, not db.Now)
	loaded bool
	list   []T
}

// get returns the rows, loading them when the cache is empty or older
// than ttl.
func (c *elenco[T]) get(ctx context.Context, ttl time.Duration, load func(context.Context) ([]T, error)) ([]T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded && time.Since(c.at) < ttl {
		return c.list, nil
	}
	list, err := load(ctx)
	if err != nil {
		return nil, err
	}
	c.list, c.at, c.loaded = list, time.Now(), true
	return list, nil
}

func (c *elenco[T]) invalida() {
	c.mu.Lock()
	c.loaded = false
	c.mu.Unlock()
}

// ttlElenchi is how long the elenco caches keep their rows.
func (db *DB) ttlElenchi() time.Duration {
	if d := time.Duration(db.ttl.Load()); d > 0 {
		return d
	}
	return DefaultEmergenzaTTL
}

func (db *DB) overridesCached(ctx context.Context) ([]Override, error) {
	return db.overrides.get(ctx, db.ttlElenchi(), db.Overrides)
}

// preparati caches prepared statements of the hot read queries on SQLite,
// whose driver otherwise parses and plans every query anew (a tenth of the
// CPU of a submission); pgx already caches them per connection. A
// statement is prepared on a connection of the pool, never while holding
// the cache's lock, and never synchronously inside a transaction: one that
// holds SQLite's write lock must not wait for a second connection, which
// may all be waiting for that lock.
type preparati struct {
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	inCorso map[string]bool
	chiuso  bool
}

// hot is a querier that runs its queries as cached prepared statements
// on SQLite, and as usual on PostgreSQL.
type hot struct{ db *DB }

func (db *DB) hot() querier { return hot{db} }

// cached returns the prepared statement of query, if ready.
func (p *preparati) cached(query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[query]
}

// prepara prepares query on the pool and caches it.
func (db *DB) prepara(ctx context.Context, query string) *sql.Stmt {
	p := &db.preparati
	st, err := db.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil // the plain query reports the error
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.m[query]; ok || p.chiuso {
		st.Close()
		return prev
	}
	if p.m == nil {
		p.m = map[string]*sql.Stmt{}
	}
	p.m[query] = st
	return st
}

func (h hot) stmt(ctx context.Context, query string) *sql.Stmt {
	if h.db.dialect != SQLite {
		return nil
	}
	if st := h.db.preparati.cached(query); st != nil {
		return st
	}
	return h.db.prepara(ctx, query)
}

func (h hot) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return h.db.sql.ExecContext(ctx, query, args...)
}

func (h hot) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := h.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return h.db.sql.QueryContext(ctx, query, args...)
}

func (h hot) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := h.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return h.db.sql.QueryRowContext(ctx, query, args...)
}

func (p *preparati) chiudi() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.chiuso = true
	for _, st := range p.m {
		st.Close()
	}
	p.m = nil
}

// stmtTx is what a statement bound to a transaction offers.
type stmtTx interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, args ...any) (*sql.Rows, error)
}

// txHot returns query bound to tx: the cached prepared statement on
// SQLite once it is ready (it is prepared in the background on first use,
// see preparati), the plain query otherwise and on PostgreSQL.
func (db *DB) txHot(ctx context.Context, tx querierTx, query string) stmtTx {
	if db.dialect == SQLite {
		p := &db.preparati
		p.mu.Lock()
		st := p.m[query]
		avvia := st == nil && !p.inCorso[query] && !p.chiuso
		if avvia {
			if p.inCorso == nil {
				p.inCorso = map[string]bool{}
			}
			p.inCorso[query] = true
		}
		p.mu.Unlock()
		if st != nil {
			return tx.StmtContext(ctx, st)
		}
		if avvia {
			go func() {
				pctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				db.prepara(pctx, query)
				p.mu.Lock()
				delete(p.inCorso, query)
				p.mu.Unlock()
			}()
		}
	}
	return txQuery{tx, query}
}

type txQuery struct {
	tx    querierTx
	query string
}

func (q txQuery) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return q.tx.ExecContext(ctx, q.query, args...)
}

func (q txQuery) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return q.tx.QueryContext(ctx, q.query, args...)
}
