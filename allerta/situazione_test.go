package allerta

import (
	"math"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/bollettino"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
)

func giorno(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// traccia builds a territory series of weekdays from dal: rate r(i) on
// 1000 pupils, expected 3%, the last provvisori days provisional.
func traccia(dal time.Time, n, provvisori int, r func(i int) float64) Traccia {
	var t Traccia
	for d, i := dal, 0; i < n; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		t.Giorni = append(t.Giorni, d)
		a := int(math.Round(r(i) * 1000))
		t.Assenti, t.Iscritti, t.Plessi = append(t.Assenti, a), append(t.Iscritti, 1000), append(t.Plessi, 10)
		t.Tasso, t.Atteso, t.Soglia = append(t.Tasso, float64(a)/1000), append(t.Atteso, 0.03), append(t.Soglia, 0.04)
		t.Provvisorio = append(t.Provvisorio, i >= n-provvisori)
		q := 0.9
		if i >= n-provvisori {
			q = 0.2
		}
		t.Quota = append(t.Quota, q)
		i++
	}
	return t
}

func TestSituazione(t *testing.T) {
	lun := giorno("2026-11-30")
	// Two weeks: 4% then 6%, the last day of the second provisional.
	tr := traccia(giorno("2026-11-23"), 10, 1, func(i int) float64 {
		if i < 5 {
			return 0.04
		}
		return 0.06
	})
	sig := []ps.Segnale{
		{ID: 7, Serie: "territorio", Giorno: giorno("2026-11-17"), Al: giorno("2026-12-03"), Picco: giorno("2026-12-02"), Osservato: 0.079, Atteso: 0.035, Stato: ps.StatoNuovo},
		{ID: 8, Serie: "provincia:CR", Giorno: giorno("2026-11-18"), Al: giorno("2026-12-03"), Stato: ps.StatoValutazione},
		{ID: 9, Serie: "provincia:MN", Giorno: giorno("2026-11-18"), Al: giorno("2026-12-01"), Stato: ps.StatoArchiviato},
		{ID: 10, Serie: "grado:primaria", Giorno: giorno("2026-12-01"), Al: giorno("2026-12-03"), Stato: ps.StatoNuovo},
		{ID: 11, Serie: "plesso:CREE80102B", Giorno: giorno("2026-12-01"), Al: giorno("2026-12-03"), Stato: ps.StatoNuovo},
		{ID: 12, Serie: "febbre/territorio", Giorno: giorno("2026-12-01"), Al: giorno("2026-12-03"), Stato: ps.StatoNuovo},
		// Ended before the week: not counted.
		{ID: 13, Serie: "distretto:CR1", Giorno: giorno("2026-11-02"), Al: giorno("2026-11-20"), Stato: ps.StatoNuovo},
	}
	obs := []serie.Osservazione{
		{Plesso: "A", Giorno: giorno("2026-12-01"), Assenti: 20, Iscritti: 300, Febbre: 9, Gastro: -1, Malattia: -1},
		{Plesso: "B", Giorno: giorno("2026-12-01"), Assenti: 10, Iscritti: 100, Febbre: -1, Gastro: -1, Malattia: -1},
		{Plesso: "C", Giorno: giorno("2026-12-02"), Assenti: 10, Iscritti: 100, Febbre: 3, Gastro: -1, Malattia: -1},
		{Plesso: "A", Giorno: giorno("2026-11-24"), Assenti: 99, Iscritti: 300, Febbre: 99, Gastro: -1, Malattia: -1}, // the week before
	}
	nomi := map[string]string{"territorio": "Intero territorio", "provincia:CR": "Provincia di Cremona", "provincia:MN": "Provincia di Mantova",
		"grado:primaria": "Scuola primaria", "provincia:XX": "Provincia di XX"}
	f := FontiSituazione{Lunedi: lun.AddDate(0, 0, 2), Territorio: tr, Osservazioni: obs, Sentinelle: map[string]bool{"A": true, "C": true},
		Segnali: sig, Nome: func(k string) string { return nomi[k] }, Conteggi: true}
	s := Situazione(f)
	if !s.Lunedi.Equal(lun) || s.Giorni != 4 || s.Provvisori != 1 || math.Abs(s.Tasso-0.06) > 1e-9 || math.Abs(s.TassoPrec-0.04) > 1e-9 || math.Abs(s.Atteso-0.03) > 1e-9 {
		t.Fatalf("week: %+v", s)
	}
	if s.Territorio == nil || s.Territorio.ID != 7 {
		t.Fatalf("territory episode %+v", s.Territorio)
	}
	if len(s.Condivisa) != 2 || strings.Join(s.Condivisa[0], ",") != "provincia:CR,provincia:MN" || s.Condivisa[1][0] != "grado:primaria" {
		t.Fatalf("shared by %v", s.Condivisa)
	}
	if math.Abs(s.Febbre-12.0/30) > 1e-9 || s.FebbrePlessi != 2 {
		t.Fatalf("fever %v from %d", s.Febbre, s.FebbrePlessi)
	}
	want := []bollettino.Conteggio{{Livello: "territorio", Nuove: 1}, {Livello: "provincia", Valutazione: 1, Chiuse: 1}, {Livello: "grado", Nuove: 1}, {Livello: "motivo", Nuove: 1}, {Livello: "plesso", Nuove: 1}}
	if len(s.Conteggi) != len(want) {
		t.Fatalf("counts %+v", s.Conteggi)
	}
	for i := range want {
		if s.Conteggi[i] != want[i] {
			t.Fatalf("counts %+v, want %+v", s.Conteggi, want)
		}
	}
	if s.Emergenza != nil {
		t.Fatal("no emergency period, yet one is reported")
	}
	p := bollettino.Italiano.Paragrafo(s)
	for _, w := range []string{"Settimana dal 30/11 al 04/12/2026: assenti il 6,0% degli alunni dei plessi sentinella, contro il 3,0% atteso, in aumento di 2,0 punti",
		// B, outside the network, is a quarter of 01/12's pupils: that day
		// the network's share is 90% × ¾, and the mean 84,4%.
		"(4 giorni di lezione con dati completi, in media l'84,4% degli alunni della rete; 1 giorno ancora provvisorio, l'ultimo con il 20,0%)",
		"Il territorio è in allerta dal 17/11/2026 (allerta n. 7, nuova): picco del 7,9% il 02/12/2026 contro il 3,5% atteso.",
		"In allerta nella settimana anche: Provincia di Cremona e Provincia di Mantova; Scuola primaria.",
		"Febbre o sintomi respiratori: il 40,0% delle assenze nei 2 plessi",
		"Modalità emergenza non attiva.",
		"Allerte della settimana: territorio 1, province 2, gradi 1, febbre e disturbi gastrointestinali 1, singoli plessi 1 (4 nuove, 1 in valutazione, 1 chiusa)."} {
		if !strings.Contains(p, w) {
			t.Errorf("paragraph lacks %q:\n%s", w, p)
		}
	}
	if en := bollettino.Inglese.Paragrafo(s); !strings.Contains(en, "The territory has been in alert since 17/11/2026") || !strings.Contains(en, "1 day still provisional") {
		t.Errorf("English paragraph: %s", en)
	}

	// Emergency mode on: the share of pupils outside the network (B).
	f.Emergenze = []store.Emergenza{{Ambito: "provincia:XX", Dal: giorno("2026-11-27")}, {Ambito: "territorio", Dal: giorno("2026-12-07")}}
	s = Situazione(f)
	if s.Emergenza == nil || s.Emergenza.Ambito != "provincia:XX" || math.Abs(s.Emergenza.Fuori-0.2) > 1e-9 {
		t.Fatalf("emergency %+v", s.Emergenza)
	}
	if p := bollettino.Italiano.Paragrafo(s); !strings.Contains(p, "Modalità emergenza attiva (Provincia di XX) dal 27/11/2026: il 20,0% degli alunni") {
		t.Errorf("emergency sentence: %s", p)
	}

	// A period that ended within the week is said with its last day.
	f.Emergenze = []store.Emergenza{{Ambito: "territorio", Dal: giorno("2026-11-27"), Al: giorno("2026-12-01")}}
	if p := bollettino.Italiano.Paragrafo(Situazione(f)); !strings.Contains(p, "Modalità emergenza (Intero territorio) dal 27/11/2026 al 01/12/2026: il 20,0%") {
		t.Errorf("closed emergency: %s", p)
	}

	// A week with no complete day yet, and no alert.
	f = FontiSituazione{Lunedi: giorno("2026-12-07"), Territorio: traccia(giorno("2026-12-07"), 1, 1, func(int) float64 { return 0.05 })}
	s = Situazione(f)
	p = bollettino.Italiano.Paragrafo(s)
	if s.Giorni != 0 || !strings.Contains(p, "nessun giorno ancora abbastanza completo per il calcolo (1 giorno provvisorio, l'ultimo con il 20,0% degli alunni della rete).") ||
		!strings.Contains(p, "Il territorio non è in allerta.") || strings.Contains(p, "Allerte della settimana") {
		t.Errorf("empty week: %s", p)
	}
}

// The method sentence says how many past school years the model had, in
// both languages, and never claims past years the series lacks.
func TestDescriviMetodoIn(t *testing.T) {
	for _, c := range []struct {
		l    bollettino.Lingua
		anni int
		want string
	}{
		{bollettino.Italiano, 0, "Nessun anno scolastico precedente nei dati di questa serie"},
		{bollettino.Italiano, 1, "vengono da 1 anno scolastico precedente di questa serie"},
		{bollettino.Italiano, 2, "vengono da 2 anni scolastici precedenti di questa serie"},
		{bollettino.Inglese, 0, "No previous school year in this series' data"},
		{bollettino.Inglese, 2, "are drawn from 2 previous school years of this series"},
	} {
		got := DescriviMetodoIn(c.l, Metodo, "", c.anni)
		if !strings.Contains(got, c.want) || strings.Contains(got, "%!") || !strings.Contains(got, "95%") {
			t.Errorf("%s, %d years: %s", c.l, c.anni, got)
		}
		if c.anni == 0 && strings.Contains(got, "vengono dagli anni") {
			t.Errorf("claims past years: %s", got)
		}
	}
}
