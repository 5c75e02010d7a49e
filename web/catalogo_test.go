package web

import (
	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/sentinella"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every message key the templates and the Go code name is in the catalogue,
// with an Italian and an English text: a missing key would show the key
// itself on the page.
func TestCatalogo_Completo(t *testing.T) {
	keys := map[string]string{}
	tmpl := regexp.MustCompile(`\bt \$?[A-Za-z.]*L "([A-Za-z0-9_.]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		for _, m := range tmpl.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = p
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`\btr\([a-zA-Z.]+, "([A-Za-z0-9_.]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range code.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = f
		}
	}
	if len(keys) < 200 {
		t.Fatalf("only %d keys found: the patterns no longer match the code", len(keys))
	}
	for k, where := range keys {
		if strings.HasSuffix(k, ".") {
			continue // the prefix of a key built at run time ("grafico." + name)
		}
		m, ok := catalog[k]
		switch {
		case !ok:
			t.Errorf("%s: key %q not in the catalogue", where, k)
		case strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "":
			t.Errorf("%s: key %q lacks a language: %q", where, k, m)
		}
	}
}

// Every message of the class-register file parser reads in English too,
// with the same arguments.
func TestCatalogo_File(t *testing.T) {
	for k, it := range sentinella.Messaggi {
		en := catalog[k][1]
		if en == "" {
			t.Errorf("%s: no English for %q", k, it)
		}
		if strings.Count(en, "%") != strings.Count(it, "%") {
			t.Errorf("%s: %q and %q take different arguments", k, it, en)
		}
	}
	for _, c := range sentinella.Template {
		if catalog["file.col."+c.Col][1] == "" {
			t.Errorf("column %s: no English description", c.Col)
		}
	}
	if got := tr(langEN, ps.Msg("file.err.manca", 3, "assenti")); got != "line 3: «assenti» is missing" {
		t.Errorf("translated %q", got)
	}
}

// English counts agree with their number.
func TestTr_Plurali(t *testing.T) {
	for _, c := range []struct {
		args []any
		want string
	}{
		{[]any{1, 2}, "1 alert in 2 groups."},
		{[]any{3, 1}, "3 alerts in 1 group."},
	} {
		if got := tr(langEN, "allerte.conteggio", c.args...); got != c.want {
			t.Errorf("%v: %q, want %q", c.args, got, c.want)
		}
	}
	if got := tr(langEN, "periodo.giorni", "01/12/2026", "02/12/2026", 1); got != "from 01/12/2026 to 02/12/2026 (1 alert day)" {
		t.Errorf("%q", got)
	}
	if got := tr(langIT, "allerte.conteggio", 1, 1); strings.Contains(got, "{s}") {
		t.Errorf("Italian %q", got)
	}
}
