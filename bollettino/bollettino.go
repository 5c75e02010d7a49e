// Package bollettino renders the weekly surveillance bulletin ("bollettino
// settimanale") of school absences: as a PDF with charts drawn server-side
// (gonum/plot rendered to PNG, laid out with fpdf) and as an HTML fragment
// with the same sections and the charts' numbers as tables.
//
// It works on a plain data struct (Dati) filled by the caller: no database,
// no I/O. Rates are shares (0–1) and are printed Italian style ("3,4%").
// Only aggregated data are shown: nothing about individual pupils.
package bollettino

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the bulletin prints Italian time on any server
)

// fusoRoma is the time zone of the times the bulletin prints: the portal's
// pages show Europe/Rome, and so must the bulletin, whatever the server's.
var fusoRoma = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		panic(err) // embedded by time/tzdata
	}
	return l
}()

// oraItaliana is "27/11/2026 alle 11:46" in Europe/Rome.
func oraItaliana(t time.Time) string { return Italiano.ora(t) }

// ora is the time in Europe/Rome in the language: "27/11/2026 alle 11:46".
func (l Lingua) ora(t time.Time) string {
	t = t.In(fusoRoma)
	return l.f("alle", data(t), t.Format("15:04"))
}

// Punto is one school day of the territorial absence series: the rate
// (share of pupils absent, 0–1), the expected rate and the upper threshold
// of the detector, and whether the day raised an alarm. Valido is false when
// the day has too few reports to be trusted (it is left out of the line).
type Punto struct {
	Giorno                time.Time
	Tasso, Atteso, Soglia float64
	Allarme               bool
	Valido                bool
}

// Settimana is the weekly territorial rate of the week starting on Lunedi.
type Settimana struct {
	Lunedi time.Time
	Tasso  float64
	Plessi int
}

// Gruppo is a breakdown (province, district, school grade): this week's
// rate against the previous week's.
type Gruppo struct {
	Nome             string
	Tasso, TassoPrec float64
	Plessi           int
	Chiave           string // the series key ("provincia:CR"), for naming it in another language
}

// Allerta is an alert of a detector. Osservato, Atteso and Soglia are rates
// (shares) like everywhere else.
type Allerta struct {
	ID                        int64
	Data                      time.Time
	Serie                     string
	Osservato, Atteso, Soglia float64
	// Evidenza and SogliaEvidenza: the accumulated evidence and its
	// threshold; zero SogliaEvidenza for a method without one.
	Evidenza, SogliaEvidenza float64
	Metodo, Stato            string
	Chiave                   string // the series key, for naming it in another language
	// Al is the episode's last alarm day and Picco the day of its peak
	// (Osservato, Atteso and Soglia are that day's).
	Al, Picco time.Time
}

// Completezza is the timeliness of the sentinel reports over a period.
type Completezza struct {
	Periodo                              string
	InTempo, InRitardo, Mancanti, Totale int
	// Aperte counts the plessi whose window is still open (deadline not
	// passed, not complete): in Totale, but neither late nor missing yet.
	Aperte int
}

// chiuse is the plessi whose window is closed: the base of completeness.
func (c Completezza) chiuse() int { return c.Totale - c.Aperte }

// InfluNet is the school-age (5–14) influenza-like illness incidence per
// 1,000 of one ISO week; Settimana is InfluNet's "2026-47" (also accepted:
// "2026-W47" or "47").
type InfluNet struct {
	Settimana string
	Incidenza float64
}

// Dati is everything the bulletin shows.
type Dati struct {
	NomeATS    string
	Settimana  time.Time // Monday of the bulletin's week
	Generato   time.Time
	Serie      []Punto     // last ~12 weeks of school days
	Settimane  []Settimana // weekly rates this school year
	Precedente []Settimana // previous school year, same ISO weeks, may be empty
	Gruppi     []Gruppo
	Allerte    []Allerta
	// Completezza lists periods oldest first; the last one is the bulletin's.
	Completezza []Completezza
	InfluNet    []InfluNet
	// Stima is the post-stratified estimate of the last day of Serie, with its
	// 95% interval and the share of the territory's pupils covered.
	Stima  struct{ Tasso, Basso, Alto, Copertura float64 }
	Metodi string // one paragraph describing the methods (Lingua.Metodi)
	// PlessiStima is the number of plessi the estimate of the last day rests on.
	PlessiStima int
	// AnniPrecedenti is how many previous school years the model had.
	AnniPrecedenti int
	// Situazione is the week in one paragraph (nil: the summary is made
	// of its separate sentences).
	Situazione *Situazione
}

// Titolo is the bulletin's title.
const Titolo = "Bollettino settimanale – sorveglianza delle assenze scolastiche"

// NotaPrivacy is printed at the foot of every page.
const NotaPrivacy = "Dati aggregati: nessun dato personale degli alunni"

// ---- formatting ----

// decimale formats x with n decimals and a decimal comma, never "-0".
func decimale(x float64, n int) string { return Italiano.decimale(x, n) }

// decimale formats x with n decimals and the language's decimal separator,
// never "-0".
func (l Lingua) decimale(x float64, n int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	p := math.Pow(10, float64(n))
	x = math.Round(x*p) / p
	if x == 0 {
		x = 0 // drop the sign of -0
	}
	s := strconv.FormatFloat(x, 'f', n, 64)
	if l == Inglese {
		return s
	}
	return strings.Replace(s, ".", ",", 1)
}

// Pct formats a share as an Italian percentage with one decimal: 0.034 → "3,4%".
func Pct(x float64) string { return Italiano.Pct(x) }

// Pct formats a share as a percentage with one decimal in the language.
func (l Lingua) Pct(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return l.decimale(100*x, 1) + "%"
}

// Evidenza writes an alert's accumulated evidence against its threshold
// ("2,7 su 1,5"), "–" for a method without one.
func (l Lingua) Evidenza(a Allerta) string {
	if !(a.SogliaEvidenza > 0) {
		return "–"
	}
	return l.f("evidenza.su", l.decimale(a.Evidenza, 1), l.decimale(a.SogliaEvidenza, 1))
}

// punti formats a difference of shares in percentage points with its sign:
// 0.008 → "+0,8", -0.008 → "−0,8", 0 → "0,0".
func punti(diff float64) string { return Italiano.punti(diff) }

func (l Lingua) punti(diff float64) string {
	if math.IsNaN(diff) || math.IsInf(diff, 0) {
		return "–"
	}
	s := l.decimale(100*diff, 1)
	switch {
	case s == "0,0" || s == "0.0":
		return s
	case strings.HasPrefix(s, "-"):
		return "−" + s[1:]
	default:
		return "+" + s
	}
}

// intero formats a whole number with the Italian thousands separator.
func intero(n int) string { return Italiano.intero(n) }

// intero formats a whole number with the language's thousands separator.
func (l Lingua) intero(n int) string {
	sep := byte('.')
	if l == Inglese {
		sep = ','
	}
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func data(t time.Time) string { return t.Format("02/01/2006") }

var giorniSett = [...]string{"dom", "lun", "mar", "mer", "gio", "ven", "sab"}

var giorniSettEN = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// giornoBreve is "lun 23/11".
func giornoBreve(t time.Time) string { return Italiano.giornoBreve(t) }

func (l Lingua) giornoBreve(t time.Time) string {
	if l == Inglese {
		return giorniSettEN[t.Weekday()] + " " + t.Format("02/01")
	}
	return giorniSett[t.Weekday()] + " " + t.Format("02/01")
}

func sabato(d Dati) time.Time { return d.Settimana.AddDate(0, 0, 5) }

// periodo is "settimana dal 23/11/2026 al 28/11/2026".
func periodo(d Dati) string { return Italiano.periodo(d) }

func (l Lingua) periodo(d Dati) string {
	if d.Settimana.IsZero() {
		return l.t("settimana")
	}
	return l.f("settimanaDal", data(d.Settimana), data(sabato(d)))
}

// NomeSerie turns a series key into words: "provincia:CR" → "Provincia CR",
// "grado:primaria" → "Grado primaria", "territorio" → "Territorio".
func NomeSerie(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, ":", " "))
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// annoScolastico is "2026/27" for a day of that school year (September on).
func annoScolastico(t time.Time) string {
	y := t.Year()
	if t.Month() < time.September {
		y--
	}
	return fmt.Sprintf("%d/%02d", y, (y+1)%100)
}

// ---- derived figures ----

func stessoGiorno(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

func finito(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// tassoSettimana returns the weekly rate of the week starting on lunedi: from
// Settimane if listed, otherwise the mean of the valid days of Serie.
func tassoSettimana(d Dati, lunedi time.Time) (float64, bool) {
	for _, s := range d.Settimane {
		if stessoGiorno(s.Lunedi, lunedi) && finito(s.Tasso) {
			return s.Tasso, true
		}
	}
	fine := lunedi.AddDate(0, 0, 7)
	var sum float64
	n := 0
	for _, p := range d.Serie {
		if p.Valido && finito(p.Tasso) && !p.Giorno.Before(lunedi) && p.Giorno.Before(fine) {
			sum += p.Tasso
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

func ultimoGiorno(d Dati) (time.Time, bool) {
	if len(d.Serie) == 0 {
		return time.Time{}, false
	}
	last := d.Serie[0].Giorno
	for _, p := range d.Serie[1:] {
		if p.Giorno.After(last) {
			last = p.Giorno
		}
	}
	return last, true
}

func haStima(d Dati) bool {
	return d.Stima.Tasso > 0 && finito(d.Stima.Tasso) && finito(d.Stima.Basso) && finito(d.Stima.Alto)
}

// completezzaCorrente is the last period of Completezza.
func completezzaCorrente(d Dati) (Completezza, bool) {
	if len(d.Completezza) == 0 {
		return Completezza{}, false
	}
	// The last window with a deadline passed: a window still open says
	// nothing yet about completeness.
	for i := len(d.Completezza) - 1; i >= 0; i-- {
		if c := d.Completezza[i]; c.chiuse() > 0 {
			return c, true
		}
	}
	return Completezza{}, false
}

func quota(num, den int) float64 {
	if den <= 0 {
		return math.NaN()
	}
	return float64(num) / float64(den)
}

// allarmi counts the alarm days of Serie.
func allarmi(d Dati) int {
	n := 0
	for _, p := range d.Serie {
		if p.Allarme {
			n++
		}
	}
	return n
}

// Sintesi returns 2–4 Italian sentences: the situation of the week (rate and
// change against the previous week, the post-stratified estimate of the
// last day with its 95% interval), the alerts and the completeness of the
// reports.
func Sintesi(d Dati) string { return Italiano.Sintesi(d) }

// Sintesi returns the summary sentences in the language.
func (l Lingua) Sintesi(d Dati) string {
	var frasi []string
	if d.Situazione != nil {
		// The week's paragraph says the rate, its trend, the alerts by
		// level, emergency mode; the estimate and completeness follow.
		frasi = append(frasi, l.Paragrafo(*d.Situazione))
		if s, ok := l.fraseStima(d); ok {
			frasi = append(frasi, s)
		}
		if s, ok := l.fraseCompletezza(d); ok {
			frasi = append(frasi, s)
		}
		return strings.Join(frasi, " ")
	}

	// 1. The week's rate and its change.
	tasso, ok := tassoSettimana(d, d.Settimana)
	prec, okPrec := tassoSettimana(d, d.Settimana.AddDate(0, 0, -7))
	switch {
	case !ok:
		frasi = append(frasi, l.f("sintesi.nodati", l.periodo(d)))
	case !okPrec:
		frasi = append(frasi, l.f("sintesi.tasso", l.periodo(d), l.Pct(tasso)))
	default:
		diff := tasso - prec
		var variazione string
		switch p := l.punti(diff); {
		case p == "0,0" || p == "0.0":
			variazione = l.f("sintesi.stabile", l.Pct(prec))
		case diff > 0:
			variazione = l.f("sintesi.aumento", l.Pct(prec), p)
		default:
			variazione = l.f("sintesi.calo", l.Pct(prec), p)
		}
		frasi = append(frasi, l.f("sintesi.tassoVar", l.periodo(d), l.Pct(tasso), variazione))
	}

	// 2. The post-stratified estimate.
	if s, ok := l.fraseStima(d); ok {
		frasi = append(frasi, s)
	}

	// 3. Alerts.
	switch n := len(d.Allerte); n {
	case 0:
		frasi = append(frasi, l.t("sintesi.nessunaAllerta"))
	case 1:
		a := d.Allerte[0]
		frasi = append(frasi, l.f("sintesi.unaAllerta", NomeSerie(a.Serie), data(a.Data), l.Pct(a.Osservato), l.Pct(a.Atteso)))
	default:
		frasi = append(frasi, l.f("sintesi.allerte", n, l.elencoSerie(d.Allerte)))
	}

	// 4. Completeness.
	if s, ok := l.fraseCompletezza(d); ok {
		frasi = append(frasi, s)
	}
	return strings.Join(frasi, " ")
}

// fraseStima is the sentence on the post-stratified estimate.
func (l Lingua) fraseStima(d Dati) (string, bool) {
	if !haStima(d) {
		return "", false
	}
	giorno := l.t("sintesi.ultimoGiorno")
	if g, ok := ultimoGiorno(d); ok {
		giorno = l.f("sintesi.ultimoGiornoData", data(g))
	}
	s := l.f("sintesi.stima", giorno, l.Pct(d.Stima.Tasso), l.Pct(d.Stima.Basso), l.Pct(d.Stima.Alto))
	if d.Stima.Copertura > 0 {
		s += l.f("sintesi.copertura", l.Pct(d.Stima.Copertura))
	}
	return s + ".", true
}

// fraseCompletezza is the sentence on the reports' completeness.
func (l Lingua) fraseCompletezza(d Dati) (string, bool) {
	c, ok := completezzaCorrente(d)
	if !ok {
		return "", false
	}
	q := l.Pct(quota(c.InTempo+c.InRitardo, c.chiuse()))
	s := l.f("sintesi.completezza", q)
	if c.Periodo != "" {
		s = l.f("sintesi.completezzaPeriodo", c.Periodo, q)
	}
	if c.Aperte > 0 {
		s += l.f("sintesi.completezzaAperte", l.intero(c.InTempo), l.intero(c.InRitardo), l.intero(c.Mancanti), l.intero(c.chiuse()), l.intero(c.Aperte))
	} else {
		s += l.f("sintesi.completezzaChiuse", l.intero(c.InTempo), l.intero(c.InRitardo), l.intero(c.Mancanti), l.intero(c.Totale))
	}
	return s, true
}

// elencoSerie lists the distinct series of the alerts, at most three.
func (l Lingua) elencoSerie(as []Allerta) string {
	var nomi []string
	seen := map[string]bool{}
	for _, a := range as {
		n := NomeSerie(a.Serie)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		nomi = append(nomi, n)
	}
	if len(nomi) == 0 {
		return l.t("elenco.tabella")
	}
	if len(nomi) > 3 {
		return l.f("elenco.altre", strings.Join(nomi[:3], ", "))
	}
	if len(nomi) == 1 {
		return l.f("elenco.una", nomi[0])
	}
	return l.f("elenco.piu", strings.Join(nomi[:len(nomi)-1], ", "), nomi[len(nomi)-1])
}

// ---- weekly table shared by the chart and the HTML ----

// rigaSettimana is one ISO week of the weekly chart: this year's rate, the
// previous year's and InfluNet's incidence, each possibly missing (NaN).
type rigaSettimana struct {
	X          float64 // position on the school-year axis (see posizione)
	Settimana  int     // ISO week
	Lunedi     time.Time
	Tasso      float64
	Precedente float64
	InfluNet   float64
	Corrente   bool // the bulletin's week
}

// posizione places ISO week w on a school-year axis: September–December
// weeks keep their number, January–August weeks follow week 53.
func posizione(w int) float64 {
	if w >= 32 {
		return float64(w)
	}
	return float64(w + 53)
}

// settimanaInfluNet parses "2026-47", "2026-W47" or "47".
func settimanaInfluNet(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "-Ww"); i >= 0 {
		s = s[i+1:]
	}
	w, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || w < 1 || w > 53 {
		return 0, false
	}
	return w, true
}

func settimaneUnite(d Dati) []rigaSettimana {
	righe := map[int]*rigaSettimana{}
	get := func(w int) *rigaSettimana {
		r, ok := righe[w]
		if !ok {
			r = &rigaSettimana{X: posizione(w), Settimana: w, Tasso: math.NaN(), Precedente: math.NaN(), InfluNet: math.NaN()}
			righe[w] = r
		}
		return r
	}
	_, wCorr := d.Settimana.ISOWeek()
	for _, s := range d.Settimane {
		_, w := s.Lunedi.ISOWeek()
		r := get(w)
		r.Tasso, r.Lunedi = s.Tasso, s.Lunedi
	}
	for _, s := range d.Precedente {
		_, w := s.Lunedi.ISOWeek()
		get(w).Precedente = s.Tasso
	}
	for _, f := range d.InfluNet {
		if w, ok := settimanaInfluNet(f.Settimana); ok {
			get(w).InfluNet = f.Incidenza
		}
	}
	out := make([]rigaSettimana, 0, len(righe))
	for _, r := range righe {
		r.Corrente = r.Settimana == wCorr && !d.Settimana.IsZero()
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].X < out[j].X })
	return out
}

// indicatore is one key figure of the week.
type indicatore struct{ Etichetta, Valore, Nota string }

// indicatoriDi returns the key figures: the week's rate and its change, the
// estimate of the last day, the alerts and the completeness.
func indicatoriDi(d Dati) []indicatore { return Italiano.indicatori(d) }

func (l Lingua) indicatori(d Dati) []indicatore {
	var ts []indicatore
	t := indicatore{l.t("ind.tasso"), "–", l.t("ind.insufficienti")}
	if v, ok := tassoSettimana(d, d.Settimana); ok {
		t.Valore = l.Pct(v)
		t.Nota = l.t("ind.precNo")
		if pr, ok := tassoSettimana(d, d.Settimana.AddDate(0, 0, -7)); ok {
			t.Nota = l.f("ind.varPrec", freccia(v-pr), l.punti(v-pr))
		}
	}
	ts = append(ts, t)

	t = indicatore{l.t("ind.stima"), "–", l.t("ind.stimaNo")}
	if haStima(d) {
		t.Valore = l.Pct(d.Stima.Tasso)
		t.Nota = l.f("ind.ic", l.Pct(d.Stima.Basso), l.Pct(d.Stima.Alto))
	}
	ts = append(ts, t)

	t = indicatore{l.t("ind.allerte"), l.intero(len(d.Allerte)), l.t("ind.nessunaAllerta")}
	if n := len(d.Allerte); n > 0 {
		aperte := 0
		for _, a := range d.Allerte {
			if s := strings.ToLower(a.Stato); s == "nuovo" || s == "in valutazione" {
				aperte++
			}
		}
		t.Nota = l.f("ind.daValutare", aperte)
	}
	ts = append(ts, t)

	t = indicatore{l.t("ind.completezza"), "–", l.t("ind.completezzaNo")}
	if c, ok := completezzaCorrente(d); ok {
		t.Valore = l.Pct(quota(c.InTempo+c.InRitardo, c.chiuse()))
		t.Nota = l.f("ind.ritardoMancanti", l.intero(c.InRitardo), l.intero(c.Mancanti))
		if c.Aperte > 0 {
			t.Nota += l.f("ind.aperte", l.intero(c.Aperte))
		}
	}
	return append(ts, t)
}

// freccia is the direction of a change as a shape: ▲ up, ▼ down, = stable.
func freccia(diff float64) string {
	switch s := punti(diff); {
	case s == "0,0" || s == "0.0" || s == "–":
		return "="
	case diff > 0:
		return "▲"
	default:
		return "▼"
	}
}
