package webull

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"tokentray/internal/msg"
)

// A fake app secret: fuzzed answers that echo it must never show it.
const fuzzSecret = "0f50a2e853334a9aae1a783bee120c1f"

// FuzzErrorAnswer feeds arbitrary error answers and Date headers: the
// sentence never shows the call's secret, never runs past a line, and a
// skew is only ever read from a parseable Date.
func FuzzErrorAnswer(f *testing.F) {
	f.Add(401, []byte(`{"error_code":"INCORRECT_SIGN","message":"bad sign"}`), "")
	f.Add(401, []byte(`{"error_code":"CLOCK_SKEW_EXCEEDED","message":"clock"}`), "Tue, 01 Dec 2026 08:00:00 GMT")
	f.Add(500, []byte(`{"error_code":"SYSTEM_ERROR","msg":"oops `+fuzzSecret+`"}`), "")
	f.Add(429, []byte(`{"error_code":"TOO_MANY_REQUESTS"}`), "garbage")
	f.Add(403, []byte(`<html>denied</html>`), "")
	f.Add(417, []byte(`{"error_code":"`+fuzzSecret+`"}`), "")
	f.Add(401, []byte(`{"error_code":"X\u001b[2J","message":"\u001b]0;pwned\u0007 \u009b31m"}`), "")
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, raw []byte, date string) {
		if status < 100 || status > 599 {
			status = 400 + (status%100+100)%100
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		if date != "" {
			resp.Header.Set("Date", date)
		}
		e := newAPIError(resp, raw, now, []string{fuzzSecret})
		for _, l := range msg.Langs {
			said := l.Err(e)
			if strings.Contains(said, fuzzSecret) || strings.Contains(e.Text, fuzzSecret) || strings.Contains(e.Code, fuzzSecret) {
				t.Fatalf("the error shows the secret in %s: %q", l, said)
			}
			if said == "" {
				t.Fatalf("empty error sentence in %s", l)
			}
			if strings.ContainsFunc(said+e.Text+e.Code, unicode.IsControl) {
				t.Fatalf("a control character reaches the sentence in %s: %q %q %q", l, said, e.Text, e.Code)
			}
		}
		if _, err := http.ParseTime(date); err != nil && e.Skew != 0 {
			t.Fatalf("skew %v read from an unreadable Date %q", e.Skew, date)
		}
	})
}
