package pubblico

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/portalescuole/portalescuole/serie"
)

// BenchmarkCostruisci_Nazionale: one school week of a national network,
// 107 provinces × 3 grades with 0–20 sentinel plessi each (about 3,200),
// a few strata tiny; the public table is protected as a whole.
func BenchmarkCostruisci_Nazionale(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var obs []serie.Osservazione
	n := 0
	for p := range 107 {
		prov := fmt.Sprintf("P%03d", p)
		for _, g := range gradi {
			for range rng.IntN(21) {
				n++
				iscritti := 30 + rng.IntN(600)
				ass := make([]int, 5)
				for i := range ass {
					ass[i] = rng.IntN(iscritti/15 + 1)
				}
				obs = append(obs, plesso(fmt.Sprintf("N%05d", n), prov, g, lunedi, iscritti, ass...)...)
			}
		}
	}
	r := Regole{Livello: Gradi, MinPlessi: 3, MinAlunni: 100}
	b.ReportAllocs()
	var soppresse int
	for b.Loop() {
		tab := Costruisci(obs, nil, r)
		soppresse = 0
		for _, c := range tab.Celle {
			if c.Soppressa {
				soppresse++
			}
		}
	}
	b.ReportMetric(float64(n), "plessi")
	b.ReportMetric(float64(soppresse), "soppresse")
}

// BenchmarkCostruisciMemo_Nazionale: the same week rebuilt from the memo
// (nothing changed since the last build).
func BenchmarkCostruisciMemo_Nazionale(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var obs []serie.Osservazione
	n := 0
	for p := range 107 {
		for _, g := range gradi {
			for range rng.IntN(21) {
				n++
				obs = append(obs, plesso(fmt.Sprintf("N%05d", n), fmt.Sprintf("P%03d", p), g, lunedi, 300, 10, 12, 9, 11, 10)...)
			}
		}
	}
	r := Regole{Livello: Gradi, MinPlessi: 3, MinAlunni: 100}
	var memo Memo
	CostruisciMemo(obs, nil, r, &memo)
	b.ReportAllocs()
	for b.Loop() {
		CostruisciMemo(obs, nil, r, &memo)
	}
}
