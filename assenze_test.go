package portalescuole_test

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// TestValidaGiorno: each rule refuses exactly the fields it names (the
// messages may change wording or become catalogue keys; the paths are the
// contract the form, the file and the API rely on).
func TestValidaGiorno(t *testing.T) {
	n := ps.IntPtr
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	cl := func(c string, iscritti, assenti int) ps.AssenzaClasse {
		return ps.AssenzaClasse{Classe: c, Iscritti: iscritti, Assenti: assenti}
	}
	many := make([]ps.AssenzaClasse, ps.MaxClassiGiorno+1)
	for i := range many {
		many[i] = cl("C"+strings.Repeat("x", i%3)+string(rune('A'+i%26))+string(rune('A'+i/26)), 20, 0)
	}
	for _, tc := range []struct {
		name       string
		g          ps.Giorno
		iscritti   int
		scolastico bool
		want       []string // error paths under "giorni[3]."
	}{
		{"valid total", ps.Giorno{Assenti: n(12)}, 200, true, nil},
		{"zero absent is a report", ps.Giorno{Assenti: n(0)}, 200, true, nil},
		{"all absent", ps.Giorno{Assenti: n(200)}, 200, true, nil},
		{"no lesson day", ps.Giorno{Assenti: n(3)}, 200, false, []string{"giorno"}},
		{"not reported", ps.Giorno{}, 200, true, []string{"assenti"}},
		{"negative", ps.Giorno{Assenti: n(-1)}, 200, true, []string{"assenti"}},
		{"more than enrolled", ps.Giorno{Assenti: n(201)}, 200, true, []string{"assenti"}},
		{"no enrolment known: no upper bound", ps.Giorno{Assenti: n(500)}, 0, true, nil},
		{"closed with reason", ps.Giorno{Chiuso: true, MotivoChiusura: "sciopero"}, 200, true, nil},
		{"closed without reason", ps.Giorno{Chiuso: true}, 200, true, []string{"motivo_chiusura"}},
		{"closed with unknown reason", ps.Giorno{Chiuso: true, MotivoChiusura: "gita"}, 200, true, []string{"motivo_chiusura"}},
		{"closed with absent", ps.Giorno{Chiuso: true, MotivoChiusura: "elezioni", Assenti: n(2)}, 200, true, []string{"assenti"}},
		{"reasons within the total", ps.Giorno{Assenti: n(10), Motivi: ps.Motivi{Febbre: n(4), Gastro: n(1)}}, 200, true, nil},
		{"four reasons summing to the total", ps.Giorno{Assenti: n(10), Motivi: ps.Motivi{Febbre: n(4), Gastro: n(1), AltraMalattia: n(2), NonMalattia: n(3)}}, 200, true, nil},
		{"four reasons not summing to the total", ps.Giorno{Assenti: n(10), Motivi: ps.Motivi{Febbre: n(4), Gastro: n(1), AltraMalattia: n(2), NonMalattia: n(0)}}, 200, true, []string{"motivi"}},
		{"reasons above the total", ps.Giorno{Assenti: n(3), Motivi: ps.Motivi{Febbre: n(4)}}, 200, true, []string{"motivi"}},
		{"negative reason", ps.Giorno{Assenti: n(3), Motivi: ps.Motivi{Gastro: n(-1)}}, 200, true, []string{"motivi.gastrointestinali"}},
		{"classes only", ps.Giorno{Classi: []ps.AssenzaClasse{cl("1A", 20, 2), cl("1B", 21, 0)}}, 200, true, nil},
		{"classes and matching total", ps.Giorno{Assenti: n(2), Classi: []ps.AssenzaClasse{cl("1A", 20, 2), cl("1B", 21, 0)}}, 200, true, nil},
		{"some classes, total above their absent", ps.Giorno{Assenti: n(5), Classi: []ps.AssenzaClasse{cl("1A", 20, 2), cl("1B", 21, 0)}}, 200, true, nil},
		{"some classes, total below their absent", ps.Giorno{Assenti: n(1), Classi: []ps.AssenzaClasse{cl("1A", 20, 2), cl("1B", 21, 0)}}, 200, true, []string{"assenti"}},
		{"every class, a different total", ps.Giorno{Assenti: n(5), Classi: []ps.AssenzaClasse{cl("1A", 20, 2), cl("1B", 21, 0)}}, 41, true, []string{"assenti"}},
		{"class without label", ps.Giorno{Classi: []ps.AssenzaClasse{cl(" ", 20, 2)}}, 200, true, []string{"classi[0].classe"}},
		{"class label too long", ps.Giorno{Classi: []ps.AssenzaClasse{cl(strings.Repeat("A", ps.MaxLabelClasse+1), 20, 2)}}, 200, true, []string{"classi[0].classe"}},
		{"class repeated (case and spaces)", ps.Giorno{Classi: []ps.AssenzaClasse{cl("1a", 20, 2), cl(" 1A ", 20, 1)}}, 200, true, []string{"classi[1].classe"}},
		{"class with no pupils", ps.Giorno{Classi: []ps.AssenzaClasse{cl("1A", 0, 0)}}, 200, true, []string{"classi[0].iscritti"}},
		{"class above 100", ps.Giorno{Classi: []ps.AssenzaClasse{cl("1A", 101, 0)}}, 200, true, []string{"classi[0].iscritti"}},
		{"class absent above its pupils", ps.Giorno{Classi: []ps.AssenzaClasse{cl("1A", 20, 21)}}, 200, true, []string{"classi[0].assenti"}},
		{"class absent negative", ps.Giorno{Classi: []ps.AssenzaClasse{cl("1A", 20, -1)}}, 200, true, []string{"classi[0].assenti"}},
		{"class reasons above its absent", ps.Giorno{Classi: []ps.AssenzaClasse{{Classe: "1A", Iscritti: 20, Assenti: 1, Motivi: ps.Motivi{Febbre: n(2)}}}}, 200, true, []string{"classi[0].motivi"}},
		{"classes' pupils above the plesso's", ps.Giorno{Classi: []ps.AssenzaClasse{cl("1A", 30, 1), cl("1B", 30, 1)}}, 50, true, []string{"classi"}},
		{"too many classes", ps.Giorno{Classi: many}, 0, true, []string{"classi"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.g.Giorno = day
			errs := ps.ValidaGiorno(tc.g, tc.iscritti, tc.scolastico, "giorni[3].")
			var got []string
			for k, msg := range errs {
				if msg == "" {
					t.Errorf("%s: empty message", k)
				}
				got = append(got, strings.TrimPrefix(k, "giorni[3]."))
				if !strings.HasPrefix(k, "giorni[3].") {
					t.Errorf("path %q lacks the prefix", k)
				}
			}
			sort.Strings(got)
			want := slices.Clone(tc.want)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Fatalf("errors %v, want %v", errs, want)
			}
		})
	}
}
