package load_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/load"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
	"github.com/portalescuole/portalescuole/web"
)

// TestEsegui_Emergenza: the emergency mix has every plesso of the demo,
// sentinel or not, submit today once through the API; each is accepted
// (emergency mode for the territory) and found afterwards.
func TestEsegui_Emergenza(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) // a Thursday of lessons
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return now }
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		srv, err := web.New(web.Config{DB: db, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now },
			HashParams: auth.Params{Memory: 1024, Time: 1, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()
		prep, err := load.PreparaEmergenza(ctx, db, 120, now)
		if err != nil {
			t.Fatal(err)
		}
		sentinelle := 0
		for _, p := range prep.Plessi {
			if ok, _ := db.Sentinella(ctx, p.Codice, 2026); ok {
				sentinelle++
			}
		}
		if len(prep.Plessi) < 100 || sentinelle == len(prep.Plessi) {
			t.Fatalf("%d plessi, %d sentinel: the mix must cover the non-sentinel ones", len(prep.Plessi), sentinelle)
		}
		es, err := load.Esegui(ctx, prep, load.Opzioni{URL: ts.URL, Durata: time.Minute, Concorrenza: 8, Seed: 1, Mix: load.MixEmergenza, UnaVolta: true})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		load.Rapporto(&b, es)
		t.Log("\n" + b.String())
		if len(es.Errori) > 0 {
			t.Fatalf("errors: %v", es.Errori)
		}
		if len(es.Scritture) != len(prep.Plessi) {
			t.Fatalf("%d writes for %d plessi", len(es.Scritture), len(prep.Plessi))
		}
		found, missing, err := load.VerificaGiorno(ctx, db, es.Scritture, prep.Plessi[0].Giorni[0])
		if err != nil || len(missing) > 0 || found != len(es.Scritture) {
			t.Fatalf("%d of %d found; missing %v (%v)", found, len(es.Scritture), missing, err)
		}
	})
}
