//go:build linux

package keychain

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"

	"tokentray/auth"
)

// countingKeyring is a Keyring over the real Secret Service whose
// connection counts the method calls it sends to the Secret Service.
func countingKeyring(t *testing.T) (*Keyring, *atomic.Int64) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("DBUS_SESSION_BUS_ADDRESS is unset: run under dbus-run-session with an unlocked gnome-keyring (make test does)")
	}
	var n atomic.Int64
	be := &secretService{opts: []dbus.ConnOption{dbus.WithOutgoingInterceptor(func(m *dbus.Message) {
		if m.Type == dbus.TypeMethodCall && m.Headers[dbus.FieldDestination].Value() == ssName {
			n.Add(1)
		}
	})}}
	k := New("tokentray-test-calls", 10*time.Second)
	k.be = be
	t.Cleanup(func() { be.mu.Lock(); be.reset(); be.mu.Unlock() })
	return k, &n
}

func TestEachFieldIsOneSecretServiceCall(t *testing.T) {
	k, calls := countingKeyring(t)
	id := "test-" + auth.NewID()
	fields := []string{auth.FieldAppKey, auth.FieldAppSecret, auth.FieldAccessToken}
	t.Cleanup(func() {
		for _, f := range fields {
			_ = k.Delete(id, f)
		}
	})
	for _, f := range fields {
		if err := k.Set(id, f, "test-value-"+f); err != nil {
			t.Fatal(err)
		}
	}
	// Opening the session and finding the collection happen once.
	calls.Store(0)
	for _, f := range fields {
		if err := k.Set(id, f, "test-value-2-"+f); err != nil {
			t.Fatal(err)
		}
	}
	if got := calls.Load(); got != int64(len(fields)) {
		t.Fatalf("writing %d fields took %d Secret Service calls, want one each", len(fields), got)
	}
	calls.Store(0)
	for _, f := range fields {
		v, err := k.Get(id, f)
		if err != nil || v != "test-value-2-"+f {
			t.Fatalf("Get %s = %q, %v", f, v, err)
		}
	}
	if got := calls.Load(); got != int64(len(fields)) {
		t.Fatalf("reading %d known fields took %d Secret Service calls, want one each", len(fields), got)
	}
}

func TestAFreshProcessReadsAFieldInThreeCalls(t *testing.T) {
	writer, _ := countingKeyring(t)
	id := "test-" + auth.NewID()
	if err := writer.Set(id, auth.FieldAccessToken, "test-token"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = writer.Delete(id, auth.FieldAccessToken) })
	// `tokentray token NAME` starts cold: a session, a search, the read.
	k, calls := countingKeyring(t)
	if v, err := k.Get(id, auth.FieldAccessToken); err != nil || v != "test-token" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if got := calls.Load(); got != 3 {
		t.Fatalf("a cold read took %d Secret Service calls, want 3 (OpenSession, SearchItems, GetSecret)", got)
	}
}

func TestItemsAreSharedWithGoKeyringAndSurviveOtherProcesses(t *testing.T) {
	k, _ := countingKeyring(t)
	id := "test-" + auth.NewID()
	user := id + "/" + auth.FieldRefreshToken
	t.Cleanup(func() { _ = keyring.Delete(k.service, user) })
	// Stored by go-keyring (an older tokentray): found here.
	if err := keyring.Set(k.service, user, "test-refresh-1"); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get(id, auth.FieldRefreshToken); err != nil || v != "test-refresh-1" {
		t.Fatalf("reading go-keyring's item: %q, %v", v, err)
	}
	// Deleted and stored again by another process behind this one's cache.
	if err := keyring.Delete(k.service, user); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(id, auth.FieldRefreshToken); !errors.Is(err, auth.ErrSecretNotFound) {
		t.Fatalf("an item another process deleted still reads: %v", err)
	}
	if err := keyring.Set(k.service, user, "test-refresh-2"); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get(id, auth.FieldRefreshToken); err != nil || v != "test-refresh-2" {
		t.Fatalf("after another process stored it again: %q, %v", v, err)
	}
	// Stored here: go-keyring finds the one item, replaced not duplicated.
	if err := k.Set(id, auth.FieldRefreshToken, "test-refresh-3"); err != nil {
		t.Fatal(err)
	}
	if v, err := keyring.Get(k.service, user); err != nil || v != "test-refresh-3" {
		t.Fatalf("go-keyring reads %q, %v", v, err)
	}
	if err := k.Delete(id, auth.FieldRefreshToken); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(k.service, user); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("deleted here, go-keyring still finds it: %v", err)
	}
}

func TestAfterPrepareWriteANewSecretIsOneCall(t *testing.T) {
	k, calls := countingKeyring(t)
	id := "test-" + auth.NewID()
	t.Cleanup(func() { _ = k.Delete(id, auth.FieldRefreshToken) })
	k.PrepareWrite()
	calls.Store(0)
	if err := k.Set(id, auth.FieldRefreshToken, "test-refresh-new"); err != nil {
		t.Fatal(err)
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("storing a new refresh token took %d Secret Service calls after PrepareWrite, want 1", got)
	}
}

func TestACheckKilledMidwayIsCleanedUp(t *testing.T) {
	k, _ := countingKeyring(t)
	// What a Check killed between its write and its delete leaves: an item
	// named for a process that is gone (pid 1 is alive; a huge one is not).
	dead := checkPrefix + "999999999-0011223344556677"
	alive := fmt.Sprintf("%s%d-8899aabbccddeeff", checkPrefix, os.Getpid())
	for _, id := range []string{dead, alive} {
		if err := k.Set(id, "test item", "test-check-value"); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = k.Delete(alive, "test item"); _ = k.Delete(dead, "test item") })
	k.RemoveStaleChecks()
	if _, err := k.Get(dead, "test item"); !errors.Is(err, auth.ErrSecretNotFound) {
		t.Fatalf("the item of a dead check is still there: %v", err)
	}
	if _, err := k.Get(alive, "test item"); err != nil {
		t.Fatalf("the item of a check still running was deleted: %v", err)
	}
}

func TestWithoutAMarkOfAGoneCheckTheKeychainIsNotAsked(t *testing.T) {
	k, calls := countingKeyring(t)
	dir := t.TempDir()
	// A running check's mark (this process) and files that are not marks.
	for _, name := range []string{fmt.Sprintf("%s%d-0011223344556677%s", checkPrefix, os.Getpid(), markSuffix), "c1.lock", "c1.inflight"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	k.CheckMarksIn(dir)
	if got := calls.Load(); got != 0 {
		t.Fatalf("with no mark of a gone check, the keychain got %d calls, want none", got)
	}
	if k.be.(*secretService).conn != nil {
		t.Fatal("with no mark of a gone check, the session bus was connected")
	}
}

func TestAMarkOfAGoneCheckHasItsItemRemoved(t *testing.T) {
	k, _ := countingKeyring(t)
	dir := t.TempDir()
	dead := checkPrefix + "999999999-8899aabbccddeeff"
	if err := k.Set(dead, "test item", "test-check-value"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = k.Delete(dead, "test item") })
	mark := filepath.Join(dir, dead+markSuffix)
	if err := os.WriteFile(mark, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	k.CheckMarksIn(dir)
	if _, err := k.Get(dead, "test item"); !errors.Is(err, auth.ErrSecretNotFound) {
		t.Fatalf("the item of a gone check is still there: %v", err)
	}
	if _, err := os.Stat(mark); !os.IsNotExist(err) {
		t.Fatalf("the mark of a check whose item was removed is still there: %v", err)
	}
}

func TestCheckLeavesNoMarkWhenItFinishes(t *testing.T) {
	k, _ := countingKeyring(t)
	dir := t.TempDir()
	k.CheckMarksIn(dir)
	if err := k.Check(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a finished check left %v", entries)
	}
}

func TestACredentialsFieldsAreReadInOneCall(t *testing.T) {
	writer, _ := countingKeyring(t)
	id := "test-" + auth.NewID()
	fields := []string{auth.FieldAppKey, auth.FieldAppSecret, auth.FieldAccessToken}
	for _, f := range fields[:2] {
		if err := writer.Set(id, f, "test-value-"+f); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, f := range fields {
			_ = writer.Delete(id, f)
		}
	})
	// A fresh process: a session, the searches (sent at once), one read.
	k, calls := countingKeyring(t)
	values, missing, err := k.GetFields(id, fields)
	if err != nil {
		t.Fatal(err)
	}
	if len(values) != 2 || values[auth.FieldAppKey] != "test-value-app_key" || values[auth.FieldAppSecret] != "test-value-app_secret" {
		t.Fatalf("values %v", values)
	}
	if len(missing) != 1 || missing[0] != auth.FieldAccessToken {
		t.Fatalf("missing %v, want the access token", missing)
	}
	if got := calls.Load(); got != int64(len(fields))+2 {
		t.Fatalf("a cold read of %d fields took %d Secret Service calls, want %d (a search each, OpenSession, GetSecrets)", len(fields), got, len(fields)+2)
	}
	// Known items: one call for all of them.
	calls.Store(0)
	if values, _, err := k.GetFields(id, fields[:2]); err != nil || len(values) != 2 {
		t.Fatalf("again: %v, %v", values, err)
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("reading 2 known fields took %d Secret Service calls, want 1", got)
	}
}

// methodCounter is a Keyring over the real Secret Service whose
// connection counts its calls to the Secret Service by method.
func methodCounter(t *testing.T, service string) (*Keyring, func() map[string]int) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("DBUS_SESSION_BUS_ADDRESS is unset: run under dbus-run-session with an unlocked gnome-keyring (make test does)")
	}
	var mu sync.Mutex
	counts := map[string]int{}
	be := &secretService{opts: []dbus.ConnOption{dbus.WithOutgoingInterceptor(func(m *dbus.Message) {
		if m.Type == dbus.TypeMethodCall && m.Headers[dbus.FieldDestination].Value() == ssName {
			mu.Lock()
			counts[m.Headers[dbus.FieldMember].Value().(string)]++
			mu.Unlock()
		}
	})}}
	k := New(service, 10*time.Second)
	k.be = be
	t.Cleanup(func() { be.mu.Lock(); be.reset(); be.mu.Unlock() })
	return k, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := counts
		counts = map[string]int{}
		return out
	}
}

// TestReadingManyCredentialsScansTheKeychainOnce: a refresh of every
// credential (Index, then each credential's fields) makes the Secret
// Service search its items once, not once per field, whatever their
// number; each credential's read is then one call.
func TestReadingManyCredentialsScansTheKeychainOnce(t *testing.T) {
	fields := []string{auth.FieldAppKey, auth.FieldAppSecret, auth.FieldAccessToken}
	for _, n := range []int{4, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			service := "tokentray-test-index-" + auth.NewID()
			writer, _ := methodCounter(t, service)
			ids := make([]string, n)
			for i := range ids {
				ids[i] = "test-" + auth.NewID()
				for _, f := range fields {
					if err := writer.Set(ids[i], f, "test-value-"+f); err != nil {
						t.Fatal(err)
					}
				}
			}
			t.Cleanup(func() {
				for _, id := range ids {
					for _, f := range fields {
						_ = writer.Delete(id, f)
					}
				}
			})
			// A fresh process refreshing every credential.
			k, calls := methodCounter(t, service)
			k.Index()
			read := func() {
				t.Helper()
				for _, id := range ids {
					values, missing, err := k.GetFields(id, fields)
					if err != nil || len(values) != len(fields) || len(missing) != 0 {
						t.Fatalf("%s: %v missing %v: %v", id, values, missing, err)
					}
				}
			}
			read()
			first := calls()
			t.Logf("%d credentials, a fresh process: %v", n, first)
			if first["SearchItems"] != 1 || first["GetSecrets"] != n || first["GetSecret"] != 0 {
				t.Errorf("%d credentials read by a fresh process: %v; want one search, and one read per credential", n, first)
			}
			// Each property read finds one item without a search: at most
			// one per item.
			if first["Get"] > n*len(fields) {
				t.Errorf("%d property reads for %d items", first["Get"], n*len(fields))
			}
			// The next round (the agent's next check): one call per
			// credential.
			k.Index()
			read()
			again := calls()
			total := 0
			for _, c := range again {
				total += c
			}
			if float64(total)/float64(n) > 2 || again["GetSecrets"] != n {
				t.Errorf("%d credentials read again: %v, %.2f calls each; want at most 2", n, again, float64(total)/float64(n))
			}
		})
	}
}
