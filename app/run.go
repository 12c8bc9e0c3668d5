package app

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/icons"
	"tokentray/internal/msg"
)

// AppID is tokentray's application ID (also in FyneApp.toml).
const AppID = "io.github.tokentray"

// ErrNoDisplay is returned by Run where a window cannot be shown.
var ErrNoDisplay = msg.Errorf("app.no_display", "Else", msg.New("app.run_elsewhere"))

// Run opens the window and blocks until it is closed. When the window of
// this profile is already open, Run raises that one instead (showing
// opts.Focus, when set) and returns at once. The theme, light or dark,
// follows the desktop's.
func Run(b service.Service, opts Options) error {
	if !hasDisplay(runtime.GOOS, os.Getenv) {
		return ErrNoDisplay
	}
	dir := b.Where().Dir
	in, first, err := claimWindow(dir)
	if err != nil {
		return err
	}
	if !first {
		return askWindow(dir, opts.Focus, opts.Do)
	}
	defer in.release()
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("app.png", icons.App))
	u := New(a, b, opts)
	if u.FontMissing.Visible() {
		fmt.Fprintln(os.Stderr, "tokentray: "+u.FontMissing.Text)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := in.serve(ctx, func(focus string, act auth.ActionKind) { fyne.Do(func() { u.Focus(focus, act) }) }); err != nil {
		return err
	}
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
