package tray

import "tokentray/internal/clipboard"

// SystemClipboard is the desktop's clipboard (see internal/clipboard).
func SystemClipboard() Clipboard { return clipboard.System() }
