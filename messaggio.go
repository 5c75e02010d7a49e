package portalescuole

import (
	"fmt"
	"strings"
)

// Msg encodes a catalogue key with its arguments as one string,
// "key|arg|arg", so that maps of field errors stay map[string]string while
// carrying no text: the web and the CLI translate them (SplitMsg).
func Msg(key string, args ...any) string {
	if len(args) == 0 {
		return key
	}
	var b strings.Builder
	b.WriteString(key)
	for _, a := range args {
		b.WriteByte('|')
		b.WriteString(strings.ReplaceAll(fmt.Sprint(a), "|", "/"))
	}
	return b.String()
}

// SplitMsg splits what Msg encoded into the key and its arguments.
func SplitMsg(s string) (string, []any) {
	key, rest, ok := strings.Cut(s, "|")
	if !ok {
		return s, nil
	}
	parts := strings.Split(rest, "|")
	args := make([]any, len(parts))
	for i, p := range parts {
		args[i] = p
	}
	return key, args
}
