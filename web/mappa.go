package web

import (
	"fmt"
	"html/template"
	"sort"

	"github.com/portalescuole/portalescuole/mappa"
	"github.com/portalescuole/portalescuole/serie"
)

// comuneRate is one municipality's rate over the last reported days, also
// listed as a table under the map (screen readers and colour-blind users).
type comuneRate struct {
	Nome   string
	Tasso  float64
	Plessi int
}

// mappaComuniDati colours each municipality by the absence rate of its
// sentinel plessi over the last five reported days, and returns the same
// numbers as a table.
func mappaComuniDati(obs []serie.Osservazione) (template.HTML, []comuneRate) {
	days := map[int64]bool{}
	var order []int64
	for i := len(obs) - 1; i >= 0 && len(order) < 5; i-- {
		if d := obs[i].Giorno.Unix(); !days[d] {
			days[d] = true
			order = append(order, d)
		}
	}
	type acc struct {
		a, n   int
		plessi map[string]bool
	}
	byCat := map[string]*acc{}
	for _, o := range obs {
		if !days[o.Giorno.Unix()] || o.Strato.Comune == "" {
			continue
		}
		x, ok := byCat[o.Strato.Comune]
		if !ok {
			x = &acc{plessi: map[string]bool{}}
			byCat[o.Strato.Comune] = x
		}
		x.a += o.Assenti
		x.n += o.Iscritti
		x.plessi[o.Plesso] = true
	}
	valori := map[string]mappa.Valore{}
	var table []comuneRate
	for _, c := range mappa.Comuni() {
		x, ok := byCat[c.Catastale]
		if !ok || x.n == 0 {
			continue
		}
		rate := 100 * float64(x.a) / float64(x.n)
		valori[c.Istat] = mappa.Valore{Valore: rate, Presente: true, Etichetta: fmt.Sprintf("%d plessi", len(x.plessi))}
		table = append(table, comuneRate{Nome: c.Nome, Tasso: rate / 100, Plessi: len(x.plessi)})
	}
	sort.Slice(table, func(i, j int) bool { return table[i].Tasso > table[j].Tasso })
	svg, err := mappa.SVG(valori, mappa.Opzioni{Titolo: "Assenze negli ultimi cinque giorni di lezione per comune"})
	if err != nil {
		return "", table
	}
	return svg, table
}
