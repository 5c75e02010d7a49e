package detect

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// defaultMethod and defaultParams are what "default" runs: the
// configuration the portal uses for its daily series, chosen in
// docs/detection.md §8 on the development years of a world the project did
// not write (shared/valutazione) beside the project's own simulator: the
// model "livello" with its own defaults (DefaultLivelloParams).
// Parameters given on the command line override these.
const defaultMethod = "livello"

var defaultParams = Params{}

// DefaultCusumRef is the reference length used by "cusum" and "cusum-reset"
// when the parameter ref is not given. R's algo.cusum has no default range;
// 28 rows are about five and a half school weeks (or 28 weeks for a weekly
// series), the same length as the ESSENCE/EWMA baseline.
const DefaultCusumRef = 28

// The methods registered here. farrington.go registers "farrington" itself.
func init() {
	register("ears-c1", earsMethod("ears-c1", EarsC1, 0.001, true))
	register("ears-c2", earsMethod("ears-c2", EarsC2, 0.001, true))
	register("ears-c3", earsMethod("ears-c3", EarsC3, 0.025, true))
	register("ears-c3-cdc", earsMethod("ears-c3-cdc", EarsC3CDC, 0, false))
	register("cusum", cusumMethod("cusum", Cusum))
	register("cusum-reset", cusumMethod("cusum-reset", CusumReset))
	register("ewma", ewmaMethod)
	register("rate", rateMethod)
	register("dow", dowMethod)
	register("default", func(s Series, p Params) (Result, error) {
		m, ok := Lookup(defaultMethod)
		if !ok {
			return Result{}, fmt.Errorf("default: il metodo %q non è registrato", defaultMethod)
		}
		merged := Params{}
		for k, v := range defaultParams {
			merged[k] = v
		}
		for k, v := range p {
			merged[k] = v
		}
		r, err := m(s, merged)
		if err != nil {
			return Result{}, fmt.Errorf("default (= %s): %w", defaultMethod, err)
		}
		return r, nil
	})
}

// allowParams rejects parameter names outside allowed, naming the method
// and the admitted names (sorted) in the message.
func allowParams(method string, p Params, allowed ...string) error {
	ok := make(map[string]bool, len(allowed))
	for _, a := range allowed {
		ok[a] = true
	}
	names := make([]string, 0, len(p))
	for k := range p {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !ok[k] {
			adm := append([]string(nil), allowed...)
			sort.Strings(adm)
			list := strings.Join(adm, ", ")
			if list == "" {
				list = "nessuno"
			}
			return fmt.Errorf("parametro sconosciuto %q per %s; ammessi: %s", k, method, list)
		}
	}
	return nil
}

func finiteVal(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// probabilityParam reads a probability in the open interval (0, 1).
func probabilityParam(method string, p Params, name string, def float64) (float64, error) {
	v, err := p.Float(name, def)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", method, err)
	}
	if !(v > 0 && v < 1) {
		return 0, fmt.Errorf("%s: parametro %s = %v fuori da (0, 1)", method, name, v)
	}
	return v, nil
}

// sigmaFloorParam reads a finite, non-negative standard-deviation floor.
func sigmaFloorParam(method string, p Params, def float64) (float64, error) {
	v, err := p.Float("minSigma", def)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", method, err)
	}
	if !(v >= 0) || math.IsInf(v, 1) {
		return 0, fmt.Errorf("%s: parametro minSigma = %v deve essere finito e >= 0", method, v)
	}
	return v, nil
}

// earsMethod adapts an EARS detector. Parameters as in R's earsC control
// list: baseline (default 7, >= 3), minSigma (default 0), alpha (default
// defAlpha: 0.001 for C1/C2, 0.025 for C3, as earsC chooses when alpha is
// not given). EarsC3CDC has a fixed threshold, so it takes no alpha.
func earsMethod(name string, f func([]float64, EarsParams) Result, defAlpha float64, hasAlpha bool) Method {
	allowed := []string{"baseline", "minSigma"}
	if hasAlpha {
		allowed = append(allowed, "alpha")
	}
	return func(s Series, p Params) (Result, error) {
		if err := allowParams(name, p, allowed...); err != nil {
			return Result{}, err
		}
		var ep EarsParams
		var err error
		if ep.Baseline, err = p.Int("baseline", 7); err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
		if ep.Baseline < 3 {
			return Result{}, fmt.Errorf("%s: parametro baseline = %d, il minimo è 3", name, ep.Baseline)
		}
		if ep.MinSigma, err = sigmaFloorParam(name, p, 0); err != nil {
			return Result{}, err
		}
		if hasAlpha {
			if ep.Alpha, err = probabilityParam(name, p, "alpha", defAlpha); err != nil {
				return Result{}, err
			}
		}
		if err := ep.Validate(); err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
		return f(s.Counts, ep), nil
	}
}

// cusumMethod adapts Cusum/CusumReset. Parameters as in R's algo.cusum
// control list with trans = "standard": k (default 1.04), h (default 2.26),
// m (default NULL: the mean of the reference rows; "NULL" is accepted), and
// ref, the number of initial rows used as the reference period (default
// DefaultCusumRef = 28), which stands for R's range = (ref+1):n.
func cusumMethod(name string, f func([]float64, CusumParams) Result) Method {
	return func(s Series, p Params) (Result, error) {
		if err := allowParams(name, p, "h", "k", "m", "ref"); err != nil {
			return Result{}, err
		}
		cp := DefaultCusumParams(DefaultCusumRef)
		var err error
		if cp.Ref, err = p.Int("ref", DefaultCusumRef); err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
		if cp.Ref < 1 {
			return Result{}, fmt.Errorf("%s: parametro ref = %d, servono almeno 1 riga di riferimento", name, cp.Ref)
		}
		if cp.K, err = p.Float("k", cp.K); err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
		if cp.H, err = p.Float("h", cp.H); err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
		if !finiteVal(cp.K) || !finiteVal(cp.H) {
			return Result{}, fmt.Errorf("%s: i parametri k e h devono essere numeri finiti", name)
		}
		if v, ok := p["m"]; ok && v != "NULL" {
			m, err := p.Float("m", 0)
			if err != nil {
				return Result{}, fmt.Errorf("%s: %w", name, err)
			}
			if !finiteVal(m) || m < 0 {
				return Result{}, fmt.Errorf("%s: parametro m = %v deve essere finito e >= 0", name, m)
			}
			cp.M = &m
		}
		if err := cp.Validate(); err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
		return f(s.Counts, cp), nil
	}
}

// ewmaMethod: parameters lambda (0.4), baseline (28), guard (2), alpha
// (0.01), minSigma (0.5); see Ewma.
func ewmaMethod(s Series, p Params) (Result, error) {
	const name = "ewma"
	if err := allowParams(name, p, "alpha", "baseline", "guard", "lambda", "minSigma"); err != nil {
		return Result{}, err
	}
	ep := DefaultEwmaParams()
	var err error
	if ep.Lambda, err = p.Float("lambda", ep.Lambda); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	if ep.Baseline, err = p.Int("baseline", ep.Baseline); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	if ep.Guard, err = p.Int("guard", ep.Guard); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	if ep.Alpha, err = probabilityParam(name, p, "alpha", ep.Alpha); err != nil {
		return Result{}, err
	}
	if ep.MinSigma, err = sigmaFloorParam(name, p, ep.MinSigma); err != nil {
		return Result{}, err
	}
	if err := ep.Validate(); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	return Ewma(s.Counts, ep), nil
}

// rateMethod: parameters r1 (0.05), r2 (0.04), r3 (0.03); needs the
// denominator column. See RateThresholds.
func rateMethod(s Series, p Params) (Result, error) {
	const name = "rate"
	if err := allowParams(name, p, "r1", "r2", "r3"); err != nil {
		return Result{}, err
	}
	if s.Denominators == nil {
		return Result{}, fmt.Errorf("%s: serve la colonna denominator (iscritti o presenti attesi) per calcolare il tasso di assenza", name)
	}
	rp := DefaultRateParams()
	var err error
	for _, q := range []struct {
		name string
		v    *float64
	}{{"r1", &rp.R1}, {"r2", &rp.R2}, {"r3", &rp.R3}} {
		if *q.v, err = p.Float(q.name, *q.v); err != nil {
			return Result{}, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := rp.Validate(); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	return RateThresholds(s.Counts, s.Denominators, rp)
}

// dowMethod: parameters weeks (4), alpha (0.001), minSigma (0); see
// DowBaseline.
func dowMethod(s Series, p Params) (Result, error) {
	const name = "dow"
	if err := allowParams(name, p, "alpha", "minSigma", "weeks"); err != nil {
		return Result{}, err
	}
	dp := DefaultDowParams()
	var err error
	if dp.Weeks, err = p.Int("weeks", dp.Weeks); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	if dp.Alpha, err = probabilityParam(name, p, "alpha", dp.Alpha); err != nil {
		return Result{}, err
	}
	if dp.MinSigma, err = sigmaFloorParam(name, p, dp.MinSigma); err != nil {
		return Result{}, err
	}
	if err := dp.Validate(); err != nil {
		return Result{}, fmt.Errorf("%s: %w", name, err)
	}
	return DowBaseline(s.Dates, s.Counts, dp)
}
