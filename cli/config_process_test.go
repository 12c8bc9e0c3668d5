package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// config autostart on/off writes and removes the desktop's autostart
// entry for this binary; config KEY VALUE survives to the next process.
func TestConfigInTheRealBinary(t *testing.T) {
	x := newTT(t)
	entry := filepath.Join(x.dir, ".config", "autostart", "tokentray.desktop")
	wantCode(t, x.run(nil, "", "config", "autostart", "on"), 0, "autostart on")
	b, err := os.ReadFile(entry)
	if err != nil || !strings.Contains(string(b), "Exec=") {
		t.Fatalf("autostart entry: %v\n%s", err, b)
	}
	if r := x.run(nil, "", "config", "autostart"); r.stdout != "on\n" {
		t.Errorf("config autostart: %q", r.stdout)
	}
	wantCode(t, x.run(nil, "", "config", "autostart", "off"), 0, "autostart off")
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
