package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// TestServer_Fail: the one error writer answers the status of the error's
// code, JSON for the API (message and field messages translated, the cause
// of an internal error hidden) and a page elsewhere.
func TestServer_Fail(t *testing.T) {
	srv, err := New(Config{DB: storetest.New(t, store.SQLite), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	conflict := &ps.Error{Code: ps.EConflict, Message: "err.segnale.cambiato"}
	cases := []struct {
		name   string
		err    error
		status int
		want   string // in the JSON "errore"
		campi  map[string]string
	}{
		{"conflict", conflict, http.StatusConflict, "Un altro operatore", nil},
		{"wrapped conflict", fmt.Errorf("context: %w", conflict), http.StatusConflict, "Un altro operatore", nil},
		{"conflict with a cause", &ps.Error{Code: ps.EConflict, Message: "err.concorrenza", Err: errors.New("segreto")}, http.StatusConflict, "stesso momento", nil},
		{"not found", &ps.Error{Code: ps.ENotFound, Message: "err.notfound.serie"}, http.StatusNotFound, "Serie non trovata", nil},
		{"invalid with fields", &ps.Error{Code: ps.EInvalid, Message: "err.form", Fields: map[string]string{"classi": "err.classi.min"}},
			http.StatusUnprocessableEntity, "Il modulo contiene errori", map[string]string{"classi": "Le classi devono essere almeno 1."}},
		{"locked", &ps.Error{Code: ps.ELocked, Message: "err.internal"}, http.StatusTooManyRequests, "", nil},
		{"internal", fmt.Errorf("query: %w", errors.New("segreto")), http.StatusInternalServerError, "errore interno", nil},
	}
	// The handler answers the error of the case named by ?i=.
	mux := http.NewServeMux()
	h := func(w http.ResponseWriter, r *http.Request) {
		i, _ := strconv.Atoi(r.URL.Query().Get("i"))
		srv.fail(w, r, cases[i].err)
	}
	mux.HandleFunc("/api/v1/prova", h)
	mux.HandleFunc("/pagina", h)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := "?i=" + strconv.Itoa(i)
			r, err := http.Get(ts.URL + "/api/v1/prova" + q)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r.Body)
			r.Body.Close()
			var e apiError
			if r.StatusCode != tc.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal(b, &e) != nil {
				t.Fatalf("API: %d %s %s, want %d JSON", r.StatusCode, r.Header.Get("Content-Type"), b, tc.status)
			}
			if !strings.Contains(e.Errore, tc.want) || strings.Contains(string(b), "segreto") || fmt.Sprint(e.Campi) != fmt.Sprint(tc.campi) {
				t.Fatalf("API body %s", b)
			}
			r, err = http.Get(ts.URL + "/pagina" + q)
			if err != nil {
				t.Fatal(err)
			}
			b, _ = io.ReadAll(r.Body)
			r.Body.Close()
			if r.StatusCode != tc.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || strings.Contains(string(b), "segreto") {
				t.Fatalf("page: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
			}
		})
	}
}
