package generate

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/portalescuole/portalescuole/store"
)

// Bound variables per statement: SQLite (modernc.org/sqlite, SQLite 3.5x)
// is compiled with SQLITE_MAX_VARIABLE_NUMBER 32766, PostgreSQL's wire
// protocol carries at most 65535 parameters.
const (
	maxVarSQLite   = 32766
	maxVarPostgres = 65535
)

// maxRighe caps the rows of one INSERT: beyond a few hundred rows a longer
// statement saves no time (measured: 100, 500 and 2,000 rows per statement
// take the same time on PostgreSQL) and only costs memory.
var maxRighe = 500

// copiaPostgres writes PostgreSQL tables with COPY, righeCopy rows at a
// time, instead of INSERT statements.
var (
	copiaPostgres = true
	righeCopy     = 5000
)

// scrittore runs the statements of a transaction, in order, on a goroutine
// of its own, so that generating the next rows (simulation, formatting)
// overlaps with the database's work on the previous ones. The first error
// stops it: later statements are dropped and every call reports it.
type scrittore struct {
	ctx  context.Context
	conn *sql.Conn // the connection tx runs on
	tx   *sql.Tx
	jobs chan func() error
	done chan struct{}

	mu  sync.Mutex
	err error
}

// codaScrittore is how many batches may wait for the database: enough to
// smooth the producer's bursts, few enough to keep memory small.
const codaScrittore = 4

func nuovoScrittore(ctx context.Context, conn *sql.Conn, tx *sql.Tx) *scrittore {
	w := &scrittore{ctx: ctx, conn: conn, tx: tx, jobs: make(chan func() error, codaScrittore), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for job := range w.jobs {
			if w.errore() != nil {
				continue
			}
			if err := job(); err != nil {
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
			}
		}
	}()
	return w
}

func (w *scrittore) errore() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// invia queues a statement.
func (w *scrittore) invia(job func() error) error {
	if err := w.errore(); err != nil {
		return err
	}
	select {
	case w.jobs <- job:
		return nil
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
}

// attendi waits until every queued statement has run, and reports the
// first error. The transaction is then free for the caller's own use.
func (w *scrittore) attendi() error {
	fatto := make(chan struct{})
	if err := w.invia(func() error { close(fatto); return nil }); err != nil {
		return err
	}
	select {
	case <-fatto:
	case <-w.done:
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
	return w.errore()
}

// chiudi stops the goroutine after the queued statements.
func (w *scrittore) chiudi() error {
	close(w.jobs)
	<-w.done
	return w.errore()
}

// inseritore writes rows of one table with multi-row INSERT ... VALUES
// statements: the full-size statement is prepared once and reused, the
// last partial batch gets a statement of its own.
type inseritore struct {
	w       *scrittore
	tabella string
	colonne []string
	testa   string // INSERT INTO t (a, b) VALUES
	ncol    int
	// copia: PostgreSQL's COPY FROM STDIN (binary) through the pgx
	// connection under database/sql, inside the same transaction.
	copia bool
	// anonimi: "?" placeholders. modernc.org/sqlite looks up the name of
	// every parameter, a linear scan of the statement's named ones ($n
	// count), which makes a statement with thousands of $n quadratic.
	anonimi bool
	perStmt int
	stmt    *sql.Stmt // used by the writer goroutine only
	args    []any
	pool    sync.Pool
	righe   int64 // rows written so far (sent or buffered)
}

func nuovoInseritore(w *scrittore, d store.Dialect, tabella string, colonne ...string) *inseritore {
	limit := maxVarSQLite
	if d == store.Postgres {
		limit = maxVarPostgres
	}
	per := min(limit/len(colonne), maxRighe)
	if d == store.Postgres && copiaPostgres {
		per = righeCopy
	}
	b := &inseritore{
		w:       w,
		tabella: tabella,
		colonne: colonne,
		copia:   d == store.Postgres && copiaPostgres,
		testa:   "INSERT INTO " + tabella + " (" + strings.Join(colonne, ", ") + ") VALUES ",
		ncol:    len(colonne),
		anonimi: d == store.SQLite,
		perStmt: per,
	}
	b.pool.New = func() any { return make([]any, 0, per*len(colonne)) }
	b.args = b.pool.Get().([]any)
	return b
}

// testo returns the statement for n rows (placeholders $1..$n*ncol or ?).
func (b *inseritore) testo(n int) string {
	var sb strings.Builder
	sb.Grow(len(b.testa) + n*b.ncol*7)
	sb.WriteString(b.testa)
	k := 1
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for j := 0; j < b.ncol; j++ {
			if j > 0 {
				sb.WriteByte(',')
			}
			if b.anonimi {
				sb.WriteByte('?')
			} else {
				sb.WriteByte('$')
				sb.WriteString(strconv.Itoa(k))
			}
			k++
		}
		sb.WriteByte(')')
	}
	return sb.String()
}

// riga buffers one row (len(vals) must be the number of columns) and sends
// a full batch to the writer.
func (b *inseritore) riga(vals ...any) error {
	b.args = append(b.args, vals...)
	b.righe++
	if len(b.args) >= b.perStmt*b.ncol {
		return b.invia()
	}
	return nil
}

func (b *inseritore) invia() error {
	args := b.args
	n := len(args) / b.ncol
	if n == 0 {
		return nil
	}
	b.args = b.pool.Get().([]any)
	ctx, tx := b.w.ctx, b.w.tx
	return b.w.invia(func() error {
		var err error
		if b.copia {
			err = b.w.conn.Raw(func(dc any) error {
				c, ok := dc.(*stdlib.Conn)
				if !ok {
					return fmt.Errorf("COPY: connessione %T inattesa", dc)
				}
				m, err := c.Conn().CopyFrom(ctx, pgx.Identifier{b.tabella}, b.colonne, pgx.CopyFromSlice(n, func(i int) ([]any, error) {
					return args[i*b.ncol : (i+1)*b.ncol], nil
				}))
				if err == nil && m != int64(n) {
					err = fmt.Errorf("COPY %s: %d righe scritte su %d", b.tabella, m, n)
				}
				return err
			})
		} else if n == b.perStmt {
			if b.stmt == nil {
				if b.stmt, err = tx.PrepareContext(ctx, b.testo(n)); err != nil {
					return err
				}
			}
			_, err = b.stmt.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, b.testo(n), args...)
		}
		clear(args)
		b.pool.Put(args[:0])
		return err
	})
}

// chiudi sends the rows still buffered and then releases the statement.
func (b *inseritore) chiudi() error {
	if err := b.invia(); err != nil {
		return err
	}
	return b.w.invia(func() error {
		if b.stmt == nil {
			return nil
		}
		err := b.stmt.Close()
		b.stmt = nil
		return err
	})
}
