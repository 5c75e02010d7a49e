// Package storetest opens fresh databases for tests: a SQLite file always,
// and a PostgreSQL database when PORTALE_TEST_POSTGRES holds a DSN (one new
// database per test, dropped afterwards).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
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
	if _, err := adb.Exec(`CREATE DATABASE ` + name); err != nil {
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
