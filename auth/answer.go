package auth

import (
	"strings"
	"unicode"
)

// FirstLine is the first line with text of an answer that is not the
// broker's own (a proxy's page, a server's error text), for a reason that
// says what came back: HTML tags dropped, control characters removed, at
// most 100 characters.
func FirstLine(body []byte) string {
	text := string(body)
	if len(text) > 4096 {
		text = text[:4096]
	}
	var b strings.Builder
	in := false
	for _, r := range text {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
			b.WriteByte(' ')
		case in:
		case r == '\n':
			b.WriteByte('\n')
		case unicode.IsControl(r) || r == unicode.ReplacementChar:
		default:
			b.WriteRune(r)
		}
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			if r := []rune(l); len(r) > 100 {
				l = string(r[:100]) + "…"
			}
			return l
		}
	}
	return ""
}
