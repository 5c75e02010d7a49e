package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store/storetest"
)

func (c *client) importa(name, content string, fields map[string]string) resp {
	c.e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.ts.URL+"/ats/import", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.e.ts.URL)
	return c.do(req)
}

// A dry run stores nothing, whatever the kind of file; a real import is
// stored, recorded in import_runs and listed on the page.
func TestServer_ImportDryRun(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			user, pw := demoAccount(ps.RoleATS)
			c := e.loginAs(user, pw)
			influnet := func() int {
				w, err := e.db.InfluNet(ctx)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, x := range w {
					if x.Settimana == "2030-50" {
						n++
					}
				}
				return n
			}
			studenti := func() int {
				n, _, err := e.db.StudentiMIM(ctx, "CREE80001R", 2026)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			for _, k := range []struct {
				name, file, content string
				stored              func() int
				want                int
			}{
				{"influnet", "influnet-prova.csv", "flu_season,year_week,inc_5-14\n2030-2031,2030-50,7.5\n", influnet, 1},
				{"studenti", "studenti-prova.csv", "CODICESCUOLA,NUMEROSTUDENTI\nCREE80001R,301\n", studenti, 301},
			} {
				t.Run(k.name, func(t *testing.T) {
					before, _ := e.db.ImportRuns(ctx, 1000)
					r := c.importa(k.file, k.content, map[string]string{"dry": "1", "anno": "2026/27"})
					if r.Status != 200 || !strings.Contains(text(r.Body), "1 aggiunti") && !strings.Contains(text(r.Body), "1 modificati") {
						t.Fatalf("dry run: %d %s", r.Status, text(r.Body))
					}
					if got := k.stored(); got == k.want {
						t.Fatal("the dry run stored the file")
					}
					if after, _ := e.db.ImportRuns(ctx, 1000); len(after) != len(before) {
						t.Fatalf("the dry run was recorded: %d -> %d runs", len(before), len(after))
					}
					r = c.importa(k.file, k.content, map[string]string{"anno": "2026/27"})
					if r.Status != 200 {
						t.Fatalf("import: %d %s", r.Status, text(r.Body))
					}
					if got := k.stored(); got != k.want {
						t.Fatalf("stored %d, want %d", got, k.want)
					}
					after, _ := e.db.ImportRuns(ctx, 1000)
					if len(after) != len(before)+1 || after[0].Filename != k.file {
						t.Fatalf("runs %d -> %d, last %+v", len(before), len(after), after[0])
					}
					if page := c.get("/ats/import"); !strings.Contains(page.Body, k.file) {
						t.Fatal("the import is not listed")
					}
					_, n, _ := e.db.FindAudit(ctx, ps.AuditFilter{Action: "import.commit"})
					if n == 0 {
						t.Fatal("the import is not audited")
					}
				})
			}
		})
	}
}

// An InfluNet file beyond any real length is refused before parsing.
func TestServer_ImportInfluNetRows(t *testing.T) {
	e := newEnv(t, "sqlite")
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	before, _ := e.db.ImportRuns(ctx, 1000)
	r := c.importa("influnet.csv", "flu_season,year_week,inc_5-14\n"+strings.Repeat("2030-2031,2030-50,7.5\n", 30000), nil)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "più delle 20000 attese") {
		t.Fatalf("long InfluNet file: %d %s", r.Status, text(r.Body))
	}
	if after, _ := e.db.ImportRuns(ctx, 1000); len(after) != len(before) {
		t.Fatal("a refused file was recorded")
	}
}
