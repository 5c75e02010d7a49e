package store_test

import (
	"fmt"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestDB_AggiungiSegnali stores more signals than one multi-row statement
// holds, skips the known ones and duplicates in the input, writes a history
// row for each, and filters by kind of series.
func TestDB_AggiungiSegnali(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := ps.Actor{Username: "motore"}
		var sig []ps.Segnale
		for i := range 250 {
			serie := "territorio"
			if i%2 == 1 {
				serie = fmt.Sprintf("plesso:CREE%06d", i)
			}
			g := ps.Segnale{Serie: serie, Giorno: date("2026-09-01").AddDate(0, 0, i), Metodo: "default", Parametri: "{}",
				Osservato: 0.1, Atteso: 0.05, Soglia: 0.08, Plessi: 1}
			if i%3 == 0 {
				g.Evidenza, g.SogliaEvidenza = 2.25+float64(i), 1.5
			}
			sig = append(sig, g)
		}
		sig = append(sig, sig[3]) // a duplicate in the input
		added, err := db.AddSegnali(ctx, a, sig)
		if err != nil || len(added) != 250 {
			t.Fatalf("added %d, want 250 (%v)", len(added), err)
		}
		seen := map[int64]bool{}
		for _, g := range added {
			if g.ID == 0 || seen[g.ID] || g.Stato != ps.StatoNuovo {
				t.Fatalf("signal %+v", g)
			}
			seen[g.ID] = true
		}
		storia, err := db.StoriaSegnale(ctx, added[17].ID)
		if err != nil || len(storia) != 1 || storia[0].A != ps.StatoNuovo {
			t.Fatalf("history of a new signal: %+v %v", storia, err)
		}
		again, err := db.AddSegnali(ctx, a, append(sig[:10:10], ps.Segnale{Serie: "provincia:CR", Giorno: date("2026-10-01"), Metodo: "default", Parametri: "{}"}))
		if err != nil || len(again) != 1 || again[0].Serie != "provincia:CR" {
			t.Fatalf("rerun added %+v (%v), want only the new one", again, err)
		}
		// The evidence and its threshold come back as stored; a signal
		// without them reads zero (NULL in the table).
		for _, g := range added {
			got, err := db.Segnale(ctx, g.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Evidenza != g.Evidenza || got.SogliaEvidenza != g.SogliaEvidenza {
				t.Fatalf("signal %d: evidence %v of %v, stored %v of %v", g.ID, got.Evidenza, got.SogliaEvidenza, g.Evidenza, g.SogliaEvidenza)
			}
		}
		for tipo, want := range map[string]int{"plessi": 125, "aggregati": 126, "": 251} {
			got, err := db.Segnali(ctx, store.SegnaleFilter{Tipo: tipo, Limit: 1000})
			if err != nil || len(got) != want {
				t.Errorf("tipo %q: %d signals, want %d (%v)", tipo, len(got), want, err)
			}
		}
	})
}

// TestDB_ConteggiSegnali: the counts by level and state agree with the
// list filtered by the same level and state, page by page.
func TestDB_ConteggiSegnali(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := ps.Actor{Username: "motore"}
		series := []string{"territorio", "provincia:CR", "provincia:MN", "distretto:CR1", "grado:primaria",
			"febbre/territorio", "gastro/provincia:CR", "plesso:CREE80102B", "plesso:MNEE80001X", "plesso:CRMM80101A"}
		var sig []ps.Segnale
		for i := range 60 {
			sig = append(sig, ps.Segnale{Serie: series[i%len(series)], Giorno: date("2026-09-01").AddDate(0, 0, i), Metodo: "default", Parametri: "{}",
				Osservato: 0.1, Atteso: 0.05, Soglia: 0.08, Plessi: 1})
		}
		added, err := db.AddSegnali(ctx, a, sig)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range added {
			if i%4 == 0 {
				if err := db.UpdateSegnale(ctx, a, g.ID, ps.StatoValutazione, "", "", ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		counts, err := db.CountSegnaliPerLivello(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{ps.LivelloTerritorio: 6, ps.LivelloProvincia: 12, ps.LivelloDistretto: 6, ps.LivelloGrado: 6, ps.LivelloMotivo: 12, ps.LivelloPlesso: 18}
		total := 0
		for _, l := range ps.LivelliSerie {
			n := 0
			for _, stato := range ps.StatiSegnale {
				listed, err := db.Segnali(ctx, store.SegnaleFilter{Livello: l, Stato: stato, Limit: 5000})
				if err != nil {
					t.Fatal(err)
				}
				c, err := db.CountSegnali(ctx, store.SegnaleFilter{Livello: l, Stato: stato})
				if err != nil {
					t.Fatal(err)
				}
				if len(listed) != counts[l][stato] || c != counts[l][stato] {
					t.Errorf("%s %s: counted %d and %d, listed %d", l, stato, counts[l][stato], c, len(listed))
				}
				for _, g := range listed {
					if ps.LivelloSerie(g.Serie) != l {
						t.Errorf("%s listed under %s", g.Serie, l)
					}
				}
				n += counts[l][stato]
			}
			if n != want[l] {
				t.Errorf("%s: %d episodes, want %d", l, n, want[l])
			}
			total += n
		}
		if counts[ps.LivelloTerritorio][ps.StatoValutazione] == 0 || total != 60 {
			t.Fatalf("counts %v (total %d)", counts, total)
		}
		// Pages of 7 cover the list once, in its order.
		all, _ := db.Segnali(ctx, store.SegnaleFilter{Limit: 5000})
		var paged []int64
		for off := 0; off < 70; off += 7 {
			p, err := db.Segnali(ctx, store.SegnaleFilter{Limit: 7, Offset: off})
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range p {
				paged = append(paged, g.ID)
			}
		}
		if len(paged) != len(all) {
			t.Fatalf("paged %d of %d", len(paged), len(all))
		}
		for i := range all {
			if paged[i] != all[i].ID {
				t.Fatalf("page order differs at %d", i)
			}
		}
	})
}
