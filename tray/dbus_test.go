//go:build linux && !race

// fyne.io/systray reads and bumps the menu version around the first
// GetLayout without a common lock, so the race detector flags the library
// whenever a panel reads the menu. `make test` runs this file in a second
// pass without -race.

package tray

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

// TestTrayOverDBus reads the tray the way a desktop panel does: the
// StatusNotifierItem's tooltip, the dbusmenu layout, a left click
// (Activate) and a menu click (Event).
func TestTrayOverDBus(t *testing.T) {
	conn := testutil.SessionBus(t)

	cmds := make(chan Command, 4)
	entries := []Entry{
		{Name: "futu-main", Health: auth.Health{State: auth.OK, CheckedAt: time.Now()}},
		{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.ActionNeeded, Reason: "verify the new token in the Webull app", CheckedAt: time.Now()}},
	}
	updates := make(chan View, 1)
	go Run(Render(entries, ViewOptions{Sandbox: true}, time.Now()), updates, func(c Command) { cmds <- c })
	defer Stop()

	name := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", os.Getpid())
	item := conn.Object(name, "/StatusNotifierItem")
	menu := conn.Object(name, "/StatusNotifierItem/menu")
	testutil.EventuallyWithin(t, 20*time.Second, "the tray to appear on the bus", func() bool {
		var owner string
		return conn.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, name).Store(&owner) == nil
	})

	tip := func() string {
		v, err := item.GetProperty("org.kde.StatusNotifierItem.ToolTip")
		if err != nil {
			t.Fatalf("ToolTip: %v", err)
		}
		// (icon name, icon pixmaps, title, description)
		fields := v.Value().([]interface{})
		return fields[2].(string) + "\n" + fields[3].(string)
	}
	testutil.EventuallyWithin(t, 20*time.Second, "the tooltip", func() bool { return strings.Contains(tip(), "1 action needed") })
	if got := tip(); !strings.Contains(got, "sandbox") || !strings.Contains(got, "webull-us: Action needed") {
		t.Errorf("tooltip = %q", got)
	}
	if v, err := item.GetProperty("org.kde.StatusNotifierItem.ItemIsMenu"); err != nil || v.Value().(bool) {
		t.Errorf("ItemIsMenu = %v (%v): a left click would open the menu instead of refreshing", v, err)
	}

	labels, ids := menuLabels(t, menu)
	for _, want := range []string{"Refresh all", "futu-main: OK", "webull-us: Action needed, verify 2FA", "Open tokentray…", "Add a credential…", "Settings…", "Start at login", "Quit"} {
		if !containsPrefix(labels, want) {
			t.Errorf("menu %q lacks %q", labels, want)
		}
	}

	if call := item.Call("org.kde.StatusNotifierItem.Activate", 0, int32(0), int32(0)); call.Err != nil {
		t.Fatalf("Activate (left click): %v", call.Err)
	}
	select {
	case c := <-cmds:
		if c.Kind != CmdRefreshAll {
			t.Errorf("a left click did %+v", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a left click on the icon did not refresh")
	}

	sub := ids[indexPrefix(labels, "webull-us")]
	kids, kidIDs := subLabels(t, menu, sub)
	if strings.Join(kids, "|") != "Verify the new token in the Webull app|Refresh|Verify 2FA…|Details…" {
		t.Errorf("webull-us submenu = %q", kids)
	}
	if call := menu.Call("com.canonical.dbusmenu.Event", 0, kidIDs[indexPrefix(kids, "Verify 2FA")], "clicked", dbus.MakeVariant(""), uint32(0)); call.Err != nil {
		t.Fatalf("menu click: %v", call.Err)
	}
	select {
	case c := <-cmds:
		if c != (Command{Kind: CmdAct, Credential: "webull-us", Action: auth.ActionVerify}) {
			t.Errorf("clicking Verify 2FA did %+v", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("clicking Verify 2FA did nothing")
	}

	entries[1].Health = auth.Health{State: auth.OK}
	updates <- Render(entries, ViewOptions{Sandbox: true}, time.Now())
	testutil.EventuallyWithin(t, 20*time.Second, "the tooltip to follow an update", func() bool { return strings.Contains(tip(), "2 ok") })
	testutil.EventuallyWithin(t, 20*time.Second, "the menu to follow an update", func() bool {
		labels, _ = menuLabels(t, menu)
		return containsPrefix(labels, "webull-us: OK") && containsPrefix(labels, "Quit")
	})
	if containsPrefix(labels, "webull-us: Action") {
		t.Errorf("menu after update = %q", labels)
	}
}

type layout struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

func menuLabels(t *testing.T, menu dbus.BusObject) ([]string, []int32) {
	t.Helper()
	return subLabels(t, menu, 0)
}

// subLabels reads the visible labels and ids of one (sub)menu's items.
func subLabels(t *testing.T, menu dbus.BusObject, parent int32) ([]string, []int32) {
	t.Helper()
	var rev uint32
	var root layout
	if err := menu.Call("com.canonical.dbusmenu.GetLayout", 0, parent, int32(-1), []string{}).Store(&rev, &root); err != nil {
		t.Fatalf("GetLayout: %v", err)
	}
	var labels []string
	var ids []int32
	for _, c := range root.Children {
		fields := c.Value().([]interface{})
		props := fields[1].(map[string]dbus.Variant)
		if vis, ok := props["visible"]; ok && !vis.Value().(bool) {
			continue
		}
		if l, ok := props["label"]; ok {
			labels = append(labels, strings.TrimLeft(l.Value().(string), "✓?⌛…!✗ "))
			ids = append(ids, fields[0].(int32))
		}
	}
	return labels, ids
}

func indexPrefix(labels []string, p string) int {
	for i, l := range labels {
		if strings.HasPrefix(l, p) {
			return i
		}
	}
	return -1
}

func containsPrefix(labels []string, p string) bool { return indexPrefix(labels, p) >= 0 }
