package backup

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// The canonical form of a value, the same whichever dialect it was read
// from:
//
//	NULL      null
//	int       a JSON number (int64)
//	float     the shortest JSON number that reads back as the same float64
//	          (-0 as 0, since SQLite does not keep the sign of a zero);
//	          "NaN", "Infinity", "-Infinity" as strings
//	bool      true / false (SQLite stores 0 / 1)
//	text      a JSON string; text that is not valid UTF-8 (possible in
//	          SQLite only) as {"b64": "<base64 of its bytes>"}
//	blob      a base64 string (standard alphabet, padded)

// appendValore appends the canonical JSON of v, a value read through
// database/sql from a column of kind k.
func appendValore(b []byte, k tipo, v any) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	switch k {
	case tipoInt:
		switch x := v.(type) {
		case int64:
			return strconv.AppendInt(b, x, 10), nil
		case int32:
			return strconv.AppendInt(b, int64(x), 10), nil
		case int:
			return strconv.AppendInt(b, int64(x), 10), nil
		case bool:
			if x {
				return append(b, '1'), nil
			}
			return append(b, '0'), nil
		}
	case tipoFloat:
		switch x := v.(type) {
		case float64:
			return appendFloat(b, x), nil
		case float32:
			return appendFloat(b, float64(x)), nil
		case int64: // SQLite keeps integral reals as integers
			return appendFloat(b, float64(x)), nil
		}
	case tipoBool:
		switch x := v.(type) {
		case bool:
			return strconv.AppendBool(b, x), nil
		case int64:
			if x == 0 || x == 1 {
				return strconv.AppendBool(b, x == 1), nil
			}
		}
	case tipoText:
		switch x := v.(type) {
		case string:
			return appendText(b, x), nil
		case []byte:
			return appendText(b, string(x)), nil
		case time.Time:
			// Not produced by the store (dates are TEXT), refused rather
			// than guessed.
		}
	case tipoBlob:
		switch x := v.(type) {
		case []byte:
			return appendBase64(b, x), nil
		case string:
			return appendBase64(b, []byte(x)), nil
		}
	}
	return nil, fmt.Errorf("valore %T (%v) inatteso in una colonna %s", v, v, k)
}

func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	case f == 0:
		return append(b, '0')
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

func appendBase64(b []byte, p []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, p)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendText appends s as a JSON string: only the quote, the backslash and
// control characters are escaped, so the output is deterministic.
func appendText(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		b = append(b, `{"b64":`...)
		b = appendBase64(b, []byte(s))
		return append(b, '}')
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// valoreDa turns a decoded JSON value (json.Number for numbers) back into
// the argument to bind for a column of kind k.
func valoreDa(k tipo, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case tipoInt:
		if n, ok := v.(json.Number); ok {
			i, err := strconv.ParseInt(string(n), 10, 64)
			if err == nil {
				return i, nil
			}
		}
	case tipoFloat:
		switch x := v.(type) {
		case json.Number:
			f, err := strconv.ParseFloat(string(x), 64)
			if err == nil {
				return f, nil
			}
		case string:
			switch x {
			case "NaN":
				return math.NaN(), nil
			case "Infinity":
				return math.Inf(1), nil
			case "-Infinity":
				return math.Inf(-1), nil
			}
		}
	case tipoBool:
		if x, ok := v.(bool); ok {
			return x, nil
		}
	case tipoText:
		switch x := v.(type) {
		case string:
			return x, nil
		case map[string]any:
			if s, ok := x["b64"].(string); ok && len(x) == 1 {
				p, err := base64.StdEncoding.DecodeString(s)
				if err == nil {
					return string(p), nil
				}
			}
		}
	case tipoBlob:
		if s, ok := v.(string); ok {
			p, err := base64.StdEncoding.DecodeString(s)
			if err == nil {
				if p == nil {
					p = []byte{} // an empty blob, not NULL
				}
				return p, nil
			}
		}
	}
	return nil, fmt.Errorf("valore %v non valido per una colonna %s", v, k)
}
