package store

import (
	"testing"
	"time"
)

func TestGiornoNum(t *testing.T) {
	for d := time.Date(1999, 12, 25, 0, 0, 0, 0, time.UTC); d.Year() < 2031; d = d.AddDate(0, 0, 3) {
		if got, want := GiornoNum(d.Format("2006-01-02")), int32(d.Unix()/86400); got != want {
			t.Fatalf("%s: %d, want %d", d.Format("2006-01-02"), got, want)
		}
	}
}
