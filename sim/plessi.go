package sim

import (
	"encoding/csv"
	"errors"
	"fmt"
	ps "github.com/portalescuole/portalescuole"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// Grades in scope of the 6-19 surveillance, spelled as the root package's
// Grado values.
const (
	Primaria    = "primaria"
	Secondaria1 = "secondaria1"
	Secondaria2 = "secondaria2"
)

// Plesso is one school building of the sentinel sample.
type Plesso struct {
	Codice   string
	Grado    string // Primaria, Secondaria1 or Secondaria2
	Iscritti int    // enrolled pupils: the denominator
	// SeiGiorni is true when the plesso has lessons Monday to Saturday.
	SeiGiorni bool
}

// GradoDaCodice is the in-scope grade of a codice meccanografico
// (portalescuole.GradoFromCodice), "" for infanzia, institutions and
// anything out of the 6–19 scope.
func GradoDaCodice(codice string) string {
	g := ps.GradoFromCodice(ps.NormalizeCodice(codice))
	if !g.InScope() {
		return ""
	}
	return string(g)
}

// LoadPlessi parses the MIM pupils-per-plesso CSV (columns CODICESCUOLA and
// NUMEROSTUDENTI, as in demo/data/mim-studenti-per-plesso-cr-mn-2024-25.csv)
// and returns the in-scope plessi with at least one pupil, sorted by
// codice. SeiGiorni is false: the file does not say; see SentinelSample.
func LoadPlessi(r io.Reader) ([]Plesso, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("plessi: input vuoto")
	}
	if err != nil {
		return nil, fmt.Errorf("plessi: %w", err)
	}
	iCod, iNum := -1, -1
	for i, h := range header {
		switch strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "CODICESCUOLA":
			iCod = i
		case "NUMEROSTUDENTI":
			iNum = i
		}
	}
	if iCod < 0 || iNum < 0 {
		return nil, errors.New("plessi: servono le colonne CODICESCUOLA e NUMEROSTUDENTI")
	}
	var out []Plesso
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("plessi: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) <= max(iCod, iNum) {
			return nil, fmt.Errorf("plessi: riga %d: colonne mancanti", line)
		}
		cod := strings.ToUpper(strings.TrimSpace(rec[iCod]))
		n, err := strconv.Atoi(strings.TrimSpace(rec[iNum]))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("plessi: riga %d: NUMEROSTUDENTI %q non è un intero >= 0", line, rec[iNum])
		}
		g := GradoDaCodice(cod)
		if g == "" || n == 0 {
			continue
		}
		if seen[cod] {
			return nil, fmt.Errorf("plessi: riga %d: codice %s ripetuto", line, cod)
		}
		seen[cod] = true
		out = append(out, Plesso{Codice: cod, Grado: g, Iscritti: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Codice < out[j].Codice })
	return out, nil
}

// SixDayShare is the assumed share of plessi of each grade with lessons on
// Saturday. The MIM files do not record the weekly timetable; in Lombardy
// the 5-day week is the rule for primaria and most secondarie di I grado,
// while many licei and istituti keep Saturday lessons. These shares are an
// assumption, not a measurement.
var SixDayShare = map[string]float64{Primaria: 0, Secondaria1: 0.05, Secondaria2: 0.4}

// SentinelSample draws a random sentinel sample from the in-scope plessi:
// plessi are taken in a random order until their pupils reach share (e.g.
// 0.05) of all pupils, and each is given a 6-day week with probability
// SixDayShare[grade]. The result is sorted by codice and depends only on
// the input set, share and seed.
func SentinelSample(all []Plesso, share float64, seed uint64) []Plesso {
	in := append([]Plesso(nil), all...)
	sort.Slice(in, func(i, j int) bool { return in[i].Codice < in[j].Codice })
	total := 0
	for _, p := range in {
		total += p.Iscritti
	}
	r := newRand(seed, 0x5e17)
	r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
	var out []Plesso
	sum := 0
	for _, p := range in {
		if float64(sum) >= share*float64(total) {
			break
		}
		p.SeiGiorni = r.Float64() < SixDayShare[p.Grado]
		out = append(out, p)
		sum += p.Iscritti
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Codice < out[j].Codice })
	return out
}

// SyntheticPlessi returns n invented plessi (codes SIM0001...): half
// primaria with 80-300 pupils, a quarter secondaria di I grado with
// 150-500, a quarter secondaria di II grado with 200-900, 6-day weeks as in
// SixDayShare.
func SyntheticPlessi(n int, seed uint64) []Plesso {
	r := newRand(seed, 0x5717)
	out := make([]Plesso, n)
	for i := range out {
		var g string
		var lo, hi int
		switch u := r.Float64(); {
		case u < 0.5:
			g, lo, hi = Primaria, 80, 300
		case u < 0.75:
			g, lo, hi = Secondaria1, 150, 500
		default:
			g, lo, hi = Secondaria2, 200, 900
		}
		out[i] = Plesso{
			Codice:    fmt.Sprintf("SIM%04d", i+1),
			Grado:     g,
			Iscritti:  lo + r.IntN(hi-lo+1),
			SeiGiorni: r.Float64() < SixDayShare[g],
		}
	}
	return out
}

// newRand returns a PCG generator for a seed and a stream tag, so that the
// independent parts of the simulator draw from independent streams.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix(seed+stream), splitmix(seed^(stream*0x9e3779b97f4a7c15))))
}

// splitmix is the SplitMix64 finaliser, used to derive seeds.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Seed derives a seed from a base seed and indices (e.g. season and
// replicate), for callers that run many simulations.
func Seed(base uint64, idx ...uint64) uint64 {
	s := splitmix(base)
	for _, i := range idx {
		s = splitmix(s ^ splitmix(i+0x632be59bd9b4e019))
	}
	return s
}
