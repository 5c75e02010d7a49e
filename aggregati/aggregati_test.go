package aggregati_test

import (
	"context"
	"reflect"
	"slices"
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

var (
	ctx   = context.Background()
	now   = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	actor = ps.Actor{Username: "test"}
)

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// uguale checks the archive against the store's own query: the same
// observations, and every watched series equal to what allerta.Monitorate
// sums from them.
func uguale(t *testing.T, db *store.DB, a *aggregati.Archivio, from, to time.Time) {
	t.Helper()
	want, err := db.Osservazioni(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	got := a.Osservazioni(from, to)
	if len(got) != len(want) {
		t.Fatalf("%d observations in memory, %d in the store", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("observation %d: memory %+v, store %+v", i, got[i], want[i])
		}
	}
	// Every series is watched once: one made of the same plessi as an
	// earlier one (the demo's districts are its provinces) is left out
	// and named as equal to it; illness series follow the all-cause ones.
	var nomi []string
	for _, m := range allerta.Monitorate(want) {
		if p := a.Punti(m.Nome, from, to); !reflect.DeepEqual(serie.Feriali(p), m.Punti) {
			t.Fatalf("series %s: memory %v\nstore %v", m.Nome, serie.Feriali(p), m.Punti)
		}
		if u := a.Uguale(m.Nome); u != "" {
			if m2 := serie.Feriali(a.Punti(u, from, to)); !reflect.DeepEqual(m2, m.Punti) {
				t.Fatalf("%s left out as equal to %s, but their points differ", m.Nome, u)
			}
			continue
		}
		nomi = append(nomi, m.Nome)
	}
	watched := a.Nomi()
	if len(watched) < len(nomi) || !reflect.DeepEqual(watched[:len(nomi)], nomi) {
		t.Fatalf("names %v, want %v first", watched, nomi)
	}
	for _, n := range watched[len(nomi):] {
		if b, motivo := aggregati.Base(n); motivo == "" || !slices.Contains(nomi, b) {
			t.Fatalf("watched %s after the all-cause series %v", n, nomi)
		}
	}
	for anno := ps.AnnoDi(from); anno <= ps.AnnoDi(to); anno++ {
		want, err := db.Popolazione(ctx, anno)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Popolazione(anno); !reflect.DeepEqual(got, want) {
			t.Fatalf("population %v: memory %v, store %v", anno, got, want)
		}
	}
}

func TestArchivio_Aggiorna(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		a := aggregati.Nuovo(db)
		cambi, err := a.Aggiorna(ctx)
		if err != nil || cambi != nil {
			t.Fatalf("first load: %v %v (want nil changes: everything is new)", cambi, err)
		}
		anno := ps.AnnoDi(now)
		uguale(t, db, a, (anno - 1).Inizio(), now)

		t.Run("nothing new", func(t *testing.T) {
			v := a.Versione()
			cambi, err := a.Aggiorna(ctx)
			if err != nil || len(cambi) != 0 || a.Versione() != v {
				t.Fatalf("changes %v, version %d→%d, %v", cambi, v, a.Versione(), err)
			}
		})

		sent, err := db.Sentinelle(ctx, anno)
		if err != nil || len(sent) < 3 {
			t.Fatalf("sentinels %v %v", sent, err)
		}
		obs := a.Osservazioni(day("2026-11-16"), day("2026-11-20"))
		if len(obs) == 0 {
			t.Fatal("no demo absences in the week of 16 November")
		}
		o := obs[0]
		p, err := db.Plesso(ctx, o.Plesso)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("a correction, a closure and a new day", func(t *testing.T) {
			v := a.Versione()
			n := o.Assenti + 7
			zero := 0
			giorni := []ps.Giorno{
				{Giorno: o.Giorno, Assenti: &n},
				{Giorno: day("2026-11-25"), Assenti: &zero},
			}
			if _, err := db.SaveGiorni(ctx, actor, o.Plesso, giorni, "test"); err != nil {
				t.Fatal(err)
			}
			other := obs[len(obs)-1]
			if _, err := db.SaveGiorni(ctx, actor, other.Plesso, []ps.Giorno{{Giorno: other.Giorno, Chiuso: true, MotivoChiusura: "neve"}}, "test"); err != nil {
				t.Fatal(err)
			}
			cambi, err := a.Aggiorna(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for nome, d := range map[string]time.Time{
				aggregati.Territorio:                    o.Giorno,
				"provincia:" + p.Provincia:              o.Giorno,
				"grado:" + string(p.Grado):              o.Giorno,
				aggregati.PrefissoPlesso + o.Plesso:     o.Giorno,
				aggregati.PrefissoPlesso + other.Plesso: other.Giorno,
			} {
				if !cambi[nome].Equal(d) {
					t.Errorf("change of %s from %v, want %v (all: %v)", nome, cambi[nome], d, cambi)
				}
			}
			if a.Versione() == v {
				t.Error("version unchanged")
			}
			uguale(t, db, a, (anno - 1).Inizio(), now)
		})

		t.Run("new enrolment figures change the denominators", func(t *testing.T) {
			c := ps.Consistenza{Plesso: o.Plesso, Anno: anno, Iscritti: 999, Classi: 40, ValidoDal: day("2026-11-01")}
			if _, _, err := db.AddConsistenza(ctx, actor, c); err != nil {
				t.Fatal(err)
			}
			cambi, err := a.Aggiorna(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := cambi[aggregati.PrefissoPlesso+o.Plesso]; got.Before(day("2026-11-01")) || got.After(o.Giorno) {
				t.Fatalf("plesso changed from %v, want a day from 1 November (%v)", got, cambi)
			}
			uguale(t, db, a, (anno - 1).Inizio(), now)
			if got := a.Giorno(aggregati.Territorio, o.Giorno); len(got) == 0 || func() int {
				for _, x := range got {
					if x.Plesso == o.Plesso {
						return x.Iscritti
					}
				}
				return 0
			}() != 999 {
				t.Fatalf("day %v: %+v", o.Giorno, got)
			}
		})

		t.Run("a new plesso rebuilds", func(t *testing.T) {
			// As an anagrafe import would.
			if _, err := db.SQL().Exec(`INSERT INTO plessi (codice, nome, grado, provincia) VALUES ('CREE999999', 'Nuovo', 'primaria', 'CR')`); err != nil {
				t.Fatal(err)
			}
			cambi, err := a.Aggiorna(ctx)
			if err != nil || cambi != nil {
				t.Fatalf("after a register change: %v %v, want a rebuild (nil)", cambi, err)
			}
			uguale(t, db, a, (anno - 1).Inizio(), now)
		})
	})
}

// TestArchivio_Concorrente reads while refreshing: run with -race.
func TestArchivio_Concorrente(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	if err := demo.Seed(ctx, db, now); err != nil {
		t.Fatal(err)
	}
	a := aggregati.Nuovo(db)
	if _, err := a.Aggiorna(ctx); err != nil {
		t.Fatal(err)
	}
	obs := a.Osservazioni(day("2026-11-16"), day("2026-11-20"))
	if len(obs) == 0 {
		t.Fatal("the demo has no observation in the week of 16 November")
	}
	done := make(chan error, 1)
	go func() {
		for i := range 20 {
			n := i
			if _, err := db.SaveGiorni(ctx, actor, obs[0].Plesso, []ps.Giorno{{Giorno: obs[0].Giorno, Assenti: &n}}, "test"); err != nil {
				done <- err
				return
			}
			if _, err := a.Aggiorna(ctx); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	// Read for as long as the writer refreshes.
	reads := 0
	for writing := true; writing; reads++ {
		_ = a.Punti(aggregati.Territorio, day("2026-09-01"), now)
		_ = a.Giorno("", obs[0].Giorno)
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			writing = false
		default:
		}
	}
	found := false
	for _, o := range a.Giorno("", obs[0].Giorno) {
		if o.Plesso == obs[0].Plesso {
			found = true
			if o.Assenti != 19 {
				t.Fatalf("last revision not applied: %+v", o)
			}
		}
	}
	if !found {
		t.Fatalf("plesso %s missing from the day's result after the refreshes", obs[0].Plesso)
	}
	t.Logf("%d reads during 20 refreshes", reads)
}
