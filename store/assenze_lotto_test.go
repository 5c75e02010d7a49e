package store_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestDB_SalvaInsieme: several submissions committed together each get
// their own result, revisions and audit line, in order (a later one of the
// same plesso is compared with an earlier one of the batch); one that the
// database refuses fails alone and the others are stored.
func TestDB_SalvaInsieme(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		d := date("2026-11-23")
		inv := func(plesso string, assenti int, classi ...ps.AssenzaClasse) store.InvioAssenze {
			at = at.Add(time.Second)
			return store.InvioAssenze{Actor: ps.Actor{Username: "api:" + plesso}, Plesso: plesso, Fonte: "api", Il: at,
				Giorni: []ps.Giorno{{Giorno: d, Assenti: ps.IntPtr(assenti), Classi: classi}}}
		}
		// Stored before the batch: the batch's first submission of it is a correction.
		if _, err := db.SaveGiorni(ctx, ps.SystemActor, "CREE80003V", []ps.Giorno{{Giorno: d, Assenti: ps.IntPtr(1)}}, "modulo"); err != nil {
			t.Fatal(err)
		}
		invii := []store.InvioAssenze{
			inv("CREE80001R", 5, ps.AssenzaClasse{Classe: "1A", Iscritti: 20, Assenti: 5}), // new
			inv("CREE80002T", 3), // new
			inv("CREE80001R", 5, ps.AssenzaClasse{Classe: "1A", Iscritti: 20, Assenti: 5}), // same as the first: invariato
			inv("CREE80002T", -1), // refused by the database's CHECK
			inv("CREE80001R", 6, ps.AssenzaClasse{Classe: "1A", Iscritti: 20, Assenti: 6}), // revision 2 of both rows
			inv("CREE80003V", 2), // revision 2
		}
		res, errs := db.SaveInsieme(ctx, invii)
		want := []store.SalvataggioAssenze{{Nuovi: 1}, {Nuovi: 1}, {Invariati: 1}, {}, {Corretti: 1}, {Corretti: 1}}
		for i := range invii {
			if (errs[i] != nil) != (i == 3) {
				t.Fatalf("submission %d: error %v", i, errs[i])
			}
			if res[i] != want[i] {
				t.Fatalf("submission %d: %+v, want %+v", i, res[i], want[i])
			}
		}
		for _, c := range []struct {
			plesso  string
			assenti []int
		}{{"CREE80001R", []int{5, 6}}, {"CREE80002T", []int{3}}, {"CREE80003V", []int{1, 2}}} {
			h, err := db.StoricoGiorno(ctx, c.plesso, d)
			if err != nil || len(h) != len(c.assenti) {
				t.Fatalf("%s: %d revisions (%v), want %d", c.plesso, len(h), err, len(c.assenti))
			}
			for i, r := range h {
				if r.Revisione != i+1 || *r.Assenti != c.assenti[i] {
					t.Fatalf("%s: revision %d is %d with %d absent, want %d", c.plesso, i+1, r.Revisione, *r.Assenti, c.assenti[i])
				}
			}
		}
		// A batch that the database accepts whole: the same plesso three
		// times, each compared with the one before it in the batch.
		res, errs = db.SaveInsieme(ctx, []store.InvioAssenze{inv("CREE80002T", 7), inv("CREE80002T", 7), inv("CREE80002T", 8)})
		for i, w := range []store.SalvataggioAssenze{{Corretti: 1}, {Invariati: 1}, {Corretti: 1}} {
			if errs[i] != nil || res[i] != w {
				t.Fatalf("second batch, submission %d: %+v %v, want %+v", i, res[i], errs[i], w)
			}
		}
		if h, err := db.StoricoGiorno(ctx, "CREE80002T", d); err != nil || len(h) != 3 || *h[1].Assenti != 7 || *h[2].Assenti != 8 || h[2].Revisione != 3 {
			t.Fatalf("CREE80002T after the second batch: %+v %v", h, err)
		}
		// The report time is the submission's own.
		if h, _ := db.StoricoGiorno(ctx, "CREE80001R", d); !h[1].SegnalatoIl.Equal(invii[4].Il) {
			t.Fatalf("revision 2 reported at %v, want %v", h[1].SegnalatoIl, invii[4].Il)
		}
		rows, err := db.Rilevazioni(ctx, "CREE80001R", d, d)
		if err != nil || len(rows) != 1 || len(rows[0].Classi) != 1 || rows[0].Classi[0].Assenti != 6 || rows[0].Revisione != 2 {
			t.Fatalf("latest of CREE80001R: %+v %v", rows, err)
		}
		// One audit line per submission that changed something, oldest first,
		// none for the unchanged or the refused one.
		entries, n, err := db.FindAudit(ctx, ps.AuditFilter{Action: "assenze.save"})
		if err != nil || n != 7 {
			t.Fatalf("%d assenze.save audit lines (%v), want 7 (one before the batches, four and two in them)", n, err)
		}
		var got []string
		for i := len(entries) - 2; i >= 0; i-- { // newest first; skip the one before the batches
			e := entries[i]
			var detail struct{ Nuovi, Corretti int }
			if err := json.Unmarshal([]byte(e.Detail), &detail); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s %s %d/%d", e.Username, e.Entity, detail.Nuovi, detail.Corretti))
		}
		wantAudit := []string{"api:CREE80001R plesso:CREE80001R 1/0", "api:CREE80002T plesso:CREE80002T 1/0",
			"api:CREE80001R plesso:CREE80001R 0/1", "api:CREE80003V plesso:CREE80003V 0/1",
			"api:CREE80002T plesso:CREE80002T 0/1", "api:CREE80002T plesso:CREE80002T 0/1"}
		if fmt.Sprint(got) != fmt.Sprint(wantAudit) {
			t.Fatalf("audit lines %q, want %q", got, wantAudit)
		}
	})
}

// TestDB_SalvaGiorni_Gruppo: many concurrent submissions through the group
// committer (those queued together share a transaction): every one is
// stored with its audit line, and a refused one fails alone.
func TestDB_SalvaGiorni_Gruppo(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		plessi := []string{"CREE80001R", "CREE80002T", "CREE80003V"}
		const n = 60
		var wg sync.WaitGroup
		errs := make([]error, n)
		res := make([]store.SalvataggioAssenze, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				assenti := i
				if i == 17 {
					assenti = -1 // the database refuses it
				}
				g := []ps.Giorno{{Giorno: date("2026-11-02").AddDate(0, 0, i/len(plessi)), Assenti: ps.IntPtr(assenti)}}
				res[i], errs[i] = db.SaveGiorni(ctx, ps.Actor{Username: "api"}, plessi[i%len(plessi)], g, "api")
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (err != nil) != (i == 17) || (err == nil && res[i].Nuovi != 1) {
				t.Fatalf("submission %d: %+v %v", i, res[i], err)
			}
		}
		for i := range n {
			if i == 17 {
				continue
			}
			d := date("2026-11-02").AddDate(0, 0, i/len(plessi))
			h, err := db.StoricoGiorno(ctx, plessi[i%len(plessi)], d)
			if err != nil || len(h) != 1 || *h[0].Assenti != i {
				t.Fatalf("submission %d not stored: %+v %v", i, h, err)
			}
		}
		if _, total, _ := db.FindAudit(ctx, ps.AuditFilter{Action: "assenze.save"}); total != n-1 {
			t.Fatalf("%d audit lines, want %d", total, n-1)
		}
	})
}

// TestDB_SalvaGiorni_Close: acknowledged group-committed submissions are
// found after the DB is closed and reopened (on PostgreSQL, submissions of
// several plessi spread over its several committers).
func TestDB_SalvaGiorni_Close(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { salvaGiorniClose(t, storetest.DSN(t, d)) })
	}
}

func salvaGiorniClose(t *testing.T, path string) {
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	seed(t, db)
	plessi := []string{"CREE80001R", "CREE80002T", "CREE80003V", "MNEE800012"}
	var wg sync.WaitGroup
	const n = 20
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.SaveGiorni(ctx, ps.SystemActor, plessi[i%len(plessi)], []ps.Giorno{{Giorno: date("2026-11-02").AddDate(0, 0, i), Assenti: ps.IntPtr(i)}}, "api")
		}()
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("submission %d: %v", i, err)
		}
		if h, err := db.StoricoGiorno(ctx, plessi[i%len(plessi)], date("2026-11-02").AddDate(0, 0, i)); err != nil || len(h) != 1 {
			t.Fatalf("acknowledged submission %d not found after reopening: %v %v", i, h, err)
		}
	}
}
