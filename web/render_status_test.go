package web

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	ps "github.com/portalescuole/portalescuole"
)

// TestStatus: every domain error code has its HTTP status, and whatever is
// not a domain error (or wraps none) is a 500.
func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{ps.Errorf(ps.EInvalid, "x"), http.StatusUnprocessableEntity},
		{ps.Errorf(ps.EUnauthorized, "x"), http.StatusUnauthorized},
		{ps.Errorf(ps.EForbidden, "x"), http.StatusForbidden},
		{ps.Errorf(ps.ENotFound, "x"), http.StatusNotFound},
		{ps.Errorf(ps.EConflict, "x"), http.StatusConflict},
		{ps.Errorf(ps.ETooLarge, "x"), http.StatusRequestEntityTooLarge},
		{ps.Errorf(ps.ELocked, "x"), http.StatusTooManyRequests},
		{ps.Errorf(ps.EInternal, "x"), http.StatusInternalServerError},
		{fmt.Errorf("salva: %w", ps.Errorf(ps.EConflict, "x")), http.StatusConflict},
		{errors.New("driver: connection reset"), http.StatusInternalServerError},
		{ps.Errorf("codice sconosciuto", "x"), http.StatusInternalServerError},
	} {
		t.Run(fmt.Sprint(tc.err), func(t *testing.T) {
			if got := status(ps.ErrorCode(tc.err)); got != tc.want {
				t.Fatalf("status(%q) = %d, want %d", ps.ErrorCode(tc.err), got, tc.want)
			}
		})
	}
}
