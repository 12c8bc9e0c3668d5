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
// with that button's command. A notification with a key replaces the one
// shown for that key (replaces_id), so each credential has at most one on
// screen; one with Withdraw only takes that one down.
func (DesktopNotifier) NotifyActions(n Notification, onAction func(Command)) error {
	if n.Withdraw {
		return DesktopNotifier{}.Withdraw(n.Key)
	}
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
	// One notification of a key at a time, also when two are sent at once.
	l.sendMu.Lock()
	defer l.sendMu.Unlock()
	l.mu.Lock()
	replaces := uint32(0)
	if n.Key != "" {
		replaces = l.ids[n.Key]
	}
	l.mu.Unlock()
	var id uint32
	err = l.conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".Notify", 0,
		"tokentray", replaces, "dialog-password", n.Title, n.Body, actions, hints, int32(-1)).Store(&id)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pending, replaces)
	if n.Key != "" {
		l.ids[n.Key] = id
	}
	if onAction != nil && len(cmds) > 0 {
		l.pending[id] = func(key string) {
			if c, ok := cmds[key]; ok {
				onAction(c)
			}
		}
	}
	return nil
}

// Withdraw takes down the notification shown for key, if one is
// (CloseNotification).
func (DesktopNotifier) Withdraw(key string) error {
	l, err := listener()
	if err != nil {
		return err
	}
	l.sendMu.Lock()
	defer l.sendMu.Unlock()
	l.mu.Lock()
	id := l.ids[key]
	delete(l.ids, key)
	delete(l.pending, id)
	l.mu.Unlock()
	if id == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return l.conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".CloseNotification", 0, id).Err
}

// notifyListener is the one session-bus connection notifications are
// sent on; it hears which button was clicked.
type notifyListener struct {
	conn   *dbus.Conn
	sendMu sync.Mutex // one Notify or CloseNotification call at a time
	mu     sync.Mutex
	// pending: what each shown notification's buttons do.
	pending map[uint32]func(key string)
	// ids: the notification shown for each key (a credential's name).
	ids map[string]uint32
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
		l := &notifyListener{conn: conn, pending: map[uint32]func(string){}, ids: map[string]uint32{}}
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
			for k, v := range l.ids {
				if v == id {
					delete(l.ids, k) // dismissed: the next one is new
				}
			}
			l.mu.Unlock()
		}
	}
}
