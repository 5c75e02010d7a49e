package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	ps "github.com/portalescuole/portalescuole"
)

// auditRepeats bounds the audit rows that anonymous or refused requests can
// write: per (action, address), a burst of rows and then one every few
// seconds; the rows skipped meanwhile are counted in the next one written
// for the same key ("omessi"), so nothing is hidden but the log cannot be
// flooded. Per process, like the login throttles.
type auditRepeats struct {
	mu sync.Mutex
	m  map[string]*auditRepeat
}

type auditRepeat struct {
	l       *rate.Limiter
	omessi  int
	lastUse time.Time
}

func (ar *auditRepeats) admit(key string, now time.Time) (ok bool, omessi int) {
	ar.mu.Lock()
	defer ar.mu.Unlock()
	if ar.m == nil {
		ar.m = map[string]*auditRepeat{}
	}
	if len(ar.m) > 50000 {
		for k, v := range ar.m {
			if now.Sub(v.lastUse) > 10*time.Minute {
				delete(ar.m, k)
			}
		}
	}
	e, found := ar.m[key]
	if !found {
		e = &auditRepeat{l: rate.NewLimiter(rate.Every(5*time.Second), 10)}
		ar.m[key] = e
	}
	e.lastUse = now
	if !e.l.AllowN(now, 1) {
		e.omessi++
		return false, 0
	}
	n := e.omessi
	e.omessi = 0
	return true, n
}

// auditLimited writes an audit row for an anonymous or refused request,
// subject to auditRepeats.
func (s *Server) auditLimited(r *http.Request, a ps.Actor, action, entity string, detail map[string]string) {
	ok, omessi := s.repeats.admit(action+"\x00"+a.Username+"\x00"+addrKey(a.IP), s.now())
	if !ok {
		return
	}
	if omessi > 0 {
		if detail == nil {
			detail = map[string]string{}
		}
		detail["omessi"] = strconv.Itoa(omessi)
	}
	s.db.Audit(r.Context(), a, action, entity, detail)
}

// truncate cuts s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
