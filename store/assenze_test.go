package store_test

import (
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

func TestDB_SalvaGiorni(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		first := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return first }
		a := ps.Actor{Username: "cree80001r"}
		g := []ps.Giorno{
			{Giorno: date("2026-11-23"), Assenti: ps.IntPtr(0)},
			{Giorno: date("2026-11-24"), Assenti: ps.IntPtr(5), Motivi: ps.Motivi{Febbre: ps.IntPtr(3)},
				Classi: []ps.AssenzaClasse{{Classe: "1A", Iscritti: 20, Assenti: 2}, {Classe: "1B", Iscritti: 21, Assenti: 3}}},
		}
		res, err := db.SaveGiorni(ctx, a, "CREE80001R", g, "modulo")
		if err != nil || res.Nuovi != 2 {
			t.Fatalf("%+v %v", res, err)
		}
		if res, _ := db.SaveGiorni(ctx, a, "CREE80001R", g, "api"); res.Invariati != 2 || res.Nuovi+res.Corretti != 0 {
			t.Fatalf("the same days again: %+v", res)
		}
		later := first.Add(26 * time.Hour)
		db.Now = func() time.Time { return later }
		g[1].Classi[1].Assenti = 4
		g[1].Assenti = ps.IntPtr(6)
		if res, _ := db.SaveGiorni(ctx, a, "CREE80001R", g[1:], "modulo"); res.Corretti != 1 {
			t.Fatalf("correction: %+v", res)
		}
		rows, err := db.Rilevazioni(ctx, "CREE80001R", date("2026-11-23"), date("2026-11-24"))
		if err != nil || len(rows) != 2 {
			t.Fatalf("%+v %v", rows, err)
		}
		if rows[0].Assenti == nil || *rows[0].Assenti != 0 {
			t.Fatal("zero lost")
		}
		r := rows[1]
		if *r.Assenti != 6 || r.Revisione != 2 || len(r.Classi) != 2 || r.Classi[1].Assenti != 4 || r.Classi[0].Assenti != 2 || *r.Motivi.Febbre != 3 {
			t.Fatalf("latest %+v", r)
		}
		hist, _ := db.StoricoGiorno(ctx, "CREE80001R", date("2026-11-24"))
		if len(hist) != 2 || *hist[0].Assenti != 5 || !hist[0].SegnalatoIl.Equal(first) || !hist[1].SegnalatoIl.Equal(later) {
			t.Fatalf("history %+v", hist)
		}
		fr, _ := db.PrimeSegnalazioni(ctx, date("2026-11-23"), date("2026-11-24"))
		if !fr["CREE80001R"]["2026-11-24"].Equal(first) {
			t.Fatalf("first report %+v", fr)
		}
		if last, _ := db.UltimoGiornoSegnalato(ctx, "CREE80001R"); !last.Equal(date("2026-11-24")) {
			t.Fatalf("last %v", last)
		}
	})
}

func TestDB_Tokens(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		tok, rec, err := db.CreateToken(ctx, ps.SystemActor, "CREE80001R", "registro")
		if err != nil || len(tok) < 30 || rec.Prefisso != tok[:9] {
			t.Fatalf("%q %+v %v", tok, rec, err)
		}
		var stored string
		db.SQL().QueryRow(`SELECT hash FROM api_tokens WHERE id = $1`, rec.ID).Scan(&stored)
		if stored == tok || len(stored) != 64 {
			t.Fatalf("token stored as %q", stored)
		}
		if got, err := db.TokenPlesso(ctx, tok); err != nil || got.Plesso != "CREE80001R" {
			t.Fatalf("%+v %v", got, err)
		}
		if err := db.RevokeToken(ctx, ps.SystemActor, "MNEE800012", rec.ID); ps.ErrorCode(err) != ps.ENotFound {
			t.Fatalf("another plesso revoked the token: %v", err)
		}
		if err := db.RevokeToken(ctx, ps.SystemActor, "CREE80001R", rec.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TokenPlesso(ctx, tok); ps.ErrorCode(err) != ps.ENotFound {
			t.Fatalf("revoked token accepted: %v", err)
		}
	})
}

// TestDB_SalvaGiorni_Atomic: a failure on the third day of a submission
// (here the database's own CHECK, bypassing validation) leaves no day stored.
func TestDB_SalvaGiorni_Atomic(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		g := []ps.Giorno{
			{Giorno: date("2026-11-23"), Assenti: ps.IntPtr(3)},
			{Giorno: date("2026-11-24"), Assenti: ps.IntPtr(4)},
			{Giorno: date("2026-11-25"), Assenti: ps.IntPtr(-1)},
		}
		if _, err := db.SaveGiorni(ctx, ps.SystemActor, "CREE80001R", g, "file"); err == nil {
			t.Fatal("a negative count was stored")
		}
		rows, _ := db.Rilevazioni(ctx, "CREE80001R", date("2026-11-01"), date("2026-11-30"))
		if len(rows) != 0 {
			t.Fatalf("%d days survived a failed submission", len(rows))
		}
		if _, n, _ := db.FindAudit(ctx, ps.AuditFilter{Action: "assenze.save"}); n != 0 {
			t.Fatal("a failed submission was audited as saved")
		}
	})
}
