// Package aggregati keeps in memory every plesso's latest report for each
// school day and the daily sums of every watched series (territory,
// province, district, grade), updated incrementally from the revisions the
// store received since the last refresh. The dashboard and the detection run
// read series from here instead of re-reading and re-summing millions of
// rows on every view: at national scale that is the difference between
// seconds and milliseconds.
//
// The store stays the truth: an Archivio can be dropped and rebuilt at any
// time (it is, when the register of plessi changes), and it holds nothing a
// restart would lose.
package aggregati

import (
	"context"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
)

// Series names, as allerta and the dashboard use them.
const (
	Territorio = "territorio"
	// PrefissoPlesso names a plesso's own series: "plesso:CREE80102B".
	PrefissoPlesso = "plesso:"
	// PrefissoSentinella names the sentinel-only twin of an aggregate:
	// "sentinella:territorio", "sentinella:provincia:CR". Outside emergency
	// mode it equals the aggregate; in emergency mode the aggregate has
	// every reporting plesso and the twin keeps the sentinel network's
	// series comparable with the years before. Twins are read by name
	// (Punti); Nomi and the detection engine's changes leave them out.
	PrefissoSentinella = "sentinella:"
	// PrefissoFebbre and PrefissoGastro name the illness-specific series of
	// an aggregate: "febbre/provincia:CR" counts the pupils absent for fever
	// or respiratory illness over the pupils of the plessi that gave that
	// reason's figure on the day.
	PrefissoFebbre = "febbre/"
	PrefissoGastro = "gastro/"
)

// Base returns the aggregate an illness-specific series is drawn from
// ("febbre/provincia:CR" → "provincia:CR"), and the motive ("" for
// all-cause absence).
func Base(nome string) (base, motivo string) {
	for _, p := range []string{PrefissoFebbre, PrefissoGastro} {
		if b, ok := strings.CutPrefix(nome, p); ok {
			return b, strings.TrimSuffix(p, "/")
		}
	}
	return nome, ""
}

// slackPostgres is how many ids a refresh re-reads below the last one seen
// on PostgreSQL: ids come from a sequence, so a transaction can commit a
// lower id after a higher one was already visible. Re-reading is harmless
// (a revision already applied is skipped). SQLite serialises writers, so
// ids become visible in order there.
const slackPostgres = 50000

// Archivio is the in-memory state. All methods are safe for concurrent use.
type Archivio struct {
	db *store.DB

	refresh sync.Mutex // one refresh at a time; the I/O runs outside mu

	mu       sync.RWMutex
	firma    string // store.FirmaAnagrafe at the last rebuild
	wmA, wmC int64  // last assenze and consistenze ids applied
	plessi   []*plesso
	indice   map[string]int
	serie    map[string]*somme
	giorni   map[int32][]int            // day → plessi with a revision of that day
	rilasci  map[ps.AnnoScolastico]bool // ministry releases
	versione int64                      // incremented by every change
	// pendenti accumulates the changes since the detection engine last
	// took them (tutti: a rebuild happened), whoever refreshed meanwhile.
	pendenti Cambi
	tutti    bool

	dmu     sync.Mutex // guards the cache of doppie (filled under mu read)
	doppieM map[string]string
	doppieV int64
}

type plesso struct {
	codice string
	nome   string
	// inPopolazione: active and in scope (6–19), so counted in the
	// territory's pupils; mim are its ministry counts by release.
	inPopolazione  bool
	mim            map[ps.AnnoScolastico]int
	strato         serie.Strato
	serie          []*somme // the aggregates it belongs to
	febbre, gastro []*somme // illness-specific series (not of districts)
	gemelle        []*somme // sentinel-only twins of serie, same order
	sentinella     map[ps.AnnoScolastico]bool
	revs           []ps.Consistenza
	giorni         []giorno // sorted by day
}

// giorno is the latest revision of one plesso day, packed: a national
// history is 1.5 million of them.
type giorno struct {
	d        int32 // days since 1970-01-01
	rev      int32
	valida   bool
	assenti  int32
	malattia int32
	febbre   int32 // -1: not given
	gastro   int32
	iscritti int32 // 0: no enrolment figures that year, so no rate: not counted
}

func (g giorno) conta() bool { return g.valida && g.iscritti > 0 }

type somme struct {
	nome   string
	inizio int32 // day of punti[0]
	punti  []somma
}

// somma is one day of a series. 32 bits hold any national sum (under 10
// million pupils) and keep the thousands of five-year series small.
type somma struct {
	assenti, iscritti int32
	plessi            int32
}

func (s *somme) add(d int32, assenti, iscritti int64, plessi int32) {
	if len(s.punti) == 0 {
		s.inizio = d
	}
	if d < s.inizio {
		s.punti = append(make([]somma, s.inizio-d), s.punti...)
		s.inizio = d
	}
	if i := int(d - s.inizio); i >= len(s.punti) {
		// Grown in place (amortised like append): days mostly come in order.
		old := len(s.punti)
		s.punti = slices.Grow(s.punti, i+1-old)[:i+1]
		clear(s.punti[old:])
	}
	p := &s.punti[d-s.inizio]
	p.assenti += int32(assenti)
	p.iscritti += int32(iscritti)
	p.plessi += plessi
}

// Cambi gives, for every series that changed in a refresh, the earliest day
// that changed. A nil Cambi means everything may have changed (first load
// or rebuild).
type Cambi map[string]time.Time

func (c Cambi) segna(nome string, d time.Time) {
	if old, ok := c[nome]; !ok || d.Before(old) {
		c[nome] = d
	}
}

// Nuovo returns an empty Archivio reading from db; the first Aggiorna loads
// everything.
func Nuovo(db *store.DB) *Archivio { return &Archivio{db: db} }

// Aggiorna applies what the store received since the last call and says
// which series changed from which day. It rebuilds everything, returning
// nil Cambi, on the first call and when the register of plessi changed.
func (a *Archivio) Aggiorna(ctx context.Context) (Cambi, error) {
	a.refresh.Lock()
	defer a.refresh.Unlock()
	firma, err := a.db.FirmaAnagrafe(ctx)
	if err != nil {
		return nil, err
	}
	fs, err := a.db.FirmaSentinelle(ctx)
	if err != nil {
		return nil, err
	}
	firma += "|" + fs
	a.mu.RLock()
	rebuild := a.plessi == nil || firma != a.firma
	wmA, wmC := a.wmA, a.wmC
	a.mu.RUnlock()
	if rebuild {
		if err := a.ricostruisci(ctx, firma); err != nil {
			return nil, err
		}
		a.mu.Lock()
		a.pendenti, a.tutti = nil, true
		a.mu.Unlock()
		return nil, nil
	}
	cons, err := a.db.IscrittiDopo(ctx, a.dopo(wmC))
	if err != nil {
		return nil, err
	}
	var righe []store.RigaAssenza
	lastA, err := a.db.ScanAssenze(ctx, a.dopo(wmA), 0, func(r store.RigaAssenza) { righe = append(righe, r) })
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	cambi := Cambi{}
	before := a.versione
	for _, c := range cons {
		a.wmC = max(a.wmC, c.ID)
		a.applicaConsistenza(c, cambi)
	}
	for _, r := range righe {
		if i, ok := a.indice[r.Plesso]; ok {
			a.applicaRiga(nuovaRiga(i, r), cambi)
		}
	}
	a.wmA = max(a.wmA, lastA)
	if a.versione != before {
		a.versione++
	}
	if !a.tutti {
		if a.pendenti == nil {
			a.pendenti = Cambi{}
		}
		for k, d := range cambi {
			a.pendenti.segna(k, d)
		}
	}
	return cambi, nil
}

// PrendiCambi returns the changes accumulated since its last call, by any
// refresh, and forgets them; tutti is true when everything must be
// considered changed (a rebuild, or the first load). Only the detection
// engine calls it.
func (a *Archivio) PrendiCambi() (c Cambi, tutti bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, tutti = a.pendenti, a.tutti || a.plessi == nil
	a.pendenti, a.tutti = nil, false
	return c, tutti
}

// Nome returns a plesso's name.
func (a *Archivio) Nome(codice string) string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if i, ok := a.indice[codice]; ok {
		return a.plessi[i].nome
	}
	return ""
}

// Primo returns the first day with a report, zero when there is none.
func (a *Archivio) Primo() time.Time {
	a.mu.RLock()
	defer a.mu.RUnlock()
	first := int32(-1)
	for d := range a.giorni {
		if first < 0 || d < first {
			first = d
		}
	}
	if first < 0 {
		return time.Time{}
	}
	return dayTime(first)
}

func (a *Archivio) dopo(wm int64) int64 {
	if a.db.Dialect() == store.Postgres {
		return max(0, wm-slackPostgres)
	}
	return wm
}

// ricostruisci loads everything into a fresh state and swaps it in.
func (a *Archivio) ricostruisci(ctx context.Context, firma string) error {
	anagrafe, err := a.db.Plessi(ctx, store.PlessoFilter{})
	if err != nil {
		return err
	}
	n := &Archivio{db: a.db, firma: firma, indice: make(map[string]int, len(anagrafe)),
		serie: map[string]*somme{}, giorni: map[int32][]int{}}
	get := func(nome string) *somme {
		s, ok := n.serie[nome]
		if !ok {
			s = &somme{nome: nome}
			n.serie[nome] = s
		}
		return s
	}
	for _, p := range anagrafe {
		x := &plesso{codice: p.Codice, nome: p.Nome, inPopolazione: p.Attivo && p.Grado.InScope(), strato: serie.Strato{Provincia: p.Provincia, Distretto: p.Distretto,
			Grado: string(p.Grado), Comune: p.CodiceCatastale, Istituto: p.Istituto}}
		x.serie = append(x.serie, get(Territorio))
		for _, k := range [][2]string{{"provincia", x.strato.Provincia}, {"distretto", x.strato.Distretto}, {"grado", x.strato.Grado}} {
			if k[1] != "" {
				x.serie = append(x.serie, get(k[0]+":"+k[1]))
			}
		}
		for _, s := range x.serie {
			x.gemelle = append(x.gemelle, get(PrefissoSentinella+s.nome))
		}
		// Illness-specific series for the territory, provinces and grades:
		// a district's few sentinels give too few pupils absent for one
		// reason to make a series of their own.
		for _, b := range x.serie {
			if strings.HasPrefix(b.nome, "distretto:") {
				continue
			}
			x.febbre = append(x.febbre, get(PrefissoFebbre+b.nome))
			x.gastro = append(x.gastro, get(PrefissoGastro+b.nome))
		}
		n.indice[p.Codice] = len(n.plessi)
		n.plessi = append(n.plessi, x)
	}
	// The absences are read while the rest loads; they are applied once
	// the enrolments (their denominators) are in.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	letture, err := n.leggi(ctx)
	if err != nil {
		return err
	}
	sent, err := a.db.SentinelleTutte(ctx)
	if err != nil {
		return err
	}
	for _, s := range sent {
		if i, ok := n.indice[s.Plesso]; ok {
			p := n.plessi[i]
			if p.sentinella == nil {
				p.sentinella = map[ps.AnnoScolastico]bool{}
			}
			p.sentinella[s.Anno] = true
		}
	}
	cons, err := a.db.IscrittiDopo(ctx, 0)
	if err != nil {
		return err
	}
	for _, c := range cons {
		n.wmC = max(n.wmC, c.ID)
		if i, ok := n.indice[c.Plesso]; ok {
			n.plessi[i].revs = append(n.plessi[i].revs, c)
		}
	}
	mim, err := a.db.TuttiStudentiMIM(ctx)
	if err != nil {
		return err
	}
	n.rilasci = map[ps.AnnoScolastico]bool{}
	for _, m := range mim {
		if i, ok := n.indice[m.Plesso]; ok {
			p := n.plessi[i]
			if p.mim == nil {
				p.mim = map[ps.AnnoScolastico]int{}
			}
			p.mim[m.Anno] = m.Studenti
		}
		n.rilasci[m.Anno] = true
	}
	if n.wmA, err = n.applica(letture); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.firma, a.wmA, a.wmC = n.firma, n.wmA, n.wmC
	a.plessi, a.indice, a.serie, a.giorni, a.rilasci = n.plessi, n.indice, n.serie, n.giorni, n.rilasci
	a.versione++
	return nil
}

func dayNum(t time.Time) int32 { return int32(t.Unix() / 86400) }

func dayTime(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// conta adds (sign 1) or removes (sign -1) one plesso day from its series.
func (p *plesso) conta(g giorno, sign int64) {
	if !g.conta() {
		return
	}
	for _, s := range p.serie {
		s.add(g.d, sign*int64(g.assenti), sign*int64(g.iscritti), int32(sign))
	}
	if p.sentinella[ps.AnnoDi(dayTime(g.d))] {
		for _, s := range p.gemelle {
			s.add(g.d, sign*int64(g.assenti), sign*int64(g.iscritti), int32(sign))
		}
	}
	if g.febbre >= 0 {
		for _, s := range p.febbre {
			s.add(g.d, sign*int64(g.febbre), sign*int64(g.iscritti), int32(sign))
		}
	}
	if g.gastro >= 0 {
		for _, s := range p.gastro {
			s.add(g.d, sign*int64(g.gastro), sign*int64(g.iscritti), int32(sign))
		}
	}
}

func (p *plesso) segna(c Cambi, d int32) {
	if c == nil {
		return
	}
	t := dayTime(d)
	for _, s := range p.serie {
		c.segna(s.nome, t)
	}
	for _, s := range p.febbre {
		c.segna(s.nome, t)
	}
	for _, s := range p.gastro {
		c.segna(s.nome, t)
	}
	c.segna(PrefissoPlesso+p.codice, t)
}

func (p *plesso) iscritti(d time.Time) int32 {
	if c := store.InVigore(p.revs, d); c != nil {
		return int32(c.Iscritti)
	}
	return 0
}

// riga is a revision with its plesso's index: no pointers, so that the
// million rows buffered during a rebuild cost the collector nothing.
type riga struct {
	plesso                                    int32
	d, rev, assenti, malattia, febbre, gastro int32
}

func nuovaRiga(i int, r store.RigaAssenza) riga {
	return riga{plesso: int32(i), d: r.Giorno, rev: r.Revisione, assenti: r.Assenti, malattia: r.Malattia, febbre: r.Febbre, gastro: r.Gastro}
}

// lettori is how many queries read the absences in parallel on a
// rebuild: reading rows through the driver is most of a national load,
// and one more reader than cores keeps them busy while the sums are made.
var lettori = max(2, runtime.GOMAXPROCS(0))

// letture are the parallel reads of the absences of a rebuild.
type letture struct {
	canali []chan []riga
	esiti  []lettura
	wg     sync.WaitGroup
}

type lettura struct {
	last int64
	err  error
}

// leggi starts reading every revision for a fresh Archivio (its plessi
// already in place; cancel ctx to stop). The ids are split in ranges read
// in parallel; applica applies the ranges in order, the first while it is
// read and the later ones from their buffers, so each plesso's days still
// arrive almost in order (appended, not inserted). The result does not
// depend on the order anyway: a revision replaces a day only when it is
// later.
func (a *Archivio) leggi(ctx context.Context) (*letture, error) {
	top, err := a.db.MassimoIDAssenze(ctx)
	if err != nil {
		return nil, err
	}
	const lotto = 4096
	k := int64(lettori)
	passo := top/k + 1
	l := &letture{canali: make([]chan []riga, k), esiti: make([]lettura, k)}
	for j := range k {
		// Buffered for the whole range: a reader never waits for the
		// applier, which drains the earlier ranges first.
		l.canali[j] = make(chan []riga, int(passo/lotto)+2)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer close(l.canali[j])
			if top == 0 {
				return
			}
			buf := make([]riga, 0, lotto)
			last, err := a.db.ScanAssenze(ctx, j*passo, min((j+1)*passo, top), func(r store.RigaAssenza) {
				i, ok := a.indice[r.Plesso]
				if !ok {
					return
				}
				buf = append(buf, nuovaRiga(i, r))
				if len(buf) == lotto {
					l.canali[j] <- buf
					buf = make([]riga, 0, lotto)
				}
			})
			if len(buf) > 0 {
				l.canali[j] <- buf
			}
			l.esiti[j] = lettura{last, err}
		}()
	}
	return l, nil
}

// applica applies what leggi reads and returns the largest id read.
func (a *Archivio) applica(l *letture) (int64, error) {
	for _, ch := range l.canali {
		for b := range ch {
			for _, r := range b {
				a.applicaRiga(r, nil)
			}
		}
	}
	l.wg.Wait()
	var last int64
	for _, e := range l.esiti {
		if e.err != nil {
			return 0, e.err
		}
		last = max(last, e.last)
	}
	return last, nil
}

// applicaRiga applies one revision unless a later one is already there.
func (a *Archivio) applicaRiga(r riga, c Cambi) {
	i := int(r.plesso)
	p := a.plessi[i]
	g := giorno{d: r.d, rev: r.rev, valida: r.assenti >= 0,
		assenti: max(r.assenti, 0), malattia: r.malattia, febbre: r.febbre, gastro: r.gastro}
	if g.valida {
		g.iscritti = p.iscritti(dayTime(g.d))
	}
	j, found := len(p.giorni), false
	if j == 0 || p.giorni[j-1].d >= g.d {
		// Not after the last day (rare: a late report): search.
		j, found = slices.BinarySearchFunc(p.giorni, g.d, func(x giorno, d int32) int { return int(x.d - d) })
	}
	if found {
		if p.giorni[j].rev >= g.rev {
			return // already applied (a re-read) or older
		}
		p.conta(p.giorni[j], -1)
		p.giorni[j] = g
	} else {
		p.giorni = slices.Insert(p.giorni, j, g)
		a.giorni[g.d] = append(a.giorni[g.d], i)
	}
	p.conta(g, 1)
	p.segna(c, g.d)
	a.versione++
}

// applicaConsistenza adds an enrolment revision and re-counts the days
// whose denominator it changes.
func (a *Archivio) applicaConsistenza(rev ps.Consistenza, c Cambi) {
	i, ok := a.indice[rev.Plesso]
	if !ok {
		return
	}
	p := a.plessi[i]
	for _, old := range p.revs {
		if old.ID == rev.ID {
			return // re-read
		}
	}
	p.revs = append(p.revs, rev)
	for j, g := range p.giorni {
		if !g.valida {
			continue
		}
		t := dayTime(g.d)
		if ps.AnnoDi(t) != rev.Anno {
			continue
		}
		if n := p.iscritti(t); n != g.iscritti {
			p.conta(g, -1)
			p.giorni[j].iscritti = n
			p.conta(p.giorni[j], 1)
			p.segna(c, g.d)
		}
	}
	a.versione++
}

// Versione changes whenever the content changes: caches key on it.
func (a *Archivio) Versione() int64 {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.versione
}

// Nomi lists the watched aggregate series that have at least one report:
// the territory, then provinces, districts and grades, each group sorted,
// then the fever/respiratory and the gastrointestinal series of each but
// the districts. A series made of the same reporting plessi as one before
// it (a province with one district, a grade that is the whole network) is
// the same series: it is left out, so it is watched, drawn and alerted once.
func (a *Archivio) Nomi() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var base []string
	for nome, s := range a.serie {
		if b, _ := Base(nome); b == nome && nome != Territorio && !s.vuota() && !strings.HasPrefix(nome, PrefissoSentinella) {
			base = append(base, nome)
		}
	}
	order := map[string]int{"provincia": 1, "distretto": 2, "grado": 3}
	sort.Slice(base, func(i, j int) bool {
		pi, _, _ := strings.Cut(base[i], ":")
		pj, _, _ := strings.Cut(base[j], ":")
		if order[pi] != order[pj] {
			return order[pi] < order[pj]
		}
		return base[i] < base[j]
	})
	if s, ok := a.serie[Territorio]; ok && !s.vuota() {
		base = append([]string{Territorio}, base...)
	}
	doppie := a.doppie()
	var out []string
	for _, n := range base {
		if doppie[n] == "" {
			out = append(out, n)
		}
	}
	kept := len(out)
	for _, pre := range []string{PrefissoFebbre, PrefissoGastro} {
		for _, n := range out[:kept] {
			if s, ok := a.serie[pre+n]; ok && !s.vuota() {
				out = append(out, pre+n)
			}
		}
	}
	return out
}

// Uguale returns the watched series that a left-out one is identical to
// ("" when nome is watched itself or unknown).
func (a *Archivio) Uguale(nome string) string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	b, motivo := Base(nome)
	u := a.doppie()[b]
	if u != "" && motivo != "" {
		u = motivo + "/" + u
	}
	return u
}

// doppie maps every aggregate whose reporting plessi are exactly those of
// an earlier one (territory, provinces, districts, grades in this order) to
// that one. Cached until the content changes. Called under mu (read).
func (a *Archivio) doppie() map[string]string {
	a.dmu.Lock()
	defer a.dmu.Unlock()
	if a.doppieV == a.versione && a.doppieM != nil {
		return a.doppieM
	}
	members := map[*somme][]int{}
	for i, p := range a.plessi {
		if !slices.ContainsFunc(p.giorni, giorno.conta) {
			continue
		}
		for _, s := range p.serie {
			members[s] = append(members[s], i)
		}
	}
	var names []string
	for s := range members {
		names = append(names, s.nome)
	}
	rank := func(n string) int {
		k, _, _ := strings.Cut(n, ":")
		return map[string]int{Territorio: 0, "provincia": 1, "distretto": 2, "grado": 3}[k]
	}
	sort.Slice(names, func(i, j int) bool {
		if rank(names[i]) != rank(names[j]) {
			return rank(names[i]) < rank(names[j])
		}
		return names[i] < names[j]
	})
	seen := map[string]string{}
	out := map[string]string{}
	for _, n := range names {
		m := members[a.serie[n]]
		var b strings.Builder
		for _, i := range m {
			b.WriteString(strconv.Itoa(i))
			b.WriteByte(',')
		}
		k := b.String()
		if first, ok := seen[k]; ok {
			out[n] = first
			continue
		}
		seen[k] = n
	}
	a.doppieM, a.doppieV = out, a.versione
	return out
}

// Genitore returns the series a watched one belongs to, for showing alerts
// together: a district's province, a province's or grade's territory, an
// illness series' all-cause series, a plesso's district (or province);
// "" for the territory.
func (a *Archivio) Genitore(nome string) string {
	if b, motivo := Base(nome); motivo != "" {
		return b
	}
	k, v, _ := strings.Cut(nome, ":")
	switch k {
	case "provincia", "grado":
		return Territorio
	case "distretto", "plesso":
		a.mu.RLock()
		defer a.mu.RUnlock()
		plessi := a.plessi
		if i, ok := a.indice[v]; ok && k == "plesso" {
			plessi = a.plessi[i : i+1]
		}
		for _, p := range plessi {
			if (k == "distretto" && p.strato.Distretto == v) || (k == "plesso" && p.codice == v) {
				if k == "plesso" && p.strato.Distretto != "" {
					return "distretto:" + p.strato.Distretto
				}
				if p.strato.Provincia != "" {
					return "provincia:" + p.strato.Provincia
				}
				return Territorio
			}
		}
		return Territorio
	}
	return ""
}

// Rete is the sentinel network behind an aggregate in a school year: its
// sentinel plessi and their pupils.
type Rete struct{ Plessi, Iscritti int }

// Reti returns the network of every aggregate (illness series share their
// base's) for a school year, given its sentinel plessi; a plesso's pupils
// are its latest figures for the year.
func (a *Archivio) Reti(anno ps.AnnoScolastico, sentinelle []string) map[string]Rete {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := map[string]Rete{}
	for _, c := range sentinelle {
		i, ok := a.indice[c]
		if !ok {
			continue
		}
		p := a.plessi[i]
		n, rev := 0, -1
		for _, r := range p.revs {
			if r.Anno == anno && r.Revisione > rev {
				n, rev = r.Iscritti, r.Revisione
			}
		}
		for _, s := range p.serie {
			r := out[s.nome]
			r.Plessi++
			r.Iscritti += n
			out[s.nome] = r
		}
	}
	return out
}

func (s *somme) vuota() bool {
	for _, p := range s.punti {
		if p.plessi > 0 {
			return false
		}
	}
	return true
}

// Plessi lists the codici of the plessi with at least one counted day.
func (a *Archivio) Plessi() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var out []string
	for _, p := range a.plessi {
		for _, g := range p.giorni {
			if g.conta() {
				out = append(out, p.codice)
				break
			}
		}
	}
	return out
}

// Punti returns a series' daily points in [from, to], days with at least
// one report only: an aggregate by name, or a plesso's own series
// (PrefissoPlesso + codice). Unknown names give nil.
func (a *Archivio) Punti(nome string, from, to time.Time) []serie.Punto {
	a.mu.RLock()
	defer a.mu.RUnlock()
	lo, hi := dayNum(from), dayNum(to)
	if codice, ok := strings.CutPrefix(nome, PrefissoPlesso); ok {
		i, ok := a.indice[codice]
		if !ok {
			return nil
		}
		var out []serie.Punto
		for _, g := range a.plessi[i].giorni {
			if g.d >= lo && g.d <= hi && g.conta() {
				out = append(out, serie.Punto{Giorno: dayTime(g.d), Assenti: int(g.assenti), Iscritti: int(g.iscritti), Plessi: 1})
			}
		}
		return out
	}
	s, ok := a.serie[nome]
	if !ok {
		return nil
	}
	out := make([]serie.Punto, 0, max(0, min(int(hi-lo)+1, len(s.punti)))*5/7)
	for d := max(lo, s.inizio); d <= hi && int(d-s.inizio) < len(s.punti); d++ {
		if p := s.punti[d-s.inizio]; p.plessi > 0 {
			out = append(out, serie.Punto{Giorno: dayTime(d), Assenti: int(p.assenti), Iscritti: int(p.iscritti), Plessi: int(p.plessi)})
		}
	}
	return out
}

// Giorno returns the observations of one day that count in a series (an
// aggregate name, or "" for all), sorted by plesso: the contributions to
// a signal, the map and the post-stratified estimate of a day.
func (a *Archivio) Giorno(nome string, d time.Time) []serie.Osservazione {
	a.mu.RLock()
	defer a.mu.RUnlock()
	dn := dayNum(d)
	var want *somme
	if nome != "" {
		b, _ := Base(nome)
		want = a.serie[b]
		if want == nil {
			return nil
		}
	}
	_, motivo := Base(nome)
	var out []serie.Osservazione
	for _, i := range a.giorni[dn] {
		p := a.plessi[i]
		if want != nil && !slices.Contains(p.serie, want) &&
			!(slices.Contains(p.gemelle, want) && p.sentinella[ps.AnnoDi(d)]) {
			continue
		}
		if o, ok := p.osservazione(dn); ok {
			if motivo != "" {
				// The illness series counts that reason's absences only.
				j, _ := slices.BinarySearchFunc(p.giorni, dn, func(x giorno, d int32) int { return int(x.d - d) })
				n := p.giorni[j].febbre
				if motivo+"/" == PrefissoGastro {
					n = p.giorni[j].gastro
				}
				if n < 0 {
					continue
				}
				o.Assenti = int(n)
			}
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Plesso < out[j].Plesso })
	return out
}

func (p *plesso) osservazione(d int32) (serie.Osservazione, bool) {
	j, found := slices.BinarySearchFunc(p.giorni, d, func(x giorno, d int32) int { return int(x.d - d) })
	if !found || !p.giorni[j].conta() {
		return serie.Osservazione{}, false
	}
	g := p.giorni[j]
	return serie.Osservazione{Plesso: p.codice, Giorno: dayTime(d), Assenti: int(g.assenti), Iscritti: int(g.iscritti),
		Malattia: int(g.malattia), Febbre: int(g.febbre), Gastro: int(g.gastro), Strato: p.strato}, true
}

// Osservazioni returns every counted plesso day in [from, to], sorted by
// day then plesso: the same rows as store.Osservazioni, from memory.
func (a *Archivio) Osservazioni(from, to time.Time) []serie.Osservazione {
	a.mu.RLock()
	defer a.mu.RUnlock()
	lo, hi := dayNum(from), dayNum(to)
	days := make([]int32, 0)
	for d := range a.giorni {
		if d >= lo && d <= hi {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	var out []serie.Osservazione
	for _, d := range days {
		start := len(out)
		for _, i := range a.giorni[d] {
			if o, ok := a.plessi[i].osservazione(d); ok {
				out = append(out, o)
			}
		}
		day := out[start:]
		sort.Slice(day, func(i, j int) bool { return day[i].Plesso < day[j].Plesso })
	}
	return out
}

// Popolazione returns the territory's pupils per stratum for a school year,
// with the rule of store.Popolazione (every active in-scope plesso's latest
// figures for the year, else its count in the latest ministry release not
// after the year), from memory.
func (a *Archivio) Popolazione(anno ps.AnnoScolastico) serie.Popolazione {
	a.mu.RLock()
	defer a.mu.RUnlock()
	rilascio, ok := ps.AnnoScolastico(0), false
	for r := range a.rilasci {
		if r <= anno && (!ok || r > rilascio) {
			rilascio, ok = r, true
		}
	}
	pop := serie.Popolazione{}
	for _, p := range a.plessi {
		if !p.inPopolazione {
			continue
		}
		n, rev := 0, -1
		for _, c := range p.revs {
			if c.Anno == anno && c.Revisione > rev {
				n, rev = c.Iscritti, c.Revisione
			}
		}
		if rev < 0 && ok {
			n = p.mim[rilascio]
		}
		pop[serie.StratoDi(serie.Strato{Provincia: p.strato.Provincia, Grado: p.strato.Grado})] += n
	}
	return pop
}
