//go:build !linux && !freebsd && !openbsd && !netbsd

package tray

// HostPresent is true where the tray is part of the system (macOS, Windows).
func HostPresent() bool { return true }
