package allerta

import (
	"math"
	"slices"
	"sort"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/bollettino"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
)

// FontiSituazione are what the paragraph on a week is computed from; the
// dashboard and the bulletin fill them from their own reads.
type FontiSituazione struct {
	Lunedi time.Time
	// Territorio is the territory's series as evaluated, covering at
	// least the week and the one before.
	Territorio Traccia
	// Osservazioni are plesso days covering the week (any longer span is
	// fine); Sentinelle the sentinel plessi of its school year.
	Osservazioni []serie.Osservazione
	Sentinelle   map[string]bool
	// Segnali are the alert episodes active in the week.
	Segnali   []ps.Segnale
	Emergenze []store.Emergenza
	Nome      func(serie string) string
	// Conteggi: count the week's episodes by level in the paragraph.
	Conteggi bool
}

// Situazione computes what is happening in the week of f.Lunedi.
func Situazione(f FontiSituazione) bollettino.Situazione {
	lun := serie.Lunedi(f.Lunedi)
	s := bollettino.Situazione{Lunedi: lun, Tasso: math.NaN(), Atteso: math.NaN(), TassoPrec: math.NaN(), Febbre: math.NaN(), Nomi: map[string]string{}}
	nome := f.Nome
	if nome == nil {
		nome = func(x string) string { return x }
	}
	settimanaTerritorio(&s, f)
	allerteSettimana(&s, f, nome)
	motiviEmergenza(&s, f, nome)
	return s
}

// settimanaTerritorio fills the week's rate, expected rate, days and share
// of the network from the territory's trace.
func settimanaTerritorio(s *bollettino.Situazione, f FontiSituazione) {
	t, lun := f.Territorio, s.Lunedi
	// The share of the network behind a day counts its sentinel plessi
	// only: in emergency mode others report too, and would push it past
	// the network's pupils.
	sentIscr, tutti := map[time.Time]int{}, map[time.Time]int{}
	if f.Sentinelle != nil {
		for _, o := range f.Osservazioni {
			tutti[o.Giorno] += o.Iscritti
			if f.Sentinelle[o.Plesso] {
				sentIscr[o.Giorno] += o.Iscritti
			}
		}
	}
	quotaRete := func(i int) float64 {
		q := t.Quota[i]
		if n := tutti[t.Giorni[i]]; n > 0 {
			q *= float64(sentIscr[t.Giorni[i]]) / float64(n)
		}
		return q
	}
	settimana := func(from time.Time) (tasso, atteso, quota float64, giorni int) {
		var a, n, sumAtt, sumQ float64
		nAtt := 0
		for i, g := range t.Giorni {
			if g.Before(from) || g.After(from.AddDate(0, 0, 6)) || t.Provvisorio[i] || t.Iscritti[i] == 0 {
				continue
			}
			giorni++
			a += float64(t.Assenti[i])
			n += float64(t.Iscritti[i])
			sumQ += quotaRete(i)
			if !math.IsNaN(t.Atteso[i]) {
				sumAtt += t.Atteso[i]
				nAtt++
			}
		}
		tasso, atteso, quota = math.NaN(), math.NaN(), math.NaN()
		if giorni > 0 {
			tasso, quota = a/n, sumQ/float64(giorni)
		}
		if nAtt > 0 {
			atteso = sumAtt / float64(nAtt)
		}
		return
	}
	s.Tasso, s.Atteso, s.Quota, s.Giorni = settimana(lun)
	s.TassoPrec, _, _, _ = settimana(lun.AddDate(0, 0, -7))
	for i, g := range t.Giorni {
		if !g.Before(lun) && !g.After(lun.AddDate(0, 0, 6)) && t.Provvisorio[i] {
			s.Provvisori++
			s.QuotaProvvisori = quotaRete(i)
		}
	}
}

// allerteSettimana reads the alerts active in the week: the territory's,
// the other aggregates by level, and the counts by level and state.
func allerteSettimana(s *bollettino.Situazione, f FontiSituazione, nome func(string) string) {
	lun := s.Lunedi
	ven := lun.AddDate(0, 0, 4)
	conteggi := map[string]*bollettino.Conteggio{}
	condivisa := map[string][]string{}
	for _, g := range f.Segnali {
		if g.Giorno.After(ven) || g.Al.Before(lun) {
			continue // not active in the week
		}
		liv := ps.LivelloSerie(g.Serie)
		c := conteggi[liv]
		if c == nil {
			c = &bollettino.Conteggio{Livello: liv}
			conteggi[liv] = c
		}
		switch g.Stato {
		case ps.StatoNuovo:
			c.Nuove++
		case ps.StatoValutazione:
			c.Valutazione++
		default:
			c.Chiuse++
		}
		switch liv {
		case ps.LivelloTerritorio:
			if s.Territorio == nil || g.Al.After(s.Territorio.Al) {
				s.Territorio = &bollettino.Allerta{ID: g.ID, Data: g.Giorno, Al: g.Al, Picco: g.Picco, Serie: nome(g.Serie), Chiave: g.Serie,
					Osservato: g.Osservato, Atteso: g.Atteso, Soglia: g.Soglia, Evidenza: g.Evidenza, SogliaEvidenza: g.SogliaEvidenza, Metodo: g.Metodo, Stato: g.Stato}
			}
		case ps.LivelloProvincia, ps.LivelloDistretto, ps.LivelloGrado:
			if !slices.Contains(condivisa[liv], g.Serie) {
				condivisa[liv] = append(condivisa[liv], g.Serie)
				s.Nomi[g.Serie] = nome(g.Serie)
			}
		}
	}
	for _, liv := range []string{ps.LivelloProvincia, ps.LivelloDistretto, ps.LivelloGrado} {
		if len(condivisa[liv]) > 0 {
			sort.Slice(condivisa[liv], func(i, j int) bool { return s.Nomi[condivisa[liv][i]] < s.Nomi[condivisa[liv][j]] })
			s.Condivisa = append(s.Condivisa, condivisa[liv])
		}
	}
	if f.Conteggi {
		s.Conteggi = []bollettino.Conteggio{}
		for _, liv := range ps.LivelliSerie {
			if c := conteggi[liv]; c != nil {
				s.Conteggi = append(s.Conteggi, *c)
			}
		}
	}
}

// motiviEmergenza reads the fever share and, in emergency mode, the share
// of pupils outside the network from the week's plesso days.
func motiviEmergenza(s *bollettino.Situazione, f FontiSituazione, nome func(string) string) {
	lun := s.Lunedi
	dom := lun.AddDate(0, 0, 6)
	var febbre, assenti, fuori, iscritti int
	conMotivi := map[string]bool{}
	for _, o := range f.Osservazioni {
		if o.Giorno.Before(lun) || o.Giorno.After(dom) {
			continue
		}
		iscritti += o.Iscritti
		if f.Sentinelle != nil && !f.Sentinelle[o.Plesso] {
			fuori += o.Iscritti
		}
		if o.Febbre >= 0 {
			febbre += o.Febbre
			assenti += o.Assenti
			conMotivi[o.Plesso] = true
		}
	}
	if assenti > 0 {
		s.Febbre, s.FebbrePlessi = float64(febbre)/float64(assenti), len(conMotivi)
	}
	for _, e := range f.Emergenze {
		if e.Dal.After(dom) || (!e.Al.IsZero() && e.Al.Before(lun)) {
			continue
		}
		q := 0.0
		if iscritti > 0 {
			q = float64(fuori) / float64(iscritti)
		}
		s.Emergenza = &bollettino.EmergenzaAttiva{Ambito: e.Ambito, Dal: e.Dal, Al: e.Al, Fuori: q}
		s.Nomi[e.Ambito] = nome(e.Ambito)
		break
	}
}
