//go:build linux

package tray

import (
	"os"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

func TestHostPresentFollowsThePanel(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no D-Bus session bus: run through `make test`")
	}
	if HostPresent() {
		t.Fatal("a tray host is reported in a session with no panel")
	}
	panel, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer panel.Close()
	if reply, err := panel.RequestName(watcher, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("could not play the panel: %v %v", reply, err)
	}
	if !HostPresent() {
		t.Error("the panel's watcher is not seen")
	}
}

func TestWithoutHostNoiseDropsOnlyThePanelComplaint(t *testing.T) {
	var b strings.Builder
	w := WithoutHostNoise(&b)
	_, _ = w.Write([]byte("systray error: failed to register: The name org.kde.StatusNotifierWatcher was not provided by any .service files\n"))
	_, _ = w.Write([]byte("systray error: failed to export status notifier item\n"))
	if got := b.String(); got != "systray error: failed to export status notifier item\n" {
		t.Errorf("log = %q", got)
	}
}
