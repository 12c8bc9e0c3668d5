//go:build !darwin || cgo

package tray

import (
	"time"

	"fyne.io/systray"
)

// reassertAfter are the waits, one after the other, after which the
// first view's icon, title and tooltip are set again (see
// shown.reassert).
var reassertAfter = []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, 1500 * time.Millisecond}

// Run shows the tray and blocks until Stop. Views sent on updates redraw
// it, sending the panel only what changed; onCmd runs (on its own
// goroutine) for each menu click, and a left click on the icon is
// CmdRefreshAll. It must run on the main goroutine (macOS requires it).
func Run(first View, updates <-chan View, onCmd func(Command)) {
	call := func(c Command) {
		if onCmd != nil {
			go onCmd(c)
		}
	}
	s := newShown(systrayPanel{}, call)
	// A panel decides once, at registration, whether a left click opens
	// the menu or activates the item: the handler must exist before Run.
	systray.SetOnTapped(func() { call(Command{Kind: CmdRefreshAll}) })
	systray.Run(func() {
		s.apply(first)
		go func() {
			for v := range updates {
				s.apply(v)
			}
		}()
		// The library exports the icon's properties while this runs:
		// what the first view set in between is lost, so set it again
		// once the export is surely in place (only at start; an idle
		// tray then stays silent).
		go func() {
			for _, d := range reassertAfter {
				time.Sleep(d)
				s.reassert()
			}
		}()
	}, func() {
		// Runs before the tray's D-Bus connection closes: after it, an
		// update would make the tray library panic on the closed bus.
		s.close()
	})
}

// Stop removes the tray icon and makes Run return.
func Stop() { systray.Quit() }

// systrayPanel is the real panel.
type systrayPanel struct{}

func (systrayPanel) SetIcon(b []byte)    { systray.SetIcon(b) }
func (systrayPanel) SetTitle(t string)   { systray.SetTitle(t) }
func (systrayPanel) SetTooltip(t string) { systray.SetTooltip(t) }
func (systrayPanel) ResetMenu()          { systray.ResetMenu() }
func (systrayPanel) UpdateItem(h any, old, it MenuItem) {
	mi, ok := h.(*systray.MenuItem)
	if !ok {
		return
	}
	if old.Disabled != it.Disabled {
		if it.Disabled {
			mi.Disable()
		} else {
			mi.Enable()
		}
	}
	if it.Checkable && old.Checked != it.Checked {
		if it.Checked {
			mi.Check()
		} else {
			mi.Uncheck()
		}
	}
	if old.Label != it.Label {
		mi.SetTitle(it.Label)
	}
}

func (systrayPanel) AddItem(parent any, it MenuItem, onClick func()) any {
	p, _ := parent.(*systray.MenuItem)
	if it.Separator {
		if p != nil {
			p.AddSeparator()
		} else {
			systray.AddSeparator()
		}
		return nil
	}
	var mi *systray.MenuItem
	switch {
	case p == nil && it.Checkable:
		mi = systray.AddMenuItemCheckbox(it.Label, it.Tip, it.Checked)
	case p == nil:
		mi = systray.AddMenuItem(it.Label, it.Tip)
	case it.Checkable:
		mi = p.AddSubMenuItemCheckbox(it.Label, it.Tip, it.Checked)
	default:
		mi = p.AddSubMenuItem(it.Label, it.Tip)
	}
	if it.Disabled {
		mi.Disable()
	}
	if onClick != nil {
		go func() {
			// The channel closes when the item is removed.
			for range mi.ClickedCh {
				onClick()
			}
		}()
	}
	return mi
}
