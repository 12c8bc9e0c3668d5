package keychain

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// stuckBackend never answers until released, like a keychain waiting on
// an unlock prompt nobody sees.
type stuckBackend struct{ release chan struct{} }

func (b stuckBackend) Set(s, u, p string) error {
	<-b.release
	return nil
}
func (b stuckBackend) Get(s, u string) (string, error) {
	<-b.release
	return "late-value", nil
}
func (b stuckBackend) Delete(s, u string) error {
	<-b.release
	return nil
}

func TestTimeoutGivesUpWithSentence(t *testing.T) {
	clock := clockwork.NewFakeClock()
	b := stuckBackend{release: make(chan struct{})}
	defer close(b.release)
	k := New("tokentray-test", 5*time.Second, WithClock(clock))
	k.be = b

	calls := map[string]func() error{
		"read":   func() error { _, err := k.Get("c1", auth.FieldAppSecret); return err },
		"store":  func() error { return k.Set("c1", auth.FieldAppSecret, "test-app-secret-0001") },
		"delete": func() error { return k.Delete("c1", auth.FieldAppSecret) },
	}
	for op, call := range calls {
		t.Run(op, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { done <- call() }()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := clock.BlockUntilContext(ctx, 1); err != nil {
				t.Fatalf("the call never started its timer: %v", err)
			}
			select {
			case err := <-done:
				t.Fatalf("returned before the timeout: %v", err)
			default:
			}
			clock.Advance(5 * time.Second)
			var err error
			select {
			case err = <-done:
			case <-ctx.Done():
				t.Fatal("the call is still blocked after its timeout passed")
			}
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("want ErrUnavailable, got %v", err)
			}
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindTimedOut || KindOf(err) != KindTimedOut {
				t.Fatalf("want a timed-out *Error, got %v", err)
			}
			m := e.Message()
			if !m.Is("keychain.timed_out") || m.Arg("Timeout") != "5s" || m.Arg("Op") != op || m.Arg("Field") != auth.FieldAppSecret {
				t.Errorf("message %v: want the timeout, the operation and the field", m)
			}
			for _, l := range msg.Langs {
				if s := l.Err(err); strings.Contains(s, "test-app-secret-0001") || strings.Contains(s, "\n") {
					t.Errorf("message in %s leaks the secret or spans lines: %q", l, s)
				}
			}
		})
	}
}

// errBackend fails every call with err.
type errBackend struct{ err error }

func (b errBackend) Set(s, u, p string) error        { return b.err }
func (b errBackend) Get(s, u string) (string, error) { return "", b.err }
func (b errBackend) Delete(s, u string) error        { return b.err }

func TestErrorsAreExplainedAndNeverCarryTheSecret(t *testing.T) {
	const secret = "test-access-token-0002"
	cases := []struct {
		name string
		err  error
		kind Kind
		why  string
	}{
		{"service unknown", dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}}, KindNoService, "keychain.why_no_service"},
		{"locked", dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked", Body: []any{"Cannot create an item in a locked collection"}}, KindLocked, "keychain.why_locked"},
		{"echoes the value", errors.New("backend rejected " + secret), KindFailed, "keychain.why_error"},
		{"prompt dismissed", &ownError{kind: KindDismissed, text: "failed to unlock /x: the unlock prompt was dismissed"}, KindDismissed, "keychain.why_dismissed"},
		{"no bus", &busError{errors.New("dial unix /run/user/1/bus: connect: no such file or directory")}, KindNoBus, "keychain.why_no_service"},
		// Words alone classify nothing: a failure that merely mentions
		// D-Bus is the keychain's own error, not a missing bus.
		{"words are not a kind", errors.New("dbus: dial unix: session bus connection closed"), KindFailed, "keychain.why_error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := New("tokentray-test", time.Second)
			k.be = errBackend{c.err}
			err := k.Set("c1", auth.FieldAccessToken, secret)
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("want ErrUnavailable, got %v", err)
			}
			if dbusName(err) != dbusName(c.err) || dbusName(c.err) == "" && !errors.Is(err, c.err) {
				t.Fatalf("cause lost: %v", err)
			}
			if KindOf(err) != c.kind {
				t.Errorf("kind %d, want %d", KindOf(err), c.kind)
			}
			if got := Missing(err); got != (c.kind == KindNoService || c.kind == KindNoBus) {
				t.Errorf("Missing = %v for kind %d", got, c.kind)
			}
			m := msg.Of(err)
			if !m.Is("keychain.cannot_store") || m.Arg("Field") != auth.FieldAccessToken {
				t.Errorf("message %v: want keychain.cannot_store of the field", m)
			}
			if _, ok := testutil.FindMsg(m, c.why); !ok {
				t.Errorf("message %v does not say %s", m, c.why)
			}
			if _, ok := testutil.FindMsg(m, "keychain.fix_linux"); runtime.GOOS == "linux" && !ok {
				t.Errorf("message %v does not say what to do", m)
			}
			for _, l := range msg.Langs {
				if s := l.Err(err); strings.Contains(s, secret) {
					t.Errorf("message in %s leaks the secret: %q", l, s)
				}
			}
		})
	}
}

func TestRejectsMalformedItemNames(t *testing.T) {
	k := New("tokentray-test", time.Second)
	k.be = errBackend{errors.New("backend must not be reached")}
	for _, c := range [][2]string{{"", "app_key"}, {"id", ""}, {"a/b", "app_key"}, {"id", "x/y"}} {
		if err := k.Set(c[0], c[1], "test-value"); !msg.Of(err).Is("keychain.bad_item") {
			t.Errorf("Set(%q, %q) = %v, want a name error", c[0], c[1], err)
		}
	}
}

func TestRedactWithholdsTheWholeDetail(t *testing.T) {
	got := redact("failed to unlock correct collection", "e")
	if strings.Contains(got, "unlock") || strings.Contains(got, "[secret]") {
		t.Errorf("redact shows where the value was: %q", got)
	}
	if got := redact("no such object", "test-app-secret-0001"); got != "no such object" {
		t.Errorf("a message without the value was changed: %q", got)
	}
}

// markBackend stores in memory and reports the marks in dir when asked
// to store; its Delete fails when failDelete is set.
type markBackend struct {
	dir        string
	failDelete bool
	items      map[string]string
	marksAtSet []string
}

func (b *markBackend) Set(s, u, p string) error {
	entries, _ := os.ReadDir(b.dir)
	for _, e := range entries {
		b.marksAtSet = append(b.marksAtSet, e.Name())
	}
	b.items[u] = p
	return nil
}
func (b *markBackend) Get(s, u string) (string, error) { return b.items[u], nil }
func (b *markBackend) Delete(s, u string) error {
	if b.failDelete {
		return errors.New("test: delete refused")
	}
	delete(b.items, u)
	return nil
}

func TestCheckIsMarkedWhileItsItemMayExist(t *testing.T) {
	for _, failDelete := range []bool{false, true} {
		dir := t.TempDir()
		b := &markBackend{dir: dir, failDelete: failDelete, items: map[string]string{}}
		k := New("tokentray-test", time.Second)
		k.be = b
		k.CheckMarksIn(dir)
		err := k.Check()
		if len(b.marksAtSet) != 1 || !strings.HasPrefix(b.marksAtSet[0], fmt.Sprintf("%s%d-", checkPrefix, os.Getpid())) || !strings.HasSuffix(b.marksAtSet[0], markSuffix) {
			t.Fatalf("marks while the item was stored: %v, want this process's one", b.marksAtSet)
		}
		entries, _ := os.ReadDir(dir)
		switch {
		case !failDelete && (err != nil || len(entries) != 0):
			t.Fatalf("a check that deleted its item: %v, left %v", err, entries)
		case failDelete && (err == nil || len(entries) != 1):
			t.Fatalf("a check whose item could not be deleted: %v, left %v, want its mark kept", err, entries)
		}
	}
}
