package sim

import (
	"fmt"
	"os"
	"testing"
)

func TestExplore(t *testing.T) {
	f, _ := os.Open("../demo/data/influnet-lombardia-settimanale.csv")
	seasons, err := LoadInfluNet(f)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := os.Open("../demo/data/mim-studenti-per-plesso-cr-mn-2024-25.csv")
	pl, err := LoadPlessi(g)
	if err != nil {
		t.Fatal(err)
	}
	tot := 0
	for _, p := range pl {
		tot += p.Iscritti
	}
	sample := SentinelSample(pl, 0.05, 1)
	st := 0
	for _, p := range sample {
		st += p.Iscritti
		fmt.Println(p)
	}
	fmt.Println(len(pl), tot, len(sample), st)
	for _, s := range seasons {
		on, w, ok := s.Excess(4).Onset(5, 2); bg := s.Background(4)
		pk, _ := s.Peak()
		fmt.Println(s.Name, len(s.Weeks), fmt.Sprintf("bg=%.2f", bg), on.Format("2006-01-02"), w, ok, pk)
	}
	cfg := DefaultConfig(sample)
	s := Simulate(cfg, seasons[5], 42)
	fmt.Println(s.Season, len(s.Dates), s.Truth.Onset, s.Truth.OnsetRow, len(s.Late))
	for i, d := range s.Dates {
		fmt.Printf("%s %s %5.0f %5.0f %.4f inc=%.2f attr=%.4f ob=%v\n", d.Format("2006-01-02"), d.Weekday().String()[:3], s.Counts[i], s.Denominators[i], s.Rate(i), s.Truth.Incidence[i], s.Truth.Attributable[i], s.Truth.Outbreak[i])
	}
}
