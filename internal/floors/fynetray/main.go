// Command fynetray is the floor of a Fyne tray app: a Fyne application
// with a tray icon and a one-item menu, no window shown.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"

	"tokentray/auth"
	"tokentray/icons"
)

func main() {
	a := app.NewWithID("io.github.tokentray.floor")
	if desk, ok := a.(desktop.App); ok {
		desk.SetSystemTrayIcon(fyne.NewStaticResource("floor.png", icons.ForState(auth.OK)))
		desk.SetSystemTrayMenu(fyne.NewMenu("floor", fyne.NewMenuItem("Hello", func() {})))
	}
	a.Run()
}
