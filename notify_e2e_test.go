//go:build linux

package main

import (
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/testutil"
)

// notificationScreen plays the desktop's notification service and keeps
// what is on screen, as a person sees it.
type notificationScreen struct {
	mu     sync.Mutex
	next   uint32
	screen map[uint32]string // id -> summary
	sent   int
}

func (n *notificationScreen) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	id := replaces
	if _, ok := n.screen[id]; !ok {
		n.next++
		id = n.next
	}
	n.screen[id] = summary
	n.sent++
	return id, nil
}

func (n *notificationScreen) CloseNotification(id uint32) *dbus.Error {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.screen, id)
	return nil
}

func (n *notificationScreen) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"actions", "body"}, nil
}

func (n *notificationScreen) shown() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, s := range n.screen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// The agent against the sandbox demo, its notifications read off the
// bus: one on screen per credential, none for a verification running,
// and each taken down when its credential is gone or OK again.
func TestNotificationsOnTheBusAreOnePerCredentialAndWithdrawn(t *testing.T) {
	conn := testutil.SessionBus(t)
	screen := &notificationScreen{screen: map[uint32]string{}}
	testutil.PlayService(t, conn, "org.freedesktop.Notifications", screen, "/org/freedesktop/Notifications", "org.freedesktop.Notifications")
	tu := startTray(t)
	tu.waitTip("the first check", "futu-demo: OK")
	has := func(want ...string) bool {
		got := strings.Join(screen.shown(), "\n")
		for _, w := range want {
			if !strings.Contains(got, w) {
				return false
			}
		}
		return true
	}
	if !testutil.Poll(20*time.Second, 50*time.Millisecond, func() bool { return has("futu-login needs you", "futu-expiring expires soon") }) {
		t.Fatalf("on screen %q, want futu-login and futu-expiring announced", screen.shown())
	}
	for _, s := range screen.shown() {
		if strings.Contains(s, "webull-demo") {
			t.Errorf("a verification that runs was announced: %q", s)
		}
	}
	// The credential is removed: its notification goes.
	tu.cli("remove", "futu-login", "--yes")
	if !testutil.Poll(20*time.Second, 50*time.Millisecond, func() bool { return !has("futu-login") }) {
		t.Errorf("futu-login's notification stayed after it was removed: %q", screen.shown())
	}
	// The phone confirms webull-demo: nothing was shown, nothing is.
	tu.confirmOnPhone()
	tu.waitTip("the confirmation", "webull-demo: OK")
	per := map[string]int{}
	for _, s := range screen.shown() {
		per[strings.Fields(strings.TrimPrefix(s, "tokentray: "))[0]]++
	}
	for name, n := range per {
		if n > 1 {
			t.Errorf("%d notifications on screen for %s: %q", n, name, screen.shown())
		}
	}
}
