package web

import (
	"html/template"
	"sort"
	"strconv"

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
// numbers as a table; the map in each language, keyed by language.
func mappaComuniDati(obs []serie.Osservazione) (map[string]template.HTML, []comuneRate) {
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
		valori[c.Istat] = mappa.Valore{Valore: rate, Presente: true, Etichetta: strconv.Itoa(len(x.plessi))}
		table = append(table, comuneRate{Nome: c.Nome, Tasso: rate / 100, Plessi: len(x.plessi)})
	}
	sort.Slice(table, func(i, j int) bool { return table[i].Tasso > table[j].Tasso })
	svg := map[string]template.HTML{}
	for _, lang := range []string{langIT, langEN} {
		v := make(map[string]mappa.Valore, len(valori))
		for k, x := range valori {
			n, _ := strconv.Atoi(x.Etichetta)
			x.Etichetta = tr(lang, "mappa.plessi", n)
			v[k] = x
		}
		tx := mappa.Testi{NessunDato: tr(lang, "mappa.nessun_dato"), TuttiIValori: tr(lang, "mappa.tutti"),
			Attribuzione: tr(lang, "mappa.attribuzione"), Descrizione: tr(lang, "mappa.descrizione"), Decimale: tr(lang, "num.decimal")}
		s, err := mappa.SVG(v, mappa.Opzioni{Titolo: tr(lang, "mappa.titolo"), Legenda: tr(lang, "mappa.legenda"), Testi: tx})
		if err != nil {
			return nil, table
		}
		svg[lang] = s
	}
	return svg, table
}
