package web

// catalogAssenze holds the messages of absence validation (ps.ValidaGiorno,
// sentinella.Valida) and of the class-register file; merged into catalog.
var catalogAssenze = map[string][2]string{
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
	"file.altri":           {"… e altri %d errori", "… and %d more errors"},
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

func init() {
	for k, v := range catalogAssenze {
		catalog[k] = v
	}
}

// Testo translates a catalogue key (or a ps.Msg) into lang ("it" or "en"):
// the CLI shows domain messages with the web's catalogue.
func Testo(lang, key string, args ...any) string { return tr(lang, key, args...) }
