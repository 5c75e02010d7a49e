package sentinella_test

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/calendario"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestInvia on both engines: a submission is stored whole or not at all,
// each refusal names its field, and an identical resubmission stores
// nothing new.
func TestInvia(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) // Thursday
	day := func(s string) time.Time {
		v, err := time.Parse(ps.DateLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	n := ps.IntPtr
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		a := ps.Actor{Username: "cree80002t"}
		sent, err := db.Plesso(ctx, "CREE80002T") // the demo's sentinel account
		if err != nil {
			t.Fatal(err)
		}
		other, err := db.Plesso(ctx, "CREE80001R") // not a sentinel
		if err != nil {
			t.Fatal(err)
		}
		stored := func(from, to string) int {
			rs, err := db.Rilevazioni(ctx, "CREE80002T", day(from), day(to))
			if err != nil {
				t.Fatal(err)
			}
			return len(rs)
		}
		// The demo leaves the current window (from Monday 23) to the school.
		if k := stored("2026-11-23", "2026-11-26"); k != 0 {
			t.Fatalf("the demo already holds %d days of the open window", k)
		}
		many := make([]ps.Giorno, sentinella.MaxGiorni+1)
		for i := range many {
			many[i] = ps.Giorno{Giorno: day("2026-09-14").AddDate(0, 0, i), Assenti: n(1)}
		}
		for _, tc := range []struct {
			name   string
			p      *ps.Plesso
			giorni []ps.Giorno
			want   []string // error paths; nil: stored
		}{
			{"nothing", sent, nil, []string{"giorni"}},
			{"too many days", sent, many, []string{"giorni"}},
			{"future day", sent, []ps.Giorno{{Giorno: day("2026-11-27"), Assenti: n(3)}}, []string{"giorni[0].giorno"}},
			{"Sunday", sent, []ps.Giorno{{Giorno: day("2026-11-22"), Assenti: n(3)}}, []string{"giorni[0].giorno"}},
			{"not a sentinel", other, []ps.Giorno{{Giorno: day("2026-11-23"), Assenti: n(3)}}, []string{"giorni[0].giorno"}},
			{"day twice", sent, []ps.Giorno{{Giorno: day("2026-11-23"), Assenti: n(3)}, {Giorno: day("2026-11-23"), Assenti: n(4)}}, []string{"giorni[1].giorno"}},
			{"above the enrolment in force", sent, []ps.Giorno{{Giorno: day("2026-11-23"), Assenti: n(100000)}}, []string{"giorni[0].assenti"}},
			{"one bad day rejects the good ones", sent, []ps.Giorno{
				{Giorno: day("2026-11-23"), Assenti: n(3)},
				{Giorno: day("2026-11-24"), Assenti: n(-2)},
				{Giorno: day("2026-11-25"), Assenti: n(4)}}, []string{"giorni[1].assenti"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, errs, err := sentinella.Invia(ctx, db, a, tc.p, tc.giorni, "api", nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for k := range errs {
					got = append(got, k)
				}
				sort.Strings(got)
				if !slices.Equal(got, tc.want) {
					t.Fatalf("errors %v, want paths %v", errs, tc.want)
				}
				if res != (store.SalvataggioAssenze{}) {
					t.Fatalf("a refused submission reports %+v", res)
				}
				if k := stored("2026-11-23", "2026-11-26"); k != 0 {
					t.Fatalf("a refused submission stored %d days", k)
				}
			})
		}
		week := []ps.Giorno{
			{Giorno: day("2026-11-25"), Assenti: n(4), Motivi: ps.Motivi{Febbre: n(2)}},
			{Giorno: day("2026-11-23"), Assenti: n(3)},
			{Giorno: day("2026-11-24"), Chiuso: true, MotivoChiusura: "sciopero"},
		}
		res, errs, err := sentinella.Invia(ctx, db, a, sent, slices.Clone(week), "api", nil, nil)
		if err != nil || len(errs) > 0 || res.Nuovi != 3 {
			t.Fatalf("valid days: %+v %v %v", res, errs, err)
		}
		if k := stored("2026-11-23", "2026-11-26"); k != 3 {
			t.Fatalf("%d days stored, want 3", k)
		}
		res, errs, err = sentinella.Invia(ctx, db, a, sent, slices.Clone(week), "modulo", nil, nil)
		if err != nil || len(errs) > 0 || res != (store.SalvataggioAssenze{Invariati: 3}) {
			t.Fatalf("identical resubmission: %+v %v %v", res, errs, err)
		}
		week[1].Assenti = n(5)
		res, errs, err = sentinella.Invia(ctx, db, a, sent, slices.Clone(week), "modulo", nil, nil)
		if err != nil || len(errs) > 0 || res != (store.SalvataggioAssenze{Corretti: 1, Invariati: 2}) {
			t.Fatalf("one day corrected: %+v %v %v", res, errs, err)
		}
		rs, err := db.Rilevazioni(ctx, "CREE80002T", day("2026-11-23"), day("2026-11-23"))
		if err != nil || len(rs) != 1 || *rs[0].Assenti != 5 || rs[0].Revisione != 2 || rs[0].Fonte != "modulo" {
			t.Fatalf("corrected day: %+v %v", rs, err)
		}
	})
}

// TestValida_Letti: data read beforehand (the API's, with its token) are
// used for their plesso and year, and only for them.
func TestValida_Letti(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	db := storetest.New(t, store.SQLite)
	if err := demo.Seed(ctx, db, now); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return now }
	other, err := db.Plesso(ctx, "CREE80001R") // not a sentinel
	if err != nil {
		t.Fatal(err)
	}
	giorni := func() []ps.Giorno {
		return []ps.Giorno{{Giorno: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Assenti: ps.IntPtr(3)}}
	}
	if errs, err := sentinella.Valida(ctx, db, other, giorni(), nil, nil); err != nil || errs["giorni[0].giorno"] == "" {
		t.Fatalf("a plesso outside the network reported: %v %v", errs, err)
	}
	// Values that differ from the database tell the two apart.
	finto := &store.DatiInvio{Plesso: "CREE80001R", Anno: 2026, Sentinella: true, Calendario: calendario.PerAnno(2026, calendario.Opzioni{}), Consistenze: []ps.Consistenza{{Plesso: "CREE80001R", Anno: 2026, Iscritti: 100, Classi: 5, Revisione: 1}}}
	if errs, err := sentinella.Valida(ctx, db, other, giorni(), nil, finto); err != nil || errs["giorni[0].giorno"] != "" {
		t.Fatalf("the data read beforehand were not used: %v %v", errs, err)
	}
	finto.Plesso = "CREE80002T"
	if errs, _ := sentinella.Valida(ctx, db, other, giorni(), nil, finto); errs["giorni[0].giorno"] == "" {
		t.Fatalf("another plesso's data were used: %v", errs)
	}
}
