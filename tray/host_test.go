//go:build linux

package tray

import (
	"os"
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
