//go:build linux || freebsd || openbsd || netbsd

package tray

import (
	"github.com/godbus/dbus/v5"
)

// watcher is the D-Bus name of the panel service that shows tray icons
// (StatusNotifierItem) on Linux desktops.
const watcher = "org.kde.StatusNotifierWatcher"

// HostPresent reports whether a panel that shows tray icons is running,
// so the agent can fall back to the window when there is none (GNOME
// without the AppIndicator extension, a bare X server).
func HostPresent() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, watcher).Store(&has); err != nil {
		return false
	}
	return has
}
