package web_test

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/mail"
	"github.com/portalescuole/portalescuole/mail/smtptest"
	"github.com/portalescuole/portalescuole/sentinella"
	"github.com/portalescuole/portalescuole/store"
)

func TestServer_Completezza(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	sent, _ := e.db.Sentinelle(ctx, 2026)
	if len(sent) < 5 {
		t.Fatalf("demo has %d sentinels", len(sent))
	}
	page := c.get("/ats/completezza?dal=2026-11-09&al=2026-11-26")
	if page.Status != 200 {
		t.Fatalf("%d", page.Status)
	}
	body := text(page.Body)
	for _, want := range []string{"in tempo", "aperta", sent[0]} {
		if !strings.Contains(body, want) {
			t.Fatalf("completeness page lacks %q", want)
		}
	}
	j := c.get("/ats/completezza.json?dal=2026-11-09&al=2026-11-26")
	var pts []struct {
		Dal     string   `json:"dal"`
		InTempo *float64 `json:"in_tempo"`
	}
	if err := json.Unmarshal([]byte(j.Body), &pts); err != nil || len(pts) != 6 {
		t.Fatalf("chart data %s %v", j.Body, err)
	}
	if pts[0].Dal != "2026-11-09" || pts[0].InTempo == nil || *pts[0].InTempo <= 0 || *pts[0].InTempo > 100 || pts[5].InTempo != nil {
		t.Fatalf("points %s", j.Body)
	}
	// The coverage page lists the network.
	cov := c.get("/ats/sentinelle")
	if !strings.Contains(text(cov.Body), "Copertura") || !strings.Contains(cov.Body, sent[0]) {
		t.Fatal("coverage page")
	}
}

// TestPromemoria_Assenze: the day before a deadline the sentinels still
// missing days get one reminder, over a real SMTP exchange, and only one.
func TestPromemoria_Assenze(t *testing.T) {
	e := newEnv(t, store.SQLite)
	smtp := smtptest.NewServer(t)
	worker := mail.NewWorker(e.db, mail.NewSMTP(mail.Config{Host: "127.0.0.1", Port: smtp.Port, TLS: "none", From: "portale@ats.example"}),
		slog.New(slog.DiscardHandler), time.Hour)
	rome, _ := time.LoadLocation("Europe/Rome")
	// Wednesday 25 November 2026, 14:00: the Monday–Wednesday window is due
	// tomorrow at 12:00 and nobody has reported it yet (the demo leaves it open).
	now := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return now }
	n, err := sentinella.Promemoria(ctx, e.db, ps.FinestreDefault, now, rome)
	if err != nil {
		t.Fatal(err)
	}
	sent, _ := e.db.Sentinelle(ctx, 2026)
	if n == 0 || n > len(sent) {
		t.Fatalf("%d reminders for %d sentinels", n, len(sent))
	}
	if again, _ := sentinella.Promemoria(ctx, e.db, ps.FinestreDefault, now.Add(time.Hour), rome); again != 0 {
		t.Fatalf("a second run queued %d more", again)
	}
	if got := worker.Drain(ctx); got != n || len(smtp.Messages()) != n {
		t.Fatalf("sent %d, received %d, want %d", got, len(smtp.Messages()), n)
	}
	m := smtp.Messages()[0]
	if !strings.Contains(m.Header("Subject"), "scadenza 26/11/2026 alle 12:00") || !strings.Contains(m.Body(), "Assenze della settimana") {
		t.Fatalf("reminder %q %q", m.Header("Subject"), m.Body())
	}
	// After the deadline, a second kind of reminder for those still missing.
	after := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return after }
	late, err := sentinella.Promemoria(ctx, e.db, ps.FinestreDefault, after, rome)
	if err != nil || late != n {
		t.Fatalf("after the deadline %d reminders (%v), want %d", late, err, n)
	}
}
