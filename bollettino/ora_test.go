package bollettino

import (
	"strings"
	"testing"
	"time"
)

// The generation time is printed in Europe/Rome whatever zone the caller's
// time is in: 10:46 UTC on 27 November is 11:46 in Italy (winter time),
// 10:46 UTC on 1 July is 12:46 (summer time).
func TestHTML_GeneratoOraItaliana(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 27, 10, 46, 0, 0, time.UTC), "27/11/2026 alle 11:46"},
		{time.Date(2026, 7, 1, 10, 46, 0, 0, time.UTC), "01/07/2026 alle 12:46"},
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "01/01/2027 alle 00:30"},
	} {
		d := esempio()
		d.Generato = tc.at
		h, err := HTML(d)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(h, "Generato il "+tc.want) {
			t.Errorf("%v: want %q in the bulletin", tc.at, tc.want)
		}
	}
}

// A window whose deadline has not passed is not "missing": the sentence
// rests on the last closed window and says how many are still open.
func TestSintesi_FinestraAperta(t *testing.T) {
	d := esempio()
	d.Completezza = []Completezza{
		{Periodo: "dal 19/11 al 21/11", InTempo: 10, InRitardo: 2, Mancanti: 1, Totale: 13},
		{Periodo: "dal 23/11 al 25/11", Aperte: 13, Totale: 13},
	}
	s := Sintesi(d)
	if !strings.Contains(s, "(dal 19/11 al 21/11) è del 92,3%") {
		t.Errorf("completeness not from the last closed window: %s", s)
	}
	d.Completezza[1].InTempo, d.Completezza[1].Mancanti, d.Completezza[1].Aperte = 3, 1, 9
	s = Sintesi(d)
	if !strings.Contains(s, "3 in tempo, 0 in ritardo e 1 mancante su 4 attese; per 9 plessi la scadenza non è ancora passata") {
		t.Errorf("open windows counted as missing: %s", s)
	}
}
