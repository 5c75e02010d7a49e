package bollettino

import (
	"regexp"
	"strings"
	"testing"
)

// Every text has both languages with the same format verbs, so that a
// sentence never loses or swaps an argument in translation.
func TestTesti_Completi(t *testing.T) {
	verbi := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for k, v := range testi {
		if strings.TrimSpace(v[0]) == "" || strings.TrimSpace(v[1]) == "" {
			t.Errorf("%s: missing a language: %q", k, v)
			continue
		}
		it, en := verbi.FindAllString(v[0], -1), verbi.FindAllString(v[1], -1)
		if strings.Join(it, " ") != strings.Join(en, " ") {
			t.Errorf("%s: format verbs differ: %v in Italian, %v in English", k, it, en)
		}
	}
}

// The English bulletin has English words and numbers, and none of the
// Italian sentences; the Italian one is unchanged by the translation.
func TestHTMLIn_Inglese(t *testing.T) {
	d := esempio()
	// The caller's words (periods, series names) come in the language
	// already; the example's are Italian.
	for i := range d.Completezza {
		d.Completezza[i].Periodo = "23/11–28/11"
	}
	for i := range d.Allerte {
		d.Allerte[i].Serie = "Whole territory"
	}
	en, err := HTMLIn(d, Inglese)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Summary", "Daily absence rate", "Completeness of reports", "mean territorial absence rate was",
		"Statistical alerts", "under review", "7.1%", "Generated on"} {
		if !strings.Contains(en, want) {
			t.Errorf("English bulletin lacks %q", want)
		}
	}
	testo := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(en, " ")
	for _, vietato := range []string{"Sintesi", "settimana", "Tasso", "allerta", "Completezza", "in valutazione", "Generato", "7,1%"} {
		if strings.Contains(testo, vietato) {
			t.Errorf("English bulletin still says %q", vietato)
		}
	}
	it, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	if it2, _ := HTMLIn(d, Italiano); it2 != it || !strings.Contains(it, "Sintesi") || !strings.Contains(it, "7,1%") {
		t.Error("the Italian bulletin changed or lost its words")
	}
}
