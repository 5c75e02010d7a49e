package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/riservatezza"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
	"github.com/portalescuole/portalescuole/web"
)

// pubbliche are every URL of the public figures.
var pubbliche = []string{"/pubblico", "/pubblico/anni.json", "/pubblico/bollettino", "/pubblico/bollettino.pdf", "/pubblico/dati",
	"/pubblico/dati/assenze-settimanali.csv", "/pubblico/dati/assenze-settimanali.json", "/pubblico/dati/catalogo.jsonld"}

// setPubblico changes the public-figure settings as the admin would.
func (e *env) setPubblico(attivo, livello, minPlessi, minAlunni string) {
	e.t.Helper()
	st, err := e.db.Settings(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	st.PubblicoAttivo, st.PubblicoLivello, st.PubblicoMinPlessi, st.PubblicoMinAlunni = attivo, livello, minPlessi, minAlunni
	if err := e.db.SaveSettings(ctx, ps.Actor{Username: "test"}, st); err != nil {
		e.t.Fatal(err)
	}
}

// TestPubblico_Pagina: an anonymous visitor gets the page, the open data,
// the catalogue and the bulletin, with validators that answer 304.
func TestPubblico_Pagina(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			c := e.client()
			r := c.get("/pubblico")
			if r.Status != http.StatusOK {
				t.Fatalf("/pubblico: %d %s", r.Status, r.Body)
			}
			for _, want := range []string{`id="sintesi"`, `id="tabella-aree"`, `id="tabella-gradi"`, `id="tabella-anni"`, `id="copertura"`, "Settimana dal 16/11/2026 al 20/11/2026", "in aumento"} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if l := c.get("/login"); !strings.Contains(l.Body, `href="/pubblico"`) {
				t.Error("no footer link to /pubblico")
			}

			rows := scaricaCSV(t, c)
			if len(rows) == 0 || rows[len(rows)-1][0] != "2026-W47" {
				t.Fatalf("last week %v, want 2026-W47 (complete weeks only)", rows[len(rows)-1])
			}
			var js []map[string]any
			if err := json.Unmarshal([]byte(c.get("/pubblico/dati/assenze-settimanali.json").Body), &js); err != nil || len(js) != len(rows) {
				t.Fatalf("JSON: %d rows (%v), CSV %d", len(js), err, len(rows))
			}
			for i, row := range rows {
				for j, col := range []string{"settimana", "area", "grado", "plessi", "alunni", "assenti", "tasso", "ic_inf", "ic_sup"} {
					v, ok := js[i][col]
					if !ok {
						t.Fatalf("JSON row %d lacks %s", i, col)
					}
					if (row[j] == "") != (v == nil) {
						t.Fatalf("row %d column %s: CSV %q, JSON %v", i, col, row[j], v)
					}
				}
			}

			var cat map[string]any
			if err := json.Unmarshal([]byte(c.get("/pubblico/dati/catalogo.jsonld").Body), &cat); err != nil {
				t.Fatal(err)
			}
			ds := cat["dcat:dataset"].([]any)[0].(map[string]any)
			dist := ds["dcat:distribution"].([]any)
			if !slices.Contains(cat["@type"].([]any), "dcat:Catalog") || len(dist) != 2 ||
				ds["dct:publisher"].(map[string]any)["foaf:name"] != "ATS Val Padana" ||
				ds["dcat:theme"].(map[string]any)["@id"] != "http://publications.europa.eu/resource/authority/data-theme/HEAL" ||
				dist[0].(map[string]any)["dct:license"].(map[string]any)["@id"] != "https://creativecommons.org/licenses/by/4.0/" {
				t.Fatalf("catalogue: %v", cat)
			}

			for _, path := range []string{"/pubblico/dati/assenze-settimanali.csv", "/pubblico/dati/assenze-settimanali.json", "/pubblico/dati/catalogo.jsonld", "/pubblico/bollettino.pdf"} {
				r := c.get(path)
				etag, mod := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
				if r.Status != http.StatusOK || etag == "" || mod == "" {
					t.Fatalf("%s: %d ETag %q Last-Modified %q", path, r.Status, etag, mod)
				}
				req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
				req.Header.Set("If-None-Match", etag)
				if r := c.do(req); r.Status != http.StatusNotModified {
					t.Errorf("%s If-None-Match: %d", path, r.Status)
				}
				req, _ = http.NewRequest("GET", e.ts.URL+path, nil)
				req.Header.Set("If-Modified-Since", mod)
				if r := c.do(req); r.Status != http.StatusNotModified {
					t.Errorf("%s If-Modified-Since: %d", path, r.Status)
				}
			}
			if pdf := c.get("/pubblico/bollettino.pdf"); !strings.HasPrefix(pdf.Body, "%PDF") {
				t.Fatal("bulletin is not a PDF")
			}
			if b := c.get("/pubblico/bollettino"); b.Status != http.StatusOK || !strings.Contains(b.Body, `id="tabella-aree"`) {
				t.Fatalf("bulletin page %d", b.Status)
			}
			if s := c.get("/pubblico/dati"); s.Status != http.StatusOK || !strings.Contains(s.Body, "<code>ic_sup</code>") {
				t.Fatalf("schema page %d", s.Status)
			}
		})
	}
}

// TestPubblico_Spento: with the ATS switch off nothing is public.
func TestPubblico_Spento(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			c := e.client()
			if r := c.get("/pubblico"); r.Status != http.StatusOK {
				t.Fatalf("the demo publishes: %d", r.Status)
			}
			// The admin unticks the box in Impostazioni.
			user, pw := demoAccount(ps.RoleAdmin)
			a := e.loginAs(user, pw)
			st, _ := e.db.Settings(ctx)
			form := url.Values{"nome_ats": {st.NomeATS}, "email_assistenza": {st.EmailAssistenza}, "numero_verde": {st.NumeroVerde},
				"orari_assistenza": {st.OrariAssistenza}, "province": {st.Province}, "mittente_email": {st.MittenteEmail},
				"url_portale": {st.URLPortale}, "finestre": {st.Finestre}, "email_allerte": {st.EmailAllerte},
				"quota_iscritti": {st.QuotaIscritti}, "minimo_plessi": {st.MinimoPlessi}, "checklist": {st.ChecklistAllerta},
				"pubblico_form": {"1"}, "pubblico_livello": {"gradi"}, "pubblico_min_plessi": {"3"}, "pubblico_min_alunni": {"100"}}
			if r := a.post("/admin/impostazioni", form); r.Status != http.StatusSeeOther {
				t.Fatalf("settings: %d %s", r.Status, text(r.Body))
			}
			if _, n, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "settings.update", Username: user}); n != 1 {
				t.Fatalf("%d audit rows for the switch", n)
			}
			// Ticking it back with the demo's local address is refused,
			// next to the address, and saves nothing (issue 21, item 20).
			on := url.Values{}
			for k, v := range form {
				on[k] = v
			}
			on.Set("pubblico_attivo", "1")
			if r := a.post("/admin/impostazioni", on); r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "serve l'indirizzo pubblico del portale") {
				t.Fatalf("publishing with a local address: %d %s", r.Status, text(r.Body))
			}
			if _, n, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "settings.update", Username: user}); n != 1 {
				t.Fatalf("the refused form saved: %d audit rows", n)
			}

			for _, p := range pubbliche {
				if r := c.get(p); r.Status != http.StatusNotFound || strings.Contains(r.Body, "ic_sup") || strings.Contains(r.Body, `id="sintesi"`) || strings.Contains(r.Body, "%PDF") {
					t.Errorf("%s with the switch off: %d", p, r.Status)
				}
			}
			if l := c.get("/login"); strings.Contains(l.Body, `href="/pubblico"`) {
				t.Error("footer links /pubblico with the switch off")
			}
		})
	}
}

func scaricaCSV(t *testing.T, c *client) [][]string {
	t.Helper()
	r := c.get("/pubblico/dati/assenze-settimanali.csv")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "settimana,area,grado,plessi,alunni,assenti,tasso,ic_inf,ic_sup" {
		t.Fatalf("header %v", rows[0])
	}
	return rows[1:]
}

// TestPubblico_Attacco downloads the open data as anyone can and tries to
// recover every suppressed count: by every subtraction of a total and its
// parts, across areas and across grades, repeated while it finds
// anything, and by linear algebra over all the relations. It also checks
// the primary rules on what is published.
func TestPubblico_Attacco(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			const minPlessi, minAlunni = 4, 300
			e.setPubblico("1", "gradi", strconv.Itoa(minPlessi), strconv.Itoa(minAlunni))
			rows := scaricaCSV(t, e.client())
			byWeek := map[string][][]string{}
			for _, r := range rows {
				byWeek[r[0]] = append(byWeek[r[0]], r)
			}
			soppresse, pubblicate := 0, 0
			for week, rs := range byWeek {
				val := make([]int, len(rs))
				known := make([]bool, len(rs))
				for i, r := range rs {
					if r[5] == "" {
						soppresse++
						if strings.Join(r[3:], "") != "" {
							t.Fatalf("%s: suppressed row publishes something: %v", week, r)
						}
						continue
					}
					pubblicate++
					known[i] = true
					val[i], _ = strconv.Atoi(r[5])
					p, _ := strconv.Atoi(r[3])
					a, _ := strconv.Atoi(r[4])
					if (val[i] >= 1 && val[i] <= 3) || p < minPlessi || a < minAlunni {
						t.Fatalf("%s: published below the rules: %v", week, r)
					}
					if r[6] == "" || r[7] == "" || r[8] == "" {
						t.Fatalf("%s: published row without rate: %v", week, r)
					}
				}
				// The relations, derived from the labels alone: a total is
				// the sum of the rows below it (a missing row is zero).
				var rel []riservatezza.Vincolo
				for i, r := range rs {
					var parts []int
					for j, q := range rs {
						switch {
						case r[1] == "territorio" && q[1] != "territorio" && q[2] == r[2]:
							parts = append(parts, j)
						case r[2] == "tutti" && q[2] != "tutti" && q[1] == r[1]:
							parts = append(parts, j)
						}
					}
					if len(parts) > 0 {
						rel = append(rel, riservatezza.Vincolo{Totale: i, Parti: parts})
					}
				}
				// Every subtraction, to a fixed point.
				for changed := true; changed; {
					changed = false
					for _, v := range rel {
						cells := append([]int{v.Totale}, v.Parti...)
						unknown := -1
						n := 0
						for _, c := range cells {
							if !known[c] {
								unknown, n = c, n+1
							}
						}
						if n == 1 {
							t.Errorf("%s: %v recovered by subtraction", week, rs[unknown][:3])
							known[unknown], changed = true, true
						}
					}
				}
				sopp := make([]bool, len(rs))
				for i, r := range rs {
					sopp[i] = r[5] == ""
				}
				if det := riservatezza.Determinabili(riservatezza.Tabella{Valori: val, Vincoli: rel}, sopp); len(det) > 0 {
					t.Errorf("%s: cells %v determined by a combination of relations", week, det)
				}
			}
			if soppresse == 0 || pubblicate == 0 {
				t.Fatalf("the attack needs both: %d suppressed, %d published cells", soppresse, pubblicate)
			}
			t.Logf("%d weeks, %d cells published, %d suppressed", len(byWeek), pubblicate, soppresse)
		})
	}
}

// TestPubblico_UltimaSettimana: a week is published from the Tuesday after
// it (Monday noon is the last reporting deadline), never while open.
func TestPubblico_UltimaSettimana(t *testing.T) {
	for _, d := range storetest.Dialects() {
		for _, tc := range []struct {
			now  time.Time
			last string
		}{
			{today, "2026-W47"}, // Thursday: last week
			{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), "2026-W46"}, // Monday: not the week just ended
			{time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC), "2026-W47"}, // Tuesday: it is
		} {
			t.Run(string(d)+"/"+tc.now.Weekday().String(), func(t *testing.T) {
				e := newEnv(t, d, func(c *web.Config) { c.Now = func() time.Time { return tc.now } })
				rows := scaricaCSV(t, e.client())
				if got := rows[len(rows)-1][0]; got != tc.last {
					t.Fatalf("last week %s, want %s", got, tc.last)
				}
			})
		}
	}
}

// TestPubblico_Concorrenza: visitors arriving together share one
// computation and get the same figures (run with -race).
func TestPubblico_Concorrenza(t *testing.T) {
	e := newEnv(t, store.SQLite)
	var wg sync.WaitGroup
	etags := make([]string, 12)
	for i := range etags {
		wg.Go(func() {
			path := pubbliche[i%len(pubbliche)]
			if i%2 == 0 {
				path = "/pubblico/dati/assenze-settimanali.csv"
			}
			req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", req.URL.Path, res.StatusCode)
			}
			if strings.HasSuffix(req.URL.Path, ".csv") {
				etags[i] = res.Header.Get("ETag")
			}
		})
	}
	wg.Wait()
	var seen string
	for _, x := range etags {
		if x != "" && seen != "" && x != seen {
			t.Fatalf("two versions of the CSV: %s, %s", seen, x)
		}
		if x != "" {
			seen = x
		}
	}
}
