package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// SessionStore keeps scs sessions in the portal's own database, so that any
// number of app nodes can share them and a restart logs nobody out. It uses
// the wall clock, as scs does when it sets expiries, not DB.Now.
type SessionStore struct{ db *DB }

// sessionKey is what the table keeps of a session token: its SHA-256, as
// for API tokens, so that a copy of the table (a leaked dump, a replica)
// opens no session. The token has 256 random bits: no salt or slow hash is
// needed.
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Sessions returns the scs store backed by db.
func (db *DB) Sessions() *SessionStore { return &SessionStore{db: db} }

// Find returns the data of an unexpired session.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	var b []byte
	err := s.db.sql.QueryRow(`SELECT data FROM sessions WHERE token = $1 AND expiry > $2`, sessionKey(token), ts(time.Now())).Scan(&b)
	if isNoRows(err) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("SessionStore.Find: %w", err)
	}
	return b, true, nil
}

// Commit adds or replaces a session. With an idle timeout scs commits on
// every request only to push the expiry forward: a session whose data this
// node wrote unchanged less than sessionTouch ago is not written again (in
// an emergency morning the ATS's dashboard views would otherwise each be a
// synced write competing with the submissions). The stored idle expiry is
// then at most sessionTouch early.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	key := sessionKey(token)
	sum := sha256.Sum256(b)
	if s.db.sessTouch.recente(key, sum, expiry) {
		return nil
	}
	_, err := s.db.sql.Exec(`INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, key, b, ts(expiry))
	if err == nil {
		s.db.sessTouch.scritta(key, sum, expiry)
	}
	return err
}

const sessionTouch = time.Minute

// sessTouch remembers the last write of each session by this node.
type sessTouch struct {
	mu sync.Mutex
	m  map[string]sessScritta
}

type sessScritta struct {
	sum    [32]byte
	expiry time.Time
}

func (t *sessTouch) recente(key string, sum [32]byte, expiry time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	w, ok := t.m[key]
	return ok && w.sum == sum && !expiry.Before(w.expiry) && expiry.Sub(w.expiry) < sessionTouch
}

func (t *sessTouch) scritta(key string, sum [32]byte, expiry time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil || len(t.m) > 10000 {
		t.m = map[string]sessScritta{}
	}
	t.m[key] = sessScritta{sum, expiry}
}

func (t *sessTouch) dimentica(key string) {
	t.mu.Lock()
	delete(t.m, key)
	t.mu.Unlock()
}

// Delete removes a session.
func (s *SessionStore) Delete(token string) error {
	s.db.sessTouch.dimentica(sessionKey(token))
	_, err := s.db.sql.Exec(`DELETE FROM sessions WHERE token = $1`, sessionKey(token))
	return err
}

// Cleanup removes expired sessions; the server calls it periodically.
func (s *SessionStore) Cleanup(ctx context.Context) (int64, error) {
	res, err := s.db.sql.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= $1`, ts(time.Now()))
	if err != nil {
		return 0, fmt.Errorf("SessionStore.Cleanup: %w", err)
	}
	return res.RowsAffected()
}
