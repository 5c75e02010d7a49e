package bollettino

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/internal/testenv"
)

var roma = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

const metodiEsempio = "Il tasso giornaliero è la quota di alunni assenti sul totale degli iscritti dei plessi sentinella che hanno inviato i dati; " +
	"il valore atteso e la soglia superiore sono calcolati con il metodo di Farrington modificato sulle stesse settimane degli anni precedenti. " +
	"La stima post-stratificata pesa ogni strato (provincia × grado) per la sua popolazione scolastica, perché i plessi sentinella non sono un campione proporzionale. " +
	"Le attività di sorveglianza usano soltanto dati aggregati."

// esempio builds a realistic bulletin: 11 weeks of school days from the
// start of the school year 2026/27, an autumn rise with InfluNet, alarms in
// the bulletin's week, one incomplete day.
func esempio() Dati {
	lun := time.Date(2026, 11, 23, 0, 0, 0, 0, roma)
	d := Dati{
		NomeATS:   "ATS della Val Padana",
		Settimana: lun,
		Generato:  time.Date(2026, 11, 30, 7, 30, 0, 0, roma),
		Metodi:    metodiEsempio,
	}
	inizio := time.Date(2026, 9, 14, 0, 0, 0, 0, roma)
	giornoSett := map[time.Weekday]float64{time.Monday: 0.006, time.Tuesday: 0.001, time.Wednesday: 0, time.Thursday: 0.0005, time.Friday: 0.003}
	settimane := map[time.Time][]float64{}
	for g := inizio; !g.After(lun.AddDate(0, 0, 4)); g = g.AddDate(0, 0, 1) {
		if g.Weekday() == time.Saturday || g.Weekday() == time.Sunday {
			continue
		}
		k := float64(g.Sub(inizio).Hours() / 24)
		atteso := 0.041 + 0.00012*k + giornoSett[g.Weekday()]
		tasso := atteso + 0.003*math.Sin(k*1.7)
		if g.After(lun.AddDate(0, 0, -10)) {
			tasso += 0.0012 * (k - 60) // the autumn rise
		}
		p := Punto{Giorno: g, Tasso: tasso, Atteso: atteso, Soglia: atteso + 0.012, Valido: true}
		p.Allarme = p.Tasso > p.Soglia
		if g.Equal(time.Date(2026, 10, 13, 0, 0, 0, 0, roma)) {
			p.Valido, p.Tasso = false, 0.029
		}
		d.Serie = append(d.Serie, p)
		m := g.AddDate(0, 0, -int(g.Weekday()-time.Monday))
		if p.Valido {
			settimane[m] = append(settimane[m], p.Tasso)
		}
	}
	for m := inizio; !m.After(lun); m = m.AddDate(0, 0, 7) {
		var s float64
		for _, v := range settimane[m] {
			s += v
		}
		d.Settimane = append(d.Settimane, Settimana{Lunedi: m, Tasso: s / float64(len(settimane[m])), Plessi: 118})
		// The same ISO week of the previous year.
		y, w := m.ISOWeek()
		pm := isoLunedi(y-1, w)
		d.Precedente = append(d.Precedente, Settimana{Lunedi: pm, Tasso: 0.043 + 0.0009*float64(len(d.Precedente)) + 0.002*math.Cos(float64(w)), Plessi: 104})
	}
	for w, inc := range map[int]float64{42: 1.1, 43: 1.4, 44: 1.6, 45: 2.2, 46: 2.9, 47: 3.8, 48: 4.6} {
		d.InfluNet = append(d.InfluNet, InfluNet{Settimana: fmt.Sprintf("2026-%02d", w), Incidenza: inc})
	}
	d.Gruppi = []Gruppo{
		{"Provincia di Cremona", 0.071, 0.061, 64, ""},
		{"Provincia di Mantova", 0.066, 0.059, 54, ""},
		{"Distretto Cremonese", 0.074, 0.062, 28, ""},
		{"Distretto Crema", 0.069, 0.060, 22, ""},
		{"Distretto Casalasco", 0.068, 0.061, 14, ""},
		{"Distretto Mantova", 0.064, 0.058, 20, ""},
		{"Distretto Alto Mantovano", 0.067, 0.060, 18, ""},
		{"Distretto Basso Mantovano", 0.0655, 0.0655, 16, ""},
		{"Scuola dell'infanzia", 0.089, 0.072, 30, ""},
		{"Primaria", 0.072, 0.060, 46, ""},
		{"Secondaria di I grado", 0.061, 0.057, 26, ""},
		{"Secondaria di II grado", 0.052, 0.055, 16, ""},
	}
	d.Allerte = []Allerta{
		{ID: 41, Data: lun.AddDate(0, 0, 3), Serie: "territorio", Osservato: 0.071, Atteso: 0.055, Soglia: 0.067, Metodo: "farrington", Stato: "nuovo"},
		{ID: 42, Data: lun.AddDate(0, 0, 4), Serie: "grado:primaria", Osservato: 0.079, Atteso: 0.058, Soglia: 0.071, Metodo: "ears-c2", Stato: "in valutazione"},
		{ID: 43, Data: lun.AddDate(0, 0, 4), Serie: "distretto:Cremonese", Osservato: 0.083, Atteso: 0.061, Soglia: 0.075, Metodo: "farrington", Stato: "nuovo"},
	}
	d.Completezza = []Completezza{
		{"settimana dal 02/11 al 07/11", 104, 9, 5, 118, 0},
		{"settimana dal 09/11 al 14/11", 106, 7, 5, 118, 0},
		{"settimana dal 16/11 al 21/11", 108, 6, 4, 118, 0},
		{"settimana dal 23/11 al 28/11", 109, 5, 4, 118, 0},
	}
	d.Stima.Tasso, d.Stima.Basso, d.Stima.Alto, d.Stima.Copertura = 0.0724, 0.0668, 0.0781, 0.27
	return d
}

func isoLunedi(year, week int) time.Time {
	t := time.Date(year, 1, 4, 0, 0, 0, 0, roma) // always in ISO week 1
	t = t.AddDate(0, 0, -int((t.Weekday()+6)%7))
	return t.AddDate(0, 0, 7*(week-1))
}

func TestFormati(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{Pct(0.034), "3,4%"}, {Pct(0.0345001), "3,5%"}, {Pct(-0.00001), "0,0%"}, {Pct(1), "100,0%"}, {Pct(math.NaN()), "–"},
		{punti(0.008), "+0,8"}, {punti(-0.0123), "−1,2"}, {punti(0.0001), "0,0"},
		{intero(7), "7"}, {intero(1234567), "1.234.567"}, {intero(-1500), "-1.500"},
		{NomeSerie("provincia:CR"), "Provincia CR"}, {NomeSerie("territorio"), "Territorio"},
		{periodo(Dati{Settimana: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}), "settimana dal 23/11/2026 al 28/11/2026"},
		{annoScolastico(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)), "2026/27"},
		{annoScolastico(time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)), "2026/27"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for s, w := range map[string]int{"2026-47": 47, "2026-W05": 5, "3": 3, "x": 0} {
		got, _ := settimanaInfluNet(s)
		if got != w {
			t.Errorf("settimanaInfluNet(%q) = %d, want %d", s, got, w)
		}
	}
}

var frase = regexp.MustCompile(`[.!?](\s|$)`)

func TestSintesi(t *testing.T) {
	d := esempio()
	d.Settimane = []Settimana{
		{Lunedi: d.Settimana.AddDate(0, 0, -7), Tasso: 0.029, Plessi: 110},
		{Lunedi: d.Settimana, Tasso: 0.034, Plessi: 112},
	}
	d.Stima.Tasso, d.Stima.Basso, d.Stima.Alto, d.Stima.Copertura = 0.0352, 0.0311, 0.0378, 0.27
	s := Sintesi(d)
	t.Log(s)
	for _, want := range []string{
		"settimana dal 23/11/2026 al 28/11/2026",
		"è stato del 3,4%", "in aumento rispetto al 2,9% della settimana precedente (+0,5 punti percentuali)",
		"La stima post-stratificata dell'ultimo giorno (27/11/2026) è del 3,5% (IC 95%: 3,1%–3,8%)",
		"copertura del 27,0%",
		"Sono state generate 3 allerte statistiche (serie Territorio, Grado primaria e Distretto Cremonese)",
		"(settimana dal 23/11 al 28/11) è del 96,6%: 109 in tempo, 5 in ritardo e 4 mancanti su 118 attese",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("Sintesi lacks %q:\n%s", want, s)
		}
	}
	if n := len(frase.FindAllString(s, -1)); n < 2 || n > 4 {
		t.Errorf("Sintesi has %d sentences, want 2–4:\n%s", n, s)
	}

	// A fall, one alert, no estimate.
	d.Settimane[1].Tasso = 0.025
	d.Allerte = d.Allerte[:1]
	d.Stima.Tasso = 0
	s = Sintesi(d)
	for _, want := range []string{"in calo rispetto al 2,9% della settimana precedente (−0,4 punti percentuali)", "È stata generata 1 allerta statistica (Territorio, 26/11/2026: 7,1% contro un valore atteso del 5,5%)"} {
		if !strings.Contains(s, want) {
			t.Errorf("Sintesi lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "stima") {
		t.Errorf("Sintesi mentions a missing estimate:\n%s", s)
	}

	// Nothing at all: still two sentences.
	s = Sintesi(Dati{Settimana: d.Settimana})
	if !strings.Contains(s, "non sono disponibili dati sufficienti") || !strings.Contains(s, "Non è stata generata alcuna allerta") {
		t.Errorf("empty Sintesi: %s", s)
	}
	if n := len(frase.FindAllString(s, -1)); n < 2 || n > 4 {
		t.Errorf("empty Sintesi has %d sentences:\n%s", n, s)
	}
}

func TestSintesiFallbackSerie(t *testing.T) {
	// Without weekly rates the week's rate is the mean of its valid days.
	d := esempio()
	d.Settimane = nil
	got, ok := tassoSettimana(d, d.Settimana)
	var sum float64
	n := 0
	for _, p := range d.Serie {
		if p.Valido && !p.Giorno.Before(d.Settimana) {
			sum += p.Tasso
			n++
		}
	}
	if !ok || n != 5 || math.Abs(got-sum/5) > 1e-12 {
		t.Fatalf("tassoSettimana = %v %v, want %v over %d days", got, ok, sum/5, n)
	}
	if !strings.Contains(Sintesi(d), "è stato del "+Pct(sum/5)) {
		t.Errorf("Sintesi: %s", Sintesi(d))
	}
}

func controllaPDF(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) {
		t.Fatalf("not a PDF: %q", b[:min(len(b), 20)])
	}
	if !bytes.Contains(b[max(0, len(b)-64):], []byte("%%EOF")) {
		t.Fatal("PDF has no EOF trailer")
	}
	if !bytes.Contains(b, []byte("/Type /Catalog")) || !bytes.Contains(b, []byte("/Type /Pages")) {
		t.Fatal("PDF has no catalog or page tree")
	}
}

// testoPDF extracts the text with pdftotext, or skips.
func testoPDF(t *testing.T, file string) string {
	t.Helper()
	testenv.Program(t, "Debian: apt-get install poppler-utils; text not checked", "pdftotext")
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// pagina renders one page to PNG with pdftoppm and decodes it, or skips.
func pagina(t *testing.T, file string, n int) image.Image {
	t.Helper()
	testenv.Program(t, "Debian: apt-get install poppler-utils; rendering not checked", "pdftoppm")
	pre := filepath.Join(t.TempDir(), "pagina")
	if out, err := exec.Command("pdftoppm", "-r", "72", "-f", fmt.Sprint(n), "-l", fmt.Sprint(n), "-singlefile", "-png", file, pre).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(pre + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("page %d is not a PNG: %v", n, err)
	}
	return img
}

// scuri counts the dark pixels of img within the band of rows [y0, y1)
// given as fractions of the height.
func scuri(img image.Image, y0, y1 float64) int {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y + int(y0*float64(b.Dy())); y < b.Min.Y+int(y1*float64(b.Dy())); y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0x8000 {
				n++
			}
		}
	}
	return n
}

func scrivi(t *testing.T, b []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "bollettino.pdf")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("BOLLETTINO_OUT"); dir != "" { // to look at it: BOLLETTINO_OUT=/tmp go test
		_ = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+".pdf"), b, 0o644)
	}
	return file
}

func TestPDF(t *testing.T) {
	b, err := PDF(esempio())
	if err != nil {
		t.Fatal(err)
	}
	controllaPDF(t, b)
	file := scrivi(t, b)

	t.Run("testo", func(t *testing.T) {
		txt := testoPDF(t, file)
		flat := strings.Join(strings.Fields(txt), " ")
		for _, want := range []string{
			Titolo, "ATS DELLA VAL PADANA", "settimana dal 23/11/2026 al 28/11/2026",
			"è stato del", "perché", "attività", "Scuola dell'infanzia",
			"Tasso di assenza per gruppo", "Allerte statistiche", "Completezza delle segnalazioni", "Metodi",
			NotaPrivacy, "Pagina 1 di 3", "Pagina 3 di 3", "IC 95%", "ears-c2", "▲ +1,0 p.p.",
		} {
			if !strings.Contains(flat, want) {
				t.Errorf("PDF text lacks %q", want)
			}
		}
		if strings.Contains(flat, "{nb}") {
			t.Error("page count alias not replaced")
		}
		if t.Failed() {
			t.Log(txt)
		}
	})
	t.Run("pagina1", func(t *testing.T) {
		img := pagina(t, file, 1)
		if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 400 || b.Dy() < b.Dx() {
			t.Fatalf("page 1 is %v, want A4 portrait", b)
		}
		// The daily chart sits in the lower half of page 1.
		if n := scuri(img, 0.45, 0.9); n < 500 {
			t.Errorf("chart area of page 1 has %d dark pixels: blank?", n)
		}
		if n := scuri(img, 0, 0.2); n < 200 {
			t.Errorf("title area of page 1 has %d dark pixels: blank?", n)
		}
	})
}

func TestPDFVuoto(t *testing.T) {
	for name, d := range map[string]Dati{
		"zero": {},
		"minimo": {NomeATS: "ATS della Val Padana", Settimana: time.Date(2026, 11, 23, 0, 0, 0, 0, roma),
			Completezza: []Completezza{{Periodo: "settimana", Totale: 0}}},
		"senza-precedente-ne-allerte": func() Dati {
			d := esempio()
			d.Precedente, d.Allerte, d.InfluNet, d.Gruppi = nil, nil, nil, nil
			return d
		}(),
		"un-giorno": func() Dati {
			d := esempio()
			d.Serie = d.Serie[len(d.Serie)-1:]
			d.Settimane = d.Settimane[len(d.Settimane)-1:]
			d.Precedente = nil
			d.Serie[0].Atteso, d.Serie[0].Soglia = math.NaN(), 0
			return d
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			b, err := PDF(d)
			if err != nil {
				t.Fatal(err)
			}
			controllaPDF(t, b)
			file := scrivi(t, b)
			if _, err := HTML(d); err != nil {
				t.Fatal(err)
			}
			if name == "senza-precedente-ne-allerte" {
				txt := strings.Join(strings.Fields(testoPDF(t, file)), " ")
				for _, want := range []string{"Nessuna allerta statistica nella settimana", "Nessun dato per gruppo disponibile", "Non è stata generata alcuna allerta"} {
					if !strings.Contains(txt, want) {
						t.Errorf("PDF text lacks %q", want)
					}
				}
				img := pagina(t, file, 1)
				if n := scuri(img, 0.45, 0.9); n < 500 {
					t.Errorf("chart area of page 1 has %d dark pixels: blank?", n)
				}
			}
		})
	}
}

func TestHTML(t *testing.T) {
	d := esempio()
	d.Gruppi = append(d.Gruppi, Gruppo{Nome: `<script>alert("x")</script> & "Co"`, Tasso: 0.05, TassoPrec: 0.05, Plessi: 3})
	d.Metodi += ` <img src=x onerror=alert(1)>`
	h, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	testo := html.UnescapeString(h)
	for _, want := range []string{
		"▲ +1,0 p.p.", "= 0,0 p.p.", `<script>alert("x")</script> & "Co"`,
	} {
		if !strings.Contains(testo, want) {
			t.Errorf("HTML text lacks %q", want)
		}
	}
	for _, want := range []string{
		`<article class="bollettino"`, Titolo, "ATS della Val Padana", "settimana dal 23/11/2026 al 28/11/2026",
		`id="bollettino-sintesi"`, `id="bollettino-giornaliero"`, `id="bollettino-settimanale"`, `id="bollettino-gruppi"`,
		`id="bollettino-allerte"`, `id="bollettino-completezza"`, `id="bollettino-metodi"`,
		"è stato del", "IC 95%", "<td class=\"text-end\">7,1%</td>",
		"Distretto Cremonese", "ears-c2", "in valutazione", "96,6%", "InfluNet (per 1.000)", "<td class=\"text-end\">4,6</td>",
		"a.s. 2025/26", "▲ allarme", "dato incompleto", NotaPrivacy,
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;Co&#34;`, `&lt;img src=x onerror=alert(1)&gt;`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<html", "<body", "<head>", "<script", "<style", " style=", "<img", "onerror=alert(1)>"} {
		if strings.Contains(strings.ToLower(h), bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	controllaTag(t, h)
	if t.Failed() {
		t.Log(h)
	}
}

func TestHTMLVuoto(t *testing.T) {
	h, err := HTML(Dati{NomeATS: "ATS", Settimana: time.Date(2026, 11, 23, 0, 0, 0, 0, roma)})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Nessun dato giornaliero", "Nessun dato settimanale", "Nessuna allerta statistica nella settimana", "Nessun dato di completezza", "Sintesi"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(h, "Metodi") {
		t.Error("empty methods section rendered")
	}
	controllaTag(t, h)
}

var tag = regexp.MustCompile(`<(/?)([a-z0-9]+)[^>]*>`)

// controllaTag checks that the fragment's elements nest properly (void
// elements aside).
func controllaTag(t *testing.T, h string) {
	t.Helper()
	var stack []string
	for _, m := range tag.FindAllStringSubmatch(h, -1) {
		name := m[2]
		switch name {
		case "br", "hr", "img", "input", "meta", "link", "wbr":
			continue
		}
		if m[1] == "" {
			stack = append(stack, name)
			continue
		}
		if len(stack) == 0 || stack[len(stack)-1] != name {
			t.Fatalf("unbalanced </%s> (open: %v)", name, stack)
		}
		stack = stack[:len(stack)-1]
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements: %v", stack)
	}
}

func BenchmarkPDF(b *testing.B) {
	d := esempio()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PDF(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHTML(b *testing.B) {
	d := esempio()
	for b.Loop() {
		if _, err := HTML(d); err != nil {
			b.Fatal(err)
		}
	}
}
