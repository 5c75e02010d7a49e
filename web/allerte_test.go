package web_test

import (
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/mail"
	"github.com/portalescuole/portalescuole/mail/smtptest"
	"github.com/portalescuole/portalescuole/store"
)

func TestServer_AllerteLifecycle(t *testing.T) {
	e := newEnv(t, store.SQLite)
	open, err := e.db.Segnali(ctx, store.SegnaleFilter{Stato: ps.StatoNuovo, Tipo: "aggregati"})
	if err != nil || len(open) == 0 {
		t.Fatalf("the demo has no new alert: %v", err)
	}
	g := open[0]
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	path := "/ats/allerte/" + strconv.FormatInt(g.ID, 10)
	page := c.get(path)
	// The alert explains itself in words: no internal key, the method in
	// a sentence, what it rests on, what to do.
	body := text(page.Body)
	internal := strings.Contains(body, "plesso:") || strings.Contains(body, "provincia:") || strings.Contains(body, "grado:") || strings.Contains(body, "febbre/")
	if page.Status != 200 || internal || strings.Contains(body, "null") || !strings.Contains(body, "Modello scolastico del portale") ||
		!strings.Contains(body, "giorno di picco") || !strings.Contains(body, "Evidenza accumulata più alta dell'episodio") || !strings.Contains(body, "Cosa fare") || !strings.Contains(page.Body, `id="intorno"`) || !strings.Contains(page.Body, `id="contributi"`) {
		t.Fatalf("detail: %d %s", page.Status, body)
	}
	if m := regexp.MustCompile(`<td class="text-end">\d+\.\d</td>`).FindString(page.Body); m != "" {
		t.Errorf("a decimal point on an Italian page: %s", m)
	}
	post := func(v url.Values) resp { return c.post(path, v) }
	// nuovo → confermato skips evaluation: refused, nothing changes.
	if r := post(url.Values{"stato": {ps.StatoConfermato}, "da_stato": {ps.StatoNuovo}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(text(r.Body), "non ammesso") {
		t.Fatalf("skipping evaluation: %d", r.Status)
	}
	steps := []struct{ da, a, nota string }{
		{ps.StatoNuovo, ps.StatoValutazione, "verifico con i plessi"},
		{ps.StatoValutazione, ps.StatoConfermato, "focolaio influenzale confermato"},
		{ps.StatoConfermato, ps.StatoArchiviato, "chiuso"},
	}
	for _, st := range steps {
		r := post(url.Values{"stato": {st.a}, "da_stato": {st.da}, "nota": {st.nota}, "assegnato": {user}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("%s → %s: %d %s", st.da, st.a, r.Status, text(r.Body))
		}
	}
	// A stale form (another operator moved it) is refused.
	if r := post(url.Values{"stato": {ps.StatoValutazione}, "da_stato": {ps.StatoNuovo}}); r.Status != http.StatusConflict {
		t.Fatalf("stale form: %d", r.Status)
	}
	hist, _ := e.db.StoriaSegnale(ctx, g.ID)
	if len(hist) != 4 || hist[3].A != ps.StatoArchiviato || hist[2].Nota == "" || hist[1].Username != user {
		t.Fatalf("history %+v", hist)
	}
	got, _ := e.db.Segnale(ctx, g.ID)
	if got.Stato != ps.StatoArchiviato || got.Assegnato != user {
		t.Fatalf("alert %+v", got)
	}
	if _, n, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "segnale.update", Entity: "segnale:" + strconv.FormatInt(g.ID, 10)}); n != 3 {
		t.Fatalf("audited %d updates", n)
	}
	// Plessi never reach alerts (the authorisation matrix covers every route).
	pc := e.loginAs("cree80002t", pwPlesso)
	if r := pc.get(path); r.Status != http.StatusForbidden {
		t.Fatalf("a plesso reads an alert: %d", r.Status)
	}
}

func TestServer_AllerteEmail(t *testing.T) {
	e := newEnv(t, store.SQLite)
	smtp := smtptest.NewServer(t)
	worker := mail.NewWorker(e.db, mail.NewSMTP(mail.Config{Host: "127.0.0.1", Port: smtp.Port, TLS: "none", From: "portale@ats.example"}),
		slog.New(slog.DiscardHandler), time.Hour)
	// The demo queued its alerts of the last week at the wall-clock time.
	e.db.Now = func() time.Time { return time.Now().Add(time.Minute) }
	sent := worker.Drain(ctx)
	var alert *smtptest.Received
	for _, m := range smtp.Messages() {
		if strings.HasPrefix(m.Header("Subject"), "Portale Scuole – nuova allerta") {
			alert = &m
			break
		}
	}
	if sent == 0 || alert == nil {
		t.Fatalf("no alert e-mail over SMTP (%d sent)", sent)
	}
	if alert.To[0] != "sorveglianza@ats-valpadana.example" || !strings.Contains(alert.Body(), "/ats/allerte/") || !strings.Contains(alert.Body(), "Plessi con l'eccesso maggiore") {
		t.Fatalf("alert mail to %v: %s", alert.To, alert.Body())
	}
}

func TestServer_Cruscotto(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	page := c.get("/ats/cruscotto")
	if page.Status != 200 || !strings.Contains(page.Body, `id="stima"`) || !strings.Contains(page.Body, "data-kind=\"piccolo\"") {
		t.Fatalf("dashboard: %d", page.Status)
	}
	var tr struct {
		Giorni  []int64    `json:"giorni"`
		Tasso   []*float64 `json:"tasso"`
		Soglia  []*float64 `json:"soglia"`
		Allarme []*float64 `json:"allarme"`
	}
	if err := json.Unmarshal([]byte(c.get("/ats/cruscotto/serie.json?serie=territorio").Body), &tr); err != nil || len(tr.Giorni) < 40 {
		t.Fatalf("series %v, %d days", err, len(tr.Giorni))
	}
	alarms := 0
	for i := range tr.Giorni {
		if time.Unix(tr.Giorni[i], 0).UTC().Weekday() == time.Saturday {
			t.Fatal("a Saturday in the watched series")
		}
		if tr.Allarme[i] != nil {
			alarms++
			if tr.Soglia[i] == nil || *tr.Allarme[i] <= *tr.Soglia[i] {
				t.Fatalf("alarm at or below the threshold on day %d", i)
			}
		}
	}
	if alarms == 0 {
		t.Fatal("no alarm drawn")
	}
	var wk struct {
		Corrente []*float64 `json:"corrente"`
		InfluNet []*float64 `json:"influnet"`
	}
	json.Unmarshal([]byte(c.get("/ats/cruscotto/settimane.json").Body), &wk)
	if len(wk.Corrente) == 0 || len(wk.InfluNet) != len(wk.Corrente) {
		t.Fatalf("weekly %+v", wk)
	}
	// A plesso's own view compares it with the territory.
	pc := e.loginAs("cree80002t", pwPlesso)
	var own struct {
		Plesso     []*float64 `json:"plesso"`
		Territorio []*float64 `json:"territorio"`
	}
	json.Unmarshal([]byte(pc.get("/plesso/CREE80002T/andamento.json").Body), &own)
	if len(own.Plesso) == 0 || len(own.Plesso) != len(own.Territorio) {
		t.Fatalf("plesso view %+v", own)
	}
	if r := pc.get("/plesso/CREE80001R/andamento.json"); r.Status != http.StatusForbidden {
		t.Fatalf("another plesso's trend: %d", r.Status)
	}
}

func TestServer_ExportSuppression(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	read := func(path string) [][]string {
		r := c.get(path)
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %v (%d rows)", path, err, len(rows))
		}
		return rows
	}
	truth := rilasciate(t, e)
	shared := read("/ats/export/assenze.csv?uso=esterno")
	if len(truth) != len(shared)-1 {
		t.Fatalf("%d released plesso days, %d shared", len(truth), len(shared)-1)
	}
	small := 0
	for i := 1; i < len(shared); i++ {
		o, ok := truth[shared[i][0]+"|"+shared[i][1]]
		if !ok {
			t.Fatalf("row %d: not released", i)
		}
		n := o.Assenti
		if n >= 1 && n <= 3 {
			small++
			if shared[i][6] != "<4" && shared[i][6] != "riservato" {
				t.Fatalf("row %d: count %d shared as %q", i, n, shared[i][6])
			}
		} else if shared[i][6] != strconv.Itoa(n) && shared[i][6] != "riservato" {
			t.Fatalf("row %d: %d changed to %q", i, n, shared[i][6])
		}
	}
	if small == 0 {
		t.Fatal("the demo has no small count: the test cannot tell")
	}
	for _, row := range read("/ats/export/allerte.csv")[1:] {
		if row[15] == "" || row[1] == "" || row[2] < row[1] {
			t.Fatalf("alert without state: %v", row)
		}
	}
	x := c.get("/ats/export/completezza.xlsx")
	if !strings.HasPrefix(x.Body, "PK") {
		t.Fatal("the XLSX export is not a zip")
	}
}

// The dashboard is cached, but an alert handled elsewhere leaves its list
// at once.
func TestServer_CruscottoCacheFollowsAlerts(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	first := c.get("/ats/cruscotto")
	// The territory's open alert heads the dashboard's list.
	open, _ := e.db.Segnali(ctx, store.SegnaleFilter{Stato: ps.StatoNuovo, Livello: ps.LivelloTerritorio, Limit: 10})
	if len(open) == 0 || !strings.Contains(first.Body, "/ats/allerte/"+strconv.FormatInt(open[0].ID, 10)+`"`) {
		t.Fatal("the territory's new alert is not on the dashboard")
	}
	if err := e.db.UpdateSegnale(ctx, ps.SystemActor, open[0].ID, ps.StatoArchiviato, "", "falso allarme", ps.StatoNuovo); err != nil {
		t.Fatal(err)
	}
	again := c.get("/ats/cruscotto")
	// Still named by the week's paragraph (its link), no longer open.
	aperte, _, _ := strings.Cut(again.Body[strings.Index(again.Body, `id="allerte-aperte"`):], "</div>")
	if strings.Contains(aperte, "/ats/allerte/"+strconv.FormatInt(open[0].ID, 10)+`"`) {
		t.Fatal("an archived alert is still listed as open: stale cache")
	}
}
