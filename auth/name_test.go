package auth

import (
	"regexp"
	"strings"
	"testing"
)

func FuzzNameRule(f *testing.F) {
	rule := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	for _, s := range []string{"", "a", "futu-01", "-x", ".x", "_x", "a.b_c-d", "a b", "a\n", "é", "aé", "A9", strings.Repeat("a", 64), strings.Repeat("a", 65), "a/b", "a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidateName(s) == nil, rule.MatchString(s); got != want {
			t.Fatalf("ValidateName(%q) accepts: %v, want %v", s, got, want)
		}
	})
}
