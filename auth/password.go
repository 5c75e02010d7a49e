// Package auth hashes passwords with argon2id and generates initial ones.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id costs. The defaults follow OWASP's minimum
// (19 MiB, 2 passes, 1 lane): a login storm of hundreds of schools must not
// exhaust a small server's memory.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultParams is used for every new hash.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Hash returns a PHC-formatted argon2id hash of password.
func Hash(password string, p Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// ErrMalformed is returned for a hash this package did not write.
var ErrMalformed = errors.New("auth: malformed hash")

// Verify reports whether password matches hash, in constant time.
func Verify(password, hash string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformed
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, ErrMalformed
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, ErrMalformed
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformed
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformed
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// alphabet avoids look-alike characters (0/O, 1/l/I): initial passwords are
// read from a letter and typed by hand.
const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// Generate returns a random password of n characters.
func Generate(n int) string {
	b := make([]byte, n)
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		// 256 % 54 leaves a slight bias; rejection sampling removes it.
		for buf[i] >= byte(256-256%len(alphabet)) {
			var one [1]byte
			if _, err := rand.Read(one[:]); err != nil {
				panic(err)
			}
			buf[i] = one[0]
		}
		b[i] = alphabet[int(buf[i])%len(alphabet)]
	}
	return string(b)
}

// MinLength is the shortest password a user may choose (ASVS 2.1.1),
// counted with runs of spaces as one.
const MinLength = 10

// CheckNew returns a message key when a new password is not acceptable:
// too short or too long, only spaces, common or breached (Comune), or
// containing one of personal (the username, the plesso code, the ATS's
// name). There are no composition rules (ASVS 2.1.9).
func CheckNew(password string, personal ...string) string {
	collapsed := strings.Join(strings.Fields(password), " ")
	switch {
	case strings.TrimSpace(password) == "":
		return "err.password.blank"
	case len([]rune(collapsed)) < MinLength:
		return "err.password.short"
	case len(password) > 200:
		return "err.password.long"
	case contiene(password, personal):
		return "err.password.personal"
	case Comune(password):
		return "err.password.common"
	}
	return ""
}
