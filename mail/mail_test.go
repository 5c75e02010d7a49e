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
