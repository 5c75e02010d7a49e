package web

import "testing"

func TestCellaCSV(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "Scuola": "Scuola", "3": "3", "-3": "-3", "-0,5": "-0,5", "+1.25": "+1.25", "-1e-3": "-1e-3",
		"=1+2": "'=1+2", "-1+2": "'-1+2", "+A1": "'+A1", "@SUM(A1)": "'@SUM(A1)", "\t=1": "'\t=1", "\r=1": "'\r=1",
		"-": "'-", `=HYPERLINK("http://x")`: `'=HYPERLINK("http://x")`, "a=1": "a=1",
	} {
		if got := cellaCSV(in); got != want {
			t.Errorf("cellaCSV(%q) = %q, want %q", in, got, want)
		}
	}
}
