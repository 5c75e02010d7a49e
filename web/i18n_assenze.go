package web

import "github.com/portalescuole/portalescuole/sentinella"

// catalogAssenze holds the messages of absence validation (ps.ValidaGiorno,
// sentinella.Valida) and of the class-register file; merged into catalog.
var catalogAssenze = map[string][2]string{
	"err.assenze.intero":        {"scrivere un numero intero (0 se nessuno)", "write a whole number (0 if none)"},
	"err.assenze.classe":        {"indicare gli assenti della classe (0 se nessuno)", "give the class's absent pupils (0 if none)"},
	"err.assenze.nessuno":       {"nessun giorno compilato: indicare gli assenti (0 se nessuno) o la chiusura", "no day filled in: give the absent pupils (0 if none) or the closure"},
	"err.calendario.patrono":    {"scrivere giorno e mese, es. 13/11", "write day and month, e.g. 13/11"},
	"err.calendario.chiusure":   {"date non valide: scrivere AAAA-MM-GG o GG/MM/AAAA separate da virgola", "invalid dates: write YYYY-MM-DD or DD/MM/YYYY separated by commas"},
	"err.calendario.troppe":     {"al massimo 20 giorni", "at most 20 days"},
	"err.giorno.non_scolastico": {"non è un giorno di lezione secondo il calendario scolastico", "not a school day according to the school calendar"},
	"err.giorno.data":           {"data mancante o non valida (AAAA-MM-GG)", "missing or invalid date (YYYY-MM-DD)"},
	"err.giorno.ripetuto":       {"giorno ripetuto nello stesso invio (vedi giorni[%s])", "day repeated in the same submission (see giorni[%s])"},
	"err.giorno.futuro":         {"non si possono inserire giorni futuri", "future days cannot be entered"},
	"err.giorno.non_sentinella": {"il plesso non è sentinella nell'anno scolastico %s", "the building is not a sentinel in school year %s"},
	"err.giorni.nessuno":        {"nessun giorno da salvare", "no day to save"},
	"err.giorni.troppi":         {"troppi giorni in un invio (massimo %s)", "too many days in one submission (at most %s)"},
	"err.chiusura.manca":        {"indicare il motivo della chiusura (%s)", "give the reason for the closure (%s)"},
	"err.chiusura.motivo":       {"motivo di chiusura «%s» non ammesso: usare uno di %s", "closure reason “%s” not allowed: use one of %s"},
	"err.chiusura.assenti":      {"un plesso chiuso non ha assenti: lasciare vuoto", "a closed building has no absent pupils: leave it empty"},
	"err.assenti.manca":         {"indicare gli assenti (0 se nessuno)", "give the absent pupils (0 if none)"},
	"err.assenti.iscritti":      {"gli assenti (%s) superano gli iscritti in vigore (%s)", "the absent pupils (%s) exceed the enrolled pupils in force (%s)"},
	"err.assenti.somma_classi":  {"il totale del plesso (%s) non coincide con la somma delle classi (%s)", "the building total (%s) differs from the sum of the classes (%s)"},
	"err.assenti.parte_classi":  {"il totale del plesso (%s) è minore degli assenti delle classi indicate (%s)", "the building total (%s) is less than the absent pupils of the classes given (%s)"},
	"err.numero.negativo":       {"il numero non può essere negativo", "the number cannot be negative"},
	"err.classi.troppe":         {"al massimo %s classi", "at most %s classes"},
	"err.classi.iscritti":       {"gli iscritti delle classi (%s) superano quelli del plesso (%s)", "the classes' pupils (%s) exceed the building's (%s)"},
	"err.classe.manca":          {"indicare la classe (es. 3A)", "give the class (e.g. 3A)"},
	"err.classe.lunga":          {"al massimo %s caratteri", "at most %s characters"},
	"err.classe.ripetuta":       {"classe ripetuta nello stesso giorno", "class repeated on the same day"},
	"err.classe.iscritti":       {"iscritti della classe tra 1 e 100", "class pupils between 1 and 100"},
	"err.classe.assenti":        {"gli assenti superano gli iscritti della classe", "the absent pupils exceed the class's pupils"},
	"err.motivi.supera":         {"la somma dei motivi (%s) supera gli assenti (%s)", "the reasons add up to %s, more than the absent pupils (%s)"},
	"err.motivi.somma":          {"i quattro motivi sommano %s, gli assenti sono %s", "the four reasons add up to %s, the absent pupils are %s"},

	// The file upload: where an error is, in the file's words.
	"file.campo.data":      {"colonna «data»", "column “data”"},
	"file.campo.assenti":   {"colonna «assenti»", "column “assenti”"},
	"file.campo.iscritti":  {"colonna «iscritti»", "column “iscritti”"},
	"file.campo.classe":    {"colonna «classe»", "column “classe”"},
	"file.campo.chiusura":  {"colonna «chiusura»", "column “chiusura”"},
	"file.campo.motivi":    {"colonne dei motivi", "reason columns"},
	"file.campo.classi":    {"classi del giorno", "classes of the day"},
	"file.campo.colonna":   {"colonna «%s»", "column “%s”"},
	"file.classe":          {"classe %s", "class %s"},
	"file.riga":            {"riga %s", "line %s"},
	"file.righe":           {"righe %s", "lines %s"},
	"file.altri":           {"… e altri %d errori", "… and %d more error{s}"},
	"file.attuale":         {"Ora salvato", "Saved now"},
	"file.nuovo":           {"Dal file", "From the file"},
	"file.cambia":          {"Giorni già segnalati che il file cambia: %d. Controllare i valori qui sotto.", "Days already reported that the file changes: %d. Check the values below."},
	"file.sovrascrivi":     {"Confermo di sostituire i valori già segnalati dei giorni evidenziati", "I confirm replacing the values already reported for the highlighted days"},
	"file.sovrascrivi.err": {"Il file cambia giorni già segnalati: per salvarlo spuntare la conferma sotto la tabella.", "The file changes days already reported: tick the confirmation below the table to save it."},
	"file.invariato":       {"invariato", "unchanged"},
	"file.nuovo.giorno":    {"nuovo", "new"},
	"file.modificato":      {"modificato", "changed"},
	"file.stato":           {"Esito", "Outcome"},
}

// fileEN are the English texts of the file parser's messages, whose
// Italian is sentinella.Messaggi.
var fileEN = map[string]string{
	"file.err.xlsx":         "the Excel file does not open: save it as .xlsx or as CSV",
	"file.err.fogli":        "the Excel file has no sheets",
	"file.err.foglio":       "the first sheet cannot be read",
	"file.err.righe":        "the file has more than %s lines",
	"file.err.virgolette":   "line %s: unclosed quotes or unreadable line",
	"file.err.bomba":        "the Excel file, unzipped, exceeds %s MB: it is not a class register; upload only the absences sheet, or a CSV",
	"file.err.compressione": "the Excel file has an unusual compression (%s): refused; save it again as .xlsx or as CSV",
	"file.err.danneggiato":  "the Excel file is damaged or not a real .xlsx: save it again as .xlsx or as CSV",
	"file.err.vuoto":        "the file is empty",
	"file.err.colonna":      "line %s: the column «%s» is missing (see the template)",
	"file.err.manca":        "line %s: «%s» is missing",
	"file.err.intero":       "line %s: «%s» must be a whole number from 0 to %s, not %q",
	"file.err.data_manca":   "line %s: the date is missing (YYYY-MM-DD or DD/MM/YYYY)",
	"file.err.data":         "line %s: invalid date %q (YYYY-MM-DD or DD/MM/YYYY)",
	"file.err.totale":       "line %s: the building's total repeated for %s",
	"file.err.altri":        "… and %s more errors",
	"file.err.nessuna_riga": "the file has no data lines (lines starting with # are ignored)",
}

// colonneEN describe the file's columns in English (sentinella.Template
// has the Italian).
var colonneEN = map[string]string{
	"data":               "school day, YYYY-MM-DD or DD/MM/YYYY (required)",
	"classe":             "class, e.g. 3A; empty for the building's total",
	"iscritti":           "pupils enrolled in the class (required with the class)",
	"assenti":            "absent pupils (0 if none; required unless closed)",
	"febbre_respiratori": "absent for illness with fever or respiratory symptoms (optional)",
	"gastrointestinali":  "absent for gastro-intestinal illness (optional)",
	"altra_malattia":     "absent for other illness (optional)",
	"non_malattia":       "absent not for illness or for an unknown reason (optional)",
	"chiusura":           "reason if the building was closed: sciopero (strike), elezioni (elections), maltempo (bad weather), altro (other) (optional)",
}

func init() {
	for k, v := range catalogAssenze {
		catalog[k] = v
	}
	for k, it := range sentinella.Messaggi {
		catalog[k] = [2]string{it, fileEN[k]} // TestCatalogo_File: none missing
	}
	for _, c := range sentinella.Template {
		catalog["file.col."+c.Col] = [2]string{c.Desc, colonneEN[c.Col]}
	}
}

// Testo translates a catalogue key (or a ps.Msg) into lang ("it" or "en"):
// the CLI shows domain messages with the web's catalogue.
func Testo(lang, key string, args ...any) string { return tr(lang, key, args...) }
