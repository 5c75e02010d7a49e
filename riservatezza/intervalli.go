package riservatezza

import (
	"errors"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// Intervallo is the range of values a suppressed cell can take given every
// published cell, the relations and the bounds the labels reveal.
type Intervallo struct{ Min, Max float64 }

// Limiti returns, for each suppressed cell, the smallest and largest value
// it can take (interval auditing): the relations hold with the published
// cells at their values, a primary cell lies in 1..Minimo-1 (its label "<4"
// says so), and any other suppressed cell is 0 or at least Minimo
// (it would be primary otherwise: an attacker knows that much). That last
// set is not convex; each cell is bounded by its own side of it (0 when it
// is 0, >= Minimo otherwise), a subset of what the attacker considers, so
// a range found wide here is wide for the attacker too. Hidden cells
// (never published) are only >= 0. Each
// range is the exact optimum of a linear program (gonum's simplex) over the
// suppressed cells linked to it through the relations. Published cells get
// their own value as range.
func Limiti(t Tabella, soppressi []bool, r Regole) []Intervallo { return limiti(t, soppressi, r, nil) }

// limiti is Limiti with some suppressed cells labelled neutrally: their
// label says nothing of their value, so they are only >= 0.
func limiti(t Tabella, soppressi []bool, r Regole, neutre []bool) []Intervallo {
	prim := Primarie(t, r)
	n := len(t.Valori)
	out := make([]Intervallo, n)
	lo, hi := make([]float64, n), make([]float64, n)
	for i := range n {
		v := float64(t.Valori[i])
		out[i] = Intervallo{v, v}
		lo[i], hi[i] = 0, math.Inf(1)
		switch {
		case !soppressi[i] || nascosta(t, i) || (neutre != nil && neutre[i]):
		case prim[i] && t.Valori[i] >= 1:
			lo[i], hi[i] = 1, math.Min(hi[i], float64(r.Minimo-1))
		case t.Valori[i] == 0:
			hi[i] = 0
		case t.Valori[i] >= r.Minimo:
			lo[i] = float64(r.Minimo)
		}
	}
	return limitiDa(t, soppressi, lo, hi, out)
}

// LimitiDa is Limiti with the bounds of each suppressed cell given (what
// an attacker reads in the labels: "<4" is 1..3, "riservato" is >= 0,
// hi +Inf for no upper bound); published cells keep their value.
func LimitiDa(t Tabella, soppressi []bool, lo, hi []float64) []Intervallo {
	out := make([]Intervallo, len(t.Valori))
	for i, v := range t.Valori {
		out[i] = Intervallo{float64(v), float64(v)}
	}
	return limitiDa(t, soppressi, lo, hi, out)
}

func limitiDa(t Tabella, soppressi []bool, lo, hi []float64, out []Intervallo) []Intervallo {
	for _, comp := range componenti(t, soppressi) {
		limitiComponente(t, soppressi, comp, lo, hi, out)
	}
	return out
}

// componenti groups the suppressed cells that share a relation, directly
// or through other suppressed cells: a range depends on its group alone.
func componenti(t Tabella, s []bool) [][]int {
	parent := make([]int, len(t.Valori))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, c := range t.Vincoli {
		first := -1
		for _, i := range append([]int{c.Totale}, c.Parti...) {
			if !s[i] {
				continue
			}
			if first < 0 {
				first = i
			} else {
				parent[find(i)] = find(first)
			}
		}
	}
	groups := map[int][]int{}
	var roots []int
	for i, x := range s {
		if !x {
			continue
		}
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], i)
	}
	out := make([][]int, 0, len(roots))
	for _, r := range roots {
		out = append(out, groups[r])
	}
	return out
}

// limitiComponente solves min and max of each cell of one group.
//
// Standard form for the simplex: y = x - lo >= 0; each relation touching
// the group is a row sum(a*y) = published side - sum(a*lo); each finite
// upper bound a row y + slack = hi - lo. Linearly dependent relation rows
// (a total equal to its provinces and to its grades) are dropped first:
// the simplex wants full row rank.
func limitiComponente(t Tabella, s []bool, comp []int, lo, hi []float64, out []Intervallo) {
	col := make(map[int]int, len(comp))
	for j, i := range comp {
		col[i] = j
	}
	nv := len(comp)
	var rows [][]float64 // nv coefficients, then the right-hand side
	for _, c := range t.Vincoli {
		if _, ok := col[c.Totale]; !ok && !slices.ContainsFunc(c.Parti, func(p int) bool { _, in := col[p]; return in }) {
			continue // not this group's relation
		}
		row := make([]float64, nv+1)
		touch := false
		add := func(i int, a float64) {
			if j, ok := col[i]; ok {
				row[j] += a
				row[nv] -= a * lo[i]
				touch = true
			} else if !s[i] {
				row[nv] -= a * float64(t.Valori[i])
			} else {
				// A suppressed cell of another group in the same relation
				// would have joined the groups.
				panic("riservatezza: relation across groups")
			}
		}
		add(c.Totale, 1)
		for _, p := range c.Parti {
			add(p, -1)
		}
		if touch {
			rows = append(rows, row)
		}
	}
	rows = indipendenti(rows, nv)
	var bounded []int
	for j, i := range comp {
		if !math.IsInf(hi[i], 1) {
			bounded = append(bounded, j)
		}
	}
	nr, nc := len(rows)+len(bounded), nv+len(bounded)
	if nr == 0 {
		for _, i := range comp {
			out[i] = Intervallo{lo[i], hi[i]}
		}
		return
	}
	A := make([]float64, nr*nc)
	b := make([]float64, nr)
	for k, row := range rows {
		copy(A[k*nc:k*nc+nv], row[:nv])
		b[k] = row[nv]
	}
	for k, j := range bounded {
		r := len(rows) + k
		A[r*nc+j] = 1
		A[r*nc+nv+k] = 1
		b[r] = hi[comp[j]] - lo[comp[j]]
	}
	// A column of zeros (a cell in no kept relation and unbounded above)
	// is free: its range is its bounds, and it leaves the program.
	keep := make([]bool, nc)
	for c := range nc {
		for r := range nr {
			if A[r*nc+c] != 0 {
				keep[c] = true
				break
			}
		}
	}
	var kc []int
	for c := range nc {
		if keep[c] {
			kc = append(kc, c)
		}
	}
	Ak := make([]float64, nr*len(kc))
	for r := range nr {
		for k, c := range kc {
			Ak[r*len(kc)+k] = A[r*nc+c]
		}
	}
	am := mat.NewDense(nr, len(kc), Ak)
	pos := make(map[int]int, len(kc))
	for k, c := range kc {
		pos[c] = k
	}
	cost := make([]float64, len(kc))
	for j, i := range comp {
		k, ok := pos[j]
		if !ok {
			out[i] = Intervallo{lo[i], hi[i]}
			continue
		}
		clear(cost)
		cost[k] = 1
		mn, err := solve(cost, am, b)
		if err != nil {
			mn = 0 // y >= 0 always holds
		}
		cost[k] = -1
		mx, err := solve(cost, am, b)
		switch {
		case errors.Is(err, lp.ErrUnbounded):
			mx = math.Inf(1)
		case err != nil:
			mx = hi[i] - lo[i] // a numerical failure: claim nothing narrower than the bounds
		default:
			mx = -mx
		}
		out[i] = Intervallo{lo[i] + mn, math.Min(hi[i], lo[i]+mx)}
	}
}

// solve runs the simplex and returns the optimal value.
func solve(c []float64, a mat.Matrix, b []float64) (float64, error) {
	opt, _, err := lp.Simplex(c, a, b, 1e-10, nil)
	return opt, err
}

// indipendenti keeps a set of linearly independent rows (coefficients
// and right-hand side) spanning the same equations.
func indipendenti(rows [][]float64, nv int) [][]float64 {
	m := make([][]float64, len(rows))
	for i, r := range rows {
		m[i] = append([]float64(nil), r...)
	}
	pivots := rref(m, nv)
	return m[:len(pivots)]
}
