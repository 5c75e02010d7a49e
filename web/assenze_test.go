package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
)

// sentinelEnv makes the demo's CREE80001R a sentinel with entered figures
// (230 pupils), so it can report absences.
func sentinelEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, store.SQLite)
	if err := e.db.SetSentinella(ctx, ps.SystemActor, ownPlesso, 2026, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.db.AddConsistenza(ctx, ps.SystemActor, ps.Consistenza{Plesso: ownPlesso, Anno: 2026, Iscritti: 230, Classi: 11}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) stored(plesso, day string) *ps.Rilevazione {
	e.t.Helper()
	d, _ := time.Parse(ps.DateLayout, day)
	rows, err := e.db.Rilevazioni(ctx, plesso, d, d)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(rows) == 0 {
		return nil
	}
	return &rows[0]
}

// The demo clock is Thursday 26 November 2026, 10:00 UTC: the window
// Monday 23 – Wednesday 25 is due today at 12:00.
func TestServer_AssenzeEntry(t *testing.T) {
	e := sentinelEnv(t)
	c := e.loginAs("cree80001r", pwPlesso)
	page := c.get("/plesso/" + ownPlesso + "/assenze")
	for _, day := range []string{"2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"} {
		if !strings.Contains(page.Body, `id="giorno-`+day+`"`) {
			t.Fatalf("day %s missing from the entry screen", day)
		}
	}
	if strings.Contains(page.Body, `id="giorno-2026-11-22"`) || strings.Contains(page.Body, `id="giorno-2026-11-21"`) {
		t.Fatal("a non-school day or a day before the window is offered")
	}
	path := "/plesso/" + ownPlesso + "/assenze"
	form := url.Values{"n": {"4"},
		"g0.giorno": {"2026-11-23"}, "g0.assenti": {"0"},
		"g1.giorno": {"2026-11-24"}, "g1.assenti": {"12"}, "g1.febbre": {"7"}, "g1.gastro": {"1"}, "g1.altra": {"2"}, "g1.non": {"2"},
		"g2.giorno": {"2026-11-25"}, "g2.chiuso": {"1"}, "g2.motivo_chiusura": {"sciopero"},
		"g3.giorno": {"2026-11-26"}, // left empty: not reported yet
	}

	t.Run("refused submission changes nothing", func(t *testing.T) {
		for _, tc := range []struct {
			name, key, value, field, msg string
		}{
			{"above enrolment", "g1.assenti", "231", "g1.assenti", "superano gli iscritti in vigore (230)"},
			{"negative", "g0.assenti", "-1", "g0.assenti", "negativo"},
			{"letters", "g0.assenti", "tre", "g0.assenti", "numero intero"},
			{"reasons above total", "g1.febbre", "20", "g1.motivi", "supera gli assenti"},
			{"closure without reason", "g2.motivo_chiusura", "", "g2.motivo_chiusura", "motivo della chiusura"},
			// Issue 21: the culprit is the reason typed in the detail, not
			// the empty total.
			{"closure with a reason", "g2.febbre", "3", "g2.motivi.febbre_respiratori", "un plesso chiuso non ha assenti"},
			{"a Sunday", "g0.giorno", "2026-11-22", "g0.giorno", "non è un giorno di lezione"},
			{"future", "g3.assenti", "0", "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				f.Set(tc.key, tc.value)
				if tc.name == "future" {
					f.Set("g3.giorno", "2026-11-27")
					tc.field, tc.msg = "g3.giorno", "futuri"
				}
				r := c.post(path, f)
				if r.Status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d", r.Status)
				}
				if !strings.Contains(text(r.Body), tc.msg) || !strings.Contains(r.Body, `href="#`+tc.field+`"`) {
					t.Fatalf("no %q linked to %s: %s", tc.msg, tc.field, text(r.Body))
				}
				if got := e.stored(ownPlesso, "2026-11-23"); got != nil {
					t.Fatal("a refused submission stored a day")
				}
				if tc.name == "closure with a reason" {
					if !strings.Contains(r.Body, `id="g2.febbre" name="g2.febbre" value="3" aria-describedby="g2.motivi.febbre_respiratori" aria-invalid="true"`) ||
						strings.Contains(r.Body, `href="#g2.assenti"`) {
						t.Fatalf("the reason is not marked, or the empty total is: %s", r.Body)
					}
				}
			})
		}
	})

	t.Run("zero, reasons, closure and a day left empty", func(t *testing.T) {
		r := c.post(path, form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", r.Status, text(r.Body))
		}
		if p := c.get(r.Location); !strings.Contains(text(p.Body), "Giorni nuovi: 3; corretti: 0; invariati: 0.") {
			t.Fatalf("confirmation: %s", text(p.Body))
		}
		zero := e.stored(ownPlesso, "2026-11-23")
		if zero == nil || zero.Assenti == nil || *zero.Assenti != 0 {
			t.Fatalf("0 absent not stored as 0: %+v", zero)
		}
		if d := e.stored(ownPlesso, "2026-11-24"); *d.Assenti != 12 || *d.Motivi.Febbre != 7 || *d.Motivi.NonMalattia != 2 {
			t.Fatalf("reasons: %+v", d)
		}
		if d := e.stored(ownPlesso, "2026-11-25"); !d.Chiuso || d.MotivoChiusura != "sciopero" || d.Assenti != nil {
			t.Fatalf("closure: %+v", d)
		}
		if d := e.stored(ownPlesso, "2026-11-26"); d != nil {
			t.Fatalf("an empty row was stored: %+v", d)
		}
		// The screen now offers only the day still missing.
		page := c.get(path)
		if strings.Contains(page.Body, `id="giorno-2026-11-24"`) || !strings.Contains(page.Body, `id="giorno-2026-11-26"`) {
			t.Fatal("the entry screen does not start after the last submission")
		}
	})

	t.Run("a correction is a new revision, history kept", func(t *testing.T) {
		again := c.post(path, form)
		if p := c.get(again.Location); !strings.Contains(text(p.Body), "Giorni nuovi: 0; corretti: 0; invariati: 3.") {
			t.Fatalf("same form twice: %s", text(p.Body))
		}
		fix := url.Values{"n": {"1"}, "g0.giorno": {"2026-11-24"}, "g0.assenti": {"14"}}
		later := today.Add(time.Minute)
		e.db.Now = func() time.Time { return later }
		if r := c.post(path, fix); r.Status != http.StatusSeeOther {
			t.Fatalf("correction: %d %s", r.Status, text(r.Body))
		}
		d, _ := time.Parse(ps.DateLayout, "2026-11-24")
		hist, err := e.db.StoricoGiorno(ctx, ownPlesso, d)
		if err != nil || len(hist) != 2 || *hist[0].Assenti != 12 || *hist[1].Assenti != 14 || !hist[1].SegnalatoIl.After(hist[0].SegnalatoIl) {
			t.Fatalf("history %+v %v", hist, err)
		}
		e.db.Now = func() time.Time { return today }
	})

	t.Run("class detail must add up", func(t *testing.T) {
		// Two classes of eleven: the detail is partial, so the total may be
		// larger than the classes' sum, never smaller.
		f := url.Values{"n": {"1"}, "g0.giorno": {"2026-11-26"}, "g0.assenti": {"2"}, "g0.nc": {"2"},
			"g0.c0.classe": {"1A"}, "g0.c0.iscritti": {"20"}, "g0.c0.assenti": {"2"},
			"g0.c1.classe": {"1B"}, "g0.c1.iscritti": {"21"}, "g0.c1.assenti": {"1"}}
		r := c.post(path, f)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "Il totale del plesso (2) è minore degli assenti delle classi indicate (3)") ||
			!strings.Contains(text(r.Body), "giovedì 26/11/2026: ") {
			t.Fatalf("%d %s", r.Status, text(r.Body))
		}
		f.Set("g0.assenti", "5")
		if r := c.post(path, f); r.Status != http.StatusSeeOther {
			t.Fatalf("%d %s", r.Status, text(r.Body))
		}
		if d := e.stored(ownPlesso, "2026-11-26"); len(d.Classi) != 2 || d.Classi[1].Classe != "1B" {
			t.Fatalf("classes %+v", d)
		}
	})

	t.Run("a non-sentinel plesso cannot report", func(t *testing.T) {
		if err := e.db.SetSentinella(ctx, ps.SystemActor, otherPlesso, 2026, false); err != nil {
			t.Fatal(err)
		}
		user, pw := demoAccount(ps.RoleIstituto)
		ic := e.loginAs(user, pw)
		r := ic.post("/plesso/"+otherPlesso+"/assenze", url.Values{"n": {"1"}, "g0.giorno": {"2026-11-23"}, "g0.assenti": {"1"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "non è sentinella") {
			t.Fatalf("%d %s", r.Status, text(r.Body))
		}
	})
}

func upload(c *client, path, name string, content []byte, extra url.Values) resp {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if content != nil {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
	}
	for k, v := range extra {
		mw.WriteField(k, v[0])
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.e.ts.URL)
	return c.do(req)
}

var hiddenRE = func(name, body string) string {
	i := strings.Index(body, `name="`+name+`" value="`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`name="`+name+`" value="`):]
	return rest[:strings.Index(rest, `"`)]
}

func TestServer_AssenzeFile(t *testing.T) {
	e := sentinelEnv(t)
	c := e.loginAs("cree80001r", pwPlesso)
	path := "/plesso/" + ownPlesso + "/assenze/file"
	bad := "data,classe,iscritti,assenti,febbre_respiratori\n2026-11-23,1A,20,2,1\n2026-11-23,1B,21,x,\n2026-11-24,1A,20,1,\n"
	r := upload(c, path, "registro.csv", []byte(bad), nil)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "riga 3") || !strings.Contains(text(r.Body), "nessun dato è stato salvato") {
		t.Fatalf("bad line: %d %s", r.Status, text(r.Body))
	}
	// Valid lines, but one day breaks a rule: also refused whole, line named.
	over := "data,classe,iscritti,assenti\n2026-11-23,1A,20,2\n2026-11-24,1A,20,25\n"
	r = upload(c, path, "registro.csv", []byte(over), nil)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "riga 3 (24/11/2026)") {
		t.Fatalf("rule: %d %s", r.Status, text(r.Body))
	}
	if e.stored(ownPlesso, "2026-11-23") != nil {
		t.Fatal("a refused file stored data")
	}
	good := "data,classe,iscritti,assenti,febbre_respiratori\n2026-11-23,1A,20,2,1\n2026-11-23,1B,21,0,\n2026-11-24,1A,20,1,\n2026-11-24,1B,21,3,\n"
	preview := upload(c, path, "registro.csv", []byte(good), nil)
	if preview.Status != 200 || !strings.Contains(text(preview.Body), "Giorni pronti da salvare: 2") {
		t.Fatalf("preview: %d %s", preview.Status, text(preview.Body))
	}
	if e.stored(ownPlesso, "2026-11-23") != nil {
		t.Fatal("the preview stored data")
	}
	confirm := url.Values{"conferma": {"1"}, "nome": {"registro.csv"}, "dati": {hiddenRE("dati", preview.Body)}}
	for i, want := range []string{"Giorni nuovi: 2;", "Giorni nuovi: 0; corretti: 0; invariati: 2."} {
		r := upload(c, path, "", nil, confirm)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("commit %d: %d %s", i, r.Status, text(r.Body))
		}
		if p := c.get(r.Location); !strings.Contains(text(p.Body), want) {
			t.Fatalf("commit %d: want %q: %s", i, want, text(p.Body))
		}
	}
	if d := e.stored(ownPlesso, "2026-11-24"); d == nil || *d.Assenti != 4 || len(d.Classi) != 2 || d.Fonte != "file" {
		t.Fatalf("stored %+v", d)
	}
	d, _ := time.Parse(ps.DateLayout, "2026-11-24")
	if hist, _ := e.db.StoricoGiorno(ctx, ownPlesso, d); len(hist) != 1 {
		t.Fatalf("uploading twice made %d revisions", len(hist))
	}
}

func apiDo(e *env, method, path, token string, body any) resp {
	e.t.Helper()
	var buf bytes.Buffer
	if body != nil {
		json.NewEncoder(&buf).Encode(body)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.client().do(req)
}

func TestAPI_Assenze(t *testing.T) {
	e := sentinelEnv(t)
	tokA, _, err := e.db.CreateToken(ctx, ps.SystemActor, ownPlesso, "registro")
	if err != nil {
		t.Fatal(err)
	}
	tokB, _, _ := e.db.CreateToken(ctx, ps.SystemActor, otherPlesso, "registro")
	day := map[string]any{"giorno": "2026-11-23", "assenti": 9, "motivi": map[string]int{"febbre_respiratori": 4}}

	if r := apiDo(e, "POST", "/api/v1/assenze", "", map[string]any{"giorni": []any{day}}); r.Status != 401 {
		t.Fatalf("no token: %d", r.Status)
	}
	if r := apiDo(e, "POST", "/api/v1/assenze", "ps_falso", map[string]any{"giorni": []any{day}}); r.Status != 401 {
		t.Fatalf("bad token: %d", r.Status)
	}
	r := apiDo(e, "POST", "/api/v1/assenze", tokB, map[string]any{"plesso": ownPlesso, "giorni": []any{day}})
	if r.Status != 403 || !strings.Contains(r.Body, "non può scrivere dati di "+ownPlesso) {
		t.Fatalf("token of B writing A: %d %s", r.Status, r.Body)
	}
	if e.stored(ownPlesso, "2026-11-23") != nil {
		t.Fatal("token B wrote plesso A")
	}
	for i, want := range []string{`"nuovi": 1`, `"invariati": 1`} {
		r = apiDo(e, "POST", "/api/v1/assenze", tokA, map[string]any{"plesso": strings.ToLower(ownPlesso), "giorni": []any{day}})
		if r.Status != 200 || !strings.Contains(r.Body, want) {
			t.Fatalf("push %d: %d %s", i, r.Status, r.Body)
		}
	}
	r = apiDo(e, "POST", "/api/v1/assenze", tokA, map[string]any{"giorni": []any{
		map[string]any{"giorno": "2026-11-24", "classi": []any{map[string]any{"classe": "1A", "iscritti": 20, "assenti": 30}}},
		map[string]any{"giorno": "24/11/2026", "assenti": 1},
	}})
	var ae struct {
		Errore string            `json:"errore"`
		Campi  map[string]string `json:"campi"`
	}
	json.Unmarshal([]byte(r.Body), &ae)
	if r.Status != 422 || ae.Campi["giorni[1].giorno"] == "" || !strings.Contains(ae.Campi["giorni[0].classi[0].assenti"], "superano") {
		t.Fatalf("bad date, with the other day's error at once: %d %s", r.Status, r.Body)
	}
	r = apiDo(e, "POST", "/api/v1/assenze", tokA, map[string]any{"giorni": []any{
		map[string]any{"giorno": "2026-11-24", "classi": []any{map[string]any{"classe": "1A", "iscritti": 20, "assenti": 30}}}}})
	json.Unmarshal([]byte(r.Body), &ae)
	if r.Status != 422 || !strings.Contains(ae.Campi["giorni[0].classi[0].assenti"], "superano") {
		t.Fatalf("field path: %d %s", r.Status, r.Body)
	}
	if r := apiDo(e, "POST", "/api/v1/assenze", tokA, map[string]any{"giorni": []any{day}, "extra": 1}); r.Status != 400 || !strings.Contains(r.Body, "extra") {
		t.Fatalf("unknown field: %d %s", r.Status, r.Body)
	}
	if r := apiDo(e, "POST", "/api/v1/assenze", tokA, map[string]any{"giorni": []any{map[string]any{"giorno": "2026-11-23", "assenti": "nove"}}}); r.Status != 400 || !strings.Contains(r.Body, "giorni[0].assenti") {
		t.Fatalf("type error: %d %s", r.Status, r.Body)
	}
	got := apiDo(e, "GET", "/api/v1/assenze?dal=2026-11-23&al=2026-11-23", tokA, nil)
	if got.Status != 200 || !strings.Contains(got.Body, `"assenti": 9`) || !strings.Contains(got.Body, `"revisione": 1`) {
		t.Fatalf("get: %d %s", got.Status, got.Body)
	}
	if other := apiDo(e, "GET", "/api/v1/assenze?dal=2026-11-23&al=2026-11-23", tokB, nil); strings.Contains(other.Body, `"assenti": 9`) {
		t.Fatal("token B read plesso A")
	}
	toks, _ := e.db.Tokens(ctx, ownPlesso)
	if err := e.db.RevokeToken(ctx, ps.SystemActor, ownPlesso, toks[0].ID); err != nil {
		t.Fatal(err)
	}
	if r := apiDo(e, "GET", "/api/v1/plesso", tokA, nil); r.Status != 401 {
		t.Fatalf("revoked token: %d", r.Status)
	}
	_, n, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "assenze.save", Entity: "plesso:" + ownPlesso})
	if n != 1 {
		t.Fatalf("API writes audited %d times", n)
	}
}

// TestAPI_OpenAPIMatchesRoutes checks the published document against the
// real route table, both ways.
func TestAPI_OpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, store.SQLite)
	r := e.client().get("/api/v1/openapi.json")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("not an OpenAPI 3 document: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+doc.Servers[0].URL+path] = true
		}
	}
	routed := map[string]bool{}
	for _, rt := range e.srv.Routes() {
		if strings.HasPrefix(rt.Pattern, "/api/v1/") {
			routed[rt.Method+" "+rt.Pattern] = true
		}
	}
	for k := range documented {
		if !routed[k] {
			t.Errorf("documented but not routed: %s", k)
		}
	}
	for k := range routed {
		if !documented[k] {
			t.Errorf("routed but not documented: %s", k)
		}
	}
	if len(routed) < 3 {
		t.Fatalf("only %d API routes", len(routed))
	}
}

func TestAPI_ATSTokens(t *testing.T) {
	e := newEnv(t, store.SQLite)
	ats, _, err := e.db.CreateToken(ctx, ps.SystemActor, "", "cruscotto regionale")
	if err != nil {
		t.Fatal(err)
	}
	plesso, _, _ := e.db.CreateToken(ctx, ps.SystemActor, otherPlesso, "registro")
	for _, path := range []string{"/api/v1/ats/serie?serie=territorio", "/api/v1/ats/assenze", "/api/v1/ats/allerte", "/api/v1/ats/completezza"} {
		if r := apiDo(e, "GET", path, ats, nil); r.Status != 200 || len(r.Body) < 20 {
			t.Fatalf("%s with the ATS token: %d", path, r.Status)
		}
		if r := apiDo(e, "GET", path, plesso, nil); r.Status != 403 {
			t.Fatalf("%s with a plesso token: %d", path, r.Status)
		}
	}
	if r := apiDo(e, "POST", "/api/v1/assenze", ats, map[string]any{"giorni": []any{map[string]any{"giorno": "2026-11-23", "assenti": 1}}}); r.Status != 403 {
		t.Fatalf("an ATS token wrote absences: %d", r.Status)
	}
	var al struct {
		Allerte []struct {
			ID    int64  `json:"id"`
			Stato string `json:"stato"`
		} `json:"allerte"`
	}
	json.Unmarshal([]byte(apiDo(e, "GET", "/api/v1/ats/allerte", ats, nil).Body), &al)
	if len(al.Allerte) == 0 || al.Allerte[0].Stato == "" {
		t.Fatalf("alerts %+v", al)
	}
}
