package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/serie"
)

// TestPaginaCache_Get: a page is fresh at the same version or for a minute;
// after that, new absences make it old (served while recomputed) and a new
// alert makes it absent (recomputed before answering).
func TestPaginaCache_Get(t *testing.T) {
	var c paginaCache
	d := &cruscottoData{Serie: "territorio"}
	if _, st := c.get("k", "1/1/1|5", serieMaxAge); st != paginaAssente {
		t.Fatalf("empty cache: %v", st)
	}
	c.put("k", "1/1/1|5", d)
	for _, tc := range []struct {
		name string
		ver  string
		age  time.Duration
		want statoPagina
	}{
		{"same version", "1/1/1|5", 0, paginaFresca},
		{"same version, old", "1/1/1|5", 2 * time.Minute, paginaFresca},
		{"new absences, recent", "2/1/1|5", 0, paginaFresca},
		{"new absences, a minute later", "2/1/1|5", serieMaxAge + time.Second, paginaVecchia},
		{"new alert", "1/1/1|6", 0, paginaAssente},
		{"new alert, old", "2/1/1|6", 2 * time.Minute, paginaAssente},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := c.m["k"]
			v.calcolato = time.Now().Add(-tc.age)
			c.m["k"] = v
			got, st := c.get("k", tc.ver, serieMaxAge)
			if st != tc.want {
				t.Fatalf("state %v, want %v", st, tc.want)
			}
			if st != paginaAssente && got != d {
				t.Fatal("the cached page was not returned")
			}
		})
	}
}

// TestPiccole: small multiples are every series but the territory, or the
// maxPiccole with the highest recent rate when there are more.
func TestPiccole(t *testing.T) {
	mk := func(n int) []allerta.Monitorata {
		out := []allerta.Monitorata{{Nome: "territorio", Punti: []serie.Punto{{Assenti: 99, Iscritti: 100}}}}
		for i := range n {
			out = append(out, allerta.Monitorata{Nome: fmt.Sprintf("distretto:%02d", i),
				Punti: []serie.Punto{{Assenti: 1000, Iscritti: 1000}, {Assenti: i, Iscritti: 100}}})
		}
		return out
	}
	got, total := piccole(mk(5))
	if total != 5 || len(got) != 5 || got[0] != "distretto:00" {
		t.Fatalf("5 series: %v of %d", got, total)
	}
	got, total = piccole(mk(30))
	if total != 30 || len(got) != maxPiccole || got[0] != "distretto:29" || got[maxPiccole-1] != "distretto:06" {
		t.Fatalf("30 series: %v of %d", got, total)
	}
}
