// Package pubblico builds the public weekly table of absences (open data,
// the public page and bulletin) from the sentinel observations, and applies
// its disclosure control. It is pure: observations and population in, a
// table out.
//
// The table has one cell per ISO week × area (the territory or a province)
// × grade (all grades, or one of the 6–19 grades), with the territory and
// "tutti" as margins. Counts are additive, so the margins are exact sums of
// their parts across areas and across grades: that is what an attacker
// would subtract, and what riservatezza.Proteggi is given as relations.
// Rates and intervals are published only where the count is, and a
// suppressed cell has all its figures empty.
package pubblico

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/riservatezza"
	"github.com/portalescuole/portalescuole/serie"
)

// Names of the margins.
const (
	Territorio = "territorio"
	Tutti      = "tutti"
)

// Livello is how far the ATS lets the public table go.
type Livello string

const (
	SoloTerritorio Livello = "territorio" // the territory, all grades
	Province       Livello = "province"   // + each province, all grades
	Gradi          Livello = "gradi"      // + each grade, crossed with the areas
)

// Regole are the ATS's choices for the public figures.
type Regole struct {
	Livello   Livello
	MinPlessi int // a figure resting on fewer reporting plessi is suppressed
	MinAlunni int // a figure resting on fewer pupils is suppressed
}

// gradi are the grades of the public table, in display order: the 6–19
// surveillance only (infanzia and others are not in the territory's rate).
var gradi = []string{string(ps.Primaria), string(ps.Secondaria1), string(ps.Secondaria2)}

// Cella is one row of the open data.
type Cella struct {
	Lunedi    time.Time
	Settimana string // ISO week, "2026-W47"
	Area      string // Territorio or a province sigla
	Grado     string // Tutti or a grade
	// Plessi reporting at least one school day of the week; Alunni their
	// pupils (each plesso's largest enrolment in force that week); Assenti
	// the absent pupil-days of the week (the sum over its school days);
	// GiorniAlunno the pupil-days (enrolled × days reported).
	Plessi, Alunni, Assenti, GiorniAlunno int
	// Tasso is the post-stratified (province × grade) estimate of the share
	// of pupil-days absent, with its 95% interval; for a single province
	// and grade it is Assenti / GiorniAlunno.
	Tasso, IcInf, IcSup float64
	// Soppressa: every figure of the cell is withheld; Primaria says it is
	// by the rules themselves rather than to protect another cell.
	Soppressa, Primaria bool
}

// Tabella is the public table: every week's cells, oldest week first, and
// within a week the territory then provinces, "tutti" then grades.
type Tabella struct {
	Celle []Cella
	// Ultimo is the last school day with data in the table.
	Ultimo time.Time
}

// Settimana formats the ISO week of d as "YYYY-Www".
func Settimana(d time.Time) string {
	y, w := d.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// settimanaPlesso is one plesso's week.
type settimanaPlesso struct {
	plesso           string
	provincia, grado string
	assenti, giorni  int // absent pupil-days, pupil-days
	alunni           int // largest enrolment of the week
}

// Popolazione gives the territory's pupils per stratum ("CR|primaria", the
// key of serie.StratoDi) for the school year of a day.
type Popolazione func(anno ps.AnnoScolastico) serie.Popolazione

// Costruisci builds the table from the observations of complete ISO weeks
// (the caller passes observations up to the Sunday before today), school
// days Monday to Friday only, and protects it.
func Costruisci(obs []serie.Osservazione, pop Popolazione, r Regole) Tabella {
	return CostruisciMemo(obs, pop, r, nil)
}

// Memo keeps each week's protected cells with a fingerprint of what they
// were built from, so that a rebuild protects again only the weeks whose
// data changed (usually the last one or two): a national week takes tens
// of milliseconds. Safe for concurrent use; the zero value is ready.
type Memo struct {
	mu sync.Mutex
	m  map[int64]memoSettimana
}

type memoSettimana struct {
	firma uint64
	celle []Cella
}

// CostruisciMemo is Costruisci reusing the weeks memo already holds
// unchanged (memo may be nil).
func CostruisciMemo(obs []serie.Osservazione, pop Popolazione, r Regole, memo *Memo) Tabella {
	type chiave struct {
		lunedi int64
		plesso string
	}
	acc := map[chiave]*settimanaPlesso{}
	giorni := map[int64]map[int64]bool{} // week → days with a report
	var t Tabella
	for _, o := range obs {
		if wd := o.Giorno.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue // a few six-day plessi only: the weekly figures are Monday–Friday
		}
		if !slices.Contains(gradi, o.Strato.Grado) || o.Strato.Provincia == "" || o.Iscritti <= 0 {
			continue
		}
		w := serie.Lunedi(o.Giorno).Unix()
		k := chiave{w, o.Plesso}
		p, ok := acc[k]
		if !ok {
			p = &settimanaPlesso{plesso: o.Plesso, provincia: o.Strato.Provincia, grado: o.Strato.Grado}
			acc[k] = p
		}
		p.assenti += o.Assenti
		p.giorni += o.Iscritti
		p.alunni = max(p.alunni, o.Iscritti)
		if giorni[w] == nil {
			giorni[w] = map[int64]bool{}
		}
		giorni[w][o.Giorno.Unix()] = true
		if o.Giorno.After(t.Ultimo) {
			t.Ultimo = o.Giorno
		}
	}
	byWeek := map[int64][]*settimanaPlesso{}
	for k, p := range acc {
		byWeek[k.lunedi] = append(byWeek[k.lunedi], p)
	}
	weeks := make([]int64, 0, len(byWeek))
	for w := range byWeek {
		weeks = append(weeks, w)
	}
	slices.Sort(weeks)
	for _, w := range weeks {
		week := byWeek[w]
		sort.Slice(week, func(i, j int) bool { return week[i].plesso < week[j].plesso })
		monday := time.Unix(w, 0).UTC()
		var p serie.Popolazione
		if pop != nil {
			p = pop(ps.AnnoDi(monday))
		}
		f := firma(week, p, len(giorni[w]), r)
		if memo != nil {
			memo.mu.Lock()
			m, ok := memo.m[w]
			memo.mu.Unlock()
			if ok && m.firma == f {
				t.Celle = append(t.Celle, m.celle...)
				continue
			}
		}
		celle := settimana(monday, week, p, len(giorni[w]), r)
		if memo != nil {
			memo.mu.Lock()
			if memo.m == nil {
				memo.m = map[int64]memoSettimana{}
			}
			memo.m[w] = memoSettimana{f, celle}
			memo.mu.Unlock()
		}
		t.Celle = append(t.Celle, celle...)
	}
	return t
}

// firma fingerprints the inputs of one week (its plessi sorted by code).
func firma(week []*settimanaPlesso, pop serie.Popolazione, ngiorni int, r Regole) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%d|%d|%d\n", r.Livello, r.MinPlessi, r.MinAlunni, ngiorni)
	for _, p := range week {
		fmt.Fprintf(h, "%s|%s|%s|%d|%d|%d|%d\n", p.plesso, p.provincia, p.grado, p.assenti, p.giorni, p.alunni, pop[p.provincia+"|"+p.grado])
	}
	return h.Sum64()
}

// settimana builds and protects one week's cells.
func settimana(monday time.Time, plessi []*settimanaPlesso, pop serie.Popolazione, ngiorni int, r Regole) []Cella {
	var province []string
	for _, p := range plessi {
		if !slices.Contains(province, p.provincia) {
			province = append(province, p.provincia)
		}
	}
	sort.Strings(province)
	// The whole crossing is built and protected whatever the level, and a
	// lower level publishes a subset of it: so a level changed later (or
	// files downloaded at two levels) never publishes a complement of the
	// other and gives a suppressed cell back.
	aree := append([]string{Territorio}, province...)
	gg := append([]string{Tutti}, gradi...)
	// Population in pupil-days of each stratum: its pupils times the
	// week's school days; a stratum the population lacks (no figures
	// anywhere) takes the pupils of its reporting plessi.
	popGiorni := serie.Popolazione{}
	osservati := serie.Popolazione{}
	for _, p := range plessi {
		osservati[p.provincia+"|"+p.grado] += p.alunni
	}
	for k, n := range osservati {
		popGiorni[k] = max(pop[k], n) * max(1, ngiorni)
	}

	var celle []Cella
	for _, a := range aree {
		for _, g := range gg {
			c := Cella{Lunedi: monday, Settimana: Settimana(monday), Area: a, Grado: g}
			var in []serie.Osservazione
			for _, p := range plessi {
				if (a != Territorio && p.provincia != a) || (g != Tutti && p.grado != g) {
					continue
				}
				c.Plessi++
				c.Alunni += p.alunni
				c.Assenti += p.assenti
				c.GiorniAlunno += p.giorni
				in = append(in, serie.Osservazione{Plesso: p.plesso, Giorno: monday, Assenti: p.assenti, Iscritti: p.giorni,
					Strato: serie.Strato{Provincia: p.provincia, Grado: p.grado}})
			}
			c.Tasso, c.IcInf, c.IcSup = math.NaN(), math.NaN(), math.NaN()
			if len(in) > 0 {
				sub := serie.Popolazione{}
				for _, o := range in {
					k := serie.StratoDi(o.Strato)
					sub[k] = popGiorni[k]
				}
				if st := serie.PostStratificata(in, sub, nil); len(st) == 1 {
					c.Tasso, c.IcInf, c.IcSup = st[0].Tasso, st[0].Basso, st[0].Alto
				}
			}
			// A cell with no reporting plesso has no row: everyone knows
			// it is zero, so it is neither published nor suppressed, and
			// never chosen as a complement.
			if c.Plessi > 0 {
				celle = append(celle, c)
			}
		}
	}
	proteggi(celle, r)
	out := celle[:0]
	for _, c := range celle {
		if (c.Area == Territorio || r.Livello == Province || r.Livello == Gradi) && (c.Grado == Tutti || r.Livello == Gradi) {
			out = append(out, c)
		}
	}
	return out
}

// proteggi marks the suppressed cells of one week: primary ones by the
// rules (absent counts 1–3, too few plessi or pupils), then complements so
// that no relation of the table (an area total as the sum of its
// provinces, a "tutti" as the sum of its grades, in every row and column
// of the crossing) gives a suppressed count back, alone or combined.
func proteggi(celle []Cella, r Regole) {
	t := TabellaDi(celle, r)
	rr := riservatezza.Regole{Minimo: 4, BaseMinima: 1}
	e := riservatezza.ProteggiEsito(t, rr)
	for i, x := range e.Soppressi {
		if x {
			celle[i].Soppressa = true
			celle[i].Primaria = e.Minore[i]
		}
	}
}

// TabellaDi describes a week's cells to riservatezza: values are the absent
// counts, Base is 0 for a cell below the plessi or pupils minimum (so it is
// primary) and 1 otherwise, and the relations are every margin of the
// crossing area × grade (Relazioni).
func TabellaDi(celle []Cella, r Regole) riservatezza.Tabella {
	t := riservatezza.Tabella{Valori: make([]int, len(celle)), Base: make([]int, len(celle)), Vincoli: Relazioni(celle)}
	for i, c := range celle {
		t.Valori[i] = c.Assenti
		if c.Plessi >= r.MinPlessi && c.Alunni >= r.MinAlunni {
			t.Base[i] = 1
		}
	}
	return t
}

// Relazioni returns the additive relations between one week's rows, as
// published: the margins an attacker would subtract. A part without a row
// (no plessi) is a known zero and simply left out.
func Relazioni(celle []Cella) []riservatezza.Vincolo {
	idx := map[[2]string]int{}
	var aree, gg []string
	for i, c := range celle {
		idx[[2]string{c.Area, c.Grado}] = i
		if !slices.Contains(aree, c.Area) {
			aree = append(aree, c.Area)
		}
		if !slices.Contains(gg, c.Grado) {
			gg = append(gg, c.Grado)
		}
	}
	var out []riservatezza.Vincolo
	for _, g := range gg {
		tot, ok := idx[[2]string{Territorio, g}]
		if !ok {
			continue
		}
		v := riservatezza.Vincolo{Totale: tot}
		for _, a := range aree {
			if j, ok := idx[[2]string{a, g}]; ok && a != Territorio {
				v.Parti = append(v.Parti, j)
			}
		}
		if len(v.Parti) > 0 {
			out = append(out, v)
		}
	}
	for _, a := range aree {
		tot, ok := idx[[2]string{a, Tutti}]
		if !ok {
			continue
		}
		v := riservatezza.Vincolo{Totale: tot}
		for _, g := range gg {
			if j, ok := idx[[2]string{a, g}]; ok && g != Tutti {
				v.Parti = append(v.Parti, j)
			}
		}
		if len(v.Parti) > 0 {
			out = append(out, v)
		}
	}
	return out
}

// Settimane returns the table's weeks, oldest first.
func (t Tabella) Settimane() []time.Time {
	var out []time.Time
	for _, c := range t.Celle {
		if n := len(out); n == 0 || !out[n-1].Equal(c.Lunedi) {
			out = append(out, c.Lunedi)
		}
	}
	return out
}

// Cella returns the cell of a week, area and grade.
func (t Tabella) Cella(lunedi time.Time, area, grado string) (Cella, bool) {
	i := sort.Search(len(t.Celle), func(i int) bool { return !t.Celle[i].Lunedi.Before(lunedi) })
	for ; i < len(t.Celle) && t.Celle[i].Lunedi.Equal(lunedi); i++ {
		if c := t.Celle[i]; c.Area == area && c.Grado == grado {
			return c, true
		}
	}
	return Cella{}, false
}

// Settimana returns the cells of one week.
func (t Tabella) Settimana(lunedi time.Time) []Cella {
	var out []Cella
	for _, c := range t.Celle {
		if c.Lunedi.Equal(lunedi) {
			out = append(out, c)
		}
	}
	return out
}
