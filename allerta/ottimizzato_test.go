package allerta_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/generate"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestMotore_StessiSegnali: on generated data (four school years, waves in
// each), skipping the baseline years' evaluation gives the same episodes
// and anomalies as evaluating them, in a full and an incremental run.
func TestMotore_StessiSegnali(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	now := time.Date(2026, 3, 20, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if _, err := generate.Genera(ctx, db, generate.Opzioni{Plessi: 600, Anni: 4, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	m := allerta.NuovoMotore(db, nil)
	if _, err := m.Archivio().Aggiorna(ctx); err != nil {
		t.Fatal(err)
	}
	oggi := time.Date(2026, 3, 19, 0, 0, 0, 0, time.UTC)
	calcola := func(salta bool, cambi aggregati.Cambi, tutti bool) allerta.Calcolo {
		t.Helper()
		defer allerta.SaltaAnni(allerta.SaltaAnni(salta))
		c, err := m.Calcola(ctx, cambi, tutti, oggi)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	confronta := func(what string, a, b allerta.Calcolo) {
		t.Helper()
		if len(a.Segnali) == 0 || len(a.Anomalie) == 0 {
			t.Fatalf("%s: %d episodes and %d anomalies: the comparison proves little", what, len(a.Segnali), len(a.Anomalie))
		}
		if !reflect.DeepEqual(a.Segnali, b.Segnali) {
			t.Errorf("%s: %d episodes evaluating every year, %d skipping the baseline years", what, len(a.Segnali), len(b.Segnali))
			for i := range min(len(a.Segnali), len(b.Segnali)) {
				if !reflect.DeepEqual(a.Segnali[i], b.Segnali[i]) {
					t.Fatalf("first difference:\n%+v\n%+v", a.Segnali[i], b.Segnali[i])
				}
			}
		}
		if !reflect.DeepEqual(a.Anomalie, b.Anomalie) {
			t.Errorf("%s: %d anomalies evaluating every year, %d skipping", what, len(a.Anomalie), len(b.Anomalie))
		}
	}
	confronta("full run", calcola(false, nil, true), calcola(true, nil, true))

	// An incremental run from a day of this school year, on every series.
	cambi := aggregati.Cambi{}
	dal := time.Date(2026, 1, 12, 0, 0, 0, 0, time.UTC)
	for _, n := range m.Archivio().Nomi() {
		cambi[n] = dal
	}
	for _, c := range m.Archivio().Plessi() {
		cambi[aggregati.PrefissoPlesso+c] = dal
	}
	confronta("incremental run", calcola(false, cambi, false), calcola(true, cambi, false))
}

// TestAllarmeIniziale: an alarm among the first Pausa+1 evaluated days may
// extend an episode of the year before; provisional and unevaluated days
// do not count.
func TestAllarmeIniziale(t *testing.T) {
	nan := math.NaN()
	v := func(exp []float64, prov, alarm []bool) allerta.Valutazione {
		p := make([]serie.Punto, len(exp))
		return allerta.Valutazione{Punti: p, Expected: exp, Provvisorio: prov, Alarm: alarm}
	}
	cases := []struct {
		name  string
		v     allerta.Valutazione
		early bool
	}{
		{"alarm on the third evaluated day", v([]float64{nan, 1, 1, 1, 1}, []bool{false, false, false, false, false}, []bool{false, false, false, true, false}), true},
		{"alarm on the fourth", v([]float64{1, 1, 1, 1}, []bool{false, false, false, false}, []bool{false, false, false, true}), false},
		{"provisional days skipped", v([]float64{1, 1, 1, 1}, []bool{false, true, true, false}, []bool{false, false, false, true}), true},
		{"no alarm", v([]float64{1, 1}, []bool{false, false}, []bool{false, false}), false},
	}
	for _, c := range cases {
		if got := allerta.AllarmeIniziale(c.v, allerta.Pausa); got != c.early {
			t.Errorf("%s: %v, want %v", c.name, got, c.early)
		}
	}
}
