package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

// TestOpen_SynchronousFull: every SQLite connection syncs each commit.
func TestOpen_SynchronousFull(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Several connections at once: the pragma is per connection.
	conns := make([]interface{ Close() error }, 0, 4)
	for range 4 {
		c, err := db.sql.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var v int
		if err := c.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != 2 { // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
			t.Fatalf("PRAGMA synchronous = %d, want 2 (FULL)", v)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

// BenchmarkSalvaGiorni_Synchronous: one acknowledged absence submission
// (a transaction with its audit line) on a SQLite file, with synchronous
// FULL and NORMAL. Run on the disk the portal will use:
//
//	TMPDIR=/var/lib/portalescuole go test ./store -run '^$' -bench Synchronous -benchtime 2000x
func BenchmarkSalvaGiorni_Synchronous(b *testing.B) {
	for _, mode := range []string{"FULL", "NORMAL"} {
		b.Run(mode, func(b *testing.B) {
			orig := sqliteSynchronous
			sqliteSynchronous = mode
			defer func() { sqliteSynchronous = orig }()
			ctx := context.Background()
			db, err := Open(ctx, filepath.Join(b.TempDir(), "p.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			a := ps.Actor{Username: "bench"}
			if _, err := db.Import(ctx, a, []byte("CODICESCUOLA,NUMEROSTUDENTI\nCREE80001R,400\n"), ImportOptions{Filename: "s.csv", Anno: 2026}); err != nil {
				b.Fatal(err)
			}
			day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g := []ps.Giorno{{Giorno: day.AddDate(0, 0, i%60), Assenti: ps.IntPtr(i % 97)}}
				if _, err := db.SaveGiorni(ctx, a, "CREE80001R", g, "api"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
