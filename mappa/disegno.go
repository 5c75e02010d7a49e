package mappa

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

const (
	// Larghezza is the width of the map in SVG user units (the viewBox).
	Larghezza = 800
	// Tolleranza is the Douglas–Peucker tolerance in SVG user units (pixels at Larghezza).
	Tolleranza = 0.5
	margine    = 8
	// coordinates are written in tenths of a unit
	quanto = 10
)

// disegno is the projected, simplified geometry of a set of provinces: computed once per set.
type disegno struct {
	altezza  float64 // of the map area
	comuni   []int   // indices into topologia.comuni, in ISTAT order
	percorsi []string
	confini  string // province boundaries: one subpath per arc
}

var (
	disegniMu sync.Mutex
	disegni   = map[string]*disegno{}
)

// disegnoPer returns the cached drawing of the provinces (sorted sigle).
func disegnoPer(t *topologia, province []string) *disegno {
	k := strings.Join(province, ",")
	disegniMu.Lock()
	defer disegniMu.Unlock()
	if d := disegni[k]; d != nil {
		return d
	}
	d := progetta(t, province, Larghezza, Tolleranza)
	disegni[k] = d
	return d
}

// progetta projects the comuni of the provinces with an equirectangular projection (longitudes
// scaled by the cosine of the mean latitude, north up), fits them to width, simplifies the arcs and
// writes the paths.
func progetta(t *topologia, province []string, larghezza, tol float64) *disegno {
	d := &disegno{}
	usato := make([]bool, len(t.archi))
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i, c := range t.comuni {
		if !slices.Contains(province, c.Provincia) {
			continue
		}
		d.comuni = append(d.comuni, i)
		for _, r := range c.anelli {
			for _, a := range r {
				if usato[a.id] {
					continue
				}
				usato[a.id] = true
				for _, p := range t.archi[a.id].punti {
					minX, maxX = min(minX, p.x), max(maxX, p.x)
					minY, maxY = min(minY, p.y), max(maxY, p.y)
				}
			}
		}
	}
	kx := math.Cos((minY + maxY) / 2 * math.Pi / 180)
	s := (larghezza - 2*margine) / ((maxX - minX) * kx)
	d.altezza = math.Ceil((maxY-minY)*s + 2*margine)
	proietta := func(p punto) punto {
		return punto{margine + (p.x-minX)*kx*s, margine + (maxY-p.y)*s}
	}

	// simplify every arc once, so that neighbours share the same simplified border
	semplici := make([][]punto, len(t.archi))
	proiettati := make([][]punto, len(t.archi))
	for id, a := range t.archi {
		if !usato[id] {
			continue
		}
		pp := make([]punto, len(a.punti))
		for i, p := range a.punti {
			pp[i] = proietta(p)
		}
		proiettati[id] = pp
		semplici[id] = semplifica(pp, a.chiuso, tol, false)
	}
	// a ring reduced to fewer than 3 vertices keeps the farthest point of each of its arcs
	for _, ci := range d.comuni {
		for _, r := range t.comuni[ci].anelli {
			n := 0
			for _, a := range r {
				n += len(semplici[a.id]) - 1
				if t.archi[a.id].chiuso {
					n++
				}
			}
			if n < 3 {
				for _, a := range r {
					semplici[a.id] = semplifica(proiettati[a.id], t.archi[a.id].chiuso, tol, true)
				}
			}
		}
	}

	var b strings.Builder
	for _, ci := range d.comuni {
		b.Reset()
		for _, r := range t.comuni[ci].anelli {
			var ring []punto
			for _, a := range r {
				pts := semplici[a.id]
				if a.inv {
					pts = slices.Clone(pts)
					slices.Reverse(pts)
				}
				if len(ring) > 0 {
					pts = pts[1:] // the junction is already there
				}
				ring = append(ring, pts...)
			}
			scriviPercorso(&b, ring, true)
		}
		d.percorsi = append(d.percorsi, b.String())
	}

	// province boundaries: arcs of one comune only (the outer edge) or of comuni of two provinces
	b.Reset()
	for id, a := range t.archi {
		if !usato[id] {
			continue
		}
		var prov []string
		for _, u := range a.utenti {
			if slices.Contains(province, t.comuni[u].Provincia) {
				prov = append(prov, t.comuni[u].Provincia)
			}
		}
		if len(prov) == 1 || (len(prov) == 2 && prov[0] != prov[1]) {
			pts := semplici[id]
			if a.chiuso {
				pts = append(slices.Clone(pts), pts[0])
			}
			scriviPercorso(&b, pts, false)
		}
	}
	d.confini = b.String()
	return d
}

// semplifica applies Douglas–Peucker to an open polyline (endpoints kept) or to a closed ring
// (first point not repeated; cut at the first point and at the point farthest from it). With
// almeno, an arc keeps at least its farthest interior point.
func semplifica(p []punto, chiuso bool, tol float64, almeno bool) []punto {
	if chiuso {
		if len(p) < 4 {
			return slices.Clone(p)
		}
		f, dmax := 0, -1.0
		for i, q := range p {
			if dd := math.Hypot(q.x-p[0].x, q.y-p[0].y); dd > dmax {
				f, dmax = i, dd
			}
		}
		a := semplifica(p[:f+1], false, tol, almeno)
		c := semplifica(append(slices.Clone(p[f:]), p[0]), false, tol, almeno)
		out := append(a, c[1:len(c)-1]...)
		return out
	}
	if len(p) <= 2 {
		return slices.Clone(p)
	}
	tieni := make([]bool, len(p))
	tieni[0], tieni[len(p)-1] = true, true
	type tratto struct{ i, j int }
	pila := []tratto{{0, len(p) - 1}}
	primo := true
	for len(pila) > 0 {
		t := pila[len(pila)-1]
		pila = pila[:len(pila)-1]
		k, dmax := -1, -1.0
		for i := t.i + 1; i < t.j; i++ {
			if dd := distanza(p[i], p[t.i], p[t.j]); dd > dmax {
				k, dmax = i, dd
			}
		}
		if k >= 0 && (dmax > tol || (primo && almeno)) {
			tieni[k] = true
			pila = append(pila, tratto{t.i, k}, tratto{k, t.j})
		}
		primo = false
	}
	out := make([]punto, 0, 16)
	for i, q := range p {
		if tieni[i] {
			out = append(out, q)
		}
	}
	return out
}

// distanza is the distance from p to the segment ab.
func distanza(p, a, b punto) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return math.Hypot(p.x-a.x, p.y-a.y)
	}
	u := ((p.x-a.x)*dx + (p.y-a.y)*dy) / l2
	u = max(0, min(1, u))
	return math.Hypot(p.x-a.x-u*dx, p.y-a.y-u*dy)
}

// scriviPercorso writes one subpath: an absolute moveto, then relative linetos in tenths of a unit
// (rounded once, so shared borders stay identical), closed with z when chiuso. Rings that collapse
// to fewer than 3 points once rounded are left out.
func scriviPercorso(b *strings.Builder, pts []punto, chiuso bool) {
	q := make([][2]int, 0, len(pts))
	for _, p := range pts {
		c := [2]int{int(math.Round(p.x * quanto)), int(math.Round(p.y * quanto))}
		if len(q) > 0 && q[len(q)-1] == c {
			continue
		}
		q = append(q, c)
	}
	if chiuso && len(q) > 1 && q[0] == q[len(q)-1] {
		q = q[:len(q)-1]
	}
	if (chiuso && len(q) < 3) || len(q) < 2 {
		return
	}
	b.WriteByte('M')
	scriviNumero(b, q[0][0], true)
	scriviNumero(b, q[0][1], false)
	b.WriteByte('l')
	for i := 1; i < len(q); i++ {
		scriviNumero(b, q[i][0]-q[i-1][0], i == 1)
		scriviNumero(b, q[i][1]-q[i-1][1], false)
	}
	if chiuso {
		b.WriteByte('z')
	}
}

// scriviNumero writes n tenths as a short decimal ("12.3", "-.5", "4"), preceded by a space unless
// it is the first number after a command letter or it starts with a minus sign.
func scriviNumero(b *strings.Builder, n int, primo bool) {
	if n < 0 {
		b.WriteByte('-')
		n = -n
	} else if !primo {
		b.WriteByte(' ')
	}
	i, f := n/quanto, n%quanto
	if i != 0 || f == 0 {
		b.WriteString(strconv.Itoa(i))
	}
	if f != 0 {
		b.WriteByte('.')
		b.WriteByte(byte('0' + f))
	}
}
