package sim

import (
	"fmt"
	"os"
	"testing"
)

func TestExplore(t *testing.T) {
	if os.Getenv("EXPLORE") == "" {
		t.Skip()
	}
	f, _ := os.Open("../demo/data/influnet-lombardia-settimanale.csv")
	seasons, _ := LoadInfluNet(f)
	g, _ := os.Open("../demo/data/mim-studenti-per-plesso-cr-mn-2024-25.csv")
	pl, _ := LoadPlessi(g)
	cfg := DefaultConfig(SentinelSample(pl, 0.05, 1))
	for _, si := range []int{6, 13} {
		s := Simulate(cfg, seasons[si], 42)
		fmt.Println(s.Season, len(s.Dates), s.Truth.Onset.Format("2006-01-02"), s.Truth.OnsetRow, s.Truth.Peak.Format("2006-01-02"), s.Truth.PeakInc, s.Truth.Background)
		// weekly
		var c, d, a, e float64
		var nd int
		for i, dt := range s.Dates {
			c += s.Counts[i]
			d += s.Denominators[i]
			a += s.Truth.Attributable[i]
			e += s.Truth.Excess[i]
			nd++
			if i+1 == len(s.Dates) || s.Dates[i+1].Sub(dt).Hours() > 24*2 || s.Dates[i+1].Weekday() < dt.Weekday() {
				fmt.Printf("%s rate=%.4f attr=%.4f excess=%.2f ob=%v\n", dt.Format("2006-01-02"), c/d, a/float64(nd), e/float64(nd), s.Truth.Outbreak[i])
				c, d, a, e, nd = 0, 0, 0, 0, 0
			}
		}
	}
}
