package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/portalescuole/portalescuole/store"
)

// A plesso that is not a sentinel is not offered the absence entry, in the
// menu or on its home.
func TestServer_PlessoHomeNonSentinella(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.loginAs("cree80001r", pwPlesso)
	home := c.get("/plesso/" + ownPlesso)
	if home.Status != 200 {
		t.Fatalf("home %d", home.Status)
	}
	if strings.Contains(home.Body, "/plesso/"+ownPlesso+"/assenze") {
		t.Error("a non-sentinel plesso is offered the absence entry")
	}
}

// A sentinel's home says which window is due and by when, and whether the
// last one is late; after sending it says so. The demo clock is Thursday
// 26 November 2026, 10:00 UTC: Monday 23 – Wednesday 25 is due today at
// 12:00, Thursday 19 – Saturday 21 was due on Monday.
func TestServer_PlessoHomeSentinella(t *testing.T) {
	e := sentinelEnv(t)
	c := e.loginAs("cree80001r", pwPlesso)
	home := c.get("/plesso/" + ownPlesso)
	if !strings.Contains(home.Body, "/plesso/"+ownPlesso+"/assenze") {
		t.Fatal("the sentinel's menu lacks the absence entry")
	}
	body := text(home.Body)
	for _, want := range []string{
		"Da inviare: le assenze dal 23/11/2026 al 25/11/2026, entro 26/11/2026 12:00 (giorni inviati: 0 su 3)",
		"In ritardo: le assenze dal 19/11/2026 al 21/11/2026 andavano inviate entro 23/11/2026 12:00 (giorni inviati: 0 su 2)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %q:\n%s", want, body)
		}
	}
	form := url.Values{"n": {"3"},
		"g0.giorno": {"2026-11-23"}, "g0.assenti": {"10"},
		"g1.giorno": {"2026-11-24"}, "g1.assenti": {"12"},
		"g2.giorno": {"2026-11-25"}, "g2.assenti": {"9"},
	}
	if r := c.post("/plesso/"+ownPlesso+"/assenze", form); r.Status != 303 {
		t.Fatalf("submission %d: %s", r.Status, text(r.Body))
	}
	body = text(c.get("/plesso/" + ownPlesso).Body)
	if !strings.Contains(body, "Assenze dal 23/11/2026 al 25/11/2026 inviate: grazie.") || strings.Contains(body, "Da inviare") {
		t.Errorf("after sending, the home does not say the window is done:\n%s", body)
	}
}
