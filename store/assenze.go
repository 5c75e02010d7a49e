package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
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

// SaveGiorni stores a submission of validated days: a day (or class)
// whose values differ from its latest revision gets a new revision stamped
// with the report time; identical values add nothing, so the same
// submission twice (a re-upload, an API retry) changes nothing. Classes
// absent from a later submission keep their earlier rows.
//
// Submissions are group-committed (SaveInsieme): concurrent ones wait for
// the DB's one committer, which stores whatever has queued in one
// transaction, and each returns only after that transaction committed, so
// an acknowledged submission is durable. Submissions of one plesso run in
// arrival order (the "identical to the latest" check sees the previous
// one, also within a batch), so a retry storm answers "invariati" and a
// different submission becomes the next revision.
func (db *DB) SaveGiorni(ctx context.Context, a ps.Actor, plesso string, giorni []ps.Giorno, fonte string) (SalvataggioAssenze, error) {
	inv := &invioInCoda{InvioAssenze: InvioAssenze{Actor: a, Plesso: plesso, Giorni: giorni, Fonte: fonte, Il: db.Now()}, ctx: ctx, fatto: make(chan esitoInvio, 1)}
	if !db.gruppo.accoda(db, inv) {
		// Closing: no committer any more; store it alone.
		res, err := db.salvaUno(ctx, inv.InvioAssenze)
		return res, err
	}
	select {
	case e := <-inv.fatto:
		return e.res, e.err
	case <-ctx.Done():
		// The submission may still be committed: it is not acknowledged.
		return SalvataggioAssenze{}, ctx.Err()
	}
}

// InvioAssenze is one submission of a plesso's validated days.
type InvioAssenze struct {
	Actor  ps.Actor
	Plesso string
	Giorni []ps.Giorno
	Fonte  string
	Il     time.Time // report time (segnalato_il, the audit line's time)
}

type esitoInvio struct {
	res SalvataggioAssenze
	err error
}

type invioInCoda struct {
	InvioAssenze
	ctx   context.Context
	fatto chan esitoInvio // buffered: the committer never waits on it
}

// maxLotto bounds the submissions of one group commit.
const maxLotto = 256

// gruppoCommit is the DB's group committer: a goroutine that takes every
// queued submission (up to maxLotto) and commits them together, with no
// wait of its own: while a batch commits (the fsync of SQLite's WAL, a
// round trip to PostgreSQL) the next one gathers.
//
// PostgreSQL runs several committers, so that one batch's round trips and
// WAL flush overlap the next batch's (the server merges concurrent flushes);
// SQLite has one writer at a time, so one committer. A plesso's
// submissions always go to the same committer (by a hash of its code), so
// they are still stored in arrival order.
type gruppoCommit struct {
	mu     sync.RWMutex
	code   []chan *invioInCoda
	chiuso bool
	done   sync.WaitGroup
}

// committers is how many committers a dialect runs.
func committers(d Dialect) int {
	if d == Postgres {
		return 3
	}
	return 1
}

// accoda queues a submission, starting the committers on first use; false
// when the DB is closing.
func (g *gruppoCommit) accoda(db *DB, inv *invioInCoda) bool {
	g.mu.RLock()
	if g.code == nil && !g.chiuso {
		g.mu.RUnlock()
		g.mu.Lock()
		if g.code == nil && !g.chiuso {
			g.code = make([]chan *invioInCoda, committers(db.dialect))
			for i := range g.code {
				g.code[i] = make(chan *invioInCoda, 4*maxLotto)
				g.done.Add(1)
				go db.committer(g.code[i])
			}
		}
		g.mu.Unlock()
		g.mu.RLock()
	}
	defer g.mu.RUnlock()
	if g.chiuso {
		return false
	}
	coda := g.code[0]
	if len(g.code) > 1 {
		h := fnv.New32a()
		h.Write([]byte(inv.Plesso))
		coda = g.code[h.Sum32()%uint32(len(g.code))]
	}
	coda <- inv
	return true
}

// chiudi stores what is queued and stops the committers.
func (g *gruppoCommit) chiudi() {
	g.mu.Lock()
	g.chiuso = true
	code := g.code
	g.mu.Unlock()
	for _, c := range code {
		close(c)
	}
	g.done.Wait()
}

func (db *DB) committer(coda chan *invioInCoda) {
	defer db.gruppo.done.Done()
	lotto := make([]*invioInCoda, 0, maxLotto)
	for first := range coda {
		lotto = append(lotto[:0], first)
	drain:
		for len(lotto) < maxLotto {
			select {
			case inv, ok := <-coda:
				if !ok {
					break drain
				}
				lotto = append(lotto, inv)
			default:
				break drain
			}
		}
		db.committaLotto(lotto)
		clear(lotto)
	}
}

// committaLotto stores a batch and answers each submission.
func (db *DB) committaLotto(lotto []*invioInCoda) {
	var vivi []*invioInCoda
	for _, inv := range lotto {
		if err := inv.ctx.Err(); err != nil {
			inv.fatto <- esitoInvio{err: err} // gone before its turn: not stored
			continue
		}
		vivi = append(vivi, inv)
	}
	if len(vivi) == 0 {
		return
	}
	invii := make([]InvioAssenze, len(vivi))
	for i, inv := range vivi {
		invii[i] = inv.InvioAssenze
	}
	// The batch's transaction is not any one request's: a client that
	// gives up must not roll back the others.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, errs := db.SaveInsieme(ctx, invii)
	for i, inv := range vivi {
		inv.fatto <- esitoInvio{res[i], errs[i]}
	}
}

// SaveInsieme stores several submissions, in order, in one transaction
// (one commit, one fsync): each gets its own revisions, its own audit line
// and its own result, as if stored one after the other. If the
// transaction fails, each submission is stored again in its own
// transaction, so a bad one fails alone and never loses the others.
func (db *DB) SaveInsieme(ctx context.Context, invii []InvioAssenze) ([]SalvataggioAssenze, []error) {
	res := make([]SalvataggioAssenze, len(invii))
	errs := make([]error, len(invii))
	if len(invii) == 1 {
		res[0], errs[0] = db.salvaUno(ctx, invii[0])
		return res, errs
	}
	err := db.withTx(ctx, func(tx querierTx) error {
		return db.scriviInvii(ctx, tx, invii, res)
	})
	if err == nil {
		return res, errs
	}
	for i, inv := range invii {
		res[i], errs[i] = db.salvaUno(ctx, inv)
	}
	return res, errs
}

// salvaUno stores one submission in its own transaction, re-run a bounded
// number of times if it lost a race to another writer.
func (db *DB) salvaUno(ctx context.Context, inv InvioAssenze) (SalvataggioAssenze, error) {
	out := make([]SalvataggioAssenze, 1)
	err := db.withTxRetry(ctx, "salva giorni "+inv.Plesso, func(tx querierTx) error {
		out[0] = SalvataggioAssenze{} // a re-run counts afresh
		return db.scriviInvii(ctx, tx, []InvioAssenze{inv}, out)
	})
	if err != nil {
		return SalvataggioAssenze{}, err // nothing was stored
	}
	return out[0], nil
}

// chiaveRiga names a stored row's series of revisions.
type chiaveRiga struct{ plesso, giorno, classe string }

// scriviInvii writes submissions in tx, in order: the latest revisions of
// every day they touch are read at once, each submission is compared with
// them (and with the earlier submissions of the batch), and the new
// revisions and the audit lines are inserted a few hundred rows per
// statement.
func (db *DB) scriviInvii(ctx context.Context, tx querierTx, invii []InvioAssenze, out []SalvataggioAssenze) error {
	// Concurrent writers of a plesso's absences (other nodes) run one after
	// the other on PostgreSQL; the locks are taken in a fixed order so that
	// two batches never wait on each other.
	plessi := map[string]bool{}
	type coppia struct{ plesso, giorno string }
	var coppie []coppia
	visti := map[coppia]bool{}
	for _, inv := range invii {
		plessi[inv.Plesso] = true
		for _, g := range inv.Giorni {
			k := coppia{inv.Plesso, day(g.Giorno)}
			if !visti[k] {
				visti[k] = true
				coppie = append(coppie, k)
			}
		}
	}
	if err := db.serializeAll(ctx, tx, plessi, "assenze:"); err != nil {
		return fmt.Errorf("scriviInvii: %w", err)
	}
	latest := map[chiaveRiga]assenzaRow{}
	for len(coppie) > 0 {
		n := scalino(len(coppie), scalaLetture)
		chunk := coppie[:n]
		coppie = coppie[n:]
		var b strings.Builder
		args := make([]any, 0, 2*len(chunk))
		b.WriteString(`SELECT a.plesso, ` + assenzaCols + ` FROM assenze a JOIN (VALUES `)
		for i, k := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + db.segnaposto(len(args)+1) + ", " + db.segnaposto(len(args)+2) + ")")
			args = append(args, k.plesso, k.giorno)
		}
		b.WriteString(`) k ON a.plesso = k.column1 AND a.giorno = k.column2`)
		rows, err := db.txHot(ctx, tx, b.String()).QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("latest revisions: %w", err)
		}
		for rows.Next() {
			var p string
			var r assenzaRow
			if err := rows.Scan(&p, &r.Giorno, &r.Classe, &r.Revisione, &r.Chiuso, &r.MotivoChiusura, &r.Iscritti, &r.Assenti,
				&r.Motivi[0], &r.Motivi[1], &r.Motivi[2], &r.Motivi[3], &r.SegnalatoIl, &r.Fonte, &r.CreatoDa); err != nil {
				rows.Close()
				return err
			}
			k := chiaveRiga{p, r.Giorno, r.Classe}
			if prev, ok := latest[k]; !ok || r.Revisione > prev.Revisione {
				latest[k] = r
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("scriviInvii: %w", err)
		}
	}
	type nuova struct {
		plesso, at, fonte, da string
		r                     assenzaRow
	}
	var nuove []nuova
	var audits [][]any
	for i, inv := range invii {
		out[i] = SalvataggioAssenze{}
		at := ts(inv.Il)
		var changed []string
		for _, g := range inv.Giorni {
			rows := rowsOf(g)
			_, existed := latest[chiaveRiga{inv.Plesso, rows[0].Giorno, ""}]
			dayChanged := false
			for _, r := range rows {
				k := chiaveRiga{inv.Plesso, r.Giorno, r.Classe}
				p, ok := latest[k]
				if ok && p.same(r) {
					continue
				}
				r.Revisione = 1
				if ok {
					r.Revisione = p.Revisione + 1
				}
				latest[k] = r // a later submission of the batch compares with it
				nuove = append(nuove, nuova{inv.Plesso, at, inv.Fonte, inv.Actor.Username, r})
				dayChanged = true
			}
			switch {
			case !dayChanged:
				out[i].Invariati++
			case existed:
				out[i].Corretti++
				changed = append(changed, rows[0].Giorno)
			default:
				out[i].Nuovi++
				changed = append(changed, rows[0].Giorno)
			}
		}
		if len(changed) > 0 {
			args, err := auditArgs(inv.Il, inv.Actor, "assenze.save", "plesso:"+inv.Plesso, map[string]any{"fonte": inv.Fonte, "giorni": changed,
				"nuovi": out[i].Nuovi, "corretti": out[i].Corretti})
			if err != nil {
				return fmt.Errorf("scriviInvii: %w", err)
			}
			audits = append(audits, args)
		}
	}
	for len(nuove) > 0 {
		n := scalino(len(nuove), scalaScritture)
		righe := make([][]any, n)
		for i, x := range nuove[:n] {
			r := x.r
			righe[i] = []any{x.plesso, r.Giorno, r.Classe, r.Revisione, r.Chiuso, r.MotivoChiusura, r.Iscritti, r.Assenti,
				r.Motivi[0], r.Motivi[1], r.Motivi[2], r.Motivi[3], x.at, x.fonte, x.da}
		}
		nuove = nuove[n:]
		q, args := db.righeMultiple(`INSERT INTO assenze (plesso, giorno, classe, revisione, chiuso, motivo_chiusura, iscritti, assenti,
			febbre, gastro, altra_malattia, non_malattia, segnalato_il, fonte, creato_da) VALUES `, 15, righe)
		if _, err := db.txHot(ctx, tx, q).ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("insert revisions: %w", err)
		}
	}
	if err := db.inserisciAudit(ctx, tx, audits); err != nil {
		return fmt.Errorf("audit assenze.save: %w", err)
	}
	return nil
}

// righeMultiple returns head followed by one placeholder tuple per row, and
// the rows' values in order: a multi-row INSERT's text and arguments.
func (db *DB) righeMultiple(head string, width int, righe [][]any) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, width*len(righe))
	b.WriteString(head)
	for i, r := range righe {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(db.tupla(len(args), width))
		args = append(args, r...)
	}
	return b.String(), args
}

// inserisciAudit writes audit rows (as auditArgs makes them) in the few
// statement sizes of scalaScritture.
func (db *DB) inserisciAudit(ctx context.Context, tx querierTx, righe [][]any) error {
	for len(righe) > 0 {
		n := scalino(len(righe), scalaScritture)
		q, args := db.righeMultiple(`INSERT INTO audit (at, user_id, username, ip, action, entity, detail) VALUES `, 7, righe[:n])
		if _, err := db.txHot(ctx, tx, q).ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("inserisciAudit: %w", err)
		}
		righe = righe[n:]
	}
	return nil
}

// Generated multi-row statements come in a few sizes only, so that they
// are parsed once and then reused as prepared statements (store/cache.go):
// n rows go as the largest sizes of the scale that fit, then smaller ones.
var (
	scalaLetture   = []int{256, 64, 16, 4, 1} // (plesso, giorno) pairs per query
	scalaScritture = []int{128, 32, 8, 2, 1}  // rows per INSERT
)

// scalino is the largest size of scala not above n (n ≥ 1).
func scalino(n int, scala []int) int {
	for _, k := range scala {
		if k <= n {
			return k
		}
	}
	return 1
}

// tupla is "(p1, …, pn)" for a generated multi-row statement whose
// placeholders so far number base.
func (db *DB) tupla(base, n int) string {
	var b strings.Builder
	b.WriteByte('(')
	for j := 1; j <= n; j++ {
		if j > 1 {
			b.WriteString(", ")
		}
		b.WriteString(db.segnaposto(base + j))
	}
	b.WriteByte(')')
	return b.String()
}

// Rilevazioni returns the latest revision of each reported day of a plesso
// in [from, to], with its classes, ordered by day.
func (db *DB) Rilevazioni(ctx context.Context, plesso string, from, to time.Time) ([]ps.Rilevazione, error) {
	rows, err := queryAll(ctx, db.sql, scanAssenza, `SELECT `+assenzaCols+` FROM assenze a WHERE plesso = $1 AND giorno >= $2 AND giorno <= $3
		AND revisione = (SELECT MAX(revisione) FROM assenze b WHERE b.plesso = a.plesso AND b.giorno = a.giorno AND b.classe = a.classe)
		ORDER BY giorno, classe`, plesso, day(from), day(to))
	if err != nil {
		return nil, fmt.Errorf("Rilevazioni: %w", err)
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
		return nil, fmt.Errorf("StoricoGiorno: %w", err)
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
	if err != nil {
		return time.Time{}, fmt.Errorf("UltimoGiornoSegnalato: %w", err)
	}
	if !d.Valid {
		return time.Time{}, nil // nothing reported yet
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
		return nil, fmt.Errorf("PrimeSegnalazioni: %w", err)
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
