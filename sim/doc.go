// Package sim simulates the absences reported by a sentinel sample of
// plessi over a Lombardy school year, with an influenza wave shaped by the
// InfluNet school-age incidence (inc_5-14) of a real season, so that the
// detectors of package detect can be scored against a known truth
// (package evaluate).
//
// The package is pure: no I/O except parsers that read from an io.Reader
// (LoadInfluNet, LoadPlessi); randomness comes only from math/rand/v2 PCG
// generators seeded by the caller, so a (Config, Season, seed) triple always
// gives the same Simulation.
//
// The model, per plesso and lesson day d (calendario.PerAnno of the school
// year, Mon-Fri or Mon-Sat):
//
//	rate = base * weekday * winter * holiday + wave
//	absent ~ Binomial(iscritti, rate * plessoDayNoise * territoryDayNoise)
//
// then a closure (missing), an on-time, late or never-arriving report. The
// territorial series is the sum over reporting plessi of absences and of
// enrolled pupils. Config documents every parameter; DefaultConfig gives
// the values used in docs/detection.md, all of them assumptions.
//
// Ground truth: the epidemic onset is the Monday of the first ISO week in
// which the season's inc_5-14 is >= Config.OnsetThreshold (5 per 1,000) in
// that and the next OnsetWeeks-1 weeks (2 consecutive weeks); outbreak
// days are lesson days whose expected wave-attributable absence of the
// sample is >= Config.OutbreakFraction (0.3% of pupils).
package sim
