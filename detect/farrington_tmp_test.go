package detect

import "testing"

func TestFarringtonTmpSeeds(t *testing.T) {
	requireR(t)
	for _, seed := range []uint64{7, 99} {
		ss := genFarringtonSeries(seed, 200)
		run := runFarringtonR(t, ss, false)
		st := compareFarrington(t, run, run.series)
		t.Logf("seed %d: %+v", seed, st)
	}
}
