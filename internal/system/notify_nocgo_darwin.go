//go:build darwin && !cgo

package system

// nowhere drops notifications: macOS's tray and notifications need cgo.
type nowhere struct{}

func (nowhere) Notify(title, body string) error { return nil }

func desktopNotifier() Notifier { return nowhere{} }
