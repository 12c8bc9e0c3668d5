//go:build linux

package targets_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/targets"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

func execTarget(t testing.TB, cmd string) targets.Target {
	t.Helper()
	tg, err := targets.ParseExec(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestExecGetsTheFileOnStdinAndItsNamesInTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	out, env := filepath.Join(dir, "got"), filepath.Join(dir, "env")
	// Like a recipe: the command reads the file from its standard input.
	tg := execTarget(t, "cat > "+out+"; env > "+env)
	p := tokenPayload(fakeToken(t))
	t.Setenv(targets.EnvFile, "stale-from-the-parent")
	t.Setenv("TOKENTRAY_KEY_FILE", "/run/keys/tokentray.key")
	t.Setenv("CREDENTIALS_DIRECTORY", "/run/credentials/tokentray.service")
	if err := (targets.Runner{}).Push(ctx(t), tg, p); err != nil {
		t.Fatalf("push: %v", err)
	}
	if got, _ := os.ReadFile(out); string(got) != string(p.Content) {
		t.Fatalf("the command read %q, want %q", got, p.Content)
	}
	b, _ := os.ReadFile(env)
	vars := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			vars[k] = v
		}
	}
	if vars["TOKENTRAY_CREDENTIAL"] != "wb-main" || vars["TOKENTRAY_FILE"] != "token.txt" || vars["TOKENTRAY_EXPIRES_AT"] != "2026-01-01T00:00:00Z" {
		t.Fatalf("the command's environment: %q, %q, %q", vars["TOKENTRAY_CREDENTIAL"], vars["TOKENTRAY_FILE"], vars["TOKENTRAY_EXPIRES_AT"])
	}
	if auth.Exposes(string(b), p.Secrets...) {
		t.Fatal("the command's environment holds the token")
	}
	if _, ok := vars["TOKENTRAY_KEY_FILE"]; ok {
		t.Fatal("the command learns where the file keychain's key is")
	}
	if _, ok := vars["CREDENTIALS_DIRECTORY"]; ok {
		t.Fatal("the command learns where the systemd credentials are")
	}
}

func TestExecFailuresAreSentencesWithoutTheSecret(t *testing.T) {
	p := tokenPayload(fakeToken(t))
	for _, tc := range []struct{ cmd, code, status, line string }{
		{"echo 'permission denied: secret/webull' >&2; exit 3", "targets.command_status", "3", "permission denied: secret/webull"},
		{"exit 2", "targets.command_status", "2", "it printed no reason"},
		{"echo upload failed for $(head -1) >&2; exit 1", "targets.command_status", "1", "(" + auth.Withheld + ")"},
		{"no-such-program-here --x", "targets.sh_cannot_run", "127", ""},
	} {
		err := targets.Runner{}.Push(ctx(t), execTarget(t, tc.cmd), p)
		m := msg.Of(err)
		if !m.Is(tc.code) || m.Arg("Status") != tc.status || tc.line != "" && m.Arg("Line") != tc.line {
			t.Errorf("%q: push = %v, want %s with status %s and %q", tc.cmd, m, tc.code, tc.status, tc.line)
		}
		for _, l := range msg.Langs {
			if err != nil && auth.Exposes(l.Err(err), p.Secrets...) {
				t.Errorf("%q: the error in %s shows the token: %v", tc.cmd, l, l.Err(err))
			}
		}
	}
}

func TestCheckCommandRefusesAProgramThatDoesNotExist(t *testing.T) {
	c := ctx(t)
	for _, ok := range []string{"cat > /dev/null", "command -v cat", "$HOME/bin/push-token", "(cat)", "X=1 cat"} {
		if err := targets.CheckCommand(c, ok, nil); err != nil {
			t.Errorf("CheckCommand(%q) = %v", ok, err)
		}
	}
	err := targets.CheckCommand(c, "vaultt kv put secret/webull token=-", nil)
	if m := msg.Of(err); !m.Is("targets.no_program") || m.Arg("Program") != `"vaultt"` {
		t.Errorf("CheckCommand of a misspelt program = %v", err)
	}
}

func TestExecThatHangsIsStoppedWithWhatItStarted(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	r := targets.WithTimeout(targets.Runner{}, 300*time.Millisecond)
	err := r.Push(ctx(t), execTarget(t, "sleep 300 & echo $! > "+pidFile+"; wait"), tokenPayload(fakeToken(t)))
	if m := msg.Of(err); !m.Is("targets.too_slow") || m.Arg("Limit") != "300ms" || m.Arg("What") != "the command" {
		t.Fatalf("push = %v", err)
	}
	b, _ := os.ReadFile(pidFile)
	pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
	if perr != nil {
		t.Fatalf("no pid written: %q", b)
	}
	testutil.Eventually(t, "the stopped command's child to end", func() bool { return !alive(pid) })
}

func TestExecTargetHasNoFileToRemove(t *testing.T) {
	got, err := targets.Runner{}.Remove(ctx(t), execTarget(t, "cat"), tokenPayload(fakeToken(t)))
	if err != nil || got != targets.NotKnown {
		t.Fatalf("remove = %v, %v; want NotKnown", got, err)
	}
}
