package aggregati_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestArchivio_Sentinella: the sentinel-only twin of every aggregate equals
// it while only sentinels report; a non-sentinel plesso reporting in
// emergency mode enters the aggregate and not the twin; a new designation
// rebuilds the twins.
func TestArchivio_Sentinella(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return now }
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		a := aggregati.Nuovo(db)
		if _, err := a.Aggiorna(ctx); err != nil {
			t.Fatal(err)
		}
		from, to := day("2026-09-01"), day("2026-11-26")
		nomi := a.Nomi()
		for _, n := range nomi {
			if strings.HasPrefix(n, aggregati.PrefissoSentinella) {
				t.Fatalf("twin %s among the watched names", n)
			}
			if b, _ := aggregati.Base(n); b != n {
				continue // illness-specific series have no twin
			}
			if !reflect.DeepEqual(a.Punti(n, from, to), a.Punti(aggregati.PrefissoSentinella+n, from, to)) {
				t.Fatalf("%s and its twin differ with only sentinels reporting", n)
			}
		}
		const plesso = "CREE80001R" // primaria in CR, not sentinel
		if _, _, err := db.AddConsistenza(ctx, actor, ps.Consistenza{Plesso: plesso, Anno: 2026, Iscritti: 230, Classi: 11}); err != nil {
			t.Fatal(err)
		}
		d := day("2026-11-20")
		before := a.Punti("provincia:CR", d, d)
		dodici := 12
		if _, err := db.SaveGiorni(ctx, actor, plesso, []ps.Giorno{{Giorno: d, Assenti: &dodici}}, "api"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Aggiorna(ctx); err != nil {
			t.Fatal(err)
		}
		after := a.Punti("provincia:CR", d, d)
		twin := a.Punti(aggregati.PrefissoSentinella+"provincia:CR", d, d)
		if len(before) != 1 || len(after) != 1 || after[0].Plessi != before[0].Plessi+1 || after[0].Assenti != before[0].Assenti+12 {
			t.Fatalf("aggregate before %v, after %v", before, after)
		}
		if !reflect.DeepEqual(twin, before) {
			t.Fatalf("twin %v, want the sentinels' %v", twin, before)
		}
		if n := len(a.Giorno(aggregati.PrefissoSentinella+"provincia:CR", d)); n != before[0].Plessi {
			t.Fatalf("twin's observations: %d", n)
		}
		if err := db.SetSentinella(ctx, actor, plesso, 2026, true); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Aggiorna(ctx); err != nil {
			t.Fatal(err)
		}
		if twin := a.Punti(aggregati.PrefissoSentinella+"provincia:CR", d, d); !reflect.DeepEqual(twin, after) {
			t.Fatalf("after the designation the twin is %v, want %v", twin, after)
		}
	})
}
