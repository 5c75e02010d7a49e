// Package mail sends the outbox over SMTP. The outbox (store) is the queue:
// a message is claimed, sent, then marked sent or failed with a backoff, so
// a slow or absent mail server never blocks a request.
package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	gomail "github.com/wneessen/go-mail"
	"golang.org/x/time/rate"

	"github.com/portalescuole/portalescuole/metrics"
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

// Send delivers m.
func (s *SMTP) Send(ctx context.Context, m store.OutboxMessage) error {
	return s.SendAll(ctx, []store.OutboxMessage{m})[0]
}

// SendAll delivers ms over one connection (a reminder to every plesso of
// the country is tens of thousands of messages: a connection, a TLS
// handshake and a login each would cost the relay and the portal more than
// the messages). errs[i] is ms[i]'s outcome; when the connection fails,
// every message fails with it.
func (s *SMTP) SendAll(ctx context.Context, ms []store.OutboxMessage) []error {
	errs := make([]error, len(ms))
	msgs := make([]*gomail.Msg, 0, len(ms))
	idx := make([]int, 0, len(ms))
	for i, m := range ms {
		msg, err := s.messaggio(m)
		if err != nil {
			errs[i] = err
			continue
		}
		msgs = append(msgs, msg)
		idx = append(idx, i)
	}
	if len(msgs) == 0 {
		return errs
	}
	c, err := gomail.NewClient(s.cfg.Host, s.opzioni()...)
	if err == nil {
		err = c.DialAndSendWithContext(ctx, msgs...)
	}
	// Each message carries its own outcome: one refused does not fail the
	// others, and a failure to close the connection after the last one
	// does not undo what the relay accepted.
	for j, msg := range msgs {
		switch {
		case msg.IsDelivered():
		case msg.HasSendError():
			errs[idx[j]] = msg.SendError()
		case err != nil:
			errs[idx[j]] = err
		default:
			errs[idx[j]] = errors.New("messaggio non consegnato")
		}
	}
	return errs
}

// messaggio builds the message of m. The Message-ID is derived from the
// outbox id, so a receiving server can recognise a duplicate if a crash
// ever forces a resend.
func (s *SMTP) messaggio(m store.OutboxMessage) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	if m.AllegatoNome != "" && len(m.Allegato) > 0 {
		if err := msg.AttachReader(m.AllegatoNome, bytes.NewReader(m.Allegato)); err != nil {
			return nil, fmt.Errorf("allegato: %w", err)
		}
	}
	msg.SetMessageIDWithValue(fmt.Sprintf("outbox-%d-%s@portalescuole", m.ID, m.CreatedAt.UTC().Format("20060102150405")))
	msg.SetDate()
	return msg, nil
}

func (s *SMTP) opzioni() []gomail.Option {
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
	return opts
}

// BatchSender is a Sender that also delivers several messages over one
// connection (SMTP does).
type BatchSender interface {
	SendAll(ctx context.Context, ms []store.OutboxMessage) []error
}

// Worker drains the outbox.
type Worker struct {
	DB     *store.DB
	Sender Sender
	Log    *slog.Logger
	Every  time.Duration // poll interval
	// Limite paces delivery (nil: as fast as the relay accepts). The
	// reminders of a national emergency are tens of thousands of messages
	// queued at once; sent flat out they take the CPU and the database
	// from the very submissions they ask for (serve --smtp-per-second).
	Limite *rate.Limiter
	wake   chan struct{}
}

// DefaultPerSecondo is serve's pace: 72,000 messages an hour, so an
// emergency's instructions reach 40,000 plessi in about half an hour,
// below the hourly limits of common relays, and with a sender that stays a
// small part of the server's work.
const DefaultPerSecondo = 20

// PerSecondo returns a limiter of n messages a second, nil for n <= 0 (no
// limit). Its burst is one claimed batch.
func PerSecondo(n float64) *rate.Limiter {
	if n <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(n), max(1, min(drainBatch, int(n))))
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
		n := drainBatch
		if w.Limite != nil {
			// The pace is paid before a claim: a shutdown (or the end of
			// ctx) while waiting leaves no claimed message unsent. A short
			// claim wastes a few tokens, a slower pace for a moment.
			n = min(n, w.Limite.Burst())
			if w.Limite.WaitN(ctx, n) != nil {
				return sent
			}
		}
		batch, err := w.DB.ClaimOutbox(ctx, n)
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
		for i, err := range w.invia(ctx, batch) {
			m := batch[i]
			if err != nil {
				metrics.Email.WithLabelValues("errore").Inc()
				w.Log.Warn("outbox send failed", "id", m.ID, "attempt", m.Attempts, "err", err)
				if err := w.DB.MarkFailed(mctx, m, err); err != nil {
					w.Log.Error("outbox mark failed", "id", m.ID, "err", err)
				}
				continue
			}
			ok = append(ok, m.ID)
		}
		if err := w.DB.MarkAllSent(mctx, ok); err != nil {
			w.Log.Error("outbox mark sent", "ids", ok, "err", err)
		} else {
			sent += len(ok)
			metrics.Email.WithLabelValues("inviato").Add(float64(len(ok)))
		}
		cancel()
	}
	return sent
}

// invia sends a claimed batch, over one connection when the sender can.
func (w *Worker) invia(ctx context.Context, batch []store.OutboxMessage) []error {
	if bs, ok := w.Sender.(BatchSender); ok {
		return bs.SendAll(ctx, batch)
	}
	errs := make([]error, len(batch))
	for i, m := range batch {
		errs[i] = w.Sender.Send(ctx, m)
	}
	return errs
}

// drainBatch is how many messages the worker claims, sends and marks at a
// time: at most that many are left "sending" (then "incerto") by a crash.
const drainBatch = 50
