// Package mail sends the outbox over SMTP. The outbox (store) is the queue:
// a message is claimed, sent, then marked sent or failed with a backoff, so
// a slow or absent mail server never blocks a request.
package mail

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/portalescuole/portalescuole/metriche"
	"github.com/portalescuole/portalescuole/store"
)

// Config is the SMTP relay.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS: "none" (tests, a local relay), "starttls" (default) or "tls".
	TLS     string
	From    string
	Timeout time.Duration
}

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m store.OutboxMessage) error
}

// SMTP sends through an SMTP relay with go-mail.
type SMTP struct{ cfg Config }

// NewSMTP returns a Sender for cfg.
func NewSMTP(cfg Config) *SMTP {
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg}
}

// Send delivers m. The Message-ID is derived from the outbox id, so a
// receiving server can recognise a duplicate if a crash ever forces a resend.
func (s *SMTP) Send(ctx context.Context, m store.OutboxMessage) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	if m.AllegatoNome != "" && len(m.Allegato) > 0 {
		if err := msg.AttachReader(m.AllegatoNome, bytes.NewReader(m.Allegato)); err != nil {
			return fmt.Errorf("allegato: %w", err)
		}
	}
	msg.SetMessageIDWithValue(fmt.Sprintf("outbox-%d-%s@portalescuole", m.ID, m.CreatedAt.UTC().Format("20060102150405")))
	msg.SetDate()
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// Worker drains the outbox.
type Worker struct {
	DB     *store.DB
	Sender Sender
	Log    *slog.Logger
	Every  time.Duration // poll interval
	wake   chan struct{}
}

// NewWorker returns a worker polling every interval.
func NewWorker(db *store.DB, s Sender, log *slog.Logger, every time.Duration) *Worker {
	return &Worker{DB: db, Sender: s, Log: log, Every: every, wake: make(chan struct{}, 1)}
}

// Wake asks the worker to look at the outbox now.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends due messages until ctx ends. Messages left "sending" by a
// previous crash are marked uncertain first, never resent blindly.
func (w *Worker) Run(ctx context.Context) {
	if n, err := w.DB.RecoverOutbox(ctx); err != nil {
		w.Log.Error("outbox recover", "err", err)
	} else if n > 0 {
		w.Log.Warn("outbox: messages interrupted mid-send marked uncertain", "n", n)
	}
	t := time.NewTicker(w.Every)
	defer t.Stop()
	for {
		w.Drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Drain sends every due message once and returns how many were sent. A
// claimed batch is sent, then its delivered messages are marked sent in one
// transaction (one commit per batch, not per message, so that a national
// emergency's reminders do not compete message by message with the
// submissions for the database); a failure is recorded at once.
func (w *Worker) Drain(ctx context.Context) int {
	sent := 0
	for ctx.Err() == nil {
		batch, err := w.DB.ClaimOutbox(ctx, drainBatch)
		if err != nil {
			w.Log.Error("outbox claim", "err", err)
			return sent
		}
		if len(batch) == 0 {
			return sent
		}
		// Marking uses a fresh context: a message handed to SMTP must be
		// recorded even if shutdown has begun.
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		var ok []int64
		for _, m := range batch {
			if err := w.Sender.Send(ctx, m); err != nil {
				metriche.Email.WithLabelValues("errore").Inc()
				w.Log.Warn("outbox send failed", "id", m.ID, "attempt", m.Attempts, "err", err)
				if err := w.DB.MarkFailed(mctx, m, err); err != nil {
					w.Log.Error("outbox mark failed", "id", m.ID, "err", err)
				}
				continue
			}
			ok = append(ok, m.ID)
		}
		if err := w.DB.MarkSentTutti(mctx, ok); err != nil {
			w.Log.Error("outbox mark sent", "ids", ok, "err", err)
		} else {
			sent += len(ok)
			metriche.Email.WithLabelValues("inviato").Add(float64(len(ok)))
		}
		cancel()
	}
	return sent
}

// drainBatch is how many messages the worker claims, sends and marks at a
// time: at most that many are left "sending" (then "incerto") by a crash.
const drainBatch = 50
