package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/cli"
	"github.com/portalescuole/portalescuole/sim"
)

// detectInput simulates two past school years and the current one of a
// network of 60 plessi, with a wave in the current year that first adds one
// point of absence on 5 February 2024, and returns the detect CSV, the rows
// of the current year's first day and of the one-point day.
func detectInput(t *testing.T) (csv string, firstCur, onePoint int) {
	t.Helper()
	plessi := sim.SyntheticPlessi(60, 5)
	var b strings.Builder
	b.WriteString("date,count,denominator\n")
	row := 0
	for _, y := range []int{2021, 2022, 2023} {
		cfg := sim.DefaultConfig(plessi)
		cfg.NetworkSeed = 99
		cfg.AR1Phi, cfg.AR1SD = 0.5, 0.04
		cfg.Wave = func(int) float64 { return 0 }
		if y == 2023 {
			cfg.Wave = sim.SynthWave(time.Date(2024, 2, 5, 0, 0, 0, 0, time.UTC), 5, 0.03)
		}
		s := sim.Simulate(cfg, sim.Season{Name: fmt.Sprint(y), StartYear: y}, uint64(y))
		if y == 2023 {
			firstCur = row
		}
		for i, d := range s.Dates {
			if s.Denominators[i] <= 0 {
				continue
			}
			if y == 2023 && i == s.Truth.OnePointRow {
				onePoint = row
			}
			fmt.Fprintf(&b, "%s,%g,%g\n", d.Format("2006-01-02"), s.Counts[i], s.Denominators[i])
			row++
		}
	}
	return b.String(), firstCur, onePoint
}

func TestRun_DetectDefault(t *testing.T) {
	in, firstCur, onePoint := detectInput(t)
	code, out, errs := run(t, in, "detect", "--method", "default")
	if code != 0 {
		t.Fatalf("detect: %d %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	inLines := strings.Split(strings.TrimSpace(in), "\n")
	if lines[0] != "date,count,expected,upperbound,alarm" || len(lines) != len(inLines) {
		t.Fatalf("header %q, %d rows for %d", lines[0], len(lines), len(inLines))
	}
	field := func(row, col int) string { return strings.Split(lines[row+1], ",")[col] }
	if field(firstCur, 2) == "" || field(firstCur, 4) == "" {
		t.Errorf("first school day of the current year not evaluated: %q", lines[firstCur+1])
	}
	first := -1
	for r := firstCur; r+1 < len(lines); r++ {
		if field(r, 4) == "1" {
			first = r
			break
		}
	}
	if first < 0 || first-onePoint > 3 {
		t.Fatalf("first alarm of the current year at row %d, the wave adds one point at row %d", first, onePoint)
	}
	if onePoint-first > 15 {
		t.Errorf("first alarm %d school days before the wave adds one point: a false alarm", onePoint-first)
	}
	t.Logf("first alarm %d school days from the one-point day (negative = before)", first-onePoint)

	// Causality: the command on each prefix gives the same last row.
	for _, r := range []int{firstCur, first - 1, first, first + 5} {
		prefix := strings.Join(inLines[:r+2], "\n") + "\n"
		code, pout, errs := run(t, prefix, "detect", "--method", "default")
		if code != 0 {
			t.Fatalf("prefix %d: %s", r, errs)
		}
		pl := strings.Split(strings.TrimSpace(pout), "\n")
		if got, want := pl[len(pl)-1], lines[r+1]; got != want {
			t.Errorf("row %d on its prefix %q, on the whole input %q", r, got, want)
		}
	}
	// The expected values are positive and the bound above them.
	for r := firstCur; r < firstCur+20; r++ {
		var e, u float64
		fmt.Sscan(field(r, 2), &e)
		fmt.Sscan(field(r, 3), &u)
		if !(e > 0 && u > e) || math.IsNaN(u) {
			t.Errorf("row %d: expected %v, upper bound %v", r, e, u)
		}
	}
}

// Commands have English names; the old Italian ones still work.
func TestRun_Aliases(t *testing.T) {
	for _, tc := range []struct{ name, alias string }{{"load", "carico"}, {"scan", "rileva"}} {
		for _, cmd := range []string{tc.name, tc.alias} {
			var out, errs bytes.Buffer
			code := cli.Run(context.Background(), []string{cmd, "-h"}, strings.NewReader(""), &out, &errs)
			if code != 2 || !strings.Contains(errs.String(), "-db") || strings.Contains(errs.String(), "comando sconosciuto") {
				t.Errorf("%s -h: exit %d, %q", cmd, code, errs.String())
			}
		}
	}
	var out, errs bytes.Buffer
	cli.Run(context.Background(), []string{"help"}, strings.NewReader(""), &out, &errs)
	for _, old := range []string{"portalescuole carico", "portalescuole rileva"} {
		if strings.Contains(out.String(), old) {
			t.Errorf("usage still lists %q", old)
		}
	}
}
