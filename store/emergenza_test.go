package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// demoDB opens two handles on one fresh database seeded with the demo: a
// second node, or the command line, sees the same rows.
func demoDB(t *testing.T, d store.Dialect, now time.Time) (*store.DB, *store.DB) {
	t.Helper()
	dsn := storetest.DSN(t, d)
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now = func() time.Time { return now }
		return db
	}
	a := open()
	if err := demo.Seed(ctx, a, now); err != nil {
		t.Fatal(err)
	}
	return a, open()
}

func TestDB_Emergenza(t *testing.T) {
	now := date("2025-11-17").Add(9 * time.Hour) // a Monday
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, altro := demoDB(t, d, now)
			op := ps.Actor{Username: "ats"}
			cr, err := db.Plesso(ctx, "CREE80001R") // CR primaria, not sentinel
			if err != nil {
				t.Fatal(err)
			}
			mn, err := db.Plesso(ctx, "MNEE800012")
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := db.Sentinella(ctx, cr.Codice, 2025); s {
				t.Fatal("the demo plesso is expected not to be sentinel")
			}
			puo := func(t *testing.T, db *store.DB, p *ps.Plesso, g string) bool {
				t.Helper()
				ok, err := db.CanReport(ctx, p, date(g))
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}

			t.Run("bad input is refused and nothing is stored", func(t *testing.T) {
				for _, c := range []struct{ ambito, scad, freq, field string }{
					{"provincia:XX", "10:00", "", "ambito"},
					{"grado:infanzia", "10:00", "", "ambito"},
					{"distretto:NONE", "10:00", "", "ambito"},
					{"regione", "10:00", "", "ambito"},
					{"territorio", "25:00", "", "scadenza"},
					{"territorio", "10:00", "oraria", "frequenza"},
				} {
					_, err := db.StartEmergenza(ctx, op, c.ambito, date("2025-11-17"), c.freq, c.scad)
					var pe *ps.Error
					if ps.ErrorCode(err) != ps.EInvalid || !asError(err, &pe) || pe.Fields[c.field] == "" {
						t.Errorf("%+v: %v", c, err)
					}
				}
				// The start: two weeks back at most, within the school year,
				// two months ahead at most (issue 21: 1900-01-01 went in).
				for _, dal := range []string{"1900-01-01", "2025-11-02", "2025-08-31", "2026-01-17", "2099-01-01"} {
					_, err := db.StartEmergenza(ctx, op, "territorio", date(dal), "", "10:00")
					var pe *ps.Error
					if ps.ErrorCode(err) != ps.EInvalid || !asError(err, &pe) || pe.Fields["dal"] == "" {
						t.Errorf("start %s: %v", dal, err)
					}
				}
				if l, _ := db.Emergenze(ctx); len(l) != 0 {
					t.Fatalf("stored %v", l)
				}
			})

			t.Run("before the start only sentinels report", func(t *testing.T) {
				if puo(t, db, cr, "2025-11-17") {
					t.Fatal("non-sentinel accepted without emergency")
				}
			})

			e, err := db.StartEmergenza(ctx, op, "Provincia:cr", date("2025-11-17"), "", "09:30")
			if err != nil {
				t.Fatal(err)
			}
			if e.Ambito != "provincia:CR" || e.Scadenza != "09:30" || e.Frequenza != store.FrequenzaGiornaliera {
				t.Fatalf("%+v", e)
			}

			t.Run("scope and dates", func(t *testing.T) {
				if !puo(t, db, cr, "2025-11-17") || !puo(t, db, cr, "2025-12-01") {
					t.Error("plesso in scope refused")
				}
				if puo(t, db, cr, "2025-11-14") {
					t.Error("accepted before the start")
				}
				if puo(t, db, mn, "2025-11-17") {
					t.Error("plesso of another province accepted")
				}
			})

			t.Run("a second start of an open scope is a conflict", func(t *testing.T) {
				if _, err := db.StartEmergenza(ctx, op, "provincia:CR", date("2025-11-18"), "", ""); ps.ErrorCode(err) != ps.EConflict {
					t.Fatalf("got %v", err)
				}
			})

			t.Run("another node sees it within its cache TTL", func(t *testing.T) {
				altro.SetEmergenzaTTL(20 * time.Millisecond)
				if puo(t, altro, mn, "2025-11-17") { // also fills its cache
					t.Fatal("MN plesso accepted before grado:primaria")
				}
				if _, err := db.StartEmergenza(ctx, op, "grado:primaria", date("2025-11-17"), "", "10:00"); err != nil {
					t.Fatal(err)
				}
				waitFor(t, 5*time.Second, func() bool { return puo(t, altro, mn, "2025-11-17") })
				if _, err := db.StopEmergenza(ctx, op, "grado:primaria", date("2025-11-16")); err != nil {
					t.Fatal(err)
				}
				waitFor(t, 5*time.Second, func() bool { return !puo(t, altro, mn, "2025-11-17") })
			})

			t.Run("after the stop the plesso is refused again", func(t *testing.T) {
				c, err := db.StopEmergenza(ctx, op, "provincia:CR", date("2025-11-19"))
				if err != nil {
					t.Fatal(err)
				}
				if c.ChiusaDa != "ats" || c.Aperta() {
					t.Fatalf("%+v", c)
				}
				if !puo(t, db, cr, "2025-11-19") || puo(t, db, cr, "2025-11-20") {
					t.Error("last day or the day after")
				}
				if _, err := db.StopEmergenza(ctx, op, "provincia:CR", date("2025-11-19")); ps.ErrorCode(err) != ps.ENotFound {
					t.Errorf("second stop: %v", err)
				}
			})

			t.Run("history and audit", func(t *testing.T) {
				l, err := db.Emergenze(ctx)
				if err != nil || len(l) != 2 {
					t.Fatalf("%v %v", l, err)
				}
				for _, e := range l {
					if e.Aperta() || e.AvviataDa != "ats" {
						t.Errorf("%+v", e)
					}
				}
				for _, action := range []string{"emergenza.avvia", "emergenza.chiudi"} {
					_, n, err := db.FindAudit(ctx, ps.AuditFilter{Action: action})
					if err != nil || n != 2 {
						t.Errorf("%s: %d %v", action, n, err)
					}
				}
			})
		})
	}
}

func asError(err error, pe **ps.Error) bool { return errors.As(err, pe) }

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDB_FirmaSentinelle: swapping one sentinel for another (the row count
// stays the same) changes the signature and the data version, so the
// aggregates and the dashboard rebuild their sentinel-only series.
func TestDB_FirmaSentinelle(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		a := ps.SystemActor
		if err := db.SetSentinella(ctx, a, "CREE80001R", 2026, true); err != nil {
			t.Fatal(err)
		}
		f0, err := db.FirmaSentinelle(ctx)
		if err != nil {
			t.Fatal(err)
		}
		v0, err := db.Versione(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetSentinella(ctx, a, "CREE80001R", 2026, false); err != nil {
			t.Fatal(err)
		}
		if err := db.SetSentinella(ctx, a, "CREE80002T", 2026, true); err != nil {
			t.Fatal(err)
		}
		f1, _ := db.FirmaSentinelle(ctx)
		v1, _ := db.Versione(ctx)
		if f1 == f0 || v1 == v0 {
			t.Fatalf("a swap of sentinels left firma %q → %q, versione %q → %q", f0, f1, v0, v1)
		}
	})
}

// TestSegnalazioneAmmessa: the one reporting rule, sentinel or covered by
// an emergency period whose scope includes the plesso.
func TestSegnalazioneAmmessa(t *testing.T) {
	d := date("2026-11-25")
	cr := &ps.Plesso{Codice: "CREE80102B", Provincia: "CR", Grado: ps.Primaria, Attivo: true}
	mn := &ps.Plesso{Codice: "MNEE80102B", Provincia: "MN", Grado: ps.Primaria, Attivo: true}
	aperta := store.Emergenza{Ambito: "provincia:CR", Dal: date("2026-11-20")}
	chiusa := store.Emergenza{Ambito: "provincia:CR", Dal: date("2026-11-01"), Al: date("2026-11-10")}
	for _, c := range []struct {
		name string
		sent bool
		es   []store.Emergenza
		p    *ps.Plesso
		want bool
	}{
		{"sentinel", true, nil, cr, true},
		{"neither", false, nil, cr, false},
		{"in the scope", false, []store.Emergenza{aperta}, cr, true},
		{"outside the scope", false, []store.Emergenza{aperta}, mn, false},
		{"period over", false, []store.Emergenza{chiusa}, cr, false},
		{"unknown plesso", false, []store.Emergenza{aperta}, nil, false},
	} {
		if got := store.SegnalazioneAmmessa(c.sent, c.es, c.p, d); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestDB_VersioneEmergenza: starting or stopping emergency mode changes
// the alert part of the version, so no cached dashboard keeps the old
// state (the switch may come from another process: the CLI, a node).
func TestDB_VersioneEmergenza(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		now := date("2025-11-17").Add(9 * time.Hour)
		db.Now = func() time.Time { return now }
		alerts := func() string {
			t.Helper()
			v, err := db.Versione(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, a, _ := strings.Cut(v, "|")
			return a
		}
		v0 := alerts()
		if _, err := db.StartEmergenza(ctx, ps.SystemActor, "territorio", date("2025-11-17"), "", "10:00"); err != nil {
			t.Fatal(err)
		}
		v1 := alerts()
		if _, err := db.StopEmergenza(ctx, ps.SystemActor, "territorio", date("2025-11-18")); err != nil {
			t.Fatal(err)
		}
		if v2 := alerts(); v1 == v0 || v2 == v1 {
			t.Fatalf("alert part of the version: %q, started %q, stopped %q", v0, v1, v2)
		}
	})
}
