package web

import (
	"testing"
	"time"
)

func TestThrottle_Wait(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	th := newThrottle(3, 10*time.Second, 80*time.Second, time.Hour)
	now := t0
	want := []time.Duration{0, 0, 10, 20, 40, 80, 80, 80}
	for i, w := range want {
		if got := th.fail("k", now); got != w*time.Second {
			t.Fatalf("failure %d: delay %v, want %v", i+1, got, w*time.Second)
		}
	}
	if got := th.wait("k", now.Add(30*time.Second)); got != 50*time.Second {
		t.Errorf("wait after 30 s: %v", got)
	}
	if got := th.wait("k", now.Add(80*time.Second)); got != 0 {
		t.Errorf("wait after the delay: %v", got)
	}
	if got := th.wait("other", now); got != 0 {
		t.Errorf("another key waits %v", got)
	}
	if got := th.wait("k", now.Add(time.Hour)); got != 0 {
		t.Errorf("after Forget: %v", got)
	}
	if got := th.fail("k", now.Add(time.Hour)); got != 0 {
		t.Errorf("first failure after Forget: %v", got)
	}
	th.fail("k", now.Add(time.Hour))
	th.fail("k", now.Add(time.Hour))
	th.reset("k")
	if got := th.wait("k", now.Add(time.Hour)); got != 0 {
		t.Errorf("after reset: %v", got)
	}
}

func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7":        "198.51.100.7",
		"::ffff:198.51.100.7": "198.51.100.7",
		"2001:db8:1:2::7":     "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::": "2001:db8:1:2::/64",
		"not an address":      "not an address",
	} {
		if got := addrKey(in); got != want {
			t.Errorf("addrKey(%q) = %q, want %q", in, got, want)
		}
	}
}
