package tray

import (
	"context"
	"sync"

	"fyne.io/systray"
)

// Actions are what the tray's clicks do. Any may be nil.
type Actions struct {
	// Refresh runs when the icon is clicked or "Refresh all" is chosen.
	Refresh func()
	// Open shows the window, at one credential when name is not empty.
	Open func(name string)
	// Quit stops the agent.
	Quit func()
}

// Run shows the tray and blocks until Quit. Views sent on updates redraw
// it. It must run on the main goroutine (macOS requires it).
func Run(first View, updates <-chan View, act Actions) {
	t := &tray{act: act}
	// A panel decides once, at registration, whether a left click opens
	// the menu or activates the item: the handler must exist before Run.
	systray.SetOnTapped(func() { t.call(act.Refresh) })
	systray.Run(func() {
		t.apply(first)
		go func() {
			for v := range updates {
				t.apply(v)
			}
		}()
	}, func() {
		// Runs before the tray's D-Bus connection closes: after it, an
		// update would make the tray library panic on the closed bus.
		t.mu.Lock()
		t.closed = true
		t.mu.Unlock()
	})
}

// Stop removes the tray icon and makes Run return.
func Stop() { systray.Quit() }

type tray struct {
	act Actions

	mu     sync.Mutex
	closed bool
	names  []string
	items  []*systray.MenuItem
	cancel context.CancelFunc
}

func (t *tray) call(f func()) {
	if f != nil {
		go f()
	}
}

func (t *tray) apply(v View) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	systray.SetIcon(v.Icon)
	systray.SetTitle(v.Title)
	systray.SetTooltip(v.Tooltip)

	if sameNames(t.names, v.Items) {
		for i, it := range v.Items {
			t.items[i].SetTitle(it.Label)
		}
		return
	}
	t.rebuild(v)
}

// rebuild redraws the whole menu when the set of credentials changed.
func (t *tray) rebuild(v View) {
	if t.cancel != nil {
		t.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	systray.ResetMenu()
	t.names, t.items = nil, nil

	for _, it := range v.Items {
		mi := systray.AddMenuItem(it.Label, "Open "+it.Name)
		t.names = append(t.names, it.Name)
		t.items = append(t.items, mi)
		name := it.Name
		listen(ctx, mi, func() {
			if t.act.Open != nil {
				t.act.Open(name)
			}
		})
	}
	if len(v.Items) > 0 {
		systray.AddSeparator()
	}
	listen(ctx, systray.AddMenuItem("Refresh all", "Check and renew every credential now"), func() { t.call(t.act.Refresh) })
	listen(ctx, systray.AddMenuItem("Open tokentray…", "Show the window"), func() {
		if t.act.Open != nil {
			t.act.Open("")
		}
	})
	systray.AddSeparator()
	listen(ctx, systray.AddMenuItem("Quit", "Stop tokentray; credentials are not renewed while it is stopped"), func() {
		if t.act.Quit != nil {
			t.act.Quit()
		}
	})
}

func listen(ctx context.Context, mi *systray.MenuItem, f func()) {
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-mi.ClickedCh:
				f()
			}
		}
	}()
}

func sameNames(names []string, items []Item) bool {
	if len(names) != len(items) {
		return false
	}
	for i := range items {
		if names[i] != items[i].Name {
			return false
		}
	}
	return true
}
