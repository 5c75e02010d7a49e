package web_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestServer_AllerteEpisodi reads the demo as a new ATS user would: the
// list shows episodes grouped under their widest series, named in words,
// with data anomalies apart; the API and the export give one row per
// episode; one sentinel reporting the open window alone leaves the
// dashboard's headline at "dati insufficienti" and its days provisional.
// allertePerPaginaTest is the alert list's page (web.allertePerPagina).
const allertePerPaginaTest = 50

func TestServer_AllerteEpisodi(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			user, pw := demoAccount(ps.RoleATS)
			c := e.loginAs(user, pw)
			eps, err := e.db.Segnali(ctx, store.SegnaleFilter{Limit: 5000})
			// This school year's; the demo's year before has its own.
			quest, err2 := e.db.Segnali(ctx, store.SegnaleFilter{Dal: ps.AnnoDi(today).Inizio(), Limit: 5000})
			if err != nil || err2 != nil || len(quest) == 0 || len(quest) > 30 || len(eps) > allertePerPaginaTest {
				t.Fatalf("%d episodes this school year, %d in all (%v %v), want 1–30 and one page", len(quest), len(eps), err, err2)
			}
			list := c.get("/ats/allerte")
			body := text(list.Body)
			if list.Status != 200 || strings.Count(list.Body, `class="allerta-capo"`) >= len(eps) || !strings.Contains(list.Body, `class="allerta-figlia"`) ||
				!strings.Contains(body, "Provincia di Cremona") || strings.Contains(body, "provincia:CR") ||
				!(strings.Contains(list.Body, `id="nessuna-anomalia"`) || strings.Contains(list.Body, `id="anomalie"`)) {
				t.Fatalf("list: %d, %d heads for %d episodes: %s", list.Status, strings.Count(list.Body, `class="allerta-capo"`), len(eps), body)
			}

			var api struct {
				Allerte []struct {
					ID     int64  `json:"id"`
					Dal    string `json:"dal"`
					Al     string `json:"al"`
					Giorni int    `json:"giorni_allerta"`
					Nome   string `json:"nome_serie"`
				} `json:"allerte"`
			}
			tok, _, err := e.db.CreateToken(ctx, ps.SystemActor, "", "test")
			if err != nil {
				t.Fatal(err)
			}
			r := apiDo(e, "GET", "/api/v1/ats/allerte", tok, nil)
			if err := json.Unmarshal([]byte(r.Body), &api); err != nil || len(api.Allerte) != len(eps) {
				t.Fatalf("API: %d items for %d episodes (%v)", len(api.Allerte), len(eps), err)
			}
			multi := false
			for _, a := range api.Allerte {
				if a.Dal == "" || a.Al < a.Dal || a.Giorni < 1 || a.Nome == "" {
					t.Fatalf("API item %+v", a)
				}
				multi = multi || a.Al > a.Dal
			}
			if !multi {
				t.Fatal("no episode spans more than one day in the API")
			}

			// One sentinel alone reports the open window (23–25 November).
			sent, err := e.db.Sentinelle(ctx, ps.AnnoDi(today))
			if err != nil || len(sent) < 4 {
				t.Fatalf("sentinels %v %v", sent, err)
			}
			code := sent[0]
			n := 40
			var giorni []ps.Giorno
			for _, day := range []string{"2026-11-23", "2026-11-24", "2026-11-25"} {
				d, _ := time.Parse(ps.DateLayout, day)
				giorni = append(giorni, ps.Giorno{Giorno: d, Assenti: &n})
			}
			if _, err := e.db.SaveGiorni(ctx, ps.SystemActor, code, giorni, "api"); err != nil {
				t.Fatal(err)
			}
			if r := c.post("/ats/allerte/esegui", url.Values{}); r.Status != 303 {
				t.Fatalf("run: %d", r.Status)
			}
			after, _ := e.db.Segnali(ctx, store.SegnaleFilter{Limit: 5000})
			if len(after) > len(eps)+1 {
				t.Fatalf("one sentinel alone added %d alerts", len(after)-len(eps))
			}
			dash := c.get("/ats/cruscotto")
			db := text(dash.Body)
			if !strings.Contains(dash.Body, `id="stima-insufficiente"`) || !strings.Contains(db, "dati insufficienti") || !strings.Contains(db, "provvisorio") {
				t.Fatalf("dashboard with one sentinel on the last day: %s", db)
			}
			var tr struct {
				Giorni      []int64    `json:"giorni"`
				Provvisorio []*float64 `json:"provvisorio"`
			}
			json.Unmarshal([]byte(c.get("/ats/cruscotto/serie.json?serie=territorio").Body), &tr)
			last := len(tr.Giorni) - 1
			if last < 0 || time.Unix(tr.Giorni[last], 0).UTC().Format(ps.DateLayout) != "2026-11-25" || tr.Provvisorio[last] == nil || *tr.Provvisorio[last] >= 50 {
				t.Fatalf("the last day is not provisional in the series: %+v", tr)
			}
		})
	}
}

// TestServer_SettingsAllerte: the completeness thresholds and the alert
// checklist are edited on the settings page; a bad value comes back next to
// its field with the typed values, nothing saved.
func TestServer_SettingsAllerte(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleAdmin)
	c := e.loginAs(user, pw)
	page := c.get("/admin/impostazioni")
	if page.Status != 200 || !strings.Contains(page.Body, `name="quota_iscritti"`) || !strings.Contains(page.Body, "0,5") {
		t.Fatalf("settings page: %d", page.Status)
	}
	st, _ := e.db.Settings(ctx)
	form := url.Values{"nome_ats": {st.NomeATS}, "finestre": {st.Finestre}, "quota_iscritti": {"1,5"}, "minimo_plessi": {"3"},
		"checklist": {"chiamare il plesso\r\ndecidere"}, "mittente_email": {st.MittenteEmail}, "url_portale": {st.URLPortale},
		"email_assistenza": {st.EmailAssistenza}, "numero_verde": {st.NumeroVerde}, "orari_assistenza": {st.OrariAssistenza},
		"province": {st.Province}, "email_allerte": {st.EmailAllerte}}
	r := c.post("/admin/impostazioni", form)
	if r.Status != 422 || !strings.Contains(text(r.Body), "Indicare una quota tra 0 e 1") || !strings.Contains(r.Body, `value="1,5"`) {
		t.Fatalf("bad share: %d %s", r.Status, text(r.Body))
	}
	if got, _ := e.db.Settings(ctx); got.QuotaIscritti != st.QuotaIscritti || got.ChecklistAllerta != st.ChecklistAllerta {
		t.Fatal("a refused form saved something")
	}
	form.Set("quota_iscritti", "0,6")
	if r := c.post("/admin/impostazioni", form); r.Status != 303 {
		t.Fatalf("good form: %d %s", r.Status, text(r.Body))
	}
	got, _ := e.db.Settings(ctx)
	if q, m := got.Completezza(); q != 0.6 || m != 3 || strings.Join(got.Checklist(), "|") != "chiamare il plesso|decidere" {
		t.Fatalf("saved %v %d %q", q, m, got.Checklist())
	}
}
