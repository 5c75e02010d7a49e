package detect

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// OutputHeader is the header line WriteCSV writes.
var OutputHeader = []string{"date", "count", "expected", "upperbound", "alarm"}

const csvDateLayout = "2006-01-02"

// ReadCSV reads a series as `portalescuole detect` receives it: CSV with a
// header naming the columns date (YYYY-MM-DD), count and, optionally,
// denominator, in any order; other columns are ignored, names are matched
// ignoring case and surrounding spaces (and a UTF-8 BOM). Each row is one
// time unit; dates must be strictly increasing but may skip days (holidays,
// weekends, or a weekly series). Counts are non-negative real numbers
// written with a decimal point (R accepts non-integer counts); when the
// denominator column is present every row needs a denominator > 0 and
// >= count. Empty lines are skipped. Errors are in Italian and name the
// line of the input (1-based, the header being line 1 unless preceded by
// empty lines). Dates are UTC midnights.
func ReadCSV(r io.Reader) (Series, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return Series{}, errors.New("input vuoto: serve un'intestazione con le colonne date e count (e facoltativa denominator)")
	}
	if err != nil {
		return Series{}, csvError(err)
	}
	hline, _ := cr.FieldPos(0)
	col := map[string]int{"date": -1, "count": -1, "denominator": -1}
	var names []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		names = append(names, strconv.Quote(name))
		j, known := col[name]
		if !known {
			continue
		}
		if j >= 0 {
			return Series{}, fmt.Errorf("riga %d: colonna %q ripetuta nell'intestazione", hline, name)
		}
		col[name] = i
	}
	for _, need := range []string{"date", "count"} {
		if col[need] >= 0 {
			continue
		}
		hint := ""
		if len(header) == 1 && strings.ContainsAny(header[0], ";\t") {
			hint = " (il separatore dei campi deve essere la virgola)"
		}
		return Series{}, fmt.Errorf("riga %d: manca la colonna %q nell'intestazione; colonne trovate: %s%s",
			hline, need, strings.Join(names, ", "), hint)
	}
	iDate, iCount, iDen := col["date"], col["count"], col["denominator"]
	nField := max(iDate, iCount, iDen) + 1

	var s Series
	if iDen >= 0 {
		s.Denominators = []float64{}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Series{}, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < nField {
			return Series{}, fmt.Errorf("riga %d: %d campi, ne servono almeno %d secondo l'intestazione", line, len(rec), nField)
		}
		ds := strings.TrimSpace(rec[iDate])
		d, err := time.Parse(csvDateLayout, ds)
		if err != nil || len(ds) != len(csvDateLayout) {
			return Series{}, fmt.Errorf("riga %d: data %q non valida: serve il formato AAAA-MM-GG (es. 2024-09-16)", line, ds)
		}
		if k := len(s.Dates); k > 0 {
			last := s.Dates[k-1]
			if d.Equal(last) {
				return Series{}, fmt.Errorf("riga %d: data ripetuta %s", line, ds)
			}
			if d.Before(last) {
				return Series{}, fmt.Errorf("riga %d: date non in ordine crescente (%s dopo %s)", line, ds, last.Format(csvDateLayout))
			}
		}
		c, err := parseCSVNumber(rec[iCount])
		if err != nil {
			return Series{}, fmt.Errorf("riga %d: count %s", line, err)
		}
		if c < 0 {
			return Series{}, fmt.Errorf("riga %d: count %s negativo", line, csvFloat(c))
		}
		if iDen >= 0 {
			den, err := parseCSVNumber(rec[iDen])
			if err != nil {
				return Series{}, fmt.Errorf("riga %d: denominator %s", line, err)
			}
			if !(den > 0) {
				return Series{}, fmt.Errorf("riga %d: denominator %s deve essere maggiore di 0", line, csvFloat(den))
			}
			if den < c {
				return Series{}, fmt.Errorf("riga %d: denominator %s minore di count %s", line, csvFloat(den), csvFloat(c))
			}
			s.Denominators = append(s.Denominators, den)
		}
		s.Dates = append(s.Dates, d)
		s.Counts = append(s.Counts, c)
	}
	if len(s.Dates) == 0 {
		return Series{}, fmt.Errorf("nessuna riga di dati dopo l'intestazione (riga %d)", hline)
	}
	return s, nil
}

// csvError translates encoding/csv's syntax errors.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("riga %d: CSV non valido (colonna %d): %v", pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("lettura dell'input: %w", err)
}

// parseCSVNumber parses a finite decimal number (digits, sign, point,
// exponent; no NaN, Inf, hexadecimal or digit separators); the error text
// completes "count ..." / "denominator ...".
func parseCSVNumber(field string) (float64, error) {
	v := strings.TrimSpace(field)
	if v == "" {
		return 0, errors.New("mancante")
	}
	bad := strings.IndexFunc(v, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r == '.' || r == 'e' || r == 'E' || r == '+' || r == '-')
	})
	if bad >= 0 {
		if strings.Contains(v, ",") {
			return 0, fmt.Errorf("%q non è un numero (usare il punto come separatore decimale)", v)
		}
		return 0, fmt.Errorf("%q non è un numero", v)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q non è un numero", v)
	}
	if f == 0 {
		f = 0 // no "-0" in the output
	}
	return f, nil
}

func csvFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// WriteCSV writes the result of a method on s with the header
// date,count,expected,upperbound,alarm. Numbers are in shortest round-trip
// form (strconv 'g', -1); alarm is 0 or 1. On rows the method cannot
// evaluate (!r.Valid[i]) expected, upperbound and alarm are empty; on valid
// rows expected or upperbound are empty where they are NaN (e.g. the rate
// method has no expected value).
func WriteCSV(w io.Writer, s Series, r Result) error {
	n := len(s.Counts)
	if len(s.Dates) != n {
		return fmt.Errorf("serie incoerente: %d date e %d conteggi", len(s.Dates), n)
	}
	if len(r.Expected) != n || len(r.UpperBound) != n || len(r.Alarm) != n || len(r.Valid) != n {
		return fmt.Errorf("risultato di %d/%d/%d/%d righe per una serie di %d righe",
			len(r.Expected), len(r.UpperBound), len(r.Alarm), len(r.Valid), n)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(OutputHeader); err != nil {
		return err
	}
	num := func(x float64) string {
		if math.IsNaN(x) {
			return ""
		}
		return csvFloat(x)
	}
	rec := make([]string, len(OutputHeader))
	for i := range n {
		rec[0] = s.Dates[i].Format(csvDateLayout)
		rec[1] = csvFloat(s.Counts[i])
		rec[2], rec[3], rec[4] = "", "", ""
		if r.Valid[i] {
			rec[2] = num(r.Expected[i])
			rec[3] = num(r.UpperBound[i])
			rec[4] = "0"
			if r.Alarm[i] {
				rec[4] = "1"
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ParseParams turns command-line "key=value" arguments into Params. A
// missing "=", an empty name or a repeated name is an error. Whether the
// names are known is for the method to say.
func ParseParams(kv []string) (Params, error) {
	p := Params{}
	for _, a := range kv {
		k, v, ok := strings.Cut(a, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("parametro %q non valido: serve la forma nome=valore (es. baseline=7)", a)
		}
		if _, dup := p[k]; dup {
			return nil, fmt.Errorf("parametro %q ripetuto", k)
		}
		p[k] = strings.TrimSpace(v)
	}
	return p, nil
}

// Run is `portalescuole detect`: it runs method with params ("key=value")
// on the CSV series read from in and writes the result CSV to out. An
// unknown method, a malformed parameter, bad input or a method error is
// returned (nothing is written to out in that case).
func Run(method string, params []string, in io.Reader, out io.Writer) error {
	m, ok := Lookup(method)
	if !ok {
		return fmt.Errorf("metodo sconosciuto %q; disponibili: %s", method, strings.Join(Methods(), ", "))
	}
	p, err := ParseParams(params)
	if err != nil {
		return err
	}
	s, err := ReadCSV(in)
	if err != nil {
		return err
	}
	r, err := m(s, p)
	if err != nil {
		return err
	}
	return WriteCSV(out, s, r)
}
