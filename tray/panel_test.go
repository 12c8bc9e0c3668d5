package tray

import (
	"strings"
	"sync"
	"testing"
	"time"

	"tokentray/auth"
)

// fakePanel counts what the tray sends, as a panel would receive it.
type fakePanel struct {
	mu                          sync.Mutex
	icons, titles, tips, resets int
	adds, updates               int
	tooltip                     string
	labels                      map[int]string
	clicks                      map[string]func()
	next                        int
}

func newFakePanel() *fakePanel {
	return &fakePanel{labels: map[int]string{}, clicks: map[string]func(){}}
}

func (f *fakePanel) SetIcon([]byte)        { f.mu.Lock(); f.icons++; f.mu.Unlock() }
func (f *fakePanel) SetTitle(string)       { f.mu.Lock(); f.titles++; f.mu.Unlock() }
func (f *fakePanel) SetTooltip(tip string) { f.mu.Lock(); f.tips++; f.tooltip = tip; f.mu.Unlock() }
func (f *fakePanel) ResetMenu() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resets++
	f.labels, f.clicks = map[int]string{}, map[string]func(){}
}

func (f *fakePanel) AddItem(parent any, it MenuItem, onClick func()) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.adds++
	f.next++
	f.labels[f.next] = it.Label
	if onClick != nil {
		f.clicks[it.Label] = onClick
	}
	return f.next
}

func (f *fakePanel) UpdateItem(h any, old, it MenuItem) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates++
	f.labels[h.(int)] = it.Label
}

// calls is every message sent so far.
func (f *fakePanel) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.icons + f.titles + f.tips + f.resets + f.adds + f.updates
}

func (f *fakePanel) tip() string { f.mu.Lock(); defer f.mu.Unlock(); return f.tooltip }

// click clicks the item whose label starts with prefix.
func (f *fakePanel) click(t *testing.T, prefix string) {
	t.Helper()
	f.mu.Lock()
	var fn func()
	for l, c := range f.clicks {
		if strings.HasPrefix(l, prefix) {
			fn = c
		}
	}
	f.mu.Unlock()
	if fn == nil {
		t.Fatalf("no menu item %q", prefix)
	}
	fn()
}

func TestARedrawSendsOnlyWhatChanged(t *testing.T) {
	p := newFakePanel()
	var cmds []Command
	s := newShown(p, func(c Command) { cmds = append(cmds, c) })
	e := demo()
	s.apply(Render(e, ViewOptions{}, t0))
	if p.icons != 1 || p.titles != 1 || p.tips != 1 || p.resets != 1 || p.adds == 0 {
		t.Fatalf("first draw: %+v", p)
	}
	before := p.calls()
	s.apply(Render(e, ViewOptions{}, t0))
	if p.calls() != before {
		t.Errorf("a redraw with no change sent %d messages", p.calls()-before)
	}

	// One second later only the countdown moved: the tooltip and the
	// pending credential's line, nothing else (no icon, no new menu).
	s.apply(Render(e, ViewOptions{}, t0.Add(time.Second)))
	if got := p.calls() - before; got != 2 || p.tips != 2 || p.updates != 1 {
		t.Errorf("a countdown tick sent %d messages (%d tooltips, %d item updates, %d icons, %d resets), want a tooltip and one item", got, p.tips, p.updates, p.icons, p.resets)
	}

	// A state change that keeps the same actions updates in place; the
	// icon follows the worst state.
	e[4].Health = auth.Health{State: auth.OK, CheckedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour)}
	e[2].Health.State = auth.Expiring
	before = p.calls()
	s.apply(Render(e, ViewOptions{}, t0.Add(time.Second)))
	if p.resets != 2 {
		t.Errorf("the actions changed but the menu was not rebuilt (%d resets)", p.resets)
	}
	if p.icons != 2 {
		t.Errorf("the worst state changed but the icon was sent %d times", p.icons)
	}

	for _, l := range p.labels {
		if strings.HasPrefix(l, "Verify 2FA") {
			t.Error("Verify 2FA is still offered once verified")
		}
	}
	p.click(t, "Refresh all")
	if len(cmds) != 1 || cmds[0].Kind != CmdRefreshAll {
		t.Errorf("clicks = %+v, want Refresh all", cmds)
	}
}

func TestAnAutostartToggleUpdatesOneItem(t *testing.T) {
	p := newFakePanel()
	s := newShown(p, nil)
	e := demo()[:1]
	s.apply(Render(e, ViewOptions{}, t0))
	before := p.calls()
	s.apply(Render(e, ViewOptions{Autostart: true}, t0))
	if got := p.calls() - before; got != 1 || p.updates != 1 {
		t.Errorf("checking Start at login sent %d messages, want one item update", got)
	}
}

// A value the tray library lost while it exported the item is set
// again, as it is, even though nothing changed.
func TestReassertSetsTheShownValuesAgain(t *testing.T) {
	f := &fakePanel{}
	s := newShown(f, nil)
	s.reassert() // nothing drawn yet: nothing to set
	if f.tips != 0 {
		t.Fatalf("reassert before the first view set the tooltip %d times", f.tips)
	}
	s.apply(View{Title: "tokentray", Tooltip: "tokentray\nno credentials yet"})
	f.mu.Lock()
	f.tooltip = "" // lost by the library
	f.mu.Unlock()
	s.reassert()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tooltip != "tokentray\nno credentials yet" || f.tips != 2 || f.titles != 2 || f.icons != 2 {
		t.Errorf("after reassert: tooltip %q, %d tooltips, %d titles, %d icons", f.tooltip, f.tips, f.titles, f.icons)
	}
}
