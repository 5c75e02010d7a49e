// Package storetest opens fresh databases for tests: a SQLite file always,
// and a PostgreSQL database when PORTALE_TEST_POSTGRES holds a DSN (one new
// database per test, dropped afterwards).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/portalescuole/portalescuole/internal/testenv"
	"github.com/portalescuole/portalescuole/store"
)

// EnvPostgres names the variable with an administrative PostgreSQL DSN.
const EnvPostgres = "PORTALE_TEST_POSTGRES"

// Dialects lists the engines of this test run: PostgreSQL too when
// configured, or in strict mode (CI), where DSN then fails the test.
func Dialects() []store.Dialect {
	if os.Getenv(EnvPostgres) != "" || testenv.Strict() {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	return []store.Dialect{store.SQLite}
}

// ForEach runs fn as a subtest on a fresh database of every available engine.
func ForEach(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, New(t, d))
		})
	}
}

// New opens a fresh, migrated database of the given engine.
func New(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	dsn := DSN(t, d)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// DSN creates an empty database and returns its DSN (dropped at cleanup).
func DSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	return dsnFrom(t, d, "")
}

// dsnFrom creates a database, a copy of the PostgreSQL database named
// template when it is not empty.
func dsnFrom(t testing.TB, d store.Dialect, template string) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "portale.db")
	}
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		testenv.Missing(t, "PostgreSQL not configured: set %s", EnvPostgres)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "ps_test_" + hex.EncodeToString(b)
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	create := `CREATE DATABASE ` + name
	if template != "" {
		create += ` TEMPLATE ` + template
		// Two copies of one template at once fail: one at a time.
		seeded.copyMu.Lock()
		defer seeded.copyMu.Unlock()
	}
	if _, err := adb.Exec(create); err != nil {
		adb.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		adb.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		adb.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// seeded holds the template databases of Seeded, one per engine and key.
var seeded struct {
	mu     sync.Mutex
	copyMu sync.Mutex
	m      map[string]*templateDB
	dir    string   // SQLite template files
	pg     []string // PostgreSQL template databases
}

type templateDB struct {
	once sync.Once
	src  string // SQLite file or PostgreSQL database name
	err  error
}

// Seeded opens a fresh database of engine d holding what seed wrote: seed
// runs once per engine and key in the test binary, and every later call gets
// a copy (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL),
// so that tests sharing a costly fixture such as the demo do not rebuild it.
// A package using it calls Cleanup from TestMain.
func Seeded(t testing.TB, d store.Dialect, key string, seed func(*store.DB) error) *store.DB {
	t.Helper()
	seeded.mu.Lock()
	if seeded.m == nil {
		seeded.m = map[string]*templateDB{}
	}
	tpl, ok := seeded.m[string(d)+"/"+key]
	if !ok {
		tpl = &templateDB{}
		seeded.m[string(d)+"/"+key] = tpl
	}
	seeded.mu.Unlock()
	tpl.once.Do(func() { tpl.src, tpl.err = makeTemplate(d, seed) })
	if tpl.err != nil {
		t.Fatalf("seed the template database: %v", tpl.err)
	}
	var dsn string
	if d == store.SQLite {
		dsn = dsnFrom(t, d, "")
		b, err := os.ReadFile(tpl.src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dsn, b, 0o600); err != nil {
			t.Fatal(err)
		}
	} else {
		dsn = dsnFrom(t, d, tpl.src)
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// makeTemplate seeds a template database and closes it, so it can be copied.
func makeTemplate(d store.Dialect, seed func(*store.DB) error) (string, error) {
	ctx := context.Background()
	var dsn, src string
	if d == store.SQLite {
		seeded.mu.Lock()
		if seeded.dir == "" {
			dir, err := os.MkdirTemp("", "portale-storetest-")
			if err != nil {
				seeded.mu.Unlock()
				return "", err
			}
			seeded.dir = dir
		}
		b := make([]byte, 6)
		rand.Read(b)
		dsn = filepath.Join(seeded.dir, hex.EncodeToString(b)+".db")
		seeded.mu.Unlock()
		src = dsn
	} else {
		admin := os.Getenv(EnvPostgres)
		if admin == "" {
			return "", fmt.Errorf("PostgreSQL not configured: set %s", EnvPostgres)
		}
		b := make([]byte, 6)
		rand.Read(b)
		src = "ps_tmpl_" + hex.EncodeToString(b)
		adb, err := sql.Open("pgx", admin)
		if err != nil {
			return "", err
		}
		defer adb.Close()
		if _, err := adb.Exec(`CREATE DATABASE ` + src); err != nil {
			return "", err
		}
		seeded.mu.Lock()
		seeded.pg = append(seeded.pg, src)
		seeded.mu.Unlock()
		u, err := url.Parse(admin)
		if err != nil {
			return "", err
		}
		u.Path = "/" + src
		dsn = u.String()
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return "", err
	}
	if err := seed(db); err != nil {
		db.Close()
		return "", err
	}
	if d == store.SQLite {
		// Everything into the main file, which is what gets copied.
		if _, err := db.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			db.Close()
			return "", err
		}
	}
	return src, db.Close()
}

// Cleanup removes the template databases of Seeded; call it from TestMain
// after m.Run.
func Cleanup() {
	seeded.mu.Lock()
	defer seeded.mu.Unlock()
	if seeded.dir != "" {
		os.RemoveAll(seeded.dir)
		seeded.dir = ""
	}
	if admin := os.Getenv(EnvPostgres); admin != "" && len(seeded.pg) > 0 {
		if adb, err := sql.Open("pgx", admin); err == nil {
			for _, name := range seeded.pg {
				adb.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			}
			adb.Close()
		}
	}
	seeded.pg = nil
	seeded.m = nil
}
