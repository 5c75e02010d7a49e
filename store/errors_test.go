package store_test

import (
	"errors"
	"fmt"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestDB_IsUniqueViolation classifies real driver errors of each engine by
// their codes: a unique or primary key violation, wrapped or not, and not
// the other constraint failures.
func TestDB_IsUniqueViolation(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		exec := func(q string, args ...any) error {
			_, err := db.SQL().ExecContext(ctx, q, args...)
			return err
		}
		if err := exec(`INSERT INTO distretti (codice, nome) VALUES ('D1', 'Uno')`); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			err    error
			unique bool
		}{
			{"primary key", exec(`INSERT INTO distretti (codice, nome) VALUES ('D1', 'Due')`), true},
			{"composite primary key", exec(`INSERT INTO sentinelle (plesso, anno) VALUES ('CREE80001R', 2026), ('CREE80001R', 2026)`), true},
			{"unique column", exec(`INSERT INTO comuni (codice_istat, nome, provincia, codice_catastale) VALUES ('999999', 'X', 'CR', 'A039')`), true},
			{"foreign key", exec(`INSERT INTO sentinelle (plesso, anno) VALUES ('ZZEE00000Z', 2026)`), false},
			{"not null", exec(`INSERT INTO distretti (codice, nome) VALUES ('D2', NULL)`), false},
			{"syntax", exec(`INSERT INTO nessuna_tabella VALUES (1)`), false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if c.err == nil {
					t.Fatal("the statement did not fail")
				}
				if got := store.IsUniqueViolation(c.err); got != c.unique {
					t.Fatalf("IsUniqueViolation(%v) = %v", c.err, got)
				}
				wrapped := fmt.Errorf("context: %w", c.err)
				if got := store.IsUniqueViolation(wrapped); got != c.unique {
					t.Fatalf("wrapped: IsUniqueViolation = %v", got)
				}
				if got := store.IsRetryable(&ps.Error{Code: ps.EConflict, Err: wrapped}); got != c.unique {
					t.Fatalf("inside a domain error: IsRetryable = %v", got)
				}
			})
		}
		t.Run("text alone is not a violation", func(t *testing.T) {
			if store.IsUniqueViolation(errors.New("UNIQUE constraint failed: duplicate key value (SQLSTATE 23505)")) {
				t.Fatal("a plain error matched by its text")
			}
		})
	})
}
