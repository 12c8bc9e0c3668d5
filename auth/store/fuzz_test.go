package store

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"tokentray/internal/testutil"
)

// FuzzSettingsFile feeds arbitrary settings files: tokentray never
// panics or hangs on one, answers with one sentence or with credentials
// that have distinct IDs and usable names, and a damaged file is moved
// aside so the next start works.
func FuzzSettingsFile(f *testing.F) {
	f.Add([]byte(`{"version":1,"credentials":[{"id":"a1","name":"futu-main","kind":"futu-key","added_at":"2026-01-01T00:00:00Z","health":{"state":"ok"}}]}`))
	f.Add([]byte(`{"version":1,"credentials":[{"id":"a1","name":"x","kind":"webull"},{"id":"a1","name":"y","kind":"webull"}]}`))
	f.Add([]byte(`{"version":1,"prefs":{"check_every":"1ns","lead_time":"-5m","warn_days":[-1,99999]}}`))
	f.Add([]byte(`{"version":99}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"version":1,"credentials":[{"id":"b","name":"` + strings.Repeat("n", 10000) + `"}]}`))
	f.Add([]byte(`{"version":1,"credentials":[{"id":"c","health":{"state":"bogus"}}]}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, body []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, settingsName), body, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := Open(dir, testutil.NewMemorySecrets())
		if err != nil {
			shortSentence(t, err)
			return
		}
		cs, err := st.List()
		if err != nil {
			shortSentence(t, err)
			// A damaged file was moved aside: the next open starts clean.
			if _, serr := os.Stat(st.Path()); serr == nil {
				if _, err2 := st.List(); err2 != nil && !strings.Contains(err2.Error(), "newer tokentray") {
					shortSentence(t, err2)
				}
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range cs {
			if c.ID == "" || seen[c.ID] {
				t.Fatalf("credentials with a missing or repeated ID were loaded: %q", c.ID)
			}
			seen[c.ID] = true
		}
		if _, err := st.Prefs(); err != nil {
			shortSentence(t, err)
		}
	})
}

// shortSentence is oneSentence with a bound and no stack trace.
func shortSentence(t *testing.T, err error) {
	t.Helper()
	oneSentence(t, err)
	msg := err.Error()
	if msg == "" || len(msg) > 2000 {
		t.Fatalf("not one short sentence (%d bytes): %.300q", len(msg), msg)
	}
	if strings.Contains(msg, "goroutine ") || strings.Contains(msg, "panic") {
		t.Fatalf("a stack trace reached the user: %.300q", msg)
	}
}

func FuzzIDRule(f *testing.F) {
	rule := regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	for _, s := range []string{"", "a", "aa11", "-", "_", "a.b", "a b", "a\n", "é", strings.Repeat("a", 64), strings.Repeat("a", 65), "a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := checkID(s) == nil, rule.MatchString(s); got != want {
			t.Fatalf("checkID(%q) accepts: %v, want %v", s, got, want)
		}
	})
}
