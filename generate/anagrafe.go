package generate

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/sim"
)

// Stream tags of the random generators: each part of the data draws from
// its own generator, so changing one part leaves the others as they were.
const (
	tagAnagrafe uint64 = iota + 1
	tagIscritti
	tagSentinelle
	tagStagioni
	tagSim
	tagRevisioni
	tagGiorni
)

// rng returns a PCG generator for the seed and the indices.
func rng(seed uint64, idx ...uint64) *rand.Rand {
	s := sim.Seed(seed, idx...)
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

type comune struct {
	Istat, Nome, Provincia, Catastale, Distretto string
}

type distretto struct{ Codice, Nome string }

type istituto struct{ Codice, Nome string }

// plesso is one generated plesso with what the later phases need.
type plesso struct {
	Codice, Nome, Istituto  string
	Grado                   ps.Grado
	Paritaria               bool
	Indirizzo, Catastale    string
	ComuneNome, Email, Prov string
	prov                    int // index in province
	SeiGiorni               bool
	classe                  float64 // average class size
	iscritti                []int   // pupils per year (index: year offset)
}

// anagrafe is the generated register, small enough to keep in memory
// (40,000 plessi take a few MB); absences are streamed.
type anagrafe struct {
	comuni    []comune
	distretti []distretto
	istituti  []istituto
	plessi    []plesso
}

// ripartisci splits total into integer parts proportional to the weights
// (largest remainder, ties to the lower index).
func ripartisci(total int, pesi []float64) []int {
	var sum float64
	for _, w := range pesi {
		sum += w
	}
	out := make([]int, len(pesi))
	if total <= 0 || sum <= 0 {
		return out
	}
	type resto struct {
		i int
		r float64
	}
	resti := make([]resto, len(pesi))
	used := 0
	for i, w := range pesi {
		x := float64(total) * w / sum
		out[i] = int(x)
		used += out[i]
		resti[i] = resto{i, x - float64(out[i])}
	}
	sort.SliceStable(resti, func(a, b int) bool { return resti[a].r > resti[b].r })
	for k := 0; used < total; k = (k + 1) % len(resti) {
		out[resti[k].i]++
		used++
	}
	return out
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// num3 writes k (>= 1) in three characters: digits up to 999, then base 36
// (the ministry's numbers also mix letters and digits).
func num3(k int) string {
	if k <= 999 {
		return fmt.Sprintf("%03d", k)
	}
	b := []byte{alnum[k/1296%36], alnum[k/36%36], alnum[k%36]}
	return string(b)
}

// controllo is the 10th character of a codice. The ministry's algorithm is
// not public; a hash of the first nine gives a plausible, stable character.
func controllo(s string) string {
	h := fnv.New32a()
	h.Write([]byte(s))
	return string(alnum[h.Sum32()%36])
}

// Municipality names: glued prefisso+radice (Castelnuovo) or a saint, with
// a qualifier when the province already has the name.
var (
	prefissiGlued = []string{"Castel", "Monte", "Villa", "Borgo", "Ponte", "Porto", "Rocca", "Torre", "Casal", "Colle",
		"Fonte", "Valle", "Campo", "Serra", "Poggio"}
	radiciGlued = []string{"nuovo", "verde", "franco", "bello", "alto", "fiore", "rotondo", "vecchio", "lungo", "rosso",
		"chiaro", "forte", "secco", "piano", "grande", "mare", "lago", "bosco", "sole", "luce"}
	santi = []string{"San Giorgio", "San Martino", "San Lorenzo", "San Pietro", "Santa Maria", "San Giovanni", "Sant'Anna",
		"Sant'Angelo", "San Vito", "San Marco", "San Benedetto", "San Michele", "Santa Lucia", "San Donato", "San Paolo"}
)

func nomeComune(r *rand.Rand, usati map[string]bool) string {
	for try := 0; ; try++ {
		var n string
		if r.IntN(6) == 0 {
			n = santi[r.IntN(len(santi))]
		} else {
			n = prefissiGlued[r.IntN(len(prefissiGlued))] + radiciGlued[r.IntN(len(radiciGlued))]
		}
		if try > 3 || usati[n] {
			n += " " + qualificatori[r.IntN(len(qualificatori))]
		}
		if try > 20 {
			n += fmt.Sprintf(" %d", try)
		}
		if !usati[n] {
			usati[n] = true
			return n
		}
	}
}

// Pupils per plesso: lognormal by grade, means chosen so that the Italian
// mix (45% primaria, 25% secondaria I, 30% secondaria II, 7% paritarie
// with about half the pupils) gives about 175 pupils per plesso, i.e. ~7
// million for 40,000 plessi as in the ministry's open data; classes of
// 17-24 pupils. Enrolment falls with the birth rate, faster in primaria.
var (
	mediaIscritti = map[ps.Grado]float64{ps.Primaria: 145, ps.Secondaria1: 190, ps.Secondaria2: 235}
	mediaClasse   = map[ps.Grado]float64{ps.Primaria: 18.5, ps.Secondaria1: 21, ps.Secondaria2: 21.5}
	trendAnnuo    = map[ps.Grado]float64{ps.Primaria: -0.015, ps.Secondaria1: -0.01, ps.Secondaria2: 0.003}
)

const (
	quotaParitarie = 0.07
	sdIscritti     = 0.55
	minIscritti    = 8
	maxIscritti    = 2400
)

// costruisci generates the register for o (already normalised).
func costruisci(o Opzioni) *anagrafe {
	r := rng(o.Seed, tagAnagrafe)
	a := &anagrafe{plessi: make([]plesso, 0, o.Plessi)}
	// Plessi per province and grade: the population share times the
	// national grade mix, so that the mix holds even with few plessi.
	quoteGradi := []float64{0.45, 0.25, 0.30}
	pesi := make([]float64, 0, 3*len(province))
	for _, p := range province {
		for _, q := range quoteGradi {
			pesi = append(pesi, float64(p.Pop)*q)
		}
	}
	perStrato := ripartisci(o.Plessi, pesi)
	catastale := 0
	for pi, pr := range province {
		gradi := perStrato[3*pi : 3*pi+3]
		n := gradi[0] + gradi[1] + gradi[2]
		// Municipalities: about one per five plessi (Italy has ~7,900 for
		// ~40,000 plessi), the capoluogo first, sizes Zipf-like.
		nCom := min(max(1, int(math.Round(float64(n)/5))), 230)
		nDist := min(max(1, (nCom+14)/15), 30)
		usati := map[string]bool{pr.Nome: true}
		base := len(a.comuni)
		cum := make([]float64, nCom)
		var tot float64
		for i := 0; i < nCom; i++ {
			nome := pr.Nome
			if i > 0 {
				nome = nomeComune(r, usati)
			}
			catastale++
			d := i * nDist / nCom
			a.comuni = append(a.comuni, comune{
				Istat:     fmt.Sprintf("%03d%03d", pr.Istat, i+1),
				Nome:      nome,
				Provincia: pr.Sigla,
				Catastale: fmt.Sprintf("%c%03d", 'A'+(catastale-1)/999, (catastale-1)%999+1),
				Distretto: fmt.Sprintf("%s%02d", pr.Sigla, d+1),
			})
			tot += 1 / math.Pow(float64(i+1), 0.9)
			cum[i] = tot
		}
		for d := 0; d < nDist; d++ {
			first := a.comuni[base+d*nCom/nDist]
			nome := "Distretto di " + first.Nome
			if d == 0 {
				nome = "Distretto di " + pr.Nome
			}
			a.distretti = append(a.distretti, distretto{Codice: fmt.Sprintf("%s%02d", pr.Sigla, d+1), Nome: nome})
		}

		// Plessi of the province: the grade mix, a municipality each, 7%
		// paritarie; the statali grouped into istituti.
		type nuovo struct {
			grado     ps.Grado
			comune    int
			paritaria bool
		}
		var nuovi []nuovo
		for gi, g := range []ps.Grado{ps.Primaria, ps.Secondaria1, ps.Secondaria2} {
			for k := 0; k < gradi[gi]; k++ {
				c := sort.SearchFloat64s(cum, r.Float64()*tot)
				nuovi = append(nuovi, nuovo{grado: g, comune: min(c, nCom-1), paritaria: r.Float64() < quotaParitarie})
			}
		}
		sort.SliceStable(nuovi, func(i, j int) bool { return nuovi[i].comune < nuovi[j].comune })
		nIst, nPar := 0, 0
		add := func(nv nuovo, tipo, codice, ist string) {
			c := a.comuni[base+nv.comune]
			nome := intitolazioni[r.IntN(len(intitolazioni))]
			var label string
			switch nv.grado {
			case ps.Primaria:
				label = "SCUOLA PRIMARIA"
			case ps.Secondaria1:
				label = "SCUOLA SECONDARIA DI I GRADO"
			default:
				label = "LICEO"
				for _, t := range tipiSecondaria2 {
					if t.Sigla == tipo {
						label = t.Nome
					}
				}
			}
			a.plessi = append(a.plessi, plesso{
				Codice:     codice,
				Nome:       strings.ToUpper(label + " " + nome + " - " + c.Nome),
				Istituto:   ist,
				Grado:      nv.grado,
				Paritaria:  nv.paritaria,
				Indirizzo:  fmt.Sprintf("%s, %d", vie[r.IntN(len(vie))], 1+r.IntN(120)),
				Catastale:  c.Catastale,
				ComuneNome: strings.ToUpper(c.Nome),
				Email:      strings.ToLower(codice) + "@scuola.invalid",
				Prov:       pr.Sigla,
				prov:       pi,
				SeiGiorni:  r.Float64() < sim.SixDayShare[string(nv.grado)],
				classe:     mediaClasse[nv.grado] * (0.85 + 0.3*r.Float64()),
			})
		}
		tipo2 := func() string {
			u := r.Float64()
			for _, t := range tipiSecondaria2 {
				if u < t.Quota {
					return t.Sigla
				}
				u -= t.Quota
			}
			return tipiSecondaria2[0].Sigla
		}
		// Istituti comprensivi (primaria and secondaria I, 3-7 plessi of
		// neighbouring municipalities) and istituti superiori (1-4 plessi).
		for _, sup := range []bool{false, true} {
			var gruppo []nuovo
			for _, nv := range nuovi {
				if !nv.paritaria && (nv.grado == ps.Secondaria2) == sup {
					gruppo = append(gruppo, nv)
				}
			}
			for len(gruppo) > 0 {
				size := 3 + r.IntN(5)
				tipoIst, label := "IC", "ISTITUTO COMPRENSIVO"
				if sup {
					size = 1 + r.IntN(4)
					tipoIst, label = "IS", "ISTITUTO DI ISTRUZIONE SUPERIORE"
				}
				size = min(size, len(gruppo))
				nIst++
				num := num3(nIst)
				cod := pr.Sigla + tipoIst + num + "00"
				cod += controllo(cod)
				c := a.comuni[base+gruppo[0].comune]
				a.istituti = append(a.istituti, istituto{Codice: cod,
					Nome: strings.ToUpper(label + " " + intitolazioni[r.IntN(len(intitolazioni))] + " - " + c.Nome)})
				for k, nv := range gruppo[:size] {
					t := "EE"
					switch nv.grado {
					case ps.Secondaria1:
						t = "MM"
					case ps.Secondaria2:
						t = tipo2()
					}
					pc := pr.Sigla + t + num + fmt.Sprintf("%02d", k+1)
					add(nv, t, pc+controllo(pc), cod)
				}
				gruppo = gruppo[size:]
			}
		}
		// Paritarie: no istituto, 1E/1M/1T-1P codes.
		for _, nv := range nuovi {
			if !nv.paritaria {
				continue
			}
			nPar++
			t := "1E"
			switch nv.grado {
			case ps.Secondaria1:
				t = "1M"
			case ps.Secondaria2:
				t = []string{"1T", "1P"}[r.IntN(2)]
			}
			pc := pr.Sigla + t + num3(nPar) + "50"
			add(nv, t, pc+controllo(pc), "")
		}
	}

	// Pupils per year.
	ri := rng(o.Seed, tagIscritti)
	for i := range a.plessi {
		p := &a.plessi[i]
		m := mediaIscritti[p.Grado]
		if p.Paritaria {
			m *= 0.45
		}
		base := m * math.Exp(sdIscritti*ri.NormFloat64()-sdIscritti*sdIscritti/2)
		p.iscritti = make([]int, o.Anni)
		for y := range p.iscritti {
			x := base * math.Pow(1+trendAnnuo[p.Grado], float64(y)) * math.Exp(0.04*ri.NormFloat64())
			p.iscritti[y] = min(max(int(math.Round(x)), minIscritti), maxIscritti)
		}
	}
	return a
}

// classi is the number of classes of a plesso for n pupils.
func (p *plesso) classi(n int) int {
	return min(max(1, int(math.Round(float64(n)/p.classe))), n)
}

// sentinelle picks, for every year, round(quota*N) sentinel plessi
// balanced across grades and, within a grade, across provinces (largest
// remainder at both levels). Each (province, grade) stratum starts from a
// random order of its plessi; every year a sentinel stays with
// probability 0.8 and the places left go to plessi that were not
// sentinels the year before, so the network changes slowly as a real one
// does. The result holds plesso indices, sorted.
func sentinelle(a *anagrafe, o Opzioni) [][]int {
	gradi := []ps.Grado{ps.Primaria, ps.Secondaria1, ps.Secondaria2}
	by := make([][][]int, len(gradi)) // grade, province -> plessi
	for g := range by {
		by[g] = make([][]int, len(province))
	}
	perGrado := make([]float64, len(gradi))
	for i, p := range a.plessi {
		for g, gr := range gradi {
			if p.Grado == gr {
				by[g][p.prov] = append(by[g][p.prov], i)
				perGrado[g]++
			}
		}
	}
	out := make([][]int, o.Anni)
	totGradi := ripartisci(int(math.Round(o.Quota*float64(len(a.plessi)))), perGrado)
	for g := range gradi {
		pesi := make([]float64, len(province))
		for pi := range province {
			pesi[pi] = float64(len(by[g][pi]))
		}
		target := ripartisci(totGradi[g], pesi)
		for pi, list := range by[g] {
			t := target[pi]
			if t == 0 {
				continue
			}
			list = append([]int(nil), list...)
			r := rng(o.Seed, tagSentinelle, uint64(g), uint64(pi))
			r.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
			cur := append([]int(nil), list[:t]...)
			next := t
			for y := 0; y < o.Anni; y++ {
				if y > 0 {
					prev := map[int]bool{}
					for _, i := range cur {
						prev[i] = true
					}
					var kept []int
					taken := map[int]bool{}
					for _, i := range cur {
						if r.Float64() < 0.8 {
							kept = append(kept, i)
							taken[i] = true
						}
					}
					// Newcomers first, then (a stratum of sentinels only)
					// whoever is left.
					for pass := 0; pass < 2 && len(kept) < t; pass++ {
						for k := 0; k < len(list) && len(kept) < t; k++ {
							i := list[(next+k)%len(list)]
							if taken[i] || (pass == 0 && prev[i]) {
								continue
							}
							kept = append(kept, i)
							taken[i] = true
							next = (next + k + 1) % len(list)
							k = -1
						}
					}
					cur = kept
				}
				out[y] = append(out[y], cur...)
			}
		}
	}
	for y := range out {
		sort.Ints(out[y])
	}
	return out
}

// revisione is one generated consistenza.
type revisione struct {
	Revisione, Iscritti, Classi int
	ValidoDal                   time.Time
	Note                        string
	CreatoIl                    time.Time
}

var noteRevisione = []string{"trasferimenti in corso d'anno", "nuovi iscritti", "correzione dei dati inseriti",
	"ritiri", "alunni arrivati dall'estero"}

// revisioni returns a plesso's consistenze for year offset y (school year
// anno): the first, effective from 1 September and entered in the first
// weeks, and for about one plesso-year in ten a second one during the
// year. Nothing is entered after now. It depends only on the seed, the
// plesso index and the year, so the absence phase can recompute it.
func revisioni(o Opzioni, p *plesso, pi, y, anno int, now time.Time) []revisione {
	r := rng(o.Seed, tagRevisioni, uint64(pi), uint64(anno))
	start := ps.AnnoScolastico(anno).Inizio()
	n := p.iscritti[y]
	c1 := start.AddDate(0, 0, r.IntN(40)).Add(oraUfficio(r))
	if c1.After(now) {
		c1 = now
	}
	out := []revisione{{Revisione: 1, Iscritti: n, Classi: p.classi(n), ValidoDal: start, CreatoIl: c1}}
	if r.Float64() < 0.1 {
		valido := start.AddDate(0, 1, r.IntN(150)) // October to February
		creato := valido.AddDate(0, 0, r.IntN(5)).Add(oraUfficio(r))
		n2 := n + r.IntN(9) - 4
		if n2 == n {
			n2++
		}
		n2 = max(n2, minIscritti)
		if !creato.After(now) && !creato.Before(c1) {
			out = append(out, revisione{Revisione: 2, Iscritti: n2, Classi: p.classi(n2), ValidoDal: valido,
				Note: noteRevisione[r.IntN(len(noteRevisione))], CreatoIl: creato})
		}
	}
	return out
}

// oraUfficio is a time in a school office's day: 07:30 to 16:30 UTC.
func oraUfficio(r *rand.Rand) time.Duration {
	return 7*time.Hour + 30*time.Minute + time.Duration(r.IntN(9*3600))*time.Second
}

// inVigore returns the pupils in force on day d among revs (the rule of
// store.InVigore for these revisions: the latest effective one).
func inVigore(revs []revisione, d time.Time) int {
	n := revs[0].Iscritti
	for _, rv := range revs[1:] {
		if !rv.ValidoDal.After(d) {
			n = rv.Iscritti
		}
	}
	return n
}
