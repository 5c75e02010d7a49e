package cli

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

func rome(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestLavoriDovuti: the digest from 8:00 Rome time, the bulletin on Monday
// from 8:00, reminders and detection at every tick, across both offsets.
func TestLavoriDovuti(t *testing.T) {
	loc := rome(t)
	all := lavori{Promemoria: true, Rilevazione: true}
	morning := lavori{Promemoria: true, Rilevazione: true, Riepilogo: true}
	monday := lavori{Promemoria: true, Rilevazione: true, Riepilogo: true, Bollettino: true}
	for _, tc := range []struct {
		name string
		at   time.Time
		want lavori
	}{
		{"Monday 7:59", time.Date(2026, 11, 30, 7, 59, 0, 0, loc), all},
		{"Monday 8:00", time.Date(2026, 11, 30, 8, 0, 0, 0, loc), monday},
		{"Monday 23:50", time.Date(2026, 11, 30, 23, 50, 0, 0, loc), monday},
		{"Tuesday 0:05", time.Date(2026, 12, 1, 0, 5, 0, 0, loc), all},
		{"Tuesday 8:00", time.Date(2026, 12, 1, 8, 0, 0, 0, loc), morning},
		{"Sunday 12:00", time.Date(2026, 11, 29, 12, 0, 0, 0, loc), morning},
		// 7:30 UTC is 8:30 in Rome in winter, 9:30 in summer; 6:30 UTC is 7:30 / 8:30.
		{"winter 7:30 UTC", time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC), monday},
		{"winter 6:30 UTC", time.Date(2026, 11, 30, 6, 30, 0, 0, time.UTC), all},
		{"summer 6:30 UTC", time.Date(2026, 6, 1, 6, 30, 0, 0, time.UTC), monday},
		{"Monday 23:30 UTC is Tuesday in Rome", time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := lavoriDovuti(tc.at, loc); got != tc.want {
				t.Fatalf("lavoriDovuti(%s) = %+v, want %+v", tc.at.In(loc).Format(time.RFC3339), got, tc.want)
			}
		})
	}
}

// TestEseguiLavori drives the jobs with an injected clock over a weekend
// and a Monday morning on the demo: reminders before and after a deadline,
// the daily digest from 8:00 (once a day), the bulletin at 8:00 on Monday
// only, and a later tick adds nothing.
func TestEseguiLavori(t *testing.T) {
	loc := rome(t)
	ctx := context.Background()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seeded := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) // a Thursday
		if err := demo.Seed(ctx, db, seeded); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`DELETE FROM outbox`); err != nil {
			t.Fatal(err)
		}
		motore := allerta.NuovoMotore(db, nil)
		kinds := func() map[string]int {
			rows, err := db.SQL().Query(`SELECT kind, COUNT(*) FROM outbox GROUP BY kind`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			m := map[string]int{}
			for rows.Next() {
				var k string
				var n int
				if err := rows.Scan(&k, &n); err != nil {
					t.Fatal(err)
				}
				m[k] = n
			}
			return m
		}
		const (
			prima, dopo = "promemoria.assenze.prima", "promemoria.assenze.dopo"
			riepilogo   = "allerta.riepilogo"
			bollettino  = "bollettino"
		)
		prev := map[string]int{}
		for _, step := range []struct {
			name       string
			at         time.Time
			want, none []string // kinds that must grow, kinds that must not
		}{
			// The Monday–Wednesday window was due Thursday 12:00: its missing
			// plessi are reminded afterwards ("dopo"). The Thursday–Saturday
			// window is due Monday 12:00: reminded from Sunday 12:00 ("prima").
			{"Sunday 7:00", time.Date(2026, 11, 29, 7, 0, 0, 0, loc), []string{dopo}, []string{prima, riepilogo, bollettino}},
			{"Sunday 11:00", time.Date(2026, 11, 29, 11, 0, 0, 0, loc), []string{riepilogo}, []string{prima, dopo, bollettino}},
			{"Sunday 13:00", time.Date(2026, 11, 29, 13, 0, 0, 0, loc), []string{prima}, []string{riepilogo, bollettino}},
			{"Monday 7:50", time.Date(2026, 11, 30, 7, 50, 0, 0, loc), nil, []string{riepilogo, bollettino}},
			{"Monday 8:00", time.Date(2026, 11, 30, 8, 0, 0, 0, loc), []string{riepilogo, bollettino}, nil},
			{"Monday 8:10", time.Date(2026, 11, 30, 8, 10, 0, 0, loc), nil, []string{riepilogo, bollettino, prima, dopo}},
		} {
			db.Now = func() time.Time { return step.at }
			n, err := eseguiLavori(ctx, db, motore, slog.New(slog.DiscardHandler), step.at, loc)
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			got := kinds()
			t.Logf("%s: %d queued, outbox %v", step.name, n, got)
			for _, k := range step.want {
				if got[k] <= prev[k] {
					t.Errorf("%s: no %s queued", step.name, k)
				}
			}
			for _, k := range step.none {
				if got[k] != prev[k] {
					t.Errorf("%s: %s queued (%d → %d)", step.name, k, prev[k], got[k])
				}
			}
			prev = got
		}
	})
}

// TestEseguiLavori_Soli: a job that fails does not keep the others of its
// round from running. The calendars unreadable, the reminders fail; the
// daily digest still goes, and the error names the job.
func TestEseguiLavori_Soli(t *testing.T) {
	loc := rome(t)
	ctx := context.Background()
	db := storetest.New(t, store.SQLite)
	if err := demo.Seed(ctx, db, time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`DELETE FROM outbox`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`ALTER TABLE plessi_calendario RENAME TO calendari_altrove`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 29, 11, 0, 0, 0, loc) // Sunday: reminders and the digest due
	db.Now = func() time.Time { return at }
	_, err := eseguiLavori(ctx, db, allerta.NuovoMotore(db, nil), slog.New(slog.DiscardHandler), at, loc)
	if err == nil || !strings.Contains(err.Error(), "promemoria") {
		t.Fatalf("the reminders' failure is not reported: %v", err)
	}
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE kind = 'allerta.riepilogo'`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("the digest did not go after the reminders failed: %d %v", n, err)
	}
}
