//go:build !darwin || cgo

package system

import "tokentray/tray"

// desktopNotifier is the desktop's notification service.
func desktopNotifier() Notifier { return tray.DesktopNotifier{} }
