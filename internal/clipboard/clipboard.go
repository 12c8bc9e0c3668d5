// Package clipboard puts a secret on the desktop's clipboard without a
// window toolkit, and takes it off again.
//
// On X11 (and Xwayland) the process owns the CLIPBOARD selection itself
// through a plain X connection (github.com/jezek/xgb, no cgo): the text
// never passes through another program's argv or stdin, the owner knows
// when someone else copies something (so a later clear leaves that
// alone), and it offers the x-kde-passwordManagerHint target that tells
// clipboard managers (Klipper and those that follow it) not to keep it.
package clipboard

import (
	"errors"
	"sync"
	"time"
)

// ErrUnavailable means there is no clipboard this package can reach
// (no X display).
var ErrUnavailable = errors.New("no clipboard can be reached on this desktop (tokentray needs an X11 or Xwayland display)")

// Clipboard is the desktop's clipboard, connected at the first copy.
type Clipboard struct {
	mu sync.Mutex
	o  *owner
}

// System returns the desktop's clipboard.
func System() *Clipboard { return &Clipboard{} }

// WriteSecret puts text on the clipboard, marked as a secret.
func (c *Clipboard) WriteSecret(text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.o == nil {
		o, err := connect()
		if err != nil {
			return err
		}
		c.o = o
	}
	return c.o.own(text)
}

// ClearIf empties the clipboard if it still holds text (nobody copied
// anything since), and reports whether it did.
func (c *Clipboard) ClearIf(text string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.o == nil {
		return false
	}
	return c.o.clearIf(text)
}

// Close drops the connection; what this process owned leaves the clipboard.
func (c *Clipboard) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.o != nil {
		c.o.close()
		c.o = nil
	}
}

// Read returns the clipboard's text as another program pastes it, or ""
// when it is empty; target "" means UTF8_STRING. It is what tests and
// diagnostics use; tokentray itself never reads the clipboard.
func Read(target string, timeout time.Duration) (string, error) {
	return read(target, timeout)
}
