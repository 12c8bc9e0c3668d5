package testutil

import (
	"maps"
	"slices"
	"sync"

	"github.com/godbus/dbus/v5"

	"tokentray/auth"
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
	search := func() ([]dbus.ObjectPath, error) {
		var unlocked, locked []dbus.ObjectPath
		err := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").
			Call("org.freedesktop.Secret.Service.SearchItems", 0, map[string]string{"service": service}).
			Store(&unlocked, &locked)
		return append(unlocked, locked...), err
	}
	paths, err := search()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range paths {
		v, err := conn.Object("org.freedesktop.secrets", p).GetProperty("org.freedesktop.Secret.Item.Attributes")
		if err != nil {
			// Other processes share the session's keychain: an item
			// deleted since the search is simply gone.
			now, serr := search()
			if serr == nil && !slices.Contains(now, p) {
				continue
			}
			return nil, err
		}
		if attrs, ok := v.Value().(map[string]string); ok {
			out = append(out, attrs["username"])
		}
	}
	return out, nil
}

// CountingSecrets is a SecretStore that counts the reads and writes that
// reach it, per field, as a keychain's round trips would be counted.
type CountingSecrets struct {
	auth.SecretStore

	mu         sync.Mutex
	gets, sets map[string]int
	totalGets  int
}

// NewCountingSecrets counts the calls that reach s.
func NewCountingSecrets(s auth.SecretStore) *CountingSecrets {
	return &CountingSecrets{SecretStore: s, gets: map[string]int{}, sets: map[string]int{}}
}

func (c *CountingSecrets) Get(id, field string) (string, error) {
	c.mu.Lock()
	c.gets[field]++
	c.totalGets++
	c.mu.Unlock()
	return c.SecretStore.Get(id, field)
}

func (c *CountingSecrets) Set(id, field, v string) error {
	c.mu.Lock()
	c.sets[field]++
	c.mu.Unlock()
	return c.SecretStore.Set(id, field, v)
}

// Reset forgets what was counted.
func (c *CountingSecrets) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets, c.sets, c.totalGets = map[string]int{}, map[string]int{}, 0
}

// Gets returns the reads per field since the last Reset.
func (c *CountingSecrets) Gets() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.gets)
}
