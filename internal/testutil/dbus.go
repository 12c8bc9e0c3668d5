package testutil

import (
	"os"
	"testing"

	"github.com/godbus/dbus/v5"
)

// SessionBus connects to the D-Bus session bus, closed when the test
// ends; without one the test is skipped.
func SessionBus(t testing.TB) *dbus.Conn {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no D-Bus session bus: run through `make test`")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// PlayService has conn play a desktop service for the rest of the test:
// it exports v (when not nil) at path under iface and owns the bus name
// name, so the code under test finds it where it finds the real one.
func PlayService(t testing.TB, conn *dbus.Conn, name string, v any, path dbus.ObjectPath, iface string) {
	t.Helper()
	if v != nil {
		if err := conn.Export(v, path, iface); err != nil {
			t.Fatal(err)
		}
	}
	if reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("could not play %s: %v %v", name, reply, err)
	}
	t.Cleanup(func() { conn.ReleaseName(name) })
}
