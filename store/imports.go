package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/anagrafe"
)

// Change is one record an import added, changed or retired.
type Change struct {
	Key    string            `json:"key"`
	Line   int               `json:"line,omitempty"`
	Fields map[string][2]any `json:"fields,omitempty"` // field -> [old, new]
}

// ImportReport says what an import did (or would do, for a dry run).
type ImportReport struct {
	ID       int64    `json:"id,omitempty"`
	Kind     string   `json:"kind"`
	Filename string   `json:"filename"`
	SHA256   string   `json:"sha256"`
	Anno     string   `json:"anno,omitempty"`
	Added    []Change `json:"added"`
	Changed  []Change `json:"changed"`
	Retired  []Change `json:"retired"`
	Skipped  int      `json:"skipped"` // rows outside the territory
	DryRun   bool     `json:"dry_run"`
	Notes    []string `json:"notes,omitempty"`
}

// Unchanged reports whether the import changed nothing.
func (r *ImportReport) Unchanged() bool {
	return len(r.Added) == 0 && len(r.Changed) == 0 && len(r.Retired) == 0
}

// ImportOptions control an import.
type ImportOptions struct {
	Filename string
	Kind     anagrafe.Kind        // "" = detect from the header
	Anno     ps.AnnoScolastico    // year of a pupil-count file
	DryRun   bool                 // compute the report, then roll back
	Province []string             // territory; rows of other provinces are skipped; empty = all
	Parsed   func(*anagrafe.File) // test hook, called between parse and apply
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// Import parses data and applies it in one transaction: a file with any bad
// line is rejected whole (an *anagrafe.FileError listing the lines), and an
// interrupted import leaves no trace. Importing the same file again changes
// nothing.
func (db *DB) Import(ctx context.Context, a ps.Actor, data []byte, o ImportOptions) (*ImportReport, error) {
	f, err := anagrafe.Parse(data, o.Kind)
	if err != nil {
		return nil, fmt.Errorf("Import: %w", err)
	}
	if o.Parsed != nil {
		o.Parsed(f)
	}
	sum := sha256.Sum256(data)
	rep := &ImportReport{Kind: string(f.Kind), Filename: o.Filename, SHA256: hex.EncodeToString(sum[:]), DryRun: o.DryRun,
		Added: []Change{}, Changed: []Change{}, Retired: []Change{}}
	err = db.withTx(ctx, func(tx querierTx) error {
		// Imports read whole tables and write the differences: two at once
		// would both insert the same rows. One at a time, each sees the
		// previous one's result (a second identical import changes nothing).
		if err := db.serialize(ctx, tx, "import"); err != nil {
			return fmt.Errorf("Import: %w", err)
		}
		var err error
		switch f.Kind {
		case anagrafe.KindStatali, anagrafe.KindParitarie:
			err = db.importRegistro(ctx, tx, f, o, rep)
		case anagrafe.KindStudenti:
			if o.Anno == 0 {
				return &ps.Error{Code: ps.EInvalid, Message: "err.import.anno"}
			}
			rep.Anno = o.Anno.String()
			err = db.importStudenti(ctx, tx, f, o, rep)
		case anagrafe.KindComuni:
			err = db.importComuni(ctx, tx, f, o, rep)
		case anagrafe.KindDistretti:
			err = db.importDistretti(ctx, tx, f, rep)
		}
		if err != nil {
			return fmt.Errorf("Import: %w", err)
		}
		if o.DryRun {
			return errDryRun
		}
		return db.recordImport(ctx, tx, a, rep)
	})
	if errors.Is(err, errDryRun) {
		return rep, nil
	}
	if err != nil {
		return nil, fmt.Errorf("Import: %w", err)
	}
	return rep, nil
}

// recordImport writes the import_runs row and the audit line of an applied
// import, in its transaction.
func (db *DB) recordImport(ctx context.Context, tx querierTx, a ps.Actor, rep *ImportReport) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("recordImport: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO import_runs (at, username, kind, filename, sha256, added, changed, retired, report)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, ts(db.Now()), a.Username, rep.Kind, rep.Filename, rep.SHA256,
		len(rep.Added), len(rep.Changed), len(rep.Retired), string(b)).Scan(&rep.ID); err != nil {
		return fmt.Errorf("record import run: %w", err)
	}
	return db.audit(ctx, tx, a, "import.commit", fmt.Sprintf("import:%d", rep.ID), map[string]any{
		"kind": rep.Kind, "file": rep.Filename, "sha256": rep.SHA256,
		"added": len(rep.Added), "changed": len(rep.Changed), "retired": len(rep.Retired)})
}

// KindInfluNet names InfluNet imports in import_runs.
const KindInfluNet = "influnet"

// ImportInfluNet stores InfluNet weeks as an import: the report lists the
// weeks added and changed, the run is recorded in import_runs, and a dry run
// (o.DryRun) computes the report and stores nothing. data is the file, for
// its checksum.
func (db *DB) ImportInfluNet(ctx context.Context, a ps.Actor, data []byte, weeks []InfluNetSettimana, o ImportOptions) (*ImportReport, error) {
	sum := sha256.Sum256(data)
	rep := &ImportReport{Kind: KindInfluNet, Filename: o.Filename, SHA256: hex.EncodeToString(sum[:]), DryRun: o.DryRun,
		Added: []Change{}, Changed: []Change{}, Retired: []Change{}}
	err := db.withTx(ctx, func(tx querierTx) error {
		if err := db.serialize(ctx, tx, "import"); err != nil {
			return fmt.Errorf("ImportInfluNet: %w", err)
		}
		old := map[string]InfluNetSettimana{}
		stored, err := queryAll(ctx, tx, func(s scanner) (w InfluNetSettimana, err error) {
			return w, s.Scan(&w.Settimana, &w.Stagione, &w.Incidenza)
		}, `SELECT settimana, stagione, incidenza FROM influnet`)
		if err != nil {
			return fmt.Errorf("ImportInfluNet: %w", err)
		}
		for _, w := range stored {
			old[w.Settimana] = w
		}
		for _, w := range weeks {
			prev, ok := old[w.Settimana]
			switch {
			case !ok:
				rep.Added = append(rep.Added, Change{Key: w.Settimana, Fields: map[string][2]any{"incidenza": {nil, w.Incidenza}}})
			case prev.Incidenza != w.Incidenza || prev.Stagione != w.Stagione:
				ch := Change{Key: w.Settimana, Fields: map[string][2]any{}}
				diff(ch.Fields, "incidenza", prev.Incidenza, w.Incidenza)
				diff(ch.Fields, "stagione", prev.Stagione, w.Stagione)
				rep.Changed = append(rep.Changed, ch)
			default:
				continue
			}
			old[w.Settimana] = w
			if o.DryRun {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO influnet (settimana, stagione, incidenza) VALUES ($1, $2, $3)
				ON CONFLICT (settimana) DO UPDATE SET stagione = excluded.stagione, incidenza = excluded.incidenza`, w.Settimana, w.Stagione, w.Incidenza); err != nil {
				return fmt.Errorf("ImportInfluNet: %w", err)
			}
		}
		if o.DryRun {
			return errDryRun
		}
		return db.recordImport(ctx, tx, a, rep)
	})
	if errors.Is(err, errDryRun) {
		return rep, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ImportInfluNet: %w", err)
	}
	return rep, nil
}

func inTerritory(province []string, codice string) bool {
	return len(province) == 0 || slices.Contains(province, ps.Provincia(codice))
}

// ParseProvince splits the territory setting "CR,MN".
func ParseProvince(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.ToUpper(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func diff(fields map[string][2]any, name string, old, new any) {
	if old != new {
		fields[name] = [2]any{old, new}
	}
}

func (db *DB) importRegistro(ctx context.Context, tx querierTx, f *anagrafe.File, o ImportOptions, rep *ImportReport) error {
	paritarie := f.Kind == anagrafe.KindParitarie
	// Raw columns: the join would replace comune_nome with the ISTAT name.
	list, err := queryAll(ctx, tx, func(sc scanner) (p ps.Plesso, err error) {
		var grado string
		err = sc.Scan(&p.Codice, &p.Nome, &p.Istituto, &grado, &p.Paritaria, &p.Indirizzo, &p.CodiceCatastale, &p.ComuneNome, &p.Email, &p.Attivo, &p.Provincia)
		p.Grado = ps.Grado(grado)
		return p, err
	}, `SELECT codice, nome, istituto, grado, paritaria, indirizzo, codice_catastale, comune_nome, email, attivo, provincia FROM plessi`)
	if err != nil {
		return fmt.Errorf("importRegistro: %w", err)
	}
	existing := make(map[string]ps.Plesso, len(list))
	for _, p := range list {
		existing[p.Codice] = p
	}
	ist, err := queryAll(ctx, tx, scanPair, `SELECT codice, nome FROM istituti`)
	if err != nil {
		return fmt.Errorf("importRegistro: %w", err)
	}
	istituti := pairsToMap(ist)

	inFile := map[string]bool{}
	seenIst := map[string]bool{}
	provinces := map[string]bool{}
	for _, r := range f.Righe {
		if !inTerritory(o.Province, r.Plesso.Codice) {
			rep.Skipped++
			continue
		}
		inFile[r.Plesso.Codice] = true
		provinces[r.Plesso.Provincia] = true
		if r.Istituto.Codice != "" && !seenIst[r.Istituto.Codice] {
			// The register repeats the istituto on every plesso row, and its
			// name may differ between rows: the first row's name wins.
			seenIst[r.Istituto.Codice] = true
			if err := importIstituto(ctx, tx, r, istituti, rep); err != nil {
				return err
			}
		}
		n := r.Plesso
		old, ok := existing[n.Codice]
		if !ok {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plessi (codice, nome, istituto, grado, paritaria, indirizzo, codice_catastale, comune_nome, email, attivo, provincia)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10)`,
				n.Codice, n.Nome, n.Istituto, string(n.Grado), n.Paritaria, n.Indirizzo, n.CodiceCatastale, n.ComuneNome, n.Email, n.Provincia); err != nil {
				return fmt.Errorf("importRegistro: %w", err)
			}
			rep.Added = append(rep.Added, Change{Key: "plesso " + n.Codice, Line: r.Line})
			continue
		}
		fields := map[string][2]any{}
		diff(fields, "nome", old.Nome, n.Nome)
		diff(fields, "istituto", old.Istituto, n.Istituto)
		diff(fields, "grado", string(old.Grado), string(n.Grado))
		diff(fields, "paritaria", old.Paritaria, n.Paritaria)
		diff(fields, "indirizzo", old.Indirizzo, n.Indirizzo)
		diff(fields, "comune", old.CodiceCatastale, n.CodiceCatastale)
		diff(fields, "comune_nome", old.ComuneNome, n.ComuneNome)
		diff(fields, "email", old.Email, n.Email)
		diff(fields, "attivo", old.Attivo, true)
		if len(fields) == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plessi SET nome = $1, istituto = $2, grado = $3, paritaria = $4, indirizzo = $5,
			codice_catastale = $6, comune_nome = $7, email = $8, attivo = TRUE WHERE codice = $9`,
			n.Nome, n.Istituto, string(n.Grado), n.Paritaria, n.Indirizzo, n.CodiceCatastale, n.ComuneNome, n.Email, n.Codice); err != nil {
			return fmt.Errorf("importRegistro: %w", err)
		}
		rep.Changed = append(rep.Changed, Change{Key: "plesso " + n.Codice, Line: r.Line, Fields: fields})
	}
	if len(inFile) == 0 && len(f.Righe) > 0 {
		return &ps.Error{Code: ps.EInvalid, Message: "err.import.fuori_territorio"}
	}
	// Retire the plessi of the same kind and provinces that the file no
	// longer lists: they keep their history but leave the lists.
	var gone []string
	for c, p := range existing {
		if p.Attivo && p.Paritaria == paritarie && provinces[p.Provincia] && !inFile[c] && fromRegister(p) {
			gone = append(gone, c)
		}
	}
	slices.Sort(gone)
	for _, c := range gone {
		if _, err := tx.ExecContext(ctx, `UPDATE plessi SET attivo = FALSE WHERE codice = $1`, c); err != nil {
			return fmt.Errorf("importRegistro: %w", err)
		}
		rep.Retired = append(rep.Retired, Change{Key: "plesso " + c})
	}
	return nil
}

// importIstituto adds or renames the istituto of a register row (its
// first row in the file), recording the change.
func importIstituto(ctx context.Context, tx querierTx, r anagrafe.Riga, istituti map[string]string, rep *ImportReport) error {
	old, ok := istituti[r.Istituto.Codice]
	if !ok {
		if _, err := tx.ExecContext(ctx, `INSERT INTO istituti (codice, nome) VALUES ($1, $2)`, r.Istituto.Codice, r.Istituto.Nome); err != nil {
			return fmt.Errorf("importIstituto %s: %w", r.Istituto.Codice, err)
		}
		rep.Added = append(rep.Added, Change{Key: "istituto " + r.Istituto.Codice, Line: r.Line})
	} else if old != r.Istituto.Nome {
		if _, err := tx.ExecContext(ctx, `UPDATE istituti SET nome = $1 WHERE codice = $2`, r.Istituto.Nome, r.Istituto.Codice); err != nil {
			return fmt.Errorf("importIstituto %s: %w", r.Istituto.Codice, err)
		}
		rep.Changed = append(rep.Changed, Change{Key: "istituto " + r.Istituto.Codice, Line: r.Line,
			Fields: map[string][2]any{"nome": {old, r.Istituto.Nome}}})
	}
	istituti[r.Istituto.Codice] = r.Istituto.Nome
	return nil
}

// fromRegister tells plessi that a register import created or confirmed
// (they have a municipality) from those known only by a pupil-count file,
// which a register of another kind must not retire.
func fromRegister(p ps.Plesso) bool { return p.CodiceCatastale != "" }

func (db *DB) importStudenti(ctx context.Context, tx querierTx, f *anagrafe.File, o ImportOptions, rep *ImportReport) error {
	codes, err := queryAll(ctx, tx, scanString, `SELECT codice FROM plessi`)
	if err != nil {
		return fmt.Errorf("importStudenti: %w", err)
	}
	known := make(map[string]bool, len(codes))
	for _, c := range codes {
		known[c] = true
	}
	counts, err := queryAll(ctx, tx, func(sc scanner) (s Studenti, err error) {
		return s, sc.Scan(&s.Plesso, &s.Studenti)
	}, `SELECT plesso, studenti FROM studenti_mim WHERE anno = $1`, int(o.Anno))
	if err != nil {
		return fmt.Errorf("importStudenti: %w", err)
	}
	old := make(map[string]int, len(counts))
	for _, c := range counts {
		old[c.Plesso] = c.Studenti
	}
	inFile := map[string]bool{}
	created := 0
	for _, s := range f.Studenti {
		if !inTerritory(o.Province, s.Plesso) {
			rep.Skipped++
			continue
		}
		inFile[s.Plesso] = true
		if !known[s.Plesso] {
			// The pupil-count file is, for state schools of a region whose
			// register is not imported yet, the only list of plessi: create
			// them by code, to be named by a later register import.
			if _, err := tx.ExecContext(ctx, `INSERT INTO plessi (codice, nome, grado, paritaria, attivo, provincia) VALUES ($1, $2, $3, $4, TRUE, $5)`,
				s.Plesso, s.Plesso, string(ps.GradoFromCodice(s.Plesso)), s.Plesso[2] == '1', ps.Provincia(s.Plesso)); err != nil {
				return fmt.Errorf("importStudenti: %w", err)
			}
			known[s.Plesso] = true
			created++
		}
		prev, ok := old[s.Plesso]
		switch {
		case !ok:
			if _, err := tx.ExecContext(ctx, `INSERT INTO studenti_mim (plesso, anno, studenti) VALUES ($1, $2, $3)`, s.Plesso, int(o.Anno), s.Studenti); err != nil {
				return fmt.Errorf("importStudenti: %w", err)
			}
			rep.Added = append(rep.Added, Change{Key: s.Plesso, Line: s.Line})
		case prev != s.Studenti:
			if _, err := tx.ExecContext(ctx, `UPDATE studenti_mim SET studenti = $1 WHERE plesso = $2 AND anno = $3`, s.Studenti, s.Plesso, int(o.Anno)); err != nil {
				return fmt.Errorf("importStudenti: %w", err)
			}
			rep.Changed = append(rep.Changed, Change{Key: s.Plesso, Line: s.Line, Fields: map[string][2]any{"studenti": {prev, s.Studenti}}})
		}
	}
	if len(inFile) == 0 {
		return &ps.Error{Code: ps.EInvalid, Message: "err.import.fuori_territorio"}
	}
	var gone []string
	for c := range old {
		if !inFile[c] && inTerritory(o.Province, c) {
			gone = append(gone, c)
		}
	}
	slices.Sort(gone)
	for _, c := range gone {
		if _, err := tx.ExecContext(ctx, `DELETE FROM studenti_mim WHERE plesso = $1 AND anno = $2`, c, int(o.Anno)); err != nil {
			return fmt.Errorf("importStudenti: %w", err)
		}
		rep.Retired = append(rep.Retired, Change{Key: c, Fields: map[string][2]any{"studenti": {old[c], nil}}})
	}
	if created > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d plessi non ancora in anagrafe sono stati creati dal solo codice", created))
	}
	return nil
}

func (db *DB) importComuni(ctx context.Context, tx querierTx, f *anagrafe.File, o ImportOptions, rep *ImportReport) error {
	list, err := queryAll(ctx, tx, scanComune, `SELECT codice_istat, nome, provincia, codice_catastale, distretto FROM comuni`)
	if err != nil {
		return fmt.Errorf("importComuni: %w", err)
	}
	old := make(map[string]ps.Comune, len(list))
	for _, c := range list {
		old[c.CodiceIstat] = c
	}
	kept := 0
	for i, c := range f.Comuni {
		if len(o.Province) > 0 && !slices.Contains(o.Province, c.Provincia) {
			rep.Skipped++
			continue
		}
		kept++
		prev, ok := old[c.CodiceIstat]
		if !ok {
			if _, err := tx.ExecContext(ctx, `INSERT INTO comuni (codice_istat, nome, provincia, codice_catastale) VALUES ($1, $2, $3, $4)`,
				c.CodiceIstat, c.Nome, c.Provincia, c.CodiceCatastale); err != nil {
				if isUniqueViolation(err) {
					return &anagrafe.FileError{Errors: []anagrafe.LineError{{Line: f.Lines[i], Msg: "codice catastale " + c.CodiceCatastale + " già usato da un altro comune"}}}
				}
				return err
			}
			rep.Added = append(rep.Added, Change{Key: c.CodiceIstat + " " + c.Nome, Line: f.Lines[i]})
			continue
		}
		fields := map[string][2]any{}
		diff(fields, "nome", prev.Nome, c.Nome)
		diff(fields, "provincia", prev.Provincia, c.Provincia)
		diff(fields, "codice_catastale", prev.CodiceCatastale, c.CodiceCatastale)
		if len(fields) == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comuni SET nome = $1, provincia = $2, codice_catastale = $3 WHERE codice_istat = $4`,
			c.Nome, c.Provincia, c.CodiceCatastale, c.CodiceIstat); err != nil {
			return fmt.Errorf("importComuni: %w", err)
		}
		rep.Changed = append(rep.Changed, Change{Key: c.CodiceIstat + " " + c.Nome, Line: f.Lines[i], Fields: fields})
	}
	if kept == 0 {
		return &ps.Error{Code: ps.EInvalid, Message: "err.import.fuori_territorio"}
	}
	// Municipalities are never retired: plessi keep pointing at them, and a
	// list of one province must not retire another's.
	return nil
}

func (db *DB) importDistretti(ctx context.Context, tx querierTx, f *anagrafe.File, rep *ImportReport) error {
	pairs, err := queryAll(ctx, tx, scanPair, `SELECT codice_istat, distretto FROM comuni`)
	if err != nil {
		return fmt.Errorf("importDistretti: %w", err)
	}
	comuni := pairsToMap(pairs)
	fe := &anagrafe.FileError{}
	for _, d := range f.Distretti {
		if _, ok := comuni[d.CodiceIstat]; !ok {
			fe.Errors = append(fe.Errors, anagrafe.LineError{Line: d.Line, Msg: "comune " + d.CodiceIstat + " non in anagrafe: importare prima l'elenco ISTAT dei comuni"})
		}
	}
	if len(fe.Errors) > 0 {
		return fe
	}
	names, err := queryAll(ctx, tx, scanPair, `SELECT codice, nome FROM distretti`)
	if err != nil {
		return fmt.Errorf("importDistretti: %w", err)
	}
	oldNames := pairsToMap(names)
	used := map[string]bool{}
	for _, d := range f.Distretti {
		used[d.Distretto.Codice] = true
		if n, ok := oldNames[d.Distretto.Codice]; !ok {
			if _, err := tx.ExecContext(ctx, `INSERT INTO distretti (codice, nome) VALUES ($1, $2)`, d.Distretto.Codice, d.Distretto.Nome); err != nil {
				return fmt.Errorf("importDistretti: %w", err)
			}
			oldNames[d.Distretto.Codice] = d.Distretto.Nome
			rep.Added = append(rep.Added, Change{Key: "distretto " + d.Distretto.Codice, Line: d.Line})
		} else if n != d.Distretto.Nome {
			if _, err := tx.ExecContext(ctx, `UPDATE distretti SET nome = $1 WHERE codice = $2`, d.Distretto.Nome, d.Distretto.Codice); err != nil {
				return fmt.Errorf("importDistretti: %w", err)
			}
			oldNames[d.Distretto.Codice] = d.Distretto.Nome
			rep.Changed = append(rep.Changed, Change{Key: "distretto " + d.Distretto.Codice, Line: d.Line, Fields: map[string][2]any{"nome": {n, d.Distretto.Nome}}})
		}
		if prev := comuni[d.CodiceIstat]; prev != d.Distretto.Codice {
			if _, err := tx.ExecContext(ctx, `UPDATE comuni SET distretto = $1 WHERE codice_istat = $2`, d.Distretto.Codice, d.CodiceIstat); err != nil {
				return fmt.Errorf("importDistretti: %w", err)
			}
			ch := Change{Key: "comune " + d.CodiceIstat, Line: d.Line, Fields: map[string][2]any{"distretto": {prev, d.Distretto.Codice}}}
			if prev == "" {
				rep.Added = append(rep.Added, ch)
			} else {
				rep.Changed = append(rep.Changed, ch)
			}
		}
	}
	var gone []string
	for c := range oldNames {
		if !used[c] {
			gone = append(gone, c)
		}
	}
	slices.Sort(gone)
	for _, c := range gone {
		if _, err := tx.ExecContext(ctx, `UPDATE comuni SET distretto = '' WHERE distretto = $1`, c); err != nil {
			return fmt.Errorf("importDistretti: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM distretti WHERE codice = $1`, c); err != nil {
			return fmt.Errorf("importDistretti: %w", err)
		}
		rep.Retired = append(rep.Retired, Change{Key: "distretto " + c})
	}
	return nil
}

// Studenti is a ministry pupil count of one plesso.
type Studenti struct {
	Plesso   string
	Studenti int
}

type pair struct{ k, v string }

func scanPair(s scanner) (p pair, err error) { return p, s.Scan(&p.k, &p.v) }

func pairsToMap(ps []pair) map[string]string {
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[p.k] = p.v
	}
	return m
}

// ImportRuns lists the latest imports.
func (db *DB) ImportRuns(ctx context.Context, limit int) ([]ImportReport, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, report FROM import_runs ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("ImportRuns: %w", err)
	}
	defer rows.Close()
	var out []ImportReport
	for rows.Next() {
		var id int64
		var b string
		if err := rows.Scan(&id, &b); err != nil {
			return nil, fmt.Errorf("ImportRuns: %w", err)
		}
		var r ImportReport
		if err := json.Unmarshal([]byte(b), &r); err != nil {
			return nil, fmt.Errorf("ImportRuns: %w", err)
		}
		r.ID = id
		out = append(out, r)
	}
	return out, rows.Err()
}
