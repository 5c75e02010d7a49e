package serie

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, _ := time.Parse("2006-01-02", s)
	return t
}

func TestGiornaliera(t *testing.T) {
	obs := []Osservazione{
		{Plesso: "A", Giorno: day("2026-11-24"), Assenti: 5, Iscritti: 100, Strato: Strato{Provincia: "CR"}},
		{Plesso: "B", Giorno: day("2026-11-24"), Assenti: 3, Iscritti: 50, Strato: Strato{Provincia: "MN"}},
		{Plesso: "A", Giorno: day("2026-11-23"), Assenti: 4, Iscritti: 100, Strato: Strato{Provincia: "CR"}},
		// B was closed on the 23rd: no observation, so no zero.
	}
	tot := Giornaliera(obs, Territorio)[""]
	if len(tot) != 2 || !tot[0].Giorno.Equal(day("2026-11-23")) || tot[0].Assenti != 4 || tot[0].Iscritti != 100 || tot[1].Assenti != 8 || tot[1].Plessi != 2 {
		t.Fatalf("territory %+v", tot)
	}
	if tot[1].Tasso() != 8.0/150 {
		t.Fatalf("rate %v", tot[1].Tasso())
	}
	byProv := Giornaliera(obs, Provincia)
	if len(byProv["CR"]) != 2 || len(byProv["MN"]) != 1 {
		t.Fatalf("by province %+v", byProv)
	}
}

func TestSettimanale(t *testing.T) {
	daily := []Punto{
		{Giorno: day("2026-12-21"), Assenti: 1, Iscritti: 10, Plessi: 1},
		{Giorno: day("2026-12-22"), Assenti: 2, Iscritti: 10, Plessi: 2},
		{Giorno: day("2026-12-31"), Assenti: 3, Iscritti: 10, Plessi: 1}, // Thursday of ISO week 2026-53
		{Giorno: day("2027-01-01"), Assenti: 4, Iscritti: 10, Plessi: 1},
		{Giorno: day("2027-01-04"), Assenti: 5, Iscritti: 10, Plessi: 1},
	}
	w := Settimanale(daily)
	if len(w) != 3 || !w[0].Giorno.Equal(day("2026-12-21")) || w[0].Assenti != 3 || w[0].Plessi != 2 ||
		!w[1].Giorno.Equal(day("2026-12-28")) || w[1].Assenti != 7 || w[1].Iscritti != 20 || !w[2].Giorno.Equal(day("2027-01-04")) {
		t.Fatalf("%+v", w)
	}
	if y, wk := w[1].Giorno.ISOWeek(); y != 2026 || wk != 53 {
		t.Fatalf("ISO week %d-%d", y, wk)
	}
}

func TestPostStratificata_HandExample(t *testing.T) {
	d := day("2026-11-24")
	a := Strato{Provincia: "CR", Grado: "primaria"}
	b := Strato{Provincia: "MN", Grado: "primaria"}
	obs := []Osservazione{
		{Plesso: "A1", Giorno: d, Assenti: 10, Iscritti: 200, Strato: a},
		{Plesso: "A2", Giorno: d, Assenti: 30, Iscritti: 300, Strato: a},
		{Plesso: "B1", Giorno: d, Assenti: 6, Iscritti: 100, Strato: b},
		{Plesso: "B2", Giorno: d, Assenti: 4, Iscritti: 100, Strato: b},
	}
	pop := Popolazione{"CR|primaria": 1000, "MN|primaria": 3000}
	s := PostStratificata(obs, pop, nil)
	if len(s) != 1 {
		t.Fatal(len(s))
	}
	// By hand: p_A = 40/500 = 0.08, p_B = 10/200 = 0.05; 0.25·0.08 + 0.75·0.05.
	// var_A = 0.5·72/(2·250²) = 0.000288; var_B = (1−1/15)·2/(2·100²) = 0.0000933…
	// var = 0.0625·var_A + 0.5625·var_B = 0.0000705; half-width 1.96·0.0083964.
	if math.Abs(s[0].Tasso-0.0575) > 1e-12 {
		t.Fatalf("estimate %v", s[0].Tasso)
	}
	if math.Abs(s[0].Basso-0.041043) > 1e-5 || math.Abs(s[0].Alto-0.073957) > 1e-5 {
		t.Fatalf("interval [%v, %v]", s[0].Basso, s[0].Alto)
	}
	if s[0].Copertura != 700.0/4000 || s[0].PesoCoperto != 1 || s[0].StratiVuoti != 0 {
		t.Fatalf("coverage %+v", s[0])
	}
	// A stratum with pupils but no report is left out and said so.
	pop["MN|secondaria1"] = 4000
	s = PostStratificata(obs, pop, nil)
	if s[0].StratiVuoti != 1 || s[0].PesoCoperto != 0.5 || math.Abs(s[0].Tasso-0.0575) > 1e-12 {
		t.Fatalf("with an empty stratum %+v", s[0])
	}
}

// TestPostStratificata_Coverage simulates a territory whose true daily rate
// is known and checks that the 95% interval covers it about 95% of the time.
func TestPostStratificata_Coverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	type plesso struct {
		s    Strato
		n    int
		base float64
	}
	strata := []Strato{{Provincia: "CR", Grado: "primaria"}, {Provincia: "CR", Grado: "secondaria1"}, {Provincia: "MN", Grado: "primaria"}, {Provincia: "MN", Grado: "secondaria1"}}
	var all []plesso
	pop := Popolazione{}
	for i := 0; i < 400; i++ {
		s := strata[i%4]
		p := plesso{s: s, n: 80 + rng.IntN(400), base: 0.02 + 0.01*float64(i%4) + 0.01*rng.Float64()}
		all = append(all, p)
		pop[StratoDi(s)] += p.n
	}
	// Sentinels: 8 per stratum.
	var sample []int
	for k := range strata {
		for i, c := 0, 0; i < len(all) && c < 8; i++ {
			if i%4 == k && rng.Float64() < 0.2 {
				sample = append(sample, i)
				c++
			}
		}
	}
	covered, days := 0, 400
	for dd := 0; dd < days; dd++ {
		d := day("2026-09-14").AddDate(0, 0, dd)
		wave := 1 + 0.8*math.Sin(float64(dd)/30)
		absent := make([]int, len(all))
		totA, totN := 0, 0
		for i, p := range all {
			rate := math.Min(0.5, p.base*wave*(0.7+0.6*rng.Float64()))
			for k := 0; k < p.n; k++ {
				if rng.Float64() < rate {
					absent[i]++
				}
			}
			totA += absent[i]
			totN += p.n
		}
		var obs []Osservazione
		for _, i := range sample {
			obs = append(obs, Osservazione{Plesso: string(rune('A' + i)), Giorno: d, Assenti: absent[i], Iscritti: all[i].n, Strato: all[i].s})
		}
		s := PostStratificata(obs, pop, nil)[0]
		truth := float64(totA) / float64(totN)
		if s.Basso <= truth && truth <= s.Alto {
			covered++
		}
	}
	share := float64(covered) / float64(days)
	t.Logf("95%% interval covered the true rate on %.1f%% of %d days", 100*share, days)
	if share < 0.88 || share > 0.995 {
		t.Fatalf("coverage %.3f, want about 0.95", share)
	}
}

func BenchmarkPostStratificata(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	var obs []Osservazione
	pop := Popolazione{}
	grades := []string{"primaria", "secondaria1", "secondaria2"}
	for i := 0; i < 2000; i++ { // 5% of 40,000 plessi, one day
		s := Strato{Provincia: string(rune('A'+i%100)) + "X", Grado: grades[i%3]}
		n := 100 + rng.IntN(500)
		obs = append(obs, Osservazione{Plesso: "P", Giorno: day("2026-11-24"), Assenti: n / 30, Iscritti: n, Strato: s})
		pop[StratoDi(s)] += n * 20
	}
	b.ResetTimer()
	for b.Loop() {
		PostStratificata(obs, pop, nil)
	}
}

func TestFeriali(t *testing.T) {
	in := []Punto{{Giorno: day("2026-11-27")}, {Giorno: day("2026-11-28")}, {Giorno: day("2026-11-30")}}
	out := Feriali(in)
	if len(out) != 2 || out[1].Giorno.Weekday() != time.Monday {
		t.Fatalf("%+v", out)
	}
}
