package riservatezza

import (
	"math/rand/v2"
	"testing"
)

// provincia is issue 21's case: a province publishes 36 absent and its
// seven plessi 4, <4, <4, 7, 4, 6, 9: 36 - 30 = 6 over two cells of at
// most 3, so both are 3.
func provincia() Tabella {
	t := Tabella{Valori: []int{4, 3, 3, 7, 4, 6, 9}}
	t.Vincoli = []Vincolo{{Totale: 7, Parti: []int{0, 1, 2, 3, 4, 5, 6}}}
	t.Valori = append(t.Valori, 36)
	return t
}

func TestLimiti_Issue21(t *testing.T) {
	tb := provincia()
	prim := Primarie(tb, Esterno)
	// The primary suppression alone, and the linear test of before, let
	// the bounds give both cells back.
	if d := Determinabili(tb, prim); len(d) != 0 {
		t.Fatalf("linear recovery %v: the case is about bounds", d)
	}
	iv := Limiti(tb, prim, Esterno)
	if iv[1] != (Intervallo{3, 3}) || iv[2] != (Intervallo{3, 3}) {
		t.Fatalf("ranges %v %v, want both exactly 3", iv[1], iv[2])
	}
	if r := Ristretti(tb, prim, Esterno); len(r) != 2 {
		t.Fatalf("narrowed %v, want cells 1 and 2", r)
	}
	s := Proteggi(tb, Esterno)
	for _, i := range []int{1, 2} {
		if got := Limiti(tb, s, Esterno)[i]; got.Max-got.Min < 1 {
			t.Errorf("after Proteggi cell %d lies in %v, want two values at least", i, got)
		}
	}
	if got := integerValues(tb, ProteggiEsito(tb, Esterno), 1); len(got) < 2 {
		t.Errorf("integer attack narrows cell 1 to %v", got)
	}
}

func TestLimiti_ZeroComplement(t *testing.T) {
	// A complement of 0 beside a primary 2 in a total of 2: an attacker who
	// knows a complement is 0 or >= 4 gets the 2 back.
	tb := Tabella{Valori: []int{2, 0, 5, 7}, Vincoli: []Vincolo{{Totale: 3, Parti: []int{0, 1, 2}}}}
	s := []bool{true, true, false, false}
	if iv := Limiti(tb, s, Esterno)[0]; iv != (Intervallo{2, 2}) {
		t.Fatalf("range %v, want exactly 2", iv)
	}
	if got := integerValues(tb, ProteggiEsito(tb, Esterno), 0); len(got) < 2 {
		t.Errorf("after Proteggi the integer attack gives %v", got)
	}
}

// TestProteggi_BoundsAttack protects random tables (plessi, their total,
// grades across them) and attacks each with an exhaustive integer search
// that knows what the labels reveal: no primary cell is narrowed to one
// value. The search caps every cell at the table's grand total plus 4: a
// smaller domain than the attacker's, so the check is stricter than the
// attack.
func TestProteggi_BoundsAttack(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	for trial := range 80 {
		tb := randomTable(rng)
		e := ProteggiEsito(tb, Esterno)
		prim := Primarie(tb, Esterno)
		for i := range tb.Valori {
			if !prim[i] {
				continue
			}
			got := integerValues(tb, e, i)
			if len(got) < 2 || !got[tb.Valori[i]] {
				t.Fatalf("trial %d: cell %d (value %d) can only be %v; table %v, suppressed %v, labelled <4 %v", trial, i, tb.Valori[i], got, tb.Valori, e.Soppressi, e.Minore)
			}
		}
	}
}

// randomTable: 5 plessi, their total, and two grades across them. Counts
// are small, so that many are 1–3.
func randomTable(rng *rand.Rand) Tabella {
	var t Tabella
	var grade [2][]int
	var all []int
	for i := range 5 {
		t.Valori = append(t.Valori, rng.IntN(8))
		all = append(all, i)
		g := rng.IntN(2)
		grade[g] = append(grade[g], i)
	}
	sum := func(ix []int) int {
		s := 0
		for _, i := range ix {
			s += t.Valori[i]
		}
		return s
	}
	t.Vincoli = append(t.Vincoli, Vincolo{Totale: len(t.Valori), Parti: all})
	t.Valori = append(t.Valori, sum(all))
	for g := range 2 {
		if len(grade[g]) == 0 {
			continue
		}
		t.Vincoli = append(t.Vincoli, Vincolo{Totale: len(t.Valori), Parti: grade[g]})
		t.Valori = append(t.Valori, sum(grade[g]))
	}
	return t
}

// integerValues returns the values cell i takes over every integer
// assignment of the suppressed cells that the attacker cannot rule out:
// relations hold, a cell labelled "<4" is 1..3, any other suppressed cell
// is 0 or 4..cap when the "<4" labels are in use (cap: the largest total
// plus 4) and no primary cell lost its label, anything in 0..cap otherwise.
func integerValues(t Tabella, e Esito, target int) map[int]bool {
	s, prim := e.Soppressi, e.Minore
	// A primary cell that lost its "<4" looks like a complement: once the
	// table has one, no "riservato" cell is known to be 0 or >= 4.
	anyNeutral := false
	for j, p := range Primarie(t, Esterno) {
		anyNeutral = anyNeutral || (p && s[j] && !prim[j])
	}
	var vars []int
	limit := 4
	for _, c := range t.Vincoli {
		limit = max(limit, t.Valori[c.Totale]+4)
	}
	for i, x := range s {
		if x {
			vars = append(vars, i)
		}
	}
	val := make([]int, len(t.Valori))
	known := make([]bool, len(t.Valori))
	for i := range t.Valori {
		if !s[i] {
			val[i], known[i] = t.Valori[i], true
		}
	}
	ok := func() bool {
		for _, c := range t.Vincoli {
			all := known[c.Totale]
			sum := 0
			for _, p := range c.Parti {
				if known[p] {
					sum += val[p]
				} else {
					all = false
				}
			}
			if known[c.Totale] && sum > val[c.Totale] {
				return false
			}
			if all && sum != val[c.Totale] {
				return false
			}
		}
		return true
	}
	out := map[int]bool{}
	var dfs func(k int)
	dfs = func(k int) {
		if !ok() {
			return
		}
		if k == len(vars) {
			out[val[target]] = true
			return
		}
		i := vars[k]
		var cand []int
		switch {
		case prim[i]:
			cand = []int{1, 2, 3}
		case !anyNeutral:
			cand = []int{0}
			for v := 4; v <= limit; v++ {
				cand = append(cand, v)
			}
		default:
			for v := 0; v <= limit; v++ {
				cand = append(cand, v)
			}
		}
		for _, v := range cand {
			val[i], known[i] = v, true
			dfs(k + 1)
		}
		known[i] = false
	}
	dfs(0)
	return out
}
