//go:build linux

package tray

import (
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
