package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestServer_AllerteConcorrenti: two operators move the same new alert at
// once, one to "in valutazione" and one to "archiviato": one is answered
// 303, the other 409, and the history has one move, on every engine.
func TestServer_AllerteConcorrenti(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			open, err := e.db.Segnali(ctx, store.SegnaleFilter{Stato: ps.StatoNuovo, Limit: 20})
			if err != nil || len(open) < 5 {
				t.Fatalf("the demo has %d new alerts (%v)", len(open), err)
			}
			user, pw := demoAccount(ps.RoleATS)
			ops := []*client{e.loginAs(user, pw), e.loginAs(user, pw)}
			to := []string{ps.StatoValutazione, ps.StatoArchiviato}
			for _, g := range open {
				path := "/ats/allerte/" + strconv.FormatInt(g.ID, 10)
				out := make([]resp, len(ops))
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i, c := range ops {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						out[i] = c.post(path, url.Values{"stato": {to[i]}, "da_stato": {ps.StatoNuovo}})
					}()
				}
				close(start)
				wg.Wait()
				won := 0
				for i, r := range out {
					switch r.Status {
					case http.StatusSeeOther:
						won++
					case http.StatusConflict:
					default:
						t.Fatalf("alert %d: operator %d answered %d", g.ID, i, r.Status)
					}
				}
				hist, err := e.db.StoriaSegnale(ctx, g.ID)
				if won != 1 || err != nil || len(hist) != 2 {
					t.Fatalf("alert %d: %d moves answered 303, history %+v (%v)", g.ID, won, hist, err)
				}
			}
		})
	}
}
