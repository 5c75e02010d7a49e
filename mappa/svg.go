package mappa

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Valore is the figure of one municipality, keyed by ISTAT code in the map passed to SVG.
type Valore struct {
	Valore    float64 // a percentage: 3.4 means 3,4%
	Presente  bool    // false: drawn as "nessun dato" even if the entry exists
	Etichetta string  // appended in brackets to the hover title, e.g. "12 plessi"; may be empty
}

// Opzioni configures SVG.
type Opzioni struct {
	// Titolo is drawn above the map and used as the accessible name (aria-label, <title>).
	Titolo string
	// Legenda heads the legend; default "Tasso di assenza settimanale".
	Legenda string
	// Soglie are the class breaks in percent, strictly increasing: {2, 4, 6, 8} gives the classes
	// < 2,0%, 2,0–4,0%, 4,0–6,0%, 6,0–8,0%, ≥ 8,0% (a value equal to a break belongs to the class
	// above it). At most 8 breaks (9 classes).
	Soglie []float64
	// Quantili, when Soglie is empty and Quantili ≥ 2, computes that many classes from the
	// quantiles of the values present (breaks rounded to 0,1 points, repeated breaks merged).
	// With neither, the breaks are 2, 4, 6, 8.
	Quantili int
	// Province restricts the map to these sigle ("CR", "MN"); empty means all.
	Province []string
	// ID prefixes the ids of the patterns, so that two maps can share a page; default "mappa".
	ID string
	// Testi are the words drawn on the map; empty fields take the Italian default (TestiItaliani).
	Testi Testi
}

// Testi are the map's own words, translated by the caller.
type Testi struct {
	NessunDato   string // "nessun dato": the legend entry and a hover title without data
	TuttiIValori string // the one class when there are no breaks
	Attribuzione string // the boundaries' source and licence
	// Descrizione is the <desc>, a format with the number of municipalities, the provinces,
	// the municipalities with data and the classes.
	Descrizione string
	// Decimale is the decimal separator: "," (default) or ".".
	Decimale string
}

// TestiItaliani returns the Italian words.
func TestiItaliani() Testi {
	return Testi{NessunDato: "nessun dato", TuttiIValori: "tutti i valori", Attribuzione: attribuzione,
		Descrizione: "Mappa coropletica di %d comuni (province %s), %d con dati. Classi: %s; nessun dato in grigio tratteggiato.",
		Decimale:    ","}
}

// testi fills the empty fields of opts.Testi with the Italian words.
func (o Opzioni) testi() Testi {
	t, it := o.Testi, TestiItaliani()
	for _, f := range []struct {
		v *string
		d string
	}{{&t.NessunDato, it.NessunDato}, {&t.TuttiIValori, it.TuttiIValori},
		{&t.Attribuzione, it.Attribuzione}, {&t.Descrizione, it.Descrizione}, {&t.Decimale, it.Decimale}} {
		if *f.v == "" {
			*f.v = f.d
		}
	}
	return t
}

// SoglieStandard returns the default class breaks: 2, 4, 6, 8 percent.
func SoglieStandard() []float64 { return []float64{2, 4, 6, 8} }

// paletta holds ColorBrewer YlOrRd (Cynthia Brewer, Pennsylvania State University, Apache 2.0
// licence) for 3 to 9 classes.
var paletta = map[int][]string{
	3: {"#ffeda0", "#feb24c", "#f03b20"},
	4: {"#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"},
	5: {"#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"},
	6: {"#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"},
	7: {"#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"},
	8: {"#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"},
	9: {"#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"},
}

const (
	maxClassi      = 9
	coloreNessuno  = "#e6e6e6"
	tratteggio     = "#8c8c8c"
	coloreBordo    = "#595959"
	coloreConfine  = "#1a1a1a"
	altezzaTitolo  = 34
	attribuzione   = "Confini comunali: ISTAT 2023 via openpolis, CC BY 4.0"
	fontFamily     = "'Titillium Web', Geneva, Tahoma, sans-serif"
	legendaDefault = "Tasso di assenza settimanale"
)

// Colori returns the fill colours of n classes (1 ≤ n ≤ 9), lightest first.
func Colori(n int) []string {
	switch {
	case n < 1 || n > maxClassi:
		return nil
	case n == 1:
		return []string{paletta[3][1]}
	case n == 2:
		return []string{paletta[3][0], paletta[3][2]}
	}
	return slices.Clone(paletta[n])
}

// Classe returns the class index of v (0 = lowest) for the strictly increasing breaks soglie.
func Classe(v float64, soglie []float64) int {
	k := 0
	for k < len(soglie) && v >= soglie[k] {
		k++
	}
	return k
}

// SVG draws the map of the municipalities of opts.Province coloured by valori (keyed by ISTAT code;
// codes not on the map are ignored). Every municipality is a <path> with a <title> child ("Nome:
// 3,4% (12 plessi)" or "Nome: nessun dato") and a data-istat attribute; every class has its own
// colour and fill pattern, so the map reads without colour too; municipalities without data are
// grey and hatched. Only presentation attributes are used (no style attribute, no <style>).
func SVG(valori map[string]Valore, opts Opzioni) (template.HTML, error) {
	t := geometria()
	if t.err != nil {
		return "", t.err
	}
	province := slices.Clone(opts.Province)
	if len(province) == 0 {
		province = slices.Clone(t.province)
	}
	for _, p := range province {
		if !slices.Contains(t.province, p) {
			return "", fmt.Errorf("mappa: provincia %q non presente (disponibili: %s)", p, strings.Join(t.province, ", "))
		}
	}
	slices.Sort(province)
	province = slices.Compact(province)
	d := disegnoPer(t, province)

	for k, v := range valori {
		if v.Presente && (math.IsNaN(v.Valore) || math.IsInf(v.Valore, 0)) {
			return "", fmt.Errorf("mappa: valore non finito per il comune %s", k)
		}
	}
	soglie, err := soglieDa(opts, valori, t, d)
	if err != nil {
		return "", err
	}
	nc := len(soglie) + 1
	colori := Colori(nc)
	id := opts.ID
	if id == "" {
		id = "mappa"
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "", fmt.Errorf("mappa: ID %q: solo lettere, cifre, - e _", id)
		}
	}
	tx := opts.testi()
	legenda := opts.Legenda
	if legenda == "" {
		legenda = legendaDefault
	}
	nome := opts.Titolo
	if nome == "" {
		nome = "Mappa dei comuni – " + legenda
	}

	// legend layout: a heading, then items in rows of fixed width, then the attribution
	const (
		voceL, voceH = 130, 24
		campL, campH = 30, 16
	)
	voci := nc + 1
	perRiga := int((Larghezza - 2*margine) / voceL)
	righe := (voci + perRiga - 1) / perRiga
	yMappa := float64(altezzaTitolo)
	if opts.Titolo == "" {
		yMappa = margine
	}
	yLegenda := yMappa + d.altezza + 6
	altezza := yLegenda + 22 + float64(righe)*voceH + 20

	var b strings.Builder
	b.Grow(64 << 10)
	e := html.EscapeString
	conDati := 0
	for _, ci := range d.comuni {
		if v, ok := valori[t.comuni[ci].Istat]; ok && v.Presente {
			conDati++
		}
	}

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %s" width="%d" height="%s" role="img" aria-label="%s" class="mappa-comuni" font-family="%s">`,
		Larghezza, num(altezza), Larghezza, num(altezza), e(nome), e(fontFamily))
	fmt.Fprintf(&b, "\n<title>%s</title>\n<desc>%s</desc>\n", e(nome),
		e(fmt.Sprintf(tx.Descrizione, len(d.comuni), strings.Join(province, ", "), conDati, strings.Join(etichetteClassi(soglie, tx), ", "))))

	// patterns: the class colour under marks of growing density
	b.WriteString("<defs>\n")
	for k := range nc {
		scriviPattern(&b, fmt.Sprintf("%s-c%d", id, k), colori[k], k)
	}
	fmt.Fprintf(&b, `<pattern id="%s-nd" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="6" height="6" fill="%s"/><line x1="3" y1="0" x2="3" y2="6" stroke="%s" stroke-width="1.2"/></pattern>`+"\n",
		id, coloreNessuno, tratteggio)
	b.WriteString("</defs>\n")

	if opts.Titolo != "" {
		fmt.Fprintf(&b, `<text x="%d" y="22" font-size="18" font-weight="bold" fill="#1a1a1a">%s</text>`+"\n", margine, e(opts.Titolo))
	}
	fmt.Fprintf(&b, `<g transform="translate(0 %s)">`+"\n", num(yMappa))
	fmt.Fprintf(&b, `<g stroke="%s" stroke-width="0.4" stroke-linejoin="round" fill-rule="evenodd">`+"\n", coloreBordo)
	for i, ci := range d.comuni {
		c := t.comuni[ci].Comune
		v, ok := valori[c.Istat]
		fill := id + "-nd"
		testo := c.Nome + ": " + tx.NessunDato
		if ok && v.Presente {
			fill = fmt.Sprintf("%s-c%d", id, Classe(v.Valore, soglie))
			testo = c.Nome + ": " + percento(v.Valore, tx.Decimale)
		}
		if ok && v.Etichetta != "" {
			testo += " (" + v.Etichetta + ")"
		}
		fmt.Fprintf(&b, `<path d="%s" fill="url(#%s)" data-istat="%s"><title>%s</title></path>`+"\n", d.percorsi[i], fill, c.Istat, e(testo))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round" pointer-events="none"/>`+"\n", d.confini, coloreConfine)
	b.WriteString("</g>\n")

	// legend
	fmt.Fprintf(&b, `<g transform="translate(%d %s)" font-size="13" fill="#1a1a1a">`+"\n", margine, num(yLegenda))
	fmt.Fprintf(&b, `<text x="0" y="14" font-weight="bold">%s</text>`+"\n", e(legenda))
	etichette := append(etichetteClassi(soglie, tx), tx.NessunDato)
	for k, et := range etichette {
		x := (k % perRiga) * voceL
		y := 22 + (k/perRiga)*voceH
		pat := fmt.Sprintf("%s-c%d", id, k)
		if k == nc {
			pat = id + "-nd"
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="url(#%s)" stroke="%s" stroke-width="0.8"/><text x="%d" y="%d">%s</text>`+"\n",
			x, y, campL, campH, pat, coloreBordo, x+campL+6, y+campH-3, e(et))
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(&b, `<text x="%d" y="%s" font-size="10" fill="#595959" text-anchor="end">%s</text>`+"\n",
		Larghezza-margine, num(altezza-6), e(tx.Attribuzione))
	b.WriteString("</svg>")
	return template.HTML(b.String()), nil
}

// scriviPattern writes the pattern of class k: plain, then dots, then lines, then crosshatch, each
// sparse then dense. Marks are dark on light colours and white on dark ones.
func scriviPattern(b *strings.Builder, id, colore string, k int) {
	segno, opac := "#000000", "0.45"
	if luminanza(colore) < 0.35 {
		segno, opac = "#ffffff", "0.7"
	}
	type motivo struct {
		lato  int
		ruota bool
		corpo string
	}
	punti := func(r string) string {
		return fmt.Sprintf(`<circle cx="2" cy="2" r="%s" fill="%s" fill-opacity="%s"/>`, r, segno, opac)
	}
	linea := func(lato int, w string) string {
		return fmt.Sprintf(`<line x1="%d" y1="0" x2="%d" y2="%d" stroke="%s" stroke-opacity="%s" stroke-width="%s"/>`, lato/2, lato/2, lato, segno, opac, w)
	}
	croce := func(lato int, w string) string {
		return linea(lato, w) + fmt.Sprintf(`<line x1="0" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-opacity="%s" stroke-width="%s"/>`, lato/2, lato, lato/2, segno, opac, w)
	}
	motivi := []motivo{
		{4, false, ""},
		{6, false, punti("0.9")},
		{4, false, punti("1")},
		{6, true, linea(6, "1")},
		{4, true, linea(4, "1.2")},
		{6, true, croce(6, "1")},
		{4, true, croce(4, "1")},
		{3, false, punti("1.1")},
		{3, true, croce(3, "1.1")},
	}
	m := motivi[k%len(motivi)]
	rot := ""
	if m.ruota {
		rot = ` patternTransform="rotate(45)"`
	}
	fmt.Fprintf(b, `<pattern id="%s" width="%d" height="%d" patternUnits="userSpaceOnUse"%s><rect width="%d" height="%d" fill="%s"/>%s</pattern>`+"\n",
		id, m.lato, m.lato, rot, m.lato, m.lato, colore, m.corpo)
}

// luminanza is the relative luminance (WCAG) of a #rrggbb colour.
func luminanza(c string) float64 {
	v, err := strconv.ParseUint(strings.TrimPrefix(c, "#"), 16, 32)
	if err != nil {
		return 1
	}
	lin := func(x uint64) float64 {
		f := float64(x) / 255
		if f <= 0.03928 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(v>>16&0xff) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff)
}

// soglieDa validates opts.Soglie or computes quantile breaks.
func soglieDa(opts Opzioni, valori map[string]Valore, t *topologia, d *disegno) ([]float64, error) {
	s := opts.Soglie
	if len(s) == 0 && opts.Quantili >= 2 {
		var xs []float64
		for _, ci := range d.comuni {
			if v, ok := valori[t.comuni[ci].Istat]; ok && v.Presente {
				xs = append(xs, v.Valore)
			}
		}
		if len(xs) > 0 {
			if opts.Quantili > maxClassi {
				return nil, fmt.Errorf("mappa: al massimo %d classi", maxClassi)
			}
			slices.Sort(xs)
			for k := 1; k < opts.Quantili; k++ {
				q := math.Round(quantile(xs, float64(k)/float64(opts.Quantili))*10) / 10
				if len(s) == 0 || q > s[len(s)-1] {
					s = append(s, q)
				}
			}
			return s, nil
		}
	}
	if len(s) == 0 {
		return SoglieStandard(), nil
	}
	if len(s)+1 > maxClassi {
		return nil, fmt.Errorf("mappa: al massimo %d classi (%d soglie)", maxClassi, maxClassi-1)
	}
	for i, x := range s {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, errors.New("mappa: soglia non finita")
		}
		if i > 0 && x <= s[i-1] {
			return nil, errors.New("mappa: le soglie devono essere strettamente crescenti")
		}
	}
	return slices.Clone(s), nil
}

// quantile of sorted xs, linear interpolation (R type 7).
func quantile(xs []float64, p float64) float64 {
	h := (float64(len(xs)) - 1) * p
	i := int(math.Floor(h))
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (h-float64(i))*(xs[i+1]-xs[i])
}

// etichetteClassi labels the classes: "< 2,0%", "2,0–4,0%", "≥ 8,0%" (points in English).
func etichetteClassi(s []float64, tx Testi) []string {
	if len(s) == 0 {
		return []string{tx.TuttiIValori}
	}
	sep := tx.Decimale
	out := []string{"< " + decimale(s[0], sep) + "%"}
	for i := 1; i < len(s); i++ {
		out = append(out, decimale(s[i-1], sep)+"–"+decimale(s[i], sep)+"%")
	}
	return append(out, "≥ "+decimale(s[len(s)-1], sep)+"%")
}

// decimale writes v with the separator sep: one decimal, more only if a break needs them.
func decimale(v float64, sep string) string {
	prec := 1
	if x := v * 10; x != math.Round(x) {
		prec = -1
	}
	return strings.Replace(strconv.FormatFloat(v, 'f', prec, 64), ".", sep, 1)
}

// percento writes a value as "3,4%" (with sep for the comma).
func percento(v float64, sep string) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", sep, 1) + "%"
}

// num formats a coordinate with at most one decimal.
func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }
