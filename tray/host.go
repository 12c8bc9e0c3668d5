//go:build linux || freebsd || openbsd || netbsd

package tray

import (
	"bytes"
	"io"

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

// WithoutHostNoise wraps the log output so that the tray library's own
// complaint about a missing panel, which the agent has already explained
// in a sentence, is not printed again as a timestamped error.
func WithoutHostNoise(w io.Writer) io.Writer { return hostNoiseFilter{w} }

type hostNoiseFilter struct{ w io.Writer }

func (f hostNoiseFilter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(watcher)) {
		return len(p), nil
	}
	return f.w.Write(p)
}
