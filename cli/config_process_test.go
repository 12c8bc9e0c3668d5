package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runReal runs tokentray args in x's real (not sandbox) profile.
func (x *tt) runReal(args ...string) (string, int) {
	x.t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = x.env(nil)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if xe, ok := err.(*exec.ExitError); ok {
			return string(out), xe.ExitCode()
		}
		x.t.Fatal(err)
	}
	return string(out), 0
}

// config autostart on/off writes and removes the desktop's autostart
// entry for this binary; config KEY VALUE survives to the next process.
func TestConfigInTheRealBinary(t *testing.T) {
	x := newTT(t)
	entry := filepath.Join(x.dir, ".config", "autostart", "tokentray.desktop")
	// The entry starts the real profile's agent: not from the sandbox's.
	wantCode(t, x.run(nil, "", "config", "autostart", "on"), 2, "--sandbox config autostart on")
	if out, code := x.runReal("config", "autostart", "on"); code != 0 {
		t.Fatalf("autostart on: exit %d, %s", code, out)
	}
	b, err := os.ReadFile(entry)
	if err != nil || !strings.Contains(string(b), "Exec="+bin) {
		t.Fatalf("autostart entry: %v\n%s", err, b)
	}
	if out, _ := x.runReal("config", "autostart"); out != "on\n" {
		t.Errorf("config autostart: %q", out)
	}
	if out, code := x.runReal("config", "autostart", "off"); code != 0 {
		t.Fatalf("autostart off: exit %d, %s", code, out)
	}
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Errorf("the autostart entry is still there: %v", err)
	}
	wantCode(t, x.run(nil, "", "config", "clipboard-clear", "30s"), 0, "config clipboard-clear 30s")
	r := x.run(nil, "", "config", "clipboard-clear", "2h")
	wantCode(t, r, 2, "config clipboard-clear 2h")
	if !strings.Contains(r.stderr, "5s to 10m") {
		t.Errorf("an out-of-range value was refused with %q", r.stderr)
	}
	if r := x.run(nil, "", "config"); !strings.Contains(r.stdout, "clipboard-clear  30s") {
		t.Errorf("config lists:\n%s", r.stdout)
	}
}

// The language setting is listed, validated and shown, and the real
// binary speaks what it and the environment choose, per profile: the
// setting first, then FUTU_LANGUAGE, then the locale (LANG=C: English).
func TestConfigLanguageInTheRealBinary(t *testing.T) {
	x := newTT(t)
	if r := x.run(nil, "", "config"); !strings.Contains(r.stdout, "language ") || !strings.Contains(r.stdout, "auto, en, zh-CN or zh-HK") {
		t.Errorf("config lists no language setting:\n%s", r.stdout)
	}
	r := x.run(nil, "", "config", "language", "fr")
	wantCode(t, r, 2, "config language fr")
	if !strings.Contains(r.stderr, "auto, en, zh-CN or zh-HK") {
		t.Errorf("a language tokentray does not speak was refused with %q", r.stderr)
	}
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "lead-time is now 10m.\n"},
		{map[string]string{"LANG": "zh_CN.UTF-8"}, "lead-time 现已设为 10m。\n"},
		{map[string]string{"LANG": "", "FUTU_LANGUAGE": "zh-HK"}, "lead-time 現已設為 10m。\n"},
		{map[string]string{"LANG": "C", "FUTU_LANGUAGE": "zh-HK"}, "lead-time is now 10m.\n"},
	} {
		r := x.run(c.env, "", "config", "lead-time", "10m")
		wantCode(t, r, 0, "config lead-time 10m")
		if r.stdout != c.want {
			t.Errorf("with %v: %q, want %q", c.env, r.stdout, c.want)
		}
	}
	// The setting wins over the environment, is said in the language it
	// chooses, and is the sandbox profile's alone.
	r = x.run(nil, "", "config", "language", "ZH_hk")
	wantCode(t, r, 0, "config language ZH_hk")
	if r.stdout != "language 現已設為 zh-HK。\n" {
		t.Errorf("config language ZH_hk: %q", r.stdout)
	}
	if r := x.run(nil, "", "config", "language"); r.stdout != "zh-HK\n" {
		t.Errorf("config language: %q", r.stdout)
	}
	if r := x.run(map[string]string{"LANG": "zh_CN.UTF-8"}, "", "config", "lead-time", "5m"); r.stdout != "lead-time 現已設為 5m。\n" {
		t.Errorf("the setting zh-HK did not win over LANG=zh_CN: %q", r.stdout)
	}
	if out, code := x.runReal("config", "lead-time", "5m"); code != 0 || out != "lead-time is now 5m.\n" {
		t.Errorf("the sandbox profile's language reached the real profile: exit %d, %q", code, out)
	}
	if r := x.run(nil, "", "config", "language", "auto"); r.stdout != "language is now auto.\n" {
		t.Errorf("config language auto under LANG=C: %q", r.stdout)
	}
}
