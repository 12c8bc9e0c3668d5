package app

import (
	fyneapp "fyne.io/fyne/v2/app"

	"tokentray/icons"

	"fyne.io/fyne/v2"
)

// AppID is tokentray's application ID (also in FyneApp.toml).
const AppID = "io.github.tokentray"

// Run opens the window and blocks until it is closed.
func Run(b Backend, opts Options) {
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("app.png", icons.App))
	u := New(a, b, opts)
	u.Show()
	a.Run()
}
