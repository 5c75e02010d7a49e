package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	ps "github.com/portalescuole/portalescuole"
)

// audit appends an entry in the caller's transaction, so that a write and its
// audit line commit or vanish together. detail is marshalled to JSON.
func (db *DB) audit(ctx context.Context, q querier, a ps.Actor, action, entity string, detail any) error {
	args, err := auditArgs(db.Now(), a, action, entity, detail)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if _, err := q.ExecContext(ctx,
		`INSERT INTO audit (at, user_id, username, ip, action, entity, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`, args...); err != nil {
		return fmt.Errorf("audit %s %s: %w", cut(action, MaxAuditField), cut(entity, MaxAuditField), err)
	}
	return nil
}

// auditArgs are the values of one audit row (at, user_id, username, ip,
// action, entity, detail), bounded as audit stores them; the group commit
// of absence submissions inserts many at once (store/assenze.go).
func auditArgs(at time.Time, a ps.Actor, action, entity string, detail any) ([]any, error) {
	var d string
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", action, err)
		}
		d = string(b)
		if len(d) > MaxAuditDetail {
			// Still JSON, and says it was cut.
			b, _ := json.Marshal(map[string]any{"troncato": len(d), "inizio": cut(d, MaxAuditDetail/2)})
			d = string(b)
		}
	}
	return []any{ts(at), a.UserID, cut(a.Username, MaxAuditField), cut(a.IP, MaxAuditField), cut(action, MaxAuditField),
		cut(entity, MaxAuditField), d}, nil
}

// Bounds of an audit row, so that a request cannot make it huge (a path or
// username of a megabyte): names and entities are cut at MaxAuditField
// characters, the detail at MaxAuditDetail bytes of JSON.
const (
	MaxAuditField  = 200
	MaxAuditDetail = 16 << 10
)

// cut shortens s to at most n runes, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Audit records an event that is not itself a write of this package (for
// example a CSV export or a failed authorisation).
func (db *DB) Audit(ctx context.Context, a ps.Actor, action, entity string, detail any) error {
	return db.audit(ctx, db.sql, a, action, entity, detail)
}

// FindAudit lists audit entries, newest first, and the total that match.
func (db *DB) FindAudit(ctx context.Context, f ps.AuditFilter) ([]ps.AuditEntry, int, error) {
	var w condizioni
	if f.Username != "" {
		w.con("username = ?", f.Username)
	}
	if f.Action != "" {
		w.con("action LIKE ?", likePrefix(f.Action))
	}
	if f.Entity != "" {
		w.con("entity LIKE ?", likePrefix(f.Entity))
	}
	if !f.From.IsZero() {
		w.con("at >= ?", ts(f.From))
	}
	if !f.To.IsZero() {
		w.con("at < ?", ts(f.To))
	}
	cond := w.sql()
	var total int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit`+cond, w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	p := w.segnaposto(limit, f.Offset)
	rows, err := db.sql.QueryContext(ctx, `SELECT id, at, user_id, username, ip, action, entity, detail FROM audit`+cond+
		` ORDER BY id DESC LIMIT `+p[0]+` OFFSET `+p[1], w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("FindAudit: %w", err)
	}
	defer rows.Close()
	var out []ps.AuditEntry
	for rows.Next() {
		var e ps.AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.Username, &e.IP, &e.Action, &e.Entity, &e.Detail); err != nil {
			return nil, 0, fmt.Errorf("FindAudit: %w", err)
		}
		e.At = parseTS(at)
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// likePrefix escapes LIKE wildcards the user typed and matches a prefix.
func likePrefix(s string) string {
	r := strings.NewReplacer(`%`, ``, `_`, ``)
	return r.Replace(s) + "%"
}
