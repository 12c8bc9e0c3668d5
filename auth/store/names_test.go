package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

// A settings file written by hand with two credentials of one name, or a
// name that is not valid UTF-8 (or breaks the rule of add), is refused
// with a sentence that names the problem, and is left as it was.
func TestSettingsWithUnusableNamesAreRefused(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"futu-main", "futu-main"}, `holds two credentials named "futu-main" and "futu-main"; rename one of them in the file`},
		{[]string{"futu-main", "FUTU-MAIN"}, `holds two credentials named "futu-main" and "FUTU-MAIN"`},
		{[]string{"bad\xffname"}, `holds a credential whose name cannot be used: "bad` + "\uFFFD" + `name" is not a usable name`},
		{[]string{"-dash"}, `holds a credential whose name cannot be used: "-dash" is not a usable name`},
	} {
		dir := t.TempDir()
		var entries []string
		for _, n := range c.names {
			entries = append(entries, `{"id":"`+auth.NewID()+`","name":"`+n+`","kind":"futu-key","health":{"state":"unknown"}}`)
		}
		raw := []byte(`{"version":1,"credentials":[` + strings.Join(entries, ",") + `]}`)
		path := filepath.Join(dir, settingsName)
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir, testutil.NewMemorySecrets())
		if err == nil {
			_, err = s.List()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "the settings file "+path) {
			t.Errorf("%q: got %v, want it to say %s", c.names, err, c.want)
		}
		if b, _ := os.ReadFile(path); string(b) != string(raw) {
			t.Errorf("%q: the file was changed", c.names)
		}
	}
}
