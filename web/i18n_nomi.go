package web

import (
	"fmt"
	"strings"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/allerta"
)

// nomeSerie names a watched series in a language: allerta.Nominatore's
// Italian words, or the catalogue's English ones; districts and plessi
// keep their names.
func nomeSerie(lang string, n allerta.Nominatore, nome string) string {
	if lang != langEN {
		return n.Nome(nome)
	}
	if b, ok := strings.CutPrefix(nome, aggregati.PrefissoSentinella); ok {
		return nomeSerie(lang, n, b) + " – " + tr(lang, "serie.solo_sentinella")
	}
	if b, motivo := aggregati.Base(nome); motivo != "" {
		return tr(lang, "serie.motivo."+motivo) + " – " + nomeSerie(lang, n, b)
	}
	if nome == aggregati.Territorio {
		return tr(lang, "serie.territorio")
	}
	k, v, _ := strings.Cut(nome, ":")
	switch k {
	case "provincia":
		return tr(lang, "serie.provincia", ps.NomeProvincia(v))
	case "grado":
		if _, ok := catalog["grado."+v]; ok && v != "" {
			return tr(lang, "grado."+v)
		}
	}
	return n.Nome(nome)
}

// periodo writes an episode's days in a language, as allerta.Periodo does
// in Italian.
func periodo(lang string, g ps.Segnale) string {
	if lang != langEN {
		return allerta.Periodo(g)
	}
	if !g.Al.After(g.Giorno) {
		return tr(lang, "periodo.giorno", g.Giorno.Format("02/01/2006"))
	}
	key := "periodo.giorni"
	if g.Metodo == allerta.MetodoSettimanale {
		key = "periodo.settimane"
	}
	return tr(lang, key, g.Giorno.Format("02/01/2006"), g.Al.Format("02/01/2006"), g.Giorni)
}

// descriviMetodo says what an alert's method did, in a language
// (allerta.DescriviMetodoIn), with the previous school years it had.
func descriviMetodo(lang, metodo, parametri string, anni int) string {
	return allerta.DescriviMetodoIn(linguaBollettino(lang), metodo, parametri, anni)
}

// statoSegnale names an alert state in a language.
func statoSegnale(lang, st string) string {
	k := "stato.segnale." + strings.ReplaceAll(st, " ", "_")
	if _, ok := catalog[k]; ok {
		return tr(lang, k)
	}
	return st
}

func init() {
	for k, v := range map[string][2]string{
		"serie.territorio":             {"Intero territorio", "Whole territory"},
		"serie.provincia":              {"Provincia di %s", "Province of %s"},
		"serie.motivo.febbre":          {"Febbre o sintomi respiratori", "Fever or respiratory symptoms"},
		"serie.motivo.gastro":          {"Disturbi gastrointestinali", "Gastro-intestinal illness"},
		"periodo.giorno":               {"il %s", "on %s"},
		"periodo.giorni":               {"dal %s al %s (%d giorni di allerta)", "from %s to %s (%d alert day{s})"},
		"periodo.settimane":            {"dal %s al %s (%d settimane di allerta)", "from %s to %s (%d alert week{s})"},
		"stato.segnale.nuovo":          {"nuovo", "new"},
		"stato.segnale.in_valutazione": {"in valutazione", "under evaluation"},
		"stato.segnale.confermato":     {"confermato", "confirmed"},
		"stato.segnale.archiviato":     {"archiviato", "archived"},
		"stato.finestra.in_tempo":      {"in tempo", "on time"},
		"stato.finestra.in_ritardo":    {"in ritardo", "late"},
		"stato.finestra.mancante":      {"mancante", "missing"},
		"stato.finestra.aperta":        {"aperta", "open"},
		"bollettino.pdf_italiano":      {"Il PDF e l'e-mail del bollettino sono in italiano.", "The PDF and the e-mail of the bulletin are in Italian, as they are sent to the schools and the region."},
		"calendario.lezione":           {"Lezione", "School day"},
		"calendario.motivo":            {"Motivo", "Reason"},
		"calendario.data":              {"Data", "Date"},
		"import.tipo":                  {"Tipo", "Kind"},
		"sentinelle.solo":              {"Solo sentinella", "Sentinels only"},
		"settings.finestre":            {"Finestre di rilevazione delle assenze e scadenze", "Absence reporting windows and deadlines"},
		"settings.finestre.help":       {"Es. lun-mer>gio 12:00, gio-sab>lun 12:00 (giorni dal–al > giorno e ora di scadenza)", "E.g. lun-mer>gio 12:00, gio-sab>lun 12:00 (Italian day abbreviations: days from–to > deadline day and time)"},
		"settings.email_allerte":       {"E-mail dell'ATS per allerte e bollettino (separate da virgola)", "The ATS's e-mail addresses for alerts and the bulletin (comma-separated)"},
		"fonte.modulo":                 {"modulo", "form"},
		"fonte.file":                   {"file", "file"},
		"fonte.api":                    {"API", "API"},
		"mappa.titolo":                 {"Assenze negli ultimi cinque giorni di lezione per comune", "Absences over the last five school days by municipality"},
		"mappa.legenda":                {"Tasso di assenza", "Absence rate"},
		"mappa.nessun_dato":            {"nessun dato", "no data"},
		"mappa.tutti":                  {"tutti i valori", "all values"},
		"mappa.attribuzione":           {"Confini comunali: ISTAT 2023 via openpolis, CC BY 4.0", "Municipal boundaries: ISTAT 2023 via openpolis, CC BY 4.0"},
		"mappa.descrizione":            {"Mappa coropletica di %d comuni (province %s), %d con dati. Classi: %s; nessun dato in grigio tratteggiato.", "Choropleth map of %d municipalities (provinces %s), %d with data. Classes: %s; no data hatched in grey."},
		"mappa.plessi":                 {"plessi: %d", "buildings: %d"},
	} {
		if _, dup := catalog[k]; dup {
			panic(fmt.Sprintf("web: catalogue key %q twice", k))
		}
		catalog[k] = v
	}
	funcs["statoSegnale"] = statoSegnale
	funcs["statoFinestra"] = func(lang string, v any) string {
		st := fmt.Sprint(v) // a sentinella.Stato or its text
		k := "stato.finestra." + strings.ReplaceAll(st, " ", "_")
		if _, ok := catalog[k]; ok {
			return tr(lang, k)
		}
		return st
	}
}
