package mail_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

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

// TestWorker_Drain_UnaConnessione: a claimed batch goes over one SMTP
// connection, and a message the relay refuses fails alone: the others of
// the same connection are delivered and marked sent.
func TestWorker_Drain_UnaConnessione(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv, w := accoda(t, db, 10)
		srv.FailNext(1)
		if n := w.Drain(ctx); n != 9 {
			t.Fatalf("sent %d, want 9 (the first refused)", n)
		}
		if s := srv.Sessions(); s != 1 {
			t.Fatalf("%d SMTP connections for one batch", s)
		}
		got := srv.Messages()
		if len(got) != 9 {
			t.Fatalf("server accepted %d", len(got))
		}
		for _, m := range got {
			if len(m.To) != 1 {
				t.Fatalf("recipients of one message leaked into the next: %v", m.To)
			}
		}
		counts, _ := db.OutboxCounts(ctx)
		if counts[store.OutboxSent] != 9 || counts[store.OutboxPending] != 1 {
			t.Fatalf("counts %v", counts)
		}
	})
}

// TestWorker_Drain_Limite: with a pace, the worker claims at most the
// limiter's burst at a time and stops when the next batch would have to
// wait past the context's end, leaving the rest queued and none claimed
// (the rate is one message an hour, so no clock is involved: the wait is
// refused at once).
func TestWorker_Drain_Limite(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv, w := accoda(t, db, 7)
		w.Limite = rate.NewLimiter(rate.Every(time.Hour), 2)
		dctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		// The full bucket pays for the first batch; the second would wait
		// for tokens an hour away, past the context's end, so it is not
		// claimed.
		if n := w.Drain(dctx); n != 2 {
			t.Fatalf("sent %d with a burst of 2 and an hourly rate, want 2", n)
		}
		if n := w.Drain(dctx); n != 0 {
			t.Fatalf("a second drain sent %d before the tokens came back", n)
		}
		if s := srv.Sessions(); s != 1 {
			t.Fatalf("%d connections, want one for the batch of 2", s)
		}
		counts, _ := db.OutboxCounts(ctx)
		if counts[store.OutboxPending] != 5 || counts[store.OutboxSending] != 0 {
			t.Fatalf("counts %v: the rest must stay queued, none left claimed", counts)
		}
		if mail.PerSecondo(0) != nil || mail.PerSecondo(20).Burst() != 20 || mail.PerSecondo(500).Burst() != 50 {
			t.Fatal("PerSecondo: no limit for 0, a burst of one second's messages up to a batch")
		}
	})
}

// accoda queues n reminders to different plessi and returns a test SMTP
// server and a worker sending to it.
func accoda(t *testing.T, db *store.DB, n int) (*smtptest.Server, *mail.Worker) {
	t.Helper()
	srv := smtptest.NewServer(t)
	w := mail.NewWorker(db, mail.NewSMTP(mail.Config{Host: "127.0.0.1", Port: srv.Port, TLS: "none", From: "portale@ats.example"}),
		slog.New(slog.DiscardHandler), time.Hour)
	var msgs []store.OutboxMessage
	for i := range n {
		msgs = append(msgs, store.OutboxMessage{Kind: "promemoria", DedupeKey: strconv.Itoa(i), To: "plesso" + strconv.Itoa(i) + "@scuola.example",
			Subject: "Promemoria " + strconv.Itoa(i), Body: "corpo"})
	}
	if _, err := db.Enqueue(context.Background(), ps.SystemActor, msgs); err != nil {
		t.Fatal(err)
	}
	return srv, w
}
