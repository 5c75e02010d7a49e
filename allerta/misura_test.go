package allerta_test

import (
	"os"
	"runtime/pprof"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/metrics"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestMisura measures detection at scale on a database made by
// `portalescuole generate` (it adds signals and one window of absences:
// use a copy). It logs the full run, then the incremental run after every
// sentinel of the year re-sent its last three school days:
//
//	portalescuole generate --db /tmp/naz.db && cp /tmp/naz.db /tmp/naz-r.db
//	RILEVA_DSN=/tmp/naz-r.db RILEVA_OGGI=2026-11-25 go test ./allerta -run TestMisura -v
func TestMisura(t *testing.T) {
	dsn := os.Getenv("RILEVA_DSN")
	if dsn == "" {
		t.Skip("RILEVA_DSN not set")
	}
	now := time.Now()
	if s := os.Getenv("RILEVA_OGGI"); s != "" {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		now = d.Add(12 * time.Hour)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := allerta.NuovoMotore(db, nil)
	t0 := time.Now()
	stop := profila(t, "carica")
	if _, err := m.Archivio().Aggiorna(ctx); err != nil {
		t.Fatal(err)
	}
	stop()
	t.Logf("aggregates loaded in %v", time.Since(t0))
	stop = profila(t, "completa")
	es, err := m.Esegui(ctx, ps.SystemActor, now)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	t.Logf("full run: %d series, %d new episodes, %d anomalies; compute %v, store %v; total with load %v; peak RSS %d MiB",
		es.Serie, len(es.Nuovi), es.Anomalie, es.Calcolo, es.Salvataggio, time.Since(t0), metrics.PiccoMemoria()>>20)

	// One window: every sentinel of the year re-sends its last three days.
	anno := ps.AnnoDi(now)
	sent, err := db.Sentinelle(ctx, anno)
	if err != nil {
		t.Fatal(err)
	}
	a := m.Archivio()
	rows := 0
	for _, c := range sent {
		p := a.Punti(aggregati.PrefissoPlesso+c, anno.Inizio(), now)
		var giorni []ps.Giorno
		for _, x := range p[max(0, len(p)-3):] {
			n := x.Assenti + 1
			giorni = append(giorni, ps.Giorno{Giorno: x.Giorno, Assenti: &n})
		}
		if _, err := db.SaveGiorni(ctx, ps.SystemActor, c, giorni, "api"); err != nil {
			t.Fatal(err)
		}
		rows += len(giorni)
	}
	t1 := time.Now()
	stop = profila(t, "incrementale")
	inc, err := m.Esegui(ctx, ps.SystemActor, now)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	t.Logf("incremental run after a window of %d plessi (%d days): %d series, %d new and %d extended episodes, %d anomalies; refresh %v, compute %v, store %v; total %v; peak RSS %d MiB",
		len(sent), rows, inc.Serie, len(inc.Nuovi), len(inc.Estesi), inc.Anomalie, inc.Aggiornamento, inc.Calcolo, inc.Salvataggio, time.Since(t1), metrics.PiccoMemoria()>>20)
	if inc.Tutto || inc.Serie == 0 {
		t.Fatalf("the run after a window was not incremental: %+v", inc)
	}
}

// profila writes a CPU profile of one phase of TestMisura to
// $RILEVA_PPROF-fase.pprof when RILEVA_PPROF is set.
func profila(t *testing.T, fase string) func() {
	pre := os.Getenv("RILEVA_PPROF")
	if pre == "" {
		return func() {}
	}
	f, err := os.Create(pre + "-" + fase + ".pprof")
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		t.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// BenchmarkMotore_Calcola measures the full computation (every aggregate
// and plesso, daily and weekly) and an incremental one (the territory and
// one plesso changed on the last day) on in-memory aggregates already
// loaded. It reads RILEVA_DSN (e.g. a national database from
// `portalescuole generate`; it is only read) or, without it, the demo:
//
//	RILEVA_DSN=/tmp/naz.db go test ./allerta -run XXX -bench Motore -benchtime 3x
func BenchmarkMotore_Calcola(b *testing.B) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var db *store.DB
	if dsn := os.Getenv("RILEVA_DSN"); dsn != "" {
		var err error
		if db, err = store.Open(ctx, dsn); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
	} else {
		db = storetest.New(b, store.SQLite)
		if err := demo.Seed(ctx, db, now); err != nil {
			b.Fatal(err)
		}
	}
	m := allerta.NuovoMotore(db, nil)
	if _, err := m.Archivio().Aggiorna(ctx); err != nil {
		b.Fatal(err)
	}
	oggi := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	plessi := m.Archivio().Plessi()
	b.Run("completa", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.Calcola(ctx, nil, true, oggi); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("incrementale", func(b *testing.B) {
		cambi := aggregati.Cambi{aggregati.Territorio: oggi, aggregati.PrefissoPlesso + plessi[0]: oggi}
		for b.Loop() {
			if _, err := m.Calcola(ctx, cambi, false, oggi); err != nil {
				b.Fatal(err)
			}
		}
	})
}
