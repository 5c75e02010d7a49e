package evaluate

import (
	"os"
	"testing"
	"time"
	"strconv"

	"github.com/portalescuole/portalescuole/sim"
)

func TestExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	f, _ := os.Open("../demo/data/influnet-lombardia-settimanale.csv")
	all, _ := sim.LoadInfluNet(f)
	g, _ := os.Open("../demo/data/mim-studenti-per-plesso-cr-mn-2024-25.csv")
	pl, _ := sim.LoadPlessi(g)
	var seasons []sim.Season
	for _, s := range all {
		if s.StartYear >= 2013 && s.StartYear != 2019 && s.StartYear != 2020 {
			seasons = append(seasons, s)
		}
	}
	cfg := sim.DefaultConfig(sim.SentinelSample(pl, 0.05, 1))
	cfg.RandomShiftWeeks = 2
	cfg.RandomScaleSD = 0.25
	opt := DefaultOptions()
	opt.ExcludeSaturdays = os.Getenv("NOSAT") != ""
	opt.RealTime = os.Getenv("FINAL") == ""
	n, _ := strconv.Atoi(os.Getenv("NSIM"))
	start := time.Now()
	rep, err := EvaluateWith(DefaultGrid(), seasons, cfg, n, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(time.Since(start), rep.Simulations, rep.WithOnset, rep.WithOutbreak, rep.MeanRows)
	WriteMarkdown(os.Stdout, rep.Rows, "")
}
