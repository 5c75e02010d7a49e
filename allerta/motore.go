package allerta

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	"github.com/portalescuole/portalescuole/metrics"
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
	// soglia is the completeness thresholds of the last run: a change in
	// the settings makes the next run examine everything again.
	soglia string

	// sogliaMu guards the networks last computed (soglie), reused while
	// the aggregates, the sentinels and the thresholds are the same: every
	// dashboard chart asks for them.
	sogliaMu     sync.Mutex
	sogliaChiave string
	sogliaUltime *soglie
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
	Serie int
	// Segnali are alert episodes: consecutive alarm days of a series (see
	// Pausa) with the context of their peak day.
	Segnali  []ps.Segnale
	Anomalie []ps.Anomalia
	Completa bool
}

// Pausa is how many evaluated days without alarm an episode bridges: a
// series that alarms on Monday and again on Thursday is one episode, not two.
const Pausa = 2

// PausaSettimane is the same for weekly series.
const PausaSettimane = 1

// Escalation is how much the peak rate must rise above the one last
// e-mailed (one percentage point of absence) for the episode to be
// announced again: a rise worth a new look, not every new day.
const Escalation = 0.01

// Esegui refreshes the aggregates, runs detection where something changed
// up to now, merges the episodes into the stored ones, stores the data
// anomalies, and e-mails each new episode on an aggregate active in the
// last seven days and each escalation (per-plesso episodes and older ones
// wait for the daily digest).
func (m *Motore) Esegui(ctx context.Context, a ps.Actor, now time.Time) (Esito, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	start := time.Now()
	if _, err := m.arch.Aggiorna(ctx); err != nil {
		return Esito{}, err
	}
	t1 := time.Now()
	cambi, tutti := m.arch.PrendiCambi()
	st, err := m.db.Settings(ctx)
	if err != nil {
		return Esito{}, err
	}
	q, mp := st.Completezza()
	soglia := fmt.Sprint(q, mp)
	if !m.pronto || soglia != m.soglia {
		tutti = true
	}
	m.soglia = soglia
	oggi := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	calc, err := m.Calcola(ctx, cambi, tutti, oggi)
	if err != nil {
		m.pronto = false
		return Esito{}, err
	}
	t2 := time.Now()
	ep, err := m.db.SaveEpisodi(ctx, a, calc.Segnali)
	if err == nil {
		_, err = m.db.AddAnomalie(ctx, a, calc.Anomalie)
	}
	if err != nil {
		m.pronto = false // the next run starts again from everything
		return Esito{}, err
	}
	m.pronto = true
	es := Esito{Serie: calc.Serie, Nuovi: ep.Nuovi, Estesi: ep.Estesi, Anomalie: len(calc.Anomalie), Tutto: tutti,
		Aggiornamento: t1.Sub(start), Calcolo: t2.Sub(t1), Salvataggio: time.Since(t2)}
	if es.Email, err = m.email(ctx, ep, oggi); err != nil {
		return es, err
	}
	es.Durata = time.Since(start)
	metrics.Rilevazioni.Inc()
	metrics.RilevazioneDurata.Observe(es.Durata.Seconds())
	metrics.Segnali.Add(float64(len(ep.Nuovi)))
	return es, nil
}

// email announces each new episode and each escalation (peak at least
// Escalation above the one last announced), never a day: one message per
// group of related episodes (a series and those it contains, overlapping
// in time), so that a wave seen on the territory, its provinces and grades
// is one e-mail listing them.
func (m *Motore) email(ctx context.Context, ep store.Episodi, oggi time.Time) (int, error) {
	st, err := m.db.Settings(ctx)
	if err != nil {
		return 0, err
	}
	recent := func(g ps.Segnale) bool {
		return oggi.Sub(g.Al) <= 7*24*time.Hour && !strings.HasPrefix(g.Serie, aggregati.PrefissoPlesso)
	}
	aumento := map[int64]bool{}
	var todo []ps.Segnale
	for _, g := range ep.Nuovi {
		if recent(g) {
			todo = append(todo, g)
		}
	}
	for _, g := range ep.Estesi {
		if recent(g) && g.Notificato > 0 && g.Osservato >= g.Notificato+Escalation {
			todo = append(todo, g)
			aumento[g.ID] = true
		}
	}
	// The conditional update decides who announces: a concurrent run that
	// already recorded this peak (or a higher one) wins.
	picchi := make(map[int64]float64, len(todo))
	for _, g := range todo {
		picchi[g.ID] = g.Osservato
	}
	ok, err := m.db.MarkNotificati(ctx, picchi)
	if err != nil {
		return 0, err
	}
	var mine []ps.Segnale
	for _, g := range todo {
		if ok[g.ID] {
			mine = append(mine, g)
		}
	}
	nomi := m.Nominatore(ctx)
	n := 0
	for _, gr := range Raggruppa(mine, m.arch.Genitore) {
		all := append([]ps.Segnale{gr.Capo}, gr.Figli...)
		keys := make([]string, len(all))
		for i, g := range all {
			keys[i] = fmt.Sprintf("%d@%d", g.ID, int(math.Round(g.Osservato*1000)))
		}
		sort.Strings(keys)
		// A national group can hold hundreds of episodes: the key is a hash
		// of their ids and peaks (an index entry has a size limit).
		sum := sha256.Sum256([]byte(strings.Join(keys, ",")))
		chiave := hex.EncodeToString(sum[:16])
		subj, body := testoEpisodi(st, all, aumento, nomi, func(g ps.Segnale) int { return m.AnniPrecedenti(g.Serie, ps.AnnoDi(g.Giorno)) })
		var msgs []store.OutboxMessage
		for _, to := range destinatari(st) {
			msgs = append(msgs, store.OutboxMessage{Kind: "allerta.nuova", To: to, Subject: subj, Body: body,
				DedupeKey: "allerta:" + chiave + ":" + to})
		}
		k, err := m.db.Enqueue(ctx, ps.SystemActor, msgs)
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}

// soglie are a run's completeness thresholds and sentinel networks.
type soglie struct {
	quota  float64
	minimo int
	reti   map[ps.AnnoScolastico]map[string]aggregati.Rete
}

func (m *Motore) soglie(ctx context.Context, primo, oggi time.Time) (*soglie, error) {
	st, err := m.db.Settings(ctx)
	if err != nil {
		return nil, err
	}
	firma, err := m.db.FirmaSentinelle(ctx)
	if err != nil {
		return nil, err
	}
	q, min := st.Completezza()
	chiave := fmt.Sprintf("%d|%s|%s|%s|%v|%d", m.arch.Versione(), primo.Format(time.DateOnly), oggi.Format(time.DateOnly), firma, q, min)
	m.sogliaMu.Lock()
	if m.sogliaChiave == chiave {
		s := m.sogliaUltime
		m.sogliaMu.Unlock()
		return s, nil
	}
	m.sogliaMu.Unlock()
	s, err := m.calcolaSoglie(ctx, primo, oggi, q, min)
	if err != nil {
		return nil, err
	}
	m.sogliaMu.Lock()
	m.sogliaChiave, m.sogliaUltime = chiave, s
	m.sogliaMu.Unlock()
	return s, nil
}

// calcolaSoglie reads the sentinel networks of the school years from
// primo to oggi.
func (m *Motore) calcolaSoglie(ctx context.Context, primo, oggi time.Time, q float64, min int) (*soglie, error) {
	s := &soglie{quota: q, minimo: min, reti: map[ps.AnnoScolastico]map[string]aggregati.Rete{}}
	if primo.IsZero() {
		return s, nil
	}
	for anno := ps.AnnoDi(primo); anno <= ps.AnnoDi(oggi); anno++ {
		sent, err := m.db.Sentinelle(ctx, anno)
		if err != nil {
			return nil, err
		}
		s.reti[anno] = m.arch.Reti(anno, sent)
	}
	return s, nil
}

// rete returns the sentinel network of a series on a day (an illness
// series and a sentinel-only twin have their aggregate's network).
func (s *soglie) rete(nome string, d time.Time) aggregati.Rete {
	b, _ := aggregati.Base(strings.TrimPrefix(nome, aggregati.PrefissoSentinella))
	return s.reti[ps.AnnoDi(d)][b]
}

// completo says whether an aggregate's day rests on enough of its network
// to enter detection: at least the minimum number of plessi (never fewer
// than two: one plesso alone is watched by its own series, and capped at
// the network's size) and the set share of its sentinel pupils.
func (s *soglie) completo(nome string, p serie.Punto) (bool, float64) {
	if strings.HasPrefix(nome, aggregati.PrefissoPlesso) {
		return true, 1
	}
	r := s.rete(nome, p.Giorno)
	need := s.minimo
	if r.Plessi > 0 {
		need = min(need, r.Plessi)
	}
	need = max(need, 2)
	quota := 1.0
	if r.Iscritti > 0 {
		quota = float64(p.Iscritti) / float64(r.Iscritti)
	}
	return p.Plessi >= need && (r.Iscritti == 0 || quota >= s.quota), quota
}

// Calcola computes the episodes and anomalies of the changed series (all
// when tutti) up to oggi, without storing them. The series are shared
// among the CPUs.
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
		watched := make(map[string]bool, len(aggregatiNomi))
		for _, n := range aggregatiNomi {
			watched[n] = true
		}
		for n, d := range cambi {
			if watched[n] || strings.HasPrefix(n, aggregati.PrefissoPlesso) {
				lavori = append(lavori, lavoro{nome: n, dal: d})
			}
		}
		sort.Slice(lavori, func(i, j int) bool { return lavori[i].nome < lavori[j].nome })
	}
	calc := Calcolo{Serie: len(lavori), Completa: tutti}
	if len(lavori) == 0 {
		return calc, nil
	}
	primo := m.arch.Primo()
	sg, err := m.soglie(ctx, primo, oggi)
	if err != nil {
		return calc, err
	}
	workers := runtime.GOMAXPROCS(0)
	out := make([]Calcolo, workers)
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
				ep, an, err := m.esamina(l, primo, oggi, sg)
				if err != nil {
					errs[w] = fmt.Errorf("serie %s: %w", l.nome, err)
					continue
				}
				out[w].Segnali = append(out[w].Segnali, ep...)
				out[w].Anomalie = append(out[w].Anomalie, an...)
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
		calc.Segnali = append(calc.Segnali, out[w].Segnali...)
		calc.Anomalie = append(calc.Anomalie, out[w].Anomalie...)
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
	sort.Slice(calc.Anomalie, func(i, j int) bool {
		a, b := calc.Anomalie[i], calc.Anomalie[j]
		if !a.Giorno.Equal(b.Giorno) {
			return a.Giorno.Before(b.Giorno)
		}
		return a.Serie < b.Serie
	})
	return calc, nil
}

// Valutazione is a series evaluated by the portal's method over its whole
// history: every reported day, the provisional ones (not yet complete
// enough) shown but left out of the method.
type Valutazione struct {
	Punti       []serie.Punto
	Provvisorio []bool
	Quota       []float64 // share of the network's sentinel pupils behind the day
	Expected    []float64 // rates; NaN where not evaluated
	Upper       []float64 // upper end of the day's 95% prediction interval (rate)
	// Evidenza is the accumulated evidence of a rise and SogliaEv the
	// value it alarms above (NaN where the method has none).
	Evidenza, SogliaEv []float64
	Alarm              []bool
	Anomaly            []bool
	Parametri          string
	// parziale: days before the wanted school year may be unevaluated.
	parziale bool
}

// valuta runs the daily method on a series from primo to oggi, past school
// years included (the method uses them, and is causal: a day's result uses
// only the days up to it).
func (m *Motore) valuta(nome string, primo, oggi time.Time, sg *soglie) (Valutazione, error) {
	return m.valutaDa(nome, primo, oggi, time.Time{}, time.Time{}, sg)
}

// valutaDa is valuta with the detector run only on the days from da on
// (all when da is zero); earlier days are returned, not evaluated. The
// default model restarts every school year from a profile fitted on the two
// before it (detect.TestScuola_ThreeYearsSuffice), so a school year's
// results need only it and those two. When serve is not zero only the
// results from serve's school year on are wanted: the method may leave the
// earlier days unevaluated (detect.Series.Dal).
func (m *Motore) valutaDa(nome string, primo, oggi, da, serve time.Time, sg *soglie) (Valutazione, error) {
	v := Valutazione{Punti: serie.Feriali(m.arch.Punti(nome, primo, oggi))}
	n := len(v.Punti)
	// Sized once: a national run evaluates thousands of five-year series.
	eval, idx := make([]serie.Punto, 0, n), make([]int, 0, n)
	v.Provvisorio, v.Quota = make([]bool, n), make([]float64, n)
	for i, p := range v.Punti {
		ok, q := sg.completo(nome, p)
		v.Provvisorio[i], v.Quota[i] = !ok, q
		if ok && !p.Giorno.Before(da) {
			eval = append(eval, p)
			idx = append(idx, i)
		}
	}
	v.Expected, v.Upper = make([]float64, n), make([]float64, n)
	v.Evidenza, v.SogliaEv = make([]float64, n), make([]float64, n)
	v.Alarm, v.Anomaly = make([]bool, n), make([]bool, n)
	for i := range n {
		v.Expected[i], v.Upper[i] = math.NaN(), math.NaN()
		v.Evidenza[i], v.SogliaEv[i] = math.NaN(), math.NaN()
	}
	if len(eval) == 0 {
		return v, nil
	}
	run, ok := detect.Lookup(Metodo)
	if !ok {
		return v, fmt.Errorf("metodo %q sconosciuto", Metodo)
	}
	s, ref := StandardSu(eval, m.riferimento(nome, eval, primo, oggi))
	if !serve.IsZero() {
		s.Dal = sort.Search(len(eval), func(j int) bool { return !eval[j].Giorno.Before(serve) })
		v.parziale = s.Dal > 0
	}
	params := detect.Params(nil)
	if strings.HasPrefix(nome, aggregati.PrefissoPlesso) {
		params = ParametriPlesso
	}
	res, err := run(s, params)
	if err != nil && params != nil {
		// The method chosen as default may not take the stricter alpha.
		params = nil
		res, err = run(s, nil)
	}
	if err != nil {
		return v, err
	}
	pj, _ := json.Marshal(params)
	v.Parametri = string(pj)
	if params == nil {
		v.Parametri = "{}"
	}
	if ref == 0 {
		return v, nil
	}
	for j, i := range idx {
		if !res.Valid[j] {
			continue
		}
		v.Expected[i], v.Upper[i] = res.Expected[j]/ref, res.UpperBound[j]/ref
		if res.Threshold != nil {
			v.Evidenza[i], v.SogliaEv[i] = res.Statistic[j], res.Threshold[j]
		}
		anom := res.Anomaly != nil && res.Anomaly[j]
		v.Anomaly[i] = anom
		v.Alarm[i] = res.Alarm[j] && !anom
	}
	return v, nil
}

// saltaAnni lets the method skip the school years before the one wanted
// (false only in the test that compares both paths).
var saltaAnni = true

// riferimento is the denominator an aggregate's evaluated days are
// standardised to (Riferimento): from the days its sentinel twin equals
// its all-cause base, so that emergency mode's wider network does not move
// it. A plesso's own series has no twin.
func (m *Motore) riferimento(nome string, eval []serie.Punto, primo, oggi time.Time) float64 {
	if strings.HasPrefix(nome, aggregati.PrefissoPlesso) || len(eval) == 0 {
		return Riferimento(eval, nil, nil)
	}
	b, _ := aggregati.Base(nome)
	from := eval[0].Giorno
	var base []serie.Punto
	if b != nome {
		base = m.arch.Punti(b, from, oggi)
	}
	return Riferimento(eval, base, m.arch.Punti(aggregati.PrefissoSentinella+b, from, oggi))
}

// allarmeIniziale says whether one of the first pausa+1 evaluated days of
// v alarms: such a day could extend an episode of the days before them.
func allarmeIniziale(v Valutazione, pausa int) bool {
	k := 0
	for i := range v.Punti {
		if v.Provvisorio[i] || math.IsNaN(v.Expected[i]) {
			continue
		}
		if v.Alarm[i] {
			return true
		}
		if k++; k > pausa {
			return false
		}
	}
	return false
}

// Episodi groups a series' alarm days into episodes: an alarm day within
// Pausa evaluated days of the previous one extends its episode. The values
// kept are the peak day's (highest rate).
func Episodi(nome string, v Valutazione, pausa int) []ps.Segnale {
	var out []ps.Segnale
	var cur *ps.Segnale
	quiet := 0
	for i, p := range v.Punti {
		if v.Provvisorio[i] || math.IsNaN(v.Expected[i]) {
			continue
		}
		if !v.Alarm[i] {
			quiet++
			if cur != nil && quiet > pausa {
				out = append(out, *cur)
				cur = nil
			}
			continue
		}
		quiet = 0
		if cur == nil {
			cur = &ps.Segnale{Serie: nome, Giorno: p.Giorno, Metodo: Metodo, Parametri: v.Parametri, Osservato: -1}
		}
		// The highest evidence of the episode (none for a weekly method).
		if v.SogliaEv != nil && v.SogliaEv[i] > 0 && (cur.SogliaEvidenza == 0 || v.Evidenza[i] > cur.Evidenza) {
			cur.Evidenza, cur.SogliaEvidenza = v.Evidenza[i], v.SogliaEv[i]
		}
		cur.Al = p.Giorno
		cur.Giorni++
		if r := p.Tasso(); r > cur.Osservato {
			cur.Picco, cur.Osservato, cur.Atteso, cur.Soglia = p.Giorno, r, finite(v.Expected[i]), finite(v.Upper[i])
			cur.Plessi, cur.Iscritti, cur.Copertura = p.Plessi, p.Iscritti, v.Quota[i]
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// esamina evaluates one series over its history and keeps the episodes
// that reach l.dal (every one when l.dal is zero) and the anomalies from
// l.dal on; aggregates also get Farrington on their weekly sums of
// complete days.
func (m *Motore) esamina(l lavoro, primo, oggi time.Time, sg *soglie) ([]ps.Segnale, []ps.Anomalia, error) {
	dal := l.dal
	if dal.IsZero() {
		dal = primo
	}
	if dal.IsZero() || dal.After(oggi) {
		return nil, nil, nil
	}
	plesso := strings.HasPrefix(l.nome, aggregati.PrefissoPlesso)
	// Daily detection looks at the school year of the first change (a full
	// run: the current and the previous school year), each with the two
	// school years its baseline comes from; older alarms would be history,
	// not warnings, and cost most of a national run.
	daily := dal
	if l.dal.IsZero() {
		daily = (ps.AnnoDi(oggi) - 1).Inizio()
	}
	// Only daily's school year on is wanted, the two before it being
	// baseline; but an episode can run from the end of one school year into
	// the next (Pausa counts evaluated days, and summer has none), so when
	// the first evaluated days alarm, the year before is evaluated too.
	da := (ps.AnnoDi(daily) - 2).Inizio()
	serve := daily
	if !saltaAnni {
		serve = time.Time{}
	}
	v, err := m.valutaDa(l.nome, primo, oggi, da, serve, sg)
	if err == nil && v.parziale && allarmeIniziale(v, Pausa) {
		v, err = m.valutaDa(l.nome, primo, oggi, da, time.Time{}, sg)
	}
	if err != nil {
		return nil, nil, err
	}
	var out []ps.Segnale
	for _, g := range Episodi(l.nome, v, Pausa) {
		if !g.Al.Before(daily) {
			out = append(out, g)
		}
	}
	var an []ps.Anomalia
	for i, p := range v.Punti {
		if v.Anomaly[i] && !p.Giorno.Before(daily) {
			an = append(an, ps.Anomalia{Serie: l.nome, Giorno: p.Giorno, Osservato: p.Tasso(), Atteso: finite(v.Expected[i]),
				Metodo: Metodo, Plessi: p.Plessi})
		}
	}
	if !plesso {
		var complete []serie.Punto
		for i, p := range v.Punti {
			if !v.Provvisorio[i] {
				complete = append(complete, p)
			}
		}
		sett, err := Settimanali(Monitorata{Nome: l.nome, Punti: complete}, serie.Lunedi(dal), l.dal.IsZero())
		if err != nil {
			return nil, nil, err
		}
		out = append(out, sett...)
	}
	for i := range out {
		g := &out[i]
		r := sg.rete(l.nome, g.Picco)
		switch {
		case plesso:
			g.Completezza, g.Copertura = 1, 1
		case r.Plessi > 0:
			g.Completezza = math.Min(1, float64(g.Plessi)/float64(r.Plessi))
			g.Copertura = math.Min(1, float64(g.Iscritti)/float64(max(1, r.Iscritti)))
		}
		if !plesso {
			g.Contributi = Contributi(m.arch.Giorno(l.nome, g.Picco), g.Atteso, m.arch.Nome)
		}
	}
	return out, an, nil
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
	v := Valutazione{Parametri: parametriSettimanali()}
	for i := range full {
		if !present[i] {
			continue
		}
		v.Punti = append(v.Punti, full[i])
		v.Provvisorio = append(v.Provvisorio, false)
		v.Quota = append(v.Quota, 0)
		e, u := math.NaN(), math.NaN()
		if res.Valid[i] && ref > 0 {
			e, u = res.Expected[i]/ref, res.UpperBound[i]/ref
		}
		v.Expected, v.Upper = append(v.Expected, e), append(v.Upper, u)
		v.Alarm = append(v.Alarm, res.Valid[i] && res.Alarm[i])
	}
	var out []ps.Segnale
	for _, g := range Episodi(m.Nome, v, PausaSettimane) {
		if g.Al.Before(dal) {
			continue
		}
		g.Metodo = MetodoSettimanale
		g.Copertura = 0
		out = append(out, g)
	}
	return out, nil
}
