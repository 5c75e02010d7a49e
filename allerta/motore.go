package allerta

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/aggregati"
	"github.com/portalescuole/portalescuole/detect"
	"github.com/portalescuole/portalescuole/metriche"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
)

// ParametriPlesso are the default method's parameters on a single plesso's
// series: a few hundred pupils make a noisy series, and a stricter
// threshold (alpha 0.001 instead of 0.01) keeps per-school alerts for clear
// excesses, a handful a year per plesso instead of a few a month.
var ParametriPlesso = detect.Params{"alpha": "0.001"}

// MetodoSettimanale runs on the weekly aggregates, across school years.
const MetodoSettimanale = "farrington"

// FarringtonSettimanale is Farrington's method on the weekly aggregates:
// three years of reference (five would leave a five-year history with
// nothing to evaluate), windows of ±3 weeks, alpha 0.01 as the daily
// method; the rest is farringtonFlexible's default.
func FarringtonSettimanale() detect.FarringtonParams {
	p := detect.FarringtonDefault()
	p.B, p.W, p.Alpha = 3, 3, 0.01
	return p
}

func parametriSettimanali() string {
	p := FarringtonSettimanale()
	b, _ := json.Marshal(map[string]string{"b": fmt.Sprint(p.B), "w": fmt.Sprint(p.W), "alpha": fmt.Sprint(p.Alpha)})
	return string(b)
}

// Motore runs detection on the in-memory aggregates (package aggregati):
//   - the default method on the daily series (Monday to Friday) of every
//     watched aggregate and of every plesso, one school year at a time:
//     each September starts a new baseline, as schools do;
//   - Farrington's method on the weekly series of every aggregate, across
//     school years (it needs years of reference).
//
// The first run of a Motore examines everything; later runs only the
// series that changed since, from the school year (daily) or week (weekly)
// of their earliest change: what one window of submissions touches. A
// signal is unique per series, day and method, so any rerun adds nothing.
type Motore struct {
	db   *store.DB
	arch *aggregati.Archivio

	mu     sync.Mutex // one run at a time
	pronto bool       // a full run completed and was stored
}

// NuovoMotore returns an engine on db reading arch (a new archive if nil).
func NuovoMotore(db *store.DB, arch *aggregati.Archivio) *Motore {
	if arch == nil {
		arch = aggregati.Nuovo(db)
	}
	return &Motore{db: db, arch: arch}
}

// Archivio returns the engine's in-memory aggregates (the dashboard reads
// the same ones).
func (m *Motore) Archivio() *aggregati.Archivio { return m.arch }

// lavoro is one series to examine, from a day on (zero: from the start).
type lavoro struct {
	nome string
	dal  time.Time
}

// Calcolo is what a detection computed, before storing.
type Calcolo struct {
	Serie    int
	Segnali  []ps.Segnale
	Completa bool
}

// Esegui refreshes the aggregates, runs detection where something changed
// up to now, stores the new signals and e-mails those of the last seven
// days on aggregates at once (per-plesso signals and older ones wait for
// the daily digest).
func (m *Motore) Esegui(ctx context.Context, a ps.Actor, now time.Time) (Esito, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	start := time.Now()
	if _, err := m.arch.Aggiorna(ctx); err != nil {
		return Esito{}, err
	}
	t1 := time.Now()
	cambi, tutti := m.arch.PrendiCambi()
	if !m.pronto {
		tutti = true
	}
	oggi := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	calc, err := m.Calcola(ctx, cambi, tutti, oggi)
	if err != nil {
		m.pronto = false
		return Esito{}, err
	}
	t2 := time.Now()
	added, err := m.db.AggiungiSegnali(ctx, a, calc.Segnali)
	if err != nil {
		m.pronto = false // the next run starts again from everything
		return Esito{}, err
	}
	m.pronto = true
	es := Esito{Serie: calc.Serie, Nuovi: added, Tutto: tutti,
		Aggiornamento: t1.Sub(start), Calcolo: t2.Sub(t1), Salvataggio: time.Since(t2)}
	if es.Email, err = m.email(ctx, added, oggi); err != nil {
		return es, err
	}
	es.Durata = time.Since(start)
	metriche.Rilevazioni.Inc()
	metriche.RilevazioneDurata.Observe(es.Durata.Seconds())
	metriche.Segnali.Add(float64(len(added)))
	return es, nil
}

func (m *Motore) email(ctx context.Context, added []ps.Segnale, oggi time.Time) (int, error) {
	st, err := m.db.Settings(ctx)
	if err != nil {
		return 0, err
	}
	var msgs []store.OutboxMessage
	for _, g := range added {
		if oggi.Sub(g.Giorno) > 7*24*time.Hour || strings.HasPrefix(g.Serie, aggregati.PrefissoPlesso) {
			continue
		}
		for _, to := range destinatari(st) {
			subj, body := testoSegnale(st, g)
			msgs = append(msgs, store.OutboxMessage{Kind: "allerta.nuova", To: to, Subject: subj, Body: body,
				DedupeKey: fmt.Sprintf("allerta.nuova:%d:%s", g.ID, to)})
		}
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	return m.db.Enqueue(ctx, ps.SystemActor, msgs)
}

// Calcola computes the signals of the changed series (all when tutti) up
// to oggi, without storing them. The series are shared among the CPUs.
func (m *Motore) Calcola(ctx context.Context, cambi aggregati.Cambi, tutti bool, oggi time.Time) (Calcolo, error) {
	var lavori []lavoro
	aggregatiNomi := m.arch.Nomi()
	if tutti {
		for _, n := range aggregatiNomi {
			lavori = append(lavori, lavoro{nome: n})
		}
		for _, c := range m.arch.Plessi() {
			lavori = append(lavori, lavoro{nome: aggregati.PrefissoPlesso + c})
		}
	} else {
		for n, d := range cambi {
			lavori = append(lavori, lavoro{nome: n, dal: d})
		}
		sort.Slice(lavori, func(i, j int) bool { return lavori[i].nome < lavori[j].nome })
	}
	calc := Calcolo{Serie: len(lavori), Completa: tutti}
	if len(lavori) == 0 {
		return calc, nil
	}
	ctxSegnali, err := m.contesto(ctx)
	if err != nil {
		return calc, err
	}
	primo := m.arch.Primo()
	workers := runtime.GOMAXPROCS(0)
	out := make([][]ps.Segnale, workers)
	errs := make([]error, workers)
	next := make(chan lavoro)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range next {
				if errs[w] != nil {
					continue
				}
				sig, err := m.esamina(l, primo, oggi)
				if err != nil {
					errs[w] = fmt.Errorf("serie %s: %w", l.nome, err)
					continue
				}
				out[w] = append(out[w], sig...)
			}
		}()
	}
	for _, l := range lavori {
		next <- l
	}
	close(next)
	wg.Wait()
	for w := range workers {
		if errs[w] != nil {
			return calc, errs[w]
		}
		calc.Segnali = append(calc.Segnali, out[w]...)
	}
	for i := range calc.Segnali {
		ctxSegnali.completa(&calc.Segnali[i], m.arch)
	}
	sort.Slice(calc.Segnali, func(i, j int) bool {
		a, b := calc.Segnali[i], calc.Segnali[j]
		if !a.Giorno.Equal(b.Giorno) {
			return a.Giorno.Before(b.Giorno)
		}
		if a.Serie != b.Serie {
			return a.Serie < b.Serie
		}
		return a.Metodo < b.Metodo
	})
	return calc, nil
}

// esamina runs the daily method on each school year of the series from the
// one of l.dal, and Farrington on the weekly aggregate; it keeps the
// signals from l.dal (or its week) on.
func (m *Motore) esamina(l lavoro, primo, oggi time.Time) ([]ps.Segnale, error) {
	dal := l.dal
	if dal.IsZero() {
		dal = primo
	}
	if dal.IsZero() || dal.After(oggi) {
		return nil, nil
	}
	plesso := strings.HasPrefix(l.nome, aggregati.PrefissoPlesso)
	params := detect.Params(nil)
	var contrib func(time.Time, float64) []ps.Contributo
	if plesso {
		params = ParametriPlesso
	} else {
		contrib = func(d time.Time, atteso float64) []ps.Contributo {
			return Contributi(m.arch.Giorno(l.nome, d), atteso, m.arch.Nome)
		}
	}
	var out []ps.Segnale
	for anno := ps.AnnoDi(dal); anno <= ps.AnnoDi(oggi); anno++ {
		to := (anno + 1).Inizio().AddDate(0, 0, -1)
		if to.After(oggi) {
			to = oggi
		}
		punti := serie.Feriali(m.arch.Punti(l.nome, anno.Inizio(), to))
		sig, err := Rileva(Monitorata{Nome: l.nome, Punti: punti}, Metodo, params, contrib)
		if err != nil {
			return nil, err
		}
		for _, g := range sig {
			if !g.Giorno.Before(dal) {
				out = append(out, g)
			}
		}
	}
	if plesso {
		return out, nil
	}
	sett, err := Settimanali(Monitorata{Nome: l.nome, Punti: serie.Feriali(m.arch.Punti(l.nome, primo, oggi))}, serie.Lunedi(dal), l.dal.IsZero())
	if err != nil {
		return nil, err
	}
	return append(out, sett...), nil
}

// Settimanali runs Farrington on the weekly sums of a daily series, weeks
// without school (summer, Christmas) left as missing, and returns a signal
// for every alarm week from dal's week on (every evaluable week when tutte).
// A signal's day is the Monday of its week.
func Settimanali(m Monitorata, dal time.Time, tutte bool) ([]ps.Segnale, error) {
	weeks := serie.Settimanale(m.Punti)
	if len(weeks) == 0 {
		return nil, nil
	}
	// Consecutive weeks, NaN where there was no school.
	var full []serie.Punto
	present := make([]bool, 0)
	for w, i := weeks[0].Giorno, 0; !w.After(weeks[len(weeks)-1].Giorno); w = w.AddDate(0, 0, 7) {
		if i < len(weeks) && weeks[i].Giorno.Equal(w) {
			full = append(full, weeks[i])
			present = append(present, true)
			i++
			continue
		}
		full = append(full, serie.Punto{Giorno: w})
		present = append(present, false)
	}
	s, ref := Standard(full)
	for i := range full {
		if !present[i] {
			s.Counts[i] = math.NaN()
		}
	}
	p := FarringtonSettimanale()
	if !tutte {
		p.Range = nil
		for i := range full {
			if !full[i].Giorno.Before(dal) {
				p.Range = append(p.Range, i)
			}
		}
		if len(p.Range) == 0 {
			return nil, nil
		}
	}
	res, err := detect.Farrington(s, p)
	if err != nil {
		return nil, err
	}
	var out []ps.Segnale
	pj := parametriSettimanali()
	for i := range full {
		if !present[i] || !res.Valid[i] || !res.Alarm[i] || ref == 0 || full[i].Giorno.Before(dal) {
			continue
		}
		out = append(out, ps.Segnale{Serie: m.Nome, Giorno: full[i].Giorno, Osservato: full[i].Tasso(),
			Atteso: finite(res.Expected[i] / ref), Soglia: finite(res.UpperBound[i] / ref),
			Metodo: MetodoSettimanale, Parametri: pj, Plessi: full[i].Plessi})
	}
	return out, nil
}

// contesto is what completeness and coverage are measured against: the
// sentinel plessi and the pupils of each school year.
type contesto struct {
	sentinelle map[ps.AnnoScolastico]int
	pop        map[ps.AnnoScolastico]int
}

func (m *Motore) contesto(ctx context.Context) (*contesto, error) {
	sent, err := m.db.SentinellePerAnno(ctx)
	if err != nil {
		return nil, err
	}
	return &contesto{sentinelle: sent, pop: map[ps.AnnoScolastico]int{}}, nil
}

// completa fills completeness (reporting plessi over sentinels) and
// coverage (pupils of reporting plessi over the territory's) of the day,
// or of the week's busiest day for a weekly signal.
func (c *contesto) completa(g *ps.Segnale, arch *aggregati.Archivio) {
	anno := ps.AnnoDi(g.Giorno)
	to := g.Giorno
	if g.Metodo == MetodoSettimanale {
		to = g.Giorno.AddDate(0, 0, 6)
	}
	var plessi, iscritti int
	for _, p := range arch.Punti(aggregati.Territorio, g.Giorno, to) {
		if p.Plessi > plessi {
			plessi, iscritti = p.Plessi, p.Iscritti
		}
	}
	if n := c.sentinelle[anno]; n > 0 {
		g.Completezza = math.Min(1, float64(plessi)/float64(n))
	}
	pop, ok := c.pop[anno]
	if !ok {
		for _, n := range arch.Popolazione(anno) {
			pop += n
		}
		c.pop[anno] = pop
	}
	if pop > 0 {
		g.Copertura = float64(iscritti) / float64(pop)
	}
}
