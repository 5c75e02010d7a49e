package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/portalescuole/portalescuole/store"
)

// TestNonDisponibile tells a database that cannot be reached (a failover's
// errors) from a request's own fault.
func TestNonDisponibile(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "57P01"}, true},                          // terminating connection: admin shutdown
		{&pgconn.PgError{Code: "08006"}, true},                          // connection failure
		{fmt.Errorf("query: %w", &pgconn.PgError{Code: "25006"}), true}, // read-only: a standby not yet promoted
		{&pgconn.PgError{Code: "23505"}, false},                         // a unique violation is the request's
		{errors.New("sql: database is closed"), true},
		{errors.New("parametro non valido"), false},
		{nil, false},
	} {
		if got := store.NonDisponibile(tc.err); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.err, got, tc.want)
		}
	}
}
