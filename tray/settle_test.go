package tray

import (
	"context"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

func forcedGCs() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestTheAgentHandsFreedMemoryBackWhenWorkEnds: once the start-up and
// its checks are over, the agent returns what they freed to the system
// (a forced collection that releases free pages) instead of keeping up
// to the collector's 4 MB smallest heap resident while it sleeps.
func TestTheAgentHandsFreedMemoryBackWhenWorkEnds(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	broker := &namedBroker{clock: clock}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: broker}, clock)
	if _, err := eng.AddWith(context.Background(), auth.Credential{Name: "never", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppSecret: "test-app-secret"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	before := forcedGCs()
	a := NewAgent(service.Local{Eng: eng}, AgentOptions{Clock: clock, Dir: st.Dir(), Prefs: st})
	p := newFakePanel()
	a.out = newShown(p, a.Do).apply
	a.settleAfter = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { a.loop(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })

	// The check at start ends; the loop sleeps on its timer again.
	if !testutil.Poll(5*time.Second, 2*time.Millisecond, func() bool { return len(broker.take()) > 0 || p.tip() != "" }) {
		t.Fatal("the agent never drew its tray")
	}
	if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	if !testutil.Poll(5*time.Second, 5*time.Millisecond, func() bool { return forcedGCs() > before }) {
		t.Fatal("the agent's start-up ended and it kept the memory it freed: no collection handed it back")
	}
}
