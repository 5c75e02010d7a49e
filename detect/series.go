package detect

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Series is one time series as the detect command and the portal hand it
// to a method: consecutive time units (school days or weeks) with their
// dates; Denominators is nil when the input has none.
type Series struct {
	Dates        []time.Time
	Counts       []float64
	Denominators []float64
	// Dal is the first row whose result the caller wants (0: all). A
	// method may then leave earlier rows unevaluated (Valid false) where
	// skipping them changes nothing from Dal on: Scuola skips the school
	// years before Dal's, whose rows still give its profile. Other methods
	// evaluate every row.
	Dal int
}

// Params are a method's parameters by R name (e.g. "baseline", "alpha").
type Params map[string]string

// Method runs one detector on a series with its parameters; unknown or
// malformed parameters are an error.
type Method func(s Series, p Params) (Result, error)

var methods = map[string]Method{}

// register adds a method under its command-line name (ears-c1, cusum,
// farrington, ...). Files register their own methods in init.
func register(name string, m Method) {
	if _, dup := methods[name]; dup {
		panic("detect: method registered twice: " + name)
	}
	methods[name] = m
}

// Lookup returns a method by name.
func Lookup(name string) (Method, bool) {
	m, ok := methods[name]
	return m, ok
}

// Methods lists the registered method names, sorted.
func Methods() []string {
	out := make([]string, 0, len(methods))
	for k := range methods {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Int reads an integer parameter, def when absent.
func (p Params) Int(name string, def int) (int, error) {
	v, ok := p[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("parametro %s: %q non è un intero", name, v)
	}
	return n, nil
}

// Float reads a real parameter, def when absent.
func (p Params) Float(name string, def float64) (float64, error) {
	v, ok := p[name]
	if !ok {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("parametro %s: %q non è un numero", name, v)
	}
	return f, nil
}

// Bool reads a logical parameter (TRUE/FALSE as in R, or true/false/1/0).
func (p Params) Bool(name string, def bool) (bool, error) {
	v, ok := p[name]
	if !ok {
		return def, nil
	}
	switch v {
	case "TRUE", "true", "T", "1":
		return true, nil
	case "FALSE", "false", "F", "0":
		return false, nil
	}
	return false, fmt.Errorf("parametro %s: %q non è TRUE o FALSE", name, v)
}
