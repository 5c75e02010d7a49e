package bollettino

import (
	"bytes"
	"fmt"
	"strings"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansitalic"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"
	"gonum.org/v1/plot/vg"
)

// Page geometry in millimetres (A4 portrait).
const (
	margine   = 15.0
	larghezza = 210 - 2*margine
	fondo     = 20.0 // bottom margin, room for the footer
)

type rgb struct{ r, g, b int }

var (
	pdfBlu      = rgb{0x00, 0x66, 0xcc}
	pdfBluScuro = rgb{0x00, 0x4d, 0x99}
	pdfTesto    = rgb{0x1a, 0x1a, 0x1a}
	pdfGrigio   = rgb{0x5c, 0x6f, 0x82}
	pdfRiga     = rgb{0xf2, 0xf5, 0xf8}
	pdfIntest   = rgb{0xe3, 0xec, 0xf5}
	pdfBordo    = rgb{0xc5, 0xd0, 0xdb}
	pdfTile     = rgb{0xf0, 0xf6, 0xfc}
)

type documento struct {
	*fpdf.Fpdf
	d  Dati
	nr int // images registered
}

func (p *documento) colTesto(c rgb)               { p.SetTextColor(c.r, c.g, c.b) }
func (p *documento) colRiempi(c rgb)              { p.SetFillColor(c.r, c.g, c.b) }
func (p *documento) colTratto(c rgb)              { p.SetDrawColor(c.r, c.g, c.b) }
func (p *documento) font(st string, size float64) { p.SetFont("sans", st, size) }

// PDF renders the bulletin as an A4 PDF: title, ATS, week, synthesis, key
// figures, the daily chart, the weekly chart against the previous year with
// InfluNet, the tables of groups, alerts and completeness, and the methods.
func PDF(d Dati) ([]byte, error) {
	p := nuovoDocumento(d)
	f := p.Fpdf
	f.AddPage()

	p.frontespizio()
	p.titoloSezione("Sintesi", 20)
	p.font("", 10)
	p.colTesto(pdfTesto)
	f.MultiCell(larghezza, 5, Sintesi(d), "", "L", false)
	f.Ln(3)
	p.indicatori()
	if err := p.grafici(); err != nil {
		return nil, err
	}
	p.tabellaGruppi()
	p.tabellaAllerte()
	p.tabellaCompletezza()

	if strings.TrimSpace(d.Metodi) != "" {
		p.titoloSezione("Metodi", 25)
		p.font("", 9)
		p.colTesto(pdfTesto)
		f.MultiCell(larghezza, 4.5, d.Metodi, "", "L", false)
	}

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("bollettino: pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// nuovoDocumento is an A4 page set with the bulletin's fonts, metadata,
// header and footer.
func nuovoDocumento(d Dati) *documento {
	f := fpdf.New("P", "mm", "A4", "")
	p := &documento{Fpdf: f, d: d}
	f.AddUTF8FontFromBytes("sans", "", liberationsansregular.TTF)
	f.AddUTF8FontFromBytes("sans", "B", liberationsansbold.TTF)
	f.AddUTF8FontFromBytes("sans", "I", liberationsansitalic.TTF)
	f.SetMargins(margine, 14, margine)
	f.SetAutoPageBreak(true, fondo)
	f.AliasNbPages("{nb}")
	f.SetTitle(Titolo, true)
	f.SetSubject(d.NomeATS+" – "+periodo(d), true)
	f.SetAuthor(d.NomeATS, true)
	f.SetCreator("Portale Scuole", true)
	f.SetLang("it-IT")
	f.SetCatalogSort(true)
	if !d.Generato.IsZero() {
		f.SetCreationDate(d.Generato)
		f.SetModificationDate(d.Generato)
	}
	f.SetHeaderFunc(p.intestazione)
	f.SetFooterFunc(p.piede)
	return p
}

// grafici draws the daily and the weekly chart with their captions.
func (p *documento) grafici() error {
	f, d := p.Fpdf, p.d
	// Weekly chart: its height depends on the InfluNet panel.
	righe := settimaneUnite(d)
	haFlu := false
	for _, r := range righe {
		haFlu = haFlu || finito(r.InfluNet)
	}
	hSett := 66.0
	if haFlu {
		hSett = 100
	}
	const didascalia = 12.0 // room for a chart's caption

	// Daily chart: 82 mm, or taller to fill the first page when the weekly
	// chart would not fit below it anyway.
	p.titoloSezione("Tasso giornaliero di assenza – ultime settimane", 95)
	if len(d.Serie) == 0 {
		p.nota("Nessun dato giornaliero disponibile per il periodo.")
	} else {
		_, ph := f.GetPageSize()
		resto := ph - fondo - f.GetY() - didascalia
		h := 82.0
		if resto-h < hSett+14+didascalia {
			h = min(max(resto, h), 110)
		}
		img, err := graficoGiornaliero(d, vg.Millimeter*larghezza, vg.Millimeter*vg.Length(h))
		if err != nil {
			return fmt.Errorf("bollettino: grafico giornaliero: %w", err)
		}
		p.immagine(img, h)
		p.didascalia("Quota di alunni assenti sul totale degli iscritti dei plessi sentinella che hanno inviato i dati, per giorno di scuola. " +
			"La linea tratteggiata grigia è il valore atteso, quella punteggiata arancione il limite superiore dell'intervallo di previsione al 95%; " +
			"i triangoli rossi indicano i giorni in allarme, i cerchi vuoti i giorni con dati incompleti (esclusi dalla linea).")
	}

	p.titoloSezione("Andamento settimanale e confronto con l'anno scolastico precedente", hSett+14)
	if len(righe) == 0 {
		p.nota("Nessun dato settimanale disponibile.")
	} else {
		img, err := graficoSettimanale(d, vg.Millimeter*larghezza, vg.Millimeter*vg.Length(hSett))
		if err != nil {
			return fmt.Errorf("bollettino: grafico settimanale: %w", err)
		}
		p.immagine(img, hSett)
		testo := "Tasso medio settimanale di assenza per settimana ISO dell'anno scolastico"
		if len(d.Precedente) > 0 {
			testo += ", a confronto con le stesse settimane dell'anno precedente"
		}
		testo += "."
		if haFlu {
			testo += " Sotto: incidenza settimanale delle sindromi simil-influenzali nella fascia 5–14 anni (sorveglianza InfluNet)."
		}
		p.didascalia(testo)
	}
	return nil
}

// intestazione is the running header of the pages after the first.
func (p *documento) intestazione() {
	if p.PageNo() == 1 {
		// A blue band across the top of the first page.
		p.colRiempi(pdfBlu)
		p.Rect(0, 0, 210, 4, "F")
		return
	}
	p.font("", 8)
	p.colTesto(pdfGrigio)
	p.SetXY(margine, 8)
	p.CellFormat(larghezza/2, 4, adatta(p, p.d.NomeATS, larghezza/2), "", 0, "L", false, 0, "")
	p.CellFormat(larghezza/2, 4, "Bollettino settimanale – "+periodo(p.d), "", 0, "R", false, 0, "")
	p.colTratto(pdfBordo)
	p.SetLineWidth(0.2)
	p.Line(margine, 13, margine+larghezza, 13)
	p.SetY(17)
}

// piede is the footer: privacy note and page numbers.
func (p *documento) piede() {
	p.SetY(-14)
	p.colTratto(pdfBordo)
	p.SetLineWidth(0.2)
	p.Line(margine, p.GetY(), margine+larghezza, p.GetY())
	p.Ln(1.5)
	p.font("", 8)
	p.colTesto(pdfGrigio)
	p.CellFormat(larghezza*0.75, 4, NotaPrivacy, "", 0, "L", false, 0, "")
	p.CellFormat(larghezza*0.25, 4, fmt.Sprintf("Pagina %d di {nb}", p.PageNo()), "", 0, "R", false, 0, "")
}

func (p *documento) frontespizio() {
	d := p.d
	p.SetY(11)
	if d.NomeATS != "" {
		p.font("B", 10)
		p.colTesto(pdfBlu)
		p.CellFormat(larghezza, 5, strings.ToUpper(d.NomeATS), "", 1, "L", false, 0, "")
	}
	// The title on one line: the largest size up to 17 pt that fits.
	size := 17.0
	for p.font("B", size); size > 12 && p.GetStringWidth(Titolo) > larghezza-1; size -= 0.5 {
		p.font("B", size-0.5)
	}
	p.colTesto(pdfTesto)
	p.MultiCell(larghezza, 7.5, Titolo, "", "L", false)
	p.Ln(1)
	p.font("", 11)
	p.colTesto(pdfTesto)
	sub := "Bollettino della " + periodo(d)
	if !d.Settimana.IsZero() {
		_, w := d.Settimana.ISOWeek()
		sub += fmt.Sprintf(" (settimana ISO %d, anno scolastico %s)", w, annoScolastico(d.Settimana))
	}
	p.MultiCell(larghezza, 5.5, sub, "", "L", false)
	if !d.Generato.IsZero() {
		p.font("", 8.5)
		p.colTesto(pdfGrigio)
		p.CellFormat(larghezza, 4.5, "Generato il "+oraItaliana(d.Generato), "", 1, "L", false, 0, "")
	}
	p.Ln(2)
	p.colTratto(pdfBlu)
	p.SetLineWidth(0.5)
	p.Line(margine, p.GetY(), margine+larghezza, p.GetY())
	p.Ln(3)
}

// titoloSezione prints a section heading, first moving to a new page when
// less than keep millimetres (heading included) are left.
func (p *documento) titoloSezione(t string, keep float64) {
	_, ph := p.GetPageSize()
	if p.GetY()+keep > ph-fondo {
		p.AddPage()
	} else {
		p.Ln(2)
	}
	p.font("B", 12)
	p.colTesto(pdfBluScuro)
	p.CellFormat(larghezza, 7, t, "", 1, "L", false, 0, "")
	p.colTratto(pdfBordo)
	p.SetLineWidth(0.2)
	p.Line(margine, p.GetY(), margine+larghezza, p.GetY())
	p.Ln(2)
}

func (p *documento) nota(t string) {
	p.font("I", 9.5)
	p.colTesto(pdfGrigio)
	p.MultiCell(larghezza, 5, t, "", "L", false)
	p.Ln(1)
}

func (p *documento) didascalia(t string) {
	p.font("", 7.5)
	p.colTesto(pdfGrigio)
	p.MultiCell(larghezza, 3.6, t, "", "L", false)
	p.Ln(1)
}

func (p *documento) immagine(png []byte, h float64) {
	p.nr++
	name := fmt.Sprintf("grafico%d", p.nr)
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	p.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	p.ImageOptions(name, margine, p.GetY(), larghezza, h, true, opt, 0, "")
	p.Ln(1)
}

// indicatori draws four tiles with the key figures of the week.
func (p *documento) indicatori() {
	ts := indicatoriDi(p.d)
	const gap, h = 4.0, 19.0
	w := (larghezza - gap*float64(len(ts)-1)) / float64(len(ts))
	y := p.GetY() + 1
	for i, t := range ts {
		x := margine + float64(i)*(w+gap)
		p.colRiempi(pdfTile)
		p.Rect(x, y, w, h, "F")
		p.colRiempi(pdfBlu)
		p.Rect(x, y, 1.2, h, "F")
		p.SetXY(x+3.5, y+1.8)
		p.font("", 7.5)
		p.colTesto(pdfGrigio)
		p.CellFormat(w-5, 3.5, adatta(p, t.Etichetta, w-5), "", 2, "L", false, 0, "")
		p.SetX(x + 3.5)
		p.font("B", 15)
		p.colTesto(pdfTesto)
		p.CellFormat(w-5, 7.5, t.Valore, "", 2, "L", false, 0, "")
		p.SetX(x + 3.5)
		p.font("", 7)
		p.colTesto(pdfGrigio)
		p.CellFormat(w-5, 3.5, adatta(p, t.Nota, w-5), "", 2, "L", false, 0, "")
	}
	p.SetXY(margine, y+h+2)
}

// colonna of a PDF table.
type colonna struct {
	titolo string
	w      float64
	align  string
}

// tabella prints a table, repeating the header after a page break.
func (p *documento) tabella(cols []colonna, righe [][]string) {
	const hh, rh = 6.5, 6.0
	_, ph := p.GetPageSize()
	header := func() {
		p.font("B", 8.5)
		p.colTesto(pdfTesto)
		p.colRiempi(pdfIntest)
		p.SetX(margine)
		for _, c := range cols {
			p.CellFormat(c.w, hh, adatta(p, c.titolo, c.w), "", 0, c.align, true, 0, "")
		}
		p.Ln(hh)
	}
	header()
	p.colTratto(pdfBordo)
	// A long name (a district, a grade in full) wraps inside its cell
	// instead of being cut: the reader quotes it as it is.
	const lh = 4.0
	for i, r := range righe {
		p.font("", 8.5)
		lines := make([][]string, len(cols))
		n := 1
		for j, c := range cols {
			txt := ""
			if j < len(r) {
				txt = r[j]
			}
			if j == 0 {
				p.font("B", 8.5)
			}
			lines[j] = p.SplitText(txt, c.w-2)
			if len(lines[j]) == 0 {
				lines[j] = []string{""}
			}
			n = max(n, len(lines[j]))
			p.font("", 8.5)
		}
		h := rh + float64(n-1)*lh
		if p.GetY()+h > ph-fondo {
			p.AddPage()
			header()
		}
		p.colTesto(pdfTesto)
		p.colRiempi(pdfRiga)
		x, y := margine, p.GetY()
		for j, c := range cols {
			if i%2 == 1 {
				p.Rect(x, y, c.w, h, "F")
			}
			if j == 0 {
				p.font("B", 8.5)
			}
			top := y + (rh-lh)/2
			for k, line := range lines[j] {
				p.SetXY(x, top+float64(k)*lh)
				p.CellFormat(c.w, lh, line, "", 0, c.align, false, 0, "")
			}
			if j == 0 {
				p.font("", 8.5)
			}
			x += c.w
		}
		p.SetXY(margine, y+h)
	}
	p.SetLineWidth(0.2)
	p.colTratto(pdfBordo)
	p.Line(margine, p.GetY(), margine+larghezza, p.GetY())
	p.Ln(2)
}

// adatta cuts s with an ellipsis to fit a cell of width w.
func adatta(p *documento, s string, w float64) string {
	max := w - 2*p.GetCellMargin()
	if p.GetStringWidth(s) <= max {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && p.GetStringWidth(string(r)+"…") > max {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func (p *documento) tabellaGruppi() {
	p.titoloSezione("Tasso di assenza per gruppo", 35)
	if len(p.d.Gruppi) == 0 {
		p.nota("Nessun dato per gruppo disponibile.")
		return
	}
	cols := []colonna{{"Gruppo", 72, "L"}, {"Plessi", 20, "R"}, {"Tasso", 26, "R"}, {"Sett. precedente", 30, "R"}, {"Variazione", 32, "R"}}
	var righe [][]string
	for _, g := range p.d.Gruppi {
		righe = append(righe, []string{g.Nome, intero(g.Plessi), Pct(g.Tasso), Pct(g.TassoPrec), variazione(g)})
	}
	p.tabella(cols, righe)
	p.didascalia("Variazione in punti percentuali (p.p.) rispetto alla settimana precedente: ▲ aumento, ▼ calo, = stabile.")
}

func variazione(g Gruppo) string { return Italiano.variazione(g) }

func (l Lingua) variazione(g Gruppo) string {
	if !finito(g.Tasso) || !finito(g.TassoPrec) {
		return "–"
	}
	diff := g.Tasso - g.TassoPrec
	return freccia(diff) + " " + l.punti(diff) + " p.p."
}

func (p *documento) tabellaAllerte() {
	p.titoloSezione("Allerte statistiche", 30)
	if len(p.d.Allerte) == 0 {
		p.nota("Nessuna allerta statistica nella settimana.")
		return
	}
	// In the hierarchy's order (territory first), as the caller sorted
	// them; a long series name wraps.
	cols := []colonna{{"N.", 10, "R"}, {"Dal", 21, "L"}, {"Serie", 50, "L"}, {"Picco", 15, "R"},
		{"Atteso", 15, "R"}, {"Lim. 95%", 16, "R"}, {"Evidenza", 19, "R"}, {"Metodo", 16, "L"}, {"Stato", 18, "L"}}
	var righe [][]string
	for _, a := range p.d.Allerte {
		righe = append(righe, []string{intero(int(a.ID)), data(a.Data), NomeSerie(a.Serie), Pct(a.Osservato), Pct(a.Atteso), Pct(a.Soglia),
			Italiano.Evidenza(a), a.Metodo, a.Stato})
	}
	p.tabella(cols, righe)
}

func (p *documento) tabellaCompletezza() {
	p.titoloSezione("Completezza delle segnalazioni", 30)
	if len(p.d.Completezza) == 0 {
		p.nota("Nessun dato di completezza disponibile.")
		return
	}
	cols := []colonna{{"Periodo", 62, "L"}, {"In tempo", 22, "R"}, {"In ritardo", 22, "R"}, {"Mancanti", 22, "R"}, {"Attese", 22, "R"}, {"Completezza", 30, "R"}}
	var righe [][]string
	for _, c := range p.d.Completezza {
		righe = append(righe, []string{c.Periodo, intero(c.InTempo), intero(c.InRitardo), intero(c.Mancanti), intero(c.chiuse()), Pct(quota(c.InTempo+c.InRitardo, c.chiuse()))})
	}
	p.tabella(cols, righe)
	p.didascalia("Completezza: segnalazioni ricevute (in tempo o in ritardo) sul totale delle segnalazioni attese dai plessi sentinella.")
}
