//go:build unix

package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// commandBound is how long one command may take while others work on
// the same credentials: the engine's lock wait (45 s) and one broker
// call after it, rounded up. A process still running then has hung.
const commandBound = 80 * time.Second

// TestConcurrentCommands runs waves of tokentray processes at once —
// refresh and refresh --force of overlapping sets of credentials in
// different orders, token and status — while the agent runs, against the
// sandbox brokers whose Futu OAuth refresh tokens rotate on every
// refresh. Every process must end within commandBound with a truthful
// exit code, and afterwards the settings parse, every credential is
// listed, every keychain item has its credential, and every credential
// really renews (a refresh token rotated by one process and lost by
// another would fail here). `go test` runs 3 waves of 8; `make stress`
// runs TOKENTRAY_STRESS_WAVES (40) waves of 12.
func TestConcurrentCommands(t *testing.T) {
	waves := envInt(t, "TOKENTRAY_STRESS_WAVES", 3)
	width := envInt(t, "TOKENTRAY_STRESS_WIDTH", 8)
	h := newHarness(t, uint64(time.Now().UnixNano()))
	if r := h.run(nil, "add", "futu-oauth", "oauth", "--endpoint", h.sb.FutuURL); r.code != 0 {
		t.Fatalf("add oauth: %d %s%s", r.code, r.stdout, r.stderr)
	}
	h.login("oauth")
	names := []string{"oauth"}
	for i := range 4 {
		n := fmt.Sprintf("key%d", i)
		if r := h.addKey(n); r.code != 0 {
			t.Fatalf("add %s: %d %s%s", n, r.code, r.stdout, r.stderr)
		}
		names = append(names, n)
	}
	h.remember()

	agent := h.command(nil)
	var agentErr bytes.Buffer
	agent.Stderr = &agentErr
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	agentDone := make(chan struct{})
	go func() { _ = agent.Wait(); close(agentDone) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-agent.Process.Pid, syscall.SIGTERM)
		<-agentDone
	})

	type run struct {
		args []string
		r    result
		took time.Duration
	}
	longest := time.Duration(0)
	for wave := range waves {
		runs := make([]run, width)
		for i := range runs {
			set := append([]string(nil), names...)
			h.rng.Shuffle(len(set), func(a, b int) { set[a], set[b] = set[b], set[a] })
			set = set[:2+h.rng.IntN(len(set)-1)]
			switch i % 4 {
			case 0:
				runs[i].args = append([]string{"refresh"}, set...)
			case 1:
				runs[i].args = append([]string{"refresh", "--force"}, set...)
			case 2:
				runs[i].args = []string{"token", set[0]}
			case 3:
				runs[i].args = []string{"status", "--json"}
			}
		}
		var wg sync.WaitGroup
		for i := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runs[i].r, runs[i].took = h.runWithin(commandBound, runs[i].args...)
			}()
		}
		wg.Wait()
		for _, r := range runs {
			longest = max(longest, r.took)
			what := fmt.Sprintf("wave %d, tokentray %s", wave, strings.Join(r.args, " "))
			if r.r.code == -1 {
				t.Fatalf("%s still ran after %s (killed): it hung\n%s%s", what, commandBound, r.r.stdout, r.r.stderr)
			}
			switch r.args[0] {
			case "status":
				var st status
				if err := json.Unmarshal([]byte(r.r.stdout), &st); err != nil {
					t.Fatalf("%s: not JSON (exit %d): %v\n%s", what, r.r.code, err, r.r.stderr)
				}
			case "token":
				if r.r.code != 0 || strings.TrimSpace(r.r.stdout) == "" {
					t.Fatalf("%s: exit %d, %q\n%s", what, r.r.code, r.r.stdout, r.r.stderr)
				}
			default:
				if r.r.code != 0 {
					t.Fatalf("%s: exit %d\n%s%s", what, r.r.code, r.r.stdout, r.r.stderr)
				}
			}
		}
		// Nothing corrupted, no orphan, nothing shown OK that is not.
		if told := h.check(wave, "a wave of concurrent commands"); told > 0 {
			t.Fatalf("wave %d: the OAuth login was lost (status says log in again) although no process was killed", wave)
		}
	}
	t.Logf("%d waves of %d processes with the agent running; the longest took %s (bound %s)", waves, width, longest.Round(time.Millisecond), commandBound)
	select {
	case <-agentDone:
		t.Fatalf("the agent ended during the test: %s", agentErr.String())
	default:
	}
}

// runWithin runs a command to its end, killing it (code -1) after d.
func (h *harness) runWithin(d time.Duration, args ...string) (result, time.Duration) {
	cmd := h.command(nil, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return result{stderr: err.Error(), code: -2}, 0
	}
	var killed atomic.Bool
	timer := time.AfterFunc(d, func() {
		killed.Store(true)
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	})
	_ = cmd.Wait()
	timer.Stop()
	code := cmd.ProcessState.ExitCode()
	if killed.Load() {
		code = -1
	}
	return result{out.String(), errb.String(), code}, time.Since(start)
}
