package allerta

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/bollettino"
	"github.com/portalescuole/portalescuole/internal/testo"
	"github.com/portalescuole/portalescuole/store"
)

// Nominatore names series in words, as an operator reads them.
type Nominatore struct {
	Plesso    func(codice string) string // a plesso's name, "" when unknown
	Distretti map[string]string          // district code → name
}

// Nominatore returns the engine's names: plessi from the aggregates,
// districts from the store.
func (m *Motore) Nominatore(ctx context.Context) Nominatore {
	n := nominatoreDistretti(ctx, m.db)
	n.Plesso = func(codice string) string {
		if s := m.arch.Nome(codice); s != "" {
			return s
		}
		// The archive may not be loaded yet (a page before any run).
		if p, err := m.db.Plesso(ctx, codice); err == nil {
			return p.Nome
		}
		return ""
	}
	return n
}

var nomiGradi = map[string]string{
	string(ps.Primaria): "Scuola primaria", string(ps.Secondaria1): "Scuola secondaria di I grado",
	string(ps.Secondaria2): "Scuola secondaria di II grado", string(ps.Infanzia): "Scuola dell'infanzia", string(ps.AltroGrado): "Altre scuole",
}

// Nome names a series: "Provincia di Cremona", "Scuola primaria",
// "CREE80002T – Scuola primaria di Gussola", "Febbre o sintomi respiratori –
// Provincia di Cremona"; never an internal key unless nothing better is
// known.
func (n Nominatore) Nome(nome string) string {
	if b, ok := strings.CutPrefix(nome, aggregati.PrefissoSentinella); ok {
		return n.Nome(b) + " – solo rete sentinella"
	}
	if b, motivo := aggregati.Base(nome); motivo != "" {
		label := map[string]string{"febbre": "Febbre o sintomi respiratori", "gastro": "Disturbi gastrointestinali"}[motivo]
		return label + " – " + n.Nome(b)
	}
	if nome == aggregati.Territorio {
		return "Intero territorio"
	}
	k, v, _ := strings.Cut(nome, ":")
	switch k {
	case "provincia":
		return "Provincia di " + ps.NomeProvincia(v)
	case "distretto":
		if d := n.Distretti[v]; d != "" {
			return d
		}
		return "Distretto " + v
	case "grado":
		if g := nomiGradi[v]; g != "" {
			return g
		}
		return "Grado " + v
	case "plesso":
		if n.Plesso != nil {
			if p := n.Plesso(v); p != "" && p != v {
				return v + " – " + p
			}
		}
		return "Plesso " + v
	}
	return nome
}

// testiMetodo are the method descriptions, Italian first: one table for
// the alert page, the e-mails and the bulletin in both languages.
var testiMetodo = map[string][2]string{
	"predefiniti": {"con i parametri predefiniti", "with the default parameters"},
	"con":         {"con %s", "with %s"},
	"settimanale": {"Metodo di Farrington (versione flessibile) sulle assenze settimanali: il valore atteso di una settimana viene dalle stesse settimane (± %s) dei %s anni scolastici precedenti; allerta quando la settimana supera il limite superiore dell'intervallo di previsione al livello alpha = %s.",
		"Farrington's method (flexible version) on weekly absences: a week's expected value comes from the same weeks (± %s) of the %s previous school years; an alert when the week exceeds the upper limit of the prediction interval at level alpha = %s."},
	"livello": {"Modello scolastico del portale, %s: il valore atteso di un giorno è il livello robusto delle assenze delle quattro settimane di scuola precedenti, esclusi gli ultimi cinque giorni (così segue il lento aumento autunnale e invernale ma non assorbe l'inizio di un'ondata), corretto per giorno della settimana e rientro dalle vacanze; l'intervallo al 95%% tiene conto di sovradispersione e correlazione tra giorni; l'allerta scatta quando l'evidenza accumulata di un aumento oltre il 10%% supera la sua soglia.",
		"The portal's school model, %s: a day's expected value is the robust level of absence over the four previous school weeks, leaving out the latest five days (so it follows the slow autumn and winter rise but does not absorb the start of a wave), corrected for the day of the week and the return from holidays; the 95%% interval allows for overdispersion and correlation between days; an alert is raised when the accumulated evidence of a rise beyond 10%% exceeds its threshold."},
	"anni.nessuno": {"Nessun anno scolastico precedente nei dati di questa serie: effetti di calendario e variabilità vengono dai soli giorni di quest'anno, con un margine più ampio nelle prime settimane.",
		"No previous school year in this series' data: calendar effects and variability come from this year's days only, with a wider margin in the first weeks."},
	"anni.alcuni": {"Effetti di calendario e variabilità vengono da %d {anno scolastico precedente|anni scolastici precedenti} di questa serie.",
		"Calendar effects and variability are drawn from %d previous school year{s} of this series."},
	"anni.ignoti": {"Gli anni scolastici precedenti, se presenti nei dati, danno gli effetti di calendario e la variabilità.",
		"The previous school years, where the data hold them, give the calendar effects and the variability."},
	"scuola": {"Modello scolastico precedente, %s: il valore atteso di un giorno viene dagli anni scolastici precedenti (posizione nell'anno, giorno della settimana, rientro dalle vacanze) adattato al livello di quest'anno, e l'allerta accumula l'evidenza di più giorni.",
		"The portal's previous school model, %s: a day's expected value comes from the previous school years (position in the year, day of the week, return from holidays) adapted to this year's level, and the alert accumulates the evidence of several days."},
	"dow": {"Confronto con lo stesso giorno della settimana delle %s settimane precedenti, %s: allerta oltre il limite superiore al livello alpha indicato.",
		"Comparison with the same day of the week of the %s previous weeks, %s: an alert above the upper limit at the given alpha level."},
	"altro": {"Metodo %s, %s.", "Method %s, %s."},
}

func testoMetodo(l bollettino.Lingua, k string, args ...any) string {
	v := testiMetodo[k][0]
	if l == bollettino.Inglese {
		v = testiMetodo[k][1]
	}
	if len(args) == 0 {
		return v
	}
	return fmt.Sprintf(testo.Accorda(v, args), args...)
}

// DescriviMetodoIn says in a language what a method did, with its
// parameters; anni is how many previous school years of the series the
// model had (AnniPrecedenti), -1 when not known.
func DescriviMetodoIn(l bollettino.Lingua, metodo, parametri string, anni int) string {
	var p map[string]string
	_ = json.Unmarshal([]byte(parametri), &p)
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var kv []string
	for _, k := range keys {
		kv = append(kv, k+" = "+p[k])
	}
	par := testoMetodo(l, "predefiniti")
	if len(kv) > 0 {
		par = testoMetodo(l, "con", strings.Join(kv, ", "))
	}
	switch metodo {
	case MetodoSettimanale:
		return testoMetodo(l, "settimanale", p["w"], p["b"], p["alpha"])
	case "default", "livello":
		out := testoMetodo(l, "livello", par) + " "
		switch {
		case anni < 0:
			return out + testoMetodo(l, "anni.ignoti")
		case anni == 0:
			return out + testoMetodo(l, "anni.nessuno")
		}
		return out + testoMetodo(l, "anni.alcuni", anni)
	case "scuola":
		return testoMetodo(l, "scuola", par)
	case "dow":
		return testoMetodo(l, "dow", p["weeks"], par)
	}
	return testoMetodo(l, "altro", metodo, par)
}

// AnniPrecedenti counts the previous school years (at most the two the
// model reads) in which a series has reported days before school year anno.
func (m *Motore) AnniPrecedenti(nome string, anno ps.AnnoScolastico) int {
	n := 0
	for a := anno - 1; a >= anno-2; a-- {
		for _, p := range m.arch.Punti(nome, a.Inizio(), (a+1).Inizio().AddDate(0, 0, -1)) {
			if p.Plessi > 0 {
				n++
				break
			}
		}
	}
	return n
}

// Periodo writes an episode's days: "il 03/11/2026" or "dal 03/11/2026 al
// 06/11/2026 (3 giorni di allerta)".
func Periodo(g ps.Segnale) string {
	if !g.Al.After(g.Giorno) {
		return "il " + g.Giorno.Format("02/01/2006")
	}
	unit := "giorni"
	if g.Metodo == MetodoSettimanale {
		unit = "settimane"
	}
	return fmt.Sprintf("dal %s al %s (%d %s di allerta)", g.Giorno.Format("02/01/2006"), g.Al.Format("02/01/2006"), g.Giorni, unit)
}

// Checklist is what to do with an alert when the settings give nothing.
func Checklist(st store.Settings) []string { return st.Checklist() }

// testoEpisodi writes the e-mail for a group of related episodes, the
// first being the group's widest series.
func testoEpisodi(st store.Settings, eps []ps.Segnale, aumento map[int64]bool, nomi Nominatore, anni func(ps.Segnale) int) (string, string) {
	g := eps[0]
	nome := nomi.Nome(g.Serie)
	subj := fmt.Sprintf("Portale Scuole – nuova allerta: %s, %s (%s)", nome, g.Giorno.Format("02/01/2006"), Pct(g.Osservato))
	if aumento[g.ID] {
		subj = fmt.Sprintf("Portale Scuole – allerta in aumento: %s, picco %s", nome, Pct(g.Osservato))
	}
	if len(eps) > 1 {
		if len(eps) == 2 {
			subj += " e un'altra serie collegata"
		} else {
			subj += fmt.Sprintf(" e altre %d serie collegate", len(eps)-1)
		}
	}
	var b strings.Builder
	for i, g := range eps {
		if i > 0 {
			b.WriteString("\n----\n\n")
		}
		nome := nomi.Nome(g.Serie)
		if aumento[g.ID] {
			fmt.Fprintf(&b, "Allerta in aumento su %s, aperta il %s: ora %s, picco %s il %s (annunciato in precedenza: %s).\n",
				nome, g.Giorno.Format("02/01/2006"), Periodo(g), Pct(g.Osservato), g.Picco.Format("02/01/2006"), Pct(g.Notificato))
		} else {
			fmt.Fprintf(&b, "Nuova allerta su %s, %s.\n", nome, Periodo(g))
		}
		fmt.Fprintf(&b, "Assenze osservate il %s: %s degli iscritti; attese %s (intervallo di previsione al 95%% fino a %s).\n",
			g.Picco.Format("02/01/2006"), Pct(g.Osservato), Pct(g.Atteso), Pct(g.Soglia))
		if g.SogliaEvidenza > 0 {
			fmt.Fprintf(&b, "Evidenza accumulata di un aumento: %s su una soglia di %s.\n", decimale1(g.Evidenza), decimale1(g.SogliaEvidenza))
		}
		// Copertura is the share of the territory's pupils (ps.Segnale).
		fmt.Fprintf(&b, testo.Accorda("Su %d {plesso|plessi} con %d alunni ({il}%s degli alunni del territorio).\n", []any{g.Plessi, g.Iscritti, Pct(g.Copertura)}),
			g.Plessi, g.Iscritti, Pct(g.Copertura))
		if i == 0 {
			fmt.Fprintf(&b, "%s\n", DescriviMetodoIn(bollettino.Italiano, g.Metodo, g.Parametri, anni(g)))
		}
		if len(g.Contributi) > 0 {
			b.WriteString("Plessi con l'eccesso maggiore:\n")
			for _, c := range g.Contributi {
				fmt.Fprintf(&b, "- %s %s: %d assenti, %.1f attesi\n", c.Plesso, c.Nome, c.Assenti, c.Attesi)
			}
		}
		fmt.Fprintf(&b, "Valutare l'allerta: %s/ats/allerte/%d\n", st.URLPortale, g.ID)
	}
	if steps := st.Checklist(); len(steps) > 0 {
		b.WriteString("\nCosa fare:\n")
		for i, s := range steps {
			fmt.Fprintf(&b, "%d. %s\n", i+1, s)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", st.NomeATS)
	return subj, b.String()
}

// Gruppo is an alert shown with the alerts on its sub-series that overlap
// it in time (a province and its districts, the territory and its grades,
// a series and its illness-specific ones).
type Gruppo struct {
	Capo  ps.Segnale
	Figli []ps.Segnale
}

// Antenati lists a series' ancestors, nearest first.
func Antenati(nome string, genitore func(string) string) []string {
	var out []string
	seen := map[string]bool{nome: true}
	for p := genitore(nome); p != "" && !seen[p]; p = genitore(p) {
		seen[p] = true
		out = append(out, p)
	}
	return out
}

// Raggruppa puts each episode under the highest episode of an ancestor
// series (genitore gives a series' parent) that overlaps it in time; the
// groups keep the order of the input (most recent first).
func Raggruppa(eps []ps.Segnale, genitore func(string) string) []Gruppo {
	overlap := func(a, b ps.Segnale) bool { return !a.Giorno.After(b.Al) && !a.Al.Before(b.Giorno) }
	head := make([]int, len(eps))
	for i := range eps {
		head[i] = i
		// Walk up the ancestors; the highest overlapping one wins.
		seen := map[string]bool{}
		for p := genitore(eps[i].Serie); p != "" && !seen[p]; p = genitore(p) {
			seen[p] = true
			for j := range eps {
				if eps[j].Serie == p && overlap(eps[i], eps[j]) {
					head[i] = j
				}
			}
		}
	}
	idx := map[int]int{}
	var out []Gruppo
	for i, h := range head {
		if h == i {
			idx[i] = len(out)
			out = append(out, Gruppo{Capo: eps[i]})
		}
	}
	for i, h := range head {
		if h != i {
			if k, ok := idx[h]; ok {
				out[k].Figli = append(out[k].Figli, eps[i])
			} else {
				idx[i] = len(out)
				out = append(out, Gruppo{Capo: eps[i]})
			}
		}
	}
	return out
}

// Traccia is a watched series day by day over a period: the rate, the
// expected rate and the upper bound (NaN where not evaluated), alarms and
// anomalies, and the provisional days with the share of the network behind
// them: what the dashboard and the alert page draw.
type Traccia struct {
	Giorni                []time.Time
	Tasso, Atteso, Soglia []float64 // Soglia: upper end of the 95% interval
	Evidenza, SogliaEv    []float64 // accumulated evidence and its threshold
	Allarme, Anomalia     []bool
	Provvisorio           []bool
	Quota                 []float64 // share of the network's sentinel pupils
	Plessi, Iscritti      []int
	Assenti               []int
}

// Traccia evaluates a series as the engine does (whole history, thresholds
// of completeness) and returns it from dal to oggi.
func (m *Motore) Traccia(ctx context.Context, nome string, dal, oggi time.Time) (Traccia, error) {
	var t Traccia
	primo := m.arch.Primo()
	if primo.IsZero() {
		return t, nil
	}
	sg, err := m.soglie(ctx, primo, oggi)
	if err != nil {
		return t, err
	}
	v, err := m.valuta(nome, primo, oggi, sg)
	if err != nil {
		return t, err
	}
	for i, p := range v.Punti {
		if p.Giorno.Before(dal) {
			continue
		}
		t.Giorni = append(t.Giorni, p.Giorno)
		t.Tasso = append(t.Tasso, p.Tasso())
		t.Atteso = append(t.Atteso, v.Expected[i])
		t.Soglia = append(t.Soglia, v.Upper[i])
		t.Evidenza, t.SogliaEv = append(t.Evidenza, v.Evidenza[i]), append(t.SogliaEv, v.SogliaEv[i])
		t.Allarme = append(t.Allarme, v.Alarm[i])
		t.Anomalia = append(t.Anomalia, v.Anomaly[i])
		t.Provvisorio = append(t.Provvisorio, v.Provvisorio[i])
		t.Quota = append(t.Quota, v.Quota[i])
		t.Plessi = append(t.Plessi, p.Plessi)
		t.Iscritti = append(t.Iscritti, p.Iscritti)
		t.Assenti = append(t.Assenti, p.Assenti)
	}
	return t, nil
}

// Disegna runs the portal's method on the given points alone (no earlier
// history, every day counted): the bulletin's trace of a past week.
func Disegna(m Monitorata) (Traccia, error) {
	t := Traccia{}
	if len(m.Punti) == 0 {
		return t, nil
	}
	res, ref, err := applica(Metodo, m.Punti, m.Gemella, nil)
	if err != nil {
		return t, err
	}
	for i, p := range m.Punti {
		at, so, ev, se := math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if res.Valid[i] && ref > 0 {
			at, so = res.Expected[i]/ref, res.UpperBound[i]/ref
			if res.Threshold != nil {
				ev, se = res.Statistic[i], res.Threshold[i]
			}
		}
		anom := res.Anomaly != nil && res.Anomaly[i]
		t.Giorni = append(t.Giorni, p.Giorno)
		t.Tasso = append(t.Tasso, p.Tasso())
		t.Atteso, t.Soglia = append(t.Atteso, at), append(t.Soglia, so)
		t.Evidenza, t.SogliaEv = append(t.Evidenza, ev), append(t.SogliaEv, se)
		t.Allarme = append(t.Allarme, res.Valid[i] && res.Alarm[i] && !anom)
		t.Anomalia = append(t.Anomalia, anom)
		t.Provvisorio = append(t.Provvisorio, false)
		t.Quota = append(t.Quota, 1)
		t.Plessi, t.Iscritti, t.Assenti = append(t.Plessi, p.Plessi), append(t.Iscritti, p.Iscritti), append(t.Assenti, p.Assenti)
	}
	return t, nil
}

// decimale1 writes x with one decimal and a decimal comma.
func decimale1(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', 1, 64), ".", ",", 1)
}
