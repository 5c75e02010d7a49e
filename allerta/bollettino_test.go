package allerta_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// The bulletin's methods state the coverage the network actually had and
// the method the portal actually runs, not the plan's nominal figures.
func TestBollettino_Metodi(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.New(t, store.SQLite)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, rome)
	if err := demo.Seed(ctx, db, now); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return now }
	d, err := allerta.Bollettino(ctx, db, time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), now, rome)
	if err != nil {
		t.Fatal(err)
	}
	if d.Stima.Copertura <= 0 {
		t.Fatalf("no coverage measured: %+v", d.Stima)
	}
	want := allerta.Pct(d.Stima.Copertura) + " degli alunni di 6–19 anni del territorio"
	if !strings.Contains(d.Metodi, want) || strings.Contains(d.Metodi, "circa il 5%") {
		t.Errorf("methods lack the measured coverage %q: %s", want, d.Metodi)
	}
	if regexp.MustCompile(`otto settimane precedenti`).MatchString(d.Metodi) || !strings.Contains(d.Metodi, "quattro settimane di scuola precedenti") {
		t.Errorf("methods describe another method than the default: %s", d.Metodi)
	}
	// The demo holds one school year before this one: the sentence says so.
	if d.AnniPrecedenti != 1 || !strings.Contains(d.Metodi, "vengono da 1 anno scolastico precedente di questa serie") {
		t.Errorf("methods with %d past years: %s", d.AnniPrecedenti, d.Metodi)
	}
}
