package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tokentray/cli"
)

type fakeAutostart struct{ on bool }

func (f *fakeAutostart) Enabled() bool     { return f.on }
func (f *fakeAutostart) Set(on bool) error { f.on = on; return nil }

func TestConfigListsSetsAndRefuses(t *testing.T) {
	f := newFakeRun(t)
	as := &fakeAutostart{}
	f.deps.Autostart = as
	if code := f.run("config"); code != 0 {
		t.Fatalf("config: exit %d, %s", code, f.stderr.String())
	}
	out := f.stdout.String()
	for _, want := range []string{"KEY", "DEFAULT", "clipboard-clear", "45s", "lead-time", "5m", "check-every", "1h", "warn-days", "14,7,1", "notifications", "on", "autostart", "off"} {
		if !strings.Contains(out, want) {
			t.Errorf("config lists no %q:\n%s", want, out)
		}
	}
	for _, c := range []struct{ key, value, show string }{
		{"clipboard-clear", "20s", "20s"},
		{"lead-time", "10m", "10m"},
		{"check-every", "2h", "2h"},
		{"warn-days", "3,30", "30,3"},
		{"notifications", "off", "off"},
		{"autostart", "on", "on"},
	} {
		if code := f.run("config", c.key, c.value); code != 0 {
			t.Fatalf("config %s %s: exit %d, %s", c.key, c.value, code, f.stderr.String())
		}
		if code := f.run("config", c.key); code != 0 || f.stdout.String() != c.show+"\n" {
			t.Errorf("config %s: exit %d, %q, want %q", c.key, code, f.stdout.String(), c.show)
		}
	}
	if !as.on {
		t.Error("autostart on did not reach the desktop's entry")
	}
	// The engine uses what was set.
	if lead := f.eng.Lead(); lead.String() != "10m0s" {
		t.Errorf("the engine's lead time is %v after config lead-time 10m", lead)
	}
	for _, c := range []struct{ key, value, want string }{
		{"clipboard-clear", "1s", "clipboard-clear: 1s is out of range (allowed: 5s to 10m; default 45s)"},
		{"check-every", "1ns", "allowed: 1m to 24h"},
		{"lead-time", "soon", "is not a duration"},
		{"notifications", "maybe", "on or off"},
		{"autostart", "maybe", "on or off"},
		{"colour", "red", `"colour" is not a setting`},
	} {
		if code := f.run("config", c.key, c.value); code != cli.ExitUsage || !strings.Contains(f.stderr.String(), c.want) {
			t.Errorf("config %s %s: exit %d, %q, want %q", c.key, c.value, code, f.stderr.String(), c.want)
		}
	}
	if code := f.run("config", "clipboard-clear"); code != 0 || f.stdout.String() != "20s\n" {
		t.Errorf("a refused value changed the setting: %q", f.stdout.String())
	}
}

// A value out of range in the file is reported with the range, and the
// default shown.
func TestConfigReportsABadValueInTheFile(t *testing.T) {
	f := newFakeRun(t)
	dir, _ := f.deps.ProfileDir(false)
	path := filepath.Join(dir, "settings.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), `"credentials"`, `"prefs": {"check_every": "1ns"}, "credentials"`, 1)
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := f.run("config"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if want := "tokentray: in settings.json, check-every: 1ns is out of range (allowed: 1m to 24h; default 1h), so the default is used\n"; f.stderr.String() != want {
		t.Errorf("stderr %q, want %q", f.stderr.String(), want)
	}
	if !strings.Contains(f.stdout.String(), "check-every      1h") {
		t.Errorf("config shows:\n%s", f.stdout.String())
	}
}

// The keychain is not switched under credentials whose secrets are in
// the other one: they would be left without them.
func TestConfigKeychainRefusesToStrandSecrets(t *testing.T) {
	f := newFakeRun(t) // holds one credential
	open := f.deps.Open
	f.deps.Open = func(sb bool) (cli.Parts, error) {
		p, err := open(sb)
		p.Keychain = func() (cli.KeychainReport, bool) {
			return cli.KeychainReport{Kind: "os", ChosenBy: "the default"}, true
		}
		return p, err
	}
	code := f.run("config", "keychain", "file")
	if code != cli.ExitError || !strings.Contains(f.stderr.String(), "holds 1 credential whose secrets are in the os keychain") ||
		!strings.Contains(f.stderr.String(), "does not move secrets between keychains") {
		t.Fatalf("config keychain file with a credential: exit %d, %q", code, f.stderr.String())
	}
	if code := f.run("config", "keychain"); code != 0 || f.stdout.String() != "os\n" {
		t.Errorf("a refused switch changed the setting: %q", f.stdout.String())
	}
	if code := f.run("config", "keychain", "os"); code != 0 {
		t.Errorf("setting the keychain in use: exit %d, %q", code, f.stderr.String())
	}
}
