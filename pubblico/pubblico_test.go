package pubblico

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/riservatezza"
	"github.com/portalescuole/portalescuole/serie"
)

var lunedi = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)

// plesso makes the observations of one plesso over the school days of the
// week starting at monday: iscritti enrolled, assenti[i] absent on day i.
func plesso(codice, prov, grado string, monday time.Time, iscritti int, assenti ...int) []serie.Osservazione {
	var out []serie.Osservazione
	for i, a := range assenti {
		out = append(out, serie.Osservazione{Plesso: codice, Giorno: monday.AddDate(0, 0, i), Assenti: a, Iscritti: iscritti,
			Malattia: -1, Strato: serie.Strato{Provincia: prov, Grado: grado}})
	}
	return out
}

// attacca plays the outside attacker on one week's published cells: the
// relations come from the labels alone (a total is the sum of the rows
// below it), every subtraction is tried until nothing new comes out, then
// linear algebra over all relations. It returns the recovered cells.
func attacca(celle []Cella) []int {
	known := make([]bool, len(celle))
	var rel []riservatezza.Vincolo
	for i, c := range celle {
		known[i] = !c.Soppressa
		var parts []int
		for j, q := range celle {
			if (c.Area == Territorio && q.Area != Territorio && q.Grado == c.Grado) ||
				(c.Grado == Tutti && q.Grado != Tutti && q.Area == c.Area) {
				parts = append(parts, j)
			}
		}
		if len(parts) > 0 {
			rel = append(rel, riservatezza.Vincolo{Totale: i, Parti: parts})
		}
	}
	var found []int
	for changed := true; changed; {
		changed = false
		for _, v := range rel {
			unknown, n := -1, 0
			for _, c := range append([]int{v.Totale}, v.Parti...) {
				if !known[c] {
					unknown, n = c, n+1
				}
			}
			if n == 1 {
				found = append(found, unknown)
				known[unknown], changed = true, true
			}
		}
	}
	sopp := make([]bool, len(celle))
	vals := make([]int, len(celle))
	for i, c := range celle {
		sopp[i], vals[i] = c.Soppressa, c.Assenti
	}
	return append(found, riservatezza.Determinabili(riservatezza.Tabella{Valori: vals, Vincoli: rel}, sopp)...)
}

func regoleOK(t *testing.T, celle []Cella, r Regole) {
	t.Helper()
	for _, c := range celle {
		if c.Soppressa {
			continue
		}
		if (c.Assenti >= 1 && c.Assenti <= 3) || c.Plessi < r.MinPlessi || c.Alunni < r.MinAlunni {
			t.Errorf("published below the rules: %+v", c)
		}
	}
}

func TestCostruisci_Somme(t *testing.T) {
	var obs []serie.Osservazione
	obs = append(obs, plesso("A1", "CR", "primaria", lunedi, 200, 5, 6, 7, 8, 9)...)
	obs = append(obs, plesso("A2", "CR", "primaria", lunedi, 100, 1, 1, 1, 1)...)
	obs = append(obs, plesso("A3", "MN", "secondaria1", lunedi, 300, 10, 10, 10, 10, 10, 99)...) // the Saturday is left out
	obs = append(obs, plesso("A4", "MN", "infanzia", lunedi, 80, 4, 4, 4, 4, 4)...)              // out of scope
	obs = append(obs, plesso("A5", "MN", "secondaria1", lunedi.AddDate(0, 0, 7), 300, 12)...)    // next week
	tab := Costruisci(obs, nil, Regole{Livello: Gradi, MinPlessi: 1, MinAlunni: 1})
	c, ok := tab.Cella(lunedi, Territorio, Tutti)
	if !ok || c.Settimana != "2026-W47" || c.Plessi != 3 || c.Alunni != 600 || c.Assenti != 35+4+50 || c.GiorniAlunno != 1000+400+1500 {
		t.Fatalf("territory %+v", c)
	}
	cr, _ := tab.Cella(lunedi, "CR", "primaria")
	if cr.Assenti != 39 || math.Abs(cr.Tasso-39.0/1400) > 1e-12 || !(cr.IcInf < cr.Tasso && cr.Tasso < cr.IcSup) {
		t.Fatalf("CR primaria %+v", cr)
	}
	if _, ok := tab.Cella(lunedi, "MN", "infanzia"); ok {
		t.Fatal("infanzia published")
	}
	if _, ok := tab.Cella(lunedi, "CR", "secondaria1"); ok {
		t.Fatal("a cell without plessi has a row")
	}
	if w := tab.Settimane(); len(w) != 2 || !tab.Ultimo.Equal(lunedi.AddDate(0, 0, 7)) {
		t.Fatalf("weeks %v, last %v", w, tab.Ultimo)
	}
	// Margins are exact sums of their parts, both ways.
	for _, g := range []string{Tutti, "primaria", "secondaria1"} {
		tot, _ := tab.Cella(lunedi, Territorio, g)
		sum := 0
		for _, a := range []string{"CR", "MN"} {
			x, _ := tab.Cella(lunedi, a, g)
			sum += x.Assenti
		}
		if sum != tot.Assenti {
			t.Errorf("%s: territory %d, provinces %d", g, tot.Assenti, sum)
		}
	}
}

func TestCostruisci_Livello(t *testing.T) {
	obs := plesso("A1", "CR", "primaria", lunedi, 200, 5, 6, 7, 8, 9)
	obs = append(obs, plesso("B1", "MN", "primaria", lunedi, 200, 5, 6, 7, 8, 9)...)
	for _, tc := range []struct {
		l    Livello
		rows int
	}{{SoloTerritorio, 1}, {Province, 3}, {Gradi, 6}} {
		t.Run(string(tc.l), func(t *testing.T) {
			if n := len(Costruisci(obs, nil, Regole{Livello: tc.l, MinPlessi: 1, MinAlunni: 1}).Celle); n != tc.rows {
				t.Fatalf("%d rows, want %d", n, tc.rows)
			}
		})
	}
}

// settimanaTipo is a week where MN secondaria2 rests on one plesso with 2
// absent pupil-days: it must go, and with it enough others that neither
// the MN row nor the secondaria2 column gives it back.
func settimanaTipo() []serie.Osservazione {
	var obs []serie.Osservazione
	n := 0
	add := func(prov, grado string, plessi, iscritti int, assenti ...int) {
		for range plessi {
			n++
			obs = append(obs, plesso(fmt.Sprintf("P%03d", n), prov, grado, lunedi, iscritti, assenti...)...)
		}
	}
	add("CR", "primaria", 5, 200, 8, 9, 7, 8, 9)
	add("CR", "secondaria1", 4, 250, 10, 12, 9, 11, 10)
	add("CR", "secondaria2", 4, 400, 20, 18, 22, 19, 21)
	add("MN", "primaria", 6, 180, 7, 6, 8, 7, 6)
	add("MN", "secondaria1", 3, 240, 9, 10, 11, 9, 10)
	add("MN", "secondaria2", 1, 150, 1, 0, 1, 0, 0)
	return obs
}

func TestCostruisci_Riservatezza(t *testing.T) {
	r := Regole{Livello: Gradi, MinPlessi: 3, MinAlunni: 100}
	tab := Costruisci(settimanaTipo(), nil, r)
	x, _ := tab.Cella(lunedi, "MN", "secondaria2")
	if !x.Soppressa || !x.Primaria {
		t.Fatalf("MN secondaria2 published: %+v", x)
	}
	n := 0
	for _, c := range tab.Celle {
		if c.Soppressa {
			n++
		}
	}
	if n < 4 {
		t.Fatalf("%d cells suppressed: a single one is given back by subtraction", n)
	}
	if got := attacca(tab.Celle); len(got) > 0 {
		t.Fatalf("the attack recovers cells %v", got)
	}
	regoleOK(t, tab.Celle, r)

	// The attack works: the same table with the primary cells alone
	// suppressed gives MN secondaria2 back.
	sola := append([]Cella(nil), tab.Celle...)
	for i := range sola {
		sola[i].Soppressa = sola[i].Primaria
	}
	if got := attacca(sola); len(got) == 0 {
		t.Fatal("the attack finds nothing even without complementary suppression")
	}
}

// TestCostruisci_RiservatezzaCasuale: random territories of 1–6 provinces
// with random plessi per stratum, some tiny; on every week, the attack
// recovers nothing and the rules hold.
func TestCostruisci_RiservatezzaCasuale(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 2026))
	province := []string{"BG", "BS", "CR", "LO", "MN", "PV"}
	for caso := range 200 {
		var obs []serie.Osservazione
		np := 1 + rng.IntN(len(province))
		n := 0
		for _, prov := range province[:np] {
			for _, g := range gradi {
				for range rng.IntN(5) {
					n++
					iscritti := 20 + rng.IntN(400)
					var ass []int
					for range 5 {
						if rng.IntN(3) == 0 {
							ass = append(ass, rng.IntN(2))
						} else {
							ass = append(ass, rng.IntN(iscritti/10+1))
						}
					}
					obs = append(obs, plesso(fmt.Sprintf("X%04d", n), prov, g, lunedi, iscritti, ass...)...)
				}
			}
		}
		r := Regole{Livello: Gradi, MinPlessi: 2 + rng.IntN(3), MinAlunni: 20 + rng.IntN(400)}
		tab := Costruisci(obs, nil, r)
		if got := attacca(tab.Celle); len(got) > 0 {
			t.Fatalf("case %d: the attack recovers %v of %+v", caso, got, tab.Celle)
		}
		regoleOK(t, tab.Celle, r)
		for _, c := range tab.Celle {
			if c.Soppressa && c.Assenti >= 1 && c.Assenti <= 3 && !c.Primaria {
				t.Fatalf("case %d: a count of %d not marked primary", caso, c.Assenti)
			}
		}
	}
}

func TestTabella_Sintesi(t *testing.T) {
	// Two school years: the same week of 2025/26 as the expected value.
	week := func(monday time.Time, code string, rate int) []serie.Osservazione {
		var obs []serie.Osservazione
		for i := range 4 {
			obs = append(obs, plesso(fmt.Sprintf("%s%d", code, i), "CR", "primaria", monday, 1000, rate, rate, rate, rate, rate)...)
		}
		return obs
	}
	prevYear := lunedi.AddDate(0, 0, -364) // the same week of the school year a year before
	cases := []struct {
		name               string
		prima, ora, atteso int
		andamento, confr   string
	}{
		{"aumento sopra", 30, 60, 30, InAumento, Sopra},
		{"calo sotto", 60, 30, 60, InCalo, Sotto},
		{"stabile in linea", 40, 40, 40, Stabile, InLinea},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obs := week(prevYear, "V", tc.atteso)
			obs = append(obs, week(lunedi.AddDate(0, 0, -7), "P", tc.prima)...)
			obs = append(obs, week(lunedi, "P", tc.ora)...)
			tab := Costruisci(obs, nil, Regole{Livello: Gradi, MinPlessi: 3, MinAlunni: 100})
			s, ok := tab.Sintesi()
			if !ok || !s.Lunedi.Equal(lunedi) || s.Andamento != tc.andamento || s.Confronto != tc.confr || s.Anni != 1 {
				t.Fatalf("%+v", s)
			}
			a := tab.Anni()
			if len(a.Anni) != 2 || a.Anni[1] != "2026/27" || len(a.Tassi[1]) != len(a.Settimane) {
				t.Fatalf("years %+v", a)
			}
		})
	}
	if _, ok := (Tabella{}).Sintesi(); ok {
		t.Fatal("summary of an empty table")
	}
}

func TestPDF(t *testing.T) {
	tab := Costruisci(settimanaTipo(), func(ps.AnnoScolastico) serie.Popolazione { return nil }, Regole{Livello: Gradi, MinPlessi: 3, MinAlunni: 100})
	s, _ := tab.Sintesi()
	b, err := PDF(Bollettino{NomeATS: "ATS Val Padana", Sintesi: s, HaDati: true, Testo: "Prova.", Ultimo: tab.Ultimo})
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("PDF: %v", err)
	}
}

// TestCostruisciMemo: an unchanged week comes from the memo, a changed one
// (a late report, other rules) is built and protected again.
func TestCostruisciMemo(t *testing.T) {
	r := Regole{Livello: Gradi, MinPlessi: 3, MinAlunni: 100}
	obs := settimanaTipo()
	var memo Memo
	first := CostruisciMemo(obs, nil, r, &memo)
	// Poison the memo: if it is read, the poison shows.
	for w, m := range memo.m {
		m.celle = append([]Cella(nil), m.celle...)
		m.celle[0].Assenti = -1
		memo.m[w] = m
	}
	if again := CostruisciMemo(obs, nil, r, &memo); again.Celle[0].Assenti != -1 {
		t.Fatal("an unchanged week was rebuilt")
	}
	late := append(append([]serie.Osservazione(nil), obs...), plesso("TARDI", "CR", "primaria", lunedi, 100, 3)...)
	if got := CostruisciMemo(late, nil, r, &memo); got.Celle[0].Assenti != first.Celle[0].Assenti+3 {
		t.Fatalf("a changed week came from the memo: %+v", got.Celle[0])
	}
	if got := CostruisciMemo(obs, nil, Regole{Livello: Province, MinPlessi: 3, MinAlunni: 100}, &memo); len(got.Celle) != 3 {
		t.Fatalf("other rules reused the memo: %d cells", len(got.Celle))
	}
}

// TestCostruisci_LivelliCoerenti: a lower level publishes exactly the
// corresponding cells of the full table, suppressed or not, so files
// downloaded at different levels together give nothing more than the full
// one (which the attack tests). Random territories as in the attack test.
func TestCostruisci_LivelliCoerenti(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 15))
	province := []string{"BG", "BS", "CR", "LO", "MN", "PV"}
	for caso := range 200 {
		var obs []serie.Osservazione
		n := 0
		for _, prov := range province[:1+rng.IntN(len(province))] {
			for _, g := range gradi {
				for range rng.IntN(5) {
					n++
					iscritti := 20 + rng.IntN(400)
					obs = append(obs, plesso(fmt.Sprintf("X%04d", n), prov, g, lunedi, iscritti, rng.IntN(3), rng.IntN(iscritti/10+1))...)
				}
			}
		}
		r := Regole{Livello: Gradi, MinPlessi: 2 + rng.IntN(3), MinAlunni: 20 + rng.IntN(400)}
		full := Costruisci(obs, nil, r)
		for _, l := range []Livello{SoloTerritorio, Province} {
			r.Livello = l
			for _, c := range Costruisci(obs, nil, r).Celle {
				f, ok := full.Cella(c.Lunedi, c.Area, c.Grado)
				if !ok || f.Soppressa != c.Soppressa || f.Assenti != c.Assenti {
					t.Fatalf("case %d, %s: %s/%s differs from the full table: %+v vs %+v", caso, l, c.Area, c.Grado, c, f)
				}
			}
		}
	}
}
