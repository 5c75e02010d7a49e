package store

import (
	"context"
	"fmt"

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
			return s, err
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
	if _, err := ps.ParseFinestre(s.Finestre); err != nil {
		return &ps.Error{Code: ps.EInvalid, Message: "err.form", Fields: map[string]string{"finestre": err.Error()}}
	}
	return db.withTx(ctx, func(tx querierTx) error {
		if err := db.serialize(ctx, tx, "settings"); err != nil {
			return err
		}
		old, err := db.settings(ctx, tx)
		if err != nil {
			return err
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
				return err
			}
		}
		return nil
	})
}
