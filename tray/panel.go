package tray

import (
	"bytes"
	"sync"
)

// Panel is what the tray draws on: the desktop's StatusNotifierItem
// through fyne.io/systray, or a fake in tests. Every call is one message
// to the panel, so the tray makes as few as it can.
type Panel interface {
	SetIcon(png []byte)
	SetTitle(title string)
	SetTooltip(tip string)
	// ResetMenu removes every menu item.
	ResetMenu()
	// AddItem adds it under parent (nil: the top level) and returns its
	// handle; onClick runs on each click.
	AddItem(parent any, it MenuItem, onClick func()) any
	// UpdateItem changes what differs between old and it: the label, the
	// enabled or the check state.
	UpdateItem(h any, old, it MenuItem)
}

// shown is what the panel shows now, so a redraw sends only what changed:
// no icon when the state is the same, only the menu items whose text or
// check changed, a new menu only when its shape changed.
type shown struct {
	mu      sync.Mutex
	p       Panel
	drawn   bool
	icon    []byte
	title   string
	tooltip string
	shape   string
	items   map[string]shownItem
	onCmd   func(Command)
	closed  bool
}

type shownItem struct {
	h  any
	it MenuItem
}

func newShown(p Panel, onCmd func(Command)) *shown { return &shown{p: p, onCmd: onCmd} }

// apply brings the panel to v.
func (s *shown) apply(v View) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	icon := v.Icon()
	if !s.drawn || !bytes.Equal(icon, s.icon) {
		s.p.SetIcon(icon)
		s.icon = icon
	}
	if !s.drawn || v.Title != s.title {
		s.p.SetTitle(v.Title)
		s.title = v.Title
	}
	if !s.drawn || v.Tooltip != s.tooltip {
		s.p.SetTooltip(v.Tooltip)
		s.tooltip = v.Tooltip
	}
	s.drawn = true
	if shape := menuShape(v.Menu); shape != s.shape || s.items == nil {
		s.rebuild(v.Menu)
		s.shape = shape
		return
	}
	s.update(v.Menu)
}

func (s *shown) update(items []MenuItem) {
	for _, it := range items {
		old := s.items[it.Key]
		if !it.Separator && visibleDiffers(old.it, it) {
			s.p.UpdateItem(old.h, old.it, it)
			s.items[it.Key] = shownItem{h: old.h, it: it}
		}
		s.update(it.Children)
	}
}

func visibleDiffers(a, b MenuItem) bool {
	return a.Label != b.Label || a.Disabled != b.Disabled || a.Checked != b.Checked
}

func (s *shown) rebuild(items []MenuItem) {
	s.p.ResetMenu()
	s.items = map[string]shownItem{}
	s.add(nil, items)
}

func (s *shown) add(parent any, items []MenuItem) {
	for _, it := range items {
		var click func()
		if cmd := it.Command; cmd.Kind != "" && s.onCmd != nil {
			click = func() { s.onCmd(cmd) }
		}
		h := s.p.AddItem(parent, it, click)
		s.items[it.Key] = shownItem{h: h, it: it}
		s.add(h, it.Children)
	}
}

// reassert sets the icon, title and tooltip again as they are, changed
// or not. The tray library exports them on the bus while the first view
// is being drawn: a value set between its reading them and its export
// being in place is lost until the next change, which for an idle tray
// may never come.
func (s *shown) reassert() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || !s.drawn {
		return
	}
	s.p.SetIcon(s.icon)
	s.p.SetTitle(s.title)
	s.p.SetTooltip(s.tooltip)
}

// close stops all drawing: the panel's connection is going away.
func (s *shown) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// menuShape is what, when it changes, needs a new menu: the items, their
// order, nesting, kind and what they do.
func menuShape(items []MenuItem) string {
	var b bytes.Buffer
	var walk func([]MenuItem)
	walk = func(items []MenuItem) {
		for _, it := range items {
			b.WriteString(it.Key)
			if it.Separator {
				b.WriteString("|-")
			}
			if it.Checkable {
				b.WriteString("|c")
			}
			b.WriteString("|" + string(it.Command.Kind) + "|" + it.Command.Credential + "|" + string(it.Command.Action))
			if len(it.Children) > 0 {
				b.WriteString("{")
				walk(it.Children)
				b.WriteString("}")
			}
			b.WriteString(";")
		}
	}
	walk(items)
	return b.String()
}
