package bollettino

import (
	"math"
	"strings"
	"time"
)

// Situazione is what is happening in one week, for the paragraph at the
// top of the dashboard, the bulletin and its e-mail: the territory's rate
// against the expected, its trend, whether it is in alert and since when,
// which aggregates share the alert, the fever/respiratory share, how
// complete the week is and whether emergency mode is on.
type Situazione struct {
	Lunedi time.Time
	// Giorni are the week's school days complete enough for detection;
	// Provvisori those reported but not yet complete, with QuotaProvvisori
	// the share of the network's pupils behind the latest of them.
	Giorni, Provvisori int
	QuotaProvvisori    float64
	// Tasso and Atteso: the week's rate over its complete days and the
	// mean expected rate of those days; TassoPrec the previous week's
	// (NaN when unknown).
	Tasso, Atteso, TassoPrec float64
	// Quota is the mean share of the network's pupils behind the
	// complete days (NaN when not measured).
	Quota float64
	// Territorio is the territory's alert episode active in the week, if
	// any (Data: its first day).
	Territorio *Allerta
	// Condivisa are the other aggregates in alert in the week (series
	// keys), by level: provinces, districts, grades.
	Condivisa [][]string
	// Nomi names the series keys of the paragraph in its language.
	Nomi map[string]string
	// Febbre is the share of absences given as fever or respiratory
	// illness by the plessi that gave reasons in the week (FebbrePlessi of
	// them); NaN when none did.
	Febbre       float64
	FebbrePlessi int
	// Emergenza, when set, is emergency mode on in the week.
	Emergenza *EmergenzaAttiva
	// Conteggi, when set, are the alert episodes by level (the bulletin's
	// week; the dashboard shows its own table of all of them).
	Conteggi []Conteggio
}

// EmergenzaAttiva is an emergency period that covers the week: its scope
// (a series key), its first day, and the share of the week's pupils that come
// from plessi outside the sentinel network.
type EmergenzaAttiva struct {
	Ambito  string
	Dal, Al time.Time // Al zero while open
	Fuori   float64
}

// Conteggio is the number of alert episodes of one level of the hierarchy
// (territorio, provincia, distretto, grado, motivo, plesso) by state.
type Conteggio struct {
	Livello                    string
	Nuove, Valutazione, Chiuse int
}

// Totale is every episode of the level.
func (c Conteggio) Totale() int { return c.Nuove + c.Valutazione + c.Chiuse }

var testiSituazione = map[string][2]string{
	"sit.settimana":              {"Settimana dal %s al %s", "Week of %s to %s"},
	"sit.tasso":                  {": assenti {il}%s degli alunni dei plessi sentinella, contro {il}%s atteso", ": %s of the sentinel schools' pupils absent, against %s expected"},
	"sit.tassoEmergenza":         {": assenti {il}%s degli alunni dei plessi che hanno inviato (rete sentinella e plessi in emergenza), contro {il}%s atteso", ": %s of the reporting schools' pupils absent (sentinel network and schools in emergency mode), against %s expected"},
	"sit.tassoEmergenzaNoAtteso": {": assenti {il}%s degli alunni dei plessi che hanno inviato (rete sentinella e plessi in emergenza)", ": %s of the reporting schools' pupils absent (sentinel network and schools in emergency mode)"},
	"sit.tassoNoAtteso":          {": assenti {il}%s degli alunni dei plessi sentinella", ": %s of the sentinel schools' pupils absent"},
	"sit.aumento":                {", in aumento di %s punti sulla settimana precedente", ", up %s points on the previous week"},
	"sit.calo":                   {", in calo di %s punti sulla settimana precedente", ", down %s points on the previous week"},
	"sit.stabile":                {", stabile sulla settimana precedente", ", stable on the previous week"},
	"sit.giorni":                 {" (%d {giorno|giorni} di lezione con dati completi, in media {il}%s degli alunni della rete", " (%d school day{s} with complete data, on average %s of the network's pupils"},
	"sit.giorniSoli":             {" (%d {giorno|giorni} di lezione", " (%d school day{s}"},
	"sit.provvisori":             {"; %d {giorno|giorni} ancora {provvisorio|provvisori}, l'ultimo con {il}%s", "; %d day{s} still provisional, the latest with %s"},
	"sit.nessuno":                {": nessun giorno ancora abbastanza completo per il calcolo", ": no day complete enough for the calculation yet"},
	"sit.nessunoProvv":           {" (%d {giorno|giorni} {provvisorio|provvisori}, l'ultimo con {il}%s degli alunni della rete)", " (%d provisional day{s}, the latest with %s of the network's pupils)"},
	"sit.allerta":                {"Il territorio è in allerta dal %s (allerta n. %d, %s): picco {del}%s il %s contro {il}%s atteso.", "The territory has been in alert since %s (alert no. %d, %s): peak of %s on %s against %s expected."},
	"sit.allertaChiusa":          {"Il territorio è stato in allerta dal %s al %s (allerta n. %d, %s): picco {del}%s il %s contro {il}%s atteso.", "The territory was in alert from %s to %s (alert no. %d, %s): peak of %s on %s against %s expected."},
	"sit.noAllerta":              {"Il territorio non è in allerta.", "The territory is not in alert."},
	"sit.condivisa":              {"In allerta nella settimana anche: %s.", "Also in alert in the week: %s."},
	"sit.soloAree":               {"In allerta nella settimana: %s.", "In alert in the week: %s."},
	"sit.febbre":                 {"Febbre o sintomi respiratori: {il}%s delle assenze nei %d {plesso|plessi} che ne indicano i motivi.", "Fever or respiratory symptoms: %s of absences in the %d school{s} that give their reasons."},
	"sit.emergenza":              {"Modalità emergenza attiva (%s) dal %s: {il}%s degli alunni della settimana è di plessi fuori dalla rete sentinella; la serie «solo rete sentinella» resta confrontabile con gli anni precedenti.", "Emergency mode on (%s) since %s: %s of the week's pupils are in schools outside the sentinel network; the “sentinel network only” series stays comparable with earlier years."},
	"sit.emergenzaChiusa":        {"Modalità emergenza (%s) dal %s al %s: {il}%s degli alunni della settimana è di plessi fuori dalla rete sentinella.", "Emergency mode (%s) from %s to %s: %s of the week's pupils are in schools outside the sentinel network."},
	"sit.noEmergenza":            {"Modalità emergenza non attiva.", "Emergency mode off."},
	"sit.conteggi":               {"Allerte della settimana: %s (%d {nuova|nuove}, %d in valutazione, %d {chiusa|chiuse}).", "Alerts of the week: %s (%d new, %d under review, %d closed)."},
	"sit.noConteggi":             {"Nessuna allerta nella settimana.", "No alert in the week."},
	// Category names as in a tally ("province 1"): no agreement needed.
	"liv.territorio": {"territorio %d", "territory %d"},
	"liv.provincia":  {"province %d", "provinces %d"},
	"liv.distretto":  {"distretti %d", "districts %d"},
	"liv.grado":      {"gradi %d", "grades %d"},
	"liv.motivo":     {"febbre e disturbi gastrointestinali %d", "fever and gastrointestinal illness %d"},
	"liv.plesso":     {"singoli plessi %d", "single schools %d"},
	"congiunzione":   {" e ", " and "},
	// An alert's state in the paragraph, agreeing with "allerta".
	"statoAllerta.nuovo":          {"nuova", "new"},
	"statoAllerta.in valutazione": {"in valutazione", "under review"},
	"statoAllerta.confermato":     {"confermata", "confirmed"},
	"statoAllerta.archiviato":     {"archiviata", "archived"},
}

func init() {
	for k, v := range testiSituazione {
		testi[k] = v
	}
}

// Apertura is the paragraph's first sentence: the week's rate, trend and
// completeness.
func (l Lingua) Apertura(s Situazione) string {
	var b strings.Builder
	b.WriteString(l.f("sit.settimana", s.Lunedi.Format("02/01"), s.Lunedi.AddDate(0, 0, 4).Format("02/01/2006")))
	switch {
	case s.Giorni == 0:
		b.WriteString(l.t("sit.nessuno"))
		if s.Provvisori > 0 {
			b.WriteString(l.f("sit.nessunoProvv", s.Provvisori, l.Pct(s.QuotaProvvisori)))
		}
		b.WriteString(".")
	default:
		switch {
		case s.Emergenza != nil && finite(s.Atteso):
			b.WriteString(l.f("sit.tassoEmergenza", l.Pct(s.Tasso), l.Pct(s.Atteso)))
		case s.Emergenza != nil:
			b.WriteString(l.f("sit.tassoEmergenzaNoAtteso", l.Pct(s.Tasso)))
		case finite(s.Atteso):
			b.WriteString(l.f("sit.tasso", l.Pct(s.Tasso), l.Pct(s.Atteso)))
		default:
			b.WriteString(l.f("sit.tassoNoAtteso", l.Pct(s.Tasso)))
		}
		if finite(s.TassoPrec) {
			switch p := l.punti(s.Tasso - s.TassoPrec); {
			case p == "0,0" || p == "0.0":
				b.WriteString(l.t("sit.stabile"))
			case strings.HasPrefix(p, "+"):
				b.WriteString(l.f("sit.aumento", strings.TrimPrefix(p, "+")))
			default:
				b.WriteString(l.f("sit.calo", strings.TrimPrefix(p, "−")))
			}
		}
		if finite(s.Quota) {
			b.WriteString(l.f("sit.giorni", s.Giorni, l.Pct(s.Quota)))
		} else {
			b.WriteString(l.f("sit.giorniSoli", s.Giorni))
		}
		if s.Provvisori > 0 {
			b.WriteString(l.f("sit.provvisori", s.Provvisori, l.Pct(s.QuotaProvvisori)))
		}
		b.WriteString(").")
	}
	return b.String()
}

// Paragrafo writes the week in one paragraph.
func (l Lingua) Paragrafo(s Situazione) string {
	var b strings.Builder
	b.WriteString(l.Apertura(s))
	if a := s.Territorio; a != nil {
		stato := a.Stato
		if _, ok := testi["statoAllerta."+a.Stato]; ok {
			stato = l.t("statoAllerta." + a.Stato)
		}
		if a.Al.IsZero() || !a.Al.Before(s.Lunedi.AddDate(0, 0, 4)) || a.Stato == "nuovo" || a.Stato == "in valutazione" {
			b.WriteString(" " + l.f("sit.allerta", data(a.Data), a.ID, stato, l.Pct(a.Osservato), data(a.Picco), l.Pct(a.Atteso)))
		} else {
			b.WriteString(" " + l.f("sit.allertaChiusa", data(a.Data), data(a.Al), a.ID, stato, l.Pct(a.Osservato), data(a.Picco), l.Pct(a.Atteso)))
		}
	} else {
		b.WriteString(" " + l.t("sit.noAllerta"))
	}
	var gruppi []string
	for _, g := range s.Condivisa {
		var nomi []string
		for _, k := range g {
			nomi = append(nomi, s.nome(k))
		}
		if len(nomi) > 0 {
			gruppi = append(gruppi, l.elenco(nomi))
		}
	}
	if len(gruppi) > 0 {
		k := "sit.condivisa"
		if s.Territorio == nil {
			k = "sit.soloAree"
		}
		b.WriteString(" " + l.f(k, strings.Join(gruppi, "; ")))
	}
	if s.FebbrePlessi > 0 && finite(s.Febbre) {
		b.WriteString(" " + l.f("sit.febbre", l.Pct(s.Febbre), s.FebbrePlessi))
	}
	if e := s.Emergenza; e != nil && !e.Al.IsZero() {
		b.WriteString(" " + l.f("sit.emergenzaChiusa", s.nome(e.Ambito), data(e.Dal), data(e.Al), l.Pct(e.Fuori)))
	} else if e != nil {
		b.WriteString(" " + l.f("sit.emergenza", s.nome(e.Ambito), data(e.Dal), l.Pct(e.Fuori)))
	} else {
		b.WriteString(" " + l.t("sit.noEmergenza"))
	}
	if s.Conteggi != nil {
		var parti []string
		var nuove, valut, chiuse int
		for _, c := range s.Conteggi {
			if c.Totale() == 0 {
				continue
			}
			parti = append(parti, l.f("liv."+c.Livello, c.Totale()))
			nuove, valut, chiuse = nuove+c.Nuove, valut+c.Valutazione, chiuse+c.Chiuse
		}
		if len(parti) == 0 {
			b.WriteString(" " + l.t("sit.noConteggi"))
		} else {
			b.WriteString(" " + l.f("sit.conteggi", strings.Join(parti, ", "), nuove, valut, chiuse))
		}
	}
	return b.String()
}

// nome is a series key in words ("provincia:CR" when no name is known).
func (s Situazione) nome(k string) string {
	if n := s.Nomi[k]; n != "" {
		return n
	}
	return k
}

// elenco joins names: "A", "A e B", "A, B e C".
func (l Lingua) elenco(nomi []string) string {
	if len(nomi) <= 1 {
		return strings.Join(nomi, "")
	}
	return strings.Join(nomi[:len(nomi)-1], ", ") + l.t("congiunzione") + nomi[len(nomi)-1]
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
