package tray

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
)

// flakyBroker answers "broker unreachable" a number of times, then OK.
type flakyBroker struct {
	mu      sync.Mutex
	calls   int
	failFor int
	// life, when set, is how long the token lives after each check.
	life  time.Duration
	clock clockwork.Clock
}

func (f *flakyBroker) Kind() auth.Kind { return auth.KindFutuKey }
func (f *flakyBroker) Assess(c auth.Credential, now time.Time) auth.Health {
	return c.Health
}
func (f *flakyBroker) Refresh(_ context.Context, c *auth.Credential, _ auth.Secrets, _ auth.RefreshOptions) (auth.Health, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.failFor {
		return auth.Health{State: auth.Unknown, Reason: "the broker did not answer"}, nil
	}
	h := auth.Health{State: auth.OK}
	if f.life > 0 {
		c.ExpiresAt = f.clock.Now().Add(f.life)
		h.ExpiresAt = c.ExpiresAt
	}
	return h, nil
}
func (f *flakyBroker) Token(auth.Credential, auth.Secrets) (string, error) { return "", nil }
func (f *flakyBroker) Env(auth.Credential, auth.Secrets) (map[string]string, string, error) {
	return nil, "", nil
}
func (f *flakyBroker) count() int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }

func TestAgentRetriesUnansweredBrokersWithBackoff(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	broker := &flakyBroker{failFor: 2}
	ctx, a := runAgent(t, clock, broker)
	waitCalls := func(n int) { t.Helper(); broker.waitCalls(t, n) }
	// advance moves the fake clock once the loop waits on it again.
	advance := func(d time.Duration) {
		t.Helper()
		// the drawing ticker, the next-check timer and the retry timer
		if err := clock.BlockUntilContext(ctx, 3); err != nil {
			t.Fatal(err)
		}
		clock.Advance(d)
	}

	waitCalls(1) // at start: no answer
	advance(29 * time.Second)
	if broker.count() != 1 {
		t.Fatalf("asked again before 30 s (%d calls)", broker.count())
	}
	advance(time.Second)
	waitCalls(2) // 30 s later: still no answer
	advance(59 * time.Second)
	if broker.count() != 2 {
		t.Fatalf("the second retry did not wait 60 s (%d calls)", broker.count())
	}
	advance(time.Second)
	waitCalls(3) // answered: back to the hourly check
	if err := clock.BlockUntilContext(ctx, 2); err != nil {
		t.Fatal(err)
	}
	clock.Advance(30 * time.Minute)
	time.Sleep(50 * time.Millisecond)
	if broker.count() != 3 {
		t.Errorf("a healthy credential was checked again after 30 min (%d calls)", broker.count())
	}

	a.RefreshNow()
	waitCalls(4)
}

func TestAgentChecksATokenBeforeItExpiresNotJustHourly(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	// Tokens live 20 minutes; the lead is 5: a check is due 15 minutes
	// after each renewal, well before the hourly check.
	broker := &flakyBroker{life: 20 * time.Minute, clock: clock}
	ctx, _ := runAgent(t, clock, broker)
	waitCalls := func(n int) { t.Helper(); broker.waitCalls(t, n) }
	waitCalls(1)
	for i := 2; i <= 4; i++ {
		// the drawing ticker and the next-check timer
		if err := clock.BlockUntilContext(ctx, 2); err != nil {
			t.Fatal(err)
		}
		clock.Advance(14 * time.Minute)
		time.Sleep(20 * time.Millisecond)
		if broker.count() != i-1 {
			t.Fatalf("checked after 14 min (%d calls)", broker.count())
		}
		clock.Advance(time.Minute)
		waitCalls(i) // 15 minutes after the renewal: 5 before expiry
	}
}

// runAgent runs an agent's loop over one credential of broker until the
// test ends; it returns the loop's context and the agent.
func runAgent(t *testing.T, clock *clockwork.FakeClock, broker *flakyBroker) (context.Context, *Agent) {
	t.Helper()
	st, err := store.Open(t.TempDir(), auth.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: broker}, clock)
	if _, err := eng.Add(context.Background(), auth.Credential{Name: "futu-main", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppSecret: "test-app-secret-0001"}); err != nil {
		t.Fatal(err)
	}
	a := NewAgent(eng, AgentOptions{Clock: clock, CheckEvery: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { a.loop(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })
	return ctx, a
}

// waitCalls waits until the broker was asked n times.
func (f *flakyBroker) waitCalls(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for f.count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("broker asked %d times, want %d", f.count(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
