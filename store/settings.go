package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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
	// ChecklistAllerta: what to do with an alert, one step a line.
	ChecklistAllerta string
}

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
		ChecklistAllerta: "Guardare il grafico: l'aumento prosegue o è di un solo giorno?\n" +
			"Controllare i plessi che contribuiscono di più: un evento locale (sciopero, gita, neve) spiega l'eccesso?\n" +
			"Sentire i referenti dei plessi principali sui motivi delle assenze (febbre, sintomi respiratori o gastrointestinali)\n" +
			"Confrontare con InfluNet e con le segnalazioni dei pediatri e dei medici di base\n" +
			"Decidere: archiviare come falso allarme o confermare e avvisare il Dipartimento di Prevenzione",
	}
}

func (s *Settings) fields() map[string]*string {
	return map[string]*string{
		"nome_ats":         &s.NomeATS,
		"email_assistenza": &s.EmailAssistenza,
		"numero_verde":     &s.NumeroVerde,
		"orari_assistenza": &s.OrariAssistenza,
		"province":         &s.Province,
		"mittente_email":   &s.MittenteEmail,
		"url_portale":      &s.URLPortale,
		"finestre":         &s.Finestre,
		"email_allerte":    &s.EmailAllerte,
		"quota_iscritti":   &s.QuotaIscritti,
		"minimo_plessi":    &s.MinimoPlessi,
		"checklist":        &s.ChecklistAllerta,
	}
}

// Settings returns the stored settings over the defaults.
func (db *DB) Settings(ctx context.Context) (Settings, error) {
	s := DefaultSettings()
	f := s.fields()
	rows, err := db.sql.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return s, err
		}
		if p, ok := f[k]; ok {
			*p = v
		}
	}
	return s, rows.Err()
}

// SaveSettings stores every setting that changed, audited with old and new.
func (db *DB) SaveSettings(ctx context.Context, a ps.Actor, s Settings) error {
	if _, err := ps.ParseFinestre(s.Finestre); err != nil {
		return &ps.Error{Code: ps.EInvalid, Message: "err.form", Fields: map[string]string{"finestre": err.Error()}}
	}
	if _, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s.QuotaIscritti), ",", ".", 1), 64); err != nil || !quotaValida(s.QuotaIscritti) {
		return &ps.Error{Code: ps.EInvalid, Message: "err.form", Fields: map[string]string{"quota_iscritti": "err.settings.quota"}}
	}
	if _, _, err := parseCompletezza(s.QuotaIscritti, s.MinimoPlessi); err != nil {
		return &ps.Error{Code: ps.EInvalid, Message: "err.form", Fields: map[string]string{"minimo_plessi": "err.settings.minimo"}}
	}
	old, err := db.Settings(ctx)
	if err != nil {
		return err
	}
	of := old.fields()
	return db.withTx(ctx, func(tx querierTx) error {
		for k, p := range s.fields() {
			if *of[k] == *p {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, *p); err != nil {
				return err
			}
			if err := db.audit(ctx, tx, a, "settings.update", "setting:"+k, map[string]string{"da": *of[k], "a": *p}); err != nil {
				return err
			}
		}
		return nil
	})
}

func quotaValida(q string) bool {
	_, _, err := parseCompletezza(q, "1")
	return err == nil
}
