package web_test

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/portalescuole/portalescuole/internal/testenv"
	"github.com/portalescuole/portalescuole/store"
)

// TestOpenAPI_Lint runs the pinned validator from npm on the document the
// API serves: valid OpenAPI, every operation named and with a 4XX answer,
// a licence (issue 21, item 21: a generated client had unnamed methods).
func TestOpenAPI_Lint(t *testing.T) {
	node := testenv.Program(t, "the OpenAPI lint needs Node.js (make test installs the npm packages)", "", "node")
	out, err := exec.Command(node, "../scripts/openapi-lint.mjs", "openapi.json").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// The 4XX the document promises for itself.
	e := newEnv(t, store.SQLite)
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/openapi.json", nil)
	req.Header.Set("Accept", "application/xml")
	if r := e.client().do(req); r.Status != http.StatusNotAcceptable || !strings.Contains(r.Body, "solo in JSON") {
		t.Fatalf("Accept: application/xml: %d %s", r.Status, r.Body)
	}
}
