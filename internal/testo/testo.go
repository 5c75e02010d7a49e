// Package testo resolves the agreement marks of the portal's texts, in
// the pages (web's catalogue) and the bulletin (its own table) alike: one
// rule for "1 plesso", "2 plessi", "l'87,5%".
package testo

import (
	"fmt"
	"strconv"
	"strings"
)

// Accorda resolves the agreement marks of a text:
//   - "{s}" (English): the ending stays unless the last number before it
//     is 1 ("%d building{s}": "1 building", "2 buildings");
//   - "{one|other}" (both languages): the first form when the last number
//     before it is 1 ("%d {plesso|plessi}", "%d {allerta nuova|allerte nuove}");
//   - "{il}", "{del}", "{al}", "{dal}", "{nel}" (Italian) before a verb such as %s:
//     the article as the next argument is read aloud ("il 7,5%", "l'87,5%",
//     "dell'11%").
//
// Arguments that went through ps.Msg are text: "1" counts.
func Accorda(format string, args []any) string {
	if !strings.Contains(format, "{") {
		return format
	}
	var b strings.Builder
	n, count := 0, -1
	for i := 0; i < len(format); {
		switch {
		case format[i] == '%' && i+1 < len(format) && format[i+1] == '%':
			b.WriteString("%%")
			i += 2
		case format[i] == '%':
			j := i + 1
			for j < len(format) && strings.IndexByte("0123456789.+-# ", format[j]) >= 0 {
				j++
			}
			if n < len(args) {
				switch v := args[n].(type) {
				case int:
					count = v
				case int64:
					count = int(v)
				case string:
					if c, err := strconv.Atoi(strings.ReplaceAll(v, ".", "")); err == nil {
						count = c
					}
				}
			}
			n++
			b.WriteString(format[i:min(j+1, len(format))])
			i = j + 1
		case format[i] == '{':
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				b.WriteString(format[i:])
				i = len(format)
				continue
			}
			mark := format[i+1 : i+end]
			i += end + 1
			if one, other, ok := strings.Cut(mark, "|"); ok {
				if count == 1 {
					b.WriteString(one)
				} else {
					b.WriteString(other)
				}
				continue
			}
			if mark == "s" {
				if count != 1 {
					b.WriteByte('s')
				}
				continue
			}
			if art, ok := articoli[mark]; ok {
				next := ""
				if n < len(args) {
					next = fmt.Sprint(args[n])
				}
				switch {
				case elisione(next):
					b.WriteString(art)
				case strings.HasPrefix(next, "0"):
					b.WriteString(articoliZ[mark]) // "lo 0,5%", read "zero"
				default:
					b.WriteString(mark + " ")
				}
				continue
			}
			b.WriteString("{" + mark + "}")
		default:
			b.WriteByte(format[i])
			i++
		}
	}
	return b.String()
}

// articoli are the Italian articles and articulated prepositions before a
// number, elided before a vowel sound.
var articoli = map[string]string{"il": "l'", "del": "dell'", "al": "all'", "dal": "dall'", "nel": "nell'", "sul": "sull'"}

// articoliZ are the same before "zero".
var articoliZ = map[string]string{"il": "lo ", "del": "dello ", "al": "allo ", "dal": "dallo ", "nel": "nello ", "sul": "sullo "}

// elisione reports whether a number as written ("87,5%", "11", "8.000")
// is read from a vowel: uno, otto, undici, ottanta…, otto… mila.
func elisione(s string) bool {
	digits := s
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		digits = s[:i]
	}
	// "1.500" and "11.000" are read "millecinquecento", "undicimila".
	if rest, ok := strings.CutPrefix(s[len(digits):], "."); ok && len(rest) >= 3 && rest[0] >= '0' && rest[0] <= '9' {
		return digits == "8" || digits == "11" || strings.HasPrefix(digits, "8")
	}
	switch {
	case digits == "":
		return false
	case digits == "1", digits == "11":
		return true
	}
	return digits[0] == '8'
}
