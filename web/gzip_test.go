package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	"github.com/portalescuole/portalescuole/store"
)

// TestServer_Gzip: text responses go out gzipped to a client that accepts
// it, decompressing to the same bytes; others get them as they are.
func TestServer_Gzip(t *testing.T) {
	e := newEnv(t, store.SQLite)
	for _, path := range []string{"/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css", "/login", "/api/v1/openapi.json"} {
		get := func(enc string) *http.Response {
			req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
			if enc != "" {
				req.Header.Set("Accept-Encoding", enc)
			}
			res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		plain := get("")
		want, _ := io.ReadAll(plain.Body)
		plain.Body.Close()
		if plain.StatusCode != 200 || plain.Header.Get("Content-Encoding") != "" || len(want) == 0 {
			t.Fatalf("%s plain: %d %q", path, plain.StatusCode, plain.Header.Get("Content-Encoding"))
		}
		res := get("gzip, deflate, br")
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: Content-Encoding %q", path, res.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got, _ := io.ReadAll(zr)
		if path != "/login" && !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes decompressed, %d plain", path, len(got), len(want))
		}
		if len(raw) >= len(want) {
			t.Errorf("%s: %d bytes gzipped for %d plain", path, len(raw), len(want))
		}
	}
}
