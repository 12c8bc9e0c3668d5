package tray

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

func TestOnlyCredentialsWhoseCheckIsDueAreCheckedAtStart(t *testing.T) {
	s := &schedule{every: time.Hour, lead: 10 * time.Minute, poll: PollEvery}
	month := t0.Add(30 * 24 * time.Hour)
	ok := func(name string, checked time.Time, exp time.Time) Entry {
		return Entry{Name: name, Checked: checked, Health: auth.Health{State: auth.OK, CheckedAt: checked, ExpiresAt: exp}}
	}
	entries := []Entry{
		ok("recent", t0.Add(-10*time.Minute), month),
		ok("older", t0.Add(-50*time.Minute), month),
		ok("stale", t0.Add(-time.Hour), month),
		{Name: "never", Health: auth.Health{State: auth.Unknown}},
		ok("expiring", t0.Add(-10*time.Minute), t0.Add(9*time.Minute)),
		{Name: "pending", Checked: t0.Add(-time.Minute), Health: auth.Health{State: auth.Pending, Deadline: t0.Add(4 * time.Minute)}},
		{Name: "unanswered", Checked: t0.Add(-time.Minute), Health: auth.Health{State: auth.Unknown, CheckedAt: t0.Add(-time.Minute)}},
		{Name: "refused", Checked: t0.Add(-5 * time.Minute), Health: auth.Health{State: auth.ActionNeeded, ExpiresAt: t0.Add(time.Minute)}},
		// A token that the next check renews (a Webull token in its
		// renewal window) is due, though its expiry is days away.
		{Name: "renewable", Checked: t0.Add(-5 * time.Minute), Health: auth.Health{State: auth.Expiring, ExpiresAt: t0.Add(24 * time.Hour), Next: auth.Next(auth.ActionRetry, "renewable")}},
		// One that needs the person is not: a check would not change it.
		{Name: "extend", Checked: t0.Add(-5 * time.Minute), Health: auth.Health{State: auth.Expiring, ExpiresAt: t0.Add(6 * 24 * time.Hour), Next: auth.Next(auth.ActionExtend, "extend")}},
	}
	due, last := s.atStart(entries, t0)
	if want := []string{"stale", "never", "expiring", "pending", "unanswered", "renewable"}; !slices.Equal(due, want) {
		t.Errorf("due at start: %v, want %v", due, want)
	}
	// The next round keeps the rhythm of the last checks: an hour after
	// the oldest of those not checked now.
	if !last.Equal(t0.Add(-50 * time.Minute)) {
		t.Errorf("last check of the rest: %v, want 50 min ago", t0.Sub(last))
	}
	if due, last := s.atStart(entries[:1], t0); len(due) != 0 || !last.Equal(t0.Add(-10*time.Minute)) {
		t.Errorf("one credential checked 10 min ago: due %v, last %v", due, last)
	}
	if due, last := s.atStart(entries[3:4], t0); len(due) != 1 || !last.IsZero() {
		t.Errorf("every credential due: due %v, last %v; want no last check of others", due, last)
	}
}

// namedBroker answers OK and remembers which credentials it was asked
// about.
type namedBroker struct {
	clock clockwork.Clock
	mu    sync.Mutex
	asked []string
	down  map[string]bool // these go unanswered
}

func (b *namedBroker) Kind() auth.Kind { return auth.KindFutuKey }
func (b *namedBroker) Assess(c auth.Credential, now time.Time) auth.Health {
	return auth.Health{State: auth.OK, ExpiresAt: c.ExpiresAt, CheckedAt: now}
}
func (b *namedBroker) Refresh(_ context.Context, c *auth.Credential, _ auth.Secrets, _ auth.RefreshOptions) (auth.Health, error) {
	b.mu.Lock()
	b.asked = append(b.asked, c.Name)
	down := b.down[c.Name]
	b.mu.Unlock()
	if down {
		return auth.Health{State: auth.Unknown, Reason: "the broker did not answer"}, nil
	}
	if c.ExpiresAt.Sub(b.clock.Now()) < time.Hour {
		c.ExpiresAt = b.clock.Now().Add(30 * 24 * time.Hour)
	}
	return auth.Health{State: auth.OK, ExpiresAt: c.ExpiresAt}, nil
}
func (b *namedBroker) Token(auth.Credential, auth.Secrets) (string, error) {
	return "test-token-0001", nil
}
func (b *namedBroker) Env(auth.Credential, auth.Secrets) (map[string]string, string, error) {
	return nil, "", nil
}
func (b *namedBroker) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.asked
	b.asked = nil
	slices.Sort(out)
	return out
}

// TestARestartIsNoRecheckStorm: an agent started over credentials it
// checked minutes ago asks the broker only about those whose check is
// due, and checks the rest an hour after their last check, not at start
// and not an hour after the start.
func TestARestartIsNoRecheckStorm(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	broker := &namedBroker{clock: clock}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: broker}, clock)
	month := t0.Add(30 * 24 * time.Hour)
	for _, c := range []struct {
		name         string
		checked, exp time.Time
	}{
		{"recent-1", t0.Add(-10 * time.Minute), month},
		{"recent-2", t0.Add(-20 * time.Minute), month},
		{"stale", t0.Add(-2 * time.Hour), month},
		{"expiring", t0.Add(-10 * time.Minute), t0.Add(5 * time.Minute)},
		{"never", time.Time{}, time.Time{}},
	} {
		added, err := eng.AddWith(context.Background(), auth.Credential{Name: c.name, Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppSecret: "test-app-secret-" + c.name}, engine.CheckOptions{NoCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		if !c.checked.IsZero() {
			added.LastChecked, added.ExpiresAt = c.checked, c.exp
			added.Health = auth.Health{State: auth.OK, CheckedAt: c.checked, ExpiresAt: c.exp}
			if err := st.Update(added); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := NewAgent(service.Local{Eng: eng}, AgentOptions{Clock: clock, Dir: st.Dir(), Prefs: st})
	p := newFakePanel()
	a.out = newShown(p, a.Do).apply
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { a.loop(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })

	var asked []string
	settle := func(what string, want ...string) {
		t.Helper()
		if !testutil.Poll(5*time.Second, 2*time.Millisecond, func() bool {
			asked = append(asked, broker.take()...)
			// The round's end is drawn: its result is in the schedule.
			return len(asked) >= len(want) && p.tip() != "" && !strings.Contains(p.tip(), "checking")
		}) {
			t.Fatalf("%s: the broker was asked about %v, want %v", what, asked, want)
		}
		// The loop sleeps on its timer again: the round is over.
		if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
			t.Fatal(err)
		}
		asked = append(asked, broker.take()...)
		slices.Sort(asked)
		if !slices.Equal(asked, want) {
			t.Fatalf("%s: the broker was asked about %v, want %v", what, asked, want)
		}
		asked = nil
	}
	settle("at start", "expiring", "never", "stale")
	// recent-2 was checked 20 min before the start: its hour ends at
	// 40 min; until then nothing is asked.
	clock.Advance(40*time.Minute - time.Second)
	if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	if got := broker.take(); len(got) != 0 {
		t.Fatalf("asked about %v before any check was due", got)
	}
	clock.Advance(time.Second)
	settle("an hour after the oldest last check", "expiring", "never", "recent-1", "recent-2", "stale")
}

// TestARetryAsksOnlyAboutWhatWasNotAnswered: when one broker does not
// answer, the retries 30 s, 60 s... later ask about its credentials
// alone, not about every credential again; the hourly round keeps its
// place.
func TestARetryAsksOnlyAboutWhatWasNotAnswered(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	broker := &namedBroker{clock: clock, down: map[string]bool{"flaky": true}}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: broker}, clock)
	for _, name := range []string{"a", "b", "flaky"} {
		if _, err := eng.AddWith(context.Background(), auth.Credential{Name: name, Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppSecret: "test-app-secret-" + name}, engine.CheckOptions{NoCheck: true}); err != nil {
			t.Fatal(err)
		}
	}
	a := NewAgent(service.Local{Eng: eng}, AgentOptions{Clock: clock, Dir: st.Dir(), Prefs: st})
	p := newFakePanel()
	a.out = newShown(p, a.Do).apply
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { a.loop(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })

	var asked []string
	settle := func(what string, want ...string) {
		t.Helper()
		if !testutil.Poll(5*time.Second, 2*time.Millisecond, func() bool {
			asked = append(asked, broker.take()...)
			// The round's end is drawn: its result is in the schedule.
			return len(asked) >= len(want) && p.tip() != "" && !strings.Contains(p.tip(), "checking")
		}) {
			t.Fatalf("%s: the broker was asked about %v, want %v", what, asked, want)
		}
		if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
			t.Fatal(err)
		}
		asked = append(asked, broker.take()...)
		slices.Sort(asked)
		if !slices.Equal(asked, want) {
			t.Fatalf("%s: the broker was asked about %v, want %v", what, asked, want)
		}
		asked = nil
	}
	settle("at start", "a", "b", "flaky")
	clock.Advance(FirstRetry)
	settle("the first retry", "flaky")
	clock.Advance(2 * FirstRetry)
	settle("the second retry", "flaky")
	broker.mu.Lock()
	broker.down = nil
	broker.mu.Unlock()
	clock.Advance(4 * FirstRetry)
	settle("the third retry, answered", "flaky")
	// The hourly round comes an hour after the start's, and asks about
	// every credential.
	clock.Advance(time.Hour - 7*FirstRetry)
	settle("the hourly round", "a", "b", "flaky")
}
