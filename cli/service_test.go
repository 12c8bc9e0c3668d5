package cli_test

import (
	"context"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"tokentray/auth/keychain"
	"tokentray/cli"
	"tokentray/internal/testutil"
)

// fakeSystemd plays the user's systemd: present or not, and what
// systemctl answers.
type fakeSystemd struct {
	absent string
	mu     sync.Mutex
	calls  []string
}

func (f *fakeSystemd) Absent() string { return f.absent }
func (f *fakeSystemd) Systemctl(args ...string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, strings.Join(args, " "))
	if args[0] == "status" {
		return "● tokentray.service - tokentray: keeps Futu and Webull OpenAPI tokens alive\n     Active: active (running)\n", nil
	}
	return "", nil
}

type serviceRun struct {
	t              *testing.T
	home, exe, key string
	sd             *fakeSystemd
	stdout, stderr *testutil.LockedBuffer
}

func newServiceRun(t *testing.T) *serviceRun {
	home := t.TempDir()
	// A folder with a space and a % in its name: the unit must quote and
	// escape it for systemd.
	exeDir := filepath.Join(home, "my tools 100%")
	if err := os.MkdirAll(exeDir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(exeDir, "tokentray")
	if err := os.Symlink(bin, exe); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(home, ".local", "share", "tokentray", keychain.KeyName)
	if _, err := keychain.NewKey(key, t0); err != nil {
		t.Fatal(err)
	}
	return &serviceRun{t: t, home: home, exe: exe, key: key, sd: &fakeSystemd{}, stdout: &testutil.LockedBuffer{}, stderr: &testutil.LockedBuffer{}}
}

func (s *serviceRun) run(args ...string) int {
	s.stdout.Reset()
	s.stderr.Reset()
	env := map[string]string{"HOME": s.home, "USER": "trader"}
	return cli.Run(context.Background(), args, cli.Deps{
		Stdout: s.stdout, Stderr: s.stderr, Getenv: func(k string) string { return env[k] },
		Systemd: s.sd, Executable: func() (string, error) { return s.exe, nil },
		Open: func(bool) (cli.Parts, error) {
			return cli.Parts{Keychain: func() (cli.KeychainReport, bool) {
				return cli.KeychainReport{Kind: "file", ChosenBy: "the keychain setting", Key: keychain.Key{Path: s.key, From: keychain.KeyFromDefault}, Items: 0}, true
			}}, nil
		},
	})
}

func (s *serviceRun) unitPath() string {
	return filepath.Join(s.home, ".config", "systemd", "user", "tokentray.service")
}

// verify runs systemd-analyze verify on the unit, where it is installed.
func verifyUnit(t *testing.T, path string) {
	t.Helper()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed, so the unit's syntax is not verified here (it is part of the systemd package)")
	}
	cmd := exec.Command(analyze, "verify", "--user", path)
	// A short runtime folder: socket paths under it must fit.
	runtime, err := os.MkdirTemp("", "sd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(runtime) })
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(path)))), "XDG_RUNTIME_DIR=" + runtime}
	out, err := cmd.CombinedOutput()
	// Other units of the machine may have their own complaints: only
	// those about this unit count (a setting systemd ignores is one).
	var ours []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, filepath.Base(path)) || strings.Contains(l, "tokentray") {
			ours = append(ours, l)
		}
	}
	if err != nil && len(ours) == 0 {
		// The machine's own units or its missing user manager, not ours.
		t.Skipf("systemd-analyze cannot verify user units here (%v): %s", err, strings.Join(strings.Fields(string(out)), " "))
	}
	if err != nil || len(ours) != 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s\nunit:\n%s", err, out, readFile(t, path))
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServiceInstallWhereSystemdDoesNotRunPrintsTheUnit(t *testing.T) {
	s := newServiceRun(t)
	s.sd.absent = "systemd is not running on this machine"
	if code := s.run("service", "install"); code != cli.ExitError {
		t.Fatalf("exit %d, %s", code, s.stderr.String())
	}
	if !strings.Contains(s.stdout.String(), "[Service]") || !strings.Contains(s.stdout.String(), "agent --headless") {
		t.Errorf("the unit was not printed:\n%s", s.stdout.String())
	}
	msg := s.stderr.String()
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "systemd is not running on this machine, so no service was installed") || !strings.Contains(msg, s.unitPath()) {
		t.Errorf("stderr %q", msg)
	}
	if _, err := os.Stat(s.unitPath()); err == nil {
		t.Error("a unit was written where systemd does not run")
	}
	if code := s.run("service", "status"); code != cli.ExitError || !strings.Contains(s.stderr.String(), "systemd is not running") {
		t.Errorf("service status: exit %d, %q", code, s.stderr.String())
	}
}

func TestServiceInstallStatusUninstall(t *testing.T) {
	s := newServiceRun(t)
	if code := s.run("service", "install"); code != 0 {
		t.Fatalf("service install: exit %d, %s", code, s.stderr.String())
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Wrote " + s.unitPath(), "systemctl --user daemon-reload", "systemctl --user enable --now tokentray\n", "loginctl enable-linger " + me.Username + "\n", "journalctl --user -u tokentray"} {
		if !strings.Contains(s.stdout.String(), w) {
			t.Errorf("service install says no %q:\n%s", w, s.stdout.String())
		}
	}
	unit := readFile(t, s.unitPath())
	for _, w := range []string{
		`ExecStart="` + strings.ReplaceAll(s.exe, "%", "%%") + `" agent --headless` + "\n",
		"Restart=on-failure\n", "Environment=TOKENTRAY_KEYCHAIN=file\n",
		"LoadCredential=tokentray.key:" + s.key + "\n", "WantedBy=default.target\n",
	} {
		if !strings.Contains(unit, w) {
			t.Errorf("the unit lacks %q:\n%s", w, unit)
		}
	}
	t.Run("systemd-analyze", func(t *testing.T) { verifyUnit(t, s.unitPath()) })

	if code := s.run("service", "status"); code != 0 || !strings.Contains(s.stdout.String(), "Active: active (running)") || !strings.Contains(s.stdout.String(), "Unit: "+s.unitPath()) {
		t.Errorf("service status: exit %d\n%s%s", code, s.stdout.String(), s.stderr.String())
	}

	// The key bound to the machine with systemd-creds.
	cred := s.key + ".cred"
	if err := os.WriteFile(cred, []byte("not a real credential"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := s.run("service", "install", "--credential", cred); code != 0 || !strings.Contains(s.stdout.String(), "Replaced") {
		t.Fatalf("service install --credential: exit %d, %s%s", code, s.stdout.String(), s.stderr.String())
	}
	unit = readFile(t, s.unitPath())
	if !strings.Contains(unit, "LoadCredentialEncrypted=tokentray.key:"+cred+"\n") || strings.Contains(unit, "LoadCredential=") {
		t.Errorf("the unit with --credential:\n%s", unit)
	}
	t.Run("systemd-analyze with a credential", func(t *testing.T) { verifyUnit(t, s.unitPath()) })

	if code := s.run("service", "uninstall"); code != 0 || !strings.Contains(s.stdout.String(), "Stopped and disabled tokentray.service") {
		t.Fatalf("service uninstall: exit %d, %s%s", code, s.stdout.String(), s.stderr.String())
	}
	if _, err := os.Stat(s.unitPath()); err == nil {
		t.Error("uninstall left the unit")
	}
	if got := strings.Join(s.sd.calls, "; "); got != "status --no-pager --lines=5 tokentray.service; disable --now tokentray.service; daemon-reload" {
		t.Errorf("systemctl --user was asked: %s", got)
	}
	if code := s.run("service", "uninstall"); code != cli.ExitError || !strings.Contains(s.stderr.String(), "no tokentray service is installed") {
		t.Errorf("a second uninstall: exit %d, %q", code, s.stderr.String())
	}
}

func TestServiceInstallWithoutAKeyRefuses(t *testing.T) {
	s := newServiceRun(t)
	if err := os.Remove(s.key); err != nil {
		t.Fatal(err)
	}
	if code := s.run("service", "install"); code != cli.ExitError || !strings.Contains(s.stderr.String(), "does not exist") || !strings.Contains(s.stderr.String(), "Next: tokentray keychain init") {
		t.Fatalf("exit %d, %q", code, s.stderr.String())
	}
	if _, err := os.Stat(s.unitPath()); err == nil {
		t.Error("a unit was written for a key that does not exist")
	}
}
