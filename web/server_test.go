package web_test

import (
	"bytes"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
	"github.com/portalescuole/portalescuole/web"
)

func TestServer_Healthz(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			r := e.client().get("/healthz")
			// The first line for probes, then the engine and its role
			// (issue 21, item 11); a lone PostgreSQL is a primary with no
			// standby.
			want := "ok\nmotore: sqlite\nruolo: unico\n"
			if d == store.Postgres {
				want = "ok\nmotore: postgres\nruolo: primario\nstandby: 0\nritardo_replica_s: 0.000\n"
			}
			if r.Status != 200 || r.Body != want {
				t.Fatalf("healthz %d %q, want %q", r.Status, r.Body, want)
			}
		})
	}
	e := newEnv(t, store.SQLite)
	c := e.client()
	e.db.Close()
	if r := c.get("/healthz"); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed: %d", r.Status)
	}
}

func TestServer_SecurityHeaders(t *testing.T) {
	e := newEnv(t, store.SQLite, func(c *web.Config) { c.SecureCookies = true })
	c := e.client()
	r := c.get("/login")
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if r.Header.Get("X-Frame-Options") != "DENY" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", r.Header)
	}
	if strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, " style=") || strings.Contains(r.Body, "<style") {
		t.Error("the login page has inline script or style")
	}
	user, pw := demoAccount(ps.RoleATS)
	lr := c.login(user, pw)
	cookie := lr.Header.Get("Set-Cookie")
	for _, want := range []string{"ps_session=", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
}

func TestServer_CrossOriginWrite(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.loginAs("cree80001r", pwPlesso)
	form := url.Values{"anno": {"2026/27"}, "iscritti": {"200"}, "classi": {"10"}}
	req, _ := http.NewRequest("POST", e.ts.URL+"/plesso/"+ownPlesso+"/registro", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := c.do(req); r.Status != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", r.Status)
	}
	if n := e.countConsistenze(ownPlesso); n != 0 {
		t.Fatalf("a cross-site POST saved %d revisions", n)
	}
}

func TestServer_Login(t *testing.T) {
	e := newEnv(t, store.SQLite)

	t.Run("wrong password is refused and audited", func(t *testing.T) {
		r := e.client().login("cree80001r", "sbagliata")
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Nome utente o password non corretti") {
			t.Fatalf("%d %s", r.Status, text(r.Body))
		}
		_, n, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "login.fail", Username: "cree80001r"})
		if n != 1 {
			t.Fatalf("%d login.fail entries", n)
		}
	})

	t.Run("unknown user reads like a wrong password", func(t *testing.T) {
		r := e.client().login("nessuno", "x")
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Nome utente o password non corretti") {
			t.Fatalf("%d", r.Status)
		}
	})

	t.Run("first login forces a password change", func(t *testing.T) {
		c := e.client()
		r := c.login("mnee800012", "demo-primo-accesso")
		if r.Location != "/password" {
			t.Fatalf("redirect %q", r.Location)
		}
		if r := c.get("/plesso/MNEE800012"); r.Location != "/password" {
			t.Fatalf("a page before the change: %d %q", r.Status, r.Location)
		}
		r = c.post("/password", url.Values{"current": {"demo-primo-accesso"}, "new": {"corta"}, "confirm": {"corta"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "almeno 10 caratteri") {
			t.Fatalf("short password: %d", r.Status)
		}
		r = c.post("/password", url.Values{"current": {"demo-primo-accesso"}, "new": {"una nuova password"}, "confirm": {"una nuova password"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("change: %d %s", r.Status, text(r.Body))
		}
		if r := c.get("/plesso/MNEE800012"); r.Status != 200 {
			t.Fatalf("after the change: %d", r.Status)
		}
		if r := e.client().login("mnee800012", "una nuova password"); r.Location != "/" {
			t.Fatalf("login with the new password: %d %q", r.Status, r.Location)
		}
	})

	t.Run("throttled per IP", func(t *testing.T) {
		e := newEnv(t, store.SQLite, func(c *web.Config) { c.LoginBurst = 3; c.LoginRate = 0.001 })
		c := e.client()
		var last resp
		for i := 0; i < 4; i++ {
			last = c.login("nessuno", "x")
		}
		if last.Status != http.StatusTooManyRequests {
			t.Fatalf("4th attempt in a burst of 3: %d", last.Status)
		}
	})
}

// TestServer_Registro walks the secretary's flow on both databases.
func TestServer_Registro(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			c := e.loginAs("cree80001r", pwPlesso)
			if r := c.get("/"); r.Location != "/plesso/"+ownPlesso {
				t.Fatalf("home redirect %q", r.Location)
			}
			home := c.get("/plesso/" + ownPlesso)
			if !strings.Contains(home.Body, `href="/plesso/`+ownPlesso+`/registro"`) || !strings.Contains(home.Body, "Registro assenze") {
				t.Fatal("the plesso home has no Registro assenze button")
			}
			if !strings.Contains(home.Body, "riavvio.scuole@ats-valpadana.it") || !strings.Contains(home.Body, "800 611 616") {
				t.Fatal("help channels missing from the footer")
			}
			reg := c.get("/plesso/" + ownPlesso + "/registro")
			if !strings.Contains(reg.Body, `/registro/aggiungi"`) || !strings.Contains(reg.Body, "Aggiungi") {
				t.Fatal("no Aggiungi button")
			}
			form := c.get("/plesso/" + ownPlesso + "/registro/aggiungi")
			if !strings.Contains(form.Body, `<option value="2026/27" selected>`) {
				t.Fatal("the form does not default to the current school year")
			}
			r := c.post("/plesso/"+ownPlesso+"/registro", url.Values{"anno": {"2026/27"}, "iscritti": {"1.234"}, "classi": {"52"}, "conferma": {"1"}})
			if r.Status != http.StatusSeeOther || r.Location != "/plesso/"+ownPlesso+"/registro" {
				t.Fatalf("save: %d %s", r.Status, text(r.Body))
			}
			list := c.get(r.Location)
			if !strings.Contains(text(list.Body), "Dati salvati: revisione 1 dell'anno scolastico 2026/27") {
				t.Fatal("no confirmation after saving")
			}
			if !strings.Contains(text(list.Body), "1 in vigore 1.234 52 23,7 01/09/2026") {
				t.Fatalf("record not listed: %s", text(list.Body))
			}
			r = c.post("/plesso/"+ownPlesso+"/registro", url.Values{"anno": {"2026/27"}, "iscritti": {"1240"}, "classi": {"52"}, "note": {"un nuovo alunno"}})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("variation: %d", r.Status)
			}
			list = c.get(r.Location)
			if n := strings.Count(list.Body, "<tr class=\"table-success\">") + strings.Count(list.Body, "<tr>") - 1; n < 2 {
				t.Fatalf("history shows %d rows", n)
			}
			if !strings.Contains(text(list.Body), "2 in vigore 1.240 52") || !strings.Contains(text(list.Body), "1 1.234 52") {
				t.Fatalf("history: %s", text(list.Body))
			}
			if got := e.countConsistenze(ownPlesso); got != 2 {
				t.Fatalf("%d revisions stored", got)
			}
		})
	}
}

func TestServer_RegistroBadInput(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.loginAs("cree80001r", pwPlesso)
	path := "/plesso/" + ownPlesso + "/registro"
	for _, tc := range []struct {
		name             string
		iscritti, classi string
		field, msg       string
	}{
		{"negative", "-5", "3", "iscritti", "non può essere negativo"},
		{"letters", "dodici", "3", "iscritti", "numero intero"},
		{"decimals", "120,5", "6", "iscritti", "numero intero"},
		{"huge", "1000000000000", "3", "iscritti", "supera il massimo"},
		{"empty", "", "", "iscritti", "Indicare il numero di iscritti"},
		{"empty classes", "100", "", "classi", "Indicare il numero di classi"},
		{"zero classes", "100", "0", "classi", "almeno 1"},
		{"classes above pupils", "5", "8", "iscritti", "meno delle classi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.post(path, url.Values{"anno": {"2026/27"}, "iscritti": {tc.iscritti}, "classi": {tc.classi}})
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", r.Status)
			}
			errID := `id="` + tc.field + `-err">`
			i := strings.Index(r.Body, errID)
			if i < 0 || !strings.Contains(r.Body[i:i+300], tc.msg) {
				t.Fatalf("no %q next to %s: %s", tc.msg, tc.field, text(r.Body))
			}
			if !strings.Contains(r.Body, `id="error-summary"`) || !strings.Contains(r.Body, `href="#`+tc.field+`"`) {
				t.Fatal("no error summary linking the field")
			}
			if !strings.Contains(r.Body, `value="`+tc.iscritti+`"`) {
				t.Fatal("the typed value was lost")
			}
			if n := e.countConsistenze(ownPlesso); n != 0 {
				t.Fatalf("a refused form saved %d revisions", n)
			}
		})
	}

	t.Run("10 MB body", func(t *testing.T) {
		big := url.Values{"anno": {"2026/27"}, "iscritti": {"100"}, "classi": {"5"}, "note": {strings.Repeat("x", 10<<20)}}
		r := c.post(path, big)
		if r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "troppo grandi") {
			t.Fatalf("status %d", r.Status)
		}
		if n := e.countConsistenze(ownPlesso); n != 0 {
			t.Fatalf("saved %d", n)
		}
	})

	t.Run("a count far from the ministry's asks for confirmation", func(t *testing.T) {
		mim, di, ok, err := e.db.UltimiStudentiMIM(ctx, ownPlesso, 2026)
		if err != nil || !ok || mim > 500 {
			t.Fatalf("the demo plesso has no usable ministry count (%d, %v, %v): the test proves nothing", mim, ok, err)
		}
		form := url.Values{"anno": {"2026/27"}, "iscritti": {"1200"}, "classi": {"48"}}
		r := c.post(path, form)
		want := "Gli iscritti indicati (1.200) sono molto diversi da quelli del Ministero per l'a.s. " + di.String() + ": " + itoa(mim)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), want) || !strings.Contains(r.Body, `name="conferma"`) {
			t.Fatalf("no plausibility question (%q): %d %s", want, r.Status, text(r.Body))
		}
		if !strings.Contains(text(r.Body), "Verificare prima di salvare") || strings.Contains(text(r.Body), "contiene errori") {
			t.Errorf("a question is titled as an error: %s", text(r.Body))
		}
		if n := e.countConsistenze(ownPlesso); n != 0 {
			t.Fatal("saved before confirmation")
		}
		form.Set("iscritti", strconv.Itoa(mim+10))
		form.Set("classi", strconv.Itoa(max(1, (mim+10)/20)))
		if r := c.post(path, form); r.Status != http.StatusSeeOther {
			t.Fatalf("a plausible count was questioned: %d %s", r.Status, text(r.Body))
		}
		if n := e.countConsistenze(ownPlesso); n != 1 {
			t.Fatalf("%d revisions", n)
		}
	})

	t.Run("unusual average asks for confirmation", func(t *testing.T) {
		before := e.countConsistenze(ownPlesso)
		form := url.Values{"anno": {"2026/27"}, "iscritti": {"100"}, "classi": {"2"}, "conferma": {}}
		r := c.post(path, form)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `name="conferma"`) || !strings.Contains(r.Body, "(50,0)") {
			t.Fatalf("no confirmation asked: %d %s", r.Status, text(r.Body))
		}
		if n := e.countConsistenze(ownPlesso); n != before {
			t.Fatal("saved before confirmation")
		}
		form.Set("conferma", "1")
		if r := c.post(path, form); r.Status != http.StatusSeeOther {
			t.Fatalf("confirmed: %d", r.Status)
		}
		if n := e.countConsistenze(ownPlesso); n != before+1 {
			t.Fatalf("after confirmation %d revisions", n)
		}
	})

	t.Run("forged plesso code", func(t *testing.T) {
		before := e.countConsistenze(otherPlesso)
		// In the body: ignored, the record goes to the user's own plesso.
		r := c.post(path, url.Values{"plesso": {otherPlesso}, "anno": {"2026/27"}, "iscritti": {"300"}, "classi": {"15"}, "conferma": {"1"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("%d", r.Status)
		}
		// In the path: refused.
		r = c.post("/plesso/"+otherPlesso+"/registro", url.Values{"anno": {"2026/27"}, "iscritti": {"300"}, "classi": {"15"}})
		if r.Status != http.StatusForbidden {
			t.Fatalf("another plesso's register: %d", r.Status)
		}
		if e.countConsistenze(otherPlesso) != before {
			t.Fatal("another plesso's data changed")
		}
		_, n, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "access.denied", Username: "cree80001r"})
		if n == 0 {
			t.Fatal("the refusal was not audited")
		}
	})
}

func TestServer_Adempimenti(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	all, err := e.db.Adempimenti(ctx, 2026, store.PlessoFilter{InScope: true, Attivi: true})
	if err != nil {
		t.Fatal(err)
	}
	tot := ps.Totale(all)
	if tot.Fatti == 0 || tot.Mancano == 0 {
		t.Fatalf("demo state not plausible: %+v", tot)
	}
	page := c.get("/ats/adempimenti")
	if page.Status != 200 || !strings.Contains(text(page.Body), "Totale: "+itoa(tot.Fatti)+" / "+itoa(tot.Totale)) {
		t.Fatalf("page: %d %s", page.Status, text(page.Body)[:300])
	}

	r := c.get("/ats/adempimenti.csv?anno=2026/27&stato=manca&provincia=CR")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, a := range all {
		if !a.Fatto() && a.Plesso.Provincia == "CR" {
			want++
		}
	}
	if len(rows)-1 != want || rows[0][1] != "codice" {
		t.Fatalf("CSV has %d rows, want %d", len(rows)-1, want)
	}
	for _, row := range rows[1:] {
		if row[8] != "mancante" || row[5] != "CR" {
			t.Fatalf("row outside the filter: %v", row)
		}
	}

	x := c.get("/ats/adempimenti.xlsx?anno=2026/27")
	f, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	xrows, _ := f.GetRows("Adempimenti")
	if len(xrows)-1 != tot.Totale {
		t.Fatalf("XLSX has %d rows, want %d", len(xrows)-1, tot.Totale)
	}
	_, n, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "export."})
	if n != 2 {
		t.Fatalf("exports audited %d times", n)
	}
}

// itoa formats n as the pages do (Italian thousands separator).
func itoa(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func TestServer_Import(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	upload := func(name, content string) resp {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(content))
		mw.WriteField("anno", "2026/27")
		mw.Close()
		req, _ := http.NewRequest("POST", e.ts.URL+"/ats/import", &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", e.ts.URL)
		return c.do(req)
	}
	before, _ := e.db.ImportRuns(ctx, 100)
	r := upload("studenti.csv", "CODICESCUOLA,NUMEROSTUDENTI\nCREE80001R,300\nCREE80002T,abc\n")
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "riga 3") {
		t.Fatalf("bad file: %d %s", r.Status, text(r.Body))
	}
	if n, ok, _ := e.db.StudentiMIM(ctx, "CREE80001R", 2026); ok {
		t.Fatalf("rejected file stored %d", n)
	}
	r = upload("studenti.csv", "CODICESCUOLA,NUMEROSTUDENTI\nCREE80001R,300\nCREE80002T,120\n")
	if r.Status != 200 || !strings.Contains(text(r.Body), "2 aggiunti, 0 modificati, 0 ritirati") {
		t.Fatalf("good file: %d %s", r.Status, text(r.Body))
	}
	r = upload("studenti.csv", "CODICESCUOLA,NUMEROSTUDENTI\nCREE80001R,300\nCREE80002T,120\n")
	if !strings.Contains(text(r.Body), "0 aggiunti, 0 modificati, 0 ritirati") {
		t.Fatalf("same file again: %s", text(r.Body))
	}
	after, _ := e.db.ImportRuns(ctx, 100)
	if len(after) != len(before)+2 {
		t.Fatalf("import runs %d -> %d", len(before), len(after))
	}
}

func TestServer_Credenziali(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	r := c.post("/ats/credenziali", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%d %s", r.Status, r.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) < 100 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	codice, username, password := rows[1][0], rows[1][5], rows[1][6]
	nc := e.client()
	if lr := nc.login(username, password); lr.Location != "/password" {
		t.Fatalf("new credentials for %s: %d %q", codice, lr.Status, lr.Location)
	}
	// Pressing again creates nobody twice.
	if r := c.post("/ats/credenziali", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("second issue: %d", r.Status)
	}
	// The operator finds the plesso by its code on the credentials page and
	// is asked to confirm; an unconfirmed POST changes nothing.
	if page := c.get("/ats/credenziali"); !strings.Contains(page.Body, `action="/ats/plessi/reset"`) {
		t.Fatal("the credentials page offers no reset")
	}
	r = c.get("/ats/plessi/reset?codice=" + url.QueryEscape(" "+strings.ToLower(codice)+" "))
	if r.Location != "/ats/plessi/"+codice+"/reset" {
		t.Fatalf("search by code: %d %q", r.Status, r.Location)
	}
	if conf := c.get(r.Location); !strings.Contains(conf.Body, `name="conferma" value="1"`) || !strings.Contains(text(conf.Body), "smetterà di funzionare") {
		t.Fatalf("confirmation page: %s", text(conf.Body))
	}
	if r := c.post("/ats/plessi/"+codice+"/reset", nil); r.Location != "/ats/plessi/"+codice+"/reset" {
		t.Fatalf("unconfirmed reset: %d %q", r.Status, r.Location)
	}
	if lr := nc.login(username, password); lr.Location != "/password" {
		t.Fatalf("an unconfirmed reset changed the password: %d %q", lr.Status, lr.Location)
	}
	if r := c.get("/ats/plessi/reset?codice=XXEE000000"); r.Location != "/ats/credenziali" || !strings.Contains(text(c.get(r.Location).Body), "Nessun plesso con codice «XXEE000000»") {
		t.Fatalf("unknown code: %d %q", r.Status, r.Location)
	}
	// A confirmed reset shows a new temporary password once.
	r = c.post("/ats/plessi/"+codice+"/reset", url.Values{"conferma": {"1"}})
	page := c.get(r.Location)
	if !strings.Contains(page.Body, "Nuova password temporanea per "+username) {
		t.Fatalf("reset: %s", text(page.Body))
	}
	if lr := nc.login(username, password); lr.Status != http.StatusUnauthorized {
		t.Fatalf("the old password still works after a reset: %d", lr.Status)
	}
}

func TestServer_English(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.loginAs("cree80001r", pwPlesso)
	r := c.post("/lingua", url.Values{"lang": {"en"}, "next": {"/plesso/" + ownPlesso + "/registro/aggiungi"}})
	if r.Location != "/plesso/"+ownPlesso+"/registro/aggiungi" {
		t.Fatalf("redirect %q", r.Location)
	}
	page := c.get(r.Location)
	if !strings.Contains(page.Body, `<html lang="en">`) || !strings.Contains(page.Body, "Pupils aged 6–19") || !strings.Contains(page.Body, ">Save<") {
		t.Fatalf("not English: %s", text(page.Body))
	}
	bad := c.post("/plesso/"+ownPlesso+"/registro", url.Values{"anno": {"2026/27"}, "iscritti": {"abc"}, "classi": {"3"}})
	if !strings.Contains(bad.Body, "Write a whole number") {
		t.Fatalf("error not English: %s", text(bad.Body))
	}
	// An open redirect through "next" is refused.
	if r := c.post("/lingua", url.Values{"lang": {"it"}, "next": {"//evil.example/"}}); r.Location != "/" {
		t.Fatalf("next=//evil.example redirected to %q", r.Location)
	}
}

func TestServer_Metrics(t *testing.T) {
	e := newEnv(t, store.SQLite)
	c := e.client()
	c.get("/login")
	c.login("nessuno", "x")
	m := c.get("/metrics")
	if m.Status != 200 {
		t.Fatalf("metrics: %d", m.Status)
	}
	for _, want := range []string{`portale_http_requests_total{code="200",method="GET",route="/login"}`, `portale_logins_total{esito="rifiutato"}`,
		"portale_http_request_duration_seconds_bucket", "portale_outbox_messages", "go_goroutines"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	req, _ := http.NewRequest("GET", e.ts.URL+"/metrics", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if r := c.do(req); r.Status != http.StatusForbidden {
		t.Fatalf("metrics through a proxy: %d", r.Status)
	}
}

// A signed-in user whose account cannot be read (the users' table fails
// while the sessions' answers) gets an error page, not the login page as
// if anonymous, and keeps the session.
func TestAuthorize_UtenteIlleggibile(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	if r := c.get("/ats/allerte"); r.Status != 200 {
		t.Fatalf("before: %d", r.Status)
	}
	if _, err := e.db.SQL().Exec(`ALTER TABLE users RENAME TO users_altrove`); err != nil {
		t.Fatal(err)
	}
	r := c.get("/ats/allerte")
	if r.Status != http.StatusInternalServerError || strings.Contains(r.Location, "/login") {
		t.Fatalf("with the users unreadable: %d, Location %q", r.Status, r.Location)
	}
	if _, err := e.db.SQL().Exec(`ALTER TABLE users_altrove RENAME TO users`); err != nil {
		t.Fatal(err)
	}
	if r := c.get("/ats/allerte"); r.Status != 200 {
		t.Fatalf("the session did not survive the failure: %d %q", r.Status, r.Location)
	}
}
