package auth

import (
	"strings"
	"testing"
)

var fast = Params{Memory: 1024, Time: 1, Threads: 1}

func TestHash_Verify(t *testing.T) {
	h, err := Hash("correct horse", fast)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("unexpected format %q", h)
	}
	h2, _ := Hash("correct horse", fast)
	if h == h2 {
		t.Fatal("two hashes of the same password are equal: salt not random")
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse", true}, {"correct hors", false}, {"Correct horse", false}, {"", false}} {
		ok, err := Verify(tc.pw, h)
		if err != nil || ok != tc.want {
			t.Errorf("Verify(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if _, err := Verify("x", bad); err == nil {
			t.Errorf("Verify accepted malformed hash %q", bad)
		}
	}
}

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		p := Generate(12)
		if len(p) != 12 {
			t.Fatalf("len %d", len(p))
		}
		if strings.ContainsAny(p, "0O1lI") {
			t.Fatalf("look-alike character in %q", p)
		}
		if seen[p] {
			t.Fatalf("duplicate password %q", p)
		}
		seen[p] = true
	}
}

func TestCheckNew(t *testing.T) {
	for _, tc := range []struct{ pw, user, want string }{
		{"short", "u", "err.password.short"},
		{"segreteria01", "Segreteria01", "err.password.username"},
		{"una frase lunga", "u", ""},
	} {
		if got := CheckNew(tc.pw, tc.user); got != tc.want {
			t.Errorf("CheckNew(%q) = %q, want %q", tc.pw, got, tc.want)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("una password qualsiasi", DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}
