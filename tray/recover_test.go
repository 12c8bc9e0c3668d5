package tray

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// TestTheTrayKeepsDrawingWhileARecoveryWaitsForTheBroker: a renewal a
// dead process left unfinished is asked about outside the agent's event
// loop, so a broker that stalls holds up neither the first view nor the
// next ones; its answer is drawn when it comes.
func TestTheTrayKeepsDrawingWhileARecoveryWaitsForTheBroker(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Now().UTC().Truncate(time.Second))
	sb, err := sandbox.Start(sandbox.Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.NewWithOptions(engine.Options{Store: st, Clock: clock,
		Providers: map[auth.Kind]auth.Provider{auth.KindFutuKey: futu.NewKeyProvider(futu.Options{Clock: clock})}})
	k, s, tok := sb.Futu.AddAPIKey(clock.Now().Add(80 * 24 * time.Hour))
	c, err := eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "key", Kind: auth.KindFutuKey, Endpoint: sb.FutuURL},
		map[string]string{auth.FieldAppKey: k, auth.FieldAppSecret: s, auth.FieldAccessToken: tok})
	if err != nil {
		t.Fatal(err)
	}
	// A process died while renewing it: the mark is left, the lock free.
	unlock, err := st.Lock(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkInFlight(c.ID, "refresh"); err != nil {
		t.Fatal(err)
	}
	unlock()
	// The broker answers after an hour on the fake clock; Times counts
	// the requests that reach it.
	const budget = 1000
	faults := sb.Futu.Faults()
	faults.Set(futu.VerifyPath, fault.Rule{Latency: time.Hour, Times: budget})

	a := NewAgent(service.Local{Eng: eng}, AgentOptions{Clock: clock, Prefs: fakePrefs{checkEvery(24 * time.Hour)}})
	var mu sync.Mutex
	var views []View
	a.out = func(v View) { mu.Lock(); views = append(views, v); mu.Unlock() }
	drawn := func() int { mu.Lock(); defer mu.Unlock(); return len(views) }
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { a.loop(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })

	if !testutil.Poll(10*time.Second, 2*time.Millisecond, func() bool {
		return faults.Rules()[futu.VerifyPath].Times < budget && drawn() > 0
	}) {
		t.Fatalf("with the broker asked (%d requests), the tray drew %d views, want the first at once",
			budget-faults.Rules()[futu.VerifyPath].Times, drawn())
	}
	// The loop still answers the menu while the broker has not answered.
	n := drawn()
	a.Do(Command{Kind: CmdAutostart})
	if !testutil.Poll(10*time.Second, 2*time.Millisecond, func() bool { return drawn() > n }) {
		t.Fatal("the tray stopped drawing while a recovery waited for the broker")
	}
	// The broker answers: the mark goes and the tray draws the answer.
	n = drawn()
	faults.Set(futu.VerifyPath, fault.Rule{}) // later requests are answered at once
	clock.Advance(time.Hour)
	if !testutil.Poll(10*time.Second, 2*time.Millisecond, func() bool {
		return !st.InFlight(c.ID) && drawn() > n
	}) {
		t.Fatalf("after the broker answered: marked %v, %d new views", st.InFlight(c.ID), drawn()-n)
	}
}
