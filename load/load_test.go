package load_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/load"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
	"github.com/portalescuole/portalescuole/web"
)

// TestEsegui runs a short load against the real server on a loopback port
// and finds every acknowledged write in the database.
func TestEsegui(t *testing.T) {
	ctx := context.Background()
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		srv, err := web.New(web.Config{DB: db, Logger: slog.New(slog.DiscardHandler), HashParams: auth.Params{Memory: 1024, Time: 1, Threads: 1},
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()
		prep, err := load.Prepara(ctx, db, 8, now)
		if err != nil {
			t.Fatal(err)
		}
		es, err := load.Esegui(ctx, prep, load.Opzioni{URL: ts.URL, Durata: time.Minute, Richieste: 300, Concorrenza: 8, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		load.Rapporto(&b, es)
		t.Log("\n" + b.String())
		if len(es.Errori) > 0 {
			t.Fatalf("errors under load: %v", es.Errori)
		}
		if len(es.Scritture) < 200 {
			t.Fatalf("only %d writes acknowledged", len(es.Scritture))
		}
		found, missing, err := load.Verifica(ctx, db, es.Scritture)
		if err != nil || len(missing) > 0 || found != len(es.Scritture) {
			t.Fatalf("%d of %d acknowledged writes found; missing %v (%v)", found, len(es.Scritture), missing, err)
		}
		// The check is not vacuous: a write that was never made is missing.
		fake := append(es.Scritture[:1:1], load.Scrittura{Tipo: load.OpAPI, Plesso: es.Scritture[0].Plesso, Giorno: es.Scritture[0].Giorno, Valore: 99999})
		if _, missing, _ := load.Verifica(ctx, db, fake); len(missing) != 1 {
			t.Fatalf("a write never made was found")
		}
	})
}

// TestPrepara: the load writes school days already past on the given day,
// of the year the demo shows (the previous one before the first lesson day);
// a day in term is TestEsegui's.
func TestPrepara(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		now  time.Time
	}{
		{"5 September", time.Date(2026, 9, 5, 10, 0, 0, 0, time.UTC)},
		{"15 July", time.Date(2027, 7, 15, 10, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := storetest.New(t, store.SQLite)
			db.Now = func() time.Time { return tc.now }
			if err := demo.Seed(ctx, db, tc.now); err != nil {
				t.Fatal(err)
			}
			prep, err := load.Prepara(ctx, db, 4, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			if len(prep.Plessi) != 4 {
				t.Fatalf("%d plessi prepared, want 4", len(prep.Plessi))
			}
			anno := demo.Anno(tc.now)
			for _, p := range prep.Plessi {
				if len(p.Giorni) == 0 {
					t.Fatalf("%s: no day to write", p.Codice)
				}
				for _, d := range p.Giorni {
					if d.After(tc.now) || ps.AnnoDi(d) != anno {
						t.Fatalf("%s: day %s is not a past day of %s", p.Codice, d.Format(ps.DateLayout), anno)
					}
				}
			}
		})
	}
}
