package web

import (
	"fmt"
	"net/http"
)

// Languages: Italian first, English available.
const (
	langIT = "it"
	langEN = "en"
)

// catalog maps a message key to its Italian and English text. Domain
// errors carry keys (see the root package's Error), so they read in either
// language; a string that is not a key is shown as it is.
var catalog = map[string][2]string{
	// Layout
	"app.name":          {"Portale Scuole", "Portale Scuole"},
	"app.skip":          {"Vai al contenuto principale", "Skip to main content"},
	"app.lang.switch":   {"English", "Italiano"},
	"app.lang.label":    {"Lingua", "Language"},
	"app.logout":        {"Esci", "Log out"},
	"app.menu":          {"Menu", "Menu"},
	"app.home":          {"Home", "Home"},
	"app.help.title":    {"Assistenza", "Help"},
	"app.help.email":    {"Posta elettronica", "E-mail"},
	"app.help.phone":    {"Numero verde", "Toll-free number"},
	"app.help.staff":    {"Canali riservati al personale scolastico.", "For school staff only."},
	"app.privacy":       {"Il portale raccoglie solo numeri aggregati: nessun dato personale degli alunni.", "The portal holds aggregate counts only: no personal data of pupils."},
	"app.required":      {"I campi contrassegnati da * sono obbligatori.", "Fields marked * are required."},
	"app.back":          {"Indietro", "Back"},
	"app.filter":        {"Filtra", "Filter"},
	"app.all":           {"Tutti", "All"},
	"app.yes":           {"Sì", "Yes"},
	"app.no":            {"No", "No"},
	"app.download.csv":  {"Scarica CSV", "Download CSV"},
	"app.download.xlsx": {"Scarica Excel (XLSX)", "Download Excel (XLSX)"},
	"app.loggedas":      {"Accesso come", "Signed in as"},

	// Login and password
	"login.title":           {"Accesso al Portale Scuole", "Sign in to Portale Scuole"},
	"login.intro":           {"Accedere con le credenziali del plesso scolastico.", "Sign in with your school building's credentials."},
	"login.username":        {"Nome utente", "Username"},
	"login.password":        {"Password", "Password"},
	"login.submit":          {"Accedi", "Sign in"},
	"login.failed":          {"Nome utente o password non corretti.", "Wrong username or password."},
	"login.locked":          {"Troppi tentativi non riusciti: l'accesso è bloccato per 15 minuti. Per aiuto contattare l'assistenza.", "Too many failed attempts: sign-in is locked for 15 minutes. Contact the help desk if needed."},
	"login.throttled":       {"Troppi tentativi da questo indirizzo: riprovare tra qualche minuto.", "Too many attempts from this address: try again in a few minutes."},
	"login.disabled":        {"Utenza disattivata: contattare l'assistenza.", "Account disabled: contact the help desk."},
	"password.title":        {"Cambio password", "Change password"},
	"password.forced":       {"Al primo accesso, o dopo un ripristino, è necessario scegliere una nuova password.", "At first sign-in, or after a reset, you must choose a new password."},
	"password.current":      {"Password attuale", "Current password"},
	"password.new":          {"Nuova password", "New password"},
	"password.new.help":     {"Almeno 10 caratteri. Una frase di più parole è facile da ricordare.", "At least 10 characters. A phrase of several words is easy to remember."},
	"password.confirm":      {"Ripetere la nuova password", "Repeat the new password"},
	"password.submit":       {"Salva la nuova password", "Save the new password"},
	"password.changed":      {"Password cambiata.", "Password changed."},
	"err.password.short":    {"La password deve avere almeno 10 caratteri.", "The password must have at least 10 characters."},
	"err.password.long":     {"La password è troppo lunga.", "The password is too long."},
	"err.password.username": {"La password non può essere uguale al nome utente.", "The password cannot equal the username."},
	"err.password.mismatch": {"Le due password non coincidono.", "The two passwords differ."},
	"err.password.current":  {"La password attuale non è corretta.", "The current password is wrong."},
	"err.password.same":     {"La nuova password deve essere diversa dalla precedente.", "The new password must differ from the old one."},

	// Plesso
	"plesso.title":          {"Plesso", "School building"},
	"plesso.codice":         {"Codice meccanografico", "School code"},
	"plesso.istituto":       {"Istituto", "Institution"},
	"plesso.comune":         {"Comune", "Municipality"},
	"plesso.grado":          {"Grado", "Grade"},
	"plesso.sentinella":     {"Plesso sentinella", "Sentinel school"},
	"plesso.registro":       {"Registro assenze", "Absence register"},
	"plesso.registro.help":  {"Iscritti 6–19 anni e numero di classi: da inserire a inizio anno scolastico e a ogni variazione.", "Pupils aged 6–19 and number of classes: enter them at the start of the school year and whenever they change."},
	"plesso.stato.fatto":    {"Dati dell'anno scolastico %s inseriti.", "Figures for school year %s entered."},
	"plesso.stato.manca":    {"Dati dell'anno scolastico %s non ancora inseriti.", "Figures for school year %s not yet entered."},
	"registro.title":        {"Registro assenze", "Absence register"},
	"registro.add":          {"Aggiungi", "Add"},
	"registro.empty":        {"Nessun dato inserito. Premere «Aggiungi» per inserire iscritti e classi.", "Nothing entered yet. Press “Add” to enter pupils and classes."},
	"registro.anno":         {"Anno scolastico", "School year"},
	"registro.iscritti":     {"Iscritti 6–19 anni", "Pupils aged 6–19"},
	"registro.classi":       {"Classi", "Classes"},
	"registro.media":        {"Alunni per classe", "Pupils per class"},
	"registro.valido_dal":   {"In vigore dal", "In force from"},
	"registro.revisione":    {"Revisione", "Revision"},
	"registro.inserito":     {"Inserito il", "Entered on"},
	"registro.da":           {"da", "by"},
	"registro.note":         {"Note", "Notes"},
	"registro.in_vigore":    {"in vigore", "in force"},
	"registro.storico":      {"Storico delle revisioni", "Revision history"},
	"registro.storico.help": {"Ogni salvataggio crea una nuova revisione: i dati precedenti restano visibili qui.", "Every save creates a new revision: earlier figures stay visible here."},
	"form.title":            {"Aggiungi iscritti e classi", "Add pupils and classes"},
	"form.anno.help":        {"Di norma l'anno in corso.", "Usually the current year."},
	"form.iscritti.help":    {"Solo alunni di primaria e secondaria di I e II grado (6–19 anni). Non contare l'infanzia.", "Primary and secondary pupils only (aged 6–19). Do not count pre-school."},
	"form.classi.help":      {"Numero di classi del plesso.", "Number of classes in the building."},
	"form.valido_dal.help":  {"Facoltativo. Se vuoto: inizio dell'anno scolastico per il primo inserimento, oggi per una variazione.", "Optional. If empty: start of the school year for the first entry, today for a change."},
	"form.note.help":        {"Facoltativo, massimo 500 caratteri.", "Optional, at most 500 characters."},
	"form.save":             {"Salva", "Save"},
	"form.cancel":           {"Annulla", "Cancel"},
	"form.errors":           {"Il modulo contiene errori. Correggere i campi indicati:", "The form has errors. Please correct:"},
	"form.conferma":         {"Confermo che i dati sono corretti", "I confirm the figures are correct"},
	"form.saved":            {"Dati salvati: revisione %d dell'anno scolastico %s.", "Saved: revision %d of school year %s."},
	"form.unchanged":        {"I dati coincidono con quelli già salvati: nessuna nuova revisione.", "The figures equal those already saved: no new revision."},
	"warn.media_classe":     {"La media di alunni per classe (%s) è fuori dall'intervallo usuale 10–30. Verificare i numeri e confermare.", "The average class size (%s) is outside the usual 10–30 range. Check the figures and confirm."},

	// Validation
	"err.form":                    {"Il modulo contiene errori.", "The form has errors."},
	"err.anno.required":           {"Indicare l'anno scolastico.", "Enter the school year."},
	"err.anno.format":             {"Anno scolastico non valido: scrivere ad esempio 2025/26.", "Invalid school year: write e.g. 2025/26."},
	"err.anno.range":              {"L'anno scolastico è troppo lontano da quello in corso.", "The school year is too far from the current one."},
	"err.iscritti.required":       {"Indicare il numero di iscritti.", "Enter the number of pupils."},
	"err.iscritti.max":            {"Il numero di iscritti supera il massimo ammesso (5.000).", "The number of pupils exceeds the maximum (5,000)."},
	"err.iscritti.lt_classi":      {"Gli iscritti non possono essere meno delle classi.", "Pupils cannot be fewer than classes."},
	"err.classi.required":         {"Indicare il numero di classi.", "Enter the number of classes."},
	"err.classi.max":              {"Il numero di classi supera il massimo ammesso (250).", "The number of classes exceeds the maximum (250)."},
	"err.classi.min":              {"Le classi devono essere almeno 1.", "There must be at least 1 class."},
	"err.numero.intero":           {"Scrivere un numero intero, senza lettere né decimali.", "Write a whole number, without letters or decimals."},
	"err.numero.negativo":         {"Il numero non può essere negativo.", "The number cannot be negative."},
	"err.data.format":             {"Data non valida: usare il formato GG/MM/AAAA.", "Invalid date: use DD/MM/YYYY."},
	"err.valido_dal.fuori_anno":   {"La data deve cadere nell'anno scolastico scelto.", "The date must fall within the chosen school year."},
	"err.note.long":               {"Le note superano 500 caratteri.", "Notes exceed 500 characters."},
	"err.notfound.plesso":         {"Plesso non trovato.", "School building not found."},
	"err.notfound.istituto":       {"Istituto non trovato.", "Institution not found."},
	"err.notfound.user":           {"Utente non trovato.", "User not found."},
	"err.notfound.consistenza":    {"Nessun dato in vigore.", "No figures in force."},
	"err.notfound.outbox":         {"Messaggio non trovato o non reinviabile.", "Message not found or not resendable."},
	"err.notfound.page":           {"Pagina non trovata.", "Page not found."},
	"err.user.exists":             {"Esiste già un utente con questo nome.", "A user with this name already exists."},
	"err.user.username":           {"Nome utente non valido.", "Invalid username."},
	"err.user.role":               {"Ruolo non valido.", "Invalid role."},
	"err.user.plesso_required":    {"Indicare il plesso.", "Enter the school building."},
	"err.user.istituto_required":  {"Indicare l'istituto.", "Enter the institution."},
	"err.import.anno":             {"Indicare l'anno scolastico del file degli studenti.", "Enter the school year of the pupil-count file."},
	"err.import.fuori_territorio": {"Il file non contiene righe delle province del territorio.", "The file has no rows of the territory's provinces."},
	"err.import.file":             {"Scegliere un file da caricare.", "Choose a file to upload."},
	"err.internal":                {"Si è verificato un errore interno. Riprovare; se persiste, contattare l'assistenza.", "An internal error occurred. Try again; if it persists, contact the help desk."},
	"err.forbidden":               {"Non si dispone dei permessi per questa pagina.", "You are not allowed to see this page."},
	"err.too_large":               {"I dati inviati sono troppo grandi.", "The data sent is too large."},
	"err.title":                   {"Errore", "Error"},

	// Istituto
	"istituto.title": {"Plessi dell'istituto", "Buildings of the institution"},
	"istituto.stato": {"Stato %s", "Status %s"},
	"stato.fatto":    {"Inserito", "Entered"},
	"stato.manca":    {"Da inserire", "Missing"},
	"stato.label":    {"Stato", "Status"},

	// ATS
	"ats.title":               {"Area ATS", "ATS area"},
	"ats.adempimenti":         {"Adempimenti: iscritti e classi", "Compliance: pupils and classes"},
	"ats.adempimenti.help":    {"Plessi di primaria e secondaria attivi: chi ha inserito iscritti e classi per l'anno scolastico.", "Active primary and secondary buildings: who entered pupils and classes for the school year."},
	"ats.tassi":               {"Percentuale di plessi che hanno inserito i dati", "Share of buildings that entered their figures"},
	"ats.per.provincia":       {"Per provincia", "By province"},
	"ats.per.distretto":       {"Per distretto", "By district"},
	"ats.per.istituto":        {"Per istituto", "By institution"},
	"ats.per.grado":           {"Per grado", "By grade"},
	"ats.totale":              {"Totale", "Total"},
	"ats.plessi":              {"Plessi", "Buildings"},
	"ats.fatti":               {"Inseriti", "Entered"},
	"ats.mancano":             {"Mancanti", "Missing"},
	"ats.perc":                {"%", "%"},
	"ats.provincia":           {"Provincia", "Province"},
	"ats.distretto":           {"Distretto", "District"},
	"ats.elenco":              {"Elenco dei plessi", "List of buildings"},
	"ats.mim":                 {"Studenti MIM", "MIM pupils"},
	"ats.solleciti":           {"Sollecita i plessi mancanti", "Remind missing buildings"},
	"ats.solleciti.help":      {"Invia un promemoria per e-mail ai plessi che non hanno ancora inserito i dati (secondo i filtri). Ogni plesso riceve al massimo un promemoria al giorno.", "E-mails a reminder to the buildings still missing (within the filters). Each building gets at most one reminder a day."},
	"ats.solleciti.fatto":     {"%d promemoria in coda di invio; %d già inviati oggi; %d plessi senza indirizzo e-mail.", "%d reminders queued; %d already sent today; %d buildings without e-mail."},
	"ats.outbox":              {"Posta in uscita", "Outbox"},
	"ats.credenziali":         {"Credenziali dei plessi", "Building credentials"},
	"ats.credenziali.help":    {"Crea le utenze iniziali per tutti i plessi attivi che non ne hanno una e scarica un CSV per la stampa unione. Le password sono mostrate solo in questo file: conservarlo con cura.", "Creates the initial accounts for every active building without one and downloads a CSV for mail merge. Passwords appear only in this file: keep it safe."},
	"ats.credenziali.crea":    {"Crea credenziali e scarica il CSV", "Create credentials and download CSV"},
	"ats.credenziali.nessuna": {"Tutti i plessi attivi hanno già un'utenza.", "Every active building already has an account."},
	"ats.reset":               {"Ripristina password", "Reset password"},
	"ats.reset.fatto":         {"Nuova password temporanea per %s: %s (da cambiare al primo accesso; mostrata una sola volta).", "New temporary password for %s: %s (to change at first sign-in; shown only once)."},
	"ats.reset.nouser":        {"Il plesso non ha ancora un'utenza: crearla con «Credenziali dei plessi».", "The building has no account yet: create it under “Building credentials”."},
	"ats.cerca":               {"Cerca (codice, nome, comune)", "Search (code, name, municipality)"},
	"ats.utenza":              {"Utenza", "Account"},
	"ats.nessuno":             {"Nessun plesso corrisponde ai filtri.", "No building matches the filters."},

	// Admin
	"admin.title":           {"Amministrazione", "Administration"},
	"admin.audit":           {"Registro delle attività", "Audit log"},
	"admin.audit.when":      {"Quando", "When"},
	"admin.audit.who":       {"Chi", "Who"},
	"admin.audit.action":    {"Azione", "Action"},
	"admin.audit.entity":    {"Oggetto", "Object"},
	"admin.audit.detail":    {"Dettaglio", "Detail"},
	"admin.audit.ip":        {"IP", "IP"},
	"admin.audit.from":      {"Dal", "From"},
	"admin.audit.to":        {"Al", "To"},
	"admin.audit.total":     {"%d voci", "%d entries"},
	"admin.import":          {"Importa anagrafe", "Import register"},
	"admin.import.help":     {"Accetta: anagrafe MIM delle scuole statali (SCUANAGRAFESTAT) o paritarie (SCUANAGRAFEPAR), studenti per plesso MIM (CODICESCUOLA, NUMEROSTUDENTI), elenco ISTAT dei comuni, mappa comune → distretto (codice_istat, distretto, nome_distretto). Il tipo è riconosciuto dall'intestazione. Un file con errori è rifiutato per intero.", "Accepts: MIM register of state (SCUANAGRAFESTAT) or non-state (SCUANAGRAFEPAR) schools, MIM pupils per building (CODICESCUOLA, NUMEROSTUDENTI), ISTAT municipalities, municipality → district map (codice_istat, distretto, nome_distretto). The kind is recognised from the header. A file with errors is rejected whole."},
	"admin.import.file":     {"File CSV", "CSV file"},
	"admin.import.anno":     {"Anno scolastico (solo per il file degli studenti)", "School year (pupil-count file only)"},
	"admin.import.dry":      {"Solo anteprima (non salvare)", "Preview only (do not save)"},
	"admin.import.submit":   {"Importa", "Import"},
	"admin.import.rejected": {"File rifiutato: nessun dato è stato modificato.", "File rejected: nothing was changed."},
	"admin.import.result":   {"Importazione %s: %d aggiunti, %d modificati, %d ritirati, %d righe fuori territorio.", "Import %s: %d added, %d changed, %d retired, %d rows outside the territory."},
	"admin.import.preview":  {"Anteprima (nulla è stato salvato)", "Preview (nothing saved)"},
	"admin.import.done":     {"Importazione salvata", "Import saved"},
	"admin.import.history":  {"Importazioni precedenti", "Previous imports"},
	"admin.added":           {"Aggiunti", "Added"},
	"admin.changed":         {"Modificati", "Changed"},
	"admin.retired":         {"Ritirati", "Retired"},
	"admin.settings":        {"Impostazioni", "Settings"},
	"admin.settings.saved":  {"Impostazioni salvate.", "Settings saved."},
	"admin.users":           {"Utenti", "Users"},
	"admin.role":            {"Ruolo", "Role"},

	"grado.primaria":    {"Primaria", "Primary"},
	"grado.secondaria1": {"Secondaria di I grado", "Lower secondary"},
	"grado.secondaria2": {"Secondaria di II grado", "Upper secondary"},
	"grado.infanzia":    {"Infanzia", "Pre-school"},
	"grado.altro":       {"Altro", "Other"},
	"grado.":            {"Non indicato", "Not given"},
}

// tr translates key into lang, formatting args; unknown keys are returned
// as they are (texts from the domain that are not keys).
func tr(lang, key string, args ...any) string {
	s := key
	if m, ok := catalog[key]; ok {
		s = m[0]
		if lang == langEN {
			s = m[1]
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// langOf picks the language: the "lang" cookie, else Italian.
func langOf(r *http.Request) string {
	if c, err := r.Cookie("lang"); err == nil && c.Value == langEN {
		return langEN
	}
	return langIT
}
