//go:build linux || freebsd || openbsd || netbsd

package tray

import (
	"context"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// DesktopNotifier sends notifications to the desktop's notification
// service (org.freedesktop.Notifications) over the session bus.
type DesktopNotifier struct{}

const (
	notifyName  = "org.freedesktop.Notifications"
	notifyPath  = "/org/freedesktop/Notifications"
	notifyIface = "org.freedesktop.Notifications"
)

func (DesktopNotifier) Notify(title, body string) error {
	return DesktopNotifier{}.NotifyActions(Notification{Title: title, Body: body}, nil)
}

// NotifyActions shows n with its buttons; a click on one runs onAction
// with that button's command.
func (DesktopNotifier) NotifyActions(n Notification, onAction func(Command)) error {
	l, err := listener()
	if err != nil {
		return err
	}
	var actions []string
	cmds := map[string]Command{}
	for _, a := range n.Actions {
		actions = append(actions, a.Key, a.Label)
		cmds[a.Key] = a.Command
	}
	if actions == nil {
		actions = []string{}
	}
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant("io.github.tokentray")}
	// A notification service that hangs must not stall the tray.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var id uint32
	err = l.conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".Notify", 0,
		"tokentray", uint32(0), "dialog-password", n.Title, n.Body, actions, hints, int32(-1)).Store(&id)
	if err != nil {
		return err
	}
	if onAction != nil && len(cmds) > 0 {
		l.mu.Lock()
		l.pending[id] = func(key string) {
			if c, ok := cmds[key]; ok {
				onAction(c)
			}
		}
		l.mu.Unlock()
	}
	return nil
}

// notifyListener is the one session-bus connection notifications are
// sent on; it hears which button was clicked.
type notifyListener struct {
	conn    *dbus.Conn
	mu      sync.Mutex
	pending map[uint32]func(key string)
}

var (
	listenOnce sync.Once
	theListen  *notifyListener
	listenErr  error
)

func listener() (*notifyListener, error) {
	listenOnce.Do(func() {
		conn, err := dbus.ConnectSessionBus()
		if err != nil {
			listenErr = err
			return
		}
		l := &notifyListener{conn: conn, pending: map[uint32]func(string){}}
		_ = conn.AddMatchSignal(dbus.WithMatchInterface(notifyIface), dbus.WithMatchObjectPath(notifyPath))
		sig := make(chan *dbus.Signal, 16)
		conn.Signal(sig)
		go l.listen(sig)
		theListen = l
	})
	return theListen, listenErr
}

func (l *notifyListener) listen(sig <-chan *dbus.Signal) {
	for s := range sig {
		switch s.Name {
		case notifyIface + ".ActionInvoked":
			if len(s.Body) < 2 {
				continue
			}
			id, _ := s.Body[0].(uint32)
			key, _ := s.Body[1].(string)
			l.mu.Lock()
			f := l.pending[id]
			delete(l.pending, id)
			l.mu.Unlock()
			if f != nil {
				go f(key)
			}
		case notifyIface + ".NotificationClosed":
			if len(s.Body) < 1 {
				continue
			}
			id, _ := s.Body[0].(uint32)
			l.mu.Lock()
			delete(l.pending, id)
			l.mu.Unlock()
		}
	}
}
