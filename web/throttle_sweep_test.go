package web

import (
	"strconv"
	"testing"
	"time"
)

// TestIPLimiters_Sweep: idle entries (an hour) are forgotten once the map
// is large, but at most once a minute, not on every request: in emergency
// mode more than 10,000 tokens are in use and a sweep per request, under
// the lock, serialised the API.
func TestIPLimiters_Sweep(t *testing.T) {
	l := &ipLimiters{m: map[string]*ipLimiter{}, r: 10, b: 10}
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	fill := func(prefix string, at time.Time) {
		for i := range 10001 {
			l.allow(prefix+strconv.Itoa(i), at)
		}
	}
	fill("a", t0)
	sweep := t0.Add(2 * time.Hour)
	l.allow("x", sweep)
	if len(l.m) != 1 {
		t.Fatalf("%d entries after the first sweep, want 1", len(l.m))
	}
	fill("b", t0) // idle as well
	l.allow("y", sweep.Add(30*time.Second))
	if len(l.m) != 10003 {
		t.Fatalf("%d entries 30 seconds after a sweep, want 10003 (no sweep)", len(l.m))
	}
	l.allow("z", sweep.Add(61*time.Second))
	if len(l.m) != 3 {
		t.Fatalf("%d entries a minute after the sweep, want 3", len(l.m))
	}
}
