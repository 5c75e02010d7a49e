package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/anagrafe"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

var ctx = context.Background()

func date(s string) time.Time {
	d, err := time.Parse(ps.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

func readData(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../demo/data/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seed imports the CR/MN municipalities and pupil counts.
func seed(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := db.Import(ctx, ps.SystemActor, readData(t, "istat-comuni-cr-mn.csv"), store.ImportOptions{Filename: "comuni"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(ctx, ps.SystemActor, readData(t, "mim-studenti-per-plesso-cr-mn-2024-25.csv"),
		store.ImportOptions{Filename: "studenti", Anno: 2024}); err != nil {
		t.Fatal(err)
	}
}

func TestDB_Import(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		rep, err := db.Import(ctx, ps.SystemActor, readData(t, "istat-comuni-cr-mn.csv"), store.ImportOptions{Filename: "comuni"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Added) != 177 || len(rep.Changed) != 0 {
			t.Fatalf("comuni: added %d changed %d", len(rep.Added), len(rep.Changed))
		}

		t.Run("same file twice changes nothing", func(t *testing.T) {
			for _, name := range []string{"istat-comuni-cr-mn.csv", "mim-anagrafe-paritarie-cr-mn-2023-24.csv", "mim-anagrafe-statali-prov-autonome-2023-24.csv"} {
				data := readData(t, name)
				first, err := db.Import(ctx, ps.SystemActor, data, store.ImportOptions{Filename: name})
				if err != nil {
					t.Fatal(err)
				}
				if name != "istat-comuni-cr-mn.csv" && len(first.Added) == 0 {
					t.Fatalf("%s: first import added nothing", name)
				}
				again, err := db.Import(ctx, ps.SystemActor, data, store.ImportOptions{Filename: name})
				if err != nil {
					t.Fatal(err)
				}
				if !again.Unchanged() {
					t.Fatalf("%s: second import changed %d/%d/%d", name, len(again.Added), len(again.Changed), len(again.Retired))
				}
			}
			p, err := db.Plesso(ctx, "TNEE826055")
			if err != nil {
				t.Fatal(err)
			}
			if p.Istituto != "TNIC82600V" || p.Grado != ps.Primaria || !p.Attivo {
				t.Fatalf("plesso %+v", p)
			}
			cr, err := db.Plesso(ctx, "CR1A00900G")
			if err != nil {
				t.Fatal(err)
			}
			if cr.ComuneNome != "Cremona" || cr.Provincia != "CR" || !cr.Paritaria {
				t.Fatalf("paritaria joined to its comune: %+v", cr)
			}
		})

		t.Run("changed file reports added changed retired", func(t *testing.T) {
			data := string(readData(t, "mim-anagrafe-paritarie-cr-mn-2023-24.csv"))
			lines := strings.Split(strings.TrimRight(data, "\n"), "\n")
			// Drop one school, rename another, add a new one.
			dropped := strings.Split(lines[1], ",")[4]
			lines = append(lines[:1], lines[2:]...)
			lines[1] = strings.Replace(lines[1], "ZUCCHI", "ZUCCHI RINNOVATA", 1)
			lines = append(lines, "202324,NORD OVEST,LOMBARDIA,CREMONA,CR1E09900Z,NUOVA PRIMARIA,VIA ROMA 1,26100,D150,CREMONA,SCUOLA PRIMARIA NON STATALE,a@b.it,Non Disponibile,Non Disponibile")
			rep, err := db.Import(ctx, ps.SystemActor, []byte(strings.Join(lines, "\n")), store.ImportOptions{Filename: "v2"})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Added) != 1 || rep.Added[0].Key != "plesso CR1E09900Z" {
				t.Errorf("added %+v", rep.Added)
			}
			if len(rep.Changed) != 1 || rep.Changed[0].Fields["nome"] != [2]any{"ZUCCHI", "ZUCCHI RINNOVATA"} {
				t.Errorf("changed %+v", rep.Changed)
			}
			if len(rep.Retired) != 1 || rep.Retired[0].Key != "plesso "+dropped {
				t.Errorf("retired %+v, want %s", rep.Retired, dropped)
			}
			p, _ := db.Plesso(ctx, dropped)
			if p == nil || p.Attivo {
				t.Errorf("retired plesso %+v should be kept, inactive", p)
			}
		})

		t.Run("bad file is rejected whole", func(t *testing.T) {
			before, _ := db.Plessi(ctx, store.PlessoFilter{})
			data := "CODICESCUOLA,NUMEROSTUDENTI\nCREE80001R,100\nCREE80103C,abc\nCREE80104D,50\n"
			_, err := db.Import(ctx, ps.SystemActor, []byte(data), store.ImportOptions{Filename: "bad", Anno: 2025})
			var fe *anagrafe.FileError
			if !errors.As(err, &fe) || fe.Errors[0].Line != 3 {
				t.Fatalf("err %v", err)
			}
			after, _ := db.Plessi(ctx, store.PlessoFilter{})
			if len(after) != len(before) {
				t.Fatalf("plessi %d -> %d after a rejected file", len(before), len(after))
			}
		})

		t.Run("failure while applying leaves no trace", func(t *testing.T) {
			before, _ := db.Plessi(ctx, store.PlessoFilter{})
			cctx, cancel := context.WithCancel(ctx)
			_, err := db.Import(cctx, ps.SystemActor, readData(t, "mim-studenti-per-plesso-cr-mn-2024-25.csv"), store.ImportOptions{
				Filename: "studenti", Anno: 2024,
				// Cancel once parsing is done: the transaction fails part-way.
				Parsed: func(*anagrafe.File) { cancel() },
			})
			if err == nil {
				t.Fatal("import succeeded on a cancelled context")
			}
			after, _ := db.Plessi(ctx, store.PlessoFilter{})
			if len(after) != len(before) {
				t.Fatalf("plessi %d -> %d after a failed import", len(before), len(after))
			}
			n, ok, _ := db.StudentiMIM(ctx, "CREE80001R", 2024)
			if ok {
				t.Fatalf("a failed import left a pupil count (%d)", n)
			}
		})

		t.Run("districts", func(t *testing.T) {
			data := "codice_istat,distretto,nome_distretto\n019036,CR,Cremona\n020030,MN,Mantova\n"
			rep, err := db.Import(ctx, ps.SystemActor, []byte(data), store.ImportOptions{Filename: "d"})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Added) != 4 {
				t.Fatalf("added %+v", rep.Added)
			}
			p, _ := db.Plesso(ctx, "CR1A00900G")
			if p.Distretto != "CR" {
				t.Fatalf("district of a Cremona plesso: %q", p.Distretto)
			}
			_, err = db.Import(ctx, ps.SystemActor, []byte("codice_istat,distretto\n999999,X\n"), store.ImportOptions{Filename: "d"})
			if err == nil || !strings.Contains(err.Error(), "riga 2") {
				t.Fatalf("unknown municipality: %v", err)
			}
		})
	})
}

func TestDB_Consistenze(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		now := date("2025-10-20")
		db.Now = func() time.Time { return now }
		u := ps.Actor{Username: "segreteria"}
		add := func(iscritti, classi int, valido string) ps.Consistenza {
			t.Helper()
			c := ps.Consistenza{Plesso: "CREE80001R", Anno: 2025, Iscritti: iscritti, Classi: classi}
			if valido != "" {
				c.ValidoDal = date(valido)
			}
			saved, _, err := db.AddConsistenza(ctx, u, c)
			if err != nil {
				t.Fatal(err)
			}
			return saved
		}
		first := add(200, 10, "")
		if first.Revisione != 1 || day(first.ValidoDal) != "2025-09-01" {
			t.Fatalf("first revision %+v: effective from the start of the year", first)
		}
		if _, created, _ := db.AddConsistenza(ctx, u, ps.Consistenza{Plesso: "CREE80001R", Anno: 2025, Iscritti: 200, Classi: 10, ValidoDal: first.ValidoDal}); created {
			t.Fatal("identical figures created a new revision")
		}
		now = date("2025-11-15")
		second := add(210, 11, "")
		if second.Revisione != 2 || day(second.ValidoDal) != "2025-11-15" {
			t.Fatalf("second revision %+v: effective today", second)
		}
		// A correction of the September figures, dated back.
		third := add(205, 10, "2025-09-01")

		all, err := db.Consistenze(ctx, "CREE80001R")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 || all[0].ID != third.ID || all[2].Iscritti != 200 {
			t.Fatalf("history %+v", all)
		}
		for _, tc := range []struct {
			day  string
			want int
		}{
			{"2025-09-15", 205}, // the correction replaces revision 1
			{"2025-11-14", 205},
			{"2025-11-15", 210},
			{"2026-06-01", 210},
		} {
			c, err := db.ConsistenzaInVigore(ctx, "CREE80001R", date(tc.day))
			if err != nil || c.Iscritti != tc.want {
				t.Errorf("in force on %s: %+v %v; want %d", tc.day, c, err, tc.want)
			}
		}
		if _, err := db.ConsistenzaInVigore(ctx, "CREE80001R", date("2024-10-01")); ps.ErrorCode(err) != ps.ENotFound {
			t.Errorf("previous year: %v", err)
		}
		if _, _, err := db.AddConsistenza(ctx, u, ps.Consistenza{Plesso: "XXEE000000", Anno: 2025, Iscritti: 1, Classi: 1}); ps.ErrorCode(err) != ps.ENotFound {
			t.Errorf("unknown plesso: %v", err)
		}
		entries, _, err := db.FindAudit(ctx, ps.AuditFilter{Action: "consistenza.add"})
		if err != nil || len(entries) != 3 || !strings.Contains(entries[0].Detail, `"precedente"`) || entries[0].Username != "segreteria" {
			t.Fatalf("audit %+v %v", entries, err)
		}

		ad, err := db.Adempimenti(ctx, 2025, store.PlessoFilter{InScope: true, Attivi: true})
		if err != nil {
			t.Fatal(err)
		}
		tot := ps.Totale(ad)
		if tot.Fatti != 1 || tot.Totale < 300 {
			t.Fatalf("compliance %+v", tot)
		}
	})
}

func day(t time.Time) string { return t.Format(ps.DateLayout) }

func TestDB_Users(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		u, err := db.CreateUser(ctx, ps.SystemActor, ps.User{Username: " CREE80001R ", Role: ps.RolePlesso, Plesso: "CREE80001R", PasswordHash: "h", MustChange: true})
		if err != nil {
			t.Fatal(err)
		}
		if u.Username != "cree80001r" {
			t.Fatalf("username not normalised: %q", u.Username)
		}
		if _, err := db.CreateUser(ctx, ps.SystemActor, ps.User{Username: "cree80001r", Role: ps.RolePlesso, Plesso: "CREE80001R", PasswordHash: "h"}); ps.ErrorCode(err) != ps.EConflict {
			t.Fatalf("duplicate: %v", err)
		}
		if _, err := db.CreateUser(ctx, ps.SystemActor, ps.User{Username: "x", Role: ps.RolePlesso, Plesso: "ZZEE000000", PasswordHash: "h"}); ps.ErrorCode(err) != ps.EInvalid {
			t.Fatalf("unknown plesso: %v", err)
		}
		now := time.Now()
		db.Now = func() time.Time { return now }
		for i := 1; i <= 8; i++ {
			if err := db.RecordLogin(ctx, ps.Actor{IP: "127.0.0.1"}, "cree80001r", u.ID, false, "password"); err != nil {
				t.Fatal(err)
			}
		}
		// Failures never lock the account: anyone could lock a school out.
		got, _ := db.UserByUsername(ctx, "CREE80001R")
		if got.LockedUntil.After(now) {
			t.Fatalf("locked: %+v", got)
		}
		entries, total, _ := db.FindAudit(ctx, ps.AuditFilter{Action: "login.fail", Username: "cree80001r"})
		if total != 8 || len(entries) != total {
			t.Fatalf("audited failures %d", total)
		}
	})
}

func TestDB_Outbox(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		m := store.OutboxMessage{Kind: "promemoria", DedupeKey: "k1", To: "a@b.it", Subject: "s", Body: "b"}
		n, err := db.Enqueue(ctx, ps.SystemActor, []store.OutboxMessage{m, m})
		if err != nil || n != 1 {
			t.Fatalf("enqueue twice the same key: %d %v", n, err)
		}
		claimed, _ := db.ClaimOutbox(ctx, 10)
		if len(claimed) != 1 {
			t.Fatalf("claimed %d", len(claimed))
		}
		if again, _ := db.ClaimOutbox(ctx, 10); len(again) != 0 {
			t.Fatal("a claimed message was claimed again")
		}
		if err := db.MarkFailed(ctx, claimed[0], errors.New("451 try later")); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.ClaimOutbox(ctx, 10); len(due) != 0 {
			t.Fatal("a failed message was retried before its backoff")
		}
		later := time.Now().Add(2 * time.Minute)
		db.Now = func() time.Time { return later }
		due, _ := db.ClaimOutbox(ctx, 10)
		if len(due) != 1 || due[0].Attempts != 2 {
			t.Fatalf("retry %+v", due)
		}
		if n, _ := db.RecoverOutbox(ctx); n != 1 {
			t.Fatalf("a message left sending is not marked unsure (%d)", n)
		}
		counts, _ := db.OutboxCounts(ctx)
		if counts[store.OutboxUnsure] != 1 {
			t.Fatalf("counts %v", counts)
		}
	})
}

func TestDB_Osservazioni(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		a := ps.SystemActor
		db.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80001R", Anno: 2026, Iscritti: 200, Classi: 10})
		db.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80001R", Anno: 2026, Iscritti: 220, Classi: 11, ValidoDal: date("2026-11-24")})
		_, err := db.SaveGiorni(ctx, a, "CREE80001R", []ps.Giorno{
			{Giorno: date("2026-11-23"), Assenti: ps.IntPtr(10), Motivi: ps.Motivi{Febbre: ps.IntPtr(4), Gastro: ps.IntPtr(1), AltraMalattia: ps.IntPtr(2)}},
			{Giorno: date("2026-11-24"), Assenti: ps.IntPtr(0)},
			{Giorno: date("2026-11-25"), Chiuso: true, MotivoChiusura: "sciopero"},
		}, "modulo")
		if err != nil {
			t.Fatal(err)
		}
		// A plesso without figures for the year has no denominator: left out.
		db.SaveGiorni(ctx, a, "CREE80002T", []ps.Giorno{{Giorno: date("2026-11-23"), Assenti: ps.IntPtr(3)}}, "modulo")
		obs, err := db.Osservazioni(ctx, date("2026-11-01"), date("2026-11-30"))
		if err != nil {
			t.Fatal(err)
		}
		if len(obs) != 2 {
			t.Fatalf("%d observations: %+v", len(obs), obs)
		}
		if obs[0].Iscritti != 200 || obs[0].Assenti != 10 || obs[0].Malattia != 7 || obs[0].Strato.Provincia != "CR" || obs[0].Strato.Grado != "primaria" {
			t.Fatalf("first %+v", obs[0])
		}
		if obs[1].Iscritti != 220 || obs[1].Assenti != 0 || obs[1].Malattia != -1 {
			t.Fatalf("second (new figures in force, zero kept) %+v", obs[1])
		}
		pop, err := db.Popolazione(ctx, 2026)
		if err != nil || pop["CR|primaria"] < 5000 {
			t.Fatalf("population %+v %v", pop, err)
		}
	})
}

// TestSessionStore_Hash: the table keeps a hash of each session token, never
// the token; the token still finds its session.
func TestSessionStore_Hash(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		const token = "un-token-di-sessione-segreto"
		st := db.Sessions()
		if err := st.Commit(token, []byte("dati"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		b, ok, err := st.Find(token)
		if err != nil || !ok || string(b) != "dati" {
			t.Fatalf("find: %q %v %v", b, ok, err)
		}
		var stored string
		if err := db.SQL().QueryRowContext(ctx, `SELECT token FROM sessions`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, token) || len(stored) != 64 {
			t.Fatalf("stored key %q", stored)
		}
		// A copy of the table opens nothing: its key is not a token.
		if _, ok, _ := st.Find(stored); ok {
			t.Fatal("the stored key works as a token")
		}
		if err := st.Delete(token); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := st.Find(token); ok {
			t.Fatal("deleted session found")
		}
	})
}

// TestDB_AuditBounds: an audit row stays small whatever the caller passes.
func TestDB_AuditBounds(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		huge := strings.Repeat("A", 900_000)
		if err := db.Audit(ctx, ps.Actor{Username: huge, IP: huge}, "login.fail", "user:"+huge, map[string]string{"path": huge}); err != nil {
			t.Fatal(err)
		}
		entries, _, err := db.FindAudit(ctx, ps.AuditFilter{Action: "login.fail", Limit: 1})
		if err != nil || len(entries) != 1 {
			t.Fatalf("%v %v", entries, err)
		}
		e := entries[0]
		if n := len(e.Username) + len(e.IP) + len(e.Entity) + len(e.Detail); n > 2*store.MaxAuditDetail {
			t.Fatalf("an audit row of %d bytes", n)
		}
		if !json.Valid([]byte(e.Detail)) || !strings.Contains(e.Detail, "troncato") {
			t.Fatalf("detail %.100q", e.Detail)
		}
	})
}

// TestDB_OsservazioniRilasciate: figures shared outside rest on each plesso
// day as it stood at its window's deadline; a later correction, a report
// after the deadline and a window still open are withheld.
func TestDB_OsservazioniRilasciate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		a := ps.SystemActor
		db.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80001R", Anno: 2026, Iscritti: 200, Classi: 10})
		db.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80002T", Anno: 2026, Iscritti: 100, Classi: 5})
		clock := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		save := func(plesso, giorno string, n int) {
			t.Helper()
			if _, err := db.SaveGiorni(ctx, a, plesso, []ps.Giorno{{Giorno: date(giorno), Assenti: ps.IntPtr(n)}}, "modulo"); err != nil {
				t.Fatal(err)
			}
		}
		save("CREE80001R", "2026-11-23", 10) // in time
		save("CREE80001R", "2026-11-27", 4)  // a window not closed yet (below)
		clock = clock.Add(48 * time.Hour)    // 26 November 09:00, after the deadline of the 23rd
		save("CREE80001R", "2026-11-23", 13) // a correction after the deadline
		save("CREE80002T", "2026-11-23", 2)  // a late first report
		// The 23rd is due on the 25th at 12:00, the 27th on 1 December.
		scad := func(d time.Time) (time.Time, bool) {
			if d.Day() == 23 {
				return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), true
			}
			return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), true
		}
		now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
		obs, err := db.OsservazioniRilasciate(ctx, date("2026-11-01"), date("2026-11-30"), scad, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(obs) != 1 || obs[0].Plesso != "CREE80001R" || obs[0].Assenti != 10 || obs[0].Iscritti != 200 {
			t.Fatalf("released %+v, want CREE80001R's 10 of the 23rd only", obs)
		}
		// The internal view has the latest figures of both.
		all, err := db.Osservazioni(ctx, date("2026-11-01"), date("2026-11-30"))
		if err != nil || len(all) != 3 {
			t.Fatalf("latest %+v %v", all, err)
		}
	})
}

// TestDB_InCoda: the dedupe keys the outbox holds, in batches.
func TestDB_InCoda(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		var msgs []store.OutboxMessage
		var keys []string
		for i := range 600 {
			k := fmt.Sprintf("prova:%d", i)
			keys = append(keys, k)
			if i%3 == 0 {
				msgs = append(msgs, store.OutboxMessage{Kind: "prova", DedupeKey: k, To: "a@b.it", Subject: "s", Body: "b"})
			}
		}
		if _, err := db.Enqueue(ctx, ps.SystemActor, msgs); err != nil {
			t.Fatal(err)
		}
		got, err := db.InCoda(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(msgs) || !got["prova:0"] || got["prova:1"] || !got["prova:597"] {
			t.Fatalf("%d keys found, want %d", len(got), len(msgs))
		}
	})
}
