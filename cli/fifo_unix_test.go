//go:build unix

package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A named pipe as settings.json stops status and token at once with the
// sentence that says what it is, instead of an open() that waits for a
// writer and that SIGTERM and Ctrl-C could not end.
func TestANamedPipeAsTheSettingsEndsCommandsAtOnce(t *testing.T) {
	x := newTT(t)
	dir := filepath.Join(x.dir, "sandbox")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "settings.json"), 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	for _, args := range [][]string{{"status"}, {"token", "futu-main"}, {"refresh"}} {
		r := x.run(nil, "", args...) // fails the test if it does not end
		if r.code == 0 || !strings.Contains(r.stderr, "settings.json is a named pipe, not a regular file") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// A named pipe as the other profile's settings does not hold up the
// sentence for a name that is not there (which looks for it in the other
// profile too).
func TestANamedPipeAsTheOtherProfilesSettingsHoldsNothingUp(t *testing.T) {
	x := newTT(t)
	if err := syscall.Mkfifo(filepath.Join(x.dir, "settings.json"), 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	r := x.run(nil, "", "token", "no-such-name") // the sandbox profile; fails the test if it does not end
	if r.code == 0 || !strings.Contains(r.stderr, "no-such-name") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// Settings other users can change are named in a warning on stderr; the
// command still runs.
func TestSettingsOthersCanChangeAreWarnedOf(t *testing.T) {
	ip := newInProcess(t, false)
	parts, _ := ip.deps.Open(false)
	path := filepath.Join(parts.Dir, "settings.json")
	if code := ip.run("status"); code != 0 || strings.Contains(ip.stderr.String(), "warning") {
		t.Fatalf("private settings: exit %d, stderr %q", code, ip.stderr.String())
	}
	if err := os.WriteFile(path, []byte(`{"version":1,"credentials":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	ip = &inProcess{deps: ip.deps, stdout: ip.stdout, stderr: ip.stderr}
	if code := ip.run("status"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	want := "tokentray: warning: the settings file " + path + " can be read or changed by other users (mode 0666); make it private to you (mode 0600)\n"
	if got := ip.stderr.String(); got != want {
		t.Errorf("stderr %q\nwant %q", got, want)
	}
}
