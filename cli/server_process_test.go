package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"tokentray/auth/keychain"
)

// server runs tokentray as it runs on a server: the environment cleared
// to PATH, HOME and TMPDIR (no session bus, no display, no runtime dir).
type server struct {
	t    *testing.T
	home string
}

func newServer(t *testing.T) *server { return &server{t: t, home: t.TempDir()} }

func (s *server) env(extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + s.home, "TMPDIR=" + os.TempDir()}
	return append(env, extra...)
}

func (s *server) run(extra []string, args ...string) result {
	s.t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = s.env(extra...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatal(err)
	}
	return r
}

func (s *server) key() string {
	return filepath.Join(s.home, ".local", "share", "tokentray", "tokentray.key")
}

// oneSentence checks that stderr is one line starting "tokentray: " and
// holding every want.
func oneSentence(t *testing.T, r result, what string, want ...string) {
	t.Helper()
	if strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") != 0 || !strings.HasPrefix(r.stderr, "tokentray: ") {
		t.Errorf("%s: stderr is not one sentence:\n%s", what, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("%s: %q lacks %q", what, r.stderr, w)
		}
	}
}

func TestKeychainInitStatusAndConfigWithoutADesktop(t *testing.T) {
	s := newServer(t)
	r := s.run(nil, "keychain", "status")
	wantCode(t, r, 1, "keychain status without a Secret Service")
	if !strings.Contains(r.stdout, "the system keychain (the default)") || !strings.Contains(r.stdout, "cannot be read") {
		t.Errorf("keychain status:\n%s", r.stdout)
	}
	oneSentence(t, r, "keychain status", "no Secret Service is running", "On a server without a desktop", "tokentray keychain init, then tokentray config keychain file")

	r = s.run(nil, "keychain", "init")
	wantCode(t, r, 0, "keychain init")
	for _, w := range []string{s.key(), "mode 0600", "safe and offline", "tokentray config keychain file", "tokentray service install", "systemd-creds --user encrypt --name=tokentray.key"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("keychain init says no %q:\n%s", w, r.stdout)
		}
	}
	fi, err := os.Stat(s.key())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the key: %v, %v; want mode 0600", fi, err)
	}
	first, _ := os.ReadFile(s.key())
	r = s.run(nil, "keychain", "init")
	wantCode(t, r, 1, "a second keychain init")
	oneSentence(t, r, "a second keychain init", "already exists", "never replaces a key")
	if again, _ := os.ReadFile(s.key()); string(again) != string(first) {
		t.Fatal("a second keychain init replaced the key")
	}

	r = s.run(nil, "config", "keychain", "file")
	wantCode(t, r, 0, "config keychain file")
	r = s.run(nil, "keychain", "status")
	wantCode(t, r, 0, "keychain status")
	for _, w := range []string{"the file keychain (chosen by the keychain setting)", filepath.Join(s.home, ".config", "tokentray", "keychain.age"), s.key() + " (the default place)", "can be read (0 items)"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("keychain status says no %q:\n%s", w, r.stdout)
		}
	}

	// Every bad key is one sentence with what to do, and changes nothing.
	if err := os.Chmod(s.key(), 0o640); err != nil {
		t.Fatal(err)
	}
	r = s.run(nil, "keychain", "status")
	wantCode(t, r, 1, "keychain status with a key others can read")
	oneSentence(t, r, "a key others can read", "can be read or changed by other users (mode 0640)", "Next: chmod 600 '"+s.key()+"'")
	_ = os.Chmod(s.key(), 0o600)
	r = s.run([]string{"TOKENTRAY_KEY_FILE=" + filepath.Join(s.home, "nowhere.key")}, "keychain", "status")
	wantCode(t, r, 1, "keychain status with a missing key")
	oneSentence(t, r, "a missing key", "does not exist", "named by TOKENTRAY_KEY_FILE", "Next: tokentray keychain init")
	r = s.run([]string{"TOKENTRAY_KEYCHAIN=plaintext"}, "status")
	wantCode(t, r, 1, "an unknown TOKENTRAY_KEYCHAIN")
	oneSentence(t, r, "an unknown TOKENTRAY_KEYCHAIN", `TOKENTRAY_KEYCHAIN is "plaintext"`, "os", "file")
	// A damaged file: said, kept, and moved aside only when asked.
	kc := filepath.Join(s.home, ".config", "tokentray", "keychain.age")
	if err := os.WriteFile(kc, []byte("age-encryption.org/v1\nnot really\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = s.run(nil, "keychain", "status")
	wantCode(t, r, 1, "keychain status of a damaged file")
	oneSentence(t, r, "a damaged file", kc+" is damaged", "changed nothing", "Next: tokentray keychain move-aside")
	r = s.run(nil, "keychain", "move-aside")
	wantCode(t, r, 0, "keychain move-aside")
	moved, _ := filepath.Glob(kc + ".damaged-*")
	if len(moved) != 1 || !strings.Contains(r.stdout, moved[0]) {
		t.Fatalf("move-aside said %q; moved files %v", r.stdout, moved)
	}
	if b, _ := os.ReadFile(moved[0]); string(b) != "age-encryption.org/v1\nnot really\n" {
		t.Error("the damaged file was not kept whole")
	}
	wantCode(t, s.run(nil, "keychain", "status"), 0, "keychain status after move-aside")
	r = s.run(nil, "keychain", "move-aside")
	wantCode(t, r, 1, "move-aside with nothing to move")
	r = s.run([]string{"TOKENTRAY_KEYCHAIN=os"}, "keychain", "status")
	if !strings.Contains(r.stdout, "the system keychain (chosen by TOKENTRAY_KEYCHAIN)") {
		t.Errorf("TOKENTRAY_KEYCHAIN=os is not followed:\n%s", r.stdout)
	}
}

func TestKeychainInitRefusesAFolderOthersCanRead(t *testing.T) {
	s := newServer(t)
	dir := filepath.Dir(s.key())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := s.run(nil, "keychain", "init")
	wantCode(t, r, 1, "keychain init into a folder others can read")
	oneSentence(t, r, "keychain init into a folder others can read", dir, "other users", "chmod 700")
	if _, err := os.Stat(s.key()); err == nil {
		t.Fatal("a key was written into a folder others can read")
	}
}

// A key lost while its file keychain holds secrets is not a key to make
// anew: a new key cannot open that file, so the sentence says to put the
// copy back and does not send the person to keychain init.
func TestMissingKeyOfAFileKeychainThatHoldsSecrets(t *testing.T) {
	s := newServer(t)
	wantCode(t, s.run(nil, "keychain", "init"), 0, "keychain init")
	wantCode(t, s.run(nil, "config", "keychain", "file"), 0, "config keychain file")
	kc := filepath.Join(s.home, ".config", "tokentray", "keychain.age")
	f := keychain.NewFile(kc, "tokentray", keychain.Key{Path: s.key(), From: keychain.KeyFromDefault})
	if err := f.Set("cred-1", "app_secret", "fake-secret-for-test"); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(kc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(s.key(), s.key()+".offline"); err != nil {
		t.Fatal(err)
	}
	r := s.run(nil, "keychain", "status")
	wantCode(t, r, 1, "keychain status with the key gone")
	oneSentence(t, r, "a lost key", s.key()+" does not exist", kc, "a new key cannot open it", "put your copy of the key back")
	if strings.Contains(r.stderr, "keychain init") {
		t.Errorf("a lost key sends the person to make a new one, which cannot open %s: %q", kc, r.stderr)
	}
	// service install would hand the service a key that is not there.
	r = s.run(nil, "service", "install")
	wantCode(t, r, 1, "service install with the key gone")
	oneSentence(t, r, "service install with a lost key", s.key()+" does not exist", "put your copy of the key back")
	if strings.Contains(r.stderr, "keychain init") {
		t.Errorf("service install with a lost key sends the person to make a new one: %q", r.stderr)
	}
	if after, _ := os.ReadFile(kc); string(after) != string(before) {
		t.Error("the file keychain changed")
	}
}

// status reads the settings, not the secrets; with the file keychain it
// still opens the key and the file, so a key gone or wrong is said under
// the table (and in --json) with exit code 3, not hidden behind rows
// that look fine.
func TestStatusSaysTheFileKeychainCannotBeRead(t *testing.T) {
	s := newServer(t)
	wantCode(t, s.run(nil, "keychain", "init"), 0, "keychain init")
	wantCode(t, s.run(nil, "config", "keychain", "file"), 0, "config keychain file")
	add := exec.Command(bin, "add", "futu-key", "key", "--no-check")
	add.Env = s.env()
	add.Stdin = strings.NewReader("fake-app-key\nfake-app-secret-for-test\nfake-access-for-test\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("add futu-key: %v\n%s", err, out)
	}
	kc := filepath.Join(s.home, ".config", "tokentray", "keychain.age")
	r := s.run(nil, "status")
	wantCode(t, r, 1, "status of a credential never checked, the keychain readable")
	if strings.Contains(r.stdout, "cannot be read") {
		t.Errorf("status says a readable keychain cannot be read:\n%s", r.stdout)
	}
	var j struct {
		Credentials   []struct{ Name string } `json:"credentials"`
		KeychainError *string                 `json:"keychain_error"`
	}
	r = s.run(nil, "status", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil || j.KeychainError != nil || strings.Contains(r.stdout, "keychain_error") {
		t.Errorf("status --json of a readable keychain (%v): %s", err, r.stdout)
	}

	// The key moved away.
	if err := os.Rename(s.key(), s.key()+".offline"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"status"}, {"status", "--wide"}, {"status", "key"}} {
		r := s.run(nil, args...)
		wantCode(t, r, 3, strings.Join(args, " ")+" with the key gone")
		for _, w := range []string{"The secrets cannot be read", s.key() + " does not exist", "put your copy of the key back"} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s with the key gone says no %q:\n%s", strings.Join(args, " "), w, r.stdout)
			}
		}
		oneSentence(t, r, strings.Join(args, " ")+" with the key gone", "you must act on", "file keychain")
	}
	r = s.run(nil, "status", "--json")
	wantCode(t, r, 3, "status --json with the key gone")
	if err := json.Unmarshal([]byte(r.stdout), &j); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	if len(j.Credentials) != 1 || j.KeychainError == nil || !strings.Contains(*j.KeychainError, "put your copy of the key back") {
		t.Errorf("status --json with the key gone: %s", r.stdout)
	}

	// Another key in its place: it does not open the file.
	wantCode(t, s.run(nil, "keychain", "init"), 0, "keychain init of another key")
	r = s.run(nil, "status")
	wantCode(t, r, 3, "status with the wrong key")
	for _, w := range []string{"The secrets cannot be read", "does not open the file keychain " + kc, "TOKENTRAY_KEY_FILE"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("status with the wrong key says no %q:\n%s", w, r.stdout)
		}
	}

	// A key others can read: the fix is the command keychain status names.
	if err := os.Rename(s.key()+".offline", s.key()); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.key(), 0o644); err != nil {
		t.Fatal(err)
	}
	r = s.run(nil, "status")
	wantCode(t, r, 3, "status with an exposed key")
	if !strings.Contains(r.stdout, "Next: chmod 600 '"+s.key()+"'") {
		t.Errorf("status with an exposed key:\n%s", r.stdout)
	}
	ks := s.run(nil, "keychain", "status")
	if line := strings.TrimPrefix(strings.TrimSpace(ks.stderr), "tokentray: "); line == "" || !strings.Contains(r.stdout, line) {
		t.Errorf("status does not give keychain status's sentence %q:\n%s", line, r.stdout)
	}

	// With the key back as it was, status is as before.
	if err := os.Chmod(s.key(), 0o600); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.run(nil, "status"), 1, "status with the key back")
}
