package detect

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// benchSeries returns n seeded Poisson series of the given length (daily
// absences of one class/school over about a school year).
func benchSeries(seed uint64, n, length int) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([][]float64, n)
	for i := range out {
		lambda := 0.5 + 20*r.Float64()
		x := make([]float64, length)
		for t := range x {
			x[t] = poisson(r, lambda)
		}
		out[i] = x
	}
	return out
}

var (
	benchOnce  sync.Once
	bench40k   [][]float64
	benchCusum = DefaultCusumParams(28) // 4 weeks of reference
)

const benchSeed = 42

type detector struct {
	name string
	fn   func([]float64) Result
}

var benchDetectors = []detector{
	{"C1", func(x []float64) Result { return EarsC1(x, DefaultEarsParams()) }},
	{"C2", func(x []float64) Result { return EarsC2(x, DefaultEarsParams()) }},
	{"C3", func(x []float64) Result { return EarsC3(x, EarsParams{Baseline: 7}) }},
	{"CUSUM", func(x []float64) Result { return Cusum(x, benchCusum) }},
}

func benchDetector(b *testing.B, fn func([]float64) Result) {
	benchOnce.Do(func() { bench40k = benchSeries(benchSeed, 40000, 200) })
	b.Run("1x200", func(b *testing.B) {
		x := bench40k[0]
		for b.Loop() {
			fn(x)
		}
	})
	b.Run("40000x200", func(b *testing.B) {
		for b.Loop() {
			for _, x := range bench40k {
				fn(x)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(bench40k)), "ns/series")
	})
}

func BenchmarkEarsC1(b *testing.B) { benchDetector(b, benchDetectors[0].fn) }
func BenchmarkEarsC2(b *testing.B) { benchDetector(b, benchDetectors[1].fn) }
func BenchmarkEarsC3(b *testing.B) { benchDetector(b, benchDetectors[2].fn) }
func BenchmarkCusum(b *testing.B)  { benchDetector(b, benchDetectors[3].fn) }

// TestBenchR times R (surveillance) and Go on the same 200 series of 200
// days and prints ms per series; it asserts only that the outputs agree.
//
//	go test ./detect -run TestBenchR -v
func TestBenchR(t *testing.T) {
	if testing.Short() {
		t.Skip("timing comparison skipped in -short mode")
	}
	requireR(t)
	xs := benchSeries(benchSeed, 200, 200)
	series := make([]rSeries, len(xs))
	for i, x := range xs {
		// Alpha 0: earsC's own defaults (0.001 for C1/C2, 0.025 for C3).
		series[i] = rSeries{name: fmt.Sprintf("b%03d", i), baseline: 7, ref: benchCusum.Ref,
			k: benchCusum.K, h: benchCusum.H, x: x}
	}
	run := runR(t, series, true)
	for _, d := range benchDetectors {
		compareMethod(t, run, d.name)
	}
	t.Logf("Rscript wall time incl. start-up, data sets and I/O: %v", run.wall.Round(time.Millisecond))
	t.Logf("%-6s %14s %14s %10s", "method", "R ms/series", "Go ms/series", "R/Go")
	for _, d := range benchDetectors {
		rs, ok := run.rSeconds[d.name]
		if !ok {
			t.Fatalf("no R timing for %s", d.name)
		}
		rMs := rs * 1000 / float64(len(series))
		reps := 0
		start := time.Now()
		for time.Since(start) < 200*time.Millisecond {
			for _, x := range xs {
				d.fn(x)
			}
			reps++
		}
		goMs := float64(time.Since(start).Nanoseconds()) / 1e6 / float64(reps*len(xs))
		t.Logf("%-6s %14.4f %14.6f %10.0f", d.name, rMs, goMs, rMs/goMs)
	}
}
