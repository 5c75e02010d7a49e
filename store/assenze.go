package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// SalvataggioAssenze says what a submission stored.
type SalvataggioAssenze struct {
	Nuovi     int // days reported for the first time
	Corretti  int // days that got a new revision
	Invariati int // days equal to what was already stored
}

const assenzaCols = `giorno, classe, revisione, chiuso, motivo_chiusura, iscritti, assenti, febbre, gastro, altra_malattia, non_malattia, segnalato_il, fonte, creato_da`

// assenzaRow is one stored row (plesso total when Classe is "").
type assenzaRow struct {
	Giorno, Classe    string
	Revisione         int
	Chiuso            bool
	MotivoChiusura    string
	Iscritti, Assenti sql.NullInt64
	Motivi            [4]sql.NullInt64
	SegnalatoIl       string
	Fonte, CreatoDa   string
}

func scanAssenza(s scanner) (r assenzaRow, err error) {
	return r, s.Scan(&r.Giorno, &r.Classe, &r.Revisione, &r.Chiuso, &r.MotivoChiusura, &r.Iscritti, &r.Assenti,
		&r.Motivi[0], &r.Motivi[1], &r.Motivi[2], &r.Motivi[3], &r.SegnalatoIl, &r.Fonte, &r.CreatoDa)
}

func nullInt(p *int) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*p), Valid: true}
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func motiviRow(m ps.Motivi) [4]sql.NullInt64 {
	return [4]sql.NullInt64{nullInt(m.Febbre), nullInt(m.Gastro), nullInt(m.AltraMalattia), nullInt(m.NonMalattia)}
}

func (r assenzaRow) motivi() ps.Motivi {
	return ps.Motivi{Febbre: intPtr(r.Motivi[0]), Gastro: intPtr(r.Motivi[1]), AltraMalattia: intPtr(r.Motivi[2]), NonMalattia: intPtr(r.Motivi[3])}
}

// same reports whether two rows carry the same values (revision and
// report time aside).
func (r assenzaRow) same(o assenzaRow) bool {
	return r.Chiuso == o.Chiuso && r.MotivoChiusura == o.MotivoChiusura && r.Iscritti == o.Iscritti &&
		r.Assenti == o.Assenti && r.Motivi == o.Motivi
}

// rowsOf turns a day into the rows to store: the plesso row and one per class.
func rowsOf(g ps.Giorno) []assenzaRow {
	d := day(g.Giorno)
	out := []assenzaRow{{Giorno: d, Chiuso: g.Chiuso, MotivoChiusura: g.MotivoChiusura, Assenti: nullInt(g.Assenti), Motivi: motiviRow(g.Motivi)}}
	for _, c := range g.Classi {
		out = append(out, assenzaRow{Giorno: d, Classe: c.Classe, Iscritti: nullInt(&c.Iscritti), Assenti: nullInt(&c.Assenti), Motivi: motiviRow(c.Motivi)})
	}
	return out
}

// SalvaGiorni stores a submission of validated days in one transaction: a
// day (or class) whose values differ from its latest revision gets a new
// revision stamped with the report time; identical values add nothing, so
// the same submission twice (a re-upload, an API retry) changes nothing.
// Classes absent from a later submission keep their earlier rows.
// Concurrent submissions of one plesso run one after the other (the
// "identical to the latest" check must see the previous one), so a retry
// storm answers "invariati" and a different submission becomes the next
// revision; the bounded re-run on a unique violation covers any writer
// that did not take the lock.
func (db *DB) SalvaGiorni(ctx context.Context, a ps.Actor, plesso string, giorni []ps.Giorno, fonte string) (SalvataggioAssenze, error) {
	var out SalvataggioAssenze
	now := ts(db.Now())
	err := db.withTxRetry(ctx, "salva giorni "+plesso, func(tx querierTx) error {
		out = SalvataggioAssenze{} // a re-run counts afresh
		if err := db.serialize(ctx, tx, "assenze:"+plesso); err != nil {
			return err
		}
		var changed []string
		for _, g := range giorni {
			rows := rowsOf(g)
			latest, err := queryAll(ctx, tx, scanAssenza, `SELECT `+assenzaCols+` FROM assenze a WHERE plesso = $1 AND giorno = $2
				AND revisione = (SELECT MAX(revisione) FROM assenze b WHERE b.plesso = a.plesso AND b.giorno = a.giorno AND b.classe = a.classe)`,
				plesso, rows[0].Giorno)
			if err != nil {
				return fmt.Errorf("latest revision of %s %s: %w", plesso, rows[0].Giorno, err)
			}
			prev := map[string]assenzaRow{}
			for _, r := range latest {
				prev[r.Classe] = r
			}
			_, existed := prev[""]
			dayChanged := false
			for _, r := range rows {
				p, ok := prev[r.Classe]
				if ok && p.same(r) {
					continue
				}
				r.Revisione = 1
				if ok {
					r.Revisione = p.Revisione + 1
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO assenze (plesso, giorno, classe, revisione, chiuso, motivo_chiusura, iscritti, assenti,
					febbre, gastro, altra_malattia, non_malattia, segnalato_il, fonte, creato_da)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
					plesso, r.Giorno, r.Classe, r.Revisione, r.Chiuso, r.MotivoChiusura, r.Iscritti, r.Assenti,
					r.Motivi[0], r.Motivi[1], r.Motivi[2], r.Motivi[3], now, fonte, a.Username); err != nil {
					return fmt.Errorf("insert revision %d of %s %s %q: %w", r.Revisione, plesso, r.Giorno, r.Classe, err)
				}
				dayChanged = true
			}
			switch {
			case !dayChanged:
				out.Invariati++
			case existed:
				out.Corretti++
				changed = append(changed, rows[0].Giorno)
			default:
				out.Nuovi++
				changed = append(changed, rows[0].Giorno)
			}
		}
		if len(changed) == 0 {
			return nil
		}
		return db.audit(ctx, tx, a, "assenze.save", "plesso:"+plesso, map[string]any{"fonte": fonte, "giorni": changed,
			"nuovi": out.Nuovi, "corretti": out.Corretti})
	})
	return out, err
}

// Rilevazioni returns the latest revision of each reported day of a plesso
// in [from, to], with its classes, ordered by day.
func (db *DB) Rilevazioni(ctx context.Context, plesso string, from, to time.Time) ([]ps.Rilevazione, error) {
	rows, err := queryAll(ctx, db.sql, scanAssenza, `SELECT `+assenzaCols+` FROM assenze a WHERE plesso = $1 AND giorno >= $2 AND giorno <= $3
		AND revisione = (SELECT MAX(revisione) FROM assenze b WHERE b.plesso = a.plesso AND b.giorno = a.giorno AND b.classe = a.classe)
		ORDER BY giorno, classe`, plesso, day(from), day(to))
	if err != nil {
		return nil, err
	}
	var out []ps.Rilevazione
	for _, r := range rows {
		if r.Classe == "" {
			out = append(out, ps.Rilevazione{Plesso: plesso, Revisione: r.Revisione, SegnalatoIl: parseTS(r.SegnalatoIl), Fonte: r.Fonte, CreatoDa: r.CreatoDa,
				Giorno: ps.Giorno{Giorno: parseDay(r.Giorno), Chiuso: r.Chiuso, MotivoChiusura: r.MotivoChiusura, Assenti: intPtr(r.Assenti), Motivi: r.motivi()}})
			continue
		}
		if n := len(out); n > 0 && day(out[n-1].Giorno.Giorno) == r.Giorno {
			out[n-1].Classi = append(out[n-1].Classi, ps.AssenzaClasse{Classe: r.Classe, Iscritti: int(r.Iscritti.Int64), Assenti: int(r.Assenti.Int64), Motivi: r.motivi()})
		}
	}
	return out, nil
}

// StoricoGiorno lists every revision of a plesso's day total, oldest first.
func (db *DB) StoricoGiorno(ctx context.Context, plesso string, d time.Time) ([]ps.Rilevazione, error) {
	rows, err := queryAll(ctx, db.sql, scanAssenza, `SELECT `+assenzaCols+` FROM assenze WHERE plesso = $1 AND giorno = $2 AND classe = ''
		ORDER BY revisione`, plesso, day(d))
	if err != nil {
		return nil, err
	}
	out := make([]ps.Rilevazione, len(rows))
	for i, r := range rows {
		out[i] = ps.Rilevazione{Plesso: plesso, Revisione: r.Revisione, SegnalatoIl: parseTS(r.SegnalatoIl), Fonte: r.Fonte, CreatoDa: r.CreatoDa,
			Giorno: ps.Giorno{Giorno: parseDay(r.Giorno), Chiuso: r.Chiuso, MotivoChiusura: r.MotivoChiusura, Assenti: intPtr(r.Assenti), Motivi: r.motivi()}}
	}
	return out, nil
}

// UltimoGiornoSegnalato returns the latest day a plesso reported (zero when none).
func (db *DB) UltimoGiornoSegnalato(ctx context.Context, plesso string) (time.Time, error) {
	var d sql.NullString
	err := db.sql.QueryRowContext(ctx, `SELECT MAX(giorno) FROM assenze WHERE plesso = $1`, plesso).Scan(&d)
	if err != nil || !d.Valid {
		return time.Time{}, err
	}
	return parseDay(d.String), nil
}

// PrimeSegnalazioni returns, for each plesso and day in [from, to], when the
// day was first reported (its first revision): what timeliness is judged on.
func (db *DB) PrimeSegnalazioni(ctx context.Context, from, to time.Time) (map[string]map[string]time.Time, error) {
	type first struct{ plesso, giorno, at string }
	rows, err := queryAll(ctx, db.sql, func(s scanner) (f first, err error) { return f, s.Scan(&f.plesso, &f.giorno, &f.at) },
		`SELECT plesso, giorno, segnalato_il FROM assenze WHERE classe = '' AND revisione = 1 AND giorno >= $1 AND giorno <= $2`, day(from), day(to))
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]time.Time{}
	for _, f := range rows {
		if out[f.plesso] == nil {
			out[f.plesso] = map[string]time.Time{}
		}
		out[f.plesso][f.giorno] = parseTS(f.at)
	}
	return out, nil
}

// Sentinelle lists the codes of the sentinel plessi of a year.
func (db *DB) Sentinelle(ctx context.Context, anno ps.AnnoScolastico) ([]string, error) {
	return queryAll(ctx, db.sql, scanString, `SELECT plesso FROM sentinelle WHERE anno = $1 ORDER BY plesso`, int(anno))
}
