package store

import (
	"context"
	"fmt"
	"strings"

	ps "github.com/portalescuole/portalescuole"
)

const plessoCols = `p.codice, p.nome, p.istituto, p.grado, p.paritaria, p.indirizzo, p.codice_catastale,
	p.comune_nome, p.email, p.attivo, p.provincia, COALESCE(c.distretto, ''), COALESCE(c.nome, '')`

const plessoFrom = ` FROM plessi p LEFT JOIN comuni c ON c.codice_catastale = p.codice_catastale AND p.codice_catastale <> ''`

type scanner interface{ Scan(dest ...any) error }

// plessoVuoto are plessoCols' values for a row without a plesso (an ATS
// token in TokenConDati).
const plessoVuoto = `'', '', '', '', false, '', '', '', '', false, '', '', ''`

// lettorePlesso scans plessoCols, alone or within a wider row.
type lettorePlesso struct {
	p             ps.Plesso
	grado, comune string
}

func (l *lettorePlesso) campi() []any {
	return []any{&l.p.Codice, &l.p.Nome, &l.p.Istituto, &l.grado, &l.p.Paritaria, &l.p.Indirizzo, &l.p.CodiceCatastale,
		&l.p.ComuneNome, &l.p.Email, &l.p.Attivo, &l.p.Provincia, &l.p.Distretto, &l.comune}
}

// plesso is the plesso scanned.
func (l *lettorePlesso) plesso() ps.Plesso {
	p := l.p
	p.Grado = ps.Grado(l.grado)
	if l.comune != "" {
		p.ComuneNome = l.comune
	}
	return p
}

func scanPlesso(s scanner) (ps.Plesso, error) {
	var l lettorePlesso
	err := s.Scan(l.campi()...)
	return l.plesso(), err
}

// Plesso returns one plesso by codice.
func (db *DB) Plesso(ctx context.Context, codice string) (*ps.Plesso, error) {
	p, err := scanPlesso(db.hot().QueryRowContext(ctx, `SELECT `+plessoCols+plessoFrom+` WHERE p.codice = $1`, codice))
	if isNoRows(err) {
		return nil, notFound("plesso")
	} else if err != nil {
		return nil, fmt.Errorf("Plesso: %w", err)
	}
	return &p, nil
}

// PlessoFilter selects plessi; zero fields match everything.
type PlessoFilter struct {
	Istituto string
	// IstitutoParziale matches istituti whose code contains it (the
	// operator types "CRIC8" or "80000"), case-insensitively.
	IstitutoParziale string
	Provincia        string
	Distretto        string
	Grado            ps.Grado
	InScope          bool // only primaria and secondarie (6–19)
	Attivi           bool // only plessi not retired
	Testo            string
	// Sentinelle keeps the sentinel plessi of that school year (0: any).
	Sentinelle ps.AnnoScolastico
}

func (f PlessoFilter) where() *condizioni {
	w := &condizioni{}
	if f.Istituto != "" {
		w.con("p.istituto = ?", f.Istituto)
	}
	if t := strings.TrimSpace(f.IstitutoParziale); t != "" {
		w.con("UPPER(p.istituto) LIKE ?", "%"+strings.ToUpper(likePrefix(t)))
	}
	if f.Provincia != "" {
		w.con("p.provincia = ?", f.Provincia)
	}
	if f.Distretto != "" {
		w.con("COALESCE(c.distretto, '') = ?", f.Distretto)
	}
	if f.Grado != "" {
		w.con("p.grado = ?", string(f.Grado))
	}
	if f.InScope {
		w.con("p.grado IN ('primaria', 'secondaria1', 'secondaria2')")
	}
	if f.Attivi {
		w.con("p.attivo")
	}
	if f.Sentinelle != 0 {
		w.con("p.codice IN (SELECT plesso FROM sentinelle WHERE anno = ?)", int(f.Sentinelle))
	}
	if t := strings.TrimSpace(f.Testo); t != "" {
		n := w.segnaposto("%" + strings.ToUpper(likePrefix(t)))[0]
		w.parti = append(w.parti, "(UPPER(p.codice) LIKE "+n+" OR UPPER(p.nome) LIKE "+n+" OR UPPER(p.comune_nome) LIKE "+n+")")
	}
	return w
}

// Plessi lists plessi ordered by codice.
func (db *DB) Plessi(ctx context.Context, f PlessoFilter) ([]ps.Plesso, error) {
	w := f.where()
	list, err := queryAll(ctx, db.sql, scanPlesso, `SELECT `+plessoCols+plessoFrom+w.sql()+` ORDER BY p.codice`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list plessi: %w", err)
	}
	return list, nil
}

// Istituto returns one istituto.
func (db *DB) Istituto(ctx context.Context, codice string) (*ps.Istituto, error) {
	var i ps.Istituto
	err := db.sql.QueryRowContext(ctx, `SELECT codice, nome FROM istituti WHERE codice = $1`, codice).Scan(&i.Codice, &i.Nome)
	if isNoRows(err) {
		return nil, notFound("istituto")
	}
	return &i, err
}

// Istituti lists every istituto.
func (db *DB) Istituti(ctx context.Context) ([]ps.Istituto, error) {
	return queryAll(ctx, db.sql, func(s scanner) (i ps.Istituto, err error) {
		return i, s.Scan(&i.Codice, &i.Nome)
	}, `SELECT codice, nome FROM istituti ORDER BY codice`)
}

// Distretti lists the ATS districts.
func (db *DB) Distretti(ctx context.Context) ([]ps.Distretto, error) {
	return queryAll(ctx, db.sql, func(s scanner) (d ps.Distretto, err error) {
		return d, s.Scan(&d.Codice, &d.Nome)
	}, `SELECT codice, nome FROM distretti ORDER BY nome`)
}

func scanComune(s scanner) (c ps.Comune, err error) {
	return c, s.Scan(&c.CodiceIstat, &c.Nome, &c.Provincia, &c.CodiceCatastale, &c.Distretto)
}

// Comuni lists the municipalities.
func (db *DB) Comuni(ctx context.Context) ([]ps.Comune, error) {
	return queryAll(ctx, db.sql, scanComune, `SELECT codice_istat, nome, provincia, codice_catastale, distretto FROM comuni ORDER BY codice_istat`)
}

// Province lists the province siglas that have plessi.
func (db *DB) Province(ctx context.Context) ([]string, error) {
	return queryAll(ctx, db.sql, scanString, `SELECT DISTINCT provincia FROM plessi ORDER BY provincia`)
}

func scanString(s scanner) (v string, err error) { return v, s.Scan(&v) }

// SetSentinella designates (or removes) a plesso as sentinel for a year.
func (db *DB) SetSentinella(ctx context.Context, a ps.Actor, plesso string, anno ps.AnnoScolastico, on bool) error {
	return db.withTx(ctx, func(tx querierTx) error {
		var err error
		if on {
			_, err = tx.ExecContext(ctx, `INSERT INTO sentinelle (plesso, anno) VALUES ($1, $2) ON CONFLICT DO NOTHING`, plesso, int(anno))
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM sentinelle WHERE plesso = $1 AND anno = $2`, plesso, int(anno))
		}
		if err != nil {
			return fmt.Errorf("SetSentinella: %w", err)
		}
		if err := ContaSentinelle(ctx, tx); err != nil {
			return fmt.Errorf("SetSentinella: %w", err)
		}
		return db.audit(ctx, tx, a, "sentinella.set", "plesso:"+plesso, map[string]any{"anno": anno.String(), "sentinella": on})
	})
}

// Sentinella reports whether a plesso is sentinel in a year.
func (db *DB) Sentinella(ctx context.Context, plesso string, anno ps.AnnoScolastico) (bool, error) {
	var n int
	err := db.hot().QueryRowContext(ctx, `SELECT COUNT(*) FROM sentinelle WHERE plesso = $1 AND anno = $2`, plesso, int(anno)).Scan(&n)
	return n > 0, err
}

// StudentiMIM returns the ministry's pupil count for a plesso and year, if any.
func (db *DB) StudentiMIM(ctx context.Context, plesso string, anno ps.AnnoScolastico) (int, bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT studenti FROM studenti_mim WHERE plesso = $1 AND anno = $2`, plesso, int(anno)).Scan(&n)
	if isNoRows(err) {
		return 0, false, nil
	}
	return n, err == nil, err
}
