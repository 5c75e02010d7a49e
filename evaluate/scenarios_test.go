package evaluate

import (
	"testing"

	"github.com/portalescuole/portalescuole/detect"
	"github.com/portalescuole/portalescuole/sim"
)

func TestEpisodes(t *testing.T) {
	for _, c := range []struct {
		idx  []int
		want int
	}{{nil, 0}, {[]int{3}, 1}, {[]int{3, 4, 5}, 1}, {[]int{3, 6}, 1}, {[]int{3, 7}, 2}, {[]int{1, 4, 7, 10}, 1}, {[]int{1, 2, 20, 21, 40}, 3}} {
		if got := Episodes(alarmsAt(50, c.idx...), 2); got != c.want {
			t.Errorf("%v: %d episodes, want %d", c.idx, got, c.want)
		}
	}
}

func TestRunYear_Scores(t *testing.T) {
	// One quiet year with disruptions: an always-alarm detector has one
	// false-alarm day per quiet day and 2-4 alarms per disruption; the
	// never-alarm detector none.
	k := TuningKinds()[1]
	k.Waves = []string{"none"}
	k.Disruptions = [2]int{2, 2}
	y := SimulateYear(k, 5)
	b := Baselines()
	sc, err := RunYear(y, b, []detect.Method{b[0].Fn, b[1].Fn}, false)
	if err != nil {
		t.Fatal(err)
	}
	al, nv := sc[0], sc[1]
	if al.HasWave || !al.Quiet || al.QuietDays == 0 || al.FalseDays != al.QuietDays || al.Episodes != 1 {
		t.Errorf("always: %+v", al)
	}
	if al.Disruptions == 0 || al.DisruptionAlarms < 3*al.Disruptions {
		t.Errorf("always: %d alarms on %d disruptions", al.DisruptionAlarms, al.Disruptions)
	}
	if nv.FalseDays != 0 || nv.Episodes != 0 || nv.DisruptionAlarms != 0 {
		t.Errorf("never: %+v", nv)
	}
}

func TestRunYear_RealTimeEqualsFinalWithoutLateReports(t *testing.T) {
	// scuola is causal: with every report on time, running it on every
	// prefix and keeping the last row equals one run on the whole series.
	k := TuningKinds()[2] // two past years
	k.OnTime, k.Never = [2]float64{1, 1}, [2]float64{0, 0}
	k.Waves = []string{"autumn"}
	y := SimulateYear(k, sim.Seed(3, 1))
	m, _ := detect.Lookup("default")
	s := []Setting{{Method: "default", Params: detect.Params{}}}
	a, err := RunYear(y, s, []detect.Method{m}, true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := RunYear(y, s, []detect.Method{m}, false)
	if a[0].FalseDays != b[0].FalseDays || a[0].Lead != b[0].Lead || a[0].Detected != b[0].Detected || a[0].Episodes != b[0].Episodes {
		t.Errorf("real time %+v, final %+v", a[0], b[0])
	}
	if !a[0].Detected {
		t.Error("the autumn wave was not detected: the comparison is vacuous")
	}
}
