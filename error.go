// Package portalescuole holds the domain of Portale Scuole: plessi, istituti,
// users and the enrolment register (consistenze), the errors the rest of the
// program speaks, and the rules that do not need a database.
// Storage lives in store/, HTTP in web/, mail in mail/, file parsing in anagrafe/.
package portalescuole

import (
	"errors"
	"fmt"
)

// Error codes, mapped to HTTP status in one place (web/render.go: status).
const (
	EConflict     = "conflict"
	EInternal     = "internal"
	EInvalid      = "invalid"
	ENotFound     = "not_found"
	EUnauthorized = "unauthorized"
	EForbidden    = "forbidden"
	ETooLarge     = "too_large"
	ELocked       = "locked"
	// EUnavailable: the database cannot be reached now (503, retry later).
	EUnavailable = "unavailable"
	// EBadRequest, ENotAcceptable, EUnsupported, EMethod: a request the
	// API cannot read (400), a format it does not give (406), a body type
	// it does not take (415), a method the path does not have (405).
	EBadRequest    = "bad_request"
	ENotAcceptable = "not_acceptable"
	EUnsupported   = "unsupported"
	EMethod        = "method"
)

// Error is an error a user may see. Message and the values of Fields are
// message keys of the web catalogue (or plain Italian text when no key fits),
// so the same error reads in Italian or English.
type Error struct {
	Code    string
	Message string
	// Fields maps a form field name to its message key.
	Fields map[string]string
	// Err is the underlying cause, for the logs; the user never sees it.
	Err error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("portalescuole: code=%s message=%s", e.Code, e.Message)
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" fields=%v", e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause, so errors.Is and errors.As see through.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, EInternal otherwise.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of an application error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "err.internal"
}

// FieldErrors returns the per-field messages of a validation error.
func FieldErrors(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
