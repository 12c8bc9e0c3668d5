// Package floors holds the programs `make bench` measures tokentray
// against, built and run in the same session: fynetray, a minimal Fyne
// app with a tray icon and a one-item menu (what the agent would cost if
// it were a Fyne app), and systray, the same with fyne.io/systray alone
// (the least a tray icon costs). Neither does anything else. settings is
// the floor of the command line: it reads and parses a profile's
// settings file (against `tokentray status`), and with -token NAME reads
// that credential's token with one go-keyring call (against `tokentray
// token NAME`).
package floors
