// Package detect implements statistical aberration detectors for daily
// absence counts as pure functions on slices (no database, no I/O).
//
// The detectors reproduce the R package surveillance (version 1.20.3 was
// used as the reference) number for number, so results can be checked
// against the epidemiological literature's reference implementation:
//
//   - EarsC1, EarsC2, EarsC3: surveillance::earsC with method "C1", "C2",
//     "C3" (R's own C3 definition, see EarsC3).
//   - EarsC3CDC: the textbook CDC C3 statistic, which R does not implement.
//   - Cusum: surveillance::algo.cusum with trans = "standard".
//   - CusumReset: Cusum whose cumulative sum restarts at 0 after an alarm.
//   - Farrington: surveillance::farringtonFlexible for weekly series with
//     dates (reference weeks found by date, as R does with epochAsDate),
//     with FarringtonDefault and FarringtonNoufaily controls.
//   - EWMA (ESSENCE-style), Sasaki rate thresholds ("rate") and a
//     day-of-week baseline ("dow"), which have no R reference here.
//
// Methods are registered by name (register.go) for the detect command,
// whose CSV contract is in csvio.go; "default" is the portal's setting.
//
// Every detector returns a Result aligned with its input: row i of the
// result describes counts[i]. Rows the method cannot evaluate (the
// baseline/reference rows, or rows where R itself yields NaN/NA) have
// Valid[i] == false and Alarm[i] == false.
//
// The R comparison tests (TestEars_MatchesR, TestCusum_MatchesR) run
// testdata/compare.R through Rscript and are skipped when Rscript or the
// surveillance package is missing.
package detect
