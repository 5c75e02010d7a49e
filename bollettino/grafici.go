package bollettino

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"
	"time"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Charts are drawn at their printed size (so that font points are real
// points) and rasterised at dpi.
const dpi = 200

// Palette: Bootstrap Italia's primary blue for this year's data, and
// Okabe–Ito colours that stay distinguishable with colour-blindness. Every
// series also differs by dash or glyph shape, never by colour alone.
var (
	colBlu       = color.RGBA{0x00, 0x66, 0xcc, 0xff}
	colGrigio    = color.RGBA{0x5c, 0x6f, 0x82, 0xff}
	colGrigioCh  = color.RGBA{0x99, 0xa6, 0xb3, 0xff}
	colSoglia    = color.RGBA{0xd5, 0x5e, 0x00, 0xff}
	colAllarme   = color.RGBA{0xc0, 0x1f, 0x1f, 0xff}
	colBanda     = color.RGBA{0xfb, 0xe3, 0xcc, 0xff}
	colCorrente  = color.RGBA{0xff, 0xf4, 0xc2, 0xff}
	colInfluNet  = color.RGBA{0x00, 0x9e, 0x73, 0xff}
	colGriglia   = color.RGBA{0xe1, 0xe5, 0xea, 0xff}
	colTesto     = color.RGBA{0x1a, 0x1a, 0x1a, 0xff}
	fontGrafico  = font.Font{Typeface: "Liberation", Variant: "Sans"}
	fontGrassett = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
)

// voce is one entry of a chart's legend.
type voce struct {
	testo  string
	thumbs []plot.Thumbnailer
}

func nuovoGrafico() *plot.Plot {
	p := plot.New()
	p.Title.TextStyle.Font = font.From(fontGrassett, 8.5)
	p.Title.TextStyle.Color = colTesto
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(fontGrafico, 8)
		a.Label.TextStyle.Color = colTesto
		a.Tick.Label.Font = font.From(fontGrafico, 7.5)
		a.Tick.Label.Color = colTesto
		a.LineStyle.Color = colGrigio
		a.LineStyle.Width = vg.Points(0.6)
		a.Tick.LineStyle.Color = colGrigio
		a.Tick.LineStyle.Width = vg.Points(0.6)
		a.Padding = vg.Points(2)
	}
	g := plotter.NewGrid()
	g.Vertical.Width = 0
	g.Horizontal.Color = colGriglia
	g.Horizontal.Width = vg.Points(0.5)
	p.Add(g)
	return p
}

// etichettaPct labels a share as a percentage with the decimals needed by
// the tick step.
func etichettaPct(x float64, dec int) string {
	return decimale(100*x, dec) + "%"
}

// tickPct is a y ticker for shares, labelled as Italian percentages with no
// decimals when every label is a whole percentage, one otherwise.
func tickPct(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	dec := 0
	for _, t := range ts {
		if v := 100 * t.Value; t.Label != "" && math.Abs(v-math.Round(v)) > 1e-6 {
			dec = 1
		}
	}
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = etichettaPct(ts[i].Value, dec)
		}
	}
	return ts
}

// tickVirgola is DefaultTicks with a decimal comma and no trailing zeros.
func tickVirgola(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		l := ts[i].Label
		if strings.Contains(l, ".") {
			l = strings.TrimRight(strings.TrimRight(l, "0"), ".")
		}
		ts[i].Label = strings.Replace(l, ".", ",", 1)
	}
	return ts
}

// senzaEtichette keeps the ticks of t but drops their labels (for a panel
// whose x axis is labelled by the panel below).
func senzaEtichette(t plot.Ticker) plot.Ticker {
	return plot.TickerFunc(func(min, max float64) []plot.Tick {
		ts := t.Ticks(min, max)
		for i := range ts {
			ts[i].Label = ""
		}
		return ts
	})
}

// giornoX places a day on the x axis of the daily chart (days since 1970,
// from the calendar date, so time zones and DST do not matter).
func giornoX(t time.Time) float64 {
	y, m, d := t.Date()
	return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func xGiorno(x float64) time.Time {
	return time.Unix(int64(math.Round(x))*86400, 0).UTC()
}

// tickLunedi puts a labelled tick on each Monday ("23/11") and a minor tick
// on the other days; with many weeks every other Monday is labelled.
func tickLunedi(min, max float64) []plot.Tick {
	var ts []plot.Tick
	nLun := 0
	for x := math.Ceil(min); x <= max; x++ {
		if xGiorno(x).Weekday() == time.Monday {
			nLun++
		}
	}
	ogni := 1
	if nLun > 14 {
		ogni = 2
	}
	i := 0
	for x := math.Ceil(min); x <= max; x++ {
		t := xGiorno(x)
		if t.Weekday() != time.Monday {
			if t.Weekday() != time.Sunday {
				ts = append(ts, plot.Tick{Value: x})
			}
			continue
		}
		lab := ""
		if i%ogni == 0 {
			lab = t.Format("02/01")
		}
		i++
		ts = append(ts, plot.Tick{Value: x, Label: lab})
	}
	return ts
}

// tickSettimane labels ISO weeks on the school-year axis (see posizione).
func tickSettimane(min, max float64) []plot.Tick {
	var ts []plot.Tick
	span := max - min
	ogni := 2
	if span > 30 {
		ogni = 4
	}
	for x := math.Ceil(min); x <= max; x++ {
		w := int(x)
		if w > 53 {
			w -= 53
		}
		if w == 53 && x == 53 {
			// Week 53 exists only in some years; leave it unlabelled.
			ts = append(ts, plot.Tick{Value: x})
			continue
		}
		lab := ""
		if w%ogni == 0 {
			lab = strconv.Itoa(w)
		}
		ts = append(ts, plot.Tick{Value: x, Label: lab})
	}
	return ts
}

// segmenti splits a series into runs of finite values whose x are at most
// maxGap apart, so that missing data breaks the line instead of being
// bridged.
func segmenti(xs, ys []float64, ok []bool, maxGap float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	lastX := math.NaN()
	for i := range xs {
		if !ok[i] || !finito(ys[i]) {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		if len(cur) > 0 && xs[i]-lastX > maxGap {
			out = append(out, cur)
			cur = nil
		}
		cur = append(cur, plotter.XY{X: xs[i], Y: ys[i]})
		lastX = xs[i]
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func linee(p *plot.Plot, segs []plotter.XYs, sty draw.LineStyle) (*plotter.Line, error) {
	var first *plotter.Line
	for _, s := range segs {
		l, err := plotter.NewLine(s)
		if err != nil {
			return nil, err
		}
		l.LineStyle = sty
		p.Add(l)
		if first == nil {
			first = l
		}
	}
	if first == nil {
		first = &plotter.Line{LineStyle: sty}
	}
	return first, nil
}

func punti2(p *plot.Plot, xys plotter.XYs, gs ...draw.GlyphStyle) ([]plot.Thumbnailer, error) {
	var th []plot.Thumbnailer
	for _, g := range gs {
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, err
		}
		s.GlyphStyle = g
		if len(xys) > 0 {
			p.Add(s)
		}
		th = append(th, s)
	}
	return th, nil
}

// rettangolo is a filled rectangle in data coordinates.
func rettangolo(x0, x1, y0, y1 float64, c color.Color) *plotter.Polygon {
	pg, _ := plotter.NewPolygon(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	pg.Color = c
	pg.LineStyle.Width = 0
	return pg
}

func tratteggio(c color.Color, w float64, dash ...float64) draw.LineStyle {
	sty := draw.LineStyle{Color: c, Width: vg.Points(w)}
	for _, d := range dash {
		sty.Dashes = append(sty.Dashes, vg.Points(d))
	}
	return sty
}

// graficoGiornaliero draws the daily territorial rate with the expected line,
// the band between expected and threshold, the threshold, and the alarm days
// as red triangles; the bulletin's week is shaded. It returns a PNG.
func graficoGiornaliero(d Dati, w, h vg.Length) ([]byte, error) {
	p := nuovoGrafico()
	p.Y.Label.Text = "assenti sul totale degli iscritti"
	p.Y.Tick.Marker = plot.TickerFunc(tickPct)
	p.X.Tick.Marker = plot.TickerFunc(tickLunedi)

	n := len(d.Serie)
	xs := make([]float64, n)
	tasso := make([]float64, n)
	atteso := make([]float64, n)
	soglia := make([]float64, n)
	valido := make([]bool, n)
	conAtteso := make([]bool, n)
	ymax := 0.0
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for i, pt := range d.Serie {
		xs[i] = giornoX(pt.Giorno)
		tasso[i], atteso[i], soglia[i] = pt.Tasso, pt.Atteso, pt.Soglia
		valido[i] = pt.Valido
		conAtteso[i] = finito(pt.Atteso) && finito(pt.Soglia) && pt.Soglia > 0
		xmin, xmax = math.Min(xmin, xs[i]), math.Max(xmax, xs[i])
		for _, v := range []float64{pt.Tasso, pt.Soglia, pt.Atteso} {
			if finito(v) && v > ymax {
				ymax = v
			}
		}
	}
	if ymax <= 0 {
		ymax = 0.05
	}
	ymax *= 1.08
	if xmax-xmin < 13 { // at least two weeks, whatever the data
		xmin = xmax - 13
	}
	p.Y.Min, p.Y.Max = 0, ymax
	p.X.Min, p.X.Max = xmin-0.5, xmax+0.5

	var voci []voce

	// The bulletin's week, shaded behind everything.
	if !d.Settimana.IsZero() {
		x0, x1 := giornoX(d.Settimana)-0.5, giornoX(sabato(d))+0.5
		if x1 > p.X.Min && x0 < p.X.Max {
			r := rettangolo(math.Max(x0, p.X.Min), math.Min(x1, p.X.Max), 0, ymax, colCorrente)
			p.Add(r)
			voci = append(voci, voce{"settimana del bollettino", []plot.Thumbnailer{r}})
		}
	}

	// Band between expected and threshold, one polygon per run.
	var banda *plotter.Polygon
	for _, s := range segmenti(xs, soglia, conAtteso, 4) {
		ring := make(plotter.XYs, 0, 2*len(s))
		ring = append(ring, s...)
		for i := len(s) - 1; i >= 0; i-- {
			j := indice(xs, s[i].X)
			ring = append(ring, plotter.XY{X: s[i].X, Y: atteso[j]})
		}
		pg, err := plotter.NewPolygon(ring)
		if err != nil {
			return nil, err
		}
		pg.Color = colBanda
		pg.LineStyle.Width = 0
		p.Add(pg)
		banda = pg
	}
	lAtteso, err := linee(p, segmenti(xs, atteso, conAtteso, 4), tratteggio(colGrigio, 1, 4, 2.5))
	if err != nil {
		return nil, err
	}
	lSoglia, err := linee(p, segmenti(xs, soglia, conAtteso, 4), tratteggio(colSoglia, 1, 1.2, 1.8))
	if err != nil {
		return nil, err
	}
	lTasso, err := linee(p, segmenti(xs, tasso, valido, 4), tratteggio(colBlu, 1.6))
	if err != nil {
		return nil, err
	}
	var ok, nonValidi, allarme plotter.XYs
	for i, pt := range d.Serie {
		if !finito(pt.Tasso) {
			continue
		}
		xy := plotter.XY{X: xs[i], Y: pt.Tasso}
		switch {
		case pt.Allarme:
			allarme = append(allarme, xy)
		case pt.Valido:
			ok = append(ok, xy)
		default:
			nonValidi = append(nonValidi, xy)
		}
	}
	thOk, err := punti2(p, ok, draw.GlyphStyle{Color: colBlu, Radius: vg.Points(1.4), Shape: draw.CircleGlyph{}})
	if err != nil {
		return nil, err
	}
	thNV, err := punti2(p, nonValidi, draw.GlyphStyle{Color: colGrigio, Radius: vg.Points(2), Shape: draw.RingGlyph{}})
	if err != nil {
		return nil, err
	}
	thAll, err := punti2(p, allarme,
		draw.GlyphStyle{Color: colAllarme, Radius: vg.Points(4), Shape: draw.PyramidGlyph{}},
		draw.GlyphStyle{Color: color.White, Radius: vg.Points(1.3), Shape: draw.CircleGlyph{}})
	if err != nil {
		return nil, err
	}

	voci = append(voci, voce{"tasso osservato", append([]plot.Thumbnailer{lTasso}, thOk...)})
	voci = append(voci, voce{"atteso", []plot.Thumbnailer{lAtteso}})
	if banda != nil {
		voci = append(voci, voce{"fluttuazione attesa", []plot.Thumbnailer{banda}})
	}
	voci = append(voci, voce{"limite superiore 95%", []plot.Thumbnailer{lSoglia}})
	if len(allarme) > 0 {
		voci = append(voci, voce{fmt.Sprintf("allarme (%d)", len(allarme)), thAll})
	}
	if len(nonValidi) > 0 {
		voci = append(voci, voce{"dato incompleto", thNV})
	}
	return disegna([]*plot.Plot{p}, []float64{1}, voci, w, h)
}

func indice(xs []float64, x float64) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return 0
}

// graficoSettimanale draws this school year's weekly rate against the
// previous year's by ISO week and, when given, InfluNet's school-age ILI
// incidence in an aligned panel below. It returns a PNG.
func graficoSettimanale(d Dati, w, h vg.Length) ([]byte, error) {
	righe := settimaneUnite(d)
	if len(righe) == 0 {
		return nil, fmt.Errorf("bollettino: nessuna settimana da disegnare")
	}
	xmin, xmax := righe[0].X-0.6, righe[len(righe)-1].X+0.6
	if xmax-xmin < 8 {
		xmax = xmin + 8
	}
	n := len(righe)
	xs := make([]float64, n)
	cur := make([]float64, n)
	prec := make([]float64, n)
	flu := make([]float64, n)
	tutti := make([]bool, n)
	ymax, fmax := 0.0, 0.0
	haFlu, haPrec := false, false
	for i, r := range righe {
		xs[i], cur[i], prec[i], flu[i], tutti[i] = r.X, r.Tasso, r.Precedente, r.InfluNet, true
		for _, v := range []float64{r.Tasso, r.Precedente} {
			if finito(v) && v > ymax {
				ymax = v
			}
		}
		if finito(r.InfluNet) {
			haFlu = true
			fmax = math.Max(fmax, r.InfluNet)
		}
		if finito(r.Precedente) {
			haPrec = true
		}
	}
	if ymax <= 0 {
		ymax = 0.05
	}
	ymax *= 1.1

	p := nuovoGrafico()
	p.Y.Label.Text = "tasso settimanale di assenza"
	p.Y.Tick.Marker = plot.TickerFunc(tickPct)
	p.X.Tick.Marker = plot.TickerFunc(tickSettimane)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, 0, ymax
	if !haFlu {
		p.X.Label.Text = "settimana ISO"
	}
	var voci []voce
	for _, r := range righe {
		if r.Corrente {
			p.Add(rettangolo(r.X-0.5, r.X+0.5, 0, ymax, colCorrente))
			voci = append(voci, voce{"settimana del bollettino", []plot.Thumbnailer{rettangolo(0, 1, 0, 1, colCorrente)}})
		}
	}
	anno := "anno corrente"
	if !d.Settimana.IsZero() {
		anno = "a.s. " + annoScolastico(d.Settimana)
	}
	if haPrec {
		lp, err := linee(p, segmenti(xs, prec, tutti, 1.5), tratteggio(colGrigioCh, 1.2, 4, 2.5))
		if err != nil {
			return nil, err
		}
		var pts plotter.XYs
		for _, s := range segmenti(xs, prec, tutti, 99) {
			pts = append(pts, s...)
		}
		th, err := punti2(p, pts, draw.GlyphStyle{Color: colGrigio, Radius: vg.Points(2), Shape: draw.SquareGlyph{}})
		if err != nil {
			return nil, err
		}
		prevLab := "anno precedente"
		if !d.Settimana.IsZero() {
			prevLab = "a.s. " + annoScolastico(d.Settimana.AddDate(-1, 0, 0))
		}
		voci = append(voci, voce{prevLab, append([]plot.Thumbnailer{lp}, th...)})
	}
	lc, err := linee(p, segmenti(xs, cur, tutti, 1.5), tratteggio(colBlu, 1.6))
	if err != nil {
		return nil, err
	}
	var pts plotter.XYs
	for _, s := range segmenti(xs, cur, tutti, 99) {
		pts = append(pts, s...)
	}
	th, err := punti2(p, pts, draw.GlyphStyle{Color: colBlu, Radius: vg.Points(2), Shape: draw.CircleGlyph{}})
	if err != nil {
		return nil, err
	}
	// Put this year first in the legend, after the shading.
	vc := voce{anno, append([]plot.Thumbnailer{lc}, th...)}
	if len(voci) > 0 && voci[0].testo == "settimana del bollettino" {
		voci = append([]voce{voci[0], vc}, voci[1:]...)
	} else {
		voci = append([]voce{vc}, voci...)
	}

	if !haFlu {
		return disegna([]*plot.Plot{p}, []float64{1}, voci, w, h)
	}

	p.X.Tick.Marker = senzaEtichette(plot.TickerFunc(tickSettimane))
	q := nuovoGrafico()
	q.Title.Text = "InfluNet – sindromi simil-influenzali, 5–14 anni"
	q.Y.Label.Text = "casi per 1.000"
	q.X.Label.Text = "settimana ISO"
	q.Y.Tick.Marker = plot.TickerFunc(tickVirgola)
	q.X.Tick.Marker = plot.TickerFunc(tickSettimane)
	if fmax <= 0 {
		fmax = 1
	}
	q.X.Min, q.X.Max, q.Y.Min, q.Y.Max = xmin, xmax, 0, fmax*1.12
	for _, r := range righe {
		if r.Corrente {
			q.Add(rettangolo(r.X-0.5, r.X+0.5, 0, q.Y.Max, colCorrente))
		}
	}
	var barra *plotter.Polygon
	for i, r := range righe {
		if !finito(flu[i]) {
			continue
		}
		barra = rettangolo(r.X-0.38, r.X+0.38, 0, flu[i], colInfluNet)
		q.Add(barra)
	}
	voci = append(voci, voce{"InfluNet, casi ILI per 1.000 (5–14 anni)", []plot.Thumbnailer{barra}})
	return disegna([]*plot.Plot{p, q}, []float64{0.64, 0.36}, voci, w, h)
}

// disegna stacks the plots vertically (heights as fractions), aligns their
// data areas, draws the legend in one row (or two) below and encodes a PNG.
func disegna(ps []*plot.Plot, altezze []float64, voci []voce, w, h vg.Length) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))
	dc := draw.New(c)

	sty := ps[0].X.Label.TextStyle
	sty.Font = font.From(fontGrafico, 7.5)
	sty.XAlign = draw.XLeft
	sty.YAlign = draw.YCenter
	righeLeg := righeLegenda(voci, sty, w)
	legH := vg.Length(0)
	if len(righeLeg) > 0 {
		legH = vg.Points(4) + vg.Points(12)*vg.Length(len(righeLeg))
	}

	// Panels, top to bottom.
	area := draw.Crop(dc, 0, 0, legH, 0)
	tot := area.Max.Y - area.Min.Y
	top := area.Max.Y
	canv := make([]draw.Canvas, len(ps))
	var maxL, maxR vg.Length
	for i, p := range ps {
		hh := tot * vg.Length(altezze[i])
		ci := area
		ci.Max.Y, ci.Min.Y = top, top-hh
		top -= hh
		canv[i] = ci
		da := p.DataCanvas(ci)
		maxL = max(maxL, da.Min.X-ci.Min.X)
		maxR = max(maxR, ci.Max.X-da.Max.X)
	}
	var left vg.Length
	for i, p := range ps {
		da := p.DataCanvas(canv[i])
		l := da.Min.X - canv[i].Min.X
		r := canv[i].Max.X - da.Max.X
		ci := draw.Crop(canv[i], maxL-l, -(maxR - r), 0, 0)
		p.Draw(ci)
		left = p.DataCanvas(ci).Min.X
	}

	// Legend.
	y := legH - vg.Points(8)
	for _, riga := range righeLeg {
		x := left
		for _, v := range riga {
			thumb := draw.Crop(dc, 0, 0, 0, 0)
			thumb.Min = vg.Point{X: x, Y: y - vg.Points(3.5)}
			thumb.Max = vg.Point{X: x + vg.Points(18), Y: y + vg.Points(3.5)}
			for _, t := range v.thumbs {
				if t != nil {
					t.Thumbnail(&thumb)
				}
			}
			x += vg.Points(22)
			dc.FillText(sty, vg.Point{X: x, Y: y}, v.testo)
			x += sty.Width(v.testo) + vg.Points(12)
		}
		y -= vg.Points(12)
	}

	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, c.Image()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// righeLegenda wraps the legend entries into rows that fit the width.
func righeLegenda(voci []voce, sty draw.TextStyle, w vg.Length) [][]voce {
	var out [][]voce
	var cur []voce
	var x vg.Length = vg.Points(50)
	for _, v := range voci {
		vw := vg.Points(22) + sty.Width(v.testo) + vg.Points(12)
		if len(cur) > 0 && x+vw > w {
			out = append(out, cur)
			cur, x = nil, vg.Points(50)
		}
		cur = append(cur, v)
		x += vw
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
