package pubblico

import (
	"math"
	"strconv"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/serie"
)

// Words of the plain-language summary.
const (
	InAumento = "aumento"
	InCalo    = "calo"
	Stabile   = "stabile"
	InLinea   = "in_linea"
	Sopra     = "sopra"
	Sotto     = "sotto"
)

// Sintesi is what the public page and bulletin say about the last week.
type Sintesi struct {
	Lunedi     time.Time
	Territorio Cella   // the territory, all grades
	Province   []Cella // each province, all grades (the level allowing)
	Gradi      []Cella // the territory by grade (the level allowing)
	// Precedente is the territory's rate of the week before (NaN when not
	// published); Andamento compares the week with it: InAumento when the
	// week's whole 95% interval lies above it, InCalo below, else Stabile.
	Precedente float64
	Andamento  string
	// Atteso is the mean rate of the same week of the school year in the
	// previous years (NaN without them), over Anni years; Confronto is
	// InLinea when the week's interval contains it, else Sopra or Sotto.
	Atteso    float64
	Anni      int
	Confronto string
}

// Sintesi summarises the table's last week; ok is false on an empty table.
func (t Tabella) Sintesi() (s Sintesi, ok bool) {
	weeks := t.Settimane()
	if len(weeks) == 0 {
		return s, false
	}
	s.Lunedi = weeks[len(weeks)-1]
	s.Precedente, s.Atteso = math.NaN(), math.NaN()
	for _, c := range t.Settimana(s.Lunedi) {
		switch {
		case c.Area == Territorio && c.Grado == Tutti:
			s.Territorio = c
		case c.Grado == Tutti:
			s.Province = append(s.Province, c)
		case c.Area == Territorio:
			s.Gradi = append(s.Gradi, c)
		}
	}
	cur := s.Territorio
	if cur.Soppressa || math.IsNaN(cur.Tasso) {
		return s, true
	}
	if p, found := t.Cella(s.Lunedi.AddDate(0, 0, -7), Territorio, Tutti); found && !p.Soppressa && !math.IsNaN(p.Tasso) {
		s.Precedente = p.Tasso
		s.Andamento = confronta(cur, p.Tasso, InAumento, InCalo, Stabile)
	}
	anno := ps.AnnoDi(s.Lunedi)
	wk := SettimanaScolastica(anno, s.Lunedi)
	sum := 0.0
	for _, w := range weeks {
		a := ps.AnnoDi(w)
		if a >= anno || SettimanaScolastica(a, w) != wk {
			continue
		}
		if c, found := t.Cella(w, Territorio, Tutti); found && !c.Soppressa && !math.IsNaN(c.Tasso) {
			sum += c.Tasso
			s.Anni++
		}
	}
	if s.Anni > 0 {
		s.Atteso = sum / float64(s.Anni)
		s.Confronto = confronta(cur, s.Atteso, Sopra, Sotto, InLinea)
	}
	return s, true
}

func confronta(c Cella, ref float64, sopra, sotto, uguale string) string {
	switch {
	case c.IcInf > ref:
		return sopra
	case c.IcSup < ref:
		return sotto
	}
	return uguale
}

// SettimanaScolastica numbers the weeks of a school year from the week of
// 1 September (1), so that years line up.
func SettimanaScolastica(a ps.AnnoScolastico, d time.Time) int {
	return int(serie.Lunedi(d).Sub(serie.Lunedi(a.Inizio())).Hours()/24/7) + 1
}

// Anni is the territory's weekly rate of every school year, aligned by
// week of the school year: the public chart and its table.
type Anni struct {
	Settimane []int        `json:"settimane"` // week of the school year, 1 = the week of 1 September
	Etichette []string     `json:"etichette"` // the week's Monday in the current year, "dd/mm"
	Anni      []string     `json:"anni"`      // "2025/26", oldest first; the last is the current year
	Tassi     [][]*float64 `json:"tassi"`     // per year, per week: percent, null when not published
}

// Anni returns the territory's published weekly rates by school year.
func (t Tabella) Anni() Anni {
	o := Anni{Settimane: []int{}, Etichette: []string{}, Anni: []string{}, Tassi: [][]*float64{}}
	by := map[ps.AnnoScolastico]map[int]float64{}
	var anni []ps.AnnoScolastico
	maxWk := 0
	for _, c := range t.Celle {
		if c.Area != Territorio || c.Grado != Tutti || c.Soppressa || math.IsNaN(c.Tasso) {
			continue
		}
		a := ps.AnnoDi(c.Lunedi)
		if by[a] == nil {
			by[a] = map[int]float64{}
			anni = append(anni, a)
		}
		wk := SettimanaScolastica(a, c.Lunedi)
		by[a][wk] = c.Tasso
		maxWk = max(maxWk, wk)
	}
	if len(anni) == 0 {
		return o
	}
	last := anni[len(anni)-1]
	for wk := 1; wk <= maxWk; wk++ {
		found := false
		for _, a := range anni {
			if _, ok := by[a][wk]; ok {
				found = true
			}
		}
		if !found {
			continue
		}
		o.Settimane = append(o.Settimane, wk)
		o.Etichette = append(o.Etichette, serie.Lunedi(last.Inizio()).AddDate(0, 0, 7*(wk-1)).Format("02/01"))
	}
	for _, a := range anni {
		o.Anni = append(o.Anni, a.String())
		row := make([]*float64, len(o.Settimane))
		for i, wk := range o.Settimane {
			if v, ok := by[a][wk]; ok {
				p := Percento(v)
				row[i] = &p
			}
		}
		o.Tassi = append(o.Tassi, row)
	}
	return o
}

// Percento rounds a share to a percentage with two decimals.
func Percento(x float64) float64 { return math.Round(x*10000) / 100 }

// Quota formats a share for the open data: six decimals, "" when NaN.
func Quota(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(math.Round(x*1e6)/1e6, 'f', -1, 64)
}
