package pubblico

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"codeberg.org/go-pdf/fpdf"
)

// Bollettino is the public bulletin: the last week's published figures.
type Bollettino struct {
	NomeATS  string
	Sintesi  Sintesi
	HaDati   bool
	Testo    string // the plain-language summary
	Ultimo   time.Time
	Generato time.Time
}

// Metodo explains the figures in a few lines (bulletin and schema page).
const Metodo = "Fonte: plessi sentinella della sorveglianza delle assenze scolastiche (alunni 6–19 anni), giorni di lezione da lunedì a venerdì. " +
	"Il tasso è la quota di giorni-alunno di assenza sui giorni-alunno di lezione, stimata con post-stratificazione per provincia e grado; " +
	"l'intervallo è di confidenza al 95%. Per riservatezza non si pubblicano conteggi da 1 a 3, valori basati su troppo pochi plessi o alunni, " +
	"né i valori che permetterebbero di ricavarli per differenza (soppressione complementare). Licenza CC BY 4.0."

// PDF renders the public bulletin on one A4 page.
func PDF(b Bollettino) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes("sans", "", liberationsansregular.TTF)
	f.AddUTF8FontFromBytes("sans", "B", liberationsansbold.TTF)
	f.SetMargins(15, 14, 15)
	f.SetAutoPageBreak(true, 18)
	titolo := "Assenze nelle scuole – bollettino pubblico"
	f.SetTitle(titolo, true)
	f.SetAuthor(b.NomeATS, true)
	f.SetCreator("Portale Scuole", true)
	f.SetLang("it-IT")
	if !b.Generato.IsZero() {
		f.SetCreationDate(b.Generato)
		f.SetModificationDate(b.Generato)
	}
	f.SetFooterFunc(func() {
		f.SetY(-14)
		f.SetFont("sans", "", 8)
		f.SetTextColor(0x5c, 0x6f, 0x82)
		f.CellFormat(180, 4, "Dati aperti: /pubblico/dati · Licenza CC BY 4.0 · "+b.NomeATS, "", 0, "L", false, 0, "")
	})
	f.AddPage()
	f.SetFillColor(0x00, 0x66, 0xcc)
	f.Rect(0, 0, 210, 4, "F")
	f.SetFont("sans", "B", 10)
	f.SetTextColor(0x00, 0x66, 0xcc)
	f.CellFormat(180, 5, strings.ToUpper(b.NomeATS), "", 1, "L", false, 0, "")
	f.SetFont("sans", "B", 16)
	f.SetTextColor(0x1a, 0x1a, 0x1a)
	f.MultiCell(180, 8, titolo, "", "L", false)
	f.Ln(2)
	f.SetFont("sans", "", 10)
	if !b.HaDati {
		f.MultiCell(180, 5, "Non ci sono ancora dati settimanali da pubblicare.", "", "L", false)
		return output(f)
	}
	s := b.Sintesi
	f.MultiCell(180, 5, fmt.Sprintf("Settimana dal %s al %s. Ultimo giorno con dati: %s.",
		s.Lunedi.Format("02/01/2006"), s.Lunedi.AddDate(0, 0, 4).Format("02/01/2006"), b.Ultimo.Format("02/01/2006")), "", "L", false)
	f.Ln(2)
	f.MultiCell(180, 5, b.Testo, "", "L", false)
	f.Ln(3)
	tabella := func(caption string, celle []Cella, nome func(Cella) string) {
		if len(celle) == 0 {
			return
		}
		f.SetFont("sans", "B", 11)
		f.CellFormat(180, 7, caption, "", 1, "L", false, 0, "")
		w := []float64{50, 35, 45, 25, 25}
		f.SetFont("sans", "B", 9)
		f.SetFillColor(0xe3, 0xec, 0xf5)
		for i, h := range []string{"", "Assenti", "IC 95%", "Plessi", "Alunni"} {
			f.CellFormat(w[i], 6, h, "1", 0, map[bool]string{true: "L", false: "R"}[i == 0], true, 0, "")
		}
		f.Ln(-1)
		f.SetFont("sans", "", 9)
		for _, c := range celle {
			row := []string{nome(c), "non pubblicato", "", "", ""}
			if !c.Soppressa {
				row = []string{nome(c), pct(c.Tasso), pct(c.IcInf) + " – " + pct(c.IcSup), strconv.Itoa(c.Plessi), strconv.Itoa(c.Alunni)}
			}
			for i, v := range row {
				f.CellFormat(w[i], 6, v, "1", 0, map[bool]string{true: "L", false: "R"}[i == 0], false, 0, "")
			}
			f.Ln(-1)
		}
		f.Ln(3)
	}
	area := func(c Cella) string {
		if c.Area == Territorio {
			return "Territorio"
		}
		return "Provincia " + c.Area
	}
	tabella("Per area", append([]Cella{s.Territorio}, s.Province...), area)
	tabella("Per grado scolastico (territorio)", s.Gradi, func(c Cella) string { return NomeGrado(c.Grado) })
	f.SetFont("sans", "", 8.5)
	f.SetTextColor(0x5c, 0x6f, 0x82)
	f.MultiCell(180, 4.2, Metodo, "", "L", false)
	return output(f)
}

func output(f *fpdf.Fpdf) ([]byte, error) {
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("bollettino pubblico: %w", err)
	}
	return buf.Bytes(), nil
}

func pct(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strings.Replace(strconv.FormatFloat(100*x, 'f', 1, 64), ".", ",", 1) + "%"
}

// NomeGrado names a grade of the table in Italian.
func NomeGrado(g string) string {
	return map[string]string{Tutti: "Tutti i gradi", "primaria": "Primaria", "secondaria1": "Secondaria di primo grado", "secondaria2": "Secondaria di secondo grado"}[g]
}
