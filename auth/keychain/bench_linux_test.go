//go:build linux

package keychain

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"

	"tokentray/auth"
)

// The Secret Service client here against go-keyring's, on the paths a
// command takes from a cold process (make bench runs these inside the
// private desktop session, its gnome-keyring holding other items beside
// the ones read): `token` reads one field; a check reads a credential's
// three fields. Each iteration is a fresh connection, as a new process
// has. go-keyring opens a plain session (each secret crosses the session
// bus as it is) and reads item by item; the client here opens the
// encrypted session libsecret uses and reads a credential's fields in
// one GetSecrets. Both keep one connection to the bus across the
// iterations (go-keyring's is shared by the process): the connection is
// the same for both and is left out.

func benchItems(b *testing.B, service string, n int) (ids []string) {
	b.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		b.Skip("DBUS_SESSION_BUS_ADDRESS is unset: run inside scripts/with-desktop.sh")
	}
	k := New(service, 10*time.Second)
	fields := []string{auth.FieldAppKey, auth.FieldAppSecret, auth.FieldAccessToken}
	for i := range n {
		id := fmt.Sprintf("bench-%03d", i)
		for _, f := range fields {
			if err := k.Set(id, f, "bench-value-"+f); err != nil {
				b.Fatal(err)
			}
		}
		ids = append(ids, id)
	}
	b.Cleanup(func() {
		for _, id := range ids {
			for _, f := range fields {
				_ = k.Delete(id, f)
			}
		}
	})
	return ids
}

// forget makes k's client start as in a new process, except that it
// keeps its connection to the bus, as go-keyring keeps its own for the
// life of a process.
func forget(k *Keyring) {
	s := k.be.(*secretService)
	s.mu.Lock()
	s.session, s.collection, s.items = session{}, "", map[string]dbus.ObjectPath{}
	s.mu.Unlock()
}

// benchService is the service name of these benchmarks' items; 100
// credentials' items sit in the keychain beside the one read.
const benchService, benchCredentials = "tokentray-bench-keychain", 100

func BenchmarkColdReadOneField(b *testing.B) {
	ids := benchItems(b, benchService, benchCredentials)
	id := ids[len(ids)/2]
	b.Run("ours", func(b *testing.B) {
		k := New(benchService, 10*time.Second)
		for b.Loop() {
			if v, err := k.Get(id, auth.FieldAccessToken); err != nil || v == "" {
				b.Fatal(v, err)
			}
			forget(k)
		}
	})
	b.Run("go-keyring", func(b *testing.B) {
		for b.Loop() {
			if v, err := keyring.Get(benchService, id+"/"+auth.FieldAccessToken); err != nil || v == "" {
				b.Fatal(v, err)
			}
		}
	})
}

func BenchmarkColdReadCredential(b *testing.B) {
	ids := benchItems(b, benchService, benchCredentials)
	id := ids[len(ids)/2]
	fields := []string{auth.FieldAppKey, auth.FieldAppSecret, auth.FieldAccessToken}
	b.Run("ours", func(b *testing.B) {
		k := New(benchService, 10*time.Second)
		for b.Loop() {
			if v, missing, err := k.GetFields(id, fields); err != nil || len(v) != 3 || len(missing) != 0 {
				b.Fatal(v, missing, err)
			}
			forget(k)
		}
	})
	b.Run("go-keyring", func(b *testing.B) {
		for b.Loop() {
			for _, f := range fields {
				if v, err := keyring.Get(benchService, id+"/"+f); err != nil || v == "" {
					b.Fatal(v, err)
				}
			}
		}
	})
}
