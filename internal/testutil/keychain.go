package testutil

import (
	"github.com/godbus/dbus/v5"
)

// KeychainUsers lists the user names ("<credential ID>/<field>") of every
// Secret Service item stored under service, locked or not, so a test can
// look for items no credential owns.
func KeychainUsers(service string) ([]string, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var unlocked, locked []dbus.ObjectPath
	if err := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").
		Call("org.freedesktop.Secret.Service.SearchItems", 0, map[string]string{"service": service}).
		Store(&unlocked, &locked); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range append(unlocked, locked...) {
		v, err := conn.Object("org.freedesktop.secrets", p).GetProperty("org.freedesktop.Secret.Item.Attributes")
		if err != nil {
			return nil, err
		}
		if attrs, ok := v.Value().(map[string]string); ok {
			out = append(out, attrs["username"])
		}
	}
	return out, nil
}
