package sim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Week is one InfluNet week of a season.
type Week struct {
	// Year and Week are the ISO 8601 year and week number (InfluNet's
	// year_week "2013-05" is ISO week 5 of 2013).
	Year, Week int
	// Inc is inc_5-14: influenza-like illness cases per 1,000 people aged
	// 5-14 seen by the sentinel practitioners in that week.
	Inc float64
}

// Monday returns the Monday of the ISO week (UTC midnight).
func (w Week) Monday() time.Time { return ISOWeekMonday(w.Year, w.Week) }

// Season is one InfluNet season: weeks 42..17 (typically) of the school-age
// incidence in Lombardy, in ascending order. Weeks missing from the source
// are simply absent (the curve interpolates over them).
type Season struct {
	// Name is InfluNet's flu_season, e.g. "2012-2013".
	Name string
	// StartYear is the first year of the season, which is also the school
	// year simulated (2012 = school year 2012/13).
	StartYear int
	Weeks     []Week
}

// ISOWeekMonday returns the Monday of ISO week `week` of ISO year `year`:
// week 1 is the week containing 4 January.
func ISOWeekMonday(year, week int) time.Time {
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
	back := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return jan4.AddDate(0, 0, -back+7*(week-1))
}

// LoadInfluNet parses the InfluNet/RespiVirNet weekly CSV as shipped in
// demo/data/influnet-lombardia-settimanale.csv: a header naming at least the
// columns flu_season ("2012-2013"), year_week ("2012-44", ISO year and week)
// and inc_5-14 (cases per 1,000), in any order. It returns one Season per
// flu_season in order of StartYear, each with its weeks sorted. Rows with an
// empty or "NA" incidence are skipped (treated as a missing week); any other
// malformed row is an error naming its line.
func LoadInfluNet(r io.Reader) ([]Season, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("influnet: input vuoto")
	}
	if err != nil {
		return nil, fmt.Errorf("influnet: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		col[strings.ToLower(h)] = i
	}
	iSeason, ok1 := col["flu_season"]
	iWeek, ok2 := col["year_week"]
	iInc, ok3 := col["inc_5-14"]
	if !ok1 || !ok2 || !ok3 {
		return nil, errors.New("influnet: servono le colonne flu_season, year_week e inc_5-14")
	}
	byName := map[string]*Season{}
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("influnet: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) <= max(iSeason, iWeek, iInc) {
			return nil, fmt.Errorf("influnet: riga %d: colonne mancanti", line)
		}
		name := strings.TrimSpace(rec[iSeason])
		var y1, y2 int
		if _, err := fmt.Sscanf(name, "%d-%d", &y1, &y2); err != nil || y2 != y1+1 {
			return nil, fmt.Errorf("influnet: riga %d: flu_season %q non è nella forma AAAA-AAAA", line, name)
		}
		var wy, ww int
		yw := strings.TrimSpace(rec[iWeek])
		if _, err := fmt.Sscanf(yw, "%d-%d", &wy, &ww); err != nil || ww < 1 || ww > 53 {
			return nil, fmt.Errorf("influnet: riga %d: year_week %q non è nella forma AAAA-SS", line, yw)
		}
		if y, w := ISOWeekMonday(wy, ww).ISOWeek(); y != wy || w != ww {
			return nil, fmt.Errorf("influnet: riga %d: l'anno %d non ha la settimana ISO 53", line, wy)
		}
		if wy != y1 && wy != y2 {
			return nil, fmt.Errorf("influnet: riga %d: la settimana %s non appartiene alla stagione %s", line, yw, name)
		}
		v := strings.TrimSpace(rec[iInc])
		if v == "" || strings.EqualFold(v, "NA") {
			continue
		}
		inc, err := strconv.ParseFloat(v, 64)
		if err != nil || inc < 0 || math.IsInf(inc, 0) || math.IsNaN(inc) {
			return nil, fmt.Errorf("influnet: riga %d: inc_5-14 %q non è un numero >= 0", line, v)
		}
		key := name + "/" + yw
		if seen[key] {
			return nil, fmt.Errorf("influnet: riga %d: settimana %s ripetuta nella stagione %s", line, yw, name)
		}
		seen[key] = true
		s := byName[name]
		if s == nil {
			s = &Season{Name: name, StartYear: y1}
			byName[name] = s
		}
		s.Weeks = append(s.Weeks, Week{Year: wy, Week: ww, Inc: inc})
	}
	out := make([]Season, 0, len(byName))
	for _, s := range byName {
		sort.Slice(s.Weeks, func(i, j int) bool {
			return s.Weeks[i].Monday().Before(s.Weeks[j].Monday())
		})
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartYear < out[j].StartYear })
	return out, nil
}

// Peak returns the week with the highest incidence (the first on ties).
func (s Season) Peak() (Week, bool) {
	if len(s.Weeks) == 0 {
		return Week{}, false
	}
	best := s.Weeks[0]
	for _, w := range s.Weeks[1:] {
		if w.Inc > best.Inc {
			best = w
		}
	}
	return best, true
}

// Transform returns the season moved by shiftWeeks whole weeks (positive =
// later) with every incidence multiplied by scale: a season "the project
// has never seen" with the shape of a real one. The school year
// (StartYear) does not change.
func (s Season) Transform(shiftWeeks int, scale float64) Season {
	out := Season{Name: s.Name, StartYear: s.StartYear, Weeks: make([]Week, len(s.Weeks))}
	for i, w := range s.Weeks {
		y, wk := w.Monday().AddDate(0, 0, 7*shiftWeeks).ISOWeek()
		out.Weeks[i] = Week{Year: y, Week: wk, Inc: w.Inc * scale}
	}
	if shiftWeeks != 0 || scale != 1 {
		out.Name = fmt.Sprintf("%s(%+dw,x%.2f)", s.Name, shiftWeeks, scale)
	}
	return out
}

// Background returns the season's background incidence: the mean of its
// `lowest` lowest weekly inc_5-14 values (0 when lowest <= 0). Since
// 2021-22 the RespiVirNet ILI curve of Lombardy never falls much below 3-6
// per 1,000 (a wider case definition and other respiratory viruses), while
// before 2020 it fell below 1; the background is illness that is part of
// the ordinary absence baseline, not of the influenza wave.
func (s Season) Background(lowest int) float64 {
	if lowest <= 0 || len(s.Weeks) == 0 {
		return 0
	}
	v := make([]float64, len(s.Weeks))
	for i, w := range s.Weeks {
		v[i] = w.Inc
	}
	sort.Float64s(v)
	if lowest > len(v) {
		lowest = len(v)
	}
	var sum float64
	for _, x := range v[:lowest] {
		sum += x
	}
	return sum / float64(lowest)
}

// Excess returns the season with every incidence replaced by its excess
// over the background, max(0, inc - Background(lowest)): the influenza
// wave proper.
func (s Season) Excess(lowest int) Season {
	b := s.Background(lowest)
	out := Season{Name: s.Name, StartYear: s.StartYear, Weeks: make([]Week, len(s.Weeks))}
	for i, w := range s.Weeks {
		w.Inc = math.Max(0, w.Inc-b)
		out.Weeks[i] = w
	}
	return out
}

// rampDays is how long the incidence curve takes to rise from 0 to the
// first InfluNet value and to fall from the last value back to 0: the
// source has no data outside weeks 42..17, and flu is assumed absent there.
const rampDays = 28

// curve is the daily incidence of a season: the weekly values placed on the
// Thursday (mid-week) of their ISO week and linearly interpolated.
type curve struct {
	day []int // days since the Unix epoch of each knot (Thursdays)
	inc []float64
}

func epochDay(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func newCurve(s Season) curve {
	var c curve
	for _, w := range s.Weeks {
		c.day = append(c.day, epochDay(w.Monday())+3)
		c.inc = append(c.inc, w.Inc)
	}
	return c
}

// at returns the interpolated incidence (per 1,000 per week) on a day.
func (c curve) at(day int) float64 {
	n := len(c.day)
	if n == 0 {
		return 0
	}
	if day <= c.day[0] {
		d := c.day[0] - day
		if d >= rampDays {
			return 0
		}
		return c.inc[0] * float64(rampDays-d) / rampDays
	}
	if day >= c.day[n-1] {
		d := day - c.day[n-1]
		if d >= rampDays {
			return 0
		}
		return c.inc[n-1] * float64(rampDays-d) / rampDays
	}
	i := sort.SearchInts(c.day, day) // c.day[i] >= day, i >= 1
	if c.day[i] == day {
		return c.inc[i]
	}
	d0, d1 := c.day[i-1], c.day[i]
	f := float64(day-d0) / float64(d1-d0)
	return c.inc[i-1] + f*(c.inc[i]-c.inc[i-1])
}

// DailyIncidence returns the season's inc_5-14 interpolated to a day, as
// the simulator uses it (see the package documentation).
func (s Season) DailyIncidence(d time.Time) float64 { return newCurve(s).at(epochDay(d)) }

// Onset returns the epidemic onset of the season by this package's
// definition: the Monday of the first ISO week w whose inc_5-14 is at least
// threshold in w and in the following consecutive-1 weeks (weeks missing in
// the source are interpolated). ok is false when the season never crosses.
func (s Season) Onset(threshold float64, consecutive int) (onset time.Time, w Week, ok bool) {
	if len(s.Weeks) == 0 {
		return time.Time{}, Week{}, false
	}
	if consecutive < 1 {
		consecutive = 1
	}
	c := newCurve(s)
	first, last := c.day[0], c.day[len(c.day)-1]
	run := 0
	start := 0
	for d := first; d <= last; d += 7 {
		if c.at(d) >= threshold {
			if run == 0 {
				start = d
			}
			run++
			if run >= consecutive {
				mon := time.Unix(int64(start-3)*86400, 0).UTC()
				y, wk := mon.ISOWeek()
				return mon, Week{Year: y, Week: wk, Inc: c.at(start)}, true
			}
		} else {
			run = 0
		}
	}
	return time.Time{}, Week{}, false
}
