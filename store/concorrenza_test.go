package store_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// Concurrency tests: n goroutines are released together by closing a
// channel, over several rounds, on every engine. Each asserts what a lost
// update or a collision would break (a second winner, a second history
// line, a failed request), not timings.

const (
	racers = 16
	rounds = 4
)

// race runs fn(i) for i in [0, n) in n goroutines released at once and
// returns their errors by index.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// auditLines returns the detail of the audit lines of an action on an
// entity, oldest first.
func auditLines(t *testing.T, db *store.DB, action, entity string) []map[string]any {
	t.Helper()
	// By action only: FindAudit's prefix match drops "_" from the entity.
	rows, _, err := db.FindAudit(ctx, ps.AuditFilter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, e := range slices.Backward(rows) {
		if e.Action != action || e.Entity != entity {
			continue // prefix matches of other actions or entities
		}
		m := map[string]any{}
		if err := json.Unmarshal([]byte(e.Detail), &m); err != nil {
			t.Fatalf("audit detail %q: %v", e.Detail, err)
		}
		out = append(out, m)
	}
	return out
}

func TestDB_AggiornaSegnale(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		op := func(i int) ps.Actor { return ps.Actor{Username: fmt.Sprintf("operatore%d", i)} }
		nuovo := func(t *testing.T, round int) int64 {
			t.Helper()
			added, err := db.AddSegnali(ctx, ps.Actor{Username: "motore"}, []ps.Segnale{{Serie: "territorio",
				Giorno: date("2026-10-01").AddDate(0, 0, round), Metodo: t.Name(), Parametri: "{}"}})
			if err != nil || len(added) != 1 {
				t.Fatalf("add: %v %v", added, err)
			}
			return added[0].ID
		}
		// moves counts the history lines that moved the alert (the first
		// line records its creation).
		moves := func(t *testing.T, id int64) []ps.EventoSegnale {
			t.Helper()
			h, err := db.StoriaSegnale(ctx, id)
			if err != nil || len(h) == 0 {
				t.Fatalf("history: %v %v", h, err)
			}
			return h[1:]
		}

		t.Run("two targets from nuovo: one winner", func(t *testing.T) {
			for round := range rounds {
				id := nuovo(t, round)
				errs := race(racers, func(i int) error {
					to := ps.StatoValutazione
					if i%2 == 1 {
						to = ps.StatoArchiviato
					}
					return db.UpdateSegnale(ctx, op(i), id, to, "", "", ps.StatoNuovo)
				})
				won := -1
				for i, err := range errs {
					switch {
					case err == nil && won >= 0:
						t.Fatalf("round %d: operators %d and %d both moved the alert", round, won, i)
					case err == nil:
						won = i
					case ps.ErrorCode(err) != ps.EConflict:
						t.Fatalf("round %d: operator %d: %v, want a conflict", round, i, err)
					}
				}
				if won < 0 {
					t.Fatalf("round %d: nobody moved the alert", round)
				}
				h := moves(t, id)
				g, err := db.Segnale(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if len(h) != 1 || h[0].Username != op(won).Username || h[0].A != g.Stato {
					t.Fatalf("round %d: winner %d, state %q, history %+v", round, won, g.Stato, h)
				}
			}
		})

		t.Run("same target without the form's state: one history line", func(t *testing.T) {
			for round := range rounds {
				id := nuovo(t, 100+round)
				errs := race(racers, func(i int) error {
					return db.UpdateSegnale(ctx, op(i), id, ps.StatoArchiviato, "", "", "")
				})
				for i, err := range errs {
					// Either a no-op (it saw the alert archived already) or
					// a conflict (it read "nuovo" before the winner committed).
					if err != nil && ps.ErrorCode(err) != ps.EConflict {
						t.Fatalf("round %d: operator %d: %v", round, i, err)
					}
				}
				if h := moves(t, id); len(h) != 1 || h[0].Da != ps.StatoNuovo || h[0].A != ps.StatoArchiviato {
					t.Fatalf("round %d: history %+v, want one move nuovo → archiviato", round, h)
				}
			}
		})

		t.Run("unknown alert", func(t *testing.T) {
			err := db.UpdateSegnale(ctx, op(0), 999999, ps.StatoArchiviato, "", "", ps.StatoNuovo)
			if ps.ErrorCode(err) != ps.ENotFound {
				t.Fatalf("%v, want not found", err)
			}
		})
	})
}

func TestDB_SalvaGiorni_Concorrente(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		const plesso = "CREE80001R"
		giorno := func(d time.Time, assenti int) []ps.Giorno {
			return []ps.Giorno{{Giorno: d, Assenti: ps.IntPtr(assenti), Motivi: ps.Motivi{Febbre: ps.IntPtr(assenti / 2)},
				Classi: []ps.AssenzaClasse{{Classe: "1A", Iscritti: 200, Assenti: assenti}}}}
		}

		t.Run("identical retries: one revision, the rest invariati", func(t *testing.T) {
			for round := range rounds {
				d := date("2026-11-02").AddDate(0, 0, round)
				res := make([]store.SalvataggioAssenze, racers)
				errs := race(racers, func(i int) (err error) {
					res[i], err = db.SaveGiorni(ctx, ps.Actor{Username: "api"}, plesso, giorno(d, 7), "api")
					return err
				})
				var nuovi, invariati int
				for i, err := range errs {
					if err != nil {
						t.Fatalf("round %d: submission %d failed: %v", round, i, err)
					}
					nuovi += res[i].Nuovi
					invariati += res[i].Invariati
				}
				if nuovi != 1 || invariati != racers-1 {
					t.Fatalf("round %d: %d nuovi and %d invariati, want 1 and %d", round, nuovi, invariati, racers-1)
				}
				if h, err := db.StoricoGiorno(ctx, plesso, d); err != nil || len(h) != 1 {
					t.Fatalf("round %d: %d revisions (%v), want 1", round, len(h), err)
				}
			}
		})

		t.Run("different submissions: each the next revision", func(t *testing.T) {
			for round := range rounds {
				d := date("2026-11-16").AddDate(0, 0, round)
				res := make([]store.SalvataggioAssenze, racers)
				errs := race(racers, func(i int) (err error) {
					res[i], err = db.SaveGiorni(ctx, ps.Actor{Username: "api"}, plesso, giorno(d, 10+i), "api")
					return err
				})
				var nuovi, corretti int
				for i, err := range errs {
					if err != nil {
						t.Fatalf("round %d: submission %d failed: %v", round, i, err)
					}
					nuovi += res[i].Nuovi
					corretti += res[i].Corretti
				}
				if nuovi != 1 || corretti != racers-1 {
					t.Fatalf("round %d: %d nuovi and %d corretti, want 1 and %d", round, nuovi, corretti, racers-1)
				}
				h, err := db.StoricoGiorno(ctx, plesso, d)
				if err != nil || len(h) != racers {
					t.Fatalf("round %d: %d revisions (%v), want %d", round, len(h), err, racers)
				}
				seen := map[int]bool{}
				for i, r := range h {
					if r.Revisione != i+1 || seen[*r.Assenti] {
						t.Fatalf("round %d: revision %d is %+v", round, i+1, r)
					}
					seen[*r.Assenti] = true
				}
			}
		})
	})
}

func TestDB_AddConsistenza(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		db.Now = func() time.Time { return time.Date(2026, 9, 20, 10, 0, 0, 0, time.UTC) }
		a := ps.Actor{Username: "segreteria"}

		t.Run("identical concurrent saves: one revision", func(t *testing.T) {
			for round := range rounds {
				anno := ps.AnnoScolastico(2026 - round)
				created := make([]bool, racers)
				errs := race(racers, func(i int) (err error) {
					_, created[i], err = db.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80001R", Anno: anno, Iscritti: 200, Classi: 10})
					return err
				})
				n := 0
				for i, err := range errs {
					if err != nil {
						t.Fatalf("round %d: save %d failed: %v", round, i, err)
					}
					if created[i] {
						n++
					}
				}
				if n != 1 {
					t.Fatalf("round %d: %d saves created a revision, want 1", round, n)
				}
			}
			all, err := db.Consistenze(ctx, "CREE80001R")
			if err != nil || len(all) != rounds {
				t.Fatalf("%d revisions (%v), want %d", len(all), err, rounds)
			}
		})

		t.Run("different concurrent saves: each the next revision", func(t *testing.T) {
			for round := range rounds {
				anno := ps.AnnoScolastico(2026 - round)
				errs := race(racers, func(i int) error {
					_, created, err := db.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80002T", Anno: anno, Iscritti: 100 + i, Classi: 5})
					if err == nil && !created {
						err = fmt.Errorf("different figures added nothing")
					}
					return err
				})
				for i, err := range errs {
					if err != nil {
						t.Fatalf("round %d: save %d failed: %v", round, i, err)
					}
				}
			}
			all, err := db.Consistenze(ctx, "CREE80002T")
			if err != nil || len(all) != rounds*racers {
				t.Fatalf("%d revisions (%v), want %d", len(all), err, rounds*racers)
			}
			for _, c := range all {
				if c.Revisione < 1 || c.Revisione > racers {
					t.Fatalf("revision %+v", c)
				}
			}
		})

		t.Run("same figures later in the year add nothing", func(t *testing.T) {
			first, created, err := db.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80003V", Anno: 2026, Iscritti: 150, Classi: 7})
			if err != nil || !created {
				t.Fatalf("first: %v %v", created, err)
			}
			// The form leaves "in vigore dal" empty: a later save of the
			// same figures must not become a revision dated that day.
			db.Now = func() time.Time { return time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC) }
			again, created, err := db.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80003V", Anno: 2026, Iscritti: 150, Classi: 7})
			if err != nil || created || again.ID != first.ID {
				t.Fatalf("same figures again: created=%v id %d (first %d) %v", created, again.ID, first.ID, err)
			}
			changed, created, err := db.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80003V", Anno: 2026, Iscritti: 151, Classi: 7})
			if err != nil || !created || changed.Revisione != 2 || !changed.ValidoDal.Equal(date("2026-11-05")) {
				t.Fatalf("a variation: %+v created=%v %v", changed, created, err)
			}
			moved, created, err := db.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80003V", Anno: 2026, Iscritti: 151, Classi: 7, ValidoDal: date("2026-11-02")})
			if err != nil || !created || moved.Revisione != 3 {
				t.Fatalf("same figures with another effective date: %+v created=%v %v", moved, created, err)
			}
		})
	})
}

func TestDB_SaveSettings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := ps.Actor{Username: "admin"}
		t.Run("concurrent changes: each audit line starts from the previous value", func(t *testing.T) {
			for round := range rounds {
				errs := race(racers, func(i int) error {
					s, err := db.Settings(ctx)
					if err != nil {
						return err
					}
					s.NomeATS = fmt.Sprintf("ATS %d-%d", round, i)
					return db.SaveSettings(ctx, a, s)
				})
				for i, err := range errs {
					if err != nil {
						t.Fatalf("round %d: save %d: %v", round, i, err)
					}
				}
			}
			lines := auditLines(t, db, "settings.update", "setting:nome_ats")
			if len(lines) != rounds*racers {
				t.Fatalf("%d audit lines, want %d", len(lines), rounds*racers)
			}
			prev := store.DefaultSettings().NomeATS
			for i, l := range lines {
				if l["da"] != prev {
					t.Fatalf("audit line %d: from %q, but the value was %q", i, l["da"], prev)
				}
				prev, _ = l["a"].(string)
			}
			if s, _ := db.Settings(ctx); s.NomeATS != prev {
				t.Fatalf("stored %q, last audited %q", s.NomeATS, prev)
			}
		})
		t.Run("identical concurrent saves: one audit line", func(t *testing.T) {
			for round := range rounds {
				want := fmt.Sprintf("assistenza%d@example.org", round)
				errs := race(racers, func(i int) error {
					s, err := db.Settings(ctx)
					if err != nil {
						return err
					}
					s.EmailAssistenza = want
					return db.SaveSettings(ctx, a, s)
				})
				for i, err := range errs {
					if err != nil {
						t.Fatalf("round %d: save %d: %v", round, i, err)
					}
				}
				if n := len(auditLines(t, db, "settings.update", "setting:email_assistenza")); n != round+1 {
					t.Fatalf("round %d: %d audit lines, want %d", round, n, round+1)
				}
			}
		})
	})
}

func TestDB_RevocaToken(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		a := ps.Actor{Username: "ats"}
		for round := range rounds {
			tok, tk, err := db.CreateToken(ctx, a, "CREE80001R", fmt.Sprintf("registro %d", round))
			if err != nil {
				t.Fatal(err)
			}
			errs := race(racers, func(i int) error {
				if i%2 == 0 {
					// A vendor using the token meanwhile.
					if _, err := db.TokenPlesso(ctx, tok); err != nil && ps.ErrorCode(err) != ps.ENotFound {
						return err
					}
					return nil
				}
				return db.RevokeToken(ctx, a, "CREE80001R", tk.ID)
			})
			ok := 0
			for i, err := range errs {
				switch {
				case err == nil && i%2 == 1:
					ok++
				case err != nil && (i%2 == 0 || ps.ErrorCode(err) != ps.ENotFound):
					t.Fatalf("round %d: goroutine %d: %v", round, i, err)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d revocations succeeded, want 1", round, ok)
			}
			if _, err := db.TokenPlesso(ctx, tok); ps.ErrorCode(err) != ps.ENotFound {
				t.Fatalf("round %d: revoked token still accepted (%v)", round, err)
			}
		}
		if n := len(auditLines(t, db, "token.revoke", "plesso:CREE80001R")); n != rounds {
			t.Fatalf("%d revocations audited, want %d", n, rounds)
		}
	})
}

func TestDB_ClaimOutbox(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC) }
		for round := range rounds {
			var msgs []store.OutboxMessage
			for i := range 40 {
				msgs = append(msgs, store.OutboxMessage{Kind: "test", DedupeKey: fmt.Sprintf("r%d-%d", round, i), To: "x@example.org", Subject: "s", Body: "b"})
			}
			// Every worker enqueues the same batch (dedupe) and then claims.
			added := make([]int, racers)
			claimed := make([][]store.OutboxMessage, racers)
			errs := race(racers, func(i int) error {
				n, err := db.Enqueue(ctx, ps.SystemActor, msgs)
				if err != nil {
					return err
				}
				added[i] = n
				for {
					batch, err := db.ClaimOutbox(ctx, 3)
					if err != nil || len(batch) == 0 {
						return err
					}
					claimed[i] = append(claimed[i], batch...)
				}
			})
			seen := map[int64]int{}
			total := 0
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d: worker %d: %v", round, i, err)
				}
				total += added[i]
				for _, m := range claimed[i] {
					if prev, ok := seen[m.ID]; ok {
						t.Fatalf("round %d: message %d claimed by workers %d and %d", round, m.ID, prev, i)
					}
					seen[m.ID] = i
					if m.Attempts != 1 || m.Status != store.OutboxSending {
						t.Fatalf("round %d: claimed %+v", round, m)
					}
				}
			}
			// A worker may stop before a late enqueue lands: claim the rest.
			for {
				batch, err := db.ClaimOutbox(ctx, 100)
				if err != nil {
					t.Fatal(err)
				}
				if len(batch) == 0 {
					break
				}
				for _, m := range batch {
					if _, ok := seen[m.ID]; ok {
						t.Fatalf("message %d claimed twice", m.ID)
					}
					seen[m.ID] = -1
				}
			}
			if total != len(msgs) || len(seen) != len(msgs) {
				t.Fatalf("round %d: %d enqueued and %d claimed, want %d", round, total, len(seen), len(msgs))
			}
		}
	})
}

func TestDB_Import_Concorrente(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		files := []struct {
			name string
			o    store.ImportOptions
		}{
			{"istat-comuni-cr-mn.csv", store.ImportOptions{Filename: "comuni"}},
			{"mim-studenti-per-plesso-cr-mn-2024-25.csv", store.ImportOptions{Filename: "studenti", Anno: 2024}},
			{"mim-anagrafe-paritarie-cr-mn-2023-24.csv", store.ImportOptions{Filename: "paritarie"}},
		}
		const importers = 6 // each import reads and writes hundreds of rows
		for _, f := range files {
			t.Run(f.name, func(t *testing.T) {
				data := readData(t, f.name)
				reps := make([]*store.ImportReport, importers)
				errs := race(importers, func(i int) (err error) {
					reps[i], err = db.Import(ctx, ps.SystemActor, data, f.o)
					return err
				})
				changed := 0
				for i, err := range errs {
					if err != nil {
						t.Fatalf("import %d: %v", i, err)
					}
					if !reps[i].Unchanged() {
						changed++
					}
				}
				if changed != 1 {
					t.Fatalf("%d imports changed something, want 1 (the others find it done)", changed)
				}
				runs, err := db.ImportRuns(ctx, 100)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, r := range runs {
					if r.Filename == f.o.Filename {
						n++
					}
				}
				if n != importers {
					t.Fatalf("%d import runs recorded, want %d", n, importers)
				}
			})
		}
	})
}
