//go:build linux

package tray

import (
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/testutil"
)

// playNotifications has srv play the desktop's notification service.
func playNotifications(t *testing.T, conn *dbus.Conn, srv any) {
	t.Helper()
	testutil.PlayService(t, conn, "org.freedesktop.Notifications", srv, "/org/freedesktop/Notifications", "org.freedesktop.Notifications")
}

// notificationServer plays the desktop's notification service.
type notificationServer struct{ got chan [2]string }

func (n *notificationServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.got <- [2]string{summary, body}
	return 1, nil
}

func TestDesktopNotifierReachesTheNotificationService(t *testing.T) {
	conn := testutil.SessionBus(t)
	srv := &notificationServer{got: make(chan [2]string, 1)}
	playNotifications(t, conn, srv)

	if err := (DesktopNotifier{}).Notify("tokentray: webull-us is waiting for its 2FA code", "Enter the SMS code in the Webull app"); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-srv.got:
		if n[0] != "tokentray: webull-us is waiting for its 2FA code" || n[1] != "Enter the SMS code in the Webull app" {
			t.Errorf("notification = %q", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification arrived")
	}
}

// actionServer plays a notification service whose person clicks the
// first button of each notification.
type actionServer struct {
	conn *dbus.Conn
	got  chan []string
}

func (n *actionServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.got <- actions
	go func() {
		time.Sleep(10 * time.Millisecond) // the reply first, as a real service does
		_ = n.conn.Emit("/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked", uint32(7), actions[0])
	}()
	return 7, nil
}

func TestANotificationButtonDoesTheNextAction(t *testing.T) {
	conn := testutil.SessionBus(t)
	srv := &actionServer{conn: conn, got: make(chan []string, 1)}
	playNotifications(t, conn, srv)

	done := make(chan Command, 1)
	n := Notification{Title: "tokentray: webull-us is waiting for its 2FA code", Actions: []NotifyAction{actionButton("verify", "webull-us")}}
	if err := (DesktopNotifier{}).NotifyActions(n, func(c Command) { done <- c }); err != nil {
		t.Fatal(err)
	}
	if a := <-srv.got; len(a) != 2 || a[0] != "verify" || a[1] != "Verify now" {
		t.Errorf("buttons sent = %q", a)
	}
	select {
	case c := <-done:
		if c != (Command{Kind: CmdAct, Credential: "webull-us", Action: "verify"}) {
			t.Errorf("the button did %+v", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("clicking Verify now did nothing")
	}
}

// screenServer plays a notification service and keeps what is on screen.
type screenServer struct {
	mu     sync.Mutex
	next   uint32
	screen map[uint32]string // id -> summary
	calls  []string
}

func (n *screenServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	id := replaces
	if _, ok := n.screen[id]; !ok {
		n.next++
		id = n.next
	}
	n.screen[id] = summary
	n.calls = append(n.calls, fmt.Sprintf("notify %d->%d", replaces, id))
	return id, nil
}

func (n *screenServer) CloseNotification(id uint32) *dbus.Error {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.screen, id)
	n.calls = append(n.calls, fmt.Sprintf("close %d", id))
	return nil
}

// log is a copy of the calls made so far.
func (n *screenServer) log() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.calls)
}

func (n *screenServer) shown() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, s := range n.screen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestEachCredentialHasOneNotificationOnScreen(t *testing.T) {
	conn := testutil.SessionBus(t)
	srv := &screenServer{screen: map[uint32]string{}}
	playNotifications(t, conn, srv)
	d := DesktopNotifier{}
	send := func(n Notification) {
		t.Helper()
		if err := d.NotifyActions(n, func(Command) {}); err != nil {
			t.Fatal(err)
		}
	}
	send(Notification{Title: "futu-main needs you", Key: "futu-main"})
	send(Notification{Title: "webull-us needs you", Key: "webull-us"})
	send(Notification{Title: "futu-main is broken", Key: "futu-main"})
	if got, want := srv.shown(), []string{"futu-main is broken", "webull-us needs you"}; !slices.Equal(got, want) {
		t.Fatalf("on screen %q, want %q (calls %q)", got, want, srv.log())
	}
	// OK again: withdrawn.
	send(Notification{Key: "futu-main", Withdraw: true})
	if got, want := srv.shown(), []string{"webull-us needs you"}; !slices.Equal(got, want) {
		t.Fatalf("on screen %q after the withdrawal, want %q (calls %q)", got, want, srv.log())
	}
	// Withdrawing what is not shown asks nothing of the service.
	before := len(srv.log())
	if err := d.Withdraw("futu-main"); err != nil {
		t.Fatal(err)
	}
	if after := srv.log(); len(after) != before {
		t.Errorf("a second withdrawal called the service: %q", after[before:])
	}
	send(Notification{Title: "futu-main is broken", Key: "futu-main"})
	if got := srv.shown(); len(got) != 2 {
		t.Errorf("on screen %q, want futu-main shown anew beside webull-us", got)
	}
}
