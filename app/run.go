package app

import (
	"errors"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"tokentray/icons"
)

// AppID is tokentray's application ID (also in FyneApp.toml).
const AppID = "io.github.tokentray"

// ErrNoDisplay is returned by Run where a window cannot be shown.
var ErrNoDisplay = errors.New("the window needs a desktop session, and this one has no display (DISPLAY and WAYLAND_DISPLAY are not set): run it from your desktop, or use the command line (tokentray status)")

// Run opens the window and blocks until it is closed.
func Run(b Backend, opts Options) error {
	if !hasDisplay(runtime.GOOS, os.Getenv) {
		return ErrNoDisplay
	}
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("app.png", icons.App))
	u := New(a, b, opts)
	u.Show()
	a.Run()
	return nil
}

// hasDisplay reports whether a window can be shown: on X11 and Wayland
// desktops that needs a display; macOS and Windows always have one.
func hasDisplay(goos string, getenv func(string) string) bool {
	switch goos {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
	}
	return true
}
