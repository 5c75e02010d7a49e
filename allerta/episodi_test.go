package allerta_test

import (
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestMotore_Episodi: the demo after a detection run lists at most 30
// alerts, one per episode and series watched once; one sentinel reporting
// days nobody else has reported adds at most its own alert; once the rest
// of the network reports those days they enter the aggregates' detection
// and can raise (or extend) their alert.
func TestMotore_Episodi(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		m := allerta.NuovoMotore(db, nil)
		if _, err := m.Esegui(ctx, ps.SystemActor, now); err != nil {
			t.Fatal(err)
		}
		arch := m.Archivio()
		all := func() []ps.Segnale {
			s, err := db.Segnali(ctx, store.SegnaleFilter{Limit: 5000})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		t.Run("demo", func(t *testing.T) {
			eps := all()
			if len(eps) == 0 || len(eps) > 30 {
				t.Fatalf("%d alerts listed after a detection run, want 1–30", len(eps))
			}
			long := 0
			for i, g := range eps {
				if u := arch.Uguale(g.Serie); u != "" {
					t.Errorf("alert on %s, a series identical to %s", g.Serie, u)
				}
				if g.Al.After(g.Giorno) {
					long++
				}
				for _, h := range eps[i+1:] {
					if h.Serie == g.Serie && h.Metodo == g.Metodo && !h.Giorno.After(g.Al) && !h.Al.Before(g.Giorno) {
						t.Errorf("two overlapping episodes on %s", g.Serie)
					}
				}
			}
			if long == 0 {
				t.Error("no episode spans more than one day: days are not grouped")
			}
		})
		t.Run("rerun", func(t *testing.T) {
			fresh := allerta.NuovoMotore(db, nil)
			es, err := fresh.Esegui(ctx, ps.SystemActor, now)
			if err != nil || len(es.Nuovi) != 0 || len(es.Estesi) != 0 {
				t.Fatalf("a full rerun on the same data: %d new, %d extended (%v)", len(es.Nuovi), len(es.Estesi), err)
			}
		})

		// The current window (23–25 November) is still open: nobody has
		// reported it.
		anno := ps.AnnoDi(now)
		sent, err := db.Sentinelle(ctx, anno)
		if err != nil || len(sent) < 4 {
			t.Fatalf("sentinels %v %v", sent, err)
		}
		last := arch.Punti(aggregati.Territorio, anno.Inizio(), now)
		from := last[len(last)-1].Giorno.AddDate(0, 0, 1)
		report := func(code string) {
			t.Helper()
			p, err := db.Plesso(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			cal, err := db.AnnoCalendario(ctx, p, anno)
			if err != nil {
				t.Fatal(err)
			}
			var giorni []ps.Giorno
			for _, d := range cal.GiorniTra(from, now.AddDate(0, 0, -1)) {
				c, err := db.ConsistenzaInVigore(ctx, code, d)
				if err != nil {
					t.Fatal(err)
				}
				n := c.Iscritti * 15 / 100
				giorni = append(giorni, ps.Giorno{Giorno: d, Assenti: &n})
			}
			if len(giorni) == 0 {
				t.Fatalf("no open day for %s from %v", code, from)
			}
			if _, err := db.SalvaGiorni(ctx, ps.Actor{Username: strings.ToLower(code)}, code, giorni, "api"); err != nil {
				t.Fatal(err)
			}
		}
		alone := sent[0]
		t.Run("one sentinel alone", func(t *testing.T) {
			report(alone)
			es, err := m.Esegui(ctx, ps.SystemActor, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(es.Nuovi) > 1 {
				t.Errorf("one sentinel alone opened %d alerts", len(es.Nuovi))
			}
			for _, g := range append(es.Nuovi, es.Estesi...) {
				if g.Serie != aggregati.PrefissoPlesso+alone {
					t.Errorf("one sentinel alone moved the alert on %s (%s–%s)", g.Serie, g.Giorno.Format("02/01"), g.Al.Format("02/01"))
				}
			}
			tr, err := m.Traccia(ctx, aggregati.Territorio, from, now)
			if err != nil || len(tr.Giorni) == 0 || !tr.Provvisorio[0] || tr.Quota[0] <= 0 || tr.Quota[0] >= 0.5 {
				t.Fatalf("the territory's first open day is not drawn as provisional with its share: %+v %v", tr, err)
			}
		})
		t.Run("the network reports later", func(t *testing.T) {
			for _, c := range sent[1:] {
				report(c)
			}
			es, err := m.Esegui(ctx, ps.SystemActor, now)
			if err != nil {
				t.Fatal(err)
			}
			moved := false
			for _, g := range append(es.Nuovi, es.Estesi...) {
				if g.Serie == aggregati.Territorio && !g.Al.Before(from) {
					moved = true
				}
			}
			if !moved {
				t.Fatal("the days now complete did not raise or extend the territory's alert")
			}
			tr, err := m.Traccia(ctx, aggregati.Territorio, from, now)
			if err != nil || len(tr.Giorni) == 0 || tr.Provvisorio[0] {
				t.Fatalf("the complete day is still provisional: %+v %v", tr, err)
			}
		})
	})
}
