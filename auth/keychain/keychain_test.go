package keychain_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/keychain"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// These tests talk to the real Secret Service of the session bus; `make
// test` runs them inside dbus-run-session with an unlocked gnome-keyring.
const testService = "tokentray-test"

func needBus(t *testing.T) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("DBUS_SESSION_BUS_ADDRESS is unset: run under dbus-run-session with an unlocked gnome-keyring (make test does)")
	}
}

// childResult is what a child process reports about one call.
type childResult struct {
	Op          string
	Err         string
	Unavailable bool
	// Kind is what KindOf says; Said is the error's message, rendered
	// here in every language.
	Kind keychain.Kind
	Said msg.Message
}

const childEnv = "TOKENTRAY_KEYCHAIN_CHILD"
const childSecret = "test-app-secret-child-0003"

// TestChildProcess is not a test: it is the body of the child processes
// that need a different session bus than this process already uses.
func TestChildProcess(t *testing.T) {
	mode := os.Getenv(childEnv)
	if mode == "" {
		t.Skip("runs only as a child of the tests below")
	}
	k := keychain.New(testService, 10*time.Second)
	var clock *clockwork.FakeClock
	if mode == "hung" {
		clock = clockwork.NewFakeClock()
		k = keychain.New(testService, 5*time.Second, keychain.WithClock(clock))
	}
	calls := []struct {
		op string
		f  func() error
	}{
		{"set", func() error { return k.Set("child-1", auth.FieldAppSecret, childSecret) }},
		{"get", func() error { _, err := k.Get("child-1", auth.FieldAppSecret); return err }},
		{"delete", func() error { return k.Delete("child-1", auth.FieldAppSecret) }},
		{"check", k.Check},
	}
	if mode == "hung" {
		calls = calls[:2]
	}
	var out []childResult
	for _, c := range calls {
		done := make(chan error, 1)
		go func() { done <- c.f() }()
		if clock != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := clock.BlockUntilContext(ctx, 1); err != nil {
				t.Fatal(err)
			}
			cancel()
			clock.Advance(5 * time.Second)
		}
		var err error
		select {
		case err = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s never returned", c.op)
		}
		r := childResult{Op: c.op, Unavailable: errors.Is(err, keychain.ErrUnavailable), Kind: keychain.KindOf(err), Said: msg.Of(err)}
		if err != nil {
			r.Err = err.Error()
		}
		out = append(out, r)
	}
	b, _ := json.Marshal(out)
	fmt.Println("RESULT " + string(b))
}

// runChild runs TestChildProcess with the given mode and bus address.
func runChild(t *testing.T, mode, busAddr string) []childResult {
	t.Helper()
	return runChildEnv(t, mode, busAddr)
}

func runChildEnv(t *testing.T, mode, busAddr string, extra ...string) []childResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), childEnv+"="+mode, "DBUS_SESSION_BUS_ADDRESS="+busAddr), extra...)
	outb, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child failed: %v\n%s", err, outb)
	}
	for _, line := range strings.Split(string(outb), "\n") {
		if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
			var rs []childResult
			if err := json.Unmarshal([]byte(rest), &rs); err != nil {
				t.Fatal(err)
			}
			return rs
		}
	}
	t.Fatalf("child printed no result:\n%s", outb)
	return nil
}

// assertUnavailable checks every call failed as the keychain being
// unavailable, of kind want, saying the message with code id (and
// holding the message fix, when given: what to do on this platform).
func assertUnavailable(t *testing.T, rs []childResult, want keychain.Kind, id, fix string) {
	t.Helper()
	if len(rs) == 0 {
		t.Fatal("no results")
	}
	for _, r := range rs {
		if !r.Unavailable {
			t.Errorf("%s: err %q does not match ErrUnavailable", r.Op, r.Err)
		}
		if r.Kind != want {
			t.Errorf("%s: kind %d, want %d (%s)", r.Op, r.Kind, want, r.Err)
		}
		if _, ok := testutil.FindMsg(r.Said, id); !ok {
			t.Errorf("%s: %v does not say %s", r.Op, r.Said, id)
		}
		if _, ok := testutil.FindMsg(r.Said, fix); fix != "" && !ok {
			t.Errorf("%s: %v does not say %s", r.Op, r.Said, fix)
		}
		for _, l := range msg.Langs {
			if s := l.Render(r.Said); strings.Contains(s, childSecret) || strings.Contains(s, "\n") || s == "" {
				t.Errorf("%s: message in %s leaks the secret, spans lines or is empty: %q", r.Op, l, s)
			}
		}
	}
}

func TestNoSessionBus(t *testing.T) {
	needBus(t)
	missing := "unix:path=" + filepath.Join(t.TempDir(), "no-such-bus")
	rs := runChild(t, "nobus", missing)
	assertUnavailable(t, rs, keychain.KindNoBus, "keychain.why_no_service", "keychain.fix_linux")
}

func TestNoBusAtAllStartsNothing(t *testing.T) {
	needBus(t)
	// A bus the child autolaunched would inherit its environment: count
	// only the daemons that carry the child's own runtime folder, so the
	// buses other tests start meanwhile do not count.
	mark := "XDG_RUNTIME_DIR=" + t.TempDir()
	before := countProcs(t, "dbus-daemon", mark)
	rs := runChildEnv(t, "nobus", "", mark)
	assertUnavailable(t, rs, keychain.KindNoBus, "keychain.why_no_service", "keychain.fix_linux")
	for _, r := range rs {
		if !strings.Contains(r.Err, "no D-Bus session bus") {
			t.Errorf("%s: %q does not say there is no session bus", r.Op, r.Err)
		}
	}
	if after := countProcs(t, "dbus-daemon", mark); after > before {
		t.Errorf("a dbus-daemon was started (%d before, %d after)", before, after)
	}
}

// countProcs counts running processes with the given command name whose
// environment holds the variable setting mark.
func countProcs(t *testing.T, name, mark string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc here")
	}
	n := 0
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err != nil || strings.TrimSpace(string(b)) != name {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && slices.Contains(strings.Split(string(env), "\x00"), mark) {
			n++
		}
	}
	return n
}

func TestNoSecretServiceOnTheBus(t *testing.T) {
	needBus(t)
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon is not installed, so no bare session bus can be started")
	}
	// A private bus with no service files, so nothing can be activated.
	dir := t.TempDir()
	sock := filepath.Join(dir, "bus")
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=`+sock+`</listen>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>`), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--nopidfile")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("private dbus-daemon did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	rs := runChild(t, "bare", "unix:path="+sock)
	assertUnavailable(t, rs, keychain.KindNoService, "keychain.why_no_service", "keychain.fix_linux")
	for _, r := range rs {
		if w, _ := testutil.FindMsg(r.Said, "keychain.why_no_service"); !strings.Contains(w.Arg("Detail"), "org.freedesktop.secrets") {
			t.Errorf("%s: the D-Bus detail is lost: %v", r.Op, w)
		}
	}
}

func TestHungBusTimesOut(t *testing.T) {
	needBus(t)
	// A socket that accepts and never says a word: a hung D-Bus.
	sock := filepath.Join(t.TempDir(), "hung")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	rs := runChild(t, "hung", "unix:path="+sock)
	assertUnavailable(t, rs, keychain.KindTimedOut, "keychain.timed_out", "keychain.fix_linux")
	for _, r := range rs {
		if w, _ := testutil.FindMsg(r.Said, "keychain.timed_out"); w.Arg("Timeout") != "5s" {
			t.Errorf("%s: timeout %q, want 5s", r.Op, w.Arg("Timeout"))
		}
	}
}
