package riservatezza

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// attackSubtraction tries every single subtraction: a published total
// minus its published parts gives back the one suppressed part, and a
// suppressed total is the sum of its parts when all are published. It
// returns the cells recovered.
func attackSubtraction(t Tabella, s []bool) []int {
	var got []int
	for _, c := range t.Vincoli {
		hidden := -1
		n := 0
		for _, i := range append([]int{c.Totale}, c.Parti...) {
			if s[i] {
				n++
				hidden = i
			}
		}
		if n != 1 {
			continue
		}
		// Recompute the value from the published cells only.
		v := 0
		if hidden == c.Totale {
			for _, p := range c.Parti {
				v += t.Valori[p]
			}
		} else {
			v = t.Valori[c.Totale]
			for _, p := range c.Parti {
				if p != hidden {
					v -= t.Valori[p]
				}
			}
		}
		if v == t.Valori[hidden] {
			got = append(got, hidden)
		}
	}
	return got
}

// attackLinear is an independent, exact check of every combination of
// relations: cell i is recovered when adding its unit vector to the
// relations restricted to the suppressed cells leaves the rank unchanged.
func attackLinear(t Tabella, s []bool) []int {
	col := map[int]int{}
	var cells []int
	for i, x := range s {
		if x {
			col[i] = len(cells)
			cells = append(cells, i)
		}
	}
	var base [][]*big.Rat
	for _, c := range t.Vincoli {
		row := make([]*big.Rat, len(cells))
		for j := range row {
			row[j] = new(big.Rat)
		}
		if j, ok := col[c.Totale]; ok {
			row[j].Add(row[j], big.NewRat(1, 1))
		}
		for _, p := range c.Parti {
			if j, ok := col[p]; ok {
				row[j].Sub(row[j], big.NewRat(1, 1))
			}
		}
		base = append(base, row)
	}
	r0 := rank(base, len(cells))
	var got []int
	for j, i := range cells {
		unit := make([]*big.Rat, len(cells))
		for k := range unit {
			unit[k] = new(big.Rat)
		}
		unit[j].SetInt64(1)
		if rank(append(base[:len(base):len(base)], unit), len(cells)) == r0 {
			got = append(got, i)
		}
	}
	return got
}

func rank(m [][]*big.Rat, n int) int {
	a := make([][]*big.Rat, len(m))
	for i, row := range m {
		a[i] = make([]*big.Rat, n)
		for j := range row {
			a[i][j] = new(big.Rat).Set(row[j])
		}
	}
	r := 0
	for c := 0; c < n && r < len(a); c++ {
		p := -1
		for i := r; i < len(a); i++ {
			if a[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		a[r], a[p] = a[p], a[r]
		for i := r + 1; i < len(a); i++ {
			if a[i][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Quo(a[i][c], a[r][c])
			for j := c; j < n; j++ {
				a[i][j].Sub(a[i][j], new(big.Rat).Mul(f, a[r][j]))
			}
		}
		r++
	}
	return r
}

// territorio builds the portal's table of one day: plessi, the territory,
// provinces, districts and grades, each a total of its plessi.
func territorio(rng *rand.Rand, n int) Tabella {
	var t Tabella
	add := func(v int) int { t.Valori = append(t.Valori, v); return len(t.Valori) - 1 }
	groups := map[string][]int{}
	var all []int
	for p := 0; p < n; p++ {
		v := rng.IntN(12)
		if rng.IntN(3) == 0 {
			v = 1 + rng.IntN(3)
		}
		i := add(v)
		all = append(all, i)
		prov := []string{"CR", "MN"}[rng.IntN(2)]
		groups["provincia:"+prov] = append(groups["provincia:"+prov], i)
		distr := "distretto:" + prov + string(rune('a'+rng.IntN(3)))
		groups[distr] = append(groups[distr], i)
		grado := "grado:" + []string{"primaria", "secondaria1", "secondaria2"}[rng.IntN(3)]
		groups[grado] = append(groups[grado], i)
	}
	groups["territorio"] = all
	for _, parts := range groups {
		sum := 0
		for _, p := range parts {
			sum += t.Valori[p]
		}
		t.Vincoli = append(t.Vincoli, Vincolo{Totale: add(sum), Parti: parts})
	}
	return t
}

// griglia builds a rows × cols table with row, column and grand totals.
func griglia(rng *rand.Rand, rows, cols int) Tabella {
	var t Tabella
	add := func(v int) int { t.Valori = append(t.Valori, v); return len(t.Valori) - 1 }
	cell := make([][]int, rows)
	for r := range cell {
		cell[r] = make([]int, cols)
		for c := range cell[r] {
			v := rng.IntN(30)
			if rng.IntN(4) == 0 {
				v = rng.IntN(4)
			}
			cell[r][c] = add(v)
		}
	}
	var rowTot, colTot []int
	for r := 0; r < rows; r++ {
		sum := 0
		for c := 0; c < cols; c++ {
			sum += t.Valori[cell[r][c]]
		}
		i := add(sum)
		rowTot = append(rowTot, i)
		t.Vincoli = append(t.Vincoli, Vincolo{Totale: i, Parti: append([]int(nil), cell[r]...)})
	}
	for c := 0; c < cols; c++ {
		sum := 0
		var parts []int
		for r := 0; r < rows; r++ {
			sum += t.Valori[cell[r][c]]
			parts = append(parts, cell[r][c])
		}
		i := add(sum)
		colTot = append(colTot, i)
		t.Vincoli = append(t.Vincoli, Vincolo{Totale: i, Parti: parts})
	}
	grand := 0
	for _, i := range rowTot {
		grand += t.Valori[i]
	}
	g := add(grand)
	t.Vincoli = append(t.Vincoli, Vincolo{Totale: g, Parti: rowTot}, Vincolo{Totale: g, Parti: colTot})
	return t
}

func check(t *testing.T, tab Tabella, r Regole) []bool {
	t.Helper()
	s := Proteggi(tab, r)
	for i, v := range tab.Valori {
		if v >= 1 && v < r.Minimo && !s[i] {
			t.Fatalf("count %d of cell %d published", v, i)
		}
	}
	if got := attackSubtraction(tab, s); len(got) > 0 {
		t.Fatalf("subtraction recovers cells %v (values %v)", got, tab.Valori)
	}
	if got := attackLinear(tab, s); len(got) > 0 {
		t.Fatalf("a combination of relations recovers cells %v (Determinabili %v) in %+v, suppressed %v", got, Determinabili(tab, s), tab, s)
	}
	return s
}

// The attack of the outside test: the territory minus the other plessi.
func TestProteggi_Subtraction(t *testing.T) {
	tab := Tabella{Valori: []int{2, 10, 7, 19}, Vincoli: []Vincolo{{Totale: 3, Parti: []int{0, 1, 2}}}}
	prim := Primarie(tab, Esterno)
	if got := attackSubtraction(tab, prim); len(got) != 1 || got[0] != 0 {
		t.Fatalf("primary suppression alone: the attack recovers %v", got)
	}
	s := check(t, tab, Esterno)
	if !s[0] || !s[2] || s[1] || s[3] {
		t.Fatalf("suppressed %v: want the 2 and the smallest other part (7)", s)
	}
	// A single part: the total is its value and goes too.
	tab = Tabella{Valori: []int{3, 3}, Vincoli: []Vincolo{{Totale: 1, Parti: []int{0}}}}
	if s := check(t, tab, Esterno); !s[1] {
		t.Fatal("the total of one suppressed part is published")
	}
	// A suppressed total and published parts.
	tab = Tabella{Valori: []int{0, 0, 2, 2}, Base: []int{9, 9, 9, 2}, Vincoli: []Vincolo{{Totale: 3, Parti: []int{0, 1, 2}}}}
	check(t, tab, Regole{Minimo: 4, BaseMinima: 3})
}

// Overlapping hierarchies: a district's plessi are also in a grade, and
// differences of totals can isolate a plesso.
func TestProteggi_Combinations(t *testing.T) {
	// Cells: a b c d; A = a+b, B = c+d, G1 = a+c, G2 = b+d, T = a+b+c+d.
	tab := Tabella{Valori: []int{2, 40, 50, 60, 42, 110, 52, 100, 152}, Vincoli: []Vincolo{
		{Totale: 4, Parti: []int{0, 1}}, {Totale: 5, Parti: []int{2, 3}}, {Totale: 6, Parti: []int{0, 2}},
		{Totale: 7, Parti: []int{1, 3}}, {Totale: 8, Parti: []int{0, 1, 2, 3}}}}
	check(t, tab, Esterno)
}

// Random tables shaped like the portal's days and like cross tables.
func TestProteggi_Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 27))
	for k := 0; k < 300; k++ {
		check(t, territorio(rng, 1+rng.IntN(25)), Esterno)
		check(t, griglia(rng, 1+rng.IntN(5), 1+rng.IntN(5)), Esterno)
	}
}

func FuzzProteggi(f *testing.F) {
	f.Add(uint64(1), uint64(2), uint8(5))
	f.Fuzz(func(t *testing.T, a, b uint64, n uint8) {
		rng := rand.New(rand.NewPCG(a, b))
		check(t, territorio(rng, 1+int(n%30)), Regole{Minimo: 4, BaseMinima: 0})
		check(t, griglia(rng, 1+int(n%4), 1+int(n/4%4)), Esterno)
	})
}

func BenchmarkProteggi_Giorno(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := territorio(rng, 60)
	for b.Loop() {
		Proteggi(tab, Esterno)
	}
}

func BenchmarkProteggi_GiornoNazionale(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := territorio(rng, 1000)
	for b.Loop() {
		Proteggi(tab, Esterno)
	}
}
