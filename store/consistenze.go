package store

import (
	"context"
	"fmt"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

const consistenzaCols = `id, plesso, anno, revisione, iscritti, classi, valido_dal, note, creato_il, creato_da`

func scanConsistenza(s scanner) (ps.Consistenza, error) {
	var c ps.Consistenza
	var anno int
	var valido, creato string
	err := s.Scan(&c.ID, &c.Plesso, &anno, &c.Revisione, &c.Iscritti, &c.Classi, &valido, &c.Note, &creato, &c.CreatoDa)
	c.Anno = ps.AnnoScolastico(anno)
	c.ValidoDal = parseDay(valido)
	c.CreatoIl = parseTS(creato)
	return c, err
}

// AddConsistenza stores a new revision of a plesso's figures. Nothing is
// updated in place. When ValidoDal is zero it defaults to the start of the
// school year for the year's first revision and to today for later ones.
// Saving figures identical to the latest revision adds nothing (a double
// click, a reloaded form, the same figures saved again another day without
// a date) and returns that revision with created=false.
func (db *DB) AddConsistenza(ctx context.Context, a ps.Actor, c ps.Consistenza) (ps.Consistenza, bool, error) {
	var out ps.Consistenza
	var created bool
	// Saves of one plesso's year run one after the other, so the next
	// revision number and the "identical" check see the previous save.
	err := db.withTxRetry(ctx, "consistenza "+c.Plesso, func(tx querierTx) error {
		out, created = ps.Consistenza{}, false
		if err := db.serialize(ctx, tx, fmt.Sprintf("consistenze:%s:%d", c.Plesso, int(c.Anno))); err != nil {
			return fmt.Errorf("AddConsistenza: %w", err)
		}
		c := c // a re-run starts from the caller's values
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM plessi WHERE codice = $1`, c.Plesso).Scan(&exists); err != nil {
			return fmt.Errorf("plesso %s: %w", c.Plesso, err)
		}
		if exists == 0 {
			return notFound("plesso")
		}
		prev, err := scanConsistenza(tx.QueryRowContext(ctx, `SELECT `+consistenzaCols+` FROM consistenze
			WHERE plesso = $1 AND anno = $2 ORDER BY revisione DESC LIMIT 1`, c.Plesso, int(c.Anno)))
		hasPrev := err == nil
		if err != nil && !isNoRows(err) {
			return fmt.Errorf("latest consistenza of %s: %w", c.Plesso, err)
		}
		now := db.Now()
		// Identical figures add nothing. An empty effective date means "the
		// usual one", so it matches whatever the latest revision has:
		// otherwise a form saved again the next day would add a revision.
		if hasPrev && prev.Iscritti == c.Iscritti && prev.Classi == c.Classi && prev.Note == c.Note &&
			(c.ValidoDal.IsZero() || day(prev.ValidoDal) == day(c.ValidoDal)) {
			out = prev
			return nil
		}
		if c.ValidoDal.IsZero() {
			c.ValidoDal = defaultValidoDal(c.Anno, hasPrev, now)
		}
		c.Revisione = 1
		if hasPrev {
			c.Revisione = prev.Revisione + 1
		}
		c.CreatoIl = now.UTC()
		c.CreatoDa = a.Username
		err = tx.QueryRowContext(ctx, `INSERT INTO consistenze (plesso, anno, revisione, iscritti, classi, valido_dal, note, creato_il, creato_da)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			c.Plesso, int(c.Anno), c.Revisione, c.Iscritti, c.Classi, day(c.ValidoDal), c.Note, ts(c.CreatoIl), c.CreatoDa).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("insert consistenza %s revision %d: %w", c.Plesso, c.Revisione, err)
		}
		detail := map[string]any{"anno": c.Anno.String(), "revisione": c.Revisione, "iscritti": c.Iscritti,
			"classi": c.Classi, "valido_dal": day(c.ValidoDal), "note": c.Note}
		if hasPrev {
			detail["precedente"] = map[string]any{"revisione": prev.Revisione, "iscritti": prev.Iscritti,
				"classi": prev.Classi, "valido_dal": day(prev.ValidoDal)}
		}
		if err := db.audit(ctx, tx, a, "consistenza.add", "plesso:"+c.Plesso, detail); err != nil {
			return fmt.Errorf("AddConsistenza: %w", err)
		}
		out, created = c, true
		return nil
	})
	return out, created, err
}

func defaultValidoDal(anno ps.AnnoScolastico, hasPrev bool, now time.Time) time.Time {
	start := anno.Inizio()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if !hasPrev || today.Before(start) {
		return start
	}
	if end := (anno + 1).Inizio(); !today.Before(end) {
		return end.AddDate(0, 0, -1)
	}
	return today
}

// Consistenze lists every revision of a plesso, newest year and revision first.
func (db *DB) Consistenze(ctx context.Context, plesso string) ([]ps.Consistenza, error) {
	return queryAll(ctx, db.sql, scanConsistenza, `SELECT `+consistenzaCols+` FROM consistenze WHERE plesso = $1
		ORDER BY anno DESC, revisione DESC`, plesso)
}

// ConsistenzaInVigore returns the figures in force for a plesso on day d: the
// school year's revision with the latest effective date not after d (the
// highest revision among equal dates). Before the first effective date of the
// year, the year's earliest figures apply, since a late entry still describes
// the year. It is the denominator of every absence rate.
func (db *DB) ConsistenzaInVigore(ctx context.Context, plesso string, d time.Time) (*ps.Consistenza, error) {
	revs, err := queryAll(ctx, db.hot(), scanConsistenza, `SELECT `+consistenzaCols+` FROM consistenze WHERE plesso = $1 AND anno = $2`,
		plesso, int(ps.AnnoDi(d)))
	if err != nil {
		return nil, fmt.Errorf("ConsistenzaInVigore: %w", err)
	}
	if c := InVigore(revs, d); c != nil {
		return c, nil
	}
	return nil, notFound("consistenza")
}
