package bollettino

import (
	"fmt"
	"strings"

	"github.com/portalescuole/portalescuole/internal/testo"
)

// Lingua is the language a bulletin is written in. The PDF and the e-mail
// are the ATS's Italian document; the portal's pages show the bulletin in
// the page's language.
type Lingua string

const (
	Italiano Lingua = "it"
	Inglese  Lingua = "en"
)

// testi holds every sentence and label of the bulletin's HTML and summary,
// Italian first: one table, so that a missing translation is a test failure
// (TestTesti_Completi) rather than a blank.
var testi = map[string][2]string{
	"alle":                 {"%s alle %s", "%s at %s"},
	"settimana":            {"settimana", "week"},
	"settimanaDal":         {"settimana dal %s al %s", "week from %s to %s"},
	"titolo":               {Titolo, "Weekly bulletin – school absence surveillance"},
	"bollettinoDella":      {"Bollettino della %s", "Bulletin of the %s"},
	"info":                 {"settimana ISO %d, anno scolastico %s", "ISO week %d, school year %s"},
	"generato":             {"Generato il %s", "Generated on %s"},
	"annoCorrente":         {"Anno corrente", "This year"},
	"annoPrecedente":       {"Anno precedente", "Previous year"},
	"as":                   {"a.s. %s", "s.y. %s"},
	"privacy":              {NotaPrivacy, "Aggregate data: no personal data of pupils"},
	"h.sintesi":            {"Sintesi", "Summary"},
	"h.giornaliero":        {"Tasso giornaliero di assenza – ultime settimane", "Daily absence rate – recent weeks"},
	"cap.giornaliero":      {"Quota di alunni assenti sul totale degli iscritti, per giorno di scuola, con il valore atteso e il limite superiore dell'intervallo di previsione (95%).", "Share of enrolled pupils absent, per school day, with the expected value and the upper end of the prediction interval (95%)."},
	"col.giorno":           {"Giorno", "Day"},
	"col.tasso":            {"Tasso", "Rate"},
	"col.atteso":           {"Atteso", "Expected"},
	"col.soglia":           {"Lim. sup. 95%", "Upper 95%"},
	"col.evidenza":         {"Evidenza", "Evidence"},
	"evidenza.su":          {"%s su %s", "%s of %s"},
	"col.allarme":          {"Allarme", "Alarm"},
	"allarme":              {"▲ allarme", "▲ alarm"},
	"incompleto":           {"dato incompleto", "incomplete data"},
	"no.giornaliero":       {"Nessun dato giornaliero disponibile per il periodo.", "No daily data available for the period."},
	"h.settimanale":        {"Andamento settimanale e confronto con l'anno scolastico precedente", "Weekly trend and comparison with the previous school year"},
	"cap.settimanale":      {"Tasso medio settimanale di assenza per settimana ISO", "Mean weekly absence rate per ISO week"},
	"cap.precedente":       {", a confronto con le stesse settimane dell'anno precedente", ", compared with the same weeks of the previous year"},
	"cap.influnet":         {", e incidenza InfluNet delle sindromi simil-influenzali (5–14 anni, casi per 1.000)", ", and InfluNet incidence of influenza-like illness (ages 5–14, cases per 1,000)"},
	"col.settimanaISO":     {"Settimana ISO", "ISO week"},
	"col.dal":              {"Dal", "From"},
	"col.influnet":         {"InfluNet (per 1.000)", "InfluNet (per 1,000)"},
	"no.settimanale":       {"Nessun dato settimanale disponibile.", "No weekly data available."},
	"h.gruppi":             {"Tasso di assenza per gruppo", "Absence rate by group"},
	"cap.gruppi":           {"Variazione in punti percentuali (p.p.) rispetto alla settimana precedente.", "Change in percentage points (p.p.) from the previous week."},
	"col.gruppo":           {"Gruppo", "Group"},
	"col.plessi":           {"Plessi", "Schools"},
	"col.settPrec":         {"Settimana precedente", "Previous week"},
	"col.variazione":       {"Variazione", "Change"},
	"no.gruppi":            {"Nessun dato per gruppo disponibile.", "No data by group available."},
	"h.allerte":            {"Allerte statistiche", "Statistical alerts"},
	"col.n":                {"N.", "No."},
	"col.data":             {"Data", "Date"},
	"col.serie":            {"Serie", "Series"},
	"col.osservato":        {"Osservato", "Observed"},
	"col.metodo":           {"Metodo", "Method"},
	"col.stato":            {"Stato", "Status"},
	"no.allerte":           {"Nessuna allerta statistica nella settimana.", "No statistical alert in the week."},
	"h.completezza":        {"Completezza delle segnalazioni", "Completeness of reports"},
	"cap.completezza":      {"Segnalazioni ricevute (in tempo o in ritardo) sul totale di quelle attese dai plessi sentinella.", "Reports received (on time or late) out of those expected from the sentinel schools."},
	"col.periodo":          {"Periodo", "Period"},
	"col.inTempo":          {"In tempo", "On time"},
	"col.inRitardo":        {"In ritardo", "Late"},
	"col.mancanti":         {"Mancanti", "Missing"},
	"col.attese":           {"Attese", "Expected"},
	"col.completezza":      {"Completezza", "Completeness"},
	"no.completezza":       {"Nessun dato di completezza disponibile.", "No completeness data available."},
	"h.metodi":             {"Metodi", "Methods"},
	"stato.nuovo":          {"nuovo", "new"},
	"stato.in valutazione": {"in valutazione", "under review"},
	"stato.confermato":     {"confermato", "confirmed"},
	"stato.archiviato":     {"archiviato", "archived"},

	"sintesi.nodati":             {"Nella %s non sono disponibili dati sufficienti per calcolare il tasso di assenza territoriale.", "In the %s there are not enough data to compute the territorial absence rate."},
	"sintesi.tasso":              {"Nella %s il tasso medio di assenza territoriale è stato {del}%s.", "In the %s the mean territorial absence rate was %s."},
	"sintesi.stabile":            {"stabile rispetto alla settimana precedente (%s)", "stable compared with the previous week (%s)"},
	"sintesi.aumento":            {"in aumento rispetto {al}%s della settimana precedente (%s punti percentuali)", "up from %s in the previous week (%s percentage points)"},
	"sintesi.calo":               {"in calo rispetto {al}%s della settimana precedente (%s punti percentuali)", "down from %s in the previous week (%s percentage points)"},
	"sintesi.tassoVar":           {"Nella %s il tasso medio di assenza territoriale è stato {del}%s, %s.", "In the %s the mean territorial absence rate was %s, %s."},
	"sintesi.ultimoGiorno":       {"dell'ultimo giorno", "of the last day"},
	"sintesi.ultimoGiornoData":   {"dell'ultimo giorno (%s)", "of the last day (%s)"},
	"sintesi.stima":              {"La stima post-stratificata %s è {del}%s (IC 95%%: %s–%s)", "The post-stratified estimate %s is %s (95%% CI: %s–%s)"},
	"sintesi.copertura":          {", con una copertura {del}%s degli alunni del territorio", ", covering %s of the territory's pupils"},
	"sintesi.nessunaAllerta":     {"Non è stata generata alcuna allerta statistica.", "No statistical alert was raised."},
	"sintesi.unaAllerta":         {"È stata generata 1 allerta statistica (%s, %s: %s contro un valore atteso {del}%s).", "1 statistical alert was raised (%s, %s: %s against an expected %s)."},
	"sintesi.allerte":            {"Sono state generate %d allerte statistiche (%s).", "%d statistical alerts were raised (%s)."},
	"sintesi.completezza":        {"La completezza delle segnalazioni è {del}%s", "Completeness of reports is %s"},
	"sintesi.completezzaPeriodo": {"La completezza delle segnalazioni (%s) è {del}%s", "Completeness of reports (%s) is %s"},
	"sintesi.completezzaAperte":  {": %s in tempo, %s in ritardo e %s {mancante|mancanti} su %s {attesa|attese}; per %s {plesso|plessi} la scadenza non è ancora passata.", ": %s on time, %s late and %s missing out of %s expected; for another %s the deadline has not passed yet."},
	"sintesi.completezzaChiuse":  {": %s in tempo, %s in ritardo e %s {mancante|mancanti} su %s {attesa|attese}.", ": %s on time, %s late and %s missing out of %s expected."},
	"elenco.tabella":             {"vedi tabella", "see table"},
	"elenco.altre":               {"%s e altre", "%s and others"},
	"elenco.una":                 {"serie %s", "series %s"},
	"elenco.piu":                 {"serie %s e %s", "series %s and %s"},

	"metodi.rete":   {"I plessi sentinella (%d {plesso che ha|plessi che hanno} inviato l'ultimo giorno, {il}%s degli alunni di 6–19 anni del territorio)", "The sentinel schools (%d school{s} that reported the last day, %s of the territory's pupils aged 6–19)"},
	"metodi.reteNo": {"I plessi sentinella", "The sentinel schools"},
	"metodi.testo": {"%s, scelti dall'ATS in modo bilanciato per provincia, distretto e grado, inseriscono due volte a settimana gli " +
		"alunni assenti di ogni giorno di lezione. Il tasso di assenza è il rapporto tra assenti e iscritti in vigore quel giorno, sui " +
		"soli giorni di lezione da lunedì a venerdì; un giorno entra nel calcolo di un aggregato solo quando ha inviato una quota " +
		"sufficiente della rete. La stima per il territorio è post-stratificata per provincia e grado sugli iscritti di tutti i plessi, " +
		"con intervallo di confidenza al 95%%. Allerte: %s Il metodo è stato scelto misurando le " +
		"prestazioni su anni scolastici simulati di tipi diversi (docs/detection.md).",
		"%s, chosen by the ATS to balance provinces, districts and grades, enter twice a week the pupils absent on each school day. " +
			"The absence rate is absent pupils over the pupils enrolled that day, on school days from Monday to Friday only; a day enters " +
			"an aggregate only once a sufficient share of the network has reported it. The territorial estimate is post-stratified by " +
			"province and grade on the enrolment of all schools, with a 95%% confidence interval. Alerts: %s The method was chosen by " +
			"measuring its performance on simulated school years of different kinds (docs/detection.md)."},
	"ind.tasso":           {"Tasso della settimana", "Rate of the week"},
	"ind.insufficienti":   {"dati insufficienti", "insufficient data"},
	"ind.precNo":          {"sett. prec. non disponibile", "previous week not available"},
	"ind.varPrec":         {"%s %s p.p. sulla sett. prec.", "%s %s p.p. on the previous week"},
	"ind.stima":           {"Stima ultimo giorno", "Estimate of the last day"},
	"ind.stimaNo":         {"stima non disponibile", "estimate not available"},
	"ind.ic":              {"IC 95%%: %s–%s", "95%% CI: %s–%s"},
	"ind.allerte":         {"Allerte statistiche", "Statistical alerts"},
	"ind.nessunaAllerta":  {"nessuna allerta", "no alert"},
	"ind.daValutare":      {"%d da valutare", "%d to assess"},
	"ind.completezza":     {"Completezza segnalazioni", "Completeness of reports"},
	"ind.completezzaNo":   {"dati non disponibili", "data not available"},
	"ind.ritardoMancanti": {"%s in ritardo, %s {mancante|mancanti}", "%s late, %s missing"},
	"ind.aperte":          {", %s ancora aperte", ", %s still open"},
}

// Metodi is the paragraph on methods, with the network's measured coverage
// (the share of the territory's pupils enrolled in the plessi that reported
// the last day), not the plan's nominal 5%, and the alert method described
// in the same language.
func (l Lingua) Metodi(copertura float64, plessi int, metodo string) string {
	rete := l.t("metodi.reteNo")
	if copertura > 0 && plessi > 0 {
		rete = l.f("metodi.rete", plessi, l.Pct(copertura))
	}
	return l.f("metodi.testo", rete, metodo)
}

// t returns a text in the language (Italian for any other language).
func (l Lingua) t(k string) string {
	v, ok := testi[k]
	if !ok {
		panic("bollettino: no text " + k) // caught by the tests
	}
	if l == Inglese {
		return v[1]
	}
	return v[0]
}

// f formats a text of the table with its arguments.
func (l Lingua) f(k string, args ...any) string {
	return fmt.Sprintf(testo.Accorda(l.t(k), args), args...)
}

// stato names an alert state in the language.
func (l Lingua) stato(s string) string {
	if _, ok := testi["stato."+strings.ToLower(s)]; ok {
		return l.t("stato." + strings.ToLower(s))
	}
	return s
}

// mappaTesti gives the template every text of the table, keyed without dots.
func (l Lingua) mappaTesti() map[string]string {
	m := make(map[string]string, len(testi))
	for k := range testi {
		m[strings.NewReplacer(".", "_", " ", "_").Replace(k)] = l.t(k)
	}
	return m
}
