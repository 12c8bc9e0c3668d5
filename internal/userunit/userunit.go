// Package userunit writes tokentray's systemd user unit and asks the
// user's systemd about it, so the agent runs headless around the clock
// on a server: started at boot (with lingering), restarted on failure,
// its key handed over as a systemd credential.
package userunit

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"tokentray/auth/keychain"
)

// CredentialName is the name of the key's systemd credential: the name
// the file keychain reads from $CREDENTIALS_DIRECTORY.
const CredentialName = keychain.KeyName

// Spec is what the unit runs.
type Spec struct {
	// Exe is the absolute path of the tokentray binary.
	Exe string
	// Sandbox runs the sandbox profile's agent.
	Sandbox bool
	// Env are variables the agent needs (TOKENTRAY_KEYCHAIN=file,
	// TOKENTRAY_CONFIG_DIR when set), as KEY=VALUE.
	Env []string
	// Key is the key file handed over with LoadCredential=; Credential
	// an encrypted one (systemd-creds) handed over with
	// LoadCredentialEncrypted=. At most one is set.
	Key, Credential string
}

// Name is the unit's name: tokentray.service, or
// tokentray-sandbox.service for the sandbox profile.
func (s Spec) Name() string {
	if s.Sandbox {
		return "tokentray-sandbox.service"
	}
	return "tokentray.service"
}

// Unit is the text of the unit file.
func (s Spec) Unit() string {
	var b strings.Builder
	desc := "tokentray: keeps Futu and Webull OpenAPI tokens alive"
	args := []string{quote(s.Exe)}
	if s.Sandbox {
		desc += " (sandbox profile)"
		args = append(args, "--sandbox")
	}
	args = append(args, "agent", "--headless")
	fmt.Fprintf(&b, "[Unit]\nDescription=%s\n\n", desc)
	b.WriteString("[Service]\nType=simple\n")
	fmt.Fprintf(&b, "ExecStart=%s\n", strings.Join(args, " "))
	b.WriteString("Restart=on-failure\nRestartSec=30\n")
	for _, kv := range s.Env {
		fmt.Fprintf(&b, "Environment=%s\n", quote(kv))
	}
	switch {
	case s.Credential != "":
		fmt.Fprintf(&b, "LoadCredentialEncrypted=%s:%s\n", CredentialName, escape(s.Credential))
	case s.Key != "":
		fmt.Fprintf(&b, "LoadCredential=%s:%s\n", CredentialName, escape(s.Key))
	}
	b.WriteString("NoNewPrivileges=yes\n\n[Install]\nWantedBy=default.target\n")
	return b.String()
}

// escape keeps systemd from reading % as a specifier.
func escape(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// quote is s as one word of a unit setting: in double quotes, with
// backslashes and quotes escaped, when it holds a space or either.
func quote(s string) string {
	s = escape(s)
	if !strings.ContainsAny(s, " \t\"\\'") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Dir is the folder of the user's units: $XDG_CONFIG_HOME/systemd/user,
// else ~/.config/systemd/user.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "systemd", "user"), nil
	}
	home := getenv("HOME")
	if !filepath.IsAbs(home) {
		return "", errors.New("cannot find your home folder for the systemd user unit (HOME is not set)")
	}
	return filepath.Join(home, ".config", "systemd", "user"), nil
}

// Systemd is the user's service manager.
type Systemd interface {
	// Absent says, as a sentence, why no systemd runs here; "" when it does.
	Absent() string
	// Systemctl runs systemctl --user with args and returns what it printed.
	Systemctl(args ...string) (string, error)
}

// Host is the systemd of this machine.
type Host struct{}

// Absent: systemd runs when /run/systemd/system exists (sd_booted) and
// systemctl is installed.
func (Host) Absent() string {
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return "systemd is not running on this machine"
	}
	if _, err := exec.LookPath("systemctl"); err != nil {
		return "systemctl is not installed on this machine"
	}
	return ""
}

// Systemctl runs systemctl --user.
func (Host) Systemctl(args ...string) (string, error) {
	out, err := exec.Command("systemctl", append([]string{"--user"}, args...)...).CombinedOutput()
	return string(out), err
}
