// Package testenv decides what a test does when something it needs outside
// Go (PostgreSQL, chromium, Rscript, poppler) is missing: skip on a
// developer's machine, fail in CI, where .ci/run sets PORTALE_TEST_STRICT=1
// so that a missing dependency can never pass as a green run.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// EnvStrict names the variable that turns every "dependency missing" skip
// into a failure.
const EnvStrict = "PORTALE_TEST_STRICT"

// Strict reports whether missing dependencies fail the test.
func Strict() bool {
	v := os.Getenv(EnvStrict)
	return v != "" && v != "0"
}

// Missing skips the test saying why, or fails it in strict mode.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Strict() {
		t.Fatalf("dependency missing ("+EnvStrict+" set): "+format, args...)
	}
	t.Skipf(format, args...)
}

// Program returns the path of the first of names found on PATH; when none
// is, the test is skipped (or fails in strict mode) with hint.
func Program(t testing.TB, hint string, names ...string) string {
	t.Helper()
	for _, name := range names {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Missing(t, "%v not on PATH: %s", names, hint)
	return ""
}
