//go:build linux

package targets_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tokentray/auth/targets"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// fakeToken is a made-up token, different in every test.
func fakeToken(t testing.TB) string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "FAKE-token-" + hex.EncodeToString(b[:])
}

func tokenPayload(tok string) targets.Payload {
	return targets.Payload{
		Credential: "wb-main", Name: "token.txt",
		Content:   []byte(tok + "\n1767225600000\nNORMAL\n"),
		ExpiresAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Secrets:   []string{tok},
	}
}

func sshTarget(t testing.TB, s string) targets.Target {
	t.Helper()
	tg, err := targets.ParseSSH(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func ctx(t testing.TB) context.Context { return testutil.Context(t, 2*time.Minute) }

func mode(t testing.TB, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestSSHPushWritesThenReplacesTheFileMode0600(t *testing.T) {
	s := testutil.StartSSHServer(t)
	r := targets.Runner{SSHCommand: s.SSHCommand}
	for _, form := range []string{"scp", "url"} {
		t.Run(form, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bot", "conf") // does not exist yet
			target := s.Target(dir)
			if form == "url" {
				target = s.URL(dir)
			}
			tg := sshTarget(t, target)
			first := tokenPayload(fakeToken(t))
			if err := r.Push(ctx(t), tg, first); err != nil {
				t.Fatalf("push: %v", err)
			}
			file := filepath.Join(dir, "token.txt")
			if got, _ := os.ReadFile(file); string(got) != string(first.Content) {
				t.Fatalf("token.txt holds %q, want %q", got, first.Content)
			}
			if m := mode(t, file); m != 0o600 {
				t.Errorf("token.txt has mode %04o, want 0600", m)
			}
			if m := mode(t, dir); m != 0o700 {
				t.Errorf("the folder made for it has mode %04o, want 0700", m)
			}

			second := tokenPayload(fakeToken(t))
			if err := r.Push(ctx(t), tg, second); err != nil {
				t.Fatalf("second push: %v", err)
			}
			if got, _ := os.ReadFile(file); string(got) != string(second.Content) {
				t.Fatalf("token.txt holds %q after the second push, want %q", got, second.Content)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("the folder holds %v, want token.txt alone (no temporary file left)", entries)
			}
		})
	}
}

func TestSSHPushQuotesAFolderWithSpacesAndQuotes(t *testing.T) {
	s := testutil.StartSSHServer(t)
	r := targets.Runner{SSHCommand: s.SSHCommand}
	dir := filepath.Join(t.TempDir(), `my bots' "conf" $(touch pwned)`)
	p := tokenPayload(fakeToken(t))
	if err := r.Push(ctx(t), sshTarget(t, s.Target(dir)), p); err != nil {
		t.Fatalf("push: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "token.txt")); string(got) != string(p.Content) {
		t.Fatalf("token.txt holds %q", got)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("HOME"), "pwned")); err == nil {
		t.Fatal("a command in the folder's name ran")
	}
}

func TestSSHRefusesAFolderOthersCanWrite(t *testing.T) {
	s := testutil.StartSSHServer(t)
	r := targets.Runner{SSHCommand: s.SSHCommand}
	for _, m := range []os.FileMode{0o777, 0o770, 0o1777} {
		dir := t.TempDir()
		if err := os.Chmod(dir, m); err != nil {
			t.Fatal(err)
		}
		err := r.Push(ctx(t), sshTarget(t, s.Target(dir)), tokenPayload(fakeToken(t)))
		if said := msg.Of(err); !said.Is("targets.others_write") || said.Arg("Dir") != dir {
			t.Errorf("mode %04o: push = %v, want a refusal", m, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("mode %04o: the folder holds %v after a refusal", m, entries)
		}
	}
}

func TestSSHRefusesAFolderOfAnotherUserOrAFile(t *testing.T) {
	s := testutil.StartSSHServer(t)
	r := targets.Runner{SSHCommand: s.SSHCommand}
	file := filepath.Join(t.TempDir(), "conf")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := r.Push(ctx(t), sshTarget(t, s.Target(file)), tokenPayload(fakeToken(t)))
	if m := msg.Of(err); !m.Is("targets.not_folder") || m.Arg("Dir") != file || m.Arg("Host") != "127.0.0.1" {
		t.Errorf("push to a file = %v", err)
	}
	if os.Geteuid() != 0 {
		return // only root can give a folder away
	}
	dir := t.TempDir()
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	err = r.Push(ctx(t), sshTarget(t, s.Target(dir)), tokenPayload(fakeToken(t)))
	if !msg.Of(err).Is("targets.other_owner") {
		t.Errorf("push to another user's folder = %v", err)
	}
}

func TestSSHRemoveDeletesOnlyTokentraysFile(t *testing.T) {
	s := testutil.StartSSHServer(t)
	r := targets.Runner{SSHCommand: s.SSHCommand}
	dir := t.TempDir()
	tg := sshTarget(t, s.Target(dir))
	file := filepath.Join(dir, "token.txt")
	p := tokenPayload(fakeToken(t))

	if got, err := r.Remove(ctx(t), tg, p); err != nil || got != targets.Absent {
		t.Fatalf("remove with no file = %v, %v; want Absent", got, err)
	}
	if err := r.Push(ctx(t), tg, p); err != nil {
		t.Fatal(err)
	}
	// A bot's SDK wrote a token of its own: it is not tokentray's to delete.
	bots := []byte("bots-own-token\n0\nNORMAL\n")
	if err := os.WriteFile(file, bots, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Remove(ctx(t), tg, p); err != nil || got != targets.Kept {
		t.Fatalf("remove of a file a bot rewrote = %v, %v; want Kept", got, err)
	}
	if got, _ := os.ReadFile(file); string(got) != string(bots) {
		t.Fatalf("the bot's file now holds %q", got)
	}

	if err := r.Push(ctx(t), tg, p); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Remove(ctx(t), tg, p); err != nil || got != targets.Removed {
		t.Fatalf("remove of tokentray's file = %v, %v; want Removed", got, err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("token.txt is still there: %v", err)
	}
}

// config writes an ssh client config beside the server's, with lines of
// its own in place of the server's.
func config(t *testing.T, s *testutil.SSHServer, replace map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(s.Config)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		k, _, _ := strings.Cut(strings.TrimSpace(l), " ")
		if v, ok := replace[k]; ok {
			lines[i] = "  " + k + " " + v
		}
	}
	p := filepath.Join(t.TempDir(), "ssh_config")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSSHNeverAcceptsAnUnknownHostKey(t *testing.T) {
	s := testutil.StartSSHServer(t)
	empty := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// The person's config leaves the host-key policy at ssh's default (ask).
	cfg := config(t, s, map[string]string{"UserKnownHostsFile": empty, "StrictHostKeyChecking": "ask"})
	r := targets.Runner{SSHCommand: "ssh -F " + cfg}
	dir := t.TempDir()
	err := r.Push(ctx(t), sshTarget(t, s.Target(dir)), tokenPayload(fakeToken(t)))
	if !msg.Of(err).Is("targets.host_key") {
		t.Fatalf("push to an unknown host = %v", err)
	}
	if b, _ := os.ReadFile(empty); len(b) != 0 {
		t.Fatalf("known_hosts gained %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the file was written to a host whose key is unknown: %v", entries)
	}
}

func TestSSHFailuresSayWhatToDo(t *testing.T) {
	s := testutil.StartSSHServer(t)
	dir := t.TempDir()
	tg := sshTarget(t, s.Target(dir))
	stranger := filepath.Join(t.TempDir(), "key")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	badOption := filepath.Join(t.TempDir(), "bad_config")
	if err := os.WriteFile(badOption, []byte("NoSuchOption yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, cmd, want string
	}{
		{"a key the host does not accept", "ssh -F " + config(t, s, map[string]string{"IdentityFile": stranger}), "refused the SSH login: tokentray signs in only with a key"},
		{"a config that is not there", "ssh -F " + filepath.Join(dir, "nothing"), "ssh could not use its configuration: Can't open user config file"},
		{"a config ssh cannot read", "ssh -F " + badOption, "ssh could not use its configuration: " + badOption + ": line 1: Bad configuration option: nosuchoption"},
		{"a program that does not exist", "no-such-ssh -F x", "TOKENTRAY_SSH_COMMAND: there is no program \"no-such-ssh\" on PATH"},
	} {
		err := targets.Runner{SSHCommand: tc.cmd}.Push(ctx(t), tg, tokenPayload(fakeToken(t)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: push = %v, want %q", tc.name, err, tc.want)
		}
	}

	t.Setenv("PATH", t.TempDir())
	err := targets.Runner{}.Push(ctx(t), tg, tokenPayload(fakeToken(t)))
	if !msg.Of(err).Is("targets.no_ssh") {
		t.Errorf("push without ssh = %v", err)
	}
}

func TestSSHStoppedServerFailsThenRecovers(t *testing.T) {
	s := testutil.StartSSHServer(t)
	r := targets.Runner{SSHCommand: s.SSHCommand}
	dir := t.TempDir()
	tg := sshTarget(t, s.Target(dir))
	s.Stop()
	err := r.Push(ctx(t), tg, tokenPayload(fakeToken(t)))
	if m := msg.Of(err); !m.Is("targets.ssh_refused") || m.Arg("Host") != "127.0.0.1" {
		t.Fatalf("push to a stopped server = %v", err)
	}
	s.Start()
	p := tokenPayload(fakeToken(t))
	if err := r.Push(ctx(t), tg, p); err != nil {
		t.Fatalf("push after the server came back: %v", err)
	}
}

func TestSSHCommandGetsEachArgumentAsOneWord(t *testing.T) {
	s := testutil.StartSSHServer(t)
	log := filepath.Join(t.TempDir(), "args")
	wrapper := filepath.Join(t.TempDir(), "ssh-wrapper")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n--\\n' \"$a\" >> " + log + "; done\nexec ssh \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	r := targets.Runner{SSHCommand: wrapper + " -F " + s.Config}
	dir := filepath.Join(t.TempDir(), "a b")
	if err := r.Push(ctx(t), sshTarget(t, s.Target(dir)), tokenPayload(fakeToken(t))); err != nil {
		t.Fatalf("push: %v", err)
	}
	b, _ := os.ReadFile(log)
	args := strings.Split(strings.TrimSuffix(string(b), "\n--\n"), "\n--\n")
	if len(args) < 5 || args[0] != "-F" || args[1] != s.Config {
		t.Fatalf("ssh got %q", args)
	}
	if !containsRun(args, "-o", "BatchMode=yes") || !containsRun(args, "--", "127.0.0.1") {
		t.Fatalf("ssh got %q, want BatchMode=yes and the host after --", args)
	}
	for _, a := range args {
		if strings.Contains(strings.ToLower(a), "stricthostkeychecking") {
			t.Fatalf("tokentray set a host-key policy of its own: %q", a)
		}
	}
	if last := args[len(args)-1]; !strings.HasPrefix(last, "sh -c ") || !strings.Contains(last, "'"+dir+"'") {
		t.Fatalf("the remote command is %q, want one word quoting %q", last, dir)
	}
}

func containsRun(args []string, a, b string) bool {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == a && args[i+1] == b {
			return true
		}
	}
	return false
}

func TestSSHPushThatHangsIsStoppedWithWhatItStarted(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	// An ssh that never answers, and starts a child of its own.
	r := targets.WithTimeout(targets.Runner{SSHCommand: "sh -c 'sleep 300 & echo $! > " + pidFile + "; wait' #"}, 300*time.Millisecond)
	tg := sshTarget(t, "vps:conf")
	err := r.Push(ctx(t), tg, tokenPayload(fakeToken(t)))
	if err == nil || !strings.Contains(err.Error(), "vps did not finish within 300ms, so tokentray stopped it") {
		t.Fatalf("push = %v", err)
	}
	b, _ := os.ReadFile(pidFile)
	pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
	if perr != nil {
		t.Fatalf("no pid written: %q", b)
	}
	testutil.Eventually(t, "the stopped push's child to end", func() bool { return !alive(pid) })
}

// alive reports whether pid runs and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}
