package store

import (
	"strconv"
	"strings"
)

// condizioni builds a WHERE clause with numbered placeholders ($1, $2…),
// the same on both engines: the list filters (plessi, alerts, audit) all
// write theirs with it.
type condizioni struct {
	parti []string
	args  []any
}

// con adds a condition whose "?" marks are its arguments, in order.
func (c *condizioni) con(cond string, args ...any) {
	for _, a := range args {
		c.args = append(c.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(c.args)), 1)
	}
	c.parti = append(c.parti, cond)
}

// sql is " WHERE a AND b" (empty without conditions).
func (c *condizioni) sql() string {
	if len(c.parti) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.parti, " AND ")
}

// segnaposto appends args and returns their placeholders, for the LIMIT
// and OFFSET after the clause.
func (c *condizioni) segnaposto(args ...any) []string {
	out := make([]string, len(args))
	for i, a := range args {
		c.args = append(c.args, a)
		out[i] = "$" + strconv.Itoa(len(c.args))
	}
	return out
}
