//go:build linux

package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/keychain"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
	"tokentray/tray"
)

// leaveOrphans leaves in dir and the keychain what a process killed with
// SIGKILL leaves: during an add, the app secret of a credential the
// settings never got (named in the store's journal); during a keychain
// check, its throwaway item and the mark beside the locks. It returns
// the keychain users left.
func leaveOrphans(t *testing.T, dir string, kc *keychain.Keyring, deadPID int) []string {
	t.Helper()
	id := auth.NewID()
	if err := kc.Set(id, auth.FieldAppSecret, "test-orphan-secret"); err != nil {
		t.Fatal(err)
	}
	j := map[string]any{"pending": []map[string]any{{"id": id, "op": "add", "at": time.Now().UTC()}}}
	b, _ := json.Marshal(j)
	if err := os.WriteFile(filepath.Join(dir, "journal.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	probe := fmt.Sprintf("check-%d-%x", deadPID, time.Now().UnixNano())
	if err := kc.Set(probe, "test item", "tokentray-keychain-check-test"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "locks", probe+".keychain-check"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{id + "/" + auth.FieldAppSecret, probe + "/test item"}
}

// TestTheAgentCleansWhatKilledCommandsLeft: orphan keychain items of an
// add killed midway and the throwaway item of a killed keychain check
// are deleted when the agent starts, and, when a command is killed while
// the agent runs, at the agent's next round of checks, with no other
// command run.
func TestTheAgentCleansWhatKilledCommandsLeft(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("needs the keychain: run inside scripts/with-desktop.sh (make test does)")
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	kcService := fmt.Sprintf("tokentray-orphans-%d", time.Now().UnixNano())
	kc := keychain.New(kcService, 0)
	dir := t.TempDir()
	st, err := store.Open(dir, kc)
	if err != nil {
		t.Fatal(err)
	}
	left := func() []string {
		users, err := testutil.KeychainUsers(kcService)
		if err != nil {
			t.Fatal(err)
		}
		return users
	}
	goneFrom := func(what string, orphans []string) {
		t.Helper()
		var users []string
		if !testutil.Poll(testutil.WaitTimeout, 20*time.Millisecond, func() bool {
			users = left()
			for _, o := range orphans {
				if slices.Contains(users, o) {
					return false
				}
			}
			return true
		}) {
			var still []string
			for _, o := range orphans {
				if slices.Contains(users, o) {
					still = append(still, o)
				}
			}
			t.Fatalf("%s: still in the keychain: %s", what, strings.Join(still, ", "))
		}
	}

	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	p := testutil.NewFakeProvider(auth.KindFutuKey, clock)
	eng := engine.NewWithOptions(engine.Options{Store: st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuKey: p}, Clock: clock})
	// One credential, so that the agent has checks to make.
	if _, err := eng.AddWith(context.Background(), auth.Credential{Name: "key", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppSecret: "test-app-secret-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = eng.Remove(context.Background(), "key") })

	// Killed before the agent started (after this store was opened, as
	// the agent's own store is opened before its loop starts).
	first := leaveOrphans(t, dir, kc, gone.Process.Pid)
	for _, o := range first {
		if !slices.Contains(left(), o) {
			t.Fatalf("the orphan %s was not made", o)
		}
	}
	agent := tray.NewAgent(service.Local{Eng: eng}, tray.AgentOptions{Clock: clock, Dir: t.TempDir(), Prefs: st})
	ctx, stop := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { agent.RunHeadless(ctx, nil); close(stopped) }()
	t.Cleanup(func() { stop(); <-stopped })
	goneFrom("after the agent started", first)

	// Killed while the agent runs: gone at its next round of checks. The
	// round at start (the credential was never checked) ends first, so
	// that the clock moves the agent's next round, not one yet to be set.
	testutil.Eventually(t, "the check at start to end", func() bool {
		c, err := st.Get("key")
		return err == nil && !c.LastChecked.IsZero()
	})
	second := leaveOrphans(t, dir, kc, gone.Process.Pid)
	if err := clock.BlockUntilContext(testutil.Context(t, 10*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(store.DefaultCheckEvery)
	goneFrom("after the agent's next round of checks", second)
	testutil.Eventually(t, "the journal to be emptied", func() bool {
		b, err := os.ReadFile(filepath.Join(dir, "journal.json"))
		return err != nil || !strings.Contains(string(b), `"id"`)
	})
}
