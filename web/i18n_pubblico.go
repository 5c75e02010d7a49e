package web

import "strings"

// catalogPubblico holds the messages of the public figures (/pubblico);
// merged into catalog.
var catalogPubblico = map[string][2]string{
	"pubblico.link":                    {"Dati pubblici sulle assenze scolastiche", "Public figures on school absence"},
	"pubblico.title":                   {"Le assenze nelle scuole", "Absence in schools"},
	"pubblico.intro":                   {"Quanti alunni sono assenti da scuola nel territorio di %s: stima settimanale dai plessi sentinella (alunni dai 6 ai 19 anni), aggiornata ogni settimana.", "How many pupils are absent from school in the territory of %s: a weekly estimate from the sentinel schools (pupils aged 6 to 19), updated every week."},
	"pubblico.nessuno":                 {"Non ci sono ancora dati settimanali da pubblicare.", "There are no weekly figures to publish yet."},
	"pubblico.settimana":               {"Settimana dal %s al %s", "Week from %s to %s"},
	"pubblico.settimana_dal":           {"Settimana dal", "Week from"},
	"pubblico.ultimo":                  {"Ultimo giorno con dati: %s.", "Last day with data: %s."},
	"pubblico.copertura":               {"Dati di %s plessi sentinella con %s alunni", "Figures from %s sentinel schools with %s pupils"},
	"pubblico.copertura.quota":         {"({il}%s degli alunni del territorio).", "(%s of the territory's pupils)."},
	"pubblico.per_area":                {"Tasso di assenza per area", "Absence rate by area"},
	"pubblico.per_grado":               {"Tasso di assenza per grado scolastico (territorio)", "Absence rate by school grade (territory)"},
	"pubblico.area":                    {"Area", "Area"},
	"pubblico.grado":                   {"Grado", "Grade"},
	"pubblico.territorio":              {"Territorio", "Territory"},
	"pubblico.provincia":               {"Provincia %s", "Province %s"},
	"pubblico.tasso":                   {"Alunni assenti", "Pupils absent"},
	"pubblico.ic":                      {"Intervallo (95%)", "Interval (95%)"},
	"pubblico.alunni":                  {"Alunni", "Pupils"},
	"pubblico.non_pubblicato":          {"non pubblicato (riservatezza)", "not published (confidentiality)"},
	"pubblico.soppressi":               {"Per proteggere la riservatezza non si pubblicano i valori basati su pochi plessi o alunni, né quelli che permetterebbero di ricavarli per differenza.", "To protect confidentiality, figures resting on few schools or pupils are not published, nor those from which they could be worked out by subtraction."},
	"pubblico.anni":                    {"Quest'anno e gli anni precedenti", "This year and previous years"},
	"pubblico.anni.help":               {"Tasso settimanale di assenza del territorio, per settimana dell'anno scolastico (la data è il lunedì della settimana nell'anno in corso).", "Weekly absence rate of the territory, by week of the school year (the date is the week's Monday in the current year)."},
	"pubblico.anni.tabella":            {"Tasso settimanale di assenza per anno scolastico", "Weekly absence rate by school year"},
	"pubblico.altro":                   {"Bollettino e dati aperti", "Bulletin and open data"},
	"pubblico.licenza":                 {"I dati sono pubblicati con licenza", "The data are published under the licence"},
	"pubblico.frase":                   {"Nella settimana dal %s al %s è stato assente in media il %s degli alunni (intervallo di confidenza al 95%%: %s – %s).", "In the week from %s to %s, on average %s of pupils were absent (95%% confidence interval: %s – %s)."},
	"pubblico.frase.soppressa":         {"Per la settimana dal %s al %s il dato del territorio non è pubblicato perché basato su troppo pochi plessi o alunni.", "For the week from %s to %s the territory's figure is not published because it rests on too few schools or pupils."},
	"pubblico.andamento.aumento":       {"Le assenze sono in aumento rispetto alla settimana precedente (%s).", "Absence is rising compared with the previous week (%s)."},
	"pubblico.andamento.calo":          {"Le assenze sono in calo rispetto alla settimana precedente (%s).", "Absence is falling compared with the previous week (%s)."},
	"pubblico.andamento.stabile":       {"Le assenze sono stabili rispetto alla settimana precedente (%s).", "Absence is stable compared with the previous week (%s)."},
	"pubblico.confronto.in_linea":      {"Il valore è in linea con l'atteso per questo periodo dell'anno (%s, media della stessa settimana in %d anni scolastici precedenti).", "The figure is in line with what is expected for this time of year (%s, mean of the same week in %d previous school years)."},
	"pubblico.confronto.sopra":         {"Il valore è superiore all'atteso per questo periodo dell'anno (%s, media della stessa settimana in %d anni scolastici precedenti).", "The figure is above what is expected for this time of year (%s, mean of the same week in %d previous school years)."},
	"pubblico.confronto.sotto":         {"Il valore è inferiore all'atteso per questo periodo dell'anno (%s, media della stessa settimana in %d anni scolastici precedenti).", "The figure is below what is expected for this time of year (%s, mean of the same week in %d previous school years)."},
	"pubblico.confronto.nessuno":       {"Non ci sono ancora anni precedenti con cui confrontarlo.", "There are no previous years to compare it with yet."},
	"pubblico.bollettino.title":        {"Bollettino pubblico delle assenze scolastiche", "Public bulletin of school absence"},
	"pubblico.bollettino.pdf":          {"Scarica il bollettino in PDF", "Download the bulletin as PDF"},
	"pubblico.metodo":                  {"Come sono calcolati", "How they are computed"},
	"pubblico.dati.title":              {"Dati aperti sulle assenze scolastiche", "Open data on school absence"},
	"pubblico.dati.intro":              {"Le assenze settimanali pubblicate da %s, in formato aperto e con indirizzi stabili.", "The weekly absence figures published by %s, in an open format at stable addresses."},
	"pubblico.dati.virgola":            {"separatore virgola, decimali con il punto", "comma separator, decimal point"},
	"pubblico.dati.dcat":               {"metadati DCAT-AP_IT", "DCAT-AP_IT metadata"},
	"pubblico.dati.aggiornamento":      {"Aggiornamento settimanale: si pubblicano solo le settimane concluse; una settimana già pubblicata può cambiare se arrivano dati in ritardo.", "Updated weekly: only complete weeks are published; a week already published may change when late figures arrive."},
	"pubblico.dati.schema":             {"Schema dei dati", "Data schema"},
	"pubblico.dati.righe":              {"Una riga per settimana ISO, area (territorio o provincia) e grado (tutti o un grado). Un valore non pubblicato per riservatezza è una cella vuota (null in JSON); una combinazione senza plessi non ha riga.", "One row per ISO week, area (territory or province) and grade (all, or one grade). A value withheld for confidentiality is an empty cell (null in JSON); a combination with no schools has no row."},
	"pubblico.dati.colonne":            {"Colonne di assenze-settimanali.csv e .json", "Columns of assenze-settimanali.csv and .json"},
	"pubblico.dati.colonna":            {"Colonna", "Column"},
	"pubblico.dati.tipo":               {"Tipo", "Type"},
	"pubblico.dati.significato":        {"Significato", "Meaning"},
	"pubblico.dati.riservatezza":       {"Riservatezza", "Confidentiality"},
	"pubblico.dati.riservatezza.testo": {"Non si pubblica nessun valore basato su meno di %d plessi o %d alunni, nessun conteggio di assenti da 1 a 3, e nessun valore che si possa ricavare da quelli pubblicati (un totale meno le sue parti, tra aree e tra gradi): quando serve si sopprimono anche altre celle (soppressione complementare). Tasso e intervallo di una cella soppressa sono soppressi anch'essi.", "No value resting on fewer than %d school{s} or %d pupils is published, no count of absent pupils from 1 to 3, and no value that could be worked out from those published (a total minus its parts, across areas and grades): where needed further cells are suppressed (complementary suppression). The rate and interval of a suppressed cell are suppressed too."},
	"pubblico.col.settimana":           {"Settimana ISO 8601 (AAAA-Www), dal lunedì alla domenica; contano i giorni di lezione dal lunedì al venerdì.", "ISO 8601 week (YYYY-Www), Monday to Sunday; school days Monday to Friday count."},
	"pubblico.col.area":                {"«territorio» oppure la sigla della provincia (es. CR).", "“territorio” (the territory) or the province code (e.g. CR)."},
	"pubblico.col.grado":               {"«tutti» oppure primaria, secondaria1 (I grado), secondaria2 (II grado).", "“tutti” (all) or primaria, secondaria1 (lower secondary), secondaria2 (upper secondary)."},
	"pubblico.col.plessi":              {"Plessi sentinella che hanno inviato almeno un giorno della settimana.", "Sentinel schools that reported at least one day of the week."},
	"pubblico.col.alunni":              {"Alunni iscritti in quei plessi (per ogni plesso, il numero più alto in vigore nella settimana).", "Pupils enrolled in those schools (for each school, the highest figure in force during the week)."},
	"pubblico.col.assenti":             {"Giorni-alunno di assenza: la somma, sui giorni di lezione della settimana, degli alunni assenti (un alunno assente tre giorni conta 3).", "Pupil-days of absence: the sum over the week's school days of the pupils absent (a pupil absent three days counts 3)."},
	"pubblico.col.tasso":               {"Quota di giorni-alunno di assenza sui giorni-alunno di lezione (0–1), stimata con post-stratificazione per provincia e grado; per una sola provincia e grado è assenti / giorni-alunno.", "Share of pupil-days absent among school pupil-days (0–1), post-stratified by province and grade; for a single province and grade it is absent / pupil-days."},
	"pubblico.col.ic_inf":              {"Limite inferiore dell'intervallo di confidenza al 95% del tasso (0–1).", "Lower bound of the rate's 95% confidence interval (0–1)."},
	"pubblico.col.ic_sup":              {"Limite superiore dell'intervallo di confidenza al 95% del tasso (0–1).", "Upper bound of the rate's 95% confidence interval (0–1)."},
	"pubblico.col.tipo.settimana":      {"testo", "text"},
	"pubblico.col.tipo.area":           {"testo", "text"},
	"pubblico.col.tipo.grado":          {"testo", "text"},
	"pubblico.col.tipo.plessi":         {"intero", "integer"},
	"pubblico.col.tipo.alunni":         {"intero", "integer"},
	"pubblico.col.tipo.assenti":        {"intero", "integer"},
	"pubblico.col.tipo.tasso":          {"decimale", "decimal"},
	"pubblico.col.tipo.ic_inf":         {"decimale", "decimal"},
	"pubblico.col.tipo.ic_sup":         {"decimale", "decimal"},
	"pubblico.impostazioni":            {"Dati pubblici", "Public figures"},
	"pubblico.impostazioni.help":       {"Cosa pubblicare su /pubblico (pagina, dati aperti e bollettino, senza accesso). Spento, nessun dato è pubblico.", "What to publish at /pubblico (page, open data and bulletin, no login). Off, nothing is public."},
	"pubblico.attivo":                  {"Pubblica i dati settimanali", "Publish the weekly figures"},
	"pubblico.livello":                 {"Dettaglio pubblicato", "Level of detail"},
	"pubblico.livello.territorio":      {"Solo il territorio", "The territory only"},
	"pubblico.livello.province":        {"Territorio e province", "Territory and provinces"},
	"pubblico.livello.gradi":           {"Territorio, province e gradi scolastici", "Territory, provinces and school grades"},
	"pubblico.min_plessi":              {"Numero minimo di plessi per valore pubblicato", "Least schools behind a published figure"},
	"pubblico.min_alunni":              {"Numero minimo di alunni per valore pubblicato", "Least pupils behind a published figure"},
}

func init() {
	for k, v := range catalogPubblico {
		catalog[k] = v
	}
	// The public page is read in English too: numbers in its convention.
	funcs["pctL"] = pctIT
	funcs["numL"] = func(lang string, n int) string {
		if lang == langEN {
			return strings.ReplaceAll(formatInt(n), ".", ",")
		}
		return formatInt(n)
	}
}
