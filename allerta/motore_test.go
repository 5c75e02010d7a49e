package allerta_test

import (
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestMotore_Incrementale: after a window of submissions the incremental
// run examines only what changed, yet stores every signal a full run on
// the same data finds.
func TestMotore_Incrementale(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		m := allerta.NuovoMotore(db, nil)
		full, err := m.Esegui(ctx, ps.SystemActor, now)
		if err != nil || !full.Tutto {
			t.Fatalf("first run %+v %v", full, err)
		}
		again, err := m.Esegui(ctx, ps.SystemActor, now)
		if err != nil || again.Tutto || again.Serie != 0 || len(again.Nuovi) != 0 {
			t.Fatalf("a run with nothing new examined %d series, added %d (%v)", again.Serie, len(again.Nuovi), err)
		}

		// A window: half the sentinels correct their last six reported days
		// with a sharp rise that persists (a two-day jump that falls back is
		// a data anomaly for the default model, not an alarm).
		anno := ps.AnnoDi(now)
		sent, err := db.Sentinelle(ctx, anno)
		if err != nil {
			t.Fatal(err)
		}
		arch := m.Archivio()
		terr := arch.Punti(aggregati.Territorio, anno.Inizio(), now)
		spike := terr[max(0, len(terr)-6)].Giorno
		for _, c := range sent[:len(sent)/2] {
			var giorni []ps.Giorno
			for _, p := range arch.Punti(aggregati.PrefissoPlesso+c, spike, now) {
				n := min(p.Iscritti, p.Assenti*3+10)
				giorni = append(giorni, ps.Giorno{Giorno: p.Giorno, Assenti: &n})
			}
			if _, err := db.SaveGiorni(ctx, ps.SystemActor, c, giorni, "api"); err != nil {
				t.Fatal(err)
			}
		}
		inc, err := m.Esegui(ctx, ps.SystemActor, now)
		if err != nil {
			t.Fatal(err)
		}
		if inc.Tutto || inc.Serie == 0 || inc.Serie >= full.Serie {
			t.Fatalf("incremental run examined %d series of %d (full: %v)", inc.Serie, full.Serie, inc.Tutto)
		}
		if len(inc.Nuovi)+len(inc.Estesi) == 0 {
			t.Fatal("the rise neither opened nor extended an episode")
		}
		for _, g := range append(inc.Nuovi, inc.Estesi...) {
			if g.Al.Before(serie.Lunedi(spike)) {
				t.Errorf("incremental episode %s ending %v, before the changed days", g.Serie, g.Al)
			}
		}

		// A fresh full computation on the final data: every episode it finds
		// must be covered by one the two runs stored.
		stored, err := db.Segnali(ctx, store.SegnaleFilter{Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		covered := func(g ps.Segnale) bool {
			for _, s := range stored {
				if s.Serie == g.Serie && s.Metodo == g.Metodo && !s.Giorno.After(g.Giorno) && !s.Al.Before(g.Al) {
					return true
				}
			}
			return false
		}
		fresh := allerta.NuovoMotore(db, nil)
		if _, err := fresh.Archivio().Aggiorna(ctx); err != nil {
			t.Fatal(err)
		}
		calc, err := fresh.Calcola(ctx, nil, true, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
		if err != nil || len(calc.Segnali) == 0 {
			t.Fatalf("full computation: %d signals, %v", len(calc.Segnali), err)
		}
		for _, g := range calc.Segnali {
			if !covered(g) {
				t.Errorf("the incremental runs missed %s %s–%s %s", g.Serie, g.Giorno.Format("2006-01-02"), g.Al.Format("2006-01-02"), g.Metodo)
			}
		}
	})
}
