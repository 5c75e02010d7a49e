package sim

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/portalescuole/portalescuole/calendario"
)

// Config holds every assumption of the simulator. DefaultConfig documents
// the values used for docs/detection.md; all of them are assumptions, not
// estimates from Lombardy data, except where a source is named.
type Config struct {
	// Plessi is the sentinel sample (see SentinelSample, SyntheticPlessi).
	Plessi []Plesso

	// BaseRateMin and BaseRateMax bound the per-plesso baseline illness
	// absence rate (share of enrolled pupils absent on an ordinary day with
	// no influenza), drawn uniformly per plesso and simulation.
	BaseRateMin, BaseRateMax float64
	// Weekday multiplies the baseline by day of the week (index
	// time.Weekday). The multipliers of a plesso's lesson weekdays are
	// rescaled to average 1, so they move absences between days without
	// changing the weekly mean. All zero means no weekday effect.
	Weekday [7]float64
	// PreHoliday and PostHoliday multiply the baseline on the last lesson
	// day before, and the first after, a break: a gap between two lesson
	// days of the plesso containing a weekday on which it would normally
	// have lessons (Christmas, Easter, Carnival, ponti, national holidays).
	PreHoliday, PostHoliday float64
	// SeasonalAmplitude is the relative amplitude of a non-influenza winter
	// component (colds, RSV, gastroenteritis): the baseline is multiplied by
	// 1 + A*cos(2*pi*(day - 15 January)/365.25).
	SeasonalAmplitude float64
	// PlessoDayNoise and TerritoryDayNoise are the log-scale standard
	// deviations of mean-one lognormal factors on each plesso-day and on
	// each day for the whole territory (extra-binomial variation: trips,
	// local events, weather).
	PlessoDayNoise, TerritoryDayNoise float64

	// ClosureProb is the probability that a plesso is closed on one of its
	// lesson days (strike, snow, a broken boiler): the day is missing from
	// its series and from the territorial denominator, never a zero.
	ClosureProb float64
	// OnTimeShare is the share of plesso-days reported on the day itself;
	// NeverShare the share never reported; the rest arrive 1..MaxDelay
	// school days (territorial rows) late, uniformly.
	OnTimeShare, NeverShare float64
	MaxDelay                int

	// The influenza wave: on day d a plesso has an extra absence rate
	//
	//	UnderAscertainment * inc(d - lag)/1000 * DaysOffPerCase / W * GradeFactor[grade] * f
	//
	// where inc is the season's inc_5-14 (cases per 1,000 per week)
	// interpolated to days, W the plesso's lesson days per week (5 or 6),
	// lag a per-plesso delay drawn uniformly in [-PlessoLagDays,
	// PlessoLagDays] days and f a per-plesso mean-one lognormal factor with
	// log-sd PlessoWaveSD. Rationale: each ILI case among pupils keeps the
	// pupil home about DaysOffPerCase school days; InfluNet counts only
	// cases seen by sentinel practitioners, so UnderAscertainment scales
	// them up to all cases that miss school.
	UnderAscertainment float64
	DaysOffPerCase     float64
	GradeFactor        map[string]float64
	PlessoWaveSD       float64
	PlessoLagDays      int

	// WaveShiftWeeks and WaveScale move and scale the InfluNet season
	// (Season.Transform) before simulating; RandomShiftWeeks adds a shift
	// drawn uniformly in [-RandomShiftWeeks, RandomShiftWeeks] and
	// RandomScaleSD a scale factor exp(RandomScaleSD*N(0,1)) per simulation,
	// to make seasons the project has never seen. WaveScale 0 means no wave.
	WaveShiftWeeks   int
	WaveScale        float64
	RandomShiftWeeks int
	RandomScaleSD    float64

	// BackgroundWeeks: the wave is the season's excess incidence over its
	// background, the mean of its BackgroundWeeks lowest weekly values
	// (Season.Excess); 0 uses the raw incidence.
	BackgroundWeeks int

	// OnsetThreshold and OnsetWeeks define the epidemic onset (the ground
	// truth of the evaluation): the Monday of the first ISO week in which
	// the (transformed) excess inc_5-14 is at least OnsetThreshold per 1,000
	// in that week and the following OnsetWeeks-1 weeks. See Season.Onset.
	OnsetThreshold float64
	OnsetWeeks     int
	// OutbreakFraction defines the outbreak days: lesson days on which the
	// expected wave-attributable absence of the whole sample (enrolment
	// weighted, before noise) is at least this share of enrolled pupils.
	OutbreakFraction float64

	// The wider scenarios of docs/detection.md (all zero: the model above).
	//
	// AR1Phi and AR1SD add a territory-wide AR(1) log factor a_d =
	// AR1Phi*a_{d-1} + e_d with stationary sd AR1SD on consecutive rows:
	// day-to-day correlated noise (weather, circulating colds).
	AR1Phi, AR1SD float64
	// Bumps is the number of mild non-influenza respiratory bumps in the
	// year: each adds to every plesso's rate a smooth hump (sin^2) of height
	// drawn in [BumpMin, BumpMax] (absolute, 0.003 = 0.3 points) over 10-20
	// school days, starting at a random row. They are not outbreak days.
	Bumps            int
	BumpMin, BumpMax float64
	// Disruptions is the number of one- or two-day disruptions (strike, snow,
	// trip) not recorded as closures: on 1 or 2 consecutive rows every
	// plesso's absence rate rises by an amount drawn in [DisruptMin,
	// DisruptMax] (absolute). Truth.Disruption marks them.
	Disruptions            int
	DisruptMin, DisruptMax float64
	// Wave, when not nil, replaces the InfluNet wave: the attributable rate
	// of an average plesso on epoch day k (days since 1970-01-01); the
	// onset is then the first row on which the sample's attributable rate is
	// at least OnePoint. See SynthWave.
	Wave func(k int) float64
	// NetworkSeed, when not zero, draws the per-plesso baseline rates from
	// it instead of the simulation seed, so that consecutive school years of
	// the same network share their plessi's levels.
	NetworkSeed uint64
}

// OnePoint is the wave-attributable absence (one percentage point) whose
// first day is the onset of a synthetic wave and the reference of the lead.
const OnePoint = 0.01

// SynthWave returns a wave whose attributable rate is
// peak/cosh^2(r*(k-kp)/2), r = ln2/doubling (growth at first like
// exp(r*t): doubling every `doubling` days), timed so that it first adds one
// percentage point on day `onePoint` (peak must exceed OnePoint).
func SynthWave(onePoint time.Time, doubling, peak float64) func(k int) float64 {
	r := math.Ln2 / doubling
	// peak/cosh^2(x) = OnePoint at x = acosh(sqrt(peak/OnePoint)).
	x := math.Acosh(math.Sqrt(math.Max(peak/OnePoint, 1)))
	kp := float64(epochDay(onePoint)) + 2*x/r
	return func(k int) float64 {
		c := math.Cosh(r * (float64(k) - kp) / 2)
		return peak / (c * c)
	}
}

// DefaultConfig returns the configuration used for docs/detection.md with
// the given plessi. Every number is an assumption chosen to be plausible for
// Lombardy, documented in docs/detection.md:
//
//   - baseline illness absence 2-4% per plesso (the range);
//   - weekday multipliers Mon 1.15, Tue 1.00, Wed 0.95, Thu 0.95, Fri 1.05,
//     Sat 1.10 (rescaled to mean 1 over the plesso's lesson days);
//   - pre-holiday x1.25, post-holiday x1.10; winter component ±10%;
//   - noise: plesso-day log-sd 0.15, territory-day log-sd 0.05;
//   - closures 0.5% of plesso-days; 90% reported on the day, 5% 1-5 school
//     days late, 5% never (completeness 90% on the day, 95% in the end);
//   - influenza: under-ascertainment 2, 3 school days off per case, grade
//     factors primaria 1, secondaria I 1, secondaria II 0.5, per-plesso
//     intensity log-sd 0.3 and timing ±7 days;
//   - the wave is the excess of inc_5-14 over the season's background (mean
//     of its 4 lowest weeks);
//   - onset: excess inc_5-14 >= 5 per 1,000 for 2 consecutive weeks;
//     outbreak day: expected attributable absence >= 0.3% of pupils.
func DefaultConfig(plessi []Plesso) Config {
	return Config{
		Plessi:             plessi,
		BaseRateMin:        0.02,
		BaseRateMax:        0.04,
		Weekday:            [7]float64{time.Monday: 1.15, time.Tuesday: 1.00, time.Wednesday: 0.95, time.Thursday: 0.95, time.Friday: 1.05, time.Saturday: 1.10},
		PreHoliday:         1.25,
		PostHoliday:        1.10,
		SeasonalAmplitude:  0.10,
		PlessoDayNoise:     0.15,
		TerritoryDayNoise:  0.05,
		ClosureProb:        0.005,
		OnTimeShare:        0.90,
		NeverShare:         0.05,
		MaxDelay:           5,
		UnderAscertainment: 2,
		DaysOffPerCase:     3,
		GradeFactor:        map[string]float64{Primaria: 1, Secondaria1: 1, Secondaria2: 0.5},
		PlessoWaveSD:       0.3,
		PlessoLagDays:      7,
		WaveScale:          1,
		BackgroundWeeks:    4,
		OnsetThreshold:     5,
		OnsetWeeks:         2,
		OutbreakFraction:   0.003,
	}
}

// Status of a plesso-day report.
type Status uint8

const (
	OnTime Status = iota // reported on the day
	Late                 // reported Delay school days later
	Never                // never reported
	Closed               // no lessons (closure): no absences to report
)

// PlessoSeries is one plesso's simulated season over its own lesson days.
type PlessoSeries struct {
	Plesso     Plesso
	BaseRate   float64 // drawn baseline illness absence rate
	WaveFactor float64 // grade factor times the per-plesso lognormal factor
	LagDays    int     // the plesso's wave timing offset (days)

	Dates []time.Time // lesson days of the plesso (calendario)
	Rows  []int       // row of each date in Simulation.Dates
	// Absent is the simulated number of absent pupils; NaN when closed.
	Absent []float64
	// Counts is what the portal receives in the end: Absent, or NaN when
	// closed or never reported.
	Counts []float64
	Status []Status
	// Delay is the reporting delay in territorial rows (0 on time, -1 when
	// never reported or closed).
	Delay []int
	// Expected is the expected absence rate before noise (baseline effects
	// plus wave); Attributable its wave part.
	Expected, Attributable []float64
}

// LateReport is a plesso-day that reaches the portal after its day.
type LateReport struct {
	Row, Arrival int // territorial rows: the day reported and the day it arrives
	Count        float64
	Iscritti     float64
}

// Truth is the ground truth of a simulated season.
type Truth struct {
	// Onset is the Monday of the onset week (zero when the season never
	// crosses the threshold); OnsetWeek that week; OnsetRow the first
	// territorial row on or after Onset (-1 when none).
	Onset     time.Time
	OnsetWeek Week
	OnsetRow  int
	// Peak is the Monday of the week with the highest incidence.
	Peak    time.Time
	PeakInc float64
	// Background is the (transformed) season's background incidence.
	Background float64
	// Incidence is the (transformed) inc_5-14 interpolated to each row's
	// date; Excess its excess over Background (the wave).
	Incidence, Excess []float64
	// Attributable is the expected wave-attributable absence rate of the
	// sample on each row: the enrolment-weighted mean over all plessi of
	// the sample of their attributable rate on that date (computed for
	// every plesso, whether or not it has lessons that day, so that a
	// Saturday with few 6-day plessi is judged like the days around it).
	Attributable []float64
	// Outbreak marks rows whose Attributable is >= Config.OutbreakFraction.
	Outbreak []bool
	// OnePointRow is the first row whose Attributable is >= OnePoint (-1
	// when none): the reference of the lead time.
	OnePointRow int
	// Disruption marks the rows of one- or two-day disruptions; Bump the
	// rows where a non-influenza bump adds at least 0.1 points.
	Disruption, Bump []bool
}

// HasOnset reports whether the season has an epidemic onset.
func (t Truth) HasOnset() bool { return !t.Onset.IsZero() }

// Simulation is one simulated school year of the sentinel sample.
type Simulation struct {
	Season     string // the InfluNet season simulated (before the transform)
	StartYear  int    // school year
	ShiftWeeks int    // total shift applied to the season
	Scale      float64

	// Dates are the territorial rows: every day on which at least one
	// plesso of the sample has lessons by its calendar (Mon-Fri, and
	// Saturdays when some plesso has a 6-day week), ascending.
	Dates []time.Time
	// Counts and Denominators are the territorial series as it stands once
	// every report that will ever arrive has arrived: the sum of absences
	// and of enrolled pupils over the reporting plessi. A row whose plessi
	// are all missing has 0/0 (Denominators 0 marks it missing).
	Counts, Denominators []float64
	// Late lists the reports that arrive after their day.
	Late   []LateReport
	Plessi []PlessoSeries
	Truth  Truth
}

// Vintage returns the territorial series as known at the end of row t
// (rows 0..t): reports still in transit at t are left out.
func (s Simulation) Vintage(t int) (counts, denominators []float64) {
	counts = append([]float64(nil), s.Counts[:t+1]...)
	denominators = append([]float64(nil), s.Denominators[:t+1]...)
	for _, l := range s.Late {
		if l.Row <= t && l.Arrival > t {
			counts[l.Row] -= l.Count
			denominators[l.Row] -= l.Iscritti
		}
	}
	return counts, denominators
}

// Rate returns the territorial absence rate of row i (NaN when missing).
func (s Simulation) Rate(i int) float64 {
	if s.Denominators[i] <= 0 {
		return math.NaN()
	}
	return s.Counts[i] / s.Denominators[i]
}

// Simulate simulates one school year of the sentinel sample with the
// influenza wave of season (transformed as cfg says), deterministically
// for a given seed. See Config for the model.
func Simulate(cfg Config, season Season, seed uint64) Simulation {
	r := newRand(seed, 1)
	shift := cfg.WaveShiftWeeks
	if cfg.RandomShiftWeeks > 0 {
		shift += r.IntN(2*cfg.RandomShiftWeeks+1) - cfg.RandomShiftWeeks
	}
	scale := cfg.WaveScale
	if cfg.RandomScaleSD > 0 {
		scale *= math.Exp(cfg.RandomScaleSD * r.NormFloat64())
	}
	tr := season.Transform(shift, scale)
	ex := tr.Excess(cfg.BackgroundWeeks)
	raw := newCurve(tr)
	cur := newCurve(ex)
	sim := Simulation{Season: season.Name, StartYear: season.StartYear, ShiftWeeks: shift, Scale: scale}

	// Calendars and the territorial rows.
	annos := make([][]time.Time, len(cfg.Plessi))
	rowOf := map[int]int{}
	var all []int
	for i, p := range cfg.Plessi {
		a := calendario.PerAnno(season.StartYear, calendario.Opzioni{SeiGiorni: p.SeiGiorni})
		annos[i] = a.GiorniScolastici()
		for _, d := range annos[i] {
			k := epochDay(d)
			if _, ok := rowOf[k]; !ok {
				rowOf[k] = 0
				all = append(all, k)
			}
		}
	}
	sort.Ints(all)
	n := len(all)
	sim.Dates = make([]time.Time, n)
	for i, k := range all {
		rowOf[k] = i
		sim.Dates[i] = time.Unix(int64(k)*86400, 0).UTC()
	}
	sim.Counts = make([]float64, n)
	sim.Denominators = make([]float64, n)

	// Territory-wide daily factor.
	terr := make([]float64, n)
	var ar float64
	for i := range terr {
		terr[i] = lognormal1(r, cfg.TerritoryDayNoise)
		if cfg.AR1SD > 0 {
			e := cfg.AR1SD * math.Sqrt(1-cfg.AR1Phi*cfg.AR1Phi) * r.NormFloat64()
			if i == 0 {
				ar = cfg.AR1SD * r.NormFloat64()
			} else {
				ar = cfg.AR1Phi*ar + e
			}
			terr[i] *= math.Exp(ar - cfg.AR1SD*cfg.AR1SD/2)
		}
	}
	// Bumps and disruptions: absolute additions to every plesso's rate.
	extra := make([]float64, n)
	disr := make([]bool, n)
	bump := make([]bool, n)
	for b := 0; b < cfg.Bumps && n > 30; b++ {
		h := cfg.BumpMin + (cfg.BumpMax-cfg.BumpMin)*r.Float64()
		dur := 10 + r.IntN(11)
		st := r.IntN(n - dur)
		for j := 0; j < dur; j++ {
			sn := math.Sin(math.Pi * float64(j+1) / float64(dur+1))
			extra[st+j] += h * sn * sn
			bump[st+j] = bump[st+j] || h*sn*sn >= 0.001
		}
	}
	for b := 0; b < cfg.Disruptions && n > 10; b++ {
		h := cfg.DisruptMin + (cfg.DisruptMax-cfg.DisruptMin)*r.Float64()
		st := 5 + r.IntN(n-10)
		ln := 1 + r.IntN(2)
		for j := st; j < st+ln; j++ {
			extra[j] += h
			disr[j] = true
		}
	}

	jan15 := epochDay(time.Date(season.StartYear+1, time.January, 15, 0, 0, 0, 0, time.UTC))

	for i, p := range cfg.Plessi {
		pr := newRand(Seed(seed, uint64(i)), 2)
		ps := PlessoSeries{Plesso: p}
		ps.BaseRate = cfg.BaseRateMin + (cfg.BaseRateMax-cfg.BaseRateMin)*pr.Float64()
		if cfg.NetworkSeed != 0 {
			nr := newRand(Seed(cfg.NetworkSeed, uint64(i)), 3)
			ps.BaseRate = cfg.BaseRateMin + (cfg.BaseRateMax-cfg.BaseRateMin)*nr.Float64()
		}
		ps.WaveFactor = cfg.GradeFactor[p.Grado] * lognormal1(pr, cfg.PlessoWaveSD)
		if cfg.PlessoLagDays > 0 {
			ps.LagDays = pr.IntN(2*cfg.PlessoLagDays+1) - cfg.PlessoLagDays
		}
		dow := weekdayFactors(cfg.Weekday, p.SeiGiorni)
		perWeek := 5.0
		if p.SeiGiorni {
			perWeek = 6
		}
		days := annos[i]
		m := len(days)
		ps.Dates = days
		ps.Rows = make([]int, m)
		ps.Absent = make([]float64, m)
		ps.Counts = make([]float64, m)
		ps.Status = make([]Status, m)
		ps.Delay = make([]int, m)
		ps.Expected = make([]float64, m)
		ps.Attributable = make([]float64, m)
		nIsc := float64(p.Iscritti)
		for j, d := range days {
			k := epochDay(d)
			row := rowOf[k]
			ps.Rows[j] = row
			base := ps.BaseRate * dow[d.Weekday()]
			base *= 1 + cfg.SeasonalAmplitude*math.Cos(2*math.Pi*float64(k-jan15)/365.25)
			if j+1 < m && breakBetween(d, days[j+1], p.SeiGiorni) {
				base *= cfg.PreHoliday
			}
			if j > 0 && breakBetween(days[j-1], d, p.SeiGiorni) {
				base *= cfg.PostHoliday
			}
			attr := cfg.UnderAscertainment * cur.at(k-ps.LagDays) / 1000 * cfg.DaysOffPerCase / perWeek * ps.WaveFactor
			if cfg.Wave != nil {
				attr = cfg.Wave(k-ps.LagDays) * ps.WaveFactor
			}
			ps.Expected[j] = base + attr
			ps.Attributable[j] = attr

			if pr.Float64() < cfg.ClosureProb {
				ps.Status[j] = Closed
				ps.Delay[j] = -1
				ps.Absent[j] = math.NaN()
				ps.Counts[j] = math.NaN()
				continue
			}
			prob := math.Min(0.9, ps.Expected[j]*lognormal1(pr, cfg.PlessoDayNoise)*terr[row]+extra[row])
			x := float64(binomial(pr, p.Iscritti, prob))
			ps.Absent[j] = x
			u := pr.Float64()
			switch {
			case u < cfg.OnTimeShare:
				ps.Status[j] = OnTime
			case u < 1-cfg.NeverShare && cfg.MaxDelay > 0:
				ps.Status[j] = Late
				ps.Delay[j] = 1 + pr.IntN(cfg.MaxDelay)
			default:
				ps.Status[j] = Never
				ps.Delay[j] = -1
				ps.Counts[j] = math.NaN()
				continue
			}
			ps.Counts[j] = x
			sim.Counts[row] += x
			sim.Denominators[row] += nIsc
			if ps.Delay[j] > 0 {
				sim.Late = append(sim.Late, LateReport{Row: row, Arrival: row + ps.Delay[j], Count: x, Iscritti: nIsc})
			}
		}
		sim.Plessi = append(sim.Plessi, ps)
	}

	// Ground truth.
	t := Truth{
		OnsetRow: -1, OnePointRow: -1, Background: tr.Background(cfg.BackgroundWeeks),
		Disruption: disr, Bump: bump,
		Incidence: make([]float64, n), Excess: make([]float64, n),
		Attributable: make([]float64, n), Outbreak: make([]bool, n),
	}
	for i, k := range all {
		t.Incidence[i] = raw.at(k)
		t.Excess[i] = cur.at(k)
		var num, den float64
		for _, ps := range sim.Plessi {
			perWeek := 5.0
			if ps.Plesso.SeiGiorni {
				perWeek = 6
			}
			nIsc := float64(ps.Plesso.Iscritti)
			if cfg.Wave != nil {
				num += nIsc * cfg.Wave(k-ps.LagDays) * ps.WaveFactor
			} else {
				num += nIsc * cfg.UnderAscertainment * cur.at(k-ps.LagDays) / 1000 * cfg.DaysOffPerCase / perWeek * ps.WaveFactor
			}
			den += nIsc
		}
		if den > 0 {
			t.Attributable[i] = num / den
		}
		t.Outbreak[i] = t.Attributable[i] > 0 && t.Attributable[i] >= cfg.OutbreakFraction
		if t.OnePointRow < 0 && t.Attributable[i] >= OnePoint {
			t.OnePointRow = i
		}
	}
	if cfg.Wave != nil {
		if t.OnePointRow >= 0 {
			t.OnsetRow = t.OnePointRow
			t.Onset = sim.Dates[t.OnePointRow]
			t.OnsetWeek.Year, t.OnsetWeek.Week = t.Onset.ISOWeek()
		}
	} else if on, w, ok := ex.Onset(cfg.OnsetThreshold, cfg.OnsetWeeks); ok {
		t.Onset, t.OnsetWeek = on, w
		for i, d := range sim.Dates {
			if !d.Before(on) {
				t.OnsetRow = i
				break
			}
		}
	}
	if pk, ok := tr.Peak(); ok {
		t.Peak, t.PeakInc = pk.Monday(), pk.Inc
	}
	sim.Truth = t
	return sim
}

// weekdayFactors rescales the weekday multipliers to average 1 over the
// plesso's lesson weekdays (all ones when w is all zero).
func weekdayFactors(w [7]float64, sei bool) [7]float64 {
	days := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	if sei {
		days = append(days, time.Saturday)
	}
	var sum float64
	for _, d := range days {
		sum += w[d]
	}
	var out [7]float64
	for _, d := range days {
		if sum == 0 {
			out[d] = 1
		} else {
			out[d] = w[d] * float64(len(days)) / sum
		}
	}
	return out
}

// breakBetween reports whether the gap between two consecutive lesson days
// a < b of a plesso contains a weekday on which it would normally have
// lessons (Monday-Friday, or Monday-Saturday for a 6-day week).
func breakBetween(a, b time.Time, sei bool) bool {
	for d := a.AddDate(0, 0, 1); d.Before(b); d = d.AddDate(0, 0, 1) {
		switch d.Weekday() {
		case time.Sunday:
			continue
		case time.Saturday:
			if !sei {
				continue
			}
		}
		return true
	}
	return false
}

// lognormal1 draws a mean-one lognormal factor with log-sd sigma.
func lognormal1(r *rand.Rand, sigma float64) float64 {
	if sigma <= 0 {
		return 1
	}
	return math.Exp(sigma*r.NormFloat64() - sigma*sigma/2)
}

// binomial draws Binomial(n, p) exactly by inversion when n*p is moderate
// and by a rounded normal approximation when n*min(p,1-p) > 200.
func binomial(r *rand.Rand, n int, p float64) int {
	if n <= 0 || !(p > 0) {
		return 0
	}
	if p >= 1 {
		return n
	}
	if p > 0.5 {
		return n - binomial(r, n, 1-p)
	}
	q := 1 - p
	np := float64(n) * p
	if np > 200 {
		x := math.Round(np + math.Sqrt(np*q)*r.NormFloat64())
		return int(math.Max(0, math.Min(float64(n), x)))
	}
	s := p / q
	a := float64(n+1) * s
	f := math.Pow(q, float64(n))
	u := r.Float64()
	x := 0
	for u > f {
		u -= f
		x++
		if x >= n {
			return n
		}
		f *= a/float64(x) - s
	}
	return x
}
