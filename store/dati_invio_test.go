package store_test

import (
	"reflect"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestDB_DatiInvio: the one-query read gives what the separate lookups
// give, for a plesso with nothing set and for one with a sentinel year, its
// own calendar and several enrolment revisions (another year's included).
func TestDB_DatiInvio(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		const anno = ps.AnnoScolastico(2026)
		preparaDati(t, db, anno)
		for _, codice := range []string{"CREE80001R", "CREE80002T"} {
			t.Run(codice, func(t *testing.T) {
				p, err := db.Plesso(ctx, codice)
				if err != nil {
					t.Fatal(err)
				}
				got, err := db.DatiInvio(ctx, p, anno)
				if err != nil {
					t.Fatal(err)
				}
				sent, err := db.Sentinella(ctx, codice, anno)
				if err != nil {
					t.Fatal(err)
				}
				if got.Sentinella != sent {
					t.Errorf("sentinel %v, Sentinella says %v", got.Sentinella, sent)
				}
				cal, err := db.AnnoCalendario(ctx, p, anno)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got.Calendario, cal) {
					t.Errorf("calendar differs from AnnoCalendario")
				}
				for _, c := range got.Consistenze {
					if c.Anno != anno || c.Plesso != codice {
						t.Errorf("revision of another year or plesso: %+v", c)
					}
				}
				for d := date("2026-09-01"); d.Before(date("2027-07-01")); d = d.AddDate(0, 0, 1) {
					want, err := db.ConsistenzaInVigore(ctx, codice, d)
					if ps.ErrorCode(err) == ps.ENotFound {
						want = nil
					} else if err != nil {
						t.Fatal(err)
					}
					if c := store.InVigore(got.Consistenze, d); !reflect.DeepEqual(c, want) {
						t.Fatalf("%s: in force %+v, ConsistenzaInVigore %+v", day(d), c, want)
					}
				}
			})
		}
		// The set-up is what the comparison needs: a sentinel year, a
		// calendar that is not the default and three revisions in force at
		// different times.
		p, _ := db.Plesso(ctx, "CREE80001R")
		d, _ := db.DatiInvio(ctx, p, anno)
		if !d.Sentinella || len(d.Consistenze) != 3 || d.Calendario.GiornoScolastico(date("2026-12-07")) ||
			store.InVigore(d.Consistenze, date("2026-11-10")).Iscritti != 210 {
			t.Fatalf("set-up not read: %+v", d)
		}
	})
}

// TestDB_TokenConDati: a plesso's token brings its plesso, as Plesso reads
// it, and the year's DatiInvio, as DatiInvio reads them (several enrolment
// revisions make several rows); an ATS token brings neither; a revoked one
// is not found.
func TestDB_TokenConDati(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := ps.SystemActor
		const anno = ps.AnnoScolastico(2026)
		preparaDati(t, db, anno)
		for _, codice := range []string{"CREE80001R", "CREE80002T"} {
			tok, _, err := db.CreateToken(ctx, a, codice, "registro")
			if err != nil {
				t.Fatal(err)
			}
			got, p, dati, err := db.TokenConDati(ctx, tok, anno)
			if err != nil || got.Plesso != codice {
				t.Fatalf("%+v %v", got, err)
			}
			want, err := db.Plesso(ctx, codice)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, want) {
				t.Fatalf("plesso %+v, want %+v", p, want)
			}
			wantDati, err := db.DatiInvio(ctx, want, anno)
			if err != nil {
				t.Fatal(err)
			}
			if dati == nil || !reflect.DeepEqual(*dati, wantDati) {
				t.Fatalf("%s: dati %+v, want %+v", codice, dati, wantDati)
			}
		}
		atsTok, atsRec, err := db.CreateToken(ctx, a, "", "ats")
		if err != nil {
			t.Fatal(err)
		}
		got, p, dati, err := db.TokenConDati(ctx, atsTok, anno)
		if err != nil || got.Plesso != "" || p != nil || dati != nil || got.ID != atsRec.ID {
			t.Fatalf("ATS token: %+v %+v %+v %v", got, p, dati, err)
		}
		if err := db.RevokeToken(ctx, a, "", atsRec.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := db.TokenConDati(ctx, atsTok, anno); ps.ErrorCode(err) != ps.ENotFound {
			t.Fatalf("revoked ATS token: %v", err)
		}
	})
}

// preparaDati seeds the database and gives CREE80001R a sentinel year, a
// calendar that is not the default and three enrolment revisions of anno
// in force at different times (and one of the year before); CREE80002T
// keeps nothing.
func preparaDati(t *testing.T, db *store.DB, anno ps.AnnoScolastico) {
	t.Helper()
	seed(t, db)
	a := ps.SystemActor
	if err := db.SetSentinella(ctx, a, "CREE80001R", anno, true); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCalendario(ctx, a, "CREE80001R", store.CalendarioPlesso{Ambrosiano: true, Patrono: "11-13", SeiGiorni: true,
		Chiusure: []time.Time{date("2026-12-07"), date("2027-01-08")}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []ps.Consistenza{
		{Plesso: "CREE80001R", Anno: anno, Iscritti: 200, Classi: 10},
		{Plesso: "CREE80001R", Anno: anno, Iscritti: 210, Classi: 10, ValidoDal: date("2026-11-02")},
		{Plesso: "CREE80001R", Anno: anno, Iscritti: 205, Classi: 10, ValidoDal: date("2027-02-01")},
		{Plesso: "CREE80001R", Anno: anno - 1, Iscritti: 190, Classi: 9},
	} {
		if _, _, err := db.AddConsistenza(ctx, a, c); err != nil {
			t.Fatal(err)
		}
	}
}
