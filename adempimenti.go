package portalescuole

import "sort"

// Adempimento is one plesso's state for a school year in the compliance
// view: whether it has entered its figures (Consistenza is then its latest
// revision).
type Adempimento struct {
	Plesso      Plesso
	Consistenza *Consistenza
	StudentiMIM int // ministry's count of the previous data release, 0 if unknown
	Sentinella  bool
}

// Fatto reports whether the plesso has entered figures for the year.
func (a Adempimento) Fatto() bool { return a.Consistenza != nil }

// Tasso is a compliance rate for one group of plessi.
type Tasso struct {
	Gruppo  string // the group's key (province sigla, district code, istituto code, grade)
	Nome    string // the group's label
	Totale  int
	Fatti   int
	Mancano int
}

// Percentuale is the share of plessi that entered figures, 0–100.
func (t Tasso) Percentuale() float64 {
	if t.Totale == 0 {
		return 0
	}
	return 100 * float64(t.Fatti) / float64(t.Totale)
}

// Raggruppa computes compliance rates grouped by key(a); label names a
// group. Groups are sorted by key; the empty key sorts last.
func Raggruppa(rows []Adempimento, key func(Adempimento) string, label func(string) string) []Tasso {
	by := map[string]*Tasso{}
	for _, a := range rows {
		k := key(a)
		t, ok := by[k]
		if !ok {
			t = &Tasso{Gruppo: k, Nome: label(k)}
			by[k] = t
		}
		t.Totale++
		if a.Fatto() {
			t.Fatti++
		} else {
			t.Mancano++
		}
	}
	out := make([]Tasso, 0, len(by))
	for _, t := range by {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Gruppo == "") != (out[j].Gruppo == "") {
			return out[j].Gruppo == ""
		}
		return out[i].Gruppo < out[j].Gruppo
	})
	return out
}

// Totale is the overall rate of rows.
func Totale(rows []Adempimento) Tasso {
	t := Tasso{Gruppo: "", Nome: "Totale", Totale: len(rows)}
	for _, a := range rows {
		if a.Fatto() {
			t.Fatti++
		}
	}
	t.Mancano = t.Totale - t.Fatti
	return t
}
