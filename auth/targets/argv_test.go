//go:build linux

package targets_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"tokentray/auth/targets"
	"tokentray/internal/testutil"
)

// TestNoProcessSeesTheTokenInItsArgumentsOrEnvironment pushes over ssh
// and to a command again and again while every process's command line
// and environment are read from /proc: none may hold the token.
func TestNoProcessSeesTheTokenInItsArgumentsOrEnvironment(t *testing.T) {
	s := testutil.StartSSHServer(t)
	r := targets.Runner{SSHCommand: s.SSHCommand}
	tok := fakeToken(t)
	p := tokenPayload(tok)
	needle := []byte(tok)
	sshTg := sshTarget(t, s.Target(t.TempDir()))
	execTg := execTarget(t, "cat > "+filepath.Join(t.TempDir(), "got"))

	var (
		stop              atomic.Bool
		sawSSH, sawRemote atomic.Bool
		mu                sync.Mutex
		leaks             []string
		wg                sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			pids, _ := filepath.Glob("/proc/[0-9]*")
			for _, d := range pids {
				for _, f := range []string{"cmdline", "environ"} {
					b, err := os.ReadFile(filepath.Join(d, f))
					if err != nil {
						continue
					}
					if f == "cmdline" {
						if bytes.Contains(b, []byte("BatchMode=yes")) {
							sawSSH.Store(true)
						}
						if bytes.Contains(b, []byte("tokentray-pushed")) {
							sawRemote.Store(true)
						}
					}
					if bytes.Contains(b, needle) {
						mu.Lock()
						leaks = append(leaks, d+"/"+f+": "+strings.ReplaceAll(string(b), "\x00", " "))
						mu.Unlock()
					}
				}
			}
		}
	}()
	for i := 0; i < 6; i++ {
		if err := r.Push(ctx(t), sshTg, p); err != nil {
			t.Errorf("ssh push: %v", err)
		}
		if err := r.Push(ctx(t), execTg, p); err != nil {
			t.Errorf("exec push: %v", err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if len(leaks) > 0 {
		t.Fatalf("the token was in a process's arguments or environment: %q", leaks)
	}
	// The watch really saw the pushes' processes: ssh here and the
	// remote shell that writes the file.
	if !sawSSH.Load() || !sawRemote.Load() {
		t.Fatalf("the watch never saw ssh (%v) or the remote shell (%v) run", sawSSH.Load(), sawRemote.Load())
	}
}
