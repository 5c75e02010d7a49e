package store_test

import (
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestSessionStore_Touch: a commit that only pushes the idle expiry forward
// by less than a minute is not written; changed data, a later expiry and a
// session deleted meanwhile are.
func TestSessionStore_Touch(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := db.Sessions()
		exp := time.Now().Add(2 * time.Hour).Truncate(time.Second)
		expiry := func() time.Time {
			var e string
			if err := db.SQL().QueryRow(`SELECT expiry FROM sessions`).Scan(&e); err != nil {
				t.Fatal(err)
			}
			v, _ := time.Parse("2006-01-02T15:04:05.000000Z", e)
			return v
		}
		if err := s.Commit("tok", []byte("a"), exp); err != nil {
			t.Fatal(err)
		}
		s.Commit("tok", []byte("a"), exp.Add(30*time.Second))
		if !expiry().Equal(exp) {
			t.Fatalf("expiry %v: a 30-second touch was written", expiry())
		}
		s.Commit("tok", []byte("a"), exp.Add(61*time.Second))
		if !expiry().Equal(exp.Add(61 * time.Second)) {
			t.Fatalf("expiry %v: a touch of over a minute was not written", expiry())
		}
		s.Commit("tok", []byte("b"), exp.Add(62*time.Second))
		if b, ok, err := s.Find("tok"); err != nil || !ok || string(b) != "b" {
			t.Fatalf("changed data not written: %q %v %v", b, ok, err)
		}
		if err := s.Delete("tok"); err != nil {
			t.Fatal(err)
		}
		s.Commit("tok", []byte("b"), exp.Add(63*time.Second))
		if _, ok, _ := s.Find("tok"); !ok {
			t.Fatal("a session committed after its deletion was not written")
		}
	})
}
