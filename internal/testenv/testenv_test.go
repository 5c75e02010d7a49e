package testenv

import (
	"runtime"
	"testing"
)

// TestMissing: in strict mode a missing dependency fails the test, without
// it the test is skipped.
func TestMissing(t *testing.T) {
	for _, tc := range []struct {
		strict        string
		failed, skips bool
	}{
		{"1", true, false},
		{"", false, true},
		{"0", false, true},
	} {
		t.Run("strict="+tc.strict, func(t *testing.T) {
			t.Setenv(EnvStrict, tc.strict)
			var r recorder
			done := make(chan struct{})
			// Fatal and Skip end the goroutine that calls them.
			go func() {
				defer close(done)
				Program(&r, "test", "no-such-program-portale")
			}()
			<-done
			if r.failed != tc.failed || r.skipped != tc.skips {
				t.Fatalf("failed %v skipped %v, want %v %v", r.failed, r.skipped, tc.failed, tc.skips)
			}
		})
	}
	if p := Program(t, "", "sh"); p == "" {
		t.Fatal("sh not found")
	}
}

// recorder is a testing.TB that records how the test ended.
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(string, ...any) {
	r.failed = true
	runtime.Goexit()
}
func (r *recorder) Skipf(string, ...any) {
	r.skipped = true
	runtime.Goexit()
}
