package store

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	ps "github.com/portalescuole/portalescuole"
)

// Settings are the configurable texts and choices of the portal.
type Settings struct {
	NomeATS         string // shown in the header
	EmailAssistenza string // the letter's help mailbox
	NumeroVerde     string // the letter's toll-free number
	OrariAssistenza string // when the toll-free number answers
	Province        string // territory, comma-separated siglas ("CR,MN"); "" = all
	MittenteEmail   string // From: of the outbox
	URLPortale      string // base URL written in e-mails
	Finestre        string // reporting windows, e.g. "lun-mer>gio 12:00, gio-sab>lun 12:00"
	EmailAllerte    string // ATS list for alerts and the bulletin, comma-separated
	// QuotaIscritti and MinimoPlessi: an aggregate's day enters detection
	// once its reporting plessi cover at least this share of the pupils of
	// its sentinel plessi, and number at least MinimoPlessi (decimal and
	// whole number as text). Until then the day is provisional.
	QuotaIscritti string
	MinimoPlessi  string
	// MotiviMinPlessi: an illness series (fever, gastro) is charted where
	// at least this many plessi give their reasons on a typical day.
	MotiviMinPlessi string
	// ChecklistAllerta: what to do with an alert, one step a line.
	ChecklistAllerta string
	// Public figures (/pubblico): off by default.
	PubblicoAttivo    string // "1" publishes, anything else does not
	PubblicoLivello   string // "territorio", "province" or "gradi"
	PubblicoMinPlessi string // least reporting plessi behind a published figure
	PubblicoMinAlunni string // least pupils behind a published figure
}

// Pubblico reports whether the ATS publishes the public figures.
func (s Settings) Pubblico() bool { return s.PubblicoAttivo == "1" }

// PubblicoSoglie returns the public figures' minimum plessi and pupils,
// the defaults when a value does not parse (SaveSettings refuses those).
func (s Settings) PubblicoSoglie() (plessi, alunni int) {
	plessi, err := strconv.Atoi(s.PubblicoMinPlessi)
	if err != nil || plessi < MinPubblicoPlessi {
		plessi = 3
	}
	alunni, err = strconv.Atoi(s.PubblicoMinAlunni)
	if err != nil || alunni < MinPubblicoAlunni {
		alunni = 100
	}
	return plessi, alunni
}

// The lowest thresholds an ATS may choose for public figures: below them a
// figure could describe a single school or class.
const (
	MinPubblicoPlessi = 2
	MinPubblicoAlunni = 20
)

// LivelliPubblico are the levels of detail of the public figures.
var LivelliPubblico = []string{"territorio", "province", "gradi"}

// Completezza returns the thresholds for a day to enter aggregate detection,
// the defaults when the settings do not parse (SaveSettings refuses such
// values).
func (s Settings) Completezza() (quota float64, minimo int) {
	q, m, err := parseCompletezza(s.QuotaIscritti, s.MinimoPlessi)
	if err != nil {
		return 0.5, 3
	}
	return q, m
}

// MinPlessiMotivi is the least plessi giving reasons behind a charted
// illness series, the default when the setting does not parse.
func (s Settings) MinPlessiMotivi() int {
	n, err := parseMotivi(s.MotiviMinPlessi)
	if err != nil {
		return 5
	}
	return n
}

func parseMotivi(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 1000 {
		return 0, fmt.Errorf("motivi")
	}
	return n, nil
}

func parseCompletezza(quota, minimo string) (float64, int, error) {
	q, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(quota), ",", ".", 1), 64)
	if err != nil || q <= 0 || q > 1 {
		return 0, 0, fmt.Errorf("quota")
	}
	m, err := strconv.Atoi(strings.TrimSpace(minimo))
	if err != nil || m < 1 || m > 1000 {
		return 0, 0, fmt.Errorf("minimo")
	}
	return q, m, nil
}

// Checklist returns the alert checklist's steps.
func (s Settings) Checklist() []string {
	var out []string
	for _, l := range strings.Split(s.ChecklistAllerta, "\n") {
		if l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "-•*")); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// FinestreParsed returns the reporting windows, the default when the
// setting does not parse (SaveSettings refuses such a value).
func (s Settings) FinestreParsed() []ps.Finestra {
	f, err := ps.ParseFinestre(s.Finestre)
	if err != nil {
		return ps.FinestreDefault
	}
	return f
}

// DefaultSettings are those of the founding letter (ATS Val Padana).
func DefaultSettings() Settings {
	return Settings{
		NomeATS:         "ATS Val Padana",
		EmailAssistenza: "riavvio.scuole@ats-valpadana.it",
		NumeroVerde:     "800 611 616",
		OrariAssistenza: "dal lunedì al venerdì dalle 9.00 alle 13.00",
		Province:        "CR,MN",
		MittenteEmail:   "portale.scuole@ats-valpadana.it",
		URLPortale:      "http://localhost:8080",
		Finestre:        ps.FormatFinestre(ps.FinestreDefault),
		EmailAllerte:    "sorveglianza@ats-valpadana.example",
		// Half of the sentinel pupils: a day's rate then rests on most of the
		// network, and the plessi still missing cannot move it by more than
		// their share; three plessi at least, so that no aggregate alarms on
		// one or two schools (their own series watch them).
		QuotaIscritti: "0,5",
		MinimoPlessi:  "3",
		// Five: an illness rate is a part of a part, and with fewer plessi
		// one school's class outbreak is most of the line; the public
		// figures ask three plessi for all-cause absence, this asks more.
		MotiviMinPlessi: "5",
		ChecklistAllerta: "Guardare il grafico: l'aumento prosegue o è di un solo giorno?\n" +
			"Controllare i plessi che contribuiscono di più: un evento locale (sciopero, gita, neve) spiega l'eccesso?\n" +
			"Sentire i referenti dei plessi principali sui motivi delle assenze (febbre, sintomi respiratori o gastrointestinali)\n" +
			"Confrontare con InfluNet e con le segnalazioni dei pediatri e dei medici di base\n" +
			"Decidere: archiviare come falso allarme o confermare e avvisare il Dipartimento di Prevenzione",
		PubblicoAttivo:    "0",
		PubblicoLivello:   "gradi",
		PubblicoMinPlessi: "3",
		PubblicoMinAlunni: "100",
	}
}

func (s *Settings) fields() map[string]*string {
	return map[string]*string{
		"nome_ats":            &s.NomeATS,
		"email_assistenza":    &s.EmailAssistenza,
		"numero_verde":        &s.NumeroVerde,
		"orari_assistenza":    &s.OrariAssistenza,
		"province":            &s.Province,
		"mittente_email":      &s.MittenteEmail,
		"url_portale":         &s.URLPortale,
		"finestre":            &s.Finestre,
		"email_allerte":       &s.EmailAllerte,
		"quota_iscritti":      &s.QuotaIscritti,
		"minimo_plessi":       &s.MinimoPlessi,
		"motivi_min_plessi":   &s.MotiviMinPlessi,
		"checklist":           &s.ChecklistAllerta,
		"pubblico_attivo":     &s.PubblicoAttivo,
		"pubblico_livello":    &s.PubblicoLivello,
		"pubblico_min_plessi": &s.PubblicoMinPlessi,
		"pubblico_min_alunni": &s.PubblicoMinAlunni,
	}
}

// Settings returns the stored settings over the defaults.
func (db *DB) Settings(ctx context.Context) (Settings, error) { return db.settings(ctx, db.sql) }

func (db *DB) settings(ctx context.Context, q querier) (Settings, error) {
	s := DefaultSettings()
	f := s.fields()
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return s, fmt.Errorf("settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return s, fmt.Errorf("settings: %w", err)
		}
		if p, ok := f[k]; ok {
			*p = v
		}
	}
	return s, rows.Err()
}

// SaveSettings stores every setting that changed, audited with old and new.
// The old values are read in the same transaction, after concurrent saves
// have committed, so each audit line starts from the value it replaced and
// the same change saved twice at once is stored and audited once.
func (db *DB) SaveSettings(ctx context.Context, a ps.Actor, s Settings) error {
	f := s.Valida()
	if _, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s.QuotaIscritti), ",", ".", 1), 64); err != nil || !quotaValida(s.QuotaIscritti) {
		f["quota_iscritti"] = "err.settings.quota"
	}
	if _, _, err := parseCompletezza(s.QuotaIscritti, s.MinimoPlessi); err != nil {
		f["minimo_plessi"] = "err.settings.minimo"
	}
	if _, err := parseMotivi(s.MotiviMinPlessi); err != nil {
		f["motivi_min_plessi"] = "err.settings.motivi"
	}
	if len(f) > 0 {
		return &ps.Error{Code: ps.EInvalid, Message: "err.form", Fields: f}
	}
	return db.withTx(ctx, func(tx querierTx) error {
		if err := db.serialize(ctx, tx, "settings"); err != nil {
			return fmt.Errorf("SaveSettings: %w", err)
		}
		old, err := db.settings(ctx, tx)
		if err != nil {
			return fmt.Errorf("SaveSettings: %w", err)
		}
		of := old.fields()
		for k, p := range s.fields() {
			if *of[k] == *p {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, *p); err != nil {
				return fmt.Errorf("setting %s: %w", k, err)
			}
			if err := db.audit(ctx, tx, a, "settings.update", "setting:"+k, map[string]string{"da": *of[k], "a": *p}); err != nil {
				return fmt.Errorf("SaveSettings: %w", err)
			}
		}
		return nil
	})
}

// Province are the siglas of the 107 Italian provinces and metropolitan
// cities.
var Province = strings.Fields(`AG AL AN AO AP AQ AR AT AV BA BG BI BL BN BO BR BS BT BZ CA CB CE CH CL CN CO
	CR CS CT CZ EN FC FE FG FI FM FR GE GO GR IM IS KR LC LE LI LO LT LU MB MC ME MI MN MO MS MT NA NO NU OR PA
	PC PD PE PG PI PN PO PR PT PU PV PZ RA RC RE RG RI RM RN RO SA SI SO SP SR SS SU SV TA TE TN TO TP TR TS TV
	UD VA VB VC VE VI VR VT VV`)

// Valida checks every setting by its type and returns the errors by field
// (Italian messages), all at once. Settings end up in page headers, e-mail
// headers and links: none may hold a line break or other control
// character, texts no markup, URLs only http(s).
func (s Settings) Valida() map[string]string {
	f := map[string]string{}
	testo := func(k, v string, max int, required bool) bool {
		switch {
		case required && v == "":
			f[k] = "Campo obbligatorio."
		case hasControl(v):
			f[k] = "Non sono ammessi a capo né caratteri di controllo."
		case strings.ContainsAny(v, "<>"):
			f[k] = "Non sono ammessi i caratteri < e >."
		case len([]rune(v)) > max:
			f[k] = "Testo troppo lungo."
		default:
			return true
		}
		return false
	}
	testo("nome_ats", s.NomeATS, 100, true)
	testo("orari_assistenza", s.OrariAssistenza, 200, false)
	if testo("email_assistenza", s.EmailAssistenza, 254, false) && s.EmailAssistenza != "" && !indirizzoSemplice(s.EmailAssistenza) {
		f["email_assistenza"] = "Indirizzo e-mail non valido (es. assistenza@ats.example)."
	}
	// The sender may carry a display name (Portale Scuole <portale@…>):
	// the parser, not the markup rule, decides.
	if s.MittenteEmail == "" {
		f["mittente_email"] = "Campo obbligatorio."
	} else if hasControl(s.MittenteEmail) {
		f["mittente_email"] = "Non sono ammessi a capo né caratteri di controllo."
	} else {
		if _, err := mail.ParseAddress(s.MittenteEmail); err != nil || len(s.MittenteEmail) > 254 {
			f["mittente_email"] = "Indirizzo e-mail non valido (es. portale@ats.example oppure Portale Scuole <portale@ats.example>)."
		}
	}
	if testo("email_allerte", s.EmailAllerte, 2000, false) && strings.TrimSpace(s.EmailAllerte) != "" {
		for _, e := range strings.Split(s.EmailAllerte, ",") {
			if !indirizzoSemplice(strings.TrimSpace(e)) {
				f["email_allerte"] = "Indirizzo non valido: " + strings.TrimSpace(e) + " (indirizzi separati da virgola)."
				break
			}
		}
	}
	if testo("numero_verde", s.NumeroVerde, 30, false) {
		for _, r := range s.NumeroVerde {
			if !(r >= '0' && r <= '9' || r == ' ' || r == '+') {
				f["numero_verde"] = "Solo cifre, spazi e +."
				break
			}
		}
	}
	if testo("url_portale", s.URLPortale, 500, true) {
		u, err := url.Parse(s.URLPortale)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || strings.ContainsAny(s.URLPortale, `\"' `) {
			f["url_portale"] = "Indirizzo non valido: deve iniziare con https:// (o http://) seguito dal nome del server."
		}
	}
	if testo("province", s.Province, 400, false) {
		for _, p := range strings.Split(s.Province, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(Province, strings.ToUpper(p)) {
				f["province"] = "Sigla di provincia sconosciuta: " + p + " (sigle separate da virgola, es. CR,MN)."
				break
			}
		}
	}
	// The windows' syntax uses ">"; they are parsed, never shown as typed.
	if hasControl(s.Finestre) {
		f["finestre"] = "Non sono ammessi a capo né caratteri di controllo."
	} else {
		if _, err := ps.ParseFinestre(s.Finestre); err != nil {
			f["finestre"] = err.Error()
		}
	}
	if s.PubblicoAttivo != "0" && s.PubblicoAttivo != "1" {
		f["pubblico_attivo"] = "Valore non ammesso."
	}
	if !slices.Contains(LivelliPubblico, s.PubblicoLivello) {
		f["pubblico_livello"] = "Scegliere territorio, province o gradi."
	}
	if n, err := strconv.Atoi(s.PubblicoMinPlessi); err != nil || n < MinPubblicoPlessi || n > 10000 {
		f["pubblico_min_plessi"] = fmt.Sprintf("Un numero intero da %d a 10000.", MinPubblicoPlessi)
	}
	if n, err := strconv.Atoi(s.PubblicoMinAlunni); err != nil || n < MinPubblicoAlunni || n > 10000000 {
		f["pubblico_min_alunni"] = fmt.Sprintf("Un numero intero da %d a 10000000.", MinPubblicoAlunni)
	}
	return f
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// indirizzoSemplice accepts a bare e-mail address, nothing around it.
func indirizzoSemplice(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(a.Address[strings.LastIndexByte(a.Address, '@')+1:], ".")
}

func quotaValida(q string) bool {
	_, _, err := parseCompletezza(q, "1")
	return err == nil
}
