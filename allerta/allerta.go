// Package allerta runs the detectors on the portal's series and turns alarms
// into signals (alerts) with their context; it also writes the e-mails
// for new alerts and the daily digest.
package allerta

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/detect"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
)

// Metodo is what the portal runs on every series: the evaluated default.
const Metodo = "default"

// Monitorata is one series the portal watches.
type Monitorata struct {
	Nome  string // "territorio", "provincia:CR", ...
	Punti []serie.Punto
	// Gemella is the sentinel-only twin of the series (nil: none), by
	// day: where it differs, wider reporting (emergency mode) was counted.
	Gemella []serie.Punto
}

// Monitorate builds the watched daily series, Monday to Friday: the
// territory and each province, district and grade.
func Monitorate(obs []serie.Osservazione) []Monitorata {
	var out []Monitorata
	add := func(prefix string, key serie.Per) {
		by := serie.Giornaliera(obs, key)
		names := make([]string, 0, len(by))
		for k := range by {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			name := prefix
			if prefix != "territorio" {
				if k == "" {
					continue
				}
				name = prefix + ":" + k
			}
			out = append(out, Monitorata{Nome: name, Punti: serie.Feriali(by[k])})
		}
	}
	add("territorio", serie.Territorio)
	add("provincia", serie.Provincia)
	add("distretto", serie.Distretto)
	add("grado", serie.Grado)
	return out
}

// Standard turns a series of counts with a changing number of reporting
// plessi into one the detectors can read: each day's rate times the
// series' median denominator. Returns the series and that reference.
func Standard(p []serie.Punto) (detect.Series, float64) {
	return StandardSu(p, Riferimento(p, nil, nil))
}

// Riferimento returns the denominator a series is standardised to: the
// median of its denominators on the days on which its base (the all-cause
// aggregate; nil: the series itself) equals its sentinel-only twin, i.e.
// the days counted on the sentinel network alone. An emergency, however
// long, then does not move it: the wider network's days are read as rates
// on the sentinels' scale, comparable with the years before. Without a
// twin, or when no day qualifies, every day counts (outside emergency mode
// the two are the same).
func Riferimento(p, base, gemella []serie.Punto) float64 {
	if base == nil {
		base = p
	}
	den := make([]float64, 0, len(p))
	if gemella != nil {
		// All sorted by day: one merge.
		j, k := 0, 0
		for _, x := range p {
			for j < len(base) && base[j].Giorno.Before(x.Giorno) {
				j++
			}
			for k < len(gemella) && gemella[k].Giorno.Before(x.Giorno) {
				k++
			}
			if j < len(base) && k < len(gemella) && base[j].Giorno.Equal(x.Giorno) && gemella[k].Giorno.Equal(x.Giorno) &&
				base[j].Iscritti == gemella[k].Iscritti && base[j].Plessi == gemella[k].Plessi {
				den = append(den, float64(x.Iscritti))
			}
		}
	}
	if len(den) == 0 {
		for _, x := range p {
			den = append(den, float64(x.Iscritti))
		}
	}
	sort.Float64s(den)
	if n := len(den); n > 0 {
		return den[n/2]
	}
	return 0
}

// StandardSu is Standard on a given reference denominator.
func StandardSu(p []serie.Punto, ref float64) (detect.Series, float64) {
	s := detect.Series{Dates: make([]time.Time, len(p)), Counts: make([]float64, len(p)), Denominators: make([]float64, len(p))}
	for i, x := range p {
		s.Dates[i] = x.Giorno
		s.Counts[i] = x.Tasso() * ref
		s.Denominators[i] = ref
	}
	return s, ref
}

// applica runs a method on points standardised to their median
// denominator (Standard), which it also returns to turn results into rates.
func applica(metodo string, punti, gemella []serie.Punto, params detect.Params) (detect.Result, float64, error) {
	run, ok := detect.Lookup(metodo)
	if !ok {
		return detect.Result{}, 0, fmt.Errorf("metodo %q sconosciuto", metodo)
	}
	s, ref := StandardSu(punti, Riferimento(punti, nil, gemella))
	res, err := run(s, params)
	return res, ref, err
}

// Rileva runs a method on one series and returns a signal for every alarm
// day (context filled except completeness and coverage, which need the
// network's size). contributi, when not nil, gives the plessi behind an
// alarm day.
func Rileva(m Monitorata, metodo string, params detect.Params, contributi func(d time.Time, atteso float64) []ps.Contributo) ([]ps.Segnale, error) {
	if len(m.Punti) == 0 {
		return nil, nil
	}
	res, ref, err := applica(metodo, m.Punti, m.Gemella, params)
	if err != nil {
		return nil, err
	}
	pj, _ := json.Marshal(params)
	var out []ps.Segnale
	for i := range m.Punti {
		if !res.Valid[i] || !res.Alarm[i] || ref == 0 {
			continue
		}
		g := ps.Segnale{Serie: m.Nome, Giorno: m.Punti[i].Giorno, Osservato: m.Punti[i].Tasso(),
			Atteso: finite(res.Expected[i] / ref), Soglia: finite(res.UpperBound[i] / ref), Metodo: metodo, Parametri: string(pj),
			Plessi: m.Punti[i].Plessi}
		if contributi != nil {
			g.Contributi = contributi(g.Giorno, g.Atteso)
		}
		out = append(out, g)
	}
	return out, nil
}

func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// Contributi lists the five plessi with the largest excess over the
// expected rate on the day: where the signal comes from.
func Contributi(obs []serie.Osservazione, atteso float64, nome func(string) string) []ps.Contributo {
	var out []ps.Contributo
	for _, o := range obs {
		exp := atteso * float64(o.Iscritti)
		if ex := float64(o.Assenti) - exp; ex > 0 {
			out = append(out, ps.Contributo{Plesso: o.Plesso, Nome: nome(o.Plesso), Assenti: o.Assenti, Attesi: math.Round(exp*10) / 10, Eccesso: math.Round(ex*10) / 10})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Eccesso > out[j].Eccesso })
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

// Esito says what a detection run did.
type Esito struct {
	Serie  int          // series examined
	Nuovi  []ps.Segnale // episodes opened
	Estesi []ps.Segnale // stored episodes that grew
	// Anomalie counts the data anomalies found (stored once each).
	Anomalie int
	Email    int
	Durata   time.Duration
	// Tutto is true for a full run (first run, or the register changed),
	// false for an incremental one.
	Tutto bool
	// Phases: refreshing the aggregates, computing, storing.
	Aggiornamento, Calcolo, Salvataggio time.Duration
}

// Esegui runs a full detection once, on a fresh in-memory archive: for
// commands and tests. The server keeps one Motore, whose runs after the
// first are incremental.
func Esegui(ctx context.Context, db *store.DB, a ps.Actor, now time.Time) (Esito, error) {
	return NuovoMotore(db, nil).Esegui(ctx, a, now)
}

func destinatari(st store.Settings) []string {
	var out []string
	for _, s := range strings.Split(st.EmailAllerte, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Pct formats a share as an Italian percentage: 0.0345 → "3,5%".
func Pct(x float64) string {
	return strings.Replace(fmt.Sprintf("%.1f%%", 100*x), ".", ",", 1)
}

// titoliLivello name the levels of the hierarchy in the e-mails.
var titoliLivello = map[string]string{ps.LivelloTerritorio: "Intero territorio", ps.LivelloProvincia: "Province", ps.LivelloDistretto: "Distretti",
	ps.LivelloGrado: "Gradi scolastici", ps.LivelloMotivo: "Febbre e disturbi gastrointestinali", ps.LivelloPlesso: "Singoli plessi"}

// Riepilogo queues the daily digest of open alerts (once a day, dedupe key
// on the date) to the ATS list; nothing when no alert is open.
func Riepilogo(ctx context.Context, db *store.DB, now time.Time, loc *time.Location) (int, error) {
	st, err := db.Settings(ctx)
	if err != nil {
		return 0, err
	}
	var open []ps.Segnale
	for _, stato := range []string{ps.StatoNuovo, ps.StatoValutazione} {
		s, err := db.Segnali(ctx, store.SegnaleFilter{Stato: stato, Limit: 200})
		if err != nil {
			return 0, err
		}
		open = append(open, s...)
	}
	if len(open) == 0 || len(destinatari(st)) == 0 {
		return 0, nil
	}
	date := now.In(loc).Format("02/01/2006")
	conta, err := db.CountSegnaliPerLivello(ctx)
	if err != nil {
		return 0, err
	}
	var nuove, valut int
	for _, c := range conta {
		nuove, valut = nuove+c[ps.StatoNuovo], valut+c[ps.StatoValutazione]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Allerte aperte al %s: %d (%d %s, %d in valutazione), come nell'elenco Allerte del portale.\n", date, nuove+valut,
		nuove, map[bool]string{true: "nuova", false: "nuove"}[nuove == 1], valut)
	nomi := nominatoreDistretti(ctx, db)
	// By level, territory first: the widest series are read first.
	for _, liv := range ps.LivelliSerie {
		n := conta[liv][ps.StatoNuovo] + conta[liv][ps.StatoValutazione]
		if n == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s: %d\n", titoliLivello[liv], n)
		for _, g := range open {
			if ps.LivelloSerie(g.Serie) != liv {
				continue
			}
			fmt.Fprintf(&b, "- [%s] %s, %s: picco %s (atteso %s) – %s/ats/allerte/%d\n", g.Stato, nomi.Nome(g.Serie), Periodo(g),
				Pct(g.Osservato), Pct(g.Atteso), st.URLPortale, g.ID)
		}
	}
	fmt.Fprintf(&b, "\n%s\n", st.NomeATS)
	var msgs []store.OutboxMessage
	for _, to := range destinatari(st) {
		msgs = append(msgs, store.OutboxMessage{Kind: "allerta.riepilogo", To: to,
			Subject: fmt.Sprintf("Portale Scuole – riepilogo allerte del %s", date), Body: b.String(),
			DedupeKey: "allerta.riepilogo:" + now.In(loc).Format("2006-01-02") + ":" + to})
	}
	return db.Enqueue(ctx, ps.SystemActor, msgs)
}

// Trova returns the watched series with the given name.
func Trova(series []Monitorata, nome string) (Monitorata, bool) {
	for _, m := range series {
		if m.Nome == nome {
			return m, true
		}
	}
	return Monitorata{}, false
}
