// Package store keeps Portale Scuole's data in SQLite (default, a file) or
// PostgreSQL (a postgres:// DSN) through database/sql, with the same
// hand-written SQL for both: $n placeholders, TEXT dates (YYYY-MM-DD) and
// timestamps (UTC, fixed-width RFC 3339) that sort as text, TRUE/FALSE
// literals. Only the migrations differ per dialect.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite" // driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	ps "github.com/portalescuole/portalescuole"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the portal's database.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	dsn     string
	// Now is the clock; tests replace it.
	Now func() time.Time
	// emerg and overrides cache the emergency periods and the ATS calendar
	// overrides for ttl (store/cache.go).
	emerg     elenco[Emergenza]
	overrides elenco[Override]
	ttl       atomic.Int64
	// usi defers the tokens' last-use stamps (store/tokens_bulk.go).
	usi usiToken
	// gruppo group-commits absence submissions (store/assenze.go).
	gruppo gruppoCommit
	// preparati serves the submission path (store/cache.go).
	preparati preparati
	// sessTouch skips idle-expiry-only session writes (store/sessions.go).
	sessTouch sessTouch
}

// sqliteSynchronous is FULL: in WAL mode every commit syncs the WAL before
// it is acknowledged, so an acknowledged write survives a power failure or
// an OS crash; NORMAL would sync only at checkpoints and may lose the last
// commits (BenchmarkSalvaGiorni_Synchronous measures the cost; see
// docs/deploy.md). A variable so that the benchmark can compare the two.
var sqliteSynchronous = "FULL"

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating the file or directory when needed) the database named
// by dsn and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{dsn: dsn, Now: time.Now}
	var err error
	if IsPostgres(dsn) {
		db.dialect = Postgres
		db.sql, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("Open: %w", err)
		}
		db.sql.SetMaxOpenConns(32)
		db.sql.SetMaxIdleConns(32)
	} else {
		db.dialect = SQLite
		if dir := filepath.Dir(dsn); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("data directory: %w", err)
			}
		}
		// WAL lets readers run beside the one writer; immediate transactions
		// take the write lock up front so two writers queue (busy_timeout)
		// instead of failing on a lock upgrade. 32 MiB of page cache per
		// connection (SQLite's default is 2): the submission path reads
		// plessi, calendars, enrolments and tokens all over the file.
		db.sql, err = sql.Open("sqlite", "file:"+dsn+
			"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous("+sqliteSynchronous+")&_pragma=foreign_keys(1)&_pragma=cache_size(-32768)&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("Open: %w", err)
		}
		db.sql.SetMaxOpenConns(8)
		db.sql.SetMaxIdleConns(8)
	}
	if err := db.sql.PingContext(ctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	return db, nil
}

// Migrate applies the pending goose migrations of the DB's dialect.
func (db *DB) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return fmt.Errorf("Migrate: %w", err)
	}
	d := goose.DialectSQLite3
	if db.dialect == Postgres {
		d = goose.DialectPostgres
	}
	p, err := goose.NewProvider(d, db.sql, sub)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Close closes the database.
func (db *DB) Close() error {
	db.gruppo.chiudi()
	db.chiudiUsi()
	db.preparati.chiudi()
	return db.sql.Close()
}

// segnaposto is the i-th (1-based) placeholder of a generated multi-row
// statement: "$i" on PostgreSQL, "?" on SQLite, whose parser looks each
// "$i" up in a list and turns a statement of a thousand parameters
// quadratic (the rest of the SQL keeps "$n", which both accept).
func (db *DB) segnaposto(i int) string {
	if db.dialect == Postgres {
		return "$" + strconv.Itoa(i)
	}
	return "?"
}

// Dialect returns the SQL engine in use.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL exposes the handle for tests and the backup command.
func (db *DB) SQL() *sql.DB { return db.sql }

// Ping checks that the database answers (GET /healthz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.sql.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// Stato is what the health check reports of the database.
type Stato struct {
	Motore  string // "sqlite" or "postgres"
	Ruolo   string // "primario", "standby" ("unico" for SQLite)
	Standby int    // standbys streaming from a primary
	// Ritardo is the replication lag: the slowest standby's replay lag on
	// a primary, the age of the last replayed transaction on a standby.
	Ritardo time.Duration
}

// StatoDatabase reads the engine's role and replication lag (issue 21,
// item 11: the health check said nothing of them).
func (db *DB) StatoDatabase(ctx context.Context) (Stato, error) {
	if db.dialect != Postgres {
		return Stato{Motore: "sqlite", Ruolo: "unico"}, db.Ping(ctx)
	}
	st := Stato{Motore: "postgres", Ruolo: "primario"}
	var standby bool
	if err := db.sql.QueryRowContext(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil {
		return st, fmt.Errorf("StatoDatabase: %w", err)
	}
	var secs float64
	if standby {
		st.Ruolo = "standby"
		if err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::float8`).Scan(&secs); err != nil {
			return st, fmt.Errorf("StatoDatabase: %w", err)
		}
	} else if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(EXTRACT(EPOCH FROM replay_lag)), 0)::float8 FROM pg_stat_replication`).Scan(&st.Standby, &secs); err != nil {
		return st, fmt.Errorf("StatoDatabase: %w", err)
	}
	st.Ritardo = time.Duration(secs * float64(time.Second))
	return st, nil
}

// withTx runs fn in a transaction, committing when it returns nil.
func (db *DB) withTx(ctx context.Context, fn func(tx querierTx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("withTx: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const tsLayout = "2006-01-02T15:04:05.000000Z"

// ts formats a timestamp for storage; the zero time is stored as "".
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(tsLayout)
}

func parseTS(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(tsLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func day(t time.Time) string { return t.Format(ps.DateLayout) }

func parseDay(s string) time.Time {
	t, _ := time.Parse(ps.DateLayout, s)
	return t
}

func notFound(what string) error {
	return &ps.Error{Code: ps.ENotFound, Message: "err.notfound." + what}
}

// isUniqueViolation reports a unique-constraint failure in either engine,
// by the driver's error code: SQLSTATE 23505 on PostgreSQL, the extended
// constraint codes on SQLite (modernc turns extended codes on).
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505" // unique_violation
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// NonDisponibile reports an error that says the database cannot be
// reached now (gone, shutting down, in failover, connection lost), rather
// than a fault of the request: the web answers 503 with Retry-After then,
// not 500 (issue 21, item 11).
func NonDisponibile(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08: connection exception; 57P01-57P03: admin shutdown, crash
		// shutdown, cannot connect now; 25006: read-only transaction (a
		// standby not yet promoted).
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "25006"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) {
		return true
	}
	return strings.Contains(err.Error(), "sql: database is closed") || pgconn.SafeToRetry(err)
}

// isRetryable reports an error after which re-running the whole
// transaction may succeed: a unique key taken by a concurrent writer, or a
// PostgreSQL serialization failure or deadlock.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01") {
		return true
	}
	return isUniqueViolation(err)
}

// maxTxAttempts bounds the re-runs of a transaction that lost a race.
const maxTxAttempts = 5

// withTxRetry runs withTx, re-running the whole transaction (reads
// included, so any "same as the latest" check is redone) when it lost a
// race to a concurrent writer. After maxTxAttempts it gives up with a
// conflict, never an internal error.
func (db *DB) withTxRetry(ctx context.Context, what string, fn func(tx querierTx) error) error {
	var err error
	for range maxTxAttempts {
		if err = db.withTx(ctx, fn); err == nil || !isRetryable(err) {
			return err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return &ps.Error{Code: ps.EConflict, Message: "err.concorrenza", Err: fmt.Errorf("%s: %d attempts: %w", what, maxTxAttempts, err)}
}

// serialize makes the transactions that take the same key run one after
// the other on PostgreSQL (a transaction-scoped advisory lock, taken before
// the transaction reads what it will write). SQLite needs nothing: its
// immediate transactions already hold the database's one write lock.
func (db *DB) serialize(ctx context.Context, tx querierTx, key string) error {
	if db.dialect != Postgres {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64())); err != nil {
		return fmt.Errorf("lock %s: %w", key, err)
	}
	return nil
}

// serializeAll is serialize for several keys (prefix+key), taken in the
// order of their hashes so that two transactions locking overlapping sets
// never wait on each other; one statement per hundred keys.
func (db *DB) serializeAll(ctx context.Context, tx querierTx, keys map[string]bool, prefix string) error {
	if db.dialect != Postgres || len(keys) == 0 {
		return nil
	}
	hs := make([]int64, 0, len(keys))
	for k := range keys {
		h := fnv.New64a()
		h.Write([]byte(prefix + k))
		hs = append(hs, int64(h.Sum64()))
	}
	slices.Sort(hs)
	hs = slices.Compact(hs)
	for len(hs) > 0 {
		chunk := hs[:min(100, len(hs))]
		hs = hs[len(chunk):]
		var b strings.Builder
		args := make([]any, len(chunk))
		b.WriteString("SELECT ")
		for i, h := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			// Target-list expressions are evaluated left to right.
			b.WriteString("pg_advisory_xact_lock($" + strconv.Itoa(i+1) + ")")
			args[i] = h
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("lock %d keys %s…: %w", len(keys), prefix, err)
		}
	}
	return nil
}

var errNoRows = sql.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }

// querierTx is the transaction handle passed to withTx callbacks.
type querierTx = *sql.Tx

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("queryAll: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("queryAll: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
