//go:build !linux && !freebsd && !openbsd && !netbsd

package tray

import "io"

// HostPresent is true where the tray is part of the system (macOS, Windows).
func HostPresent() bool { return true }

// WithoutHostNoise returns w: there is no panel to miss here.
func WithoutHostNoise(w io.Writer) io.Writer { return w }
