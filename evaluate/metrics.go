package evaluate

import (
	"math"
	"sort"
	"time"
)

// The ATQ family of alarm metrics.
//
// Sources. Vanderkruk K, Deeth L, Feng Z et al., "ATQ: alert time quality,
// an evaluation metric for assessing timely epidemic detection models
// within a school absenteeism-based surveillance system", BMC Public Health
// 23:850 (2023), doi:10.1186/s12889-023-15747-z (abstract read; the full
// text was not available to us), building on Ward MA et al., "Methods for
// detecting seasonal influenza epidemics using a school absenteeism
// surveillance system", BMC Public Health 19:1375 (2019),
// doi:10.1186/s12889-019-7521-7, which introduced FAR and ADD. The
// formulas below were taken from the code of the authors' R package ATQ
// (CRAN 0.2.x, github.com/vjoshy/ATQ_Surveillance_Package, files
// R/eval_metrics.R and R/eval_alarm_metrics.R: calc.FAR, calc.ADD,
// calc.ATQ, calc.AATQ, calc.FATQ, calc.metric.region), read in source.
//
// Per season, with the reference date r (the epidemic onset; in the R
// package the first day with >1 laboratory-confirmed case in 7 days) and
// only the days up to and including r (the R code drops later days,
// "only consider alarms prior to the reference date"):
//
//   - the true-alarm window is the Window = 14 days before r, r included
//     (R: window = 1 for Date in [r-14, r]); a true alarm is an alarm in the
//     window, a false alarm an alarm before it;
//   - FAR = F/(F+1) if there is at least one true alarm, else 1 (only the
//     first true alarm counts: it is the one that matters);
//   - ADD ("added days delayed" in 0.1, "accumulated days delayed" in 0.2)
//     = |Topt - (r - first true alarm)| in days with Topt = 14, or, with no
//     true alarm, tmax = the days from the first day of the series to r
//     (R: refdate - 1 with days numbered from 1);
//   - ATQ of an alarm on day d: with x = d - (r - Topt), the days after the
//     optimal alarm day, ATQ = min(1, (|x|/21)^2) when x < 0 (too early) and
//     (x/21)^4 when x >= 0 (late, at most 14 days, so at most 0.198);
//   - AATQ = mean ATQ of the season's alarms (1 with no alarm); FATQ = ATQ
//     of the first alarm (1 with no alarm);
//   - overall values are the means over seasons (calc.metric.region); the
//     weighted WAATQ/WFATQ (weights increasing with the school year) are
//     not computed: simulated seasons have no order.
//
// Where we were unsure or deviate:
//
//   - the R comments call power 4 the "true alarm power ... for alarms
//     raised before optimal alarm day" and power 2 the one "after", but the
//     code applies power 2 to alarms before the optimal day (x < 0) and
//     power 4 after it; we follow the code. Days are calendar days (R
//     subtracts Dates), not school days.
//   - a season without a reference date: calc.metric.region would give
//     FAR = 1 and ADD = Inf; we use the rule of the package's catchment
//     version (calc.metric.catchment): FAR = ADD = AATQ = FATQ = 1 if the
//     season has any alarm, 0 if it has none.
//   - ATQ, reported as a single number, is the mean ATQ over all alarms of
//     all seasons pooled (AATQ averages per season first).

// ATQParams are the constants of the ATQ metrics; DefaultATQParams gives the
// R package's values.
type ATQParams struct {
	Topt     int     // optimal alarm: Topt days before the reference date (14)
	Window   int     // true alarms: within Window days before the reference date (14)
	Denom    float64 // ATQ scale in days (21)
	EarlyPow float64 // power for alarms before the optimal day (2, "fa.pow")
	LatePow  float64 // power for alarms on or after the optimal day (4, "ta.pow")
}

// DefaultATQParams returns the values hard-coded in ATQ 0.2.x.
func DefaultATQParams() ATQParams {
	return ATQParams{Topt: 14, Window: 14, Denom: 21, EarlyPow: 2, LatePow: 4}
}

// Truth is what a season's alarms are judged against.
type Truth struct {
	// Dates of the rows (school days), ascending; alarms are aligned.
	Dates []time.Time
	// Reference is the epidemic onset (the ATQ reference date); zero when
	// the season has no epidemic.
	Reference time.Time
	// Outbreak marks the rows of the outbreak, for sensitivity and lead
	// time (not part of the ATQ family); nil means none.
	Outbreak []bool
}

// SeasonScore are one season's metrics.
type SeasonScore struct {
	HasReference bool
	// ATQ family (see the package comment).
	FAR, ADD, AATQ, FATQ float64
	// ATQ of each alarm up to the reference date, in order.
	ATQ                     []float64
	TrueAlarms, FalseAlarms int
	// HasOutbreak: some row is an outbreak row; Detected: some alarm falls on
	// an outbreak row (anywhere in the season).
	HasOutbreak, Detected bool
	// Lead is OnsetRow - first alarm on an outbreak row, in rows (school
	// days): positive before the onset. HasLead needs both.
	Lead    int
	HasLead bool
	// FalseDays are alarms on non-outbreak rows, out of NonOutbreakDays.
	FalseDays, NonOutbreakDays int
}

func days(a, b time.Time) float64 { return math.Round(b.Sub(a).Hours() / 24) }

// Score computes one season's metrics. alarms[i] is the alarm on
// truth.Dates[i]; it panics if the lengths differ.
func Score(alarms []bool, truth Truth, p ATQParams) SeasonScore {
	if len(alarms) != len(truth.Dates) || (truth.Outbreak != nil && len(truth.Outbreak) != len(alarms)) {
		panic("evaluate: alarms, dates and outbreak rows differ in length")
	}
	var s SeasonScore
	// Outbreak-based measures over the whole season.
	firstTrue := -1
	for i, a := range alarms {
		ob := truth.Outbreak != nil && truth.Outbreak[i]
		if ob {
			s.HasOutbreak = true
			if a && firstTrue < 0 {
				firstTrue = i
			}
		} else {
			s.NonOutbreakDays++
			if a {
				s.FalseDays++
			}
		}
	}
	s.Detected = firstTrue >= 0

	ref := truth.Reference
	if ref.IsZero() {
		any := false
		for _, a := range alarms {
			any = any || a
		}
		if any {
			s.FAR, s.ADD, s.AATQ, s.FATQ = 1, 1, 1, 1
		}
		return s
	}
	s.HasReference = true
	onsetRow := -1
	for i, d := range truth.Dates {
		if !d.Before(ref) {
			onsetRow = i
			break
		}
	}
	if onsetRow >= 0 && firstTrue >= 0 {
		s.Lead, s.HasLead = onsetRow-firstTrue, true
	}

	firstWindowAlarm := time.Time{}
	for i, d := range truth.Dates {
		if d.After(ref) {
			break
		}
		if !alarms[i] {
			continue
		}
		before := days(d, ref) // days from d to the reference date
		if before <= float64(p.Window) {
			s.TrueAlarms++
			if firstWindowAlarm.IsZero() {
				firstWindowAlarm = d
			}
		} else {
			s.FalseAlarms++
		}
		x := float64(p.Topt) - before // days after the optimal alarm day
		var q float64
		if x < 0 {
			q = math.Min(1, math.Pow(-x/p.Denom, p.EarlyPow))
		} else {
			q = math.Pow(x/p.Denom, p.LatePow)
		}
		s.ATQ = append(s.ATQ, q)
	}
	if s.TrueAlarms > 0 {
		s.FAR = float64(s.FalseAlarms) / float64(s.FalseAlarms+1)
		s.ADD = math.Abs(float64(p.Topt) - days(firstWindowAlarm, ref))
	} else {
		s.FAR = 1
		if len(truth.Dates) > 0 {
			s.ADD = days(truth.Dates[0], ref)
		}
	}
	if len(s.ATQ) == 0 {
		s.AATQ, s.FATQ = 1, 1
	} else {
		var sum float64
		for _, q := range s.ATQ {
			sum += q
		}
		s.AATQ = sum / float64(len(s.ATQ))
		s.FATQ = s.ATQ[0]
	}
	return s
}

// Metrics summarise a detector setting over many seasons.
type Metrics struct {
	Seasons int // seasons scored
	// Means over seasons of the ATQ family; ATQ is pooled over alarms
	// (NaN when no season has an alarm up to its reference date).
	FAR, ADD, ATQ, AATQ, FATQ float64
	// AATQSE and FATQSE are the standard errors of the AATQ and FATQ means
	// (sd/sqrt(Seasons)).
	AATQSE, FATQSE float64
	// Sensitivity is the share of seasons with outbreak rows in which some
	// alarm fell on an outbreak row (NaN when no season has an outbreak).
	Sensitivity float64
	// FalseDayRate is the share of non-outbreak rows with an alarm.
	FalseDayRate float64
	// LeadMedian, LeadQ1, LeadQ3 summarise the lead time in school days of
	// the first alarm on an outbreak row before the onset (negative =
	// after), over the LeadN seasons with both; NaN when LeadN is 0.
	LeadMedian, LeadQ1, LeadQ3 float64
	LeadN                      int
}

// Summarize averages season scores as calc.metric.region does (plain
// means over seasons) and adds sensitivity, false-alarm days and lead time.
func Summarize(scores []SeasonScore) Metrics {
	m := Metrics{Seasons: len(scores)}
	if len(scores) == 0 {
		nan := math.NaN()
		m.FAR, m.ADD, m.ATQ, m.AATQ, m.FATQ, m.Sensitivity, m.FalseDayRate = nan, nan, nan, nan, nan, nan, nan
		m.AATQSE, m.FATQSE = nan, nan
		m.LeadMedian, m.LeadQ1, m.LeadQ3 = nan, nan, nan
		return m
	}
	var atqSum float64
	var atqN, withOB, detected, fd, nod int
	var leads []float64
	for _, s := range scores {
		m.FAR += s.FAR
		m.ADD += s.ADD
		m.AATQ += s.AATQ
		m.FATQ += s.FATQ
		for _, q := range s.ATQ {
			atqSum += q
			atqN++
		}
		if s.HasOutbreak {
			withOB++
			if s.Detected {
				detected++
			}
		}
		fd += s.FalseDays
		nod += s.NonOutbreakDays
		if s.HasLead {
			leads = append(leads, float64(s.Lead))
		}
	}
	n := float64(len(scores))
	m.FAR /= n
	m.ADD /= n
	m.AATQ /= n
	m.FATQ /= n
	m.AATQSE = stderr(scores, m.AATQ, func(s SeasonScore) float64 { return s.AATQ })
	m.FATQSE = stderr(scores, m.FATQ, func(s SeasonScore) float64 { return s.FATQ })
	m.ATQ = ratio(atqSum, float64(atqN))
	m.Sensitivity = ratio(float64(detected), float64(withOB))
	m.FalseDayRate = ratio(float64(fd), float64(nod))
	m.LeadN = len(leads)
	m.LeadMedian, m.LeadQ1, m.LeadQ3 = quantile(leads, 0.5), quantile(leads, 0.25), quantile(leads, 0.75)
	return m
}

// stderr is the standard error of a mean over seasons (NaN for fewer than 2).
func stderr(scores []SeasonScore, mean float64, f func(SeasonScore) float64) float64 {
	n := len(scores)
	if n < 2 {
		return math.NaN()
	}
	var ss float64
	for _, s := range scores {
		d := f(s) - mean
		ss += d * d
	}
	return math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// quantile is R's default (type 7) sample quantile; NaN for no data.
func quantile(x []float64, p float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	h := float64(len(s)-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(s) {
		return s[i]
	}
	return s[i] + (h-lo)*(s[i+1]-s[i])
}
