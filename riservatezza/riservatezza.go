// Package riservatezza is the disclosure control of published counts:
// primary suppression of small counts and of cells resting on too small a
// base, then complementary (secondary) suppression so that no suppressed
// cell can be recovered from published figures, by subtracting parts from
// a total or by any other linear combination of the table's additive
// relations (a total minus its parts, across hierarchies). It is pure: the
// caller describes a table as cells and relations, and gets back which
// cells to suppress.
package riservatezza

import (
	"math"
	"slices"
	"sort"
)

// Vincolo is an additive relation of the table: the cell Totale equals the
// sum of the cells Parti (indexes into Tabella.Valori).
type Vincolo struct {
	Totale int
	Parti  []int
}

// Tabella is a set of published cells and the relations between them.
type Tabella struct {
	Valori  []int     // the counts
	Base    []int     // optional: what each count rests on (plessi, pupils); nil = not used
	Vincoli []Vincolo // every total with its parts, in every hierarchy
	// Nascoste marks cells that are never published (the finest cells of a
	// table whose margins only are published): suppressed from the start,
	// neither primary nor to protect (nil: none).
	Nascoste []bool
}

// Regole says what is suppressed in the first place.
type Regole struct {
	// Minimo: counts from 1 to Minimo-1 are suppressed (4: counts 1–3).
	Minimo int
	// BaseMinima: a cell whose Base is below it is suppressed (0: off).
	BaseMinima int
}

// Esterno is the portal's rule for figures shared outside the ATS.
var Esterno = Regole{Minimo: 4}

// Primarie marks the cells suppressed by the rules alone.
func Primarie(t Tabella, r Regole) []bool {
	s := make([]bool, len(t.Valori))
	for i, v := range t.Valori {
		if t.Nascoste != nil && t.Nascoste[i] {
			continue
		}
		s[i] = (v >= 1 && v < r.Minimo) || (r.BaseMinima > 0 && t.Base != nil && t.Base[i] < r.BaseMinima)
	}
	return s
}

// Esito is a protected table: the cells to suppress, and those of them
// that may say "<Minimo" (the others are labelled neutrally: "riservato").
type Esito struct {
	Soppressi []bool
	Minore    []bool
}

// ProteggiEsito is Proteggi with the labels. Where even suppressing every
// cell it can leaves a primary cell's range a single value (two "<4" plessi
// in a "<4" grade of three), the labels themselves give it back: the cells
// linked to it lose the "<4" label, which then reveals nothing, and the
// check is made again.
func ProteggiEsito(t Tabella, r Regole) Esito {
	s := Proteggi(t, r)
	prim := Primarie(t, r)
	neutre := make([]bool, len(s))
	for range len(s) + 1 {
		bad := ristretti(t, s, r, neutre)
		if len(bad) == 0 {
			break
		}
		changed := false
		for _, comp := range componenti(t, s) {
			if !slices.ContainsFunc(comp, func(i int) bool { return slices.Contains(bad, i) }) {
				continue
			}
			for _, i := range comp {
				if !neutre[i] {
					neutre[i], changed = true, true
				}
			}
		}
		if !changed {
			break
		}
	}
	e := Esito{Soppressi: s, Minore: make([]bool, len(s))}
	for i := range s {
		e.Minore[i] = s[i] && prim[i] && !neutre[i]
	}
	return e
}

// Proteggi returns the cells to suppress: the primary ones, and enough
// complementary ones that Determinabili finds none and no primary cell's
// range (Limiti) is a single value. A complement is chosen in a relation
// that needs one: the smallest part not below Minimo, then a part of zero,
// then the total, so that little is hidden besides what must be.
func Proteggi(t Tabella, r Regole) []bool {
	s := Primarie(t, r)
	for i := range s {
		s[i] = s[i] || nascosta(t, i)
	}
	cost := func(i int, total bool) float64 {
		v := float64(t.Valori[i])
		switch {
		case total:
			return 4e9 + v
		case v == 0:
			return 2e9
		}
		return v
	}
	// complete suppresses one more published cell of relation k, but not
	// skip; it reports whether it found one.
	complete := func(k int, skip int) bool {
		c := t.Vincoli[k]
		best, bestCost := -1, math.Inf(1)
		try := func(i int, total bool) {
			if i == skip || s[i] {
				return
			}
			if x := cost(i, total); x < bestCost || (x == bestCost && i < best) {
				best, bestCost = i, x
			}
		}
		for _, p := range c.Parti {
			try(p, false)
		}
		try(c.Totale, true)
		if best < 0 {
			return false
		}
		s[best] = true
		return true
	}
	byCell := make([][]int, len(t.Valori)) // relations of each cell
	for k, c := range t.Vincoli {
		byCell[c.Totale] = append(byCell[c.Totale], k)
		for _, p := range c.Parti {
			byCell[p] = append(byCell[p], k)
		}
	}
	// completeNear suppresses the cheapest published cell of the relations
	// reached from cell i through suppressed cells.
	completeNear := func(i int) bool {
		seenRel := map[int]bool{}
		seenCell := map[int]bool{i: true}
		queue := []int{i}
		best, bestCost := -1, math.Inf(1)
		for len(queue) > 0 {
			x := queue[0]
			queue = queue[1:]
			for _, k := range byCell[x] {
				if seenRel[k] {
					continue
				}
				seenRel[k] = true
				c := t.Vincoli[k]
				for j, y := range append([]int{c.Totale}, c.Parti...) {
					if !s[y] {
						if v := cost(y, j == 0); v < bestCost || (v == bestCost && y < best) {
							best, bestCost = y, v
						}
					} else if !seenCell[y] {
						seenCell[y] = true
						queue = append(queue, y)
					}
				}
			}
		}
		if best < 0 {
			return false
		}
		s[best] = true
		return true
	}
	for round := 0; round <= len(t.Valori); round++ {
		// A relation with one suppressed cell gives it back by subtraction.
		changed := true
		for changed {
			changed = false
			for k, c := range t.Vincoli {
				n, only := 0, -1
				for _, i := range append([]int{c.Totale}, c.Parti...) {
					if s[i] {
						n++
						only = i
					}
				}
				if n == 1 && complete(k, only) {
					changed = true
				}
			}
		}
		// Combinations of relations: suppress one more cell next to each
		// cell still determined; then, by the bounds the labels reveal,
		// next to each primary cell whose range is narrower than 1..3.
		det := slices.DeleteFunc(Determinabili(t, s), func(i int) bool {
			// A hidden cell of 0 or >= Minimo may be known: it is not small.
			return nascosta(t, i) && !piccolo(t.Valori[i], r)
		})
		if len(det) == 0 {
			det = Ristretti(t, s, r)
		}
		if len(det) == 0 {
			return s
		}
		added := false
		for _, i := range det {
			done := false
			for _, k := range byCell[i] {
				if complete(k, i) {
					done = true
					break
				}
			}
			if !done {
				// Its relations are all suppressed: the value comes through
				// other relations linked by suppressed cells; hide the
				// cheapest published cell among those.
				done = completeNear(i)
			}
			added = added || done
		}
		if !added {
			return s // nothing left to suppress
		}
	}
	return s
}

// Ristretti lists the primary cells (and hidden cells holding 1..Minimo-1)
// whose feasible range (Limiti) holds a single value: published figures
// and the "<4" labels together give them back (36 absent in a province
// whose published plessi add up to 30 and two "<4" ones: both are 3). A
// range narrower than 1..3 but of two values or more is accepted: two
// "<4" plessi making a "<4" grade are at most 2 each, whatever else is
// hidden.
func Ristretti(t Tabella, soppressi []bool, r Regole) []int { return ristretti(t, soppressi, r, nil) }

func ristretti(t Tabella, soppressi []bool, r Regole, neutre []bool) []int {
	prim := Primarie(t, r)
	var out []int
	for i, iv := range limiti(t, soppressi, r, neutre) {
		// The primary cells, and the hidden ones holding a small count.
		if !soppressi[i] || !piccolo(t.Valori[i], r) || !(prim[i] || nascosta(t, i)) {
			continue
		}
		if iv.Max-iv.Min < 1-1e-6 {
			out = append(out, i)
		}
	}
	return out
}

func nascosta(t Tabella, i int) bool { return t.Nascoste != nil && t.Nascoste[i] }

// piccolo reports a count the rules protect (1..Minimo-1).
func piccolo(v int, r Regole) bool { return v >= 1 && v < r.Minimo }

// Determinabili lists the suppressed cells whose exact value follows from
// the published cells through the relations: those whose unit vector lies
// in the row space of the relations restricted to the suppressed cells.
func Determinabili(t Tabella, soppressi []bool) []int {
	col := map[int]int{}
	var cells []int
	for i, x := range soppressi {
		if x {
			col[i] = len(cells)
			cells = append(cells, i)
		}
	}
	if len(cells) == 0 {
		return nil
	}
	var rows [][]float64
	for _, c := range t.Vincoli {
		row := make([]float64, len(cells))
		any := false
		if j, ok := col[c.Totale]; ok {
			row[j]++
			any = true
		}
		for _, p := range c.Parti {
			if j, ok := col[p]; ok {
				row[j]--
				any = true
			}
		}
		if any {
			rows = append(rows, row)
		}
	}
	pivots := rref(rows, len(cells))
	var out []int
	for r, pc := range pivots {
		unit := true
		for j, v := range rows[r] {
			if j != pc && math.Abs(v) > eps {
				unit = false
				break
			}
		}
		if unit {
			out = append(out, cells[pc])
		}
	}
	sort.Ints(out)
	return out
}

const eps = 1e-9

// rref reduces m (rows × n) in place to reduced row echelon form and
// returns the pivot column of each of the first len(pivots) rows.
func rref(m [][]float64, n int) []int {
	var pivots []int
	r := 0
	for c := 0; c < n && r < len(m); c++ {
		p := -1
		for i := r; i < len(m); i++ {
			if math.Abs(m[i][c]) > eps && (p < 0 || math.Abs(m[i][c]) > math.Abs(m[p][c])) {
				p = i
			}
		}
		if p < 0 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		f := m[r][c]
		for j := range m[r] {
			m[r][j] /= f
		}
		for i := range m {
			if i == r || math.Abs(m[i][c]) <= eps {
				continue
			}
			g := m[i][c]
			for j := range m[i] {
				m[i][j] -= g * m[r][j]
			}
		}
		pivots = append(pivots, c)
		r++
	}
	return pivots
}
