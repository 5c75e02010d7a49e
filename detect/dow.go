package detect

import (
	"fmt"
	"math"
	"time"
)

// DowParams configures DowBaseline.
type DowParams struct {
	// Weeks is how many previous occurrences of the same weekday form the
	// baseline (>= 2, so that a standard deviation exists).
	Weeks int
	// Alpha is the one-sided false-alarm probability; the threshold uses
	// NormalQuantile(1-Alpha), as EARS C1/C2.
	Alpha float64
	// MinSigma is a floor for the baseline standard deviation, as EARS.
	MinSigma float64
}

// DefaultDowParams returns weeks 4, alpha 0.001 and minSigma 0 (the EARS
// C1/C2 defaults of R's earsC for alpha and minSigma).
func DefaultDowParams() DowParams { return DowParams{Weeks: 4, Alpha: 0.001, MinSigma: 0} }

// Validate reports unusable parameters.
func (p DowParams) Validate() error {
	if p.Weeks < 2 {
		return fmt.Errorf("parametro weeks = %d, il minimo è 2", p.Weeks)
	}
	if !(p.Alpha > 0 && p.Alpha < 1) {
		return fmt.Errorf("parametro alpha = %v fuori da (0, 1)", p.Alpha)
	}
	if !(p.MinSigma >= 0) || math.IsInf(p.MinSigma, 1) {
		return fmt.Errorf("parametro minSigma = %v deve essere finito e >= 0", p.MinSigma)
	}
	return nil
}

// DowBaseline is a day-of-week-aware baseline for daily series: absences
// differ by weekday (Mondays and Fridays are not like Wednesdays), which a
// baseline of the previous consecutive days ignores. Stratifying the
// baseline by weekday is one of the modifications studied by Tokars et al.,
// "Enhancing time-series detection algorithms for automated
// biosurveillance", Emerg Infect Dis 15(4), 2009 (they split weekdays from
// weekends; here each weekday is its own stratum, since schools are open
// on weekdays only).
//
// Row t is judged against the previous p.Weeks rows that fall on the same
// weekday as dates[t], found by date: holidays and closures are simply
// absent rows, so the baseline of a Monday after a holiday Monday is the
// p.Weeks Mondays before it that are in the series, however far back. With
// their mean mu_t and sd s_t (R's sd, n-1):
//
//	UpperBound_t = mu_t + z*max(s_t, MinSigma),  z = NormalQuantile(1-Alpha)
//	Alarm_t      = counts[t] > UpperBound_t
//	Statistic_t  = (counts[t] - mu_t)/max(s_t, MinSigma)
//
// Expected is mu_t. Rows with fewer than p.Weeks earlier occurrences of
// their weekday are not valid, nor are rows whose UpperBound is NaN.
// The weekday is that of each date in its own location (ReadCSV yields
// UTC midnights). It returns an error if dates and counts differ
// in length or the dates are not strictly increasing.
func DowBaseline(dates []time.Time, counts []float64, p DowParams) (Result, error) {
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	if len(dates) != len(counts) {
		return Result{}, fmt.Errorf("dow: %d date per %d conteggi", len(dates), len(counts))
	}
	n := len(counts)
	res := newResult(n)
	z := NormalQuantile(1 - p.Alpha)
	var seen [7][]int // row indices by weekday, in order
	base := make([]float64, p.Weeks)
	for t := range n {
		if t > 0 && !dates[t].After(dates[t-1]) {
			return Result{}, fmt.Errorf("dow: riga %d: date non in ordine crescente", t+1)
		}
		wd := dates[t].Weekday()
		prev := seen[wd]
		seen[wd] = append(seen[wd], t)
		if len(prev) < p.Weeks {
			continue
		}
		for j, i := range prev[len(prev)-p.Weeks:] {
			base[j] = counts[i]
		}
		mu, sd := meanSD(base)
		sigma := math.Max(sd, p.MinSigma)
		ub := mu + z*sigma
		res.Expected[t] = mu
		res.UpperBound[t] = ub
		res.Statistic[t] = (counts[t] - mu) / sigma
		if math.IsNaN(ub) {
			continue
		}
		res.Valid[t] = true
		res.Alarm[t] = counts[t] > ub
	}
	return res, nil
}
