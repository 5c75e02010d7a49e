package store_test

import (
	"encoding/json"
	"fmt"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestDB_Enqueue_Molti: a large enqueue (multi-row statements of several
// sizes) adds each new key once, skips keys already queued and keys
// repeated in the same call, and audits exactly the added keys in order.
func TestDB_Enqueue_Molti(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		msg := func(i int) store.OutboxMessage {
			return store.OutboxMessage{Kind: "promemoria", To: fmt.Sprintf("p%d@scuola.it", i), Subject: "s", Body: "b", DedupeKey: fmt.Sprintf("k%d", i)}
		}
		var first []store.OutboxMessage
		for i := range 50 {
			first = append(first, msg(i))
		}
		if n, err := db.Enqueue(ctx, ps.SystemActor, first); err != nil || n != 50 {
			t.Fatalf("first enqueue: %d %v", n, err)
		}
		var msgs []store.OutboxMessage
		for i := range 333 { // 0–49 already queued
			msgs = append(msgs, msg(i))
		}
		msgs = append(msgs, msg(300)) // repeated in the call
		n, err := db.Enqueue(ctx, ps.SystemActor, msgs)
		if err != nil || n != 283 {
			t.Fatalf("second enqueue: %d added (%v), want 283", n, err)
		}
		if c, err := db.OutboxCounts(ctx); err != nil || c[store.OutboxPending] != 333 {
			t.Fatalf("%v %v: want 333 pending", c, err)
		}
		entries, _, err := db.FindAudit(ctx, ps.AuditFilter{Action: "outbox.enqueue"})
		if err != nil || len(entries) != 2 {
			t.Fatalf("%d audit lines (%v)", len(entries), err)
		}
		var d struct {
			N    int
			Keys []string
		}
		if err := json.Unmarshal([]byte(entries[0].Detail), &d); err != nil {
			t.Fatal(err)
		}
		if d.N != 283 || len(d.Keys) != 283 || d.Keys[0] != "k50" || d.Keys[282] != "k332" {
			t.Fatalf("audit: n %d, %d keys, first %q", d.N, len(d.Keys), d.Keys[:1])
		}
	})
}
