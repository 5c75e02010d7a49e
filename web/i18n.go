package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	ps "github.com/portalescuole/portalescuole"
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
	"app.name":                   {"Portale Scuole", "Portale Scuole"},
	"app.skip":                   {"Vai al contenuto principale", "Skip to main content"},
	"app.lang.switch":            {"English", "Italiano"},
	"app.lang.label":             {"Lingua", "Language"},
	"app.logout":                 {"Esci", "Log out"},
	"app.menu":                   {"Menu", "Menu"},
	"app.home":                   {"Home", "Home"},
	"app.help.title":             {"Assistenza", "Help"},
	"app.help.email":             {"Posta elettronica", "E-mail"},
	"app.help.phone":             {"Numero verde", "Toll-free number"},
	"app.help.staff":             {"Canali riservati al personale scolastico.", "For school staff only."},
	"app.privacy":                {"Il portale raccoglie solo numeri aggregati: nessun dato personale degli alunni.", "The portal holds aggregate counts only: no personal data of pupils."},
	"app.required":               {"I campi contrassegnati da * sono obbligatori.", "Fields marked * are required."},
	"app.back":                   {"Indietro", "Back"},
	"num.decimal":                {",", "."},
	"trend.su":                   {"↑ in aumento (%s)", "↑ rising (%s)"},
	"trend.giu":                  {"↓ in calo (%s)", "↓ falling (%s)"},
	"trend.stabile":              {"→ stabile", "→ steady"},
	"completezza.chart.x":        {"Finestra dal", "Window from"},
	"completezza.chart.y":        {"% in tempo", "% on time"},
	"completezza.chart.caption":  {"% plessi sentinella in tempo per finestra di rilevazione (i numeri sono nella tabella).", "% of sentinel buildings on time per reporting window (the figures are in the table)."},
	"app.continue":               {"Continua", "Continue"},
	"settings.orari":             {"Orari dell'assistenza", "Help desk hours"},
	"settings.allerte":           {"Allerte", "Alerts"},
	"settings.quota":             {"Quota minima degli alunni dei plessi sentinella che devono aver inviato perché un giorno entri nel calcolo di un aggregato (da 0 a 1)", "Minimum share of the sentinel buildings' pupils that must have reported for a day to enter an aggregate's detection (0 to 1)"},
	"settings.quota.help":        {"Es. 0,5: metà degli alunni della rete. Prima il giorno è provvisorio e non può dare allerte.", "E.g. 0.5: half of the network's pupils. Until then the day is provisional and cannot raise alerts."},
	"settings.minimo":            {"Numero minimo di plessi che devono aver inviato", "Minimum number of buildings that must have reported"},
	"settings.checklist":         {"Cosa fare davanti a un'allerta (un passo per riga)", "What to do about an alert (one step per line)"},
	"andamento.senza_confronto":  {"Giorni senza il valore del territorio: %d (il territorio si mostra quando hanno inviato almeno %d plessi, per non confrontare il plesso con sé stesso o con una sola altra scuola).", "Days without the territory's value: %d (the territory is shown when at least %d building{s} have reported, so the building is not compared with itself or with one other school)."},
	"grafico.giorno":             {"giorno", "day"},
	"grafico.assenti":            {"assenti", "absent"},
	"grafico.atteso":             {"atteso", "expected"},
	"grafico.soglia":             {"limite 95%", "95% limit"},
	"grafico.allarme":            {"allarme", "alarm"},
	"grafico.provvisorio":        {"provvisorio (dati incompleti)", "provisional (incomplete data)"},
	"grafico.settimana":          {"settimana", "week"},
	"grafico.questanno":          {"quest'anno", "this year"},
	"grafico.precedente":         {"anno precedente", "previous year"},
	"grafico.influnet":           {"InfluNet 5-14 anni (per 1.000)", "InfluNet age 5-14 (per 1,000)"},
	"grafico.plesso":             {"plesso", "building"},
	"grafico.territorio":         {"territorio", "territory"},
	"grafico.decimale":           {",", "."},
	"cruscotto.senza_precedente": {"Nessun dato dell'anno scolastico precedente nel portale: il confronto con l'anno prima non è disponibile.", "No data of the previous school year in the portal: the comparison with last year is not available."},
	"cruscotto.senza_influnet":   {"Nessun dato InfluNet per quest'anno: si può importare il file settimanale in «Importa anagrafe».", "No InfluNet data for this year: the weekly file can be imported under “Import register”."},
	"app.cancel":                 {"Annulla", "Cancel"},
	"app.filter":                 {"Filtra", "Filter"},
	"app.all":                    {"Tutti", "All"},
	"app.yes":                    {"Sì", "Yes"},
	"app.no":                     {"No", "No"},
	"app.download.csv":           {"Scarica CSV", "Download CSV"},
	"app.download.excel_it":      {"CSV per Excel in italiano (punto e virgola, virgola decimale)", "CSV for Italian Excel (semicolons, decimal commas)"},
	"app.download.xlsx":          {"Scarica Excel (XLSX)", "Download Excel (XLSX)"},
	"app.loggedas":               {"Accesso come", "Signed in as"},

	// Login and password
	"login.title":            {"Accesso al Portale Scuole", "Sign in to Portale Scuole"},
	"login.intro":            {"Accedere con le credenziali del plesso scolastico.", "Sign in with your school building's credentials."},
	"login.username":         {"Nome utente", "Username"},
	"login.password":         {"Password", "Password"},
	"login.submit":           {"Accedi", "Sign in"},
	"login.failed":           {"Nome utente o password non corretti.", "Wrong username or password."},
	"login.throttled":        {"Troppi tentativi non riusciti da questo indirizzo: riprovare tra %s.", "Too many failed attempts from this address: try again in %s."},
	"login.throttled.ip":     {"Troppi tentativi da questo indirizzo: riprovare tra qualche minuto.", "Too many attempts from this address: try again in a few minutes."},
	"password.title":         {"Cambio password", "Change password"},
	"password.forced":        {"Al primo accesso, o dopo un ripristino, è necessario scegliere una nuova password.", "At first sign-in, or after a reset, you must choose a new password."},
	"password.current":       {"Password attuale", "Current password"},
	"password.new":           {"Nuova password", "New password"},
	"password.new.help":      {"Almeno 10 caratteri, né comune né con il nome utente. Una frase di più parole è facile da ricordare.", "At least 10 characters, not a common one nor containing the username. A phrase of several words is easy to remember."},
	"password.confirm":       {"Ripetere la nuova password", "Repeat the new password"},
	"password.submit":        {"Salva la nuova password", "Save the new password"},
	"password.changed":       {"Password cambiata.", "Password changed."},
	"err.password.short":     {"La password deve avere almeno 10 caratteri.", "The password must have at least 10 characters."},
	"err.password.long":      {"La password è troppo lunga.", "The password is too long."},
	"err.password.personal":  {"La password non può contenere il nome utente, il codice del plesso o il nome dell'ATS.", "The password cannot contain the username, the school code or the health authority's name."},
	"err.password.common":    {"Questa password è tra le più usate o già diffuse in rete: sceglierne un'altra, per esempio una frase di tre o quattro parole.", "This password is among the most used or already leaked: choose another, for example a phrase of three or four words."},
	"err.password.blank":     {"La password non può essere fatta solo di spazi.", "The password cannot be only spaces."},
	"err.password.throttled": {"Troppi tentativi con la password attuale sbagliata: riprovare tra %s.", "Too many wrong attempts at the current password: try again in %s."},
	"err.password.mismatch":  {"Le due password non coincidono.", "The two passwords differ."},
	"err.password.current":   {"La password attuale non è corretta.", "The current password is wrong."},
	"err.password.same":      {"La nuova password deve essere diversa dalla precedente.", "The new password must differ from the old one."},

	// Plesso
	"plesso.title":                 {"Plesso", "School building"},
	"plesso.codice":                {"Codice meccanografico", "School code"},
	"plesso.istituto":              {"Istituto", "Institution"},
	"plesso.comune":                {"Comune", "Municipality"},
	"plesso.grado":                 {"Grado", "Grade"},
	"plesso.sentinella":            {"Plesso sentinella", "Sentinel school"},
	"plesso.registro":              {"Registro assenze", "Absence register"},
	"plesso.registro.help":         {"Iscritti 6–19 anni e numero di classi: da inserire a inizio anno scolastico e a ogni variazione.", "Pupils aged 6–19 and number of classes: enter them at the start of the school year and whenever they change."},
	"plesso.stato.fatto":           {"Dati dell'anno scolastico %s inseriti.", "Figures for school year %s entered."},
	"plesso.stato.manca":           {"Dati dell'anno scolastico %s non ancora inseriti.", "Figures for school year %s not yet entered."},
	"registro.title":               {"Registro assenze", "Absence register"},
	"registro.add":                 {"Aggiungi", "Add"},
	"registro.empty":               {"Nessun dato inserito. Premere «Aggiungi» per inserire iscritti e classi.", "Nothing entered yet. Press “Add” to enter pupils and classes."},
	"registro.anno":                {"Anno scolastico", "School year"},
	"registro.iscritti":            {"Iscritti 6–19 anni", "Pupils aged 6–19"},
	"registro.classi":              {"Classi", "Classes"},
	"registro.media":               {"Alunni per classe", "Pupils per class"},
	"registro.valido_dal":          {"In vigore dal", "In force from"},
	"registro.revisione":           {"Revisione", "Revision"},
	"registro.inserito":            {"Inserito il", "Entered on"},
	"registro.da":                  {"da", "by"},
	"registro.note":                {"Note", "Notes"},
	"registro.in_vigore":           {"in vigore", "in force"},
	"registro.storico":             {"Storico delle revisioni", "Revision history"},
	"registro.storico.help":        {"Ogni salvataggio crea una nuova revisione: i dati precedenti restano visibili qui.", "Every save creates a new revision: earlier figures stay visible here."},
	"form.title":                   {"Aggiungi iscritti e classi", "Add pupils and classes"},
	"form.anno.help":               {"Di norma l'anno in corso.", "Usually the current year."},
	"form.iscritti.help":           {"Solo alunni di primaria e secondaria di I e II grado (6–19 anni). Non contare l'infanzia.", "Primary and secondary pupils only (aged 6–19). Do not count pre-school."},
	"form.classi.help":             {"Numero di classi del plesso.", "Number of classes in the building."},
	"form.valido_dal.help":         {"Facoltativo. Se vuoto: inizio dell'anno scolastico per il primo inserimento, oggi per una variazione.", "Optional. If empty: start of the school year for the first entry, today for a change."},
	"form.note.help":               {"Facoltativo, massimo 500 caratteri.", "Optional, at most 500 characters."},
	"form.save":                    {"Salva", "Save"},
	"form.cancel":                  {"Annulla", "Cancel"},
	"form.errors":                  {"Il modulo contiene errori. Correggere i campi indicati:", "The form has errors. Please correct:"},
	"form.verifica":                {"Verificare prima di salvare:", "Please check before saving:"},
	"warn.iscritti":                {"Gli iscritti indicati (%s) sono molto diversi da %s: %s. Verificare il numero e confermare.", "The pupils entered (%s) are far from %s: %s. Check the figure and confirm."},
	"warn.iscritti.fonte.registro": {"quelli in vigore (revisione %d)", "those in force (revision %d)"},
	"warn.iscritti.fonte.mim":      {"quelli del Ministero per l'a.s. %s", "the Ministry's count for school year %s"},
	"form.conferma":                {"Confermo che i dati sono corretti", "I confirm the figures are correct"},
	"form.saved":                   {"Dati salvati: revisione %d dell'anno scolastico %s.", "Saved: revision %d of school year %s."},
	"form.unchanged":               {"I dati coincidono con quelli già salvati: nessuna nuova revisione.", "The figures equal those already saved: no new revision."},
	"warn.media_classe":            {"La media di alunni per classe (%s) è fuori dall'intervallo usuale 10–30. Verificare i numeri e confermare.", "The average class size (%s) is outside the usual 10–30 range. Check the figures and confirm."},

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
	"err.notfound.serie":          {"Serie non trovata: i nomi delle serie sono quelli del cruscotto (ad esempio territorio, provincia:CR).", "Series not found: series names are those of the dashboard (e.g. territorio, provincia:CR)."},
	"err.notfound.page":           {"Pagina non trovata.", "Page not found."},
	"err.method":                  {"Questa pagina non accetta questo tipo di richiesta.", "This page does not accept this kind of request."},
	"err.user.exists":             {"Esiste già un utente con questo nome.", "A user with this name already exists."},
	"err.user.username":           {"Nome utente non valido.", "Invalid username."},
	"err.user.role":               {"Ruolo non valido.", "Invalid role."},
	"err.user.plesso_required":    {"Indicare il plesso.", "Enter the school building."},
	"err.user.istituto_required":  {"Indicare l'istituto.", "Enter the institution."},
	"err.import.anno":             {"Indicare l'anno scolastico del file degli studenti.", "Enter the school year of the pupil-count file."},
	"err.import.fuori_territorio": {"Il file non contiene righe delle province del territorio.", "The file has no rows of the territory's provinces."},
	"err.import.file":             {"Scegliere un file da caricare.", "Choose a file to upload."},
	"err.concorrenza":             {"Altre richieste hanno modificato gli stessi dati nello stesso momento: riprovare.", "Other requests changed the same data at the same moment: try again."},
	"err.internal":                {"Si è verificato un errore interno. Riprovare; se persiste, contattare l'assistenza.", "An internal error occurred. Try again; if it persists, contact the help desk."},
	"err.forbidden":               {"Non si dispone dei permessi per questa pagina.", "You are not allowed to see this page."},
	"err.unavailable":             {"Il portale non raggiunge il suo archivio in questo momento (manutenzione o cambio di server): riprovare tra qualche secondo. Nulla di quanto già salvato è perso.", "The portal cannot reach its database right now (maintenance or a server switch): try again in a few seconds. Nothing already saved is lost."},
	"err.too_large":               {"I dati inviati sono troppo grandi.", "The data sent is too large."},
	"err.title":                   {"Errore", "Error"},

	// Istituto
	"istituto.title": {"Plessi dell'istituto", "Buildings of the institution"},
	"istituto.stato": {"Stato %s", "Status %s"},
	"stato.fatto":    {"Inserito", "Entered"},
	"stato.manca":    {"Da inserire", "Missing"},
	"stato.label":    {"Stato", "Status"},

	// ATS
	"ats.title":                      {"Area ATS", "ATS area"},
	"ats.adempimenti":                {"Adempimenti: iscritti e classi", "Compliance: pupils and classes"},
	"ats.adempimenti.help":           {"Plessi di primaria e secondaria attivi: chi ha inserito iscritti e classi per l'anno scolastico.", "Active primary and secondary buildings: who entered pupils and classes for the school year."},
	"ats.tassi":                      {"Percentuale di plessi che hanno inserito i dati", "Share of buildings that entered their figures"},
	"ats.per.provincia":              {"Per provincia", "By province"},
	"ats.per.distretto":              {"Per distretto", "By district"},
	"ats.per.istituto":               {"Per istituto", "By institution"},
	"ats.per.grado":                  {"Per grado", "By grade"},
	"ats.totale":                     {"Totale", "Total"},
	"ats.plessi":                     {"Plessi", "Buildings"},
	"ats.fatti":                      {"Inseriti", "Entered"},
	"ats.mancano":                    {"Mancanti", "Missing"},
	"ats.perc":                       {"%", "%"},
	"ats.provincia":                  {"Provincia", "Province"},
	"ats.distretto":                  {"Distretto", "District"},
	"ats.elenco":                     {"Elenco dei plessi", "List of buildings"},
	"ats.mim":                        {"Studenti MIM", "MIM pupils"},
	"ats.solleciti":                  {"Sollecita i plessi mancanti", "Remind missing buildings"},
	"ats.solleciti.help":             {"Invia un promemoria per e-mail ai plessi che non hanno ancora inserito i dati (secondo i filtri). Ogni plesso riceve al massimo un promemoria al giorno.", "E-mails a reminder to the buildings still missing (within the filters). Each building gets at most one reminder a day."},
	"ats.solleciti.conferma.title":   {"Conferma i promemoria", "Confirm the reminders"},
	"ats.solleciti.conferma.testo":   {"Stanno per partire %d promemoria per e-mail ai plessi che non hanno ancora inserito i dati (secondo i filtri scelti); %d plessi non hanno un indirizzo e-mail.", "%d e-mail reminder{s} are about to go to the buildings still missing (within the chosen filters); %d building{s} have no e-mail address."},
	"ats.solleciti.conferma.invia":   {"Conferma e invia %d promemoria", "Confirm and send %d reminder{s}"},
	"ats.solleciti.conferma.elenco":  {"Destinatari", "Recipients"},
	"outbox.to":                      {"Destinatario", "To"},
	"outbox.subject":                 {"Oggetto", "Subject"},
	"outbox.stato.pending":           {"in coda", "queued"},
	"outbox.stato.sending":           {"in invio", "sending"},
	"outbox.stato.sent":              {"inviato", "sent"},
	"outbox.stato.failed":            {"non inviato", "failed"},
	"outbox.stato.incerto":           {"esito incerto", "uncertain"},
	"outbox.reinvia":                 {"Reinvia", "Send again"},
	"ats.solleciti.gia_oggi":         {"Altri %d plessi hanno già ricevuto il promemoria oggi e non lo ricevono di nuovo.", "%d other building{s} already got the reminder today and will not get it again."},
	"ats.solleciti.fatto":            {"%d promemoria in coda di invio; %d già inviati oggi; %d plessi senza indirizzo e-mail.", "%d reminder{s} queued; %d already sent today; %d building{s} without e-mail."},
	"ats.outbox":                     {"Posta in uscita", "Outbox"},
	"ats.credenziali":                {"Credenziali dei plessi", "Building credentials"},
	"ats.credenziali.help":           {"Crea le utenze iniziali per tutti i plessi attivi che non ne hanno una e scarica un CSV per la stampa unione. Le password sono mostrate solo in questo file: conservarlo con cura.", "Creates the initial accounts for every active building without one and downloads a CSV for mail merge. Passwords appear only in this file: keep it safe."},
	"ats.credenziali.crea":           {"Crea credenziali e scarica il CSV", "Create credentials and download CSV"},
	"ats.credenziali.nessuna":        {"Tutti i plessi attivi hanno già un'utenza.", "Every active building already has an account."},
	"ats.reset":                      {"Ripristina password", "Reset password"},
	"ats.reset.fatto":                {"Nuova password temporanea per %s: %s (da cambiare al primo accesso; mostrata una sola volta).", "New temporary password for %s: %s (to change at first sign-in; shown only once)."},
	"ats.reset.help":                 {"Se una scuola ha perso la password: inserire il codice meccanografico del plesso. Prima di procedere viene chiesta una conferma.", "If a school has lost its password: enter the building's code. A confirmation is asked before anything changes."},
	"ats.reset.spiegazione":          {"La password attuale del plesso smetterà di funzionare e le sessioni aperte verranno chiuse. Verrà mostrata una sola volta una nuova password temporanea, da comunicare alla scuola: al primo accesso dovrà cambiarla. L'operazione è registrata nel registro delle attività.", "The building's current password will stop working and its open sessions will be closed. A new temporary password will be shown once, to give to the school: it must change it at first sign-in. The operation is recorded in the audit log."},
	"ats.reset.conferma":             {"Conferma: ripristina la password", "Confirm: reset the password"},
	"ats.reset.revoca_token":         {"Revoca anche i token del registro elettronico del plesso (consigliato: chi conosceva la password può averne creati)", "Also revoke the building's electronic-register tokens (recommended: whoever knew the password may have created some)"},
	"emergenza.conferma.title":       {"Avviare la modalità emergenza?", "Start emergency mode?"},
	"emergenza.conferma.testo":       {"Ambito: %s, dal %s. Coinvolge %d plessi, che da quel giorno inseriscono le assenze ogni giorno; partiranno %d e-mail di istruzioni.", "Scope: %s, from %s. It involves %d building{s}, which from that day enter absences daily; %d instruction e-mail{s} will be sent."},
	"emergenza.conferma.senza_email": {"%d plessi non hanno un indirizzo e-mail: vanno avvisati in altro modo.", "%d building{s} have no e-mail address: tell them another way."},
	"emergenza.conferma.passato":     {"L'inizio è nel passato: per %d giorni di lezione, fino a ieri, i %d plessi risulteranno subito in ritardo.", "The start is in the past: for %d school day{s}, up to yesterday, the %d building{s} will be late at once."},
	"emergenza.conferma.avvia":       {"Conferma: avvia la modalità emergenza", "Confirm: start emergency mode"},
	"admin.url_pubblico":             {"Per pubblicare i dati aperti serve l'indirizzo pubblico del portale (per esempio https://portalescuole.ats-valpadana.it): con un indirizzo locale i link del catalogo non portano da nessuna parte. Nulla è stato salvato.", "Publishing the open data needs the portal's public address (for instance https://portalescuole.ats-valpadana.it): with a local one the catalogue's links lead nowhere. Nothing was saved."},
	"err.emergenza.dal.limiti":       {"La modalità emergenza può iniziare dal %s al %s (al più due settimane indietro, nell'anno scolastico in corso, e due mesi avanti).", "Emergency mode can start from %s to %s (two weeks back at most, within the current school year, and two months ahead)."},
	"token.gia_creato":               {"Il token di questo modulo è già stato creato: il suo valore si vede una sola volta. Se non l'ha copiato, lo revochi e ne crei uno nuovo.", "The token of this form was already created: its value is shown only once. If you did not copy it, revoke it and create a new one."},
	"ats.reset.revocati":             {"Token del registro revocati: %d.", "Register tokens revoked: %d."},
	"ats.reset.sconosciuto":          {"Nessun plesso con codice «%s».", "No building with code “%s”."},
	"ats.reset.nouser":               {"Il plesso non ha ancora un'utenza: crearla con «Credenziali dei plessi».", "The building has no account yet: create it under “Building credentials”."},
	"ats.cerca":                      {"Cerca (codice, nome, comune)", "Search (code, name, municipality)"},
	"ats.utenza":                     {"Utenza", "Account"},
	"ats.nessuno":                    {"Nessun plesso corrisponde ai filtri.", "No building matches the filters."},

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
	"admin.import.help":     {"Accetta: anagrafe MIM delle scuole statali (SCUANAGRAFESTAT) o paritarie (SCUANAGRAFEPAR), studenti per plesso MIM (CODICESCUOLA, NUMEROSTUDENTI), elenco ISTAT dei comuni, mappa comune → distretto (codice_istat, distretto, nome_distretto), incidenza settimanale InfluNet (flu_season, year_week, inc_5-14). Il tipo è riconosciuto dall'intestazione. Un file con errori è rifiutato per intero.", "Accepts: MIM register of state (SCUANAGRAFESTAT) or non-state (SCUANAGRAFEPAR) schools, MIM pupils per building (CODICESCUOLA, NUMEROSTUDENTI), ISTAT municipalities, municipality → district map (codice_istat, distretto, nome_distretto). The kind is recognised from the header. A file with errors is rejected whole."},
	"admin.import.influnet": {"InfluNet: %d settimane di incidenza 5–14 anni importate.", "InfluNet: %d week{s} of age 5–14 incidence imported."},
	"admin.import.file":     {"File CSV", "CSV file"},
	"admin.import.anno":     {"Anno scolastico (solo per il file degli studenti)", "School year (pupil-count file only)"},
	"admin.import.dry":      {"Solo anteprima (non salvare)", "Preview only (do not save)"},
	"admin.import.submit":   {"Importa", "Import"},
	"admin.import.rejected": {"File rifiutato: nessun dato è stato modificato.", "File rejected: nothing was changed."},
	"admin.import.result":   {"Importazione %s: %d aggiunti, %d modificati, %d ritirati, %d righe fuori territorio.", "Import %s: %d added, %d changed, %d retired, %d row{s} outside the territory."},
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

	// Sentinel absences
	"assenze.title":                 {"Assenze della settimana", "Absences of the week"},
	"assenze.help":                  {"Per ogni giorno di lezione: gli alunni assenti nell'intero plesso (0 se nessuno; lasciare vuoto un giorno non ancora rilevato), oppure «plesso chiuso». Il dettaglio per classe e per motivo è facoltativo.", "For each school day: pupils absent in the whole building (0 if none; leave a day not yet counted empty), or “building closed”. Detail by class and reason is optional."},
	"assenze.non_sentinella":        {"Il plesso non è sentinella nell'anno scolastico %s: non deve inserire le assenze giornaliere.", "The building is not a sentinel in school year %s: it does not report daily absences."},
	"assenze.nulla":                 {"Non ci sono giorni di lezione da inserire: i dati sono aggiornati.", "No school days to enter: the data are up to date."},
	"assenze.file":                  {"Carica un file dal registro elettronico", "Upload a file from the class register"},
	"assenze.correzione":            {"Correzione: ogni giorno modificato diventa una nuova revisione; i valori precedenti restano nello storico.", "Correction: each changed day becomes a new revision; earlier values stay in the history."},
	"assenze.salvato":               {"già inserito: revisione %d del %s", "already entered: revision %d of %s"},
	"assenze.assenti":               {"Alunni assenti nel plesso", "Pupils absent in the building"},
	"assenze.chiuso":                {"Plesso chiuso", "Building closed"},
	"assenze.motivo_chiusura":       {"Motivo della chiusura", "Reason for closure"},
	"assenze.dettaglio":             {"Motivi dell'assenza e dettaglio per classe (facoltativi)", "Reasons and detail by class (optional)"},
	"assenze.motivo.febbre":         {"Malattia con febbre o sintomi respiratori", "Illness with fever or respiratory symptoms"},
	"assenze.motivo.gastro":         {"Malattia gastrointestinale", "Gastro-intestinal illness"},
	"assenze.motivo.altra":          {"Altra malattia", "Other illness"},
	"assenze.motivo.non":            {"Non per malattia o motivo ignoto", "Not illness, or unknown"},
	"assenze.classi":                {"Per classe", "By class"},
	"assenze.classe":                {"Classe", "Class"},
	"assenze.iscritti_classe":       {"Iscritti della classe", "Pupils in class"},
	"assenze.assenti_classe":        {"Assenti della classe", "Absent in class"},
	"assenze.saved":                 {"Assenze salvate. Giorni nuovi: %d; corretti: %d; invariati: %d.", "Absences saved. New days: %d; corrected: %d; unchanged: %d."},
	"assenze.recenti":               {"Ultime quattro settimane e correzioni", "Last four weeks and corrections"},
	"assenze.correggi":              {"Mostra e correggi questi giorni", "Show and correct these days"},
	"assenze.giorno":                {"Giorno", "Day"},
	"assenze.segnalato":             {"Inserito il", "Reported on"},
	"plesso.assenze":                {"Assenze della settimana", "Absences of the week"},
	"plesso.fuori":                  {"Questo plesso (%s) non rientra nella rilevazione degli alunni di 6–19 anni: non ci sono dati da inserire.", "This building (%s) is outside the survey of pupils aged 6–19: there is nothing to enter."},
	"plesso.finestra.aperta":        {"Da inviare: le assenze dal %s al %s, entro %s (giorni inviati: %d su %d).", "Due: the absences from %s to %s, by %s (days sent: %d of %d)."},
	"plesso.finestra.fatta":         {"Assenze dal %s al %s inviate: grazie.", "Absences from %s to %s sent: thank you."},
	"plesso.finestra.mancante":      {"In ritardo: le assenze dal %s al %s andavano inviate entro %s (giorni inviati: %d su %d). Inviatele appena possibile.", "Late: the absences from %s to %s were due by %s (days sent: %d of %d). Please send them as soon as possible."},
	"plesso.finestra.ritardo":       {"Assenze dal %s al %s inviate, dopo la scadenza.", "Absences from %s to %s sent, after the deadline."},
	"plesso.finestra.intempo":       {"Assenze dal %s al %s inviate in tempo.", "Absences from %s to %s sent on time."},
	"plesso.assenze.help":           {"Plesso sentinella: inserire due volte a settimana gli alunni assenti di ogni giorno di lezione.", "Sentinel building: twice a week, enter the pupils absent on each school day."},
	"plesso.assenze.help.emergenza": {"Modalità emergenza: inserire ogni giorno, entro le %s, gli alunni assenti del giorno di lezione.", "Emergency mode: every day, by %s, enter the pupils absent on the school day."},
	"file.title":                    {"Carica le assenze da un file", "Upload absences from a file"},
	"file.help":                     {"File CSV o Excel (XLSX) esportato dal registro elettronico, con una riga per classe e giorno (oppure una riga per giorno con la classe vuota per il totale del plesso). Prima si vede l'anteprima con gli eventuali errori per riga; nulla è salvato finché non si conferma, e si salva tutto o niente. Ricaricare lo stesso file non crea doppioni.", "CSV or Excel (XLSX) file exported from the class register, one row per class and day (or one row per day with an empty class for the building total). A preview shows errors by line; nothing is saved until you confirm, and either everything or nothing is saved. Uploading the same file again creates no duplicates."},
	"file.modello":                  {"Scarica il modello CSV", "Download the CSV template"},
	"file.colonne":                  {"Colonne del modello", "Template columns"},
	"file.anteprima":                {"Anteprima. Giorni pronti da salvare: %d", "Preview. Days ready to save: %d"},
	"file.conferma":                 {"Conferma e salva", "Confirm and save"},
	"file.rifiutato":                {"File rifiutato: nessun dato è stato salvato. Correggere le righe indicate e ricaricare il file.", "File rejected: nothing was saved. Fix the lines listed and upload the file again."},
	"file.carica":                   {"Carica e mostra l'anteprima", "Upload and preview"},
	"file.file":                     {"File (CSV o XLSX)", "File (CSV or XLSX)"},
	"token.title":                   {"Accesso per il registro elettronico (API)", "Class-register access (API)"},
	"token.help":                    {"Un token permette al fornitore del registro elettronico di inviare le assenze del plesso in automatico (documentazione: /api/v1/openapi.json). Il token è mostrato una sola volta: copiarlo subito. Un token si può revocare in ogni momento.", "A token lets the class-register vendor send the building's absences automatically (documentation: /api/v1/openapi.json). The token is shown only once: copy it now. A token can be revoked at any time."},
	"token.ats":                     {"ATS", "ATS"},
	"token.ats.help":                {"Token dell'ATS per leggere da programma serie, assenze, allerte e completezza (/api/v1/ats/…, documentazione in /api/v1/openapi.json). Mostrato una sola volta; revocabile.", "ATS tokens to read series, absences, alerts and completeness from a program (/api/v1/ats/…, documented in /api/v1/openapi.json). Shown once; revocable."},
	"token.nome":                    {"Nome (es. fornitore del registro)", "Name (e.g. register vendor)"},
	"token.crea":                    {"Crea token", "Create token"},
	"token.creato":                  {"Nuovo token (mostrato una sola volta): %s", "New token (shown only once): %s"},
	"token.revoca":                  {"Revoca", "Revoke"},
	"token.attivo":                  {"Attivo", "Active"},
	"token.azioni":                  {"Azioni", "Actions"},
	"token.revoca.avviso":           {"Il sistema che usa questo token non potrà più inviare o leggere dati. Non si può annullare.", "The system using this token will no longer be able to send or read data. This cannot be undone."},
	"token.revoca.conferma":         {"Conferma la revoca", "Confirm revocation"},
	"token.revoca.nonconfermata":    {"Revoca non confermata: il token è ancora attivo.", "Revocation not confirmed: the token is still active."},
	"token.revocato":                {"revocato il %s", "revoked on %s"},
	"token.usato":                   {"Ultimo uso", "Last used"},
	"calendario.title":              {"Calendario del plesso", "Building calendar"},
	"calendario.help":               {"Il calendario regionale lombardo vale per tutti; qui si indicano le scelte del plesso. I giorni senza lezione non vanno inseriti.", "The Lombardy regional calendar applies to all; set here the building's own choices. Days without lessons are not entered."},
	"calendario.ambrosiano":         {"Rito ambrosiano (Carnevale ambrosiano)", "Ambrosian rite (Ambrosian Carnival)"},
	"calendario.sei_giorni":         {"Settimana di sei giorni (lezione il sabato)", "Six-day week (lessons on Saturday)"},
	"calendario.patrono":            {"Santo patrono (GG/MM)", "Patron saint day (DD/MM)"},
	"calendario.chiusure":           {"Altri giorni di chiusura dell'istituto (AAAA-MM-GG, separati da virgola)", "Other closure days (YYYY-MM-DD, comma-separated)"},
	"calendario.saved":              {"Calendario salvato.", "Calendar saved."},
	"calendario.giorni":             {"Giorni di lezione dell'anno scolastico %s: %d (dal %s al %s)", "School days in %s: %d (from %s to %s)"},
	"ats.sentinelle":                {"Rete sentinella", "Sentinel network"},
	"ats.sentinelle.help":           {"Plessi sentinella dell'anno scolastico e copertura: quota degli alunni 6–19 anni nei plessi sentinella (obiettivo circa 5%, bilanciato tra province, distretti e gradi). Gli alunni sono quelli inseriti dal plesso per l'anno, altrimenti il dato MIM.", "Sentinel buildings of the school year and coverage: share of pupils aged 6–19 in sentinel buildings (target about 5%, balanced across provinces, districts and grades). Pupils are the figures the building entered for the year, else the MIM count."},
	"ats.copertura":                 {"Copertura", "Coverage"},
	"ats.alunni":                    {"Alunni", "Pupils"},
	"ats.alunni_sent":               {"Alunni nei sentinella", "Pupils in sentinels"},
	"ats.sentinella.aggiungi":       {"Rendi sentinella", "Make sentinel"},
	"ats.sentinella.togli":          {"Togli dalla rete", "Remove"},
	"ats.completezza":               {"Completezza e tempestività", "Completeness and timeliness"},
	"ats.completezza.help":          {"Per ogni plesso sentinella e ogni finestra di rilevazione: in tempo, in ritardo, mancante, aperta (scadenza non ancora passata). Il grafico mostra la quota di plessi in tempo per finestra.", "For each sentinel building and reporting window: on time, late, missing, open (deadline not passed). The chart shows the share of buildings on time per window."},
	"ats.calendario":                {"Calendario: variazioni ATS", "Calendar: ATS overrides"},
	"ats.calendario.help":           {"Una variazione decide per una data se c'è lezione (es. recupero) o no (es. chiusura per maltempo), per tutto il territorio o una provincia. Vale su ogni altra regola.", "An override decides for a date whether there are lessons (e.g. a make-up day) or not (e.g. closure for bad weather), for the whole territory or one province. It wins over every other rule."},

	// Alerts and dashboard
	"allerte.title":           {"Allerte", "Alerts"},
	"allerte.help":            {"Ogni allerta è un episodio: i giorni consecutivi (con pause di al più due giorni di scuola) in cui le assenze di una serie (territorio, provincia, distretto, grado, singolo plesso, o assenze per febbre o disturbi gastrointestinali) hanno superato il limite del metodo di sorveglianza. Un nuovo giorno di allarme prolunga l'episodio aperto. Le allerte delle serie contenute in un'altra sono mostrate sotto di essa. Stati: nuovo → in valutazione → confermato o archiviato.", "Each alert is an episode: the consecutive days (gaps of at most two school days) on which the absences of a series (territory, province, district, grade, single building, or absences for fever or gastro-intestinal illness) exceeded the surveillance method's bound. A new alarm day extends the open episode. Alerts on series contained in another are shown under it. States: new → under evaluation → confirmed or archived."},
	"allerte.esegui":          {"Esegui ora la sorveglianza", "Run surveillance now"},
	"allerte.eseguito":        {"Sorveglianza eseguita su %d serie: %d nuove allerte, %d allerte prolungate, %d anomalie dei dati.", "Surveillance run on %d series: %d new alert{s}, %d alert{s} extended, %d data anomalies."},
	"allerte.nessuna":         {"Nessuna allerta.", "No alerts."},
	"allerte.serie":           {"Serie", "Series"},
	"allerte.osservato":       {"Assenti osservati", "Observed absence"},
	"allerte.atteso":          {"Atteso", "Expected"},
	"allerte.soglia":          {"Limite sup. 95%", "Upper 95% limit"},
	"err.testo.controllo":     {"Il campo «%s» contiene un carattere di controllo (per esempio un carattere nullo) che non si può salvare: lo tolga e riprovi. Nulla è stato salvato.", "The field “%s” holds a control character (a null character, for instance) that cannot be saved: remove it and try again. Nothing was saved."},
	"err.testo.lungo":         {"Il campo «%s» è troppo lungo (al massimo 10.000 caratteri). Nulla è stato salvato.", "The field “%s” is too long (10,000 characters at most). Nothing was saved."},
	"allerte.evidenza":        {"Evidenza", "Evidence"},
	"allerte.evidenzaSu":      {"%s su %s", "%s of %s"},
	"allerte.evidenzaPicco":   {"Evidenza accumulata più alta dell'episodio: %s.", "Highest accumulated evidence of the episode: %s."},
	"allerte.assegnato":       {"Assegnata a", "Assigned to"},
	"allerte.dettaglio":       {"Allerta", "Alert"},
	"allerte.degli_iscritti":  {"degli iscritti", "of enrolled pupils"},
	"allerte.metodo":          {"Metodo", "Method"},
	"allerte.plessi":          {"Plessi che hanno inviato", "Reporting buildings"},
	"allerte.completezza":     {"completezza", "completeness"},
	"allerte.copertura":       {"copertura", "coverage"},
	"allerte.vedi_grafico":    {"Vedi la serie nel cruscotto", "See the series on the dashboard"},
	"allerte.contributi":      {"Plessi con l'eccesso maggiore", "Buildings contributing most"},
	"allerte.attesi":          {"Attesi", "Expected"},
	"allerte.eccesso":         {"Eccesso", "Excess"},
	"allerte.valuta":          {"Valutazione", "Evaluation"},
	"allerte.nuovo_stato":     {"Nuovo stato", "New state"},
	"allerte.invariato":       {"(invariato)", "(unchanged)"},
	"allerte.storia":          {"Storia", "History"},
	"allerte.aggiornata":      {"Allerta aggiornata.", "Alert updated."},
	"err.segnale.transizione": {"Passaggio di stato non ammesso.", "State change not allowed."},
	"err.segnale.cambiato":    {"Un altro operatore ha appena cambiato l'allerta: rivedere lo stato e riprovare.", "Another operator just changed the alert: check and retry."},
	"err.segnale.cambiato.da": {"Nel frattempo l'allerta è passata a «%s» (%s, %s). La sua modifica non è stata salvata: la nota è rimasta qui sotto; scelga di nuovo lo stato e salvi.", "Meanwhile the alert became “%s” (%s, %s). Your change was not saved: the note is still below; choose the state again and save."},
	"err.notfound.segnale":    {"Allerta non trovata.", "Alert not found."},

	"cruscotto.title":              {"Cruscotto della sorveglianza", "Surveillance dashboard"},
	"cruscotto.help":               {"Tasso di assenza dei plessi sentinella (giorni di lezione da lunedì a venerdì) con il valore atteso e il limite superiore dell'intervallo di previsione al 95%; i quadrati segnano gli allarmi, che scattano quando l'evidenza accumulata di un aumento supera la sua soglia.", "Absence rate of the sentinel buildings (school days Monday to Friday) with the expected value and the upper end of the 95% prediction interval; squares mark alarms, raised when the accumulated evidence of a rise exceeds its threshold."},
	"cruscotto.stima":              {"Stima per il territorio (post-stratificata per provincia e grado) del %s: %s degli alunni assenti (IC 95%% %s – %s), da %d plessi con %s alunni, che coprono il %s degli alunni.", "Territory estimate (post-stratified by province and grade) for %s: %s of pupils absent (95%% CI %s – %s), from %d building{s} with %s pupils, covering %s of pupils."},
	"cruscotto.allerte":            {"%d allerte nuove da valutare:", "%d new alert{s} to evaluate:"},
	"cruscotto.grafico":            {"Andamento delle assenze:", "Absence trend:"},
	"cruscotto.legenda":            {"Linea blu: assenti (% iscritti); tratteggio grigio: atteso; arancione: limite superiore al 95%; quadrati: allarmi; cerchi grigi: giorni provvisori, non ancora abbastanza plessi per il calcolo.", "Blue: absent (% enrolled); grey dashes: expected; orange: upper 95% limit; squares: alarms; grey circles: provisional days, not yet enough buildings for detection."},
	"cruscotto.csv_esterno":        {"CSV per la condivisione (conteggi 1–3 e complementari soppressi)", "CSV for sharing (counts 1–3 and complements suppressed)"},
	"cruscotto.ultimi":             {"Ultimi giorni", "Latest days"},
	"cruscotto.allarme":            {"allarme", "alarm"},
	"cruscotto.anni":               {"Quest'anno, l'anno precedente e InfluNet", "This year, last year and InfluNet"},
	"cruscotto.anni.legenda":       {"Tasso settimanale di assenza per settimana dell'anno scolastico; InfluNet: incidenza di sindromi simil-influenzali 5–14 anni in Lombardia (per 1.000, asse destro).", "Weekly absence rate by week of the school year; InfluNet: influenza-like illness incidence aged 5–14 in Lombardy (per 1,000, right axis)."},
	"cruscotto.multipli":           {"Per provincia, distretto e grado", "By province, district and grade"},
	"cruscotto.dettaglio":          {"Dettaglio", "Detail"},
	"cruscotto.mappa":              {"Mappa dei comuni: tasso degli ultimi cinque giorni", "Municipalities: rate of the last five days"},
	"cruscotto.territorio":         {"Territorio", "Territory"},
	"cruscotto.tabella":            {"I valori del grafico in tabella", "The chart's values as a table"},
	"cruscotto.settimana":          {"Settimana dal", "Week from"},
	"cruscotto.quest_anno":         {"Quest'anno", "This year"},
	"cruscotto.anno_prec":          {"Anno precedente", "Previous year"},
	"cruscotto.mappa.tabella":      {"I valori della mappa in tabella", "The map's values as a table"},
	"cruscotto.sentinelle":         {"Plessi sentinella", "Sentinel buildings"},
	"allerte.tipo":                 {"Serie", "Series"},
	"allerte.tipo.aggregati":       {"Territorio, province, distretti, gradi", "Territory, provinces, districts, grades"},
	"allerte.tipo.plessi":          {"Singoli plessi", "Single buildings"},
	"cruscotto.sentinelle.prime":   {"I %d con il tasso più alto, su %d plessi sentinella.", "The %d with the highest rate, of %d sentinel building{s}."},
	"cruscotto.multipli.primi":     {"Le %d serie con il tasso più alto negli ultimi cinque giorni, su %d: tutte sono nel menu Serie.", "The %d series with the highest rate over the last five days, of %d: all are in the Series menu."},
	"cruscotto.ultimo":             {"Ultimo giorno inviato", "Last day reported"},
	"cruscotto.trend":              {"Tendenza (ultimi 5 giorni sui 5 precedenti)", "Trend (last 5 days vs 5 before)"},
	"cruscotto.export.assenze":     {"Scarica le assenze (CSV)", "Download absences (CSV)"},
	"cruscotto.export.completezza": {"Scarica la completezza (CSV)", "Download completeness (CSV)"},
	"andamento.title":              {"Andamento delle assenze del plesso", "The building's absence trend"},
	"andamento.help":               {"Il tasso di assenza del plesso confrontato con quello di tutti i plessi sentinella del territorio: i dati inseriti servono alla sorveglianza.", "The building's absence rate against all sentinel buildings of the territory: the data entered feed the surveillance."},
	"andamento.legenda":            {"Linea blu: il plesso; tratteggio: il territorio.", "Blue: the building; dashes: the territory."},
	"bollettino.pdf":               {"Scarica il PDF", "Download the PDF"},
	"bollettino.invia":             {"Invia per e-mail alla lista ATS", "E-mail to the ATS list"},
	"bollettino.inviato":           {"Bollettino in coda di invio a %d destinatari.", "Bulletin queued to %d recipient{s}."},
	"bollettino.precedente":        {"settimana precedente", "previous week"},
	"bollettino.successivo":        {"settimana successiva", "next week"},
	"bollettino.title":             {"Bollettino settimanale", "Weekly bulletin"},

	"grado.primaria":    {"Primaria", "Primary"},
	"grado.secondaria1": {"Secondaria di I grado", "Lower secondary"},
	"grado.secondaria2": {"Secondaria di II grado", "Upper secondary"},
	"grado.infanzia":    {"Infanzia", "Pre-school"},
	"grado.altro":       {"Altro", "Other"},
	"grado.":            {"Non indicato", "Not given"},

	// Alert episodes, provisional days, settings of alerts.
	"err.settings.quota":            {"Indicare una quota tra 0 e 1, per esempio 0,5.", "Give a share between 0 and 1, for example 0.5."},
	"err.settings.minimo":           {"Indicare un numero intero di plessi tra 1 e 1000.", "Give a whole number of plessi between 1 and 1000."},
	"allerte.conteggio":             {"%d allerte in %d gruppi.", "%d alert{s} in %d group{s}."},
	"allerte.periodo":               {"Giorni", "Days"},
	"allerte.picco":                 {"Picco", "Peak"},
	"allerte.anomalie":              {"Anomalie dei dati", "Data anomalies"},
	"allerte.anomalie.help":         {"Salti di uno o due giorni che poi rientrano: non sono allerte epidemiche. Possibile sciopero, gita, neve: verificare con il plesso.", "Jumps of one or two days that fall back: not epidemic alerts. Possibly a strike, a trip, snow: check with the school."},
	"allerte.anomalie.nessuna":      {"Nessuna anomalia negli ultimi 60 giorni.", "No anomaly in the last 60 days."},
	"allerte.confronto":             {"Il %s (giorno di picco): %s degli iscritti assenti, contro un valore atteso di %s (intervallo di previsione al 95%% fino a %s). L'allerta scatta quando l'evidenza accumulata di un aumento supera la sua soglia: vedi la colonna Evidenza.", "On %s (peak day): %s of enrolled pupils absent, against an expected %s (95%% prediction interval up to %s). An alert is raised when the accumulated evidence of a rise exceeds its threshold: see the Evidence column."},
	"allerte.base":                  {"Su quali dati", "Based on"},
	"allerte.base.testo":            {"%d plessi con %s alunni, il %s dei plessi sentinella e il %s dei loro alunni.", "%d building{s} with %s pupils, %s of the sentinel buildings and %s of their pupils."},
	"allerte.cosa_fare":             {"Cosa fare", "What to do"},
	"allerte.correlate":             {"Allerte collegate (serie che contengono questa o contenute in essa)", "Related alerts (series containing this one or contained in it)"},
	"allerte.contributi.giorno":     {"Il %s", "On %s"},
	"allerte.intorno":               {"La serie intorno all'episodio", "The series around the episode"},
	"allerte.alunni":                {"Alunni", "Pupils"},
	"cruscotto.provvisorio":         {"provvisorio (%s degli alunni della rete)", "provisional (%s of the network's pupils)"},
	"cruscotto.stima.insufficiente": {"Stima per il territorio del %s: dati insufficienti (%d plessi con %s alunni, il %s degli alunni dei plessi sentinella; servono almeno %d plessi e il %s).", "Territory estimate for %s: insufficient data (%d building{s} with %s pupils, %s of the sentinel buildings' pupils; at least %d building{s} and %s are needed)."},
}

// tr translates key into lang, formatting args; unknown keys are returned
// as they are (texts from the domain that are not keys).
func tr(lang, key string, args ...any) string {
	if len(args) == 0 {
		key, args = ps.SplitMsg(key) // a key with its arguments, from ps.Msg
	}
	s := key
	if m, ok := catalog[key]; ok {
		s = m[0]
		if lang == langEN {
			s = m[1]
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(plurali(s, args), args...)
	}
	return s
}

// plurali resolves "{s}" in an English text: the ending stays unless the
// last number before it is 1 ("%d building{s}": "1 building", "2
// buildings"). Arguments that went through ps.Msg are text: "1" counts.
func plurali(format string, args []any) string {
	if !strings.Contains(format, "{s}") {
		return format
	}
	var b strings.Builder
	n, count := 0, -1
	for i := 0; i < len(format); {
		switch {
		case format[i] == '%' && i+1 < len(format) && format[i+1] == '%':
			b.WriteString("%%")
			i += 2
		case format[i] == '%':
			j := i + 1
			for j < len(format) && strings.IndexByte("0123456789.+-# ", format[j]) >= 0 {
				j++
			}
			if n < len(args) {
				switch v := args[n].(type) {
				case int:
					count = v
				case string:
					if c, err := strconv.Atoi(v); err == nil {
						count = c
					}
				}
			}
			n++
			b.WriteString(format[i:min(j+1, len(format))])
			i = j + 1
		case strings.HasPrefix(format[i:], "{s}"):
			if count != 1 {
				b.WriteByte('s')
			}
			i += 3
		default:
			b.WriteByte(format[i])
			i++
		}
	}
	return b.String()
}

// langOf picks the language: the "lang" cookie, else Italian.
func langOf(r *http.Request) string {
	if c, err := r.Cookie("lang"); err == nil && c.Value == langEN {
		return langEN
	}
	return langIT
}
