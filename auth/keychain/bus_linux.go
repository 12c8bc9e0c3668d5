//go:build linux

package keychain

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// errNoSessionBus is returned before go-keyring is asked when this
// process has no D-Bus session bus: the D-Bus library would otherwise
// "autolaunch" a private bus and a keyring daemon that outlive the
// command and hold nothing the desktop's keychain holds.
var errNoSessionBus = errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist)")

func sessionBusPresent() error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if fi, err := os.Stat(filepath.Join(dir, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return nil
		}
	}
	return errNoSessionBus
}

// processAlive reports whether a process with this ID runs (as any user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
