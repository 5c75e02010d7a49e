package allerta_test

import (
	"math"
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

// TestRileva_EmergenzaLunga: an emergency longer than half the series
// (the whole network reporting for 100 school days after 50 of sentinels
// alone), each network with its own sampling noise, at the same absence
// rate, evaluated every evening on the days known then: no alarm. The
// denominator the series is read on comes from the days on which only the
// sentinels counted, so it does not jump when the wider network becomes
// the majority of the days.
func TestRileva_EmergenzaLunga(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var punti, gemella []serie.Punto
	day := time.Date(2026, 9, 14, 0, 0, 0, 0, time.UTC)
	const sentinelle, tutti, giorniPrima, giorniDopo = 3000, 60000, 50, 100
	binom := func(n int, p float64) int {
		return max(0, int(math.Round(float64(n)*p+math.Sqrt(float64(n)*p*(1-p))*rng.NormFloat64())))
	}
	for len(punti) < giorniPrima+giorniDopo {
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			// Day-to-day variation common to all schools, then sampling.
			rate := 0.05 * math.Exp(0.04*rng.NormFloat64())
			s := serie.Punto{Giorno: day, Assenti: binom(sentinelle, rate), Iscritti: sentinelle, Plessi: 15}
			p := s
			if len(punti) >= giorniPrima {
				p.Assenti += binom(tutti-sentinelle, rate)
				p.Iscritti, p.Plessi = tutti, 300
			}
			punti, gemella = append(punti, p), append(gemella, s)
		}
		day = day.AddDate(0, 0, 1)
	}
	for n := 20; n <= len(punti); n++ {
		m := allerta.Monitorata{Nome: "territorio", Punti: punti[:n], Gemella: gemella[:n]}
		sig, err := allerta.Rileva(m, allerta.Metodo, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range sig {
			if g.Giorno.Equal(punti[n-1].Giorno) {
				t.Errorf("evening of %s (day %d): alarm at an unchanged rate", g.Giorno.Format("2006-01-02"), n)
			}
		}
	}
}

// TestRiferimento_EmergenzaLunga: the denominator a series is read on comes
// from the days counted on the sentinels alone; with an emergency longer
// than half the series the median of every day (the old reference) would
// jump to the wider network's. An illness series takes its days from its
// all-cause base.
func TestRiferimento_EmergenzaLunga(t *testing.T) {
	var punti, gemella, febbre []serie.Punto
	day := time.Date(2026, 9, 14, 0, 0, 0, 0, time.UTC)
	for i := range 150 {
		s := serie.Punto{Giorno: day.AddDate(0, 0, i), Assenti: 150, Iscritti: 3000 + i%7, Plessi: 15}
		p := s
		if i >= 50 {
			p.Assenti, p.Iscritti, p.Plessi = 3000, 60000, 300
		}
		punti, gemella = append(punti, p), append(gemella, s)
		f := p
		f.Assenti, f.Iscritti = 40, p.Iscritti/2
		febbre = append(febbre, f)
	}
	if got := allerta.Riferimento(punti, nil, nil); got != 60000 {
		t.Fatalf("without a twin: %v, want the median of every day, 60000", got)
	}
	if got := allerta.Riferimento(punti, nil, gemella); got != 3003 {
		t.Errorf("with the twin: %v, want the sentinel days' median, 3003", got)
	}
	if got := allerta.Riferimento(febbre, punti, gemella); got != 1501 {
		t.Errorf("illness series: %v, want the median of its sentinel days, 1501", got)
	}
	// Outside emergency mode the twin equals the series: the same reference.
	if a, b := allerta.Riferimento(gemella, nil, gemella), allerta.Riferimento(gemella, nil, nil); a != b {
		t.Errorf("no emergency: %v with the twin, %v without", a, b)
	}
}
