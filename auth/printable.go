package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable is text from outside (a broker's error, the login callback's
// error_description) made safe to show: without control characters (ESC
// and the rest of C0, DEL, C1), which a terminal would obey, and without
// the bidirectional overrides that reorder what a reader sees. A line
// break or tab becomes a space, and bytes that are not UTF-8 become
// U+FFFD. Every health reason leaving the engine passes through it, and
// each broker's error text does where it is read.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unprintable(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unprintable(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unprintable: a control character, or a bidirectional formatting one.
func unprintable(r rune) bool {
	if unicode.IsControl(r) {
		return true
	}
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}
