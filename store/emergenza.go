package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// Emergency frequencies: daily (one window per school day, closing at the
// deadline) or the sentinel windows of the settings.
const (
	FrequenzaGiornaliera = "giornaliera"
	FrequenzaFinestre    = "finestre"
)

// DefaultEmergenzaTTL bounds how long a node may keep answering from its
// cached list of emergency periods after another node (or the command line)
// changed it.
const DefaultEmergenzaTTL = 30 * time.Second

// Emergenza is one emergency period: every active plesso (grades 6–19) of
// the scope reports daily from Dal to Al (inclusive; zero while open).
type Emergenza struct {
	ID        int64
	Ambito    string // a watched-series key: territorio, provincia:CR, distretto:X, grado:primaria
	Dal, Al   time.Time
	Frequenza string
	Scadenza  string // daily deadline, HH:MM Europe/Rome
	AvviataDa string
	AvviataIl time.Time
	ChiusaDa  string
	ChiusaIl  time.Time
}

// Aperta reports whether the period has not been stopped.
func (e Emergenza) Aperta() bool { return e.ChiusaIl.IsZero() }

// Copre reports whether day d is inside the period.
func (e Emergenza) Copre(d time.Time) bool {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	return !d.Before(e.Dal) && (e.Al.IsZero() || !d.After(e.Al))
}

// Include reports whether plesso p is in the period's scope: active, in the
// 6–19 surveillance and matching the scope's province, district or grade.
func (e Emergenza) Include(p *ps.Plesso) bool { return AmbitoInclude(e.Ambito, p) }

// AmbitoInclude reports whether a scope key covers plesso p.
func AmbitoInclude(ambito string, p *ps.Plesso) bool {
	if p == nil || !p.Attivo || !p.Grado.InScope() {
		return false
	}
	kind, val, _ := strings.Cut(ambito, ":")
	switch kind {
	case "territorio":
		return true
	case "provincia":
		return p.Provincia == val
	case "distretto":
		return p.Distretto == val
	case "grado":
		return string(p.Grado) == val
	}
	return false
}

// Filtro returns the register filter selecting a scope's plessi.
func AmbitoFiltro(ambito string) PlessoFilter {
	f := PlessoFilter{InScope: true, Attivi: true}
	kind, val, _ := strings.Cut(ambito, ":")
	switch kind {
	case "provincia":
		f.Provincia = val
	case "distretto":
		f.Distretto = val
	case "grado":
		f.Grado = ps.Grado(val)
	}
	return f
}

var (
	reScadenza = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	reSigla    = regexp.MustCompile(`^[A-Z]{2}$`)
)

// NormalizeAmbito checks a scope key against the register (the province,
// district or grade must exist) and returns it in canonical form.
func (db *DB) NormalizeAmbito(ctx context.Context, ambito string) (string, error) {
	bad := &ps.Error{Code: ps.EInvalid, Message: "err.emergenza.ambito", Fields: map[string]string{"ambito": "err.emergenza.ambito"}}
	kind, val, _ := strings.Cut(strings.TrimSpace(ambito), ":")
	kind = strings.ToLower(strings.TrimSpace(kind))
	val = strings.TrimSpace(val)
	switch kind {
	case "territorio":
		if val != "" {
			return "", bad
		}
		return "territorio", nil
	case "provincia":
		val = strings.ToUpper(val)
		if !reSigla.MatchString(val) {
			return "", bad
		}
		prov, err := db.Province(ctx)
		if err != nil {
			return "", fmt.Errorf("NormalizeAmbito: %w", err)
		}
		for _, p := range prov {
			if p == val {
				return "provincia:" + val, nil
			}
		}
	case "distretto":
		ds, err := db.Distretti(ctx)
		if err != nil {
			return "", fmt.Errorf("NormalizeAmbito: %w", err)
		}
		for _, d := range ds {
			if strings.EqualFold(d.Codice, val) {
				return "distretto:" + d.Codice, nil
			}
		}
	case "grado":
		g := ps.Grado(strings.ToLower(val))
		if g.InScope() {
			return "grado:" + string(g), nil
		}
	}
	return "", bad
}

// StartEmergenza starts emergency mode for a scope from day dal with a
// daily deadline. A scope has at most one open period (a conflict
// otherwise). Audited.
// How far back and ahead an emergency period may start, in days.
const (
	EmergenzaGiorniIndietro = 14
	EmergenzaGiorniAvanti   = 60
)

// InizioEmergenzaAmmesso refuses a start more than two weeks back, before
// this school year (its days feed next years' baselines and mark plessi
// late) or more than two months ahead (issue 21: 1900-01-01 was accepted).
func (db *DB) InizioEmergenzaAmmesso(dal time.Time) error {
	now := db.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	lo, hi := today.AddDate(0, 0, -EmergenzaGiorniIndietro), today.AddDate(0, 0, EmergenzaGiorniAvanti)
	if inizio := ps.AnnoDi(today).Inizio(); lo.Before(inizio) {
		lo = inizio
	}
	if dal.Before(lo) || dal.After(hi) {
		msg := ps.Msg("err.emergenza.dal.limiti", lo.Format("02/01/2006"), hi.Format("02/01/2006"))
		return &ps.Error{Code: ps.EInvalid, Message: msg, Fields: map[string]string{"dal": msg}}
	}
	return nil
}

// CheckStartEmergenza checks a start as StartEmergenza will, without storing
// anything (the confirmation step): the scope normalised, the defaults of
// frequency and deadline filled in.
func (db *DB) CheckStartEmergenza(ctx context.Context, ambito string, dal time.Time, frequenza, scadenza string) (string, string, string, error) {
	ambito, err := db.NormalizeAmbito(ctx, ambito)
	if err != nil {
		return "", "", "", fmt.Errorf("CheckStartEmergenza: %w", err)
	}
	if frequenza == "" {
		frequenza = FrequenzaGiornaliera
	}
	if frequenza != FrequenzaGiornaliera && frequenza != FrequenzaFinestre {
		return "", "", "", &ps.Error{Code: ps.EInvalid, Message: "err.emergenza.frequenza", Fields: map[string]string{"frequenza": "err.emergenza.frequenza"}}
	}
	if scadenza == "" {
		scadenza = "10:00"
	}
	if !reScadenza.MatchString(scadenza) {
		return "", "", "", &ps.Error{Code: ps.EInvalid, Message: "err.emergenza.scadenza", Fields: map[string]string{"scadenza": "err.emergenza.scadenza"}}
	}
	if dal.IsZero() {
		return "", "", "", &ps.Error{Code: ps.EInvalid, Message: "err.emergenza.dal", Fields: map[string]string{"dal": "err.emergenza.dal"}}
	}
	if err := db.InizioEmergenzaAmmesso(time.Date(dal.Year(), dal.Month(), dal.Day(), 0, 0, 0, 0, time.UTC)); err != nil {
		return "", "", "", fmt.Errorf("CheckStartEmergenza: %w", err)
	}
	return ambito, frequenza, scadenza, nil
}

func (db *DB) StartEmergenza(ctx context.Context, a ps.Actor, ambito string, dal time.Time, frequenza, scadenza string) (Emergenza, error) {
	ambito, frequenza, scadenza, err := db.CheckStartEmergenza(ctx, ambito, dal, frequenza, scadenza)
	if err != nil {
		return Emergenza{}, fmt.Errorf("StartEmergenza: %w", err)
	}
	dal = time.Date(dal.Year(), dal.Month(), dal.Day(), 0, 0, 0, 0, time.UTC)
	e := Emergenza{Ambito: ambito, Dal: dal, Frequenza: frequenza, Scadenza: scadenza, AvviataDa: a.Username, AvviataIl: db.Now().UTC()}
	err = db.withTx(ctx, func(tx querierTx) error {
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM emergenze WHERE ambito = $1 AND chiusa_il = ''`, ambito).Scan(&open); err != nil {
			return fmt.Errorf("StartEmergenza: %w", err)
		}
		if open > 0 {
			return &ps.Error{Code: ps.EConflict, Message: "err.emergenza.attiva"}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO emergenze (ambito, dal, frequenza, scadenza, avviata_da, avviata_il)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, ambito, day(dal), frequenza, scadenza, e.AvviataDa, ts(e.AvviataIl)).Scan(&e.ID); err != nil {
			if isUniqueViolation(err) {
				return &ps.Error{Code: ps.EConflict, Message: "err.emergenza.attiva", Err: err}
			}
			return err
		}
		return db.audit(ctx, tx, a, "emergenza.avvia", "emergenza:"+ambito,
			map[string]any{"id": e.ID, "dal": day(dal), "frequenza": frequenza, "scadenza": scadenza})
	})
	if err != nil {
		return Emergenza{}, fmt.Errorf("StartEmergenza: %w", err)
	}
	db.emerg.invalida()
	return e, nil
}

// StopEmergenza stops the open period of a scope: al is its last day
// (normally yesterday, so that from today the plessi outside the sentinel
// network are refused again; before dal it leaves an empty period in the
// history). Audited.
func (db *DB) StopEmergenza(ctx context.Context, a ps.Actor, ambito string, al time.Time) (Emergenza, error) {
	ambito, err := db.NormalizeAmbito(ctx, ambito)
	if err != nil {
		return Emergenza{}, fmt.Errorf("StopEmergenza: %w", err)
	}
	al = time.Date(al.Year(), al.Month(), al.Day(), 0, 0, 0, 0, time.UTC)
	var e Emergenza
	err = db.withTx(ctx, func(tx querierTx) error {
		var err error
		e, err = scanEmergenza(tx.QueryRowContext(ctx, `SELECT `+emergCols+` FROM emergenze WHERE ambito = $1 AND chiusa_il = ''`, ambito))
		if isNoRows(err) {
			return &ps.Error{Code: ps.ENotFound, Message: "err.notfound.emergenza"}
		} else if err != nil {
			return fmt.Errorf("StopEmergenza: %w", err)
		}
		if al.Before(e.Dal) {
			al = e.Dal.AddDate(0, 0, -1)
		}
		e.Al, e.ChiusaDa, e.ChiusaIl = al, a.Username, db.Now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE emergenze SET al = $1, chiusa_da = $2, chiusa_il = $3 WHERE id = $4 AND chiusa_il = ''`,
			day(al), e.ChiusaDa, ts(e.ChiusaIl), e.ID)
		if err != nil {
			return fmt.Errorf("StopEmergenza: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &ps.Error{Code: ps.EConflict, Message: "err.concorrenza"}
		}
		return db.audit(ctx, tx, a, "emergenza.chiudi", "emergenza:"+ambito, map[string]any{"id": e.ID, "al": day(al)})
	})
	if err != nil {
		return Emergenza{}, fmt.Errorf("StopEmergenza: %w", err)
	}
	db.emerg.invalida()
	return e, nil
}

const emergCols = `id, ambito, dal, al, frequenza, scadenza, avviata_da, avviata_il, chiusa_da, chiusa_il`

func scanEmergenza(s scanner) (Emergenza, error) {
	var e Emergenza
	var dal, al, avv, chi string
	err := s.Scan(&e.ID, &e.Ambito, &dal, &al, &e.Frequenza, &e.Scadenza, &e.AvviataDa, &avv, &e.ChiusaDa, &chi)
	e.Dal, e.AvviataIl, e.ChiusaIl = parseDay(dal), parseTS(avv), parseTS(chi)
	if al != "" {
		e.Al = parseDay(al)
	}
	return e, err
}

// Emergenze lists every period, the most recent first (the history).
func (db *DB) Emergenze(ctx context.Context) ([]Emergenza, error) {
	return queryAll(ctx, db.sql, scanEmergenza, `SELECT `+emergCols+` FROM emergenze ORDER BY avviata_il DESC, id DESC`)
}

// SetEmergenzaTTL changes how long the list of periods (and the ATS
// calendar overrides) are cached (tests make it short; 0 restores the
// default). The "may this plesso report today" question is asked on every
// page and API request, and the table is tiny.
func (db *DB) SetEmergenzaTTL(d time.Duration) {
	db.ttl.Store(int64(d))
	db.emerg.invalida()
	db.overrides.invalida()
}

// emergenzeCached returns the periods, from the cache when fresh.
func (db *DB) emergenzeCached(ctx context.Context) ([]Emergenza, error) {
	return db.emerg.get(ctx, db.ttlElenchi(), db.Emergenze)
}

// EmergenzaPlesso returns the period that puts plesso p in emergency on
// day d, if any (the most recently started one when periods overlap).
func (db *DB) EmergenzaPlesso(ctx context.Context, p *ps.Plesso, d time.Time) (Emergenza, bool, error) {
	list, err := db.emergenzeCached(ctx)
	if err != nil {
		return Emergenza{}, false, fmt.Errorf("EmergenzaPlesso: %w", err)
	}
	for _, e := range list {
		if e.Copre(d) && e.Include(p) {
			return e, true, nil
		}
	}
	return Emergenza{}, false, nil
}

// EmergenzeDelGiorno returns the periods covering day d (cached).
func (db *DB) EmergenzeDelGiorno(ctx context.Context, d time.Time) ([]Emergenza, error) {
	list, err := db.emergenzeCached(ctx)
	if err != nil {
		return nil, fmt.Errorf("EmergenzeDelGiorno: %w", err)
	}
	var out []Emergenza
	for _, e := range list {
		if e.Copre(d) {
			out = append(out, e)
		}
	}
	return out, nil
}

// SegnalazioneAmmessa is the one rule for "may plesso p report absences
// for day d": it is sentinel in that day's school year, or an emergency
// period covering d includes it. The callers below, and the submission
// path (sentinella.Valida), only gather its inputs.
func SegnalazioneAmmessa(sentinella bool, emergenze []Emergenza, p *ps.Plesso, d time.Time) bool {
	if sentinella {
		return true
	}
	for _, e := range emergenze {
		if e.Copre(d) && p != nil && e.Include(p) {
			return true
		}
	}
	return false
}

// CanReport answers SegnalazioneAmmessa for plesso p on day d.
func (db *DB) CanReport(ctx context.Context, p *ps.Plesso, d time.Time) (bool, error) {
	sent, err := db.Sentinella(ctx, p.Codice, ps.AnnoDi(d))
	if err != nil {
		return false, fmt.Errorf("CanReport: %w", err)
	}
	es, err := db.EmergenzeDelGiorno(ctx, d)
	if err != nil {
		return false, fmt.Errorf("CanReport: %w", err)
	}
	return SegnalazioneAmmessa(sent, es, p, d), nil
}

// CanReportCodice is CanReport for a plesso known by code only (the
// menu); the plesso is loaded only when an emergency covers day d.
func (db *DB) CanReportCodice(ctx context.Context, codice string, d time.Time) (bool, error) {
	sent, err := db.Sentinella(ctx, codice, ps.AnnoDi(d))
	if err != nil {
		return false, fmt.Errorf("CanReportCodice: %w", err)
	}
	if sent {
		return true, nil
	}
	es, err := db.EmergenzeDelGiorno(ctx, d)
	if err != nil {
		return false, fmt.Errorf("CanReportCodice: %w", err)
	}
	if len(es) == 0 {
		return false, nil
	}
	p, err := db.Plesso(ctx, codice)
	if err != nil {
		return false, fmt.Errorf("CanReportCodice: %w", err)
	}
	return SegnalazioneAmmessa(false, es, p, d), nil
}

// ContaSentinelle counts a change of sentinel designations in tx, so that
// the in-memory aggregates and the dashboard rebuild their sentinel-only
// series (FirmaSentinelle). Every writer of the sentinelle table calls it:
// SetSentinella and the generator's bulk rows.
func ContaSentinelle(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO contatori (nome, n) VALUES ('sentinelle', 1)
		ON CONFLICT (nome) DO UPDATE SET n = contatori.n + 1`)
	return err
}

// FirmaSentinelle changes whenever a sentinel designation changes: every
// writer of the sentinelle table counts its change in the same transaction
// (ContaSentinelle). A counter, not a COUNT(*) of the rows:
// it is read on every dashboard view, and counting 10,000 rows each time
// was a large part of the database's work in an emergency morning.
func (db *DB) FirmaSentinelle(ctx context.Context) (string, error) {
	var n int64
	err := db.sql.QueryRowContext(ctx, `SELECT COALESCE((SELECT n FROM contatori WHERE nome = 'sentinelle'), 0)`).Scan(&n)
	return strconv.FormatInt(n, 10), err
}

// SentinellaAnno is one sentinel designation.
type SentinellaAnno struct {
	Plesso string
	Anno   ps.AnnoScolastico
}

// SentinelleTutte lists every designation of every year.
func (db *DB) SentinelleTutte(ctx context.Context) ([]SentinellaAnno, error) {
	return queryAll(ctx, db.sql, func(s scanner) (r SentinellaAnno, err error) {
		var anno int
		err = s.Scan(&r.Plesso, &anno)
		r.Anno = ps.AnnoScolastico(anno)
		return r, err
	}, `SELECT plesso, anno FROM sentinelle`)
}
