package mappa

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// limiteByte is the size the SVG of both provinces, with every title, must stay under.
const limiteByte = 300_000

var tutteLeProvince = [][]string{nil, {"CR"}, {"MN"}}

func valoriProva() map[string]Valore {
	v := map[string]Valore{}
	for i, c := range Comuni() {
		if i%11 == 3 {
			continue // some comuni without data
		}
		v[c.Istat] = Valore{Valore: float64((i*37)%100) / 10, Presente: true, Etichetta: fmt.Sprintf("%d plessi", i%5+1)}
	}
	return v
}

func svgOK(t testing.TB, v map[string]Valore, o Opzioni) string {
	t.Helper()
	s, err := SVG(v, o)
	if err != nil {
		t.Fatal(err)
	}
	return string(s)
}

func TestComuni(t *testing.T) {
	cs := Comuni()
	per := map[string]int{}
	visti := map[string]bool{}
	for _, c := range cs {
		per[c.Provincia]++
		if len(c.Istat) != 6 || strings.Trim(c.Istat, "0123456789") != "" {
			t.Errorf("codice ISTAT %q", c.Istat)
		}
		if len(c.Catastale) != 4 || c.Nome == "" {
			t.Errorf("comune incompleto %+v", c)
		}
		if visti[c.Istat] {
			t.Errorf("codice %s ripetuto", c.Istat)
		}
		visti[c.Istat] = true
		if want := map[string]string{"CR": "019", "MN": "020"}[c.Provincia]; !strings.HasPrefix(c.Istat, want) {
			t.Errorf("%s %s in provincia %s", c.Istat, c.Nome, c.Provincia)
		}
	}
	if len(cs) != 177 || per["CR"] != 113 || per["MN"] != 64 {
		t.Fatalf("comuni: %d (%v), attesi 177 (CR 113, MN 64)", len(cs), per)
	}
	if !slices.IsSortedFunc(cs, func(a, b Comune) int { return strings.Compare(a.Istat, b.Istat) }) {
		t.Error("Comuni non ordinati per codice ISTAT")
	}
	for _, w := range []Comune{
		{Istat: "019036", Catastale: "D150", Nome: "Cremona", Provincia: "CR"},
		{Istat: "020030", Catastale: "E897", Nome: "Mantova", Provincia: "MN"},
	} {
		i := slices.IndexFunc(cs, func(c Comune) bool { return c.Istat == w.Istat })
		if i < 0 || cs[i] != w {
			t.Errorf("atteso %+v, trovato indice %d", w, i)
		}
	}
	if got := Province(); !slices.Equal(got, []string{"CR", "MN"}) {
		t.Errorf("Province() = %v", got)
	}
}

func TestTopologia(t *testing.T) {
	g := geometria()
	if g.err != nil {
		t.Fatal(g.err)
	}
	condivisi := 0
	for _, a := range g.archi {
		switch len(a.utenti) {
		case 1:
		case 2:
			condivisi++
		default:
			t.Errorf("arco usato %d volte", len(a.utenti))
		}
	}
	if condivisi < 400 {
		t.Errorf("solo %d archi condivisi: confini comuni non riconosciuti", condivisi)
	}
}

// nodo is a generic XML element, enough to walk the SVG.
type nodo struct {
	XMLName xml.Name
	Attr    []xml.Attr `xml:",any,attr"`
	Testo   string     `xml:",chardata"`
	Figli   []nodo     `xml:",any"`
}

func (n nodo) attr(k string) string {
	for _, a := range n.Attr {
		if a.Name.Local == k {
			return a.Value
		}
	}
	return ""
}

func (n nodo) tutti(f func(nodo)) {
	f(n)
	for _, c := range n.Figli {
		c.tutti(f)
	}
}

func analizza(t testing.TB, s string) nodo {
	t.Helper()
	// every token up to EOF
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG non ben formato: %v", err)
		}
	}
	var n nodo
	if err := xml.Unmarshal([]byte(s), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSVGBenFormatoEAccessibile(t *testing.T) {
	for _, p := range tutteLeProvince {
		s := svgOK(t, valoriProva(), Opzioni{Titolo: "Assenze <settimana> 3 & \"prova\"", Province: p})
		n := analizza(t, s)
		if n.XMLName.Local != "svg" || n.attr("role") != "img" || n.attr("aria-label") != "Assenze <settimana> 3 & \"prova\"" {
			t.Errorf("%v: radice %s role=%q aria-label=%q", p, n.XMLName.Local, n.attr("role"), n.attr("aria-label"))
		}
		if !strings.HasPrefix(n.attr("viewBox"), "0 0 800 ") {
			t.Errorf("viewBox %q", n.attr("viewBox"))
		}
		n.tutti(func(e nodo) {
			if e.XMLName.Local == "style" || e.XMLName.Local == "script" || e.XMLName.Local == "image" {
				t.Errorf("elemento <%s> vietato dalla CSP", e.XMLName.Local)
			}
			for _, a := range e.Attr {
				if a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") {
					t.Errorf("attributo %s vietato dalla CSP", a.Name.Local)
				}
			}
		})
	}
}

// percorsi returns the municipality paths by ISTAT code.
func percorsi(n nodo) map[string]nodo {
	out := map[string]nodo{}
	n.tutti(func(e nodo) {
		if e.XMLName.Local == "path" && e.attr("data-istat") != "" {
			out[e.attr("data-istat")] = e
		}
	})
	return out
}

func titolo(e nodo) string {
	for _, c := range e.Figli {
		if c.XMLName.Local == "title" {
			return c.Testo
		}
	}
	return ""
}

func TestOgniComuneHaTitolo(t *testing.T) {
	for _, p := range tutteLeProvince {
		n := analizza(t, svgOK(t, valoriProva(), Opzioni{Province: p}))
		ps := percorsi(n)
		attesi := 0
		for _, c := range Comuni() {
			if p != nil && c.Provincia != p[0] {
				continue
			}
			attesi++
			e, ok := ps[c.Istat]
			if !ok {
				t.Errorf("%v: manca il comune %s %s", p, c.Istat, c.Nome)
				continue
			}
			if tt := titolo(e); !strings.HasPrefix(tt, c.Nome+": ") {
				t.Errorf("%s: titolo %q", c.Istat, tt)
			}
			if !strings.HasPrefix(e.attr("d"), "M") || !strings.HasSuffix(e.attr("d"), "z") {
				t.Errorf("%s: percorso %.40q", c.Istat, e.attr("d"))
			}
		}
		if len(ps) != attesi {
			t.Errorf("%v: %d percorsi, attesi %d", p, len(ps), attesi)
		}
	}
}

// riempimento returns the fill colour of the pattern with the given id.
func riempimento(n nodo, id string) string {
	col := ""
	n.tutti(func(e nodo) {
		if e.XMLName.Local == "pattern" && e.attr("id") == id {
			for _, c := range e.Figli {
				if c.XMLName.Local == "rect" {
					col = c.attr("fill")
				}
			}
		}
	})
	return col
}

func TestClasseEColore(t *testing.T) {
	casi := []struct {
		v      float64
		classe int
		testo  string
	}{
		{-1, 0, "-1,0%"}, {0, 0, "0,0%"}, {1.99, 0, "2,0%"}, {2, 1, "2,0%"}, {3.4, 1, "3,4%"},
		{4, 2, "4,0%"}, {5, 2, "5,0%"}, {7.99, 3, "8,0%"}, {8, 4, "8,0%"}, {35, 4, "35,0%"},
	}
	colori := Colori(5)
	if !slices.Equal(colori, []string{"#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"}) {
		t.Fatalf("paletta %v", colori)
	}
	for _, c := range casi {
		if k := Classe(c.v, SoglieStandard()); k != c.classe {
			t.Errorf("Classe(%v) = %d, attesa %d", c.v, k, c.classe)
		}
		v := map[string]Valore{"019036": {Valore: c.v, Presente: true, Etichetta: "12 plessi"}}
		n := analizza(t, svgOK(t, v, Opzioni{}))
		e := percorsi(n)["019036"]
		pat := fmt.Sprintf("mappa-c%d", c.classe)
		if e.attr("fill") != "url(#"+pat+")" {
			t.Errorf("%v: fill %q, atteso url(#%s)", c.v, e.attr("fill"), pat)
		}
		if col := riempimento(n, pat); col != colori[c.classe] {
			t.Errorf("%v: colore %q, atteso %q", c.v, col, colori[c.classe])
		}
		if tt, want := titolo(e), "Cremona: "+c.testo+" (12 plessi)"; tt != want {
			t.Errorf("titolo %q, atteso %q", tt, want)
		}
	}
	// with fixed breaks of the caller and another ID
	v := map[string]Valore{"020030": {Valore: 12, Presente: true}}
	n := analizza(t, svgOK(t, v, Opzioni{Soglie: []float64{5, 10}, ID: "m2", Province: []string{"MN"}}))
	e := percorsi(n)["020030"]
	if e.attr("fill") != "url(#m2-c2)" || riempimento(n, "m2-c2") != Colori(3)[2] || titolo(e) != "Mantova: 12,0%" {
		t.Errorf("Mantova: fill %q titolo %q", e.attr("fill"), titolo(e))
	}
}

func TestPatternDistinti(t *testing.T) {
	for nc := 2; nc <= 9; nc++ {
		s := make([]float64, nc-1)
		for i := range s {
			s[i] = float64(i + 1)
		}
		n := analizza(t, svgOK(t, nil, Opzioni{Soglie: s}))
		visti := map[string]string{}
		n.tutti(func(e nodo) {
			if e.XMLName.Local != "pattern" {
				return
			}
			// the pattern without its colour: the marks must differ between classes
			var b strings.Builder
			fmt.Fprint(&b, e.attr("width"), e.attr("patternTransform"))
			for _, c := range e.Figli[1:] {
				fmt.Fprint(&b, c.XMLName.Local, c.attr("r"), c.attr("x1"), c.attr("y1"), c.attr("stroke-width"))
			}
			if prec, ok := visti[b.String()]; ok {
				t.Errorf("%d classi: %s e %s hanno lo stesso motivo", nc, prec, e.attr("id"))
			}
			visti[b.String()] = e.attr("id")
		})
		if len(visti) != nc+1 {
			t.Errorf("%d classi: %d pattern", nc, len(visti))
		}
	}
}

func TestNessunDato(t *testing.T) {
	v := map[string]Valore{
		"019036": {Presente: false, Etichetta: "0 plessi"}, // present in the map, no data
		"019001": {Valore: 3, Presente: true},
		"999999": {Valore: 3, Presente: true}, // not on the map: ignored
	}
	s := svgOK(t, v, Opzioni{})
	n := analizza(t, s)
	ps := percorsi(n)
	for _, c := range Comuni() {
		e := ps[c.Istat]
		if c.Istat == "019001" {
			continue
		}
		if e.attr("fill") != "url(#mappa-nd)" || !strings.HasPrefix(titolo(e), c.Nome+": nessun dato") {
			t.Errorf("%s: fill %q titolo %q", c.Istat, e.attr("fill"), titolo(e))
		}
	}
	if tt := titolo(ps["019036"]); tt != "Cremona: nessun dato (0 plessi)" {
		t.Errorf("titolo %q", tt)
	}
	if riempimento(n, "mappa-nd") != coloreNessuno {
		t.Error("il motivo nessun dato non è grigio")
	}
	var legenda []string
	n.tutti(func(e nodo) {
		if e.XMLName.Local == "text" {
			legenda = append(legenda, e.Testo)
		}
	})
	for _, w := range []string{"< 2,0%", "2,0–4,0%", "4,0–6,0%", "6,0–8,0%", "≥ 8,0%", "nessun dato", "Tasso di assenza settimanale"} {
		if !slices.Contains(legenda, w) {
			t.Errorf("legenda senza %q: %q", w, legenda)
		}
	}
	if !strings.Contains(s, "CC BY 4.0") {
		t.Error("manca l'attribuzione dei confini")
	}
}

func TestEtichetteClassi(t *testing.T) {
	got := etichetteClassi([]float64{0.5, 2.25, 10}, TestiItaliani())
	want := []string{"< 0,5%", "0,5–2,25%", "2,25–10,0%", "≥ 10,0%"}
	if !slices.Equal(got, want) {
		t.Errorf("%q, attese %q", got, want)
	}
}

func TestQuantili(t *testing.T) {
	v := map[string]Valore{}
	for i, c := range Comuni() {
		v[c.Istat] = Valore{Valore: float64(i%100) / 10, Presente: true}
	}
	n := analizza(t, svgOK(t, v, Opzioni{Quantili: 4}))
	classi := map[string]int{}
	for _, e := range percorsi(n) {
		classi[e.attr("fill")]++
	}
	if len(classi) != 4 {
		t.Fatalf("classi %v", classi)
	}
	for k, c := range classi {
		if c < 177/4-8 || c > 177/4+8 {
			t.Errorf("classe %s con %d comuni: quantili sbilanciati %v", k, c, classi)
		}
	}
	// all equal values: one class only, no error
	for k := range v {
		v[k] = Valore{Valore: 3, Presente: true}
	}
	n = analizza(t, svgOK(t, v, Opzioni{Quantili: 5}))
	if e := percorsi(n)["019036"]; e.attr("fill") != "url(#mappa-c1)" {
		t.Errorf("valori uguali: %q", e.attr("fill"))
	}
}

func TestErrori(t *testing.T) {
	casi := map[string]struct {
		v map[string]Valore
		o Opzioni
	}{
		"provincia":   {nil, Opzioni{Province: []string{"BS"}}},
		"decrescenti": {nil, Opzioni{Soglie: []float64{4, 2}}},
		"uguali":      {nil, Opzioni{Soglie: []float64{2, 2}}},
		"troppe":      {nil, Opzioni{Soglie: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}}},
		"quantili":    {map[string]Valore{"019036": {Valore: 1, Presente: true}}, Opzioni{Quantili: 10}},
		"nan":         {map[string]Valore{"019036": {Valore: math.NaN(), Presente: true}}, Opzioni{}},
		"soglia inf":  {nil, Opzioni{Soglie: []float64{math.Inf(1)}}},
		"id":          {nil, Opzioni{ID: `x"><script>`}},
	}
	for nome, c := range casi {
		if _, err := SVG(c.v, c.o); err == nil {
			t.Errorf("%s: nessun errore", nome)
		}
	}
	// NaN without data is not drawn, so it is accepted
	if _, err := SVG(map[string]Valore{"019036": {Valore: math.NaN()}}, Opzioni{}); err != nil {
		t.Error(err)
	}
}

func TestDimensione(t *testing.T) {
	v := valoriProva()
	for c := range v {
		x := v[c]
		x.Etichetta = "123 plessi"
		v[c] = x
	}
	for _, p := range tutteLeProvince {
		s := svgOK(t, v, Opzioni{Titolo: "Assenze settimana 2025-W03", Province: p})
		t.Logf("province %v: %d byte", p, len(s))
		if len(s) > limiteByte {
			t.Errorf("province %v: %d byte, limite %d", p, len(s), limiteByte)
		}
	}
	// the simplification did remove most points
	g := geometria()
	tot := 0
	for _, a := range g.archi {
		tot += len(a.punti)
	}
	d := disegnoPer(g, []string{"CR", "MN"})
	l := 0
	for _, p := range d.percorsi {
		l += len(p)
	}
	t.Logf("%d punti originali (archi), %d byte di percorsi comunali", tot, l)
}

func TestDeterministico(t *testing.T) {
	a := svgOK(t, valoriProva(), Opzioni{Titolo: "x"})
	for range 3 {
		if b := svgOK(t, valoriProva(), Opzioni{Titolo: "x"}); a != b {
			t.Fatal("output diverso a parità di input")
		}
	}
	// a fresh projection gives the same paths as the cached one
	g := geometria()
	d1, d2 := disegnoPer(g, []string{"CR", "MN"}), progetta(g, []string{"CR", "MN"}, Larghezza, Tolleranza)
	if !slices.Equal(d1.percorsi, d2.percorsi) || d1.confini != d2.confini {
		t.Fatal("proiezione non deterministica")
	}
	// the province order of the caller does not matter
	if svgOK(t, nil, Opzioni{Province: []string{"MN", "CR"}}) != svgOK(t, nil, Opzioni{}) {
		t.Error("l'ordine delle province cambia l'output")
	}
}

var numeroRe = regexp.MustCompile(`-?(\d+\.?\d*|\.\d+)`)

// vertici decodes a path written by scriviPercorso into absolute points.
func vertici(t testing.TB, d string) []punto {
	t.Helper()
	var out []punto
	for _, sub := range strings.Split(d, "M")[1:] {
		nums := numeroRe.FindAllString(sub, -1)
		if len(nums)%2 != 0 {
			t.Fatalf("numeri dispari in %q", sub)
		}
		var x, y float64
		for i := 0; i < len(nums); i += 2 {
			dx, _ := strconv.ParseFloat(nums[i], 64)
			dy, _ := strconv.ParseFloat(nums[i+1], 64)
			if i == 0 {
				x, y = dx, dy
			} else {
				x, y = x+dx, y+dy
			}
			out = append(out, punto{x, y})
		}
	}
	return out
}

func TestProiezione(t *testing.T) {
	g := geometria()
	for _, p := range [][]string{{"CR", "MN"}, {"CR"}, {"MN"}} {
		d := disegnoPer(g, p)
		// fitted to the width, inside the view, not stretched: the height/width ratio is the
		// one of the bounding box in degrees with longitudes scaled by cos(mean latitude)
		minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		lon0, lat0, lon1, lat1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		nord, yNord := "", math.Inf(1)
		latNord := math.Inf(-1)
		for i, ci := range d.comuni {
			c := g.comuni[ci]
			for _, q := range vertici(t, d.percorsi[i]) {
				minX, maxX = min(minX, q.x), max(maxX, q.x)
				minY, maxY = min(minY, q.y), max(maxY, q.y)
				if q.y < yNord {
					yNord, nord = q.y, c.Istat
				}
			}
			for _, r := range c.anelli {
				for _, a := range r {
					for _, q := range g.archi[a.id].punti {
						lon0, lon1 = min(lon0, q.x), max(lon1, q.x)
						lat0, lat1 = min(lat0, q.y), max(lat1, q.y)
						if q.y > latNord {
							latNord = q.y
						}
					}
				}
			}
		}
		if minX < margine-0.1 || maxX > Larghezza-margine+0.1 || minY < margine-0.1 || maxY > d.altezza {
			t.Errorf("%v: fuori vista x %v..%v y %v..%v (altezza %v)", p, minX, maxX, minY, maxY, d.altezza)
		}
		atteso := (lat1 - lat0) / ((lon1 - lon0) * math.Cos((lat0+lat1)/2*math.Pi/180))
		if r := (maxY - minY) / (maxX - minX); math.Abs(r-atteso) > 0.01 {
			t.Errorf("%v: rapporto altezza/larghezza %.3f, atteso %.3f", p, r, atteso)
		}
		// north up: the comune reaching the smallest y is the one reaching the highest latitude
		var latMax float64
		for _, ci := range d.comuni {
			if g.comuni[ci].Istat != nord {
				continue
			}
			for _, r := range g.comuni[ci].anelli {
				for _, a := range r {
					for _, q := range g.archi[a.id].punti {
						latMax = max(latMax, q.y)
					}
				}
			}
		}
		if latMax != latNord {
			t.Errorf("%v: il comune più in alto (%s) non è il più a nord", p, nord)
		}
	}
	// Cremona lies west of Mantova
	d := disegnoPer(g, []string{"CR", "MN"})
	cx := map[string]float64{}
	for i, ci := range d.comuni {
		vs := vertici(t, d.percorsi[i])
		for _, q := range vs {
			cx[g.comuni[ci].Istat] += q.x / float64(len(vs))
		}
	}
	if cx["019036"] >= cx["020030"] {
		t.Errorf("Cremona x %.0f, Mantova x %.0f", cx["019036"], cx["020030"])
	}
}

func TestSemplificazione(t *testing.T) {
	g := geometria()
	// within tolerance: every original point is close to the simplified line
	for id, a := range g.archi[:200] {
		pp := make([]punto, len(a.punti))
		for i, q := range a.punti {
			pp[i] = punto{q.x * 600, -q.y * 850}
		}
		s := semplifica(pp, a.chiuso, Tolleranza, false)
		if a.chiuso {
			s = append(s, s[0])
		}
		if len(s) < 2 || s[0] != pp[0] || (!a.chiuso && s[len(s)-1] != pp[len(pp)-1]) {
			t.Fatalf("arco %d: estremi non conservati", id)
		}
		for _, q := range pp {
			dmin := math.Inf(1)
			for i := 1; i < len(s); i++ {
				dmin = min(dmin, distanza(q, s[i-1], s[i]))
			}
			if dmin > Tolleranza+1e-9 {
				t.Fatalf("arco %d: punto a %.3f dalla linea semplificata", id, dmin)
			}
		}
	}
	retta := []punto{{0, 0}, {1, 0.1}, {2, -0.1}, {3, 0}}
	if s := semplifica(retta, false, 0.5, false); len(s) != 2 {
		t.Errorf("retta: %v", s)
	}
	if s := semplifica(retta, false, 0.5, true); len(s) != 3 {
		t.Errorf("retta con almeno un punto: %v", s)
	}
}

func TestScriviNumero(t *testing.T) {
	var b strings.Builder
	for _, n := range []int{123, 5, -5, 0, 10, -120, 7} {
		scriviNumero(&b, n, b.Len() == 0)
	}
	if got := b.String(); got != "12.3 .5-.5 0 1-12 .7" {
		t.Errorf("%q", got)
	}
}

// TestAnteprima writes HTML pages for a look in a browser:
// MAPPA_ANTEPRIMA=/tmp/m go test -run Anteprima ./mappa
func TestAnteprima(t *testing.T) {
	dir := os.Getenv("MAPPA_ANTEPRIMA")
	if dir == "" {
		t.Skip("MAPPA_ANTEPRIMA non impostata")
	}
	for _, p := range tutteLeProvince {
		s := svgOK(t, valoriProva(), Opzioni{Titolo: "Assenze settimana 2025-W03", Province: p})
		name := filepath.Join(dir, "mappa"+strings.Join(p, "")+".html")
		if err := os.WriteFile(name, []byte("<!doctype html><meta charset=utf-8><title>mappa</title><body>"+s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkSVG(b *testing.B) {
	v := valoriProva()
	o := Opzioni{Titolo: "Assenze settimana 2025-W03"}
	s := svgOK(b, v, o) // loads and simplifies once
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SVG(v, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProietta(b *testing.B) {
	g := geometria()
	for b.Loop() {
		progetta(g, []string{"CR", "MN"}, Larghezza, Tolleranza)
	}
}

// The caller's words replace the Italian ones, decimal separator included.
func TestSVG_Testi(t *testing.T) {
	en := Testi{NessunDato: "no data", TuttiIValori: "all values", Attribuzione: "Boundaries: ISTAT 2023 via openpolis, CC BY 4.0",
		Descrizione: "Choropleth map of %d municipalities (provinces %s), %d with data. Classes: %s; no data hatched grey.", Decimale: "."}
	svg, err := SVG(map[string]Valore{}, Opzioni{Titolo: "Absences by municipality", Legenda: "Weekly absence rate", Testi: en})
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	for _, want := range []string{"no data", "&lt; 2.0%", "2.0–4.0%", "Weekly absence rate", "Choropleth map of"} {
		if !strings.Contains(s, want) {
			t.Errorf("English map lacks %q", want)
		}
	}
	for _, it := range []string{"nessun dato", "2,0", "Tasso di assenza", "Mappa coropletica", "Confini comunali"} {
		if strings.Contains(s, it) {
			t.Errorf("English map still says %q", it)
		}
	}
	def, _ := SVG(map[string]Valore{}, Opzioni{})
	if !strings.Contains(string(def), "nessun dato") || !strings.Contains(string(def), "2,0–4,0%") {
		t.Error("the default map is no longer Italian")
	}
}
