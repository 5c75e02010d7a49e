package web_test

import (
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/mail"
	"github.com/portalescuole/portalescuole/mail/smtptest"
	"github.com/portalescuole/portalescuole/store"
)

// TestServer_Solleciti: the operator reminds the plessi still missing; the
// outbox sends each reminder once through a real SMTP exchange.
func TestServer_Solleciti(t *testing.T) {
	e := newEnv(t, store.SQLite)
	smtp := smtptest.NewServer(t)
	worker := mail.NewWorker(e.db, mail.NewSMTP(mail.Config{Host: "127.0.0.1", Port: smtp.Port, TLS: "none", From: "portale@ats.example"}),
		slog.New(slog.DiscardHandler), time.Hour)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)

	all, _ := e.db.Adempimenti(ctx, 2026, store.PlessoFilter{InScope: true, Attivi: true, Provincia: "MN"})
	missing := 0
	for _, a := range all {
		if !a.Fatto() {
			missing++
		}
	}
	form := url.Values{"anno": {"2026/27"}, "provincia": {"MN"}}
	// The button first shows how many reminders would go, and queues nothing.
	before, _ := e.db.OutboxCounts(ctx)
	r := c.post("/ats/solleciti", form)
	if r.Status != 200 || !strings.Contains(text(r.Body), "Stanno per partire "+itoa(missing)+" promemoria") {
		t.Fatalf("confirmation step %d: %s", r.Status, text(r.Body))
	}
	if n, _ := e.db.OutboxCounts(ctx); n[store.OutboxPending] != before[store.OutboxPending] {
		t.Fatalf("reminders queued before the confirmation: %v", n)
	}
	form.Set("conferma", "1")
	r = c.post("/ats/solleciti", form)
	page := c.get(r.Location)
	if !strings.Contains(text(page.Body), itoa(missing)+" promemoria in coda") {
		t.Fatalf("want %d queued: %s", missing, text(page.Body))
	}
	smtp.FailNext(1)
	sent := worker.Drain(ctx)
	if sent != missing-1 {
		t.Fatalf("sent %d of %d with one temporary failure", sent, missing)
	}
	later := today.Add(10 * time.Minute)
	e.db.Now = func() time.Time { return later }
	sent += worker.Drain(ctx)
	got := smtp.Messages()
	if sent != missing || len(got) != missing {
		t.Fatalf("sent %d, server received %d, want %d", sent, len(got), missing)
	}
	seen := map[string]bool{}
	for _, m := range got {
		// Several plessi may share one school office address: count per plesso.
		subj := m.Header("Subject")
		if seen[subj] {
			t.Fatalf("%q sent twice", subj)
		}
		seen[subj] = true
		if b := m.Body(); !strings.Contains(b, "«Registro assenze»") || !strings.Contains(b, "numero verde 800 611 616") {
			t.Fatalf("reminder text: %s", b)
		}
		if s := m.Header("Subject"); !strings.HasPrefix(s, "Portale Scuole – iscritti e classi a.s. 2026/27") {
			t.Fatalf("subject %q", s)
		}
	}
	// The confirmation, asked again the same day, counts none to send and
	// says why (issue 21: it announced them all and sent none).
	e.db.Now = func() time.Time { return today }
	form.Del("conferma")
	r = c.post("/ats/solleciti", form)
	if body := text(r.Body); !strings.Contains(body, "Stanno per partire 0 promemoria") || !strings.Contains(body, "Altri "+itoa(missing)+" plessi hanno già ricevuto il promemoria oggi") {
		t.Fatalf("confirmation on the same day: %s", body)
	}
	// Pressing the button again the same day queues nothing new.
	form.Set("conferma", "1")
	r = c.post("/ats/solleciti", form)
	page = c.get(r.Location)
	if !strings.Contains(text(page.Body), "0 promemoria in coda di invio; "+itoa(missing)+" già inviati oggi") {
		t.Fatalf("second press: %s", text(page.Body))
	}
	if worker.Drain(ctx) != 0 || len(smtp.Messages()) != missing {
		t.Fatal("a reminder went out twice")
	}
	if out := c.get("/ats/outbox"); !strings.Contains(out.Body, "inviato: "+itoa(missing)) || strings.Contains(out.Body, "Oggetto / Subject") {
		t.Fatalf("outbox page: %s", text(out.Body))
	}
}
