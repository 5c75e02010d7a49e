package demo_test

import (
	"context"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestSeed: whatever the day, the demo shows a school year with reported
// absences and enrolment figures, and stamps nothing after that day.
func TestSeed(t *testing.T) {
	for _, tc := range []struct {
		name string
		now  time.Time
		anno ps.AnnoScolastico
		min  int // absence rows at least
	}{
		{"before the first lesson day", time.Date(2026, 9, 5, 10, 0, 0, 0, time.UTC), 2025, 1000},
		{"summer", time.Date(2027, 7, 15, 10, 0, 0, 0, time.UTC), 2026, 1000},
		{"november", time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), 2026, 500},
		{"first weeks", time.Date(2026, 9, 22, 10, 0, 0, 0, time.UTC), 2026, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := demo.Anno(tc.now); got != tc.anno {
				t.Fatalf("Anno(%s) = %s, want %s", tc.now.Format(ps.DateLayout), got, tc.anno)
			}
			ctx := context.Background()
			db := storetest.New(t, store.SQLite)
			db.Now = func() time.Time { return tc.now }
			if err := demo.Seed(ctx, db, tc.now); err != nil {
				t.Fatal(err)
			}
			sent, err := db.Sentinelle(ctx, tc.anno)
			if err != nil || len(sent) == 0 {
				t.Fatalf("no sentinel plesso in %s (%v)", tc.anno, err)
			}
			stamp := tc.now.UTC().Format(time.RFC3339)
			from, to := tc.anno.Inizio().Format(ps.DateLayout), (tc.anno + 1).Inizio().Format(ps.DateLayout)
			count := func(q string, args ...any) int {
				var n int
				if err := db.SQL().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := count(`SELECT COUNT(*) FROM assenze WHERE giorno >= $1 AND giorno < $2`, from, to); n < tc.min {
				t.Errorf("%d absence rows in %s: the demo looks empty", n, tc.anno)
			}
			if n := count(`SELECT COUNT(*) FROM consistenze WHERE anno = $1`, int(tc.anno)); n < 50 {
				t.Errorf("%d enrolment revisions in %s", n, tc.anno)
			}
			if n := count(`SELECT COUNT(*) FROM assenze WHERE segnalato_il > $1 OR giorno > $2`, stamp, tc.now.Format(ps.DateLayout)); n > 0 {
				t.Errorf("%d absence rows reported after now or for a future day", n)
			}
			if n := count(`SELECT COUNT(*) FROM consistenze WHERE creato_il > $1`, stamp); n > 0 {
				t.Errorf("%d enrolment revisions entered after now", n)
			}
		})
	}
}
