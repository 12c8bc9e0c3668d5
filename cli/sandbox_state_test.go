package cli_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"tokentray/auth/sandbox"
)

// runningSandbox starts `tokentray sandbox args...` and waits until it
// serves; it returns the process and its Futu and Webull addresses.
func runningSandbox(t *testing.T, x *tt, args ...string) (p *proc, futuURL, webullURL string) {
	t.Helper()
	p = x.start(nil, "", append([]string{"sandbox"}, args...)...)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.stdout.String(), "Ctrl-C") {
		select {
		case <-p.done:
			t.Fatalf("sandbox %v ended early: %+v", args, p.res)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("sandbox %v did not start: %s %s", args, p.stdout.String(), p.stderr.String())
		}
	}
	out := p.stdout.String()
	f := regexp.MustCompile(`Futu sandbox: +(\S+)`).FindStringSubmatch(out)
	w := regexp.MustCompile(`Webull sandbox: +(\S+)`).FindStringSubmatch(out)
	if f == nil || w == nil {
		t.Fatalf("no addresses in:\n%s", out)
	}
	return p, f[1], w[1]
}

func stopSandbox(t *testing.T, p *proc) {
	t.Helper()
	p.interrupt()
	wantCode(t, p.wait(t), 0, "sandbox after Ctrl-C")
}

func TestSandboxCommandKeepsItsStateAcrossRestarts(t *testing.T) {
	needKeychain(t)
	x := newTT(t)
	p, futuURL, webullURL := runningSandbox(t, x, "--seed")
	wantCode(t, x.run(nil, "", "refresh", sandbox.DemoFutuKey), 0, "refresh of the demo key")
	stopSandbox(t, p)

	p, f2, w2 := runningSandbox(t, x)
	if f2 != futuURL || w2 != webullURL {
		t.Errorf("after a restart Futu %s, Webull %s; were %s, %s", f2, w2, futuURL, webullURL)
	}
	if out := p.stdout.String(); !strings.Contains(out, "kept their saved state") || !strings.Contains(out, "\nAdd your own from another terminal") {
		t.Errorf("the restart does not say the state was kept, then how to add your own:\n%s", out)
	}
	wantCode(t, x.run(nil, "", "refresh", sandbox.DemoFutuKey), 0, "refresh of the demo key after a restart")
	stopSandbox(t, p)

	p, _, _ = runningSandbox(t, x, "--fresh")
	if !strings.Contains(p.stdout.String(), "Demo credentials added") {
		t.Errorf("--fresh added no demo credentials:\n%s", p.stdout.String())
	}
	wantCode(t, x.run(nil, "", "refresh", sandbox.DemoFutuKey), 0, "refresh of the new demo key")
	stopSandbox(t, p)
}
