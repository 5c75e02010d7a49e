package sentinella

import (
	"strings"

	ps "github.com/portalescuole/portalescuole"
)

// Cambia reports whether saving g would change a day already reported
// (stored, nil if none): the same rule as store.SaveGiorni, where the
// plesso row and each class given are compared with their latest revision
// and classes left out keep their rows. g must be normalised (Valida).
func Cambia(stored *ps.Rilevazione, g ps.Giorno) bool {
	if stored == nil {
		return false
	}
	if stored.Chiuso != g.Chiuso || stored.MotivoChiusura != g.MotivoChiusura || !eqInt(stored.Assenti, g.Assenti) || !eqMotivi(stored.Motivi, g.Motivi) {
		return true
	}
	old := map[string]ps.AssenzaClasse{}
	for _, c := range stored.Classi {
		old[strings.ToUpper(strings.TrimSpace(c.Classe))] = c
	}
	for _, c := range g.Classi {
		o, ok := old[strings.ToUpper(strings.TrimSpace(c.Classe))]
		if !ok || o.Iscritti != c.Iscritti || o.Assenti != c.Assenti || !eqMotivi(o.Motivi, c.Motivi) {
			return true
		}
	}
	return false
}

func eqInt(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func eqMotivi(a, b ps.Motivi) bool {
	return eqInt(a.Febbre, b.Febbre) && eqInt(a.Gastro, b.Gastro) && eqInt(a.AltraMalattia, b.AltraMalattia) && eqInt(a.NonMalattia, b.NonMalattia)
}
