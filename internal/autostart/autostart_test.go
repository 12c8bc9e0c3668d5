package autostart

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnableWritesAndDisableRemovesTheEntry(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	want := filepath.Join(cfg, "autostart", "tokentray.desktop")
	if p, _ := Path(); p != want {
		t.Fatalf("Path = %q, want %q", p, want)
	}
	if Enabled() {
		t.Fatal("enabled before anything was written")
	}
	if err := Enable("/opt/token tray/tokentray", "--sandbox"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "Exec=\"/opt/token tray/tokentray\" --sandbox\n") || !strings.HasPrefix(string(b), "[Desktop Entry]\n") {
		t.Errorf("entry:\n%s", b)
	}
	if !Enabled() {
		t.Error("not enabled after Enable")
	}
	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(want); !os.IsNotExist(err) {
		t.Errorf("entry still there after Disable: %v", err)
	}
	if Enabled() {
		t.Error("enabled after Disable")
	}
	if err := Disable(); err != nil {
		t.Errorf("a second Disable: %v", err)
	}
}

func TestEnableRefusesARelativePath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if err := Enable("tokentray"); err == nil || !strings.Contains(err.Error(), "full path") {
		t.Errorf("Enable(relative) = %v", err)
	}
}

func TestAHiddenEntryIsOff(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	if err := Enable("/usr/bin/tokentray"); err != nil {
		t.Fatal(err)
	}
	p, _ := Path()
	b, _ := os.ReadFile(p)
	if err := os.WriteFile(p, append(b, []byte("Hidden=true\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if Enabled() {
		t.Error("a hidden entry reads as on")
	}
}

// The sandbox's switch shows the real entry but never replaces it: the
// desktop has one tokentray entry, and it starts the real agent.
func TestTheSandboxSwitchNeverWritesTheEntry(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	real, sandbox := ForAgent(dir, false), ForAgent(dir, true)
	if err := sandbox.Set(true); !errors.Is(err, ErrSandbox) || Enabled() {
		t.Fatalf("the sandbox switch: %v, enabled %v", err, Enabled())
	}
	if err := real.Set(true); err != nil || !sandbox.Enabled() {
		t.Fatalf("the real switch: %v; the sandbox's shows %v", err, sandbox.Enabled())
	}
	p, _ := Path()
	b, err := os.ReadFile(p)
	if err != nil || !strings.Contains(string(b), "Exec="+filepath.Join(dir, "tokentray")+"\n") || strings.Contains(string(b), "--sandbox") {
		t.Fatalf("entry %q, %v", b, err)
	}
	if err := sandbox.Set(false); !errors.Is(err, ErrSandbox) || !Enabled() {
		t.Fatalf("the sandbox switch turned the real entry off: %v", err)
	}
}

// A path with a line break, tab or carriage return stays one Exec value:
// the entry remains a key file of key=value lines, and no part of the
// path becomes a key of its own (Hidden=true would turn the entry off).
func TestExecOfAPathWithControlCharactersStaysOneLine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	exe := "/opt/odd\nHidden=true\r\tdir/tokentray"
	if err := Enable(exe); err != nil {
		t.Fatal(err)
	}
	p, _ := Path()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	execs := 0
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if strings.ContainsAny(line, "\r\t") {
			t.Errorf("raw control character in %q", line)
		}
		switch {
		case line == "[Desktop Entry]":
		case strings.HasPrefix(line, "Exec="):
			execs++
			if want := `Exec="/opt/odd\nHidden=true\r\tdir/tokentray"`; line != want {
				t.Errorf("%s, want %s", line, want)
			}
		case strings.HasPrefix(line, "Hidden="):
			t.Errorf("the path made a key of its own: %q", line)
		case !strings.Contains(line, "="):
			t.Errorf("not a key=value line: %q", line)
		}
	}
	if execs != 1 {
		t.Errorf("%d Exec lines in\n%s", execs, b)
	}
	if !Enabled() {
		t.Error("the entry reads as off")
	}
}
