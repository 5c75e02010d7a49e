// Package mappa draws an offline choropleth map of the municipalities of the provinces of Cremona
// and Mantova as inline SVG: no tile server, no script, no style attribute or <style> element (the
// portal's Content-Security-Policy has style-src 'self'), presentation attributes only.
//
// The municipal boundaries are embedded (ISTAT limits as published by openpolis/geojson-italy,
// June 2023, CC BY 4.0; see data/SOURCES.md). They are parsed once and turned into a topology:
// every ring is cut at the points where its neighbour changes, so a border shared by two
// municipalities is one arc, simplified once (Douglas–Peucker in pixels) and drawn identically on
// both sides: no gaps or slivers after simplification. The same arcs give the province outlines:
// an arc belonging to one municipality only (the outer edge) or to municipalities of two different
// provinces is a province boundary.
package mappa

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"sync"
)

//go:embed data/*.geojson
var dati embed.FS

// Comune is a municipality of the embedded map.
type Comune struct {
	Istat     string // ISTAT code, 6 digits, e.g. "019036"
	Catastale string // cadastral (Belfiore) code, e.g. "D150": joins the MIM CODICECOMUNESCUOLA
	Nome      string // e.g. "Cremona"
	Provincia string // province sigla: "CR" or "MN"
}

// Comuni lists the municipalities of the map, ordered by ISTAT code.
func Comuni() []Comune {
	g := geometria()
	out := make([]Comune, len(g.comuni))
	for i, c := range g.comuni {
		out[i] = c.Comune
	}
	return out
}

// Province lists the province sigle of the map, in ISTAT order ("CR", "MN").
func Province() []string {
	return slices.Clone(geometria().province)
}

type punto struct{ x, y float64 } // lon, lat in degrees; or pixels once projected

// arcRef is one arc of a ring, walked backwards when inv.
type arcRef struct {
	id  int
	inv bool
}

// arco is a piece of boundary between two junctions, or a whole ring without junctions (chiuso,
// its first point not repeated at the end).
type arco struct {
	punti  []punto
	chiuso bool
	utenti []int // indices of the comuni whose rings use the arc, with repetition
}

type comuneGeo struct {
	Comune
	anelli [][]arcRef
}

type topologia struct {
	comuni   []comuneGeo
	archi    []arco
	province []string
	err      error
}

var geometria = sync.OnceValue(func() *topologia {
	t, err := carica(dati)
	if err != nil {
		return &topologia{err: err}
	}
	return t
})

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Properties struct {
			Name      string `json:"name"`
			ProvAcr   string `json:"prov_acr"`
			Istat     string `json:"com_istat_code"`
			Catastale string `json:"com_catasto_code"`
		} `json:"properties"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

// carica parses every *.geojson of fsys and builds the topology.
func carica(fsys fs.FS) (*topologia, error) {
	files, err := fs.Glob(fsys, "data/*.geojson")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("mappa: nessun file geojson")
	}
	type grezzo struct {
		Comune
		anelli [][]punto
	}
	var tutti []grezzo
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var fc featureCollection
		if err := json.Unmarshal(b, &fc); err != nil {
			return nil, fmt.Errorf("mappa: %s: %w", f, err)
		}
		if fc.Type != "FeatureCollection" {
			return nil, fmt.Errorf("mappa: %s: tipo %q, atteso FeatureCollection", f, fc.Type)
		}
		for i, ft := range fc.Features {
			p := ft.Properties
			if len(p.Istat) != 6 || p.Name == "" || p.ProvAcr == "" {
				return nil, fmt.Errorf("mappa: %s: feature %d senza com_istat_code, name o prov_acr", f, i)
			}
			var poligoni [][][][2]float64
			switch ft.Geometry.Type {
			case "Polygon":
				var pg [][][2]float64
				err = json.Unmarshal(ft.Geometry.Coordinates, &pg)
				poligoni = [][][][2]float64{pg}
			case "MultiPolygon":
				err = json.Unmarshal(ft.Geometry.Coordinates, &poligoni)
			default:
				err = fmt.Errorf("geometria %q non gestita", ft.Geometry.Type)
			}
			if err != nil {
				return nil, fmt.Errorf("mappa: %s: %s: %w", f, p.Istat, err)
			}
			g := grezzo{Comune: Comune{Istat: p.Istat, Catastale: p.Catastale, Nome: p.Name, Provincia: p.ProvAcr}}
			for _, pg := range poligoni {
				for _, ring := range pg {
					r := make([]punto, 0, len(ring))
					for _, c := range ring {
						q := punto{c[0], c[1]}
						if len(r) > 0 && r[len(r)-1] == q {
							continue
						}
						r = append(r, q)
					}
					if len(r) > 1 && r[0] == r[len(r)-1] {
						r = r[:len(r)-1]
					}
					if len(r) >= 3 {
						g.anelli = append(g.anelli, r)
					}
				}
			}
			if len(g.anelli) == 0 {
				return nil, fmt.Errorf("mappa: %s: %s senza anelli validi", f, p.Istat)
			}
			tutti = append(tutti, g)
		}
	}
	slices.SortStableFunc(tutti, func(a, b grezzo) int { return cmp.Compare(a.Istat, b.Istat) })
	for i := 1; i < len(tutti); i++ {
		if tutti[i].Istat == tutti[i-1].Istat {
			return nil, fmt.Errorf("mappa: codice ISTAT %s ripetuto", tutti[i].Istat)
		}
	}

	// A point is a junction when it is met with different neighbour pairs: there the set of rings
	// sharing the boundary changes.
	type vicini struct {
		a, b punto
		nodo bool
	}
	vic := map[punto]*vicini{}
	for _, g := range tutti {
		for _, r := range g.anelli {
			n := len(r)
			for i, p := range r {
				a, b := r[(i+n-1)%n], r[(i+1)%n]
				if minore(b, a) {
					a, b = b, a
				}
				v := vic[p]
				if v == nil {
					vic[p] = &vicini{a: a, b: b}
				} else if v.a != a || v.b != b {
					v.nodo = true
				}
			}
		}
	}

	t := &topologia{}
	type chiave struct{ p0, p1 punto }
	indice := map[chiave]arcRef{}
	for ci, g := range tutti {
		cg := comuneGeo{Comune: g.Comune}
		for _, r := range g.anelli {
			n := len(r)
			primo := -1
			for i, p := range r {
				if vic[p].nodo {
					primo = i
					break
				}
			}
			if primo < 0 {
				// No junction: the ring is an arc by itself, started at its smallest point so that
				// an identical ring elsewhere would be simplified identically.
				m := 0
				for i := range r {
					if minore(r[i], r[m]) {
						m = i
					}
				}
				pts := append(slices.Clone(r[m:]), r[:m]...)
				t.archi = append(t.archi, arco{punti: pts, chiuso: true, utenti: []int{ci}})
				cg.anelli = append(cg.anelli, []arcRef{{id: len(t.archi) - 1}})
				continue
			}
			var refs []arcRef
			pts := []punto{r[primo]}
			for k := 1; k <= n; k++ {
				p := r[(primo+k)%n]
				pts = append(pts, p)
				if !vic[p].nodo {
					continue
				}
				ref, ok := indice[chiave{pts[0], pts[1]}]
				if !ok {
					t.archi = append(t.archi, arco{punti: pts})
					ref = arcRef{id: len(t.archi) - 1}
					indice[chiave{pts[0], pts[1]}] = ref
					indice[chiave{pts[len(pts)-1], pts[len(pts)-2]}] = arcRef{id: ref.id, inv: true}
				}
				t.archi[ref.id].utenti = append(t.archi[ref.id].utenti, ci)
				refs = append(refs, ref)
				pts = []punto{p}
			}
			cg.anelli = append(cg.anelli, refs)
		}
		t.comuni = append(t.comuni, cg)
		if !slices.Contains(t.province, g.Provincia) {
			t.province = append(t.province, g.Provincia)
		}
	}
	return t, nil
}

func minore(a, b punto) bool {
	return a.x < b.x || (a.x == b.x && a.y < b.y)
}
