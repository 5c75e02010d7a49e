package web

import (
	"encoding/csv"
	"io"
	"regexp"
)

// numeroCSV is a plain number as the exports write it ("-3", "0.5", "-0,5",
// "1e-3"): left as is, so spreadsheets still read it as a number.
var numeroCSV = regexp.MustCompile(`^[+-]?[0-9]+([.,][0-9]+)?([eE][+-]?[0-9]+)?$`)

// cellaCSV neutralises a cell a spreadsheet would run as a formula (OWASP
// CSV injection): text starting with = + - @ TAB or CR gets a leading
// apostrophe. Numbers stay numbers.
func cellaCSV(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if numeroCSV.MatchString(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// csvSicuro is the one CSV writer of the portal: every cell goes through
// cellaCSV.
type csvSicuro struct{ w *csv.Writer }

func newCSV(w io.Writer) *csvSicuro { return &csvSicuro{w: csv.NewWriter(w)} }

func (c *csvSicuro) Write(rec []string) error {
	out := make([]string, len(rec))
	for i, s := range rec {
		out[i] = cellaCSV(s)
	}
	return c.w.Write(out)
}

func (c *csvSicuro) Flush()       { c.w.Flush() }
func (c *csvSicuro) Error() error { return c.w.Error() }
