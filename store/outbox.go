package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// Outbox statuses. A message is claimed ("sending") before it is handed to
// SMTP; one found still "sending" after a crash is marked "incerto" and never
// retried automatically, because it may have gone out: never twice beats
// always once for a reminder.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"  // gave up after MaxAttempts
	OutboxUnsure  = "incerto" // crashed mid-send
)

// MaxOutboxAttempts bounds the retries of one message.
const MaxOutboxAttempts = 8

// OutboxMessage is one e-mail waiting or sent.
type OutboxMessage struct {
	ID            int64
	CreatedAt     time.Time
	Kind          string
	DedupeKey     string // a second enqueue with the same key is ignored
	To            string
	Subject       string
	Body          string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	SentAt        time.Time
	// AllegatoNome and Allegato are an optional attachment (the bulletin PDF).
	AllegatoNome string
	Allegato     []byte
}

// Enqueue adds messages, skipping those whose dedupe key is already queued
// or sent; it returns how many were added. One transaction, one audit line.
func (db *DB) Enqueue(ctx context.Context, a ps.Actor, msgs []OutboxMessage) (int, error) {
	added := 0
	now := ts(db.Now())
	err := db.withTx(ctx, func(tx querierTx) error {
		added = 0
		// Many rows per statement, in the few sizes prepared once (a
		// national emergency queues tens of thousands): the write lock is
		// held for a few statements, not one per message.
		nuove := map[string]bool{}
		for rest := msgs; len(rest) > 0; {
			n := scalino(len(rest), scalaScritture)
			chunk := rest[:n]
			rest = rest[n:]
			righe := make([][]any, n)
			for i, m := range chunk {
				righe[i] = []any{now, m.Kind, m.DedupeKey, m.To, m.Subject, m.Body, OutboxPending, now, m.AllegatoNome, m.Allegato}
			}
			q, args := db.righeMultiple(`INSERT INTO outbox (created_at, kind, dedupe_key, to_addr, subject, body, status, next_attempt_at, allegato_nome, allegato) VALUES `, 10, righe)
			rows, err := db.txHot(ctx, tx, q+` ON CONFLICT (dedupe_key) DO NOTHING RETURNING dedupe_key`).QueryContext(ctx, args...)
			if err != nil {
				return fmt.Errorf("Enqueue: %w", err)
			}
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					rows.Close()
					return err
				}
				nuove[k] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("Enqueue: %w", err)
			}
		}
		var keys []string
		for _, m := range msgs {
			if nuove[m.DedupeKey] {
				delete(nuove, m.DedupeKey) // a key repeated in msgs is added once
				keys = append(keys, m.DedupeKey)
			}
		}
		added = len(keys)
		if added == 0 {
			return nil
		}
		return db.audit(ctx, tx, a, "outbox.enqueue", "outbox", map[string]any{"n": added, "keys": keys})
	})
	return added, err
}

const outboxCols = `id, created_at, kind, dedupe_key, to_addr, subject, body, status, attempts, next_attempt_at, last_error, sent_at, allegato_nome, allegato`

func scanOutbox(s scanner) (OutboxMessage, error) {
	var m OutboxMessage
	var created, next, sent string
	err := s.Scan(&m.ID, &created, &m.Kind, &m.DedupeKey, &m.To, &m.Subject, &m.Body, &m.Status, &m.Attempts, &next, &m.LastError, &sent,
		&m.AllegatoNome, &m.Allegato)
	m.CreatedAt, m.NextAttemptAt, m.SentAt = parseTS(created), parseTS(next), parseTS(sent)
	return m, err
}

// ClaimOutbox marks up to n due messages "sending" and returns them, oldest
// first, in one conditional UPDATE: a message another sender claimed
// meanwhile is skipped (on PostgreSQL the row is re-checked after the
// other claim commits), so a message is never claimed twice.
// InCoda returns which of the dedupe keys the outbox already holds (sent,
// waiting or failed): Enqueue would skip their messages.
func (db *DB) InCoda(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		part := keys[:n]
		keys = keys[n:]
		var b strings.Builder
		args := make([]any, len(part))
		for i, k := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(db.segnaposto(i + 1))
			args[i] = k
		}
		found, err := queryAll(ctx, db.sql, func(s scanner) (k string, err error) { return k, s.Scan(&k) },
			`SELECT dedupe_key FROM outbox WHERE dedupe_key IN (`+b.String()+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("outbox: dedupe keys: %w", err)
		}
		for _, k := range found {
			out[k] = true
		}
	}
	return out, nil
}

func (db *DB) ClaimOutbox(ctx context.Context, n int) ([]OutboxMessage, error) {
	// In a transaction: on SQLite an immediate one, which waits for the
	// write lock up front (an autocommit UPDATE that has begun reading
	// cannot wait for it).
	var claimed []OutboxMessage
	err := db.withTx(ctx, func(tx querierTx) error {
		var err error
		claimed, err = queryAll(ctx, tx, scanOutbox, `UPDATE outbox SET status = $1, attempts = attempts + 1
			WHERE id IN (SELECT id FROM outbox WHERE status = $2 AND next_attempt_at <= $3 ORDER BY id LIMIT $4) AND status = $2
			RETURNING `+outboxCols, OutboxSending, OutboxPending, ts(db.Now()), n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ClaimOutbox: %w", err)
	}
	sort.Slice(claimed, func(i, j int) bool { return claimed[i].ID < claimed[j].ID })
	return claimed, nil
}

// MarkAllSent records several delivered messages in one transaction, an
// audit line each (the worker sends a claimed batch, then marks it: one
// commit instead of one per message; after a crash the batch's messages are
// still "sending" and become "incerto", never resent blindly).
func (db *DB) MarkAllSent(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	now := ts(db.Now())
	return db.withTx(ctx, func(tx querierTx) error {
		for rest := ids; len(rest) > 0; {
			n := scalino(len(rest), scalaScritture)
			chunk := rest[:n]
			rest = rest[n:]
			var b strings.Builder
			args := []any{OutboxSent, now}
			b.WriteString(`UPDATE outbox SET status = $1, sent_at = $2, last_error = '' WHERE id IN (`)
			for i, id := range chunk {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("$" + strconv.Itoa(len(args)+1))
				args = append(args, id)
			}
			b.WriteString(")")
			if _, err := db.txHot(ctx, tx, b.String()).ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("MarkAllSent: %w", err)
			}
			audits := make([][]any, len(chunk))
			for i, id := range chunk {
				a, err := auditArgs(db.Now(), ps.SystemActor, "outbox.sent", "outbox:"+strconv.FormatInt(id, 10), nil)
				if err != nil {
					return fmt.Errorf("MarkAllSent: %w", err)
				}
				audits[i] = a
			}
			if err := db.inserisciAudit(ctx, tx, audits); err != nil {
				return fmt.Errorf("audit outbox.sent: %w", err)
			}
		}
		return nil
	})
}

// MarkFailed puts a message back in the queue with an exponential backoff,
// or gives up after MaxOutboxAttempts.
func (db *DB) MarkFailed(ctx context.Context, m OutboxMessage, sendErr error) error {
	status := OutboxPending
	if m.Attempts >= MaxOutboxAttempts {
		status = OutboxFailed
	}
	backoff := time.Minute << min(m.Attempts-1, 10)
	msg := sendErr.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return db.withTx(ctx, func(tx querierTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3 WHERE id = $4`,
			status, msg, ts(db.Now().Add(backoff)), m.ID); err != nil {
			return fmt.Errorf("MarkFailed: %w", err)
		}
		return db.audit(ctx, tx, ps.SystemActor, "outbox.fail", "outbox:"+strconv.FormatInt(m.ID, 10),
			map[string]any{"tentativo": m.Attempts, "errore": msg, "stato": status})
	})
}

// RecoverOutbox marks messages left "sending" by a crash as "incerto".
func (db *DB) RecoverOutbox(ctx context.Context) (int64, error) {
	res, err := db.sql.ExecContext(ctx, `UPDATE outbox SET status = $1 WHERE status = $2`, OutboxUnsure, OutboxSending)
	if err != nil {
		return 0, fmt.Errorf("RecoverOutbox: %w", err)
	}
	return res.RowsAffected()
}

// RequeueOutbox lets an operator send a failed or unsure message again.
func (db *DB) RequeueOutbox(ctx context.Context, a ps.Actor, id int64) error {
	return db.withTx(ctx, func(tx querierTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = $1, next_attempt_at = $2 WHERE id = $3 AND status IN ($4, $5)`,
			OutboxPending, ts(db.Now()), id, OutboxFailed, OutboxUnsure)
		if err != nil {
			return fmt.Errorf("RequeueOutbox: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("outbox")
		}
		return db.audit(ctx, tx, a, "outbox.requeue", "outbox:"+strconv.FormatInt(id, 10), nil)
	})
}

// OutboxMessages lists the latest messages, newest first.
func (db *DB) OutboxMessages(ctx context.Context, limit int) ([]OutboxMessage, error) {
	return queryAll(ctx, db.sql, scanOutbox, `SELECT `+outboxCols+` FROM outbox ORDER BY id DESC LIMIT $1`, limit)
}

// OutboxCounts returns the number of messages per status.
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("OutboxCounts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("OutboxCounts: %w", err)
		}
		out[s] = n
	}
	return out, rows.Err()
}
