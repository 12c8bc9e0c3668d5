package tray

// SystemClipboard is the desktop's clipboard, or nil where tokentray
// cannot reach one.
func SystemClipboard() Clipboard { return nil }
