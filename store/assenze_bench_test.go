package store_test

import (
	"os"
	"strings"
	"sync/atomic"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// BenchmarkSalvaGiorni_Parallelo: acknowledged absence submissions (one
// day of a plesso each, with its audit line) from 16 concurrent clients,
// as in an emergency morning, through the group committer; on SQLite
// (synchronous FULL) and, with PORTALE_TEST_POSTGRES, PostgreSQL. The
// submissions/s figure is what the store sustains without HTTP, tokens or
// validation:
//
//	go test ./store -run '^$' -bench SalvaGiorni_Parallelo -benchtime 20000x
func BenchmarkSalvaGiorni_Parallelo(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.New(b, d)
			csv := readBenchData(b, "mim-studenti-per-plesso-cr-mn-2024-25.csv")
			if _, err := db.Import(ctx, ps.SystemActor, csv, store.ImportOptions{Filename: "studenti", Anno: 2024}); err != nil {
				b.Fatal(err)
			}
			var codes []string
			for _, line := range strings.Split(string(csv), "\n")[1:] {
				if c, _, ok := strings.Cut(line, ","); ok {
					codes = append(codes, c)
				}
			}
			a := ps.Actor{Username: "bench"}
			var next atomic.Int64
			b.SetParallelism(8) // 16 clients on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1))
					g := []ps.Giorno{{Giorno: date("2026-09-14").AddDate(0, 0, i/len(codes)), Assenti: ps.IntPtr(i % 17)}}
					if _, err := db.SaveGiorni(ctx, a, codes[i%len(codes)], g, "api"); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invii/s")
		})
	}
}

func readBenchData(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile("../demo/data/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return data
}
