// Package floors holds the two programs `make bench` measures the agent
// against, built and run in the same session: fynetray, a minimal Fyne
// app with a tray icon and a one-item menu (what the agent would cost if
// it were a Fyne app), and systray, the same with fyne.io/systray alone
// (the least a tray icon costs). Neither does anything else.
package floors
