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
