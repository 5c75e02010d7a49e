package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestLetturaNonBlocca: the backup's read transaction neither blocks a
// writer (SQLite included: no write lock despite _txlock=immediate) nor
// sees what the writer commits after its first read.
func TestLetturaNonBlocca(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		count := func(q querier) int {
			var n int
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		tx, err := beginLettura(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := versioneMigrazione(ctx, tx); err != nil {
			t.Fatal(err)
		}
		before := count(tx)
		// A writer blocked by the read transaction would wait for it forever
		// (SQLite gives up after its busy timeout); the deadline only turns
		// such a deadlock into a failure, it is not a speed bound.
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if _, err := db.SaveGiorni(wctx, ps.SystemActor, "X", nil, "api"); err != nil { // a write transaction, nothing to save
			t.Fatal(err)
		}
		if err := db.Audit(wctx, ps.SystemActor, "prova", "", nil); err != nil {
			t.Fatalf("writer blocked by the backup's read transaction: %v", err)
		}
		if count(db.SQL()) != before+1 {
			t.Fatal("write not committed")
		}
		if n := count(tx); n != before {
			t.Fatalf("the snapshot sees a later commit: %d rows, %d at its start", n, before)
		}
	})
}

// TestCanonico: the canonical form of each kind reads back to the same
// value, and drivers' spellings of one value give one form.
func TestCanonico(t *testing.T) {
	cases := []struct {
		k    tipo
		in   []any // the same value as drivers may return it
		want string
	}{
		{tipoInt, []any{int64(-9223372036854775808)}, `-9223372036854775808`},
		{tipoInt, []any{int64(0), int32(0)}, `0`},
		{tipoBool, []any{true, int64(1)}, `true`},
		{tipoBool, []any{false, int64(0)}, `false`},
		{tipoFloat, []any{math.Nextafter(0.3, 1)}, `0.30000000000000004`},
		{tipoFloat, []any{5e-324}, `5e-324`},
		{tipoFloat, []any{math.MaxFloat64}, `1.7976931348623157e+308`},
		{tipoFloat, []any{float64(3), int64(3)}, `3`},
		{tipoFloat, []any{math.Copysign(0, -1), 0.0}, `0`},
		{tipoFloat, []any{math.Inf(1)}, `"Infinity"`},
		{tipoFloat, []any{math.Inf(-1)}, `"-Infinity"`},
		{tipoFloat, []any{math.NaN()}, `"NaN"`},
		{tipoText, []any{"a\"b\\c\n\t\x01<&>è✓", []byte("a\"b\\c\n\t\x01<&>è✓")}, `"a\"b\\c\n\t\u0001<&>è✓"`},
		{tipoText, []any{"\xff\xfe"}, `{"b64":"//4="}`},
		{tipoText, []any{""}, `""`},
		{tipoBlob, []any{[]byte{}, []byte(nil)}, `""`},
		{tipoBlob, []any{[]byte{0, 255}}, `"AP8="`},
		{tipoBlob, []any{nil}, `null`},
	}
	for _, c := range cases {
		for _, in := range c.in {
			got, err := appendValore(nil, c.k, in)
			if err != nil {
				t.Fatalf("%s %#v: %v", c.k, in, err)
			}
			if string(got) != c.want {
				t.Errorf("%s %#v: %s, want %s", c.k, in, got, c.want)
			}
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(c.want)))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		back, err := valoreDa(c.k, v)
		if err != nil {
			t.Fatalf("%s %s: %v", c.k, c.want, err)
		}
		again, err := appendValore(nil, c.k, back)
		if err != nil || string(again) != c.want {
			t.Errorf("%s %s reads back as %#v → %s (%v)", c.k, c.want, back, again, err)
		}
	}
	for _, bad := range []struct {
		k tipo
		v any
	}{{tipoBool, int64(2)}, {tipoInt, "x"}, {tipoText, time.Now()}, {tipoFloat, "1.5"}} {
		if _, err := appendValore(nil, bad.k, bad.v); err == nil {
			t.Errorf("%s %#v accepted", bad.k, bad.v)
		}
	}
}

// TestSQLiteTestoNonUTF8: SQLite can hold text that is not UTF-8; it
// survives a SQLite round trip byte for byte.
func TestSQLiteTestoNonUTF8(t *testing.T) {
	ctx := context.Background()
	src := storetest.New(t, store.SQLite)
	if _, err := src.SQL().ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('grezzo', $1)`, "ok\xff\x00fine"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := Backup(ctx, src, &buf); err != nil {
		t.Fatal(err)
	}
	dst := storetest.New(t, store.SQLite)
	if _, err := Restore(ctx, dst, &buf); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := dst.SQL().QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'grezzo'`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != "ok\xff\x00fine" {
		t.Fatalf("%q", v)
	}
}
