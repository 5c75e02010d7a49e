package web_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// A plesso's trend never shows a territory value that rests on itself
// alone: on a day only it has reported, the territory is left out and the
// page says why.
func TestServer_AndamentoSenzaConfronto(t *testing.T) {
	e := newEnv(t, store.SQLite)
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) // today in the web tests: nobody has reported it
	n := 17
	if _, err := e.db.SaveGiorni(ctx, ps.SystemActor, otherPlesso, []ps.Giorno{{Giorno: day, Assenti: &n}}, "api"); err != nil {
		t.Fatal(err)
	}
	pc := e.loginAs("cree80002t", pwPlesso)
	var own struct {
		Giorni     []int64    `json:"giorni"`
		Plesso     []*float64 `json:"plesso"`
		Territorio []*float64 `json:"territorio"`
	}
	if err := json.Unmarshal([]byte(pc.get("/plesso/"+otherPlesso+"/andamento.json").Body), &own); err != nil {
		t.Fatal(err)
	}
	last := len(own.Giorni) - 1
	if last < 1 || own.Giorni[last] != day.Unix() || own.Plesso[last] == nil {
		t.Fatalf("the plesso's own day is not drawn: %+v", own)
	}
	if own.Territorio[last] != nil {
		t.Errorf("the territory on a day only this plesso reported: %v", *own.Territorio[last])
	}
	if own.Territorio[last-1] == nil {
		t.Errorf("the territory is missing on a day the network reported")
	}
	if page := text(pc.get("/plesso/" + otherPlesso + "/andamento").Body); !strings.Contains(page, "Giorni senza il valore del territorio: 1") {
		t.Errorf("the page does not say why the territory is missing: %s", page)
	}
}
