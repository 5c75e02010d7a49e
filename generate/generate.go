// Package genera fills an empty database with synthetic but valid data for
// the whole of Italy, to measure and demonstrate the portal at national
// scale: the register (107 provinces with their real siglas, ISTAT-like
// municipalities, districts, istituti, plessi with well-formed codici
// meccanografici), the enrolment figures of every plesso and school year
// (consistenze and the ministry's counts), a sentinel sample per year and
// the daily absences of the sentinels on every school day, simulated by
// package sim with the influenza wave of a real InfluNet season.
//
// Speed comes from writing everything in one transaction, on a goroutine
// of its own so that generation overlaps with the database's work: on
// SQLite with multi-row INSERT statements ("?" placeholders, prepared once
// per table), on PostgreSQL with COPY through the pgx connection under
// database/sql (multi-row INSERTs with $n remain available, copiaPostgres).
// Memory stays bounded because absences are simulated and written one
// school year and one region at a time. Generated rows are not audited one
// by one: a single audit line "genera" records the options and the counts.
// A database that already has plessi is refused (ErrNonVuoto).
//
// Measured on 2 cores (AMD EPYC, local disk), 40,000 plessi and 5 school
// years (2022/23-2026/27, the last up to the day before the run; 2,000
// sentinels a year), 1.94 million rows: 40,000 plessi, 9,773 istituti,
// 7,203 comuni, 530 distretti, 217,040 consistenze, 200,000 ministry
// counts, 10,000 sentinel-years, 1,447,645 absence days (7,657 closures),
// 6.9 million pupils:
//
//	SQLite (modernc):   10 s, 262 MiB file, 240 MB peak RSS
//	PostgreSQL 15:      19 s, 500 MB database (default server settings)
//
// Reproduce (until the CLI has its subcommand) with
//
//	GENERA_DSN=/tmp/generate.db go test ./generate -run TestMisura -v
//	psql -h 127.0.0.1 -U postgres -c 'create database gen_test'
//	GENERA_DSN='postgres://postgres@127.0.0.1:5432/gen_test?sslmode=disable' go test ./generate -run TestMisura -v
package generate

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/auth"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/sim"
	"github.com/portalescuole/portalescuole/store"
)

// Opzioni are the generator's options.
type Opzioni struct {
	Plessi int // number of plessi (all in scope: primaria, secondaria I and II)
	Anni   int // number of school years, ending with UltimoAnno
	// Quota is the share of plessi that are sentinels in each year
	// (default 0.05).
	Quota float64
	// Seed makes the data reproducible: the same options and seed give the
	// same rows (the users' random passwords and the audit time aside).
	Seed uint64
	// UltimoAnno is the start year of the last school year generated
	// (default the current one, for which only the days before today get
	// absences).
	UltimoAnno int
}

// Credenziale is a generated account and its initial password (to be
// changed at the first login).
type Credenziale struct {
	Username, Password string
	Ruolo              ps.Role
}

// Riepilogo says what was generated.
type Riepilogo struct {
	Anni       []ps.AnnoScolastico
	Stagioni   []string // the InfluNet season of each year
	Province   int
	Iscritti   int              // pupils of the last year (revision 1)
	Chiusure   int              // absence rows that are closures
	Righe      map[string]int64 // rows written per table
	Utenti     []Credenziale    // accounts created (an existing username is left alone)
	Durata     time.Duration
	Opzioni    Opzioni // after defaults
	Sentinelle []int   // sentinel plessi per year
}

// Default and limits of Opzioni.
const (
	DefaultQuota = 0.05
	MaxPlessi    = 100000
	MaxAnni      = 15
)

// normalizza applies the defaults and checks the ranges.
func (o Opzioni) normalizza(now time.Time) (Opzioni, error) {
	corrente := int(ps.AnnoDi(now))
	if o.Quota == 0 {
		o.Quota = DefaultQuota
	}
	if o.UltimoAnno == 0 {
		o.UltimoAnno = corrente
	}
	switch {
	case o.Plessi < 1 || o.Plessi > MaxPlessi:
		return o, fmt.Errorf("genera: il numero di plessi deve essere tra 1 e %d (richiesti %d)", MaxPlessi, o.Plessi)
	case o.Anni < 1 || o.Anni > MaxAnni:
		return o, fmt.Errorf("genera: il numero di anni scolastici deve essere tra 1 e %d (richiesti %d)", MaxAnni, o.Anni)
	case !(o.Quota > 0 && o.Quota <= 1):
		return o, fmt.Errorf("genera: la quota di sentinelle deve essere tra 0 (escluso) e 1 (data %g)", o.Quota)
	case o.UltimoAnno > corrente:
		return o, fmt.Errorf("genera: l'ultimo anno scolastico (%d/%02d) non può essere successivo a quello in corso (%d/%02d)",
			o.UltimoAnno, (o.UltimoAnno+1)%100, corrente, (corrente+1)%100)
	case o.UltimoAnno-o.Anni+1 < 2000:
		return o, fmt.Errorf("genera: il primo anno scolastico (%d) è troppo lontano", o.UltimoAnno-o.Anni+1)
	}
	return o, nil
}

// ErrNonVuoto is returned for a database that already has plessi.
type ErrNonVuoto struct{ Plessi int }

func (e *ErrNonVuoto) Error() string {
	return fmt.Sprintf("genera: il database non è vuoto (contiene già %d plessi): i dati sintetici si generano solo in un database nuovo", e.Plessi)
}

// stagioni returns the InfluNet seasons with at least 20 weeks of data.
func stagioni() ([]sim.Season, error) {
	all, err := sim.LoadInfluNet(bytes.NewReader(demo.InfluNetCSV()))
	if err != nil {
		return nil, err
	}
	var out []sim.Season
	for _, s := range all {
		if len(s.Weeks) >= 20 {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("genera: nessuna stagione InfluNet utilizzabile")
	}
	return out, nil
}

// Genera fills db, which must hold no plessi, with synthetic data for o,
// writing progress lines to progress (nil for none). Everything is written
// in one transaction: on error the database is left as it was.
func Genera(ctx context.Context, db *store.DB, o Opzioni, progress io.Writer) (Riepilogo, error) {
	inizio := time.Now()
	if progress == nil {
		progress = io.Discard
	}
	now := db.Now().UTC()
	o, err := o.normalizza(now)
	if err != nil {
		return Riepilogo{}, err
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM plessi`).Scan(&n); err != nil {
		return Riepilogo{}, err
	}
	if n > 0 {
		return Riepilogo{}, &ErrNonVuoto{Plessi: n}
	}
	seasons, err := stagioni()
	if err != nil {
		return Riepilogo{}, err
	}

	g := &generatore{ctx: ctx, db: db, o: o, now: now, out: progress, inizio: inizio,
		rie: Riepilogo{Opzioni: o, Righe: map[string]int64{}, Province: len(province)}}
	for y := 0; y < o.Anni; y++ {
		g.rie.Anni = append(g.rie.Anni, ps.AnnoScolastico(o.UltimoAnno-o.Anni+1+y))
	}
	order := rng(o.Seed, tagStagioni).Perm(len(seasons))
	for y := range g.rie.Anni {
		g.stagioni = append(g.stagioni, seasons[order[y%len(seasons)]])
		g.rie.Stagioni = append(g.rie.Stagioni, seasons[order[y%len(seasons)]].Name)
	}

	g.a = costruisci(o)
	g.sent = sentinelle(g.a, o)
	for _, s := range g.sent {
		g.rie.Sentinelle = append(g.rie.Sentinelle, len(s))
	}
	for i := range g.a.plessi {
		g.rie.Iscritti += g.a.plessi[i].iscritti[o.Anni-1]
	}
	g.logf("anagrafe: %d province, %d comuni, %d distretti, %d istituti, %d plessi, %d alunni nell'anno %s",
		len(province), len(g.a.comuni), len(g.a.distretti), len(g.a.istituti), len(g.a.plessi), g.rie.Iscritti, g.rie.Anni[o.Anni-1])

	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return Riepilogo{}, err
	}
	defer conn.Close()
	if db.Dialect() == store.SQLite {
		// A larger page cache for the bulk load (64 MiB; the default is 2 MB),
		// given back afterwards since the connection returns to the pool.
		if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -65536`); err != nil {
			return Riepilogo{}, err
		}
		defer conn.ExecContext(context.Background(), `PRAGMA cache_size = -2000`)
		if _, err := conn.ExecContext(ctx, `PRAGMA temp_store = MEMORY`); err != nil {
			return Riepilogo{}, err
		}
		defer conn.ExecContext(context.Background(), `PRAGMA temp_store = DEFAULT`)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return Riepilogo{}, err
	}
	defer tx.Rollback()
	g.tx = tx
	// Again inside the transaction, in case another writer came first.
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM plessi`).Scan(&n); err != nil {
		return Riepilogo{}, err
	}
	if n > 0 {
		return Riepilogo{}, &ErrNonVuoto{Plessi: n}
	}
	if db.Dialect() == store.Postgres {
		// Generated rows are many and the transaction is all or nothing:
		// no need to wait for the WAL flush of every statement.
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return Riepilogo{}, err
		}
	}
	g.w = nuovoScrittore(ctx, conn, tx)
	aperto := true
	defer func() {
		if aperto {
			g.w.chiudi()
		}
	}()
	for _, step := range []func() error{g.scriviAnagrafe, g.scriviConsistenze, g.scriviAssenze} {
		if err := step(); err != nil {
			// Cancelled mid-statement, the driver may report the closed
			// connection rather than the cancellation: say the cause.
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return Riepilogo{}, fmt.Errorf("genera: %w", err)
		}
	}
	aperto = false
	if err := g.w.chiudi(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return Riepilogo{}, fmt.Errorf("genera: %w", err)
	}
	if err := g.scriviUtenti(); err != nil {
		return Riepilogo{}, fmt.Errorf("genera: %w", err)
	}
	g.rie.Durata = time.Since(inizio)
	if err := g.scriviAudit(); err != nil {
		return Riepilogo{}, fmt.Errorf("genera: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Riepilogo{}, fmt.Errorf("genera: commit: %w", err)
	}
	g.logf("transazione confermata")
	if db.Dialect() == store.SQLite {
		// Fold the write-ahead log into the database file and shrink it.
		if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return Riepilogo{}, fmt.Errorf("genera: checkpoint: %w", err)
		}
	} else {
		if _, err := conn.ExecContext(ctx, `ANALYZE`); err != nil {
			return Riepilogo{}, fmt.Errorf("genera: analyze: %w", err)
		}
	}
	g.rie.Durata = time.Since(inizio)
	g.logf("fatto: %d righe in %s", g.totale(), g.rie.Durata.Round(100*time.Millisecond))
	return g.rie, nil
}

type generatore struct {
	ctx      context.Context
	db       *store.DB
	tx       *sql.Tx
	w        *scrittore
	o        Opzioni
	now      time.Time
	out      io.Writer
	inizio   time.Time
	a        *anagrafe
	sent     [][]int
	stagioni []sim.Season
	rie      Riepilogo
}

func (g *generatore) logf(format string, args ...any) {
	fmt.Fprintf(g.out, "[%6.1fs] "+format+"\n", append([]any{time.Since(g.inizio).Seconds()}, args...)...)
}

func (g *generatore) totale() int64 {
	var t int64
	for _, n := range g.rie.Righe {
		t += n
	}
	return t
}

func (g *generatore) ins(tabella string, colonne ...string) *inseritore {
	return nuovoInseritore(g.w, g.db.Dialect(), tabella, colonne...)
}

func (g *generatore) chiudi(tabella string, b *inseritore) error {
	if err := b.chiudi(); err != nil {
		return fmt.Errorf("%s: %w", tabella, err)
	}
	g.rie.Righe[tabella] += b.righe
	return nil
}

const tsLayout = "2006-01-02T15:04:05.000000Z"

func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

func giorno(t time.Time) string { return t.Format(ps.DateLayout) }

func (g *generatore) scriviAnagrafe() error {
	a := g.a
	b := g.ins("distretti", "codice", "nome")
	for _, d := range a.distretti {
		if err := b.riga(d.Codice, d.Nome); err != nil {
			return err
		}
	}
	if err := g.chiudi("distretti", b); err != nil {
		return err
	}
	b = g.ins("comuni", "codice_istat", "nome", "provincia", "codice_catastale", "distretto")
	for _, c := range a.comuni {
		if err := b.riga(c.Istat, c.Nome, c.Provincia, c.Catastale, c.Distretto); err != nil {
			return err
		}
	}
	if err := g.chiudi("comuni", b); err != nil {
		return err
	}
	b = g.ins("istituti", "codice", "nome")
	for _, i := range a.istituti {
		if err := b.riga(i.Codice, i.Nome); err != nil {
			return err
		}
	}
	if err := g.chiudi("istituti", b); err != nil {
		return err
	}
	b = g.ins("plessi", "codice", "nome", "istituto", "grado", "paritaria", "indirizzo", "codice_catastale",
		"comune_nome", "email", "attivo", "provincia")
	for i := range a.plessi {
		p := &a.plessi[i]
		if err := b.riga(p.Codice, p.Nome, p.Istituto, string(p.Grado), p.Paritaria, p.Indirizzo, p.Catastale,
			p.ComuneNome, p.Email, true, p.Prov); err != nil {
			return err
		}
	}
	if err := g.chiudi("plessi", b); err != nil {
		return err
	}
	// The six-day plessi's calendar (after the plessi: foreign key).
	cal := g.ins("plessi_calendario", "plesso", "sei_giorni")
	for i := range a.plessi {
		if p := &a.plessi[i]; p.SeiGiorni {
			if err := cal.riga(p.Codice, true); err != nil {
				return err
			}
		}
	}
	if err := g.chiudi("plessi_calendario", cal); err != nil {
		return err
	}
	g.logf("anagrafe scritta: %d distretti, %d comuni, %d istituti, %d plessi (%d con il sabato)",
		g.rie.Righe["distretti"], g.rie.Righe["comuni"], g.rie.Righe["istituti"], g.rie.Righe["plessi"], g.rie.Righe["plessi_calendario"])
	return nil
}

func (g *generatore) scriviConsistenze() error {
	cons := g.ins("consistenze", "plesso", "anno", "revisione", "iscritti", "classi", "valido_dal", "note", "creato_il", "creato_da")
	mim := g.ins("studenti_mim", "plesso", "anno", "studenti")
	sen := g.ins("sentinelle", "plesso", "anno")
	for y, anno := range g.rie.Anni {
		r := rng(g.o.Seed, tagIscritti, 1000+uint64(anno))
		for i := range g.a.plessi {
			p := &g.a.plessi[i]
			for _, rv := range revisioni(g.o, p, i, y, int(anno), g.now) {
				if err := cons.riga(p.Codice, int(anno), rv.Revisione, rv.Iscritti, rv.Classi, giorno(rv.ValidoDal), rv.Note,
					ts(rv.CreatoIl), "genera"); err != nil {
					return err
				}
			}
			// The ministry's count differs a little from the school's.
			n := max(1, int(math.Round(float64(p.iscritti[y])*(1+0.02*r.NormFloat64()))))
			if err := mim.riga(p.Codice, int(anno), n); err != nil {
				return err
			}
		}
		for _, i := range g.sent[y] {
			if err := sen.riga(g.a.plessi[i].Codice, int(anno)); err != nil {
				return err
			}
		}
	}
	for _, t := range []struct {
		n string
		b *inseritore
	}{{"consistenze", cons}, {"studenti_mim", mim}, {"sentinelle", sen}} {
		if err := g.chiudi(t.n, t.b); err != nil {
			return err
		}
	}
	// The bulk rows bypass store.SetSentinella: their change is counted
	// too, so that running servers see it.
	if err := store.ContaSentinelle(g.ctx, g.tx); err != nil {
		return err
	}
	g.logf("consistenze: %d revisioni, %d conteggi MIM, %d sentinelle-anno",
		g.rie.Righe["consistenze"], g.rie.Righe["studenti_mim"], g.rie.Righe["sentinelle"])
	return nil
}

// Reasons of absence: the baseline is 35% not illness, the rest illness
// (55% fever or respiratory, 15% gastrointestinal, 30% other); the
// influenza wave adds fever only.
const (
	quotaNonMalattia = 0.35
	quotaFebbre      = 0.55
	quotaGastro      = 0.15
)

// maxPerSimulazione bounds the plessi simulated at once (memory: about
// 13 KB per plesso-year).
const maxPerSimulazione = 4000

// fonti are the channels a plesso reports through, with their shares.
var (
	fonti     = []string{"modulo", "file", "api"}
	pesiFonti = []float64{0.65, 0.15, 0.20}
)

// motiviChiusura weights ps.MotiviChiusura (sciopero, elezioni, maltempo, altro).
var pesiChiusura = []float64{0.5, 0.1, 0.25, 0.15}

func (g *generatore) scriviAssenze() error {
	oggi := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, time.UTC)
	regione := map[string]int{}
	for _, p := range province {
		if _, ok := regione[p.Regione]; !ok {
			regione[p.Regione] = len(regione)
		}
	}
	for y, anno := range g.rie.Anni {
		t0 := time.Now()
		b := g.ins("assenze", "plesso", "giorno", "revisione", "chiuso", "motivo_chiusura", "assenti",
			"febbre", "gastro", "altra_malattia", "non_malattia", "segnalato_il", "fonte", "creato_da")
		// The real season, moved to this school year by whole weeks.
		s := g.stagioni[y]
		k := int(math.Round(time.Date(int(anno), time.October, 1, 0, 0, 0, 0, time.UTC).
			Sub(time.Date(s.StartYear, time.October, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24 / 7))
		s.StartYear = int(anno)
		chiusure := 0
		// One simulation per region (at most maxPerSimulazione plessi):
		// each region gets its own day-to-day noise and wave timing.
		sent := g.sent[y]
		for start, chunk := 0, 0; start < len(sent); chunk++ {
			reg := regione[province[g.a.plessi[sent[start]].prov].Regione]
			end := start
			for end < len(sent) && end-start < maxPerSimulazione &&
				regione[province[g.a.plessi[sent[end]].prov].Regione] == reg {
				end++
			}
			idx := sent[start:end]
			start = end
			plist := make([]sim.Plesso, len(idx))
			for j, pi := range idx {
				p := &g.a.plessi[pi]
				plist[j] = sim.Plesso{Codice: p.Codice, Grado: string(p.Grado), Iscritti: p.iscritti[y], SeiGiorni: p.SeiGiorni}
			}
			cfg := sim.DefaultConfig(plist)
			cfg.WaveShiftWeeks = k
			cfg.RandomShiftWeeks = 1
			cfg.RandomScaleSD = 0.15
			res := sim.Simulate(cfg, s, sim.Seed(g.o.Seed, tagSim, uint64(anno), uint64(chunk)))
			for j, ser := range res.Plessi {
				n, err := g.righeAssenze(b, res, ser, idx[j], y, int(anno), oggi)
				if err != nil {
					return err
				}
				chiusure += n
			}
		}
		if err := g.chiudi("assenze", b); err != nil {
			return err
		}
		g.rie.Chiusure += chiusure
		g.logf("anno %s: %d sentinelle, stagione InfluNet %s, %d giorni-plesso (%d chiusure) in %s",
			anno, len(sent), g.stagioni[y].Name, b.righe, chiusure, time.Since(t0).Round(100*time.Millisecond))
	}
	return nil
}

// righeAssenze writes the plesso's days of one simulated year and returns
// the closures written.
func (g *generatore) righeAssenze(b *inseritore, res sim.Simulation, ser sim.PlessoSeries, pi, y, anno int, oggi time.Time) (int, error) {
	p := &g.a.plessi[pi]
	revs := revisioni(g.o, p, pi, y, anno, g.now)
	r := rng(g.o.Seed, tagGiorni, uint64(pi), uint64(anno))
	fonte := fonti[scegli(r, pesiFonti)]
	utente := strings.ToLower(p.Codice)
	chiusure := 0
	for j, d := range ser.Dates {
		if !d.Before(oggi) {
			break
		}
		switch ser.Status[j] {
		case sim.Never:
			continue
		case sim.Closed:
			at := d.Add(7*time.Hour + time.Duration(r.IntN(5*3600))*time.Second)
			if at.After(g.now) {
				continue
			}
			motivo := ps.MotiviChiusura[scegli(r, pesiChiusura)]
			if err := b.riga(p.Codice, giorno(d), 1, true, motivo, nil, nil, nil, nil, nil, ts(at), fonte, utente); err != nil {
				return chiusure, err
			}
			chiusure++
			continue
		}
		arrivo := d
		if ser.Status[j] == sim.Late {
			if row := ser.Rows[j] + ser.Delay[j]; row < len(res.Dates) {
				arrivo = res.Dates[row]
			} else {
				arrivo = d.AddDate(0, 0, ser.Delay[j])
			}
		}
		// Reported after the morning's roll call (08:00-14:00 UTC), or
		// during the working day on which a late report arrives.
		at := arrivo.Add(8*time.Hour + time.Duration(r.IntN(6*3600))*time.Second)
		if at.After(g.now) {
			continue // not arrived yet
		}
		x := min(int(ser.Absent[j]), inVigore(revs, d))
		var m [4]int
		if x > 0 {
			e, att := ser.Expected[j], ser.Attributable[j]
			base := math.Max(e-att, 0)
			malattia := base * (1 - quotaNonMalattia)
			pr := [4]float64{att + malattia*quotaFebbre, malattia * quotaGastro, malattia * (1 - quotaFebbre - quotaGastro), base * quotaNonMalattia}
			m = dividi(r, x, pr)
		}
		if err := b.riga(p.Codice, giorno(d), 1, false, "", x, m[0], m[1], m[2], m[3], ts(at), fonte, utente); err != nil {
			return chiusure, err
		}
	}
	return chiusure, nil
}

// scegli draws an index with the given weights.
func scegli(r *rand.Rand, pesi []float64) int {
	var tot float64
	for _, w := range pesi {
		tot += w
	}
	u := r.Float64() * tot
	for i, w := range pesi {
		if u < w {
			return i
		}
		u -= w
	}
	return len(pesi) - 1
}

// dividi splits x absent pupils among the four reasons with weights w
// (multinomial; expected shares for very large x).
func dividi(r *rand.Rand, x int, w [4]float64) [4]int {
	var out [4]int
	tot := w[0] + w[1] + w[2] + w[3]
	if !(tot > 0) {
		out[3] = x
		return out
	}
	if x > 1000 {
		rest := x
		for i := 0; i < 3; i++ {
			out[i] = min(rest, int(math.Round(float64(x)*w[i]/tot)))
			rest -= out[i]
		}
		out[3] = rest
		return out
	}
	for i := 0; i < x; i++ {
		u := r.Float64() * tot
		k := 0
		for k < 3 && u >= w[k] {
			u -= w[k]
			k++
		}
		out[k]++
	}
	return out
}

func (g *generatore) scriviUtenti() error {
	utenti := []struct {
		username string
		ruolo    ps.Role
	}{{"admin", ps.RoleAdmin}, {"operatore.ats", ps.RoleATS}}
	for _, u := range utenti {
		pw := auth.Generate(16)
		hash, err := auth.Hash(pw, auth.DefaultParams)
		if err != nil {
			return err
		}
		res, err := g.tx.ExecContext(g.ctx, `INSERT INTO users (username, password_hash, role, must_change, created_at)
			VALUES ($1, $2, $3, TRUE, $4) ON CONFLICT (username) DO NOTHING`, u.username, hash, string(u.ruolo), ts(g.now))
		if err != nil {
			return fmt.Errorf("users: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			g.rie.Utenti = append(g.rie.Utenti, Credenziale{Username: u.username, Password: pw, Ruolo: u.ruolo})
			g.rie.Righe["users"]++
			g.logf("utente %s (%s) creato, password iniziale %s (da cambiare al primo accesso)", u.username, u.ruolo, pw)
		} else {
			g.logf("utente %s già presente: lasciato com'è", u.username)
		}
	}
	// The data cover all of Italy: the territory setting ("" = all).
	if _, err := g.tx.ExecContext(g.ctx, `INSERT INTO settings (key, value) VALUES ('province', '')
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return nil
}

func (g *generatore) scriviAudit() error {
	anni := make([]string, len(g.rie.Anni))
	for i, a := range g.rie.Anni {
		anni[i] = a.String()
	}
	detail, err := json.Marshal(map[string]any{
		"plessi": g.o.Plessi, "anni": anni, "quota": g.o.Quota, "seed": g.o.Seed,
		"stagioni": g.rie.Stagioni, "righe": g.rie.Righe, "secondi": math.Round(g.rie.Durata.Seconds()*10) / 10,
	})
	if err != nil {
		return err
	}
	_, err = g.tx.ExecContext(g.ctx, `INSERT INTO audit (at, user_id, username, ip, action, entity, detail) VALUES ($1, 0, 'genera', '', 'genera', 'database', $2)`,
		ts(g.now), string(detail))
	if err == nil {
		g.rie.Righe["audit"]++
	}
	return err
}
