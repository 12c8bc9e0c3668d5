package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/auth/futu"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/store"
	"tokentray/cli"
	"tokentray/internal/testutil"
)

// TestStatusStopsAtCtrlCWhileABrokerStalls: after a crash left a renewal
// unfinished, status asks the broker first; when that broker does not
// answer, Ctrl-C ends the command at once (exit 130, one sentence).
func TestStatusStopsAtCtrlCWhileABrokerStalls(t *testing.T) {
	needKeychain(t)
	sb := startSandbox(t)
	x := newTT(t)
	appKey, appSecret, access := sb.Futu.AddAPIKey(time.Now().Add(30 * 24 * time.Hour))
	x.secret(appKey, appSecret, access)
	env := map[string]string{"FUTU_APP_KEY": appKey, "FUTU_APP_SECRET": appSecret, "FUTU_ACCESS_TOKEN": access}
	wantCode(t, x.run(env, "", "add", "futu-key", "main", "--endpoint", sb.FutuURL), 0, "add futu-key")

	// A process died while renewing main: its mark is left, its lock free.
	st, err := store.Open(filepath.Join(x.dir, "sandbox"), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Get("main")
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := st.Lock(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkInFlight(c.ID, "refresh"); err != nil {
		t.Fatal(err)
	}
	unlock()

	// The broker takes an hour to answer; Times counts the requests.
	const budget = 1000
	sb.Futu.Faults().Set(futu.VerifyPath, fault.Rule{Latency: time.Hour, Times: budget})
	p := x.start(nil, "", "status")
	if !testutil.Poll(20*time.Second, 10*time.Millisecond, func() bool {
		return sb.Futu.Faults().Rules()[futu.VerifyPath].Times < budget
	}) {
		p.interrupt()
		t.Fatalf("status never asked the broker about the interrupted renewal; %+v", p.wait(t))
	}
	p.interrupt()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("status went on past Ctrl-C while the broker stalled")
	}
	r := p.res
	x.checkOutput([]string{"status"}, r)
	wantCode(t, r, cli.ExitInterrupted, "status stopped at Ctrl-C")
	if !strings.Contains(r.stderr, "cancelled") {
		t.Fatalf("status stopped at Ctrl-C said %q", r.stderr)
	}
}
