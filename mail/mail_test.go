package mail_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/mail"
	"github.com/portalescuole/portalescuole/mail/smtptest"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

func TestWorker_Drain(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := smtptest.NewServer(t)
		w := mail.NewWorker(db, mail.NewSMTP(mail.Config{Host: "127.0.0.1", Port: srv.Port, TLS: "none", From: "portale@ats.example"}),
			slog.New(slog.DiscardHandler), time.Hour)
		msgs := []store.OutboxMessage{
			{Kind: "promemoria", DedupeKey: "a", To: "cree80001r@scuola.example", Subject: "Promemoria à", Body: "Gentile segreteria,\nè ora."},
			{Kind: "promemoria", DedupeKey: "b", To: "mnee800012@scuola.example", Subject: "Promemoria", Body: "Corpo"},
		}
		if _, err := db.Enqueue(ctx, ps.SystemActor, msgs); err != nil {
			t.Fatal(err)
		}

		t.Run("temporary failure is retried later, not lost", func(t *testing.T) {
			srv.FailNext(1)
			if n := w.Drain(ctx); n != 1 {
				t.Fatalf("sent %d, want 1 (one refused with 451)", n)
			}
			counts, _ := db.OutboxCounts(ctx)
			if counts[store.OutboxPending] != 1 || counts[store.OutboxSent] != 1 {
				t.Fatalf("counts %v", counts)
			}
			if n := w.Drain(ctx); n != 0 {
				t.Fatalf("retried before the backoff: %d", n)
			}
			later := time.Now().Add(5 * time.Minute)
			db.Now = func() time.Time { return later }
			if n := w.Drain(ctx); n != 1 {
				t.Fatalf("retry sent %d", n)
			}
		})

		t.Run("every message delivered exactly once", func(t *testing.T) {
			got := srv.Messages()
			if len(got) != 2 {
				t.Fatalf("server received %d messages", len(got))
			}
			seen := map[string]bool{}
			for _, m := range got {
				if seen[m.To[0]] {
					t.Fatalf("%s received twice", m.To[0])
				}
				seen[m.To[0]] = true
				if m.From != "portale@ats.example" || !strings.Contains(m.Data, "Message-ID: <outbox-") {
					t.Fatalf("message %q", m.Data)
				}
			}
			if !strings.Contains(got[0].Data+got[1].Data, "Subject: =?UTF-8?q?Promemoria_=C3=A0?=") {
				t.Fatalf("subject not encoded: %q", got[0].Data)
			}
			// Enqueueing the same reminders again sends nothing more.
			if n, _ := db.Enqueue(ctx, ps.SystemActor, msgs); n != 0 {
				t.Fatalf("re-enqueued %d", n)
			}
			if n := w.Drain(ctx); n != 0 || len(srv.Messages()) != 2 {
				t.Fatalf("a second drain sent %d", n)
			}
		})
	})
}

// TestWorker_Run_Restart: a message left "sending" by a crash (claimed,
// never marked) becomes "incerto" when the worker starts again and is not
// resent, while the other due messages go out; an operator's requeue sends
// it once.
func TestWorker_Run_Restart(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := smtptest.NewServer(t)
		if _, err := db.Enqueue(ctx, ps.SystemActor, []store.OutboxMessage{
			{Kind: "promemoria", DedupeKey: "crash", To: "cree80001r@scuola.example", Subject: "Interrotto", Body: "a"},
		}); err != nil {
			t.Fatal(err)
		}
		// The previous process claimed it and died before marking it.
		claimed, err := db.ClaimOutbox(ctx, 10)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if _, err := db.Enqueue(ctx, ps.SystemActor, []store.OutboxMessage{
			{Kind: "promemoria", DedupeKey: "next", To: "mnee800012@scuola.example", Subject: "Dopo", Body: "b"},
		}); err != nil {
			t.Fatal(err)
		}
		w := mail.NewWorker(db, mail.NewSMTP(mail.Config{Host: "127.0.0.1", Port: srv.Port, TLS: "none", From: "portale@ats.example"}),
			slog.New(slog.DiscardHandler), time.Hour)
		rctx, cancel := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() { w.Run(rctx); close(stopped) }()
		defer func() { cancel(); <-stopped }()
		waitFor(t, "the due message to be sent", func() bool {
			c, _ := db.OutboxCounts(ctx)
			return c[store.OutboxSent] == 1
		})
		counts, err := db.OutboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.OutboxUnsure] != 1 || counts[store.OutboxSending] != 0 {
			t.Fatalf("after restart: %v, want the interrupted message incerto", counts)
		}
		if got := srv.Messages(); len(got) != 1 || got[0].Header("Subject") != "Dopo" {
			t.Fatalf("server received %d messages (%v): the interrupted one must not be resent", len(got), got)
		}
		if err := db.RequeueOutbox(ctx, ps.Actor{Username: "operatore"}, claimed[0].ID); err != nil {
			t.Fatal(err)
		}
		w.Wake()
		waitFor(t, "the requeued message to be sent", func() bool { return len(srv.Messages()) == 2 })
		if got := srv.Messages(); got[1].Header("Subject") != "Interrotto" {
			t.Fatalf("second message %q", got[1].Header("Subject"))
		}
	})
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
	}
}
