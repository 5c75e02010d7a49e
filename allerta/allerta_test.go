package allerta_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

var ctx = context.Background()

func TestEsegui(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		// The demo already ran detection; start from no signal and no mail.
		for _, q := range []string{`DELETE FROM segnali_storia`, `DELETE FROM segnali`, `DELETE FROM outbox`} {
			if _, err := db.SQL().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		es, err := allerta.Esegui(ctx, db, ps.SystemActor, now)
		if err != nil {
			t.Fatal(err)
		}
		if es.Serie < 6 || len(es.Nuovi) == 0 {
			t.Fatalf("%d series, %d signals: the demo's rising absences raised nothing", es.Serie, len(es.Nuovi))
		}
		var terr *ps.Segnale
		for i, g := range es.Nuovi {
			if g.Serie == "territorio" {
				terr = &es.Nuovi[i]
			}
			// The default method's episodes carry the evidence that made them
			// alarm: above its threshold.
			if g.Osservato <= g.Atteso || g.Soglia <= g.Atteso || !(g.Evidenza > g.SogliaEvidenza && g.SogliaEvidenza > 0) || g.ID == 0 || g.Stato != ps.StatoNuovo {
				t.Fatalf("signal without its context: %+v", g)
			}
		}
		if terr == nil || len(terr.Contributi) == 0 || terr.Completezza <= 0 || terr.Copertura <= 0 || terr.Plessi == 0 {
			t.Fatalf("territory signal %+v", terr)
		}
		if terr.Giorno.Before(time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("first territory alarm on %v, before the simulated rise", terr.Giorno)
		}
		if es.Email == 0 {
			t.Fatal("no e-mail queued for recent alerts")
		}
		again, err := allerta.Esegui(ctx, db, ps.SystemActor, now)
		if err != nil || len(again.Nuovi) != 0 || again.Email != 0 {
			t.Fatalf("a rerun on the same data added %d signals, %d e-mails (%v)", len(again.Nuovi), again.Email, err)
		}
		if n, err := allerta.Riepilogo(ctx, db, now, time.UTC); err != nil || n != 1 {
			t.Fatalf("digest %d %v", n, err)
		}
		// The digest counts as the list does, by level, territory first.
		out, _ := db.OutboxMessages(ctx, 1000)
		var body string
		for _, m := range out {
			if m.Kind == "allerta.riepilogo" {
				body = m.Body
			}
		}
		aperte, _ := db.CountSegnali(ctx, store.SegnaleFilter{Aperti: true})
		terrAt, plessiAt := strings.Index(body, "\nIntero territorio: "), strings.Index(body, "\nSingoli plessi: ")
		if !strings.Contains(body, fmt.Sprintf("Allerte aperte al 26/11/2026: %d (", aperte)) || terrAt < 0 || plessiAt < terrAt {
			t.Fatalf("digest:\n%s", body)
		}
		if n, _ := allerta.Riepilogo(ctx, db, now.Add(time.Hour), time.UTC); n != 0 {
			t.Fatal("two digests the same day")
		}
	})
}

func TestStandard(t *testing.T) {
	d := func(s string) time.Time { x, _ := time.Parse("2006-01-02", s); return x }
	p := []serie.Punto{
		{Giorno: d("2026-11-23"), Assenti: 30, Iscritti: 1000},
		{Giorno: d("2026-11-24"), Assenti: 3, Iscritti: 100}, // few plessi reported: same rate
		{Giorno: d("2026-11-25"), Assenti: 60, Iscritti: 1000},
	}
	s, ref := allerta.Standard(p)
	if ref != 1000 || s.Counts[0] != 30 || s.Counts[1] != 30 || s.Counts[2] != 60 {
		t.Fatalf("ref %v counts %v", ref, s.Counts)
	}
}

func TestTransizioni(t *testing.T) {
	for _, tc := range []struct {
		da, a string
		ok    bool
	}{
		{ps.StatoNuovo, ps.StatoValutazione, true}, {ps.StatoNuovo, ps.StatoConfermato, false},
		{ps.StatoValutazione, ps.StatoConfermato, true}, {ps.StatoValutazione, ps.StatoArchiviato, true},
		{ps.StatoConfermato, ps.StatoArchiviato, true}, {ps.StatoConfermato, ps.StatoNuovo, false},
		{ps.StatoArchiviato, ps.StatoValutazione, true}, {ps.StatoArchiviato, ps.StatoConfermato, false},
	} {
		if got := ps.TransizioneAmmessa(tc.da, tc.a); got != tc.ok {
			t.Errorf("%s → %s: %v", tc.da, tc.a, got)
		}
	}
}
