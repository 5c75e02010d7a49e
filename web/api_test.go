package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestAPI_Errori: a client gets 404 with a JSON body for an unknown
// series, not an empty 200 or an HTML page.
func TestAPI_Errori(t *testing.T) {
	e := newEnv(t, store.SQLite)
	ats, _, err := e.db.CreateToken(ctx, ps.SystemActor, "", "cruscotto regionale")
	if err != nil {
		t.Fatal(err)
	}
	r := apiDo(e, "GET", "/api/v1/ats/serie?serie=nessuna", ats, nil)
	var body struct {
		Errore string `json:"errore"`
	}
	if r.Status != 404 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal([]byte(r.Body), &body) != nil ||
		!strings.Contains(body.Errore, "Serie non trovata") {
		t.Fatalf("unknown series: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if r := apiDo(e, "GET", "/api/v1/ats/serie?serie=territorio", ats, nil); r.Status != 200 {
		t.Fatalf("known series: %d", r.Status)
	}
}

// TestAPI_PostAssenze: a register vendor's retry storm (16 identical
// submissions at once, 3 rounds) is answered 200 every time, and only one
// of each round stores anything.
func TestAPI_PostAssenze(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			if err := e.db.SetSentinella(ctx, ps.SystemActor, ownPlesso, 2026, true); err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.db.AddConsistenza(ctx, ps.SystemActor, ps.Consistenza{Plesso: ownPlesso, Anno: 2026, Iscritti: 230, Classi: 11}); err != nil {
				t.Fatal(err)
			}
			tok, _, err := e.db.CreateToken(ctx, ps.SystemActor, ownPlesso, "registro")
			if err != nil {
				t.Fatal(err)
			}
			for round, giorno := range []string{"2026-11-23", "2026-11-24", "2026-11-25"} {
				body := map[string]any{"giorni": []any{map[string]any{"giorno": giorno, "assenti": 9 + round}}}
				const n = 16
				out := make([]resp, n)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range n {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						out[i] = apiDo(e, "POST", "/api/v1/assenze", tok, body)
					}()
				}
				close(start)
				wg.Wait()
				nuovi := 0
				for i, r := range out {
					var res map[string]int
					if r.Status != 200 || json.Unmarshal([]byte(r.Body), &res) != nil {
						t.Fatalf("round %d: request %d answered %d %s", round, i, r.Status, r.Body)
					}
					nuovi += res["nuovi"]
					if res["nuovi"]+res["invariati"] != 1 {
						t.Fatalf("round %d: request %d: %v", round, i, res)
					}
				}
				if nuovi != 1 {
					t.Fatalf("round %d: %d requests stored the day, want 1", round, nuovi)
				}
				if got := e.stored(ownPlesso, giorno); got == nil || got.Revisione != 1 || fmt.Sprint(*got.Assenti) != fmt.Sprint(9+round) {
					t.Fatalf("round %d: stored %+v", round, got)
				}
			}
		})
	}
}
