package sentinella

import (
	"sort"

	ps "github.com/portalescuole/portalescuole"
)

// Quota is the sentinel coverage of one group: pupils aged 6–19 in sentinel
// plessi over all pupils of the group.
type Quota struct {
	Gruppo, Nome       string
	Plessi, Sentinelle int
	Alunni, AlunniSent int
}

// Percentuale is the share of pupils covered, 0–100.
func (q Quota) Percentuale() float64 {
	if q.Alunni == 0 {
		return 0
	}
	return 100 * float64(q.AlunniSent) / float64(q.Alunni)
}

// Alunni is the pupils of a plesso for coverage: the figures it entered for
// the year, else the ministry's count (documented fallback: most plessi have
// a MIM count before they enter their own).
func Alunni(a ps.Adempimento) int {
	if a.Consistenza != nil {
		return a.Consistenza.Iscritti
	}
	return a.StudentiMIM
}

// Copertura groups coverage by key; "" sorts last. The target is about 5%
// overall, balanced across strata.
func Copertura(rows []ps.Adempimento, key func(ps.Adempimento) string, label func(string) string) []Quota {
	by := map[string]*Quota{}
	for _, a := range rows {
		k := key(a)
		q, ok := by[k]
		if !ok {
			q = &Quota{Gruppo: k, Nome: label(k)}
			by[k] = q
		}
		n := Alunni(a)
		q.Plessi++
		q.Alunni += n
		if a.Sentinella {
			q.Sentinelle++
			q.AlunniSent += n
		}
	}
	out := make([]Quota, 0, len(by))
	for _, q := range by {
		out = append(out, *q)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Gruppo == "") != (out[j].Gruppo == "") {
			return out[j].Gruppo == ""
		}
		return out[i].Gruppo < out[j].Gruppo
	})
	return out
}
