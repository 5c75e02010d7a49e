package store

// Exported for the external tests.
var (
	IsUniqueViolation = isUniqueViolation
	IsRetryable       = isRetryable
)
