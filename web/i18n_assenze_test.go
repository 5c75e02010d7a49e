package web

import (
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// ValidaGiorno returns catalogue keys, each translated in both languages.
func TestValidaGiorno_CatalogueKeys(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	n := ps.IntPtr
	cases := map[string]struct {
		g          ps.Giorno
		scolastico bool
	}{
		"not a school day":   {ps.Giorno{Giorno: day, Assenti: n(1)}, false},
		"closure no reason":  {ps.Giorno{Giorno: day, Chiuso: true, Assenti: n(2)}, true},
		"closure bad reason": {ps.Giorno{Giorno: day, Chiuso: true, MotivoChiusura: "ferie"}, true},
		"no absent":          {ps.Giorno{Giorno: day}, true},
		"negative":           {ps.Giorno{Giorno: day, Assenti: n(-1)}, true},
		"above enrolment":    {ps.Giorno{Giorno: day, Assenti: n(300)}, true},
		"reasons":            {ps.Giorno{Giorno: day, Assenti: n(3), Motivi: ps.Motivi{Febbre: n(5), Gastro: n(-1)}}, true},
		"reasons sum":        {ps.Giorno{Giorno: day, Assenti: n(3), Motivi: ps.Motivi{Febbre: n(1), Gastro: n(0), AltraMalattia: n(0), NonMalattia: n(0)}}, true},
		"classes": {ps.Giorno{Giorno: day, Assenti: n(9), Classi: []ps.AssenzaClasse{
			{Classe: "", Iscritti: 0, Assenti: -1}, {Classe: "1A", Iscritti: 20, Assenti: 25}, {Classe: "1a", Iscritti: 300, Assenti: 1},
			{Classe: strings.Repeat("X", 30), Iscritti: 10, Assenti: 1}}}, true},
		"too many classes": {ps.Giorno{Giorno: day, Assenti: n(0), Classi: make([]ps.AssenzaClasse, ps.MaxClassiGiorno+1)}, true},
	}
	seen := map[string]bool{}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			errs := ps.ValidaGiorno(tc.g, 230, tc.scolastico, "giorni[0].")
			if len(errs) == 0 {
				t.Fatal("no error")
			}
			for field, v := range errs {
				key, _ := ps.SplitMsg(v)
				seen[key] = true
				if !strings.HasPrefix(key, "err.") {
					t.Errorf("%s: %q is not a catalogue key", field, v)
				}
				if _, ok := catalog[key]; !ok {
					t.Errorf("%s: key %q missing from the catalogue", field, key)
				}
				it, en := tr(langIT, v), tr(langEN, v)
				if it == en || strings.Contains(it, "%!") || strings.Contains(en, "%!") || strings.Contains(it, "|") {
					t.Errorf("%s: %q translates to %q / %q", field, v, it, en)
				}
			}
		})
	}
	if len(seen) < 15 {
		t.Errorf("only %d keys exercised", len(seen))
	}
	if got := tr(langIT, ps.Msg("err.chiusura.motivo", "ferie", "sciopero, altro")); got != "motivo di chiusura «ferie» non ammesso: usare uno di sciopero, altro" {
		t.Errorf("got %q", got)
	}
}
