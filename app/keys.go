package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// entry is a text field of a dialog: Escape closes the dialog even while
// the field has the keyboard (Fyne gives keys to the focused widget
// first), and Enter submits, through OnSubmitted.
type entry struct {
	widget.Entry
	onEscape func()
}

func newEntry(placeholder string) *entry {
	e := &entry{}
	e.ExtendBaseWidget(e)
	e.PlaceHolder = placeholder
	return e
}

func newPasswordEntry(placeholder string) *entry {
	e := newEntry(placeholder)
	e.Password = true
	return e
}

func (e *entry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// modal shows d and lets Escape close it: escape runs when Escape is
// pressed while d is the topmost dialog.
func (u *UI) modal(d dialog.Dialog, escape func()) {
	u.escapes = append(u.escapes, escape)
	n := len(u.escapes)
	d.SetOnClosed(func() {
		if len(u.escapes) >= n {
			u.escapes = u.escapes[:n-1]
		}
	})
	d.Show()
}

// Escape closes the topmost dialog, as the Escape key does.
func (u *UI) Escape() {
	if n := len(u.escapes); n > 0 {
		u.escapes[n-1]()
	}
}
