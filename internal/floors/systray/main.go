// Command systray is the floor of a tray icon: fyne.io/systray with an
// icon, a tooltip and a one-item menu, doing nothing else.
package main

import (
	"fyne.io/systray"

	"tokentray/auth"
	"tokentray/icons"
)

func main() {
	systray.Run(func() {
		systray.SetIcon(icons.ForState(auth.OK))
		systray.SetTitle("floor")
		systray.SetTooltip("floor: a tray icon and nothing else")
		quit := systray.AddMenuItem("Quit", "")
		go func() {
			<-quit.ClickedCh
			systray.Quit()
		}()
	}, nil)
}
