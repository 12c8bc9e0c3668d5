//go:build !linux && !freebsd && !openbsd && !netbsd

package tray

// DesktopNotifier does nothing where no notification service is reached
// over D-Bus; the tray icon and tooltip still show the change.
type DesktopNotifier struct{}

func (DesktopNotifier) Notify(title, body string) error { return nil }

// NotifyActions does nothing here either.
func (DesktopNotifier) NotifyActions(Notification, func(Command)) error { return nil }

// Withdraw does nothing here either.
func (DesktopNotifier) Withdraw(string) error { return nil }
