package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// stallingBroker is an engine over n checked Futu API keys on the
// sandbox broker, at most perHost calls at once, and the broker's
// injector: with a latency rule the broker answers nothing until the
// fake clock passes it.
func stallingBroker(t *testing.T, n, perHost int) (*engine.Engine, *store.Store, *clockwork.FakeClock, *fault.Injector) {
	t.Helper()
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
	eng := engine.NewWithOptions(engine.Options{Store: st, Clock: clock, PerHost: perHost,
		Providers: map[auth.Kind]auth.Provider{auth.KindFutuKey: futu.NewKeyProvider(futu.Options{Clock: clock})}})
	exp := clock.Now().Add(80 * 24 * time.Hour)
	for i := range n {
		k, s, tok := sb.Futu.AddAPIKey(exp)
		if _, err := eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: fmt.Sprintf("key%02d", i), Kind: auth.KindFutuKey, Endpoint: sb.FutuURL},
			map[string]string{auth.FieldAppKey: k, auth.FieldAppSecret: s, auth.FieldAccessToken: tok}); err != nil {
			t.Fatal(err)
		}
	}
	return eng, st, clock, sb.Futu.Faults()
}

// TestAStoppedCheckKeepsWhatWasKnown: a check stopped while the broker
// has not answered (the agent told to stop during its start-up checks)
// learned nothing, so no credential loses its health, its expiry or the
// time of its last real check, neither those whose call was on its way
// nor those still queued behind the bound per broker host.
func TestAStoppedCheckKeepsWhatWasKnown(t *testing.T) {
	const n, perHost = 8, 2
	eng, st, clock, faults := stallingBroker(t, n, perHost)
	before, err := st.List()
	if err != nil || len(before) != n {
		t.Fatalf("stored %d credentials (%v)", len(before), err)
	}
	for _, c := range before {
		if c.Health.State != auth.OK || c.ExpiresAt.IsZero() || c.LastChecked.IsZero() {
			t.Fatalf("%s after its add: %v expiring %v checked %v, want OK with an expiry", c.Name, c.Health, c.ExpiresAt, c.LastChecked)
		}
	}
	clock.Advance(2 * time.Hour) // every check is due
	faults.Set(futu.VerifyPath, fault.Rule{Latency: time.Hour})
	ctx, stop := context.WithCancelCause(context.Background())
	done := make(chan []engine.Result, 1)
	go func() { done <- eng.RefreshNames(ctx, names(before), false) }()
	// perHost calls wait at the broker, the rest behind the bound.
	if err := clock.BlockUntilContext(testutil.Context(t, 20*time.Second), perHost); err != nil {
		t.Fatalf("the calls never reached the broker: %v", err)
	}
	stop(auth.ErrStopped)
	var rs []engine.Result
	select {
	case rs = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("a stopped check did not return")
	}
	for _, r := range rs {
		if r.Err == nil {
			t.Errorf("%s: a stopped check reported no error (%v)", r.Name, r.Health)
		}
	}
	after, err := st.List()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range after {
		b := before[i]
		if c.Health.State != b.Health.State || !c.ExpiresAt.Equal(b.ExpiresAt) || !c.Health.ExpiresAt.Equal(b.Health.ExpiresAt) || !c.LastChecked.Equal(b.LastChecked) {
			t.Errorf("%s after a stopped check: %v expiring %v (health %v) checked %v; want it as it was: %v expiring %v checked %v",
				c.Name, c.Health, c.ExpiresAt, c.Health.ExpiresAt, c.LastChecked, b.Health, b.ExpiresAt, b.LastChecked)
		}
	}
	if ids, err := st.Interrupted(); err != nil || len(ids) != 0 {
		t.Errorf("a stopped check left %d calls marked as interrupted (%v)", len(ids), err)
	}
}

func names(cs []auth.Credential) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}
