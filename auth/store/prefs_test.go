package store

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

func TestEverySettingRefusesOutOfRangeWithTheAllowedRange(t *testing.T) {
	for _, c := range []struct{ key, good, bad string }{
		{"lead-time", "10m", "30s"},
		{"check-every", "2h", "1ns"},
		{"warn-days", "30,3", "400"},
		{"extend-days", "365", "2000"},
		{"clipboard-clear", "20s", "1h"},
		{"share-every", "15m", "30s"},
		{"notifications", "off", "maybe"},
		{"language", "zh-HK", "fr"},
		{"keychain", "file", "plain"},
		{"notify-command", "curl -d @- ntfy.sh/x", "a\x00b"},
	} {
		s, ok := LookupSetting(c.key)
		if !ok {
			t.Fatalf("no setting %s", c.key)
		}
		p := DefaultPrefs()
		if err := s.Set(&p, c.good); err != nil || s.Get(p) != c.good {
			t.Errorf("%s %s: %v, reads back %q", c.key, c.good, err, s.Get(p))
		}
		before := s.Get(p)
		err := s.Set(&p, c.bad)
		if m := msg.Of(err); !m.Is("store.setting_refused") || m.Arg("Allowed") != s.Allowed || m.Arg("Key") != c.key || m.Arg("Default") != s.Default() {
			t.Errorf("%s %s: %v, want a refusal naming the key and %q", c.key, c.bad, err, s.Allowed)
		}
		if s.Get(p) != before {
			t.Errorf("%s: a refused value changed it to %q", c.key, s.Get(p))
		}
	}
	if got := SettingKeys(); strings.Join(got, " ") != "lead-time check-every warn-days extend-days clipboard-clear share-every language notifications keychain notify-command" {
		t.Errorf("settings %v", got)
	}
}

func TestDefaults(t *testing.T) {
	want := map[string]string{"lead-time": "5m", "check-every": "1h", "warn-days": "14,7,1", "extend-days": "90", "clipboard-clear": "45s", "share-every": "1h", "notifications": "on", "language": "auto",
		"keychain": "os", "notify-command": "none"}
	for _, s := range AllSettings() {
		if s.Default() != want[s.Key] {
			t.Errorf("%s default %q, want %q", s.Key, s.Default(), want[s.Key])
		}
	}
	if DefaultPrefs().LeadTime != auth.DefaultLead {
		t.Error("the lead time default is not auth.DefaultLead")
	}
}

// A value out of range in the file reads as the default, with a
// sentence naming the range; the others are kept.
func TestSettingsFileValuesAreRangeChecked(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	file := `{"version":1,"credentials":[],"prefs":{"check_every":"1ns","lead_time":"10m","clipboard_clear":12,"warn_days":[0],"notifications":false}}`
	if err := os.WriteFile(s.Path(), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := s.Prefs()
	if err != nil {
		t.Fatal(err)
	}
	if p.CheckEvery != DefaultCheckEvery || p.LeadTime != 10*time.Minute || p.ClipboardClear != DefaultClipboardClear || len(p.WarnDays) != 3 || !p.Quiet {
		t.Fatalf("prefs %+v", p)
	}
	if len(p.Problems) != 3 {
		t.Fatalf("problems %q, want one each for check-every, warn-days and clipboard-clear", p.Problems)
	}
	if len(p.Issues) != len(p.Problems) {
		t.Fatalf("issues %v, problems %q: want one message for each", p.Issues, p.Problems)
	}
	for i, want := range []struct{ id, key string }{{"store.setting_refused", "check-every"}, {"store.setting_refused", "warn-days"}, {"store.setting_unreadable", "clipboard-clear"}} {
		m, ok := testutil.FindMsg(p.Issues[i], want.id)
		if !p.Issues[i].Is("store.setting_ignored") || !ok || m.Arg("Key") != want.key || p.Problems[i] != p.Issues[i].String() {
			t.Errorf("issue %d: %v (%q), want %s of %s", i, p.Issues[i], p.Problems[i], want.id, want.key)
		}
	}
	if m, _ := testutil.FindMsg(p.Issues[0], "store.value_out_of_range"); m.Arg("Value") != "1ns" {
		t.Errorf("the out-of-range value: %v", p.Issues[0])
	}
	// Saving writes only good values, and the problems are gone.
	if err := s.SetPrefs(p); err != nil {
		t.Fatal(err)
	}
	p, _ = s.Prefs()
	if len(p.Problems) != 0 || !p.Quiet {
		t.Fatalf("after saving: %+v", p)
	}
	b, _ := json.Marshal(p)
	if strings.Contains(string(b), "Problems") || strings.Contains(string(b), "1ns") {
		t.Fatalf("file form %s", b)
	}
}
