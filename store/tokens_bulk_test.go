package store_test

import (
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestDB_CreaTokens: bulk tokens authenticate their plesso; a use is
// stamped in the background, and on Close at the latest.
func TestDB_CreaTokens(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			now := date("2026-11-26").Add(9 * time.Hour)
			dsn := storetest.DSN(t, d)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			db.Now = func() time.Time { return now }
			seed(t, db)
			if _, err := db.Import(ctx, ps.SystemActor, readData(t, "mim-anagrafe-paritarie-cr-mn-2023-24.csv"), store.ImportOptions{Filename: "paritarie"}); err != nil {
				t.Fatal(err)
			}
			plessi, err := db.Plessi(ctx, store.PlessoFilter{})
			if err != nil || len(plessi) < 3 {
				t.Fatalf("%d plessi %v", len(plessi), err)
			}
			codes := []string{plessi[0].Codice, plessi[1].Codice, plessi[2].Codice}
			toks, err := db.CreateTokens(ctx, ps.SystemActor, codes, "registro")
			if err != nil || len(toks) != 3 {
				t.Fatalf("%v %v", toks, err)
			}
			for _, c := range codes {
				tk, err := db.TokenPlesso(ctx, toks[c])
				if err != nil || tk.Plesso != c {
					t.Fatalf("%s: %+v %v", c, tk, err)
				}
			}
			used := func(db *store.DB, c string) bool {
				l, err := db.Tokens(ctx, c)
				if err != nil || len(l) != 1 {
					t.Fatalf("%v %v", l, err)
				}
				return l[0].UsatoIl.Equal(now)
			}
			waitFor(t, 10*time.Second, func() bool { return used(db, codes[0]) })
			// A use just before Close is written by Close.
			now = now.Add(time.Hour)
			if _, err := db.TokenPlesso(ctx, toks[codes[1]]); err != nil {
				t.Fatal(err)
			}
			db.Close()
			again, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			if !used(again, codes[1]) {
				t.Fatal("the last use before Close was lost")
			}
		})
	}
}
