package store_test

import (
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestDB_RegistraEpisodi: a computed episode overlapping a stored one
// extends it (later last day, higher peak) with a history line; one inside
// it changes nothing (an episode never shrinks); a rerun adds nothing; one
// apart opens a new episode; an escalation is recorded once.
func TestDB_RegistraEpisodi(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := ps.Actor{Username: "motore"}
		ep := func(dal, al, picco string, giorni int, oss float64) ps.Segnale {
			return ps.Segnale{Serie: "provincia:CR", Giorno: date(dal), Al: date(al), Picco: date(picco), Giorni: giorni, Metodo: "default",
				Parametri: "{}", Osservato: oss, Atteso: 0.03, Soglia: 0.04, Plessi: 7, Iscritti: 900}
		}
		first, err := db.SaveEpisodi(ctx, a, []ps.Segnale{ep("2026-11-09", "2026-11-10", "2026-11-10", 2, 0.05)})
		if err != nil || len(first.Nuovi) != 1 || len(first.Estesi) != 0 {
			t.Fatalf("first: %+v %v", first, err)
		}
		id := first.Nuovi[0].ID
		if again, err := db.SaveEpisodi(ctx, a, []ps.Segnale{ep("2026-11-09", "2026-11-10", "2026-11-10", 2, 0.05)}); err != nil || len(again.Nuovi)+len(again.Estesi) != 0 {
			t.Fatalf("rerun changed %+v (%v)", again, err)
		}
		grown, err := db.SaveEpisodi(ctx, a, []ps.Segnale{ep("2026-11-09", "2026-11-13", "2026-11-13", 4, 0.07)})
		if err != nil || len(grown.Nuovi) != 0 || len(grown.Estesi) != 1 || grown.Estesi[0].ID != id {
			t.Fatalf("extension: %+v %v", grown, err)
		}
		g, err := db.Segnale(ctx, id)
		if err != nil || day(g.Al) != "2026-11-13" || day(g.Giorno) != "2026-11-09" || g.Giorni != 4 || g.Osservato != 0.07 || day(g.Picco) != "2026-11-13" || g.Iscritti != 900 {
			t.Fatalf("extended episode %+v %v", g, err)
		}
		inside, err := db.SaveEpisodi(ctx, a, []ps.Segnale{ep("2026-11-10", "2026-11-11", "2026-11-11", 2, 0.06)})
		if err != nil || len(inside.Nuovi)+len(inside.Estesi) != 0 {
			t.Fatalf("an episode inside the stored one changed it: %+v %v", inside, err)
		}
		apart, err := db.SaveEpisodi(ctx, a, []ps.Segnale{ep("2026-12-01", "2026-12-01", "2026-12-01", 1, 0.05)})
		if err != nil || len(apart.Nuovi) != 1 {
			t.Fatalf("a later episode: %+v %v", apart, err)
		}
		// Late data bridging two stored episodes grows the earlier one, even
		// when the later one was stored first (and is read first).
		mn := func(dal, al string) ps.Segnale {
			g := ep(dal, al, al, 2, 0.05)
			g.Serie = "provincia:MN"
			return g
		}
		b, err := db.SaveEpisodi(ctx, a, []ps.Segnale{mn("2026-11-18", "2026-11-19")})
		if err != nil || len(b.Nuovi) != 1 {
			t.Fatalf("later episode: %+v %v", b, err)
		}
		e1, err := db.SaveEpisodi(ctx, a, []ps.Segnale{mn("2026-11-09", "2026-11-10")})
		if err != nil || len(e1.Nuovi) != 1 {
			t.Fatalf("earlier episode: %+v %v", e1, err)
		}
		bridge, err := db.SaveEpisodi(ctx, a, []ps.Segnale{mn("2026-11-09", "2026-11-19")})
		if err != nil || len(bridge.Estesi) != 1 || bridge.Estesi[0].ID != e1.Nuovi[0].ID || day(bridge.Estesi[0].Al) != "2026-11-19" {
			t.Fatalf("bridging two episodes: %+v %v", bridge, err)
		}
		hist, err := db.StoriaSegnale(ctx, id)
		if err != nil || len(hist) != 2 || !strings.Contains(hist[1].Nota, "esteso") || hist[1].A != "" {
			t.Fatalf("history %+v %v", hist, err)
		}
		all, err := db.Segnali(ctx, store.SegnaleFilter{Serie: "provincia:CR"})
		if err != nil || len(all) != 2 || all[0].ID != apart.Nuovi[0].ID {
			t.Fatalf("list %+v %v (want the most recently active first)", all, err)
		}
		// Escalation: recorded once per peak, never lowered.
		for i, c := range []struct {
			picco float64
			want  bool
		}{{0.05, true}, {0.05, false}, {0.04, false}, {0.07, true}} {
			if ok, err := db.MarkNotificato(ctx, id, c.picco); err != nil || ok != c.want {
				t.Fatalf("notify %d (%v): %v %v", i, c.picco, ok, err)
			}
		}

		an := []ps.Anomalia{{Serie: "plesso:CREE80002T", Giorno: date("2026-11-05"), Osservato: 0.4, Atteso: 0.04, Metodo: "default", Plessi: 1},
			{Serie: "territorio", Giorno: date("2026-11-06"), Osservato: 0.1, Atteso: 0.04, Metodo: "default", Plessi: 16}}
		if n, err := db.AddAnomalie(ctx, a, an); err != nil || n != 2 {
			t.Fatalf("anomalies added %d %v", n, err)
		}
		if n, err := db.AddAnomalie(ctx, a, an); err != nil || n != 0 {
			t.Fatalf("anomalies re-added %d %v", n, err)
		}
		list, err := db.Anomalie(ctx, date("2026-11-06"), 10)
		if err != nil || len(list) != 1 || list[0].Serie != "territorio" || list[0].Plessi != 16 {
			t.Fatalf("anomalies from 6/11: %+v %v", list, err)
		}
	})
}

// TestSettings_Completezza: the thresholds are settings with defaults, and
// a bad value is refused next to its field, nothing saved.
func TestSettings_Completezza(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		st, err := db.Settings(ctx)
		if q, m := st.Completezza(); err != nil || q != 0.5 || m != 3 || len(st.Checklist()) < 3 {
			t.Fatalf("defaults %v %d %v %v", q, m, st.Checklist(), err)
		}
		for _, c := range []struct{ quota, minimo, field string }{{"1,5", "3", "quota_iscritti"}, {"0", "3", "quota_iscritti"}, {"metà", "3", "quota_iscritti"}, {"0,4", "0", "minimo_plessi"}, {"0,4", "tre", "minimo_plessi"}} {
			bad := st
			bad.QuotaIscritti, bad.MinimoPlessi = c.quota, c.minimo
			err := db.SaveSettings(ctx, ps.SystemActor, bad)
			if f := ps.FieldErrors(err); f == nil || f[c.field] == "" {
				t.Errorf("%q/%q: %v, want an error on %s", c.quota, c.minimo, err, c.field)
			}
		}
		st.QuotaIscritti, st.MinimoPlessi, st.ChecklistAllerta = "0,6", "5", "- chiamare il plesso\n\n- decidere"
		if err := db.SaveSettings(ctx, ps.SystemActor, st); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Settings(ctx)
		if q, m := got.Completezza(); q != 0.6 || m != 5 || len(got.Checklist()) != 2 || got.Checklist()[0] != "chiamare il plesso" {
			t.Fatalf("saved %v %d %q", q, m, got.Checklist())
		}
	})
}
