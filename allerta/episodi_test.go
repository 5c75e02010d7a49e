package allerta_test

import (
	"slices"
	"strconv"
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
			// The demo's school year; the one before has its own, closed.
			var quest []ps.Segnale
			for _, g := range eps {
				if !g.Al.Before(ps.AnnoDi(now).Inizio()) {
					quest = append(quest, g)
				}
			}
			if len(quest) == 0 || len(quest) > 30 {
				t.Fatalf("%d alerts of this school year listed after a detection run, want 1–30", len(quest))
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
		report := func(code string) { t.Helper(); segnala(t, db, code, from, now, 15) }
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

// segnala reports pct% of a plesso's pupils absent on each of its school
// days from from to the day before now.
func segnala(t *testing.T, db *store.DB, code string, from, now time.Time, pct int) {
	t.Helper()
	anno := ps.AnnoDi(now)
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
		n := c.Iscritti * pct / 100
		giorni = append(giorni, ps.Giorno{Giorno: d, Assenti: &n})
	}
	if len(giorni) == 0 {
		t.Fatalf("no open day for %s from %v", code, from)
	}
	if _, err := db.SaveGiorni(ctx, ps.Actor{Username: strings.ToLower(code)}, code, giorni, "api"); err != nil {
		t.Fatal(err)
	}
}

// TestMotore_Email: one e-mail per group of related new episodes (the
// demo's wave on the territory, its provinces, grades and illness series is
// one message), one more when the peak rises by a point, none for days
// that only extend an episode or for a rerun.
func TestMotore_Email(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		alerts := func() []store.OutboxMessage {
			all, err := db.OutboxMessages(ctx, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var out []store.OutboxMessage
			for _, m := range all {
				if m.Kind == "allerta.nuova" {
					out = append(out, m)
				}
			}
			return out
		}
		first := alerts()
		// This school year's wave: the year before's episodes were
		// mailed, and closed, long ago.
		agg, err := db.Segnali(ctx, store.SegnaleFilter{Tipo: "aggregati", Dal: ps.AnnoDi(now).Inizio(), Limit: 1000})
		if err != nil || len(agg) < 2 {
			t.Fatalf("aggregate episodes %d %v", len(agg), err)
		}
		if len(first) != 1 {
			t.Fatalf("%d alert e-mails for one wave, want 1", len(first))
		}
		for _, g := range agg {
			if !strings.Contains(first[0].Body, "/ats/allerte/"+strconv.FormatInt(g.ID, 10)+"\n") {
				t.Errorf("the e-mail does not list episode %d (%s)", g.ID, g.Serie)
			}
		}
		if strings.Contains(first[0].Body, "provincia:") || !strings.Contains(first[0].Body, "Provincia di Cremona") {
			t.Errorf("series not named in words: %s", first[0].Body)
		}

		m := allerta.NuovoMotore(db, nil)
		if _, err := m.Esegui(ctx, ps.SystemActor, now); err != nil {
			t.Fatal(err)
		}
		if n := len(alerts()); n != 1 {
			t.Fatalf("a rerun queued %d more e-mails", n-1)
		}
		sent, _ := db.Sentinelle(ctx, ps.AnnoDi(now))
		terr := m.Archivio().Punti(aggregati.Territorio, ps.AnnoDi(now).Inizio(), now)
		from := terr[len(terr)-1].Giorno.AddDate(0, 0, 1)
		for _, c := range sent {
			segnala(t, db, c, from, now, 15)
		}
		es, err := m.Esegui(ctx, ps.SystemActor, now)
		if err != nil || len(es.Estesi) == 0 {
			t.Fatalf("the rise extended nothing: %+v %v", es, err)
		}
		after := alerts()
		if len(after) != 2 || !slices.ContainsFunc(after, func(x store.OutboxMessage) bool { return strings.Contains(x.Subject, "in aumento") }) {
			var subj []string
			for _, x := range after {
				subj = append(subj, x.Subject)
			}
			t.Fatalf("after a 15%% peak: %d e-mails %q, want one more announcing the rise", len(after), subj)
		}
	})
}

// TestMotore_Soglie: changing the completeness thresholds in the settings
// makes the next run examine every series again, with the new thresholds.
func TestMotore_Soglie(t *testing.T) {
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
		if es, err := m.Esegui(ctx, ps.SystemActor, now); err != nil || es.Tutto || es.Serie != 0 {
			t.Fatalf("a run with nothing new: %+v %v", es, err)
		}
		st, _ := db.Settings(ctx)
		st.MinimoPlessi = "20" // more than the demo's 16 sentinels: capped at the network's size
		st.QuotaIscritti = "1"
		if err := db.SaveSettings(ctx, ps.SystemActor, st); err != nil {
			t.Fatal(err)
		}
		es, err := m.Esegui(ctx, ps.SystemActor, now)
		if err != nil || !es.Tutto || es.Serie == 0 {
			t.Fatalf("after a change of thresholds: %+v %v", es, err)
		}
		tr, err := m.Traccia(ctx, aggregati.Territorio, ps.AnnoDi(now).Inizio(), now)
		if err != nil {
			t.Fatal(err)
		}
		prov := 0
		for i := range tr.Giorni {
			if tr.Provvisorio[i] {
				prov++
			}
		}
		if prov == 0 || prov == len(tr.Giorni) {
			t.Fatalf("with every pupil required, %d of %d days provisional", prov, len(tr.Giorni))
		}
	})
}
