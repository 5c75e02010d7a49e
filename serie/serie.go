// Package serie builds absence time series from sentinel reports: per plesso
// and per aggregate (territory, province, district, grade, municipality,
// istituto), over school days only, with the enrolment denominator in force
// on each day; ISO-week aggregation; and the territorial estimate
// post-stratified on every plesso's enrolment. Pure functions on slices.
package serie

import (
	"math"
	"sort"
	"time"
)

// Osservazione is one plesso's report for one school day it was open.
// Closed days and days not reported are simply not observations: a
// holiday or a closure is absent from a series, never a zero.
type Osservazione struct {
	Plesso   string
	Giorno   time.Time
	Assenti  int
	Iscritti int // enrolment in force that day (the denominator)
	// Malattia is the illness absence when the plesso split by reason
	// (fever/respiratory + gastro + other illness), -1 when not given;
	// Febbre and Gastro are its fever/respiratory and gastrointestinal
	// parts (-1 when not given).
	Malattia, Febbre, Gastro int
	Strato                   Strato
}

// Strato is what a plesso is grouped by.
type Strato struct {
	Provincia, Distretto, Grado, Comune, Istituto string
}

// Punto is one time unit of a series.
type Punto struct {
	Giorno   time.Time // the day, or the Monday of an ISO week
	Assenti  int
	Iscritti int
	Plessi   int // plessi that reported
}

// Tasso is the absence rate of the point (0 when no denominator).
func (p Punto) Tasso() float64 {
	if p.Iscritti == 0 {
		return 0
	}
	return float64(p.Assenti) / float64(p.Iscritti)
}

// Per is a key function choosing the aggregate.
type Per func(Osservazione) string

// Aggregates by which the portal builds series.
var (
	Territorio Per = func(Osservazione) string { return "" }
	Provincia  Per = func(o Osservazione) string { return o.Strato.Provincia }
	Distretto  Per = func(o Osservazione) string { return o.Strato.Distretto }
	Grado      Per = func(o Osservazione) string { return o.Strato.Grado }
	Comune     Per = func(o Osservazione) string { return o.Strato.Comune }
	Istituto   Per = func(o Osservazione) string { return o.Strato.Istituto }
	Plesso     Per = func(o Osservazione) string { return o.Plesso }
)

// Giornaliera sums observations per key and day; each series is sorted by
// day and holds only days with at least one report.
func Giornaliera(obs []Osservazione, key Per) map[string][]Punto {
	type k struct {
		g string
		d int64
	}
	acc := map[k]*Punto{}
	for _, o := range obs {
		kk := k{key(o), o.Giorno.Unix()}
		p, ok := acc[kk]
		if !ok {
			p = &Punto{Giorno: o.Giorno}
			acc[kk] = p
		}
		p.Assenti += o.Assenti
		p.Iscritti += o.Iscritti
		p.Plessi++
	}
	out := map[string][]Punto{}
	for kk, p := range acc {
		out[kk.g] = append(out[kk.g], *p)
	}
	for g := range out {
		sort.Slice(out[g], func(i, j int) bool { return out[g][i].Giorno.Before(out[g][j].Giorno) })
	}
	return out
}

// Lunedi returns the Monday of d's ISO week.
func Lunedi(d time.Time) time.Time {
	wd := (int(d.Weekday()) + 6) % 7 // Monday = 0
	y, m, dd := d.AddDate(0, 0, -wd).Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// Settimanale sums a daily series by ISO week. Plessi is the largest
// number of plessi reporting on one day of the week.
func Settimanale(daily []Punto) []Punto {
	var out []Punto
	for _, p := range daily {
		w := Lunedi(p.Giorno)
		if n := len(out); n > 0 && out[n-1].Giorno.Equal(w) {
			out[n-1].Assenti += p.Assenti
			out[n-1].Iscritti += p.Iscritti
			out[n-1].Plessi = max(out[n-1].Plessi, p.Plessi)
			continue
		}
		out = append(out, Punto{Giorno: w, Assenti: p.Assenti, Iscritti: p.Iscritti, Plessi: p.Plessi})
	}
	return out
}

// Stima is a post-stratified estimate of the territory's absence rate for
// one day, with its 95% interval and the coverage it rests on.
type Stima struct {
	Giorno      time.Time
	Tasso       float64 // estimated share of pupils absent
	Basso, Alto float64 // 95% interval
	Plessi      int     // plessi reporting
	Copertura   float64 // share of the territory's pupils in reporting plessi
	StratiVuoti int     // strata with pupils but no report that day
	PesoCoperto float64 // population share of strata with at least one report
}

// Popolazione is the territory's pupils per stratum key (e.g. "CR|primaria"):
// every plesso's enrolment, sentinel or not.
type Popolazione map[string]int

// StratoDi is the default stratification: province × grade.
func StratoDi(s Strato) string { return s.Provincia + "|" + s.Grado }

// PostStratificata estimates the territory's daily rate. Within a stratum
// the rate is the ratio estimator Σa/Σn over its reporting plessi, with the
// cluster (plesso) variance of a ratio; strata are weighted by their share
// of the territory's pupils. Strata without any report that day are left
// out and the weights renormalised over those observed (PesoCoperto says how
// much of the territory that is). A stratum with a single reporting plesso
// has no within-stratum variance of its own: it borrows the pooled
// relative variance of all plessi that day (documented approximation).
func PostStratificata(obs []Osservazione, pop Popolazione, strato func(Strato) string) []Stima {
	if strato == nil {
		strato = StratoDi
	}
	total := 0
	for _, n := range pop {
		total += n
	}
	byDay := map[int64][]Osservazione{}
	for _, o := range obs {
		byDay[o.Giorno.Unix()] = append(byDay[o.Giorno.Unix()], o)
	}
	days := make([]int64, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	out := make([]Stima, 0, len(days))
	for _, d := range days {
		out = append(out, stimaGiorno(byDay[d], pop, total, strato))
	}
	return out
}

func stimaGiorno(obs []Osservazione, pop Popolazione, total int, strato func(Strato) string) Stima {
	s := Stima{Giorno: obs[0].Giorno, Plessi: len(obs)}
	groups := map[string][]Osservazione{}
	covered := 0
	for _, o := range obs {
		k := strato(o.Strato)
		groups[k] = append(groups[k], o)
		covered += o.Iscritti
	}
	if total > 0 {
		s.Copertura = float64(covered) / float64(total)
	}
	// Pooled ratio and relative variance for single-plesso strata.
	pa, pn := 0, 0
	for _, o := range obs {
		pa += o.Assenti
		pn += o.Iscritti
	}
	pooled := 0.0
	if pn > 0 {
		pooled = float64(pa) / float64(pn)
	}
	pooledVar := ratioVar(obs, pooled, 0)
	weightObserved := 0.0
	for k, n := range pop {
		if n <= 0 {
			continue
		}
		if _, ok := groups[k]; ok {
			weightObserved += float64(n)
		} else {
			s.StratiVuoti++
		}
	}
	if weightObserved == 0 {
		s.Tasso, s.Basso, s.Alto = math.NaN(), math.NaN(), math.NaN()
		return s
	}
	s.PesoCoperto = weightObserved / float64(total)
	est, variance := 0.0, 0.0
	for k, g := range groups {
		nh := pop[k]
		if nh <= 0 {
			continue // a stratum outside the population (e.g. no figures): ignored
		}
		w := float64(nh) / weightObserved
		a, n := 0, 0
		for _, o := range g {
			a += o.Assenti
			n += o.Iscritti
		}
		if n == 0 {
			continue
		}
		ph := float64(a) / float64(n)
		f := math.Min(1, float64(n)/float64(nh)) // sampling fraction, in pupils
		var vh float64
		if len(g) >= 2 {
			vh = ratioVar(g, ph, f)
		} else if pooled > 0 {
			// Borrow the pooled relative variance, scaled to one plesso.
			vh = pooledVar * float64(len(obs)) * (ph / pooled) * (ph / pooled) * (1 - f)
		}
		est += w * ph
		variance += w * w * vh
	}
	s.Tasso = est
	half := 1.959963984540054 * math.Sqrt(variance)
	s.Basso, s.Alto = math.Max(0, est-half), math.Min(1, est+half)
	return s
}

// ratioVar is the variance of a ratio estimator Σa/Σn over m clusters,
// with finite-population correction f: (1−f)/(m(m−1) n̄²) Σ(aᵢ − r nᵢ)².
func ratioVar(g []Osservazione, r, f float64) float64 {
	m := len(g)
	if m < 2 {
		return 0
	}
	sumN, ss := 0.0, 0.0
	for _, o := range g {
		sumN += float64(o.Iscritti)
		e := float64(o.Assenti) - r*float64(o.Iscritti)
		ss += e * e
	}
	nbar := sumN / float64(m)
	if nbar == 0 {
		return 0
	}
	return (1 - f) * ss / (float64(m) * float64(m-1) * nbar * nbar)
}

// Feriali drops Saturdays from a daily series. The territorial series the
// detectors watch runs Monday to Friday: on Saturdays only the few six-day
// plessi report, and their totals would read as a collapse in absences
// (docs/detection.md).
func Feriali(daily []Punto) []Punto {
	out := make([]Punto, 0, len(daily))
	for _, p := range daily {
		if p.Giorno.Weekday() != time.Saturday {
			out = append(out, p)
		}
	}
	return out
}
