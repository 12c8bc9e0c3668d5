//go:build linux || freebsd || openbsd || netbsd

package tray

import (
	"context"
	"time"

	"github.com/godbus/dbus/v5"
)

// DesktopNotifier sends notifications to the desktop's notification
// service (org.freedesktop.Notifications) over the session bus.
type DesktopNotifier struct{}

func (DesktopNotifier) Notify(title, body string) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	obj := conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant("io.github.tokentray")}
	// A notification service that hangs must not stall the tray.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	call := obj.CallWithContext(ctx, "org.freedesktop.Notifications.Notify", 0,
		"tokentray", uint32(0), "dialog-password", title, body, []string{}, hints, int32(-1))
	return call.Err
}
