package auth

import (
	_ "embed"
	"strings"
	"unicode"
)

//go:embed comuni.txt
var comuniTxt string

// comuni is the embedded list of common passwords and the words they are
// made of.
var comuni = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(comuniTxt, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		m[strings.ReplaceAll(l, " ", "")] = true
	}
	return m
}()

// unleet reads the digits and symbols people put for look-alike letters.
var unleet = strings.NewReplacer("4", "a", "@", "a", "3", "e", "1", "i", "!", "i", "0", "o", "5", "s", "$", "s", "7", "t")

// keyboard rows and runs that people type as passwords; any stretch of
// four or more of them, forwards or backwards, counts as one word.
// runs are read in both directions; a run goes on past its end (the digits
// start again, the next keyboard row follows): "123456789012" and
// "qwertyuiopas" are runs too.
var runs = []string{"12345678901234567890", "0987654321",
	"qwertyuiopasdfghjklzxcvbnm", "qwertzuiopasdfghjklyxcvbnm", "azertyuiopqsdfghjklmwxcvbn",
	"abcdefghijklmnopqrstuvwxyz"}

// Comune reports whether password is common or built from a common one:
// a listed entry, with look-alike digits read as letters, with any digits,
// symbols or a year before or after it, repeated, a keyboard run, or made
// of very few distinct characters.
func Comune(password string) bool {
	p := strings.ToLower(strings.Join(strings.Fields(password), ""))
	distinct := map[rune]bool{}
	for _, r := range p {
		distinct[r] = true
	}
	if len(distinct) <= 3 {
		return true
	}
	// The word between digits and symbols: "Juventus1897!" → "juventus",
	// "P4ssw0rd2024" → "p4ssw0rd" → "password".
	core := strings.TrimFunc(p, func(r rune) bool { return !unicode.IsLetter(r) })
	for _, v := range []string{p, unleet.Replace(p), core, unleet.Replace(core)} {
		if v != "" && weak(v) {
			return true
		}
	}
	// Only digits and separators: dates, phone-like runs and short numbers.
	digits := strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		if unicode.IsLetter(r) {
			return 'x'
		}
		return -1
	}, p)
	if !strings.ContainsRune(digits, 'x') && (len(digits) <= 8 || comuni[digits] || weak(digits)) {
		return true
	}
	return false
}

// weak reports whether s is a listed word, a listed word repeated, or a
// keyboard run.
func weak(s string) bool {
	if comuni[s] {
		return true
	}
	for n := 1; n <= len(s)/2; n++ {
		if len(s)%n == 0 && strings.Repeat(s[:n], len(s)/n) == s && (comuni[s[:n]] || n <= 4) {
			return true
		}
	}
	if len(s) >= 4 {
		for _, r := range runs {
			if strings.Contains(r, s) || strings.Contains(reverse(r), s) {
				return true
			}
		}
	}
	return false
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// contiene reports whether password contains one of the words (username,
// plesso code, ATS name), compared in lower case without spaces; a name
// of several words counts also by each word of five letters or more.
func contiene(password string, words []string) bool {
	p := strings.ToLower(strings.Join(strings.Fields(password), ""))
	for _, w := range words {
		w = strings.ToLower(w)
		parts := strings.FieldsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		whole := strings.Join(parts, "")
		if len(whole) >= 3 && strings.Contains(p, whole) {
			return true
		}
		for _, part := range parts {
			if len(part) >= 5 && strings.Contains(p, part) {
				return true
			}
		}
	}
	return false
}
