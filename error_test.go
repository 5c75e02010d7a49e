package portalescuole_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
)

// TestError_Unwrap: a domain error keeps its code through wrapping and
// lets errors.Is/As reach its cause, which its text names for the logs.
func TestError_Unwrap(t *testing.T) {
	cause := errors.New("driver: duplicate key")
	for _, tc := range []struct {
		name string
		err  error
		code string
		is   bool
	}{
		{"with a cause", &ps.Error{Code: ps.EConflict, Message: "err.concorrenza", Err: cause}, ps.EConflict, true},
		{"wrapped with context", fmt.Errorf("salva: %w", &ps.Error{Code: ps.EConflict, Err: cause}), ps.EConflict, true},
		{"without a cause", &ps.Error{Code: ps.ENotFound, Message: "err.notfound.plesso"}, ps.ENotFound, false},
		{"plain error", fmt.Errorf("query: %w", cause), ps.EInternal, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ps.ErrorCode(tc.err); got != tc.code {
				t.Fatalf("code %q, want %q", got, tc.code)
			}
			if errors.Is(tc.err, cause) != tc.is {
				t.Fatalf("errors.Is(cause) = %v", !tc.is)
			}
			if strings.Contains(tc.err.Error(), cause.Error()) != tc.is {
				t.Fatalf("text %q", tc.err.Error())
			}
		})
	}
}
