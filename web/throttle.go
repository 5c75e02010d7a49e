package web

import (
	"net/netip"
	"sync"
	"time"
)

// throttle slows down repeated failures under a key with growing delays:
// the first Free failures cost nothing, each further one doubles the wait
// before the next attempt (Base, 2×Base, 4×Base … up to Max). A key's
// failures are forgotten after Forget without any, and a success under the
// key (Reset) clears them.
//
// The state is per process. With several app nodes behind a balancer an
// attacker gets at most one budget per node; since the delays double, that
// is worth log2(nodes) extra attempts per key, not a multiple, and nobody
// but the attacker's own address and the account it names is slowed. Keeping
// it out of the database spares a write per failed attempt (itself an
// amplification) and keeps a database outage from locking everyone out.
type throttle struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration

	mu sync.Mutex
	m  map[string]*failures
}

type failures struct {
	n    int
	last time.Time
}

func newThrottle(free int, base, max, forget time.Duration) *throttle {
	return &throttle{Free: free, Base: base, Max: max, Forget: forget, m: map[string]*failures{}}
}

// wait returns how long the key must still wait before its next attempt
// (0: it may try now).
func (t *throttle) wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.m[key]
	if !ok || now.Sub(f.last) >= t.Forget {
		return 0
	}
	d := t.delay(f.n) - now.Sub(f.last)
	if d < 0 {
		return 0
	}
	return d
}

// delay is the wait after n failures.
func (t *throttle) delay(n int) time.Duration {
	if n < t.Free {
		return 0
	}
	d := t.Base
	for i := t.Free; i < n && d < t.Max; i++ {
		d *= 2
	}
	return min(d, t.Max)
}

// fail records a failure and returns the wait it imposes.
func (t *throttle) fail(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) > 100000 {
		t.sweep(now)
	}
	f, ok := t.m[key]
	if !ok || now.Sub(f.last) >= t.Forget {
		f = &failures{}
		t.m[key] = f
	}
	f.n++
	f.last = now
	return t.delay(f.n)
}

// reset forgets the key's failures.
func (t *throttle) reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, key)
}

// sweep drops forgotten keys; if the map is still huge (keys flooded from
// countless addresses), the oldest half goes.
func (t *throttle) sweep(now time.Time) {
	for k, f := range t.m {
		if now.Sub(f.last) >= t.Forget {
			delete(t.m, k)
		}
	}
	if len(t.m) <= 100000 {
		return
	}
	cut := now.Add(-t.Forget / 2)
	for k, f := range t.m {
		if f.last.Before(cut) {
			delete(t.m, k)
		}
	}
}

// addrKey is the throttling key of a client address: an IPv6 client gets a
// whole /64 from its provider, so the /64 is one client.
func addrKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
