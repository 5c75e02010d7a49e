package bollettino

import (
	"strings"
	"testing"
	"time"
)

// The generation time is printed in Europe/Rome whatever zone the caller's
// time is in: 10:46 UTC on 27 November is 11:46 in Italy (winter time),
// 10:46 UTC on 1 July is 12:46 (summer time).
func TestHTML_GeneratoOraItaliana(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 27, 10, 46, 0, 0, time.UTC), "27/11/2026 alle 11:46"},
		{time.Date(2026, 7, 1, 10, 46, 0, 0, time.UTC), "01/07/2026 alle 12:46"},
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "01/01/2027 alle 00:30"},
	} {
		d := esempio()
		d.Generato = tc.at
		h, err := HTML(d)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(h, "Generato il "+tc.want) {
			t.Errorf("%v: want %q in the bulletin", tc.at, tc.want)
		}
	}
}
