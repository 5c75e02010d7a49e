package allerta_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/serie"
)

// TestRileva_Emergenza: when emergency mode brings the whole network in
// (twenty times the pupils of the sentinels, at the same absence rate),
// the detector reads rates, so the first days of the wider network are not
// an epidemic; a real doubling of the rate during the emergency still is.
func TestRileva_Emergenza(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var punti []serie.Punto
	day := time.Date(2026, 9, 14, 0, 0, 0, 0, time.UTC)
	const sentinelle, tutti, giorniPrima, giorniDopo = 3000, 60000, 50, 12
	start := -1
	for len(punti) < giorniPrima+giorniDopo {
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			iscritti, plessi := sentinelle, 15
			if len(punti) >= giorniPrima {
				if start < 0 {
					start = len(punti)
				}
				iscritti, plessi = tutti, 300
			}
			// Binomial-ish noise around 5% absent.
			rate := 0.05 + rng.NormFloat64()*0.003
			punti = append(punti, serie.Punto{Giorno: day, Assenti: int(rate * float64(iscritti)), Iscritti: iscritti, Plessi: plessi})
		}
		day = day.AddDate(0, 0, 1)
	}
	run := func(p []serie.Punto) map[time.Time]bool {
		t.Helper()
		sig, err := allerta.Rileva(allerta.Monitorata{Nome: "territorio", Punti: p}, allerta.Metodo, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := map[time.Time]bool{}
		for _, g := range sig {
			out[g.Giorno] = true
		}
		return out
	}
	t.Run("the wider network is not an epidemic", func(t *testing.T) {
		alarms := run(punti)
		for i := start; i < len(punti); i++ {
			if alarms[punti[i].Giorno] {
				t.Errorf("alarm on %s, day %d of emergency mode, at an unchanged rate", punti[i].Giorno.Format("2006-01-02"), i-start+1)
			}
		}
	})
	anyAlarm := func(alarms map[time.Time]bool, p []serie.Punto, from int) bool {
		for i := from; i < len(p); i++ {
			if alarms[p[i].Giorno] {
				return true
			}
		}
		return false
	}
	t.Run("a doubled rate in emergency mode is", func(t *testing.T) {
		// A persistent rise: the last five days at twice the rate.
		p := append([]serie.Punto(nil), punti...)
		for i := len(p) - 5; i < len(p); i++ {
			p[i].Assenti = int(0.10 * float64(p[i].Iscritti))
		}
		if !anyAlarm(run(p), p, len(p)-5) {
			t.Error("no alarm for a doubled rate")
		}
	})
	t.Run("counts instead of rates would have raised an alarm", func(t *testing.T) {
		// The point of the test: the same series read as raw counts (the
		// denominator held at the sentinels') jumps twentyfold.
		p := append([]serie.Punto(nil), punti...)
		for i := start; i < len(p); i++ {
			p[i].Iscritti = sentinelle
		}
		if !anyAlarm(run(p), p, start) {
			t.Error("a twentyfold count was not an alarm: the first subtest proves nothing")
		}
	})
}
