package evaluate

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestScenarioReport prints the scenario tables of docs/detection.md; it
// runs only with PORTALE_EVAL_YEARS set (years per kind), e.g.
// PORTALE_EVAL_YEARS=30 go test ./evaluate -run TestScenarioReport -v -timeout 60m
func TestScenarioReport(t *testing.T) {
	ny, _ := strconv.Atoi(os.Getenv("PORTALE_EVAL_YEARS"))
	if ny <= 0 {
		t.Skip("PORTALE_EVAL_YEARS not set")
	}
	settings := ScuolaGrid()
	if os.Getenv("PORTALE_EVAL_FINAL") != "" {
		settings = FinalSettings()
	}
	if os.Getenv("PORTALE_EVAL_DRIFT") != "" {
		// Issue 20: the held-out kinds with the winter drift (or, with
		// PORTALE_EVAL_DRIFT=none, without it), new default
		// against the previous one and two textbook methods.
		settings = DriftSettings()
		if g := os.Getenv("PORTALE_EVAL_SETTINGS"); g != "" {
			// "method k=v k=v;method k=v": a sweep on the same years.
			settings = nil
			for _, one := range strings.Split(g, ";") {
				f := strings.Fields(one)
				st := Setting{Method: f[0], Params: map[string]string{}}
				for _, kv := range f[1:] {
					k, v, _ := strings.Cut(kv, "=")
					st.Params[k] = v
				}
				settings = append(settings, st)
			}
		}
		kinds := WithDrift(HeldOutKinds(), 0.14, 0.2)
		if os.Getenv("PORTALE_EVAL_DRIFT") == "none" {
			kinds = HeldOutKinds() // the same years without the drift
		}
		res, err := EvaluateKinds(settings, kinds, ny, 2000003, 0, true)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		ScenarioMarkdown(&b, settings, res, "default")
		if out := os.Getenv("PORTALE_EVAL_OUT"); out != "" {
			os.WriteFile(out, []byte(b.String()), 0o644)
		}
		t.Log("\n" + b.String())
		return
	}
	if g := os.Getenv("PORTALE_EVAL_ONLY"); g != "" {
		settings = nil
		for _, s := range ScuolaGrid() {
			if strings.Contains(s.Name(), g) {
				settings = append(settings, s)
			}
		}
	}
	var b strings.Builder
	rt := os.Getenv("PORTALE_EVAL_FAST") == ""
	tune, err := EvaluateKinds(settings, TuningKinds(), ny, 1, 0, rt)
	if err != nil {
		t.Fatal(err)
	}
	best, ok := ChooseScuola(tune[len(tune)-1])
	mark := "default"
	if ok && os.Getenv("PORTALE_EVAL_FINAL") == "" {
		mark = settings[best].Name()
	}
	b.WriteString("### Tuning set\n")
	ScenarioMarkdown(&b, settings, tune, mark)
	if os.Getenv("PORTALE_EVAL_HELDOUT") != "" {
		held, err := EvaluateKinds(settings, HeldOutKinds(), ny, 1000003, 0, rt)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("\n### Held-out set\n")
		ScenarioMarkdown(&b, settings, held, mark)
	}
	b.WriteString("\nchosen: " + mark + "\n")
	if out := os.Getenv("PORTALE_EVAL_OUT"); out != "" {
		os.WriteFile(out, []byte(b.String()), 0o644)
	}
	t.Log("\n" + b.String())
}
