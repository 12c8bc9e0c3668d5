//go:build linux

package targets_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/auth/targets"
	"tokentray/internal/testutil"
)

// envPushThenDie makes the test binary, run again, push to a command
// target in that folder and wait there until it is killed.
const envPushThenDie = "TOKENTRAY_TEST_PUSH_THEN_DIE"

// TestPushThenDie is the process that is killed mid-push; it runs only
// when TestCommandDiesWithTheAgent starts it.
func TestPushThenDie(t *testing.T) {
	dir := os.Getenv(envPushThenDie)
	if dir == "" {
		t.Skip("run by TestCommandDiesWithTheAgent")
	}
	// The command says its process ID, then waits for a go-ahead that
	// comes only after its agent was killed, then writes the file.
	cmd := `echo $$ > pid.tmp && mv pid.tmp pid; while [ ! -e go ]; do sleep 0.05; done; echo late > late`
	tg, err := targets.ParseExec("cd " + dir + " && { " + cmd + "; }")
	if err != nil {
		t.Fatal(err)
	}
	err = targets.Runner{}.Push(context.Background(), tg, tokenPayload(fakeToken(t)))
	t.Fatalf("the push returned before the process was killed: %v", err)
}

// A push's command dies with the agent that started it (kill -9 of the
// agent gives it no time to stop it), so it cannot write its file later.
func TestCommandDiesWithTheAgent(t *testing.T) {
	dir := t.TempDir()
	agent := exec.Command(os.Args[0], "-test.run=^TestPushThenDie$", "-test.count=1")
	agent.Env = append(os.Environ(), envPushThenDie+"="+dir)
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	waited := false
	t.Cleanup(func() {
		if !waited {
			agent.Process.Kill()
			agent.Wait()
		}
	})
	var pid int
	testutil.Eventually(t, "the command to start", func() bool {
		b, err := os.ReadFile(filepath.Join(dir, "pid"))
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	})
	// A command that outlives the test is stopped at its end, whatever
	// the test found.
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	if !alive(pid) {
		t.Fatalf("the command (process %d) is not running while its agent is", pid)
	}

	if err := agent.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	agent.Wait()
	waited = true
	testutil.EventuallyWithin(t, 10*time.Second, "the command to die with its agent", func() bool { return !alive(pid) })
	// The only process that would write the file is gone: the go-ahead
	// it waited for can no longer make it appear.
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "late")); err == nil {
		t.Fatal("the command wrote its file after its agent was killed")
	}
}
