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
	personal := []string{"cree80001r", "CREE80001R", "ATS Val Padana"}
	for _, tc := range []struct{ pw, want string }{
		{"short", "err.password.short"},
		{"          ", "err.password.blank"},
		{"\t \n  \t   ", "err.password.blank"},
		{"a         b", "err.password.short"},
		{"Cree80001R-2026", "err.password.personal"},
		{"io-amo-la-valpadana", "err.password.personal"},
		{"padana-2026!!", "err.password.personal"},
		{"ats val padana", "err.password.personal"},
		// From the issue, and the usual suspects.
		{"1234567890", "err.password.common"},
		{"password123", "err.password.common"},
		{"Password123!", "err.password.common"},
		{"P4ssw0rd2024", "err.password.common"},
		{"qwertyuiop", "err.password.common"},
		// Issue 21: runs that go on past a row's or the digits' end.
		{"123456789012", "err.password.common"},
		{"qwertyuiopas", "err.password.common"},
		{"2109876543", "err.password.common"},
		{"poiuytrewq", "err.password.common"},
		{"asdfghjkl1", "err.password.common"},
		{"juventus1897", "err.password.common"},
		{"forzainter!!", "err.password.common"},
		{"Amore Mio 2024", "err.password.common"},
		{"tiamo tiamo", "err.password.common"},
		{"ciaociaociao", "err.password.common"},
		{"aaaaaaaaaaaa", "err.password.common"},
		{"abababababab", "err.password.common"},
		{"0987654321", "err.password.common"},
		{"01/01/1990", "err.password.common"},
		{"9876543210", "err.password.common"},
		{"segreteria01", "err.password.common"},
		{"scuolaprimaria1", "err.password.common"},
		// Acceptable: phrases and generated passwords.
		{"una frase lunga", ""},
		{"cavallo batteria graffetta", ""},
		{"nQ7vKp3xTz", ""},
		{"demo-plesso-2026", ""},
	} {
		if got := CheckNew(tc.pw, personal...); got != tc.want {
			t.Errorf("CheckNew(%q) = %q, want %q", tc.pw, got, tc.want)
		}
	}
	t.Run("generated passwords pass", func(t *testing.T) {
		for range 2000 {
			if p := Generate(12); CheckNew(p) != "" {
				t.Fatalf("generated %q refused: %s", p, CheckNew(p))
			}
		}
	})
}

func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("una password qualsiasi", DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}
