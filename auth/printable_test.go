package auth

import "testing"

// Text a broker or the login callback supplies reaches no terminal with
// an escape sequence in it.
func TestPrintable(t *testing.T) {
	for _, c := range [][2]string{
		{"invalid_grant: sig is invalid", "invalid_grant: sig is invalid"},
		{"denied\x1b]0;pwned\x07 \x1b[2J\x1b[31mred", "denied]0;pwned [2J[31mred"},
		{"a\nb\tc\rd", "a b c d"},
		{"\u009b31m C1 CSI", "31m C1 CSI"},
		{"abc\u202edcba\u2066x\u2069", "abcdcbax"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"日本語 ok", "日本語 ok"},
		{"del\x7f", "del"},
	} {
		if got := Printable(c[0]); got != c[1] {
			t.Errorf("Printable(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}
