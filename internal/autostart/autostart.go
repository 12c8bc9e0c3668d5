// Package autostart turns "start tokentray at login" on and off with an
// XDG autostart entry ($XDG_CONFIG_HOME/autostart/tokentray.desktop), the
// way Linux desktops start programs when a person logs in.
package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"tokentray/auth"
	"tokentray/internal/atomicfile"
)

// FileName is the entry's name in the autostart folder.
const FileName = "tokentray.desktop"

// Path is where the autostart entry lives.
func Path() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the folder of programs started at login: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", FileName), nil
}

// Enabled reports whether tokentray starts at login.
func Enabled() bool {
	p, err := Path()
	if err != nil {
		return false
	}
	b, err := auth.ReadRegular(p, 64<<10)
	if err != nil {
		return false
	}
	// A desktop may turn an entry off by marking it hidden.
	return !strings.Contains(string(b), "\nHidden=true")
}

// Enable writes the entry that starts exe with args at login.
func Enable(exe string, args ...string) error {
	p, err := Path()
	if err != nil {
		return err
	}
	if !filepath.IsAbs(exe) {
		return fmt.Errorf("start at login needs tokentray's full path, not %q", exe)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(p), err)
	}
	cmd := []string{quote(exe)}
	for _, a := range args {
		cmd = append(cmd, quote(a))
	}
	entry := strings.Join([]string{
		"[Desktop Entry]",
		"Type=Application",
		"Name=tokentray",
		"Comment=Keeps Futu and Webull OpenAPI credentials alive from the system tray",
		"Exec=" + strings.Join(cmd, " "),
		"Icon=io.github.tokentray",
		"Terminal=false",
		"X-GNOME-Autostart-enabled=true",
		"",
	}, "\n")
	if err := atomicfile.Write(p, []byte(entry), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// Disable removes the entry; it is not an error when there is none.
func Disable() error {
	p, err := Path()
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	return nil
}

// Set turns starting at login on (exe with args) or off.
func Set(on bool, exe string, args ...string) error {
	if on {
		return Enable(exe, args...)
	}
	return Disable()
}

// ErrSandbox refuses start at login from the sandbox profile: the entry
// is the desktop's one "tokentray" entry, and it starts the real agent.
var ErrSandbox = errors.New("start at login starts the agent of your real profile, not the sandbox's: turn it on from tokentray without --sandbox")

// Entry is the "Start at login" switch of one profile, the same for the
// tray's checkbox, the window's switch and `tokentray config autostart`.
type Entry struct {
	// Exe is the agent's binary, an absolute path.
	Exe string
	// Sandbox: the switch of the sandbox profile, which shows the real
	// entry's state but refuses to change it (ErrSandbox).
	Sandbox bool
}

// ForAgent is the switch for the agent binary named tokentray in dir
// (the folder of the running binary: the window lives beside the agent).
func ForAgent(dir string, sandbox bool) Entry {
	return Entry{Exe: filepath.Join(dir, "tokentray"), Sandbox: sandbox}
}

// Enabled reports whether the agent starts at login.
func (e Entry) Enabled() bool { return Enabled() }

// Set writes (on) or removes (off) the entry.
func (e Entry) Set(on bool) error {
	if e.Sandbox {
		return ErrSandbox
	}
	return Set(on, e.Exe)
}

// quote makes an Exec argument safe as the Desktop Entry Specification
// asks: double quotes around anything with a space or reserved character,
// and a line break, tab or carriage return written as the string escapes
// \n, \t and \r, so the value stays on its one line.
func quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\r\"'\\><~|&;$*?#()`=%") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\\\`, `"`, `\\"`, "`", "\\\\`", `$`, `\\$`, `%`, `%%`,
		"\n", `\n`, "\t", `\t`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}
