package tray

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// The headless agent does the tray agent's work with no tray to draw on:
// it polls a pending verification, turns OK within one poll of the
// confirmation, renews before expiry, and says each of these in a line.
func TestHeadlessAgentRenewsPollsAndLogsOneLineAnEvent(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	broker := &flakyBroker{pending: t0.Add(5 * time.Minute), clock: clock, life: 20 * time.Minute}
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: broker}, clock)
	if _, err := eng.AddWith(context.Background(), auth.Credential{Name: "futu-main", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppSecret: "test-app-secret-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	a := NewAgent(service.Local{Eng: eng}, AgentOptions{Clock: clock, Dir: st.Dir(), Prefs: st})
	var loop loopCounters
	loop.count(a)
	log := &testutil.LockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.RunHeadless(ctx, NewEventLog(log, clock.Now)); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	settle := func(calls int, line string) {
		t.Helper()
		if !testutil.Poll(5*time.Second, 2*time.Millisecond, func() bool {
			return broker.count() == calls && strings.Contains(log.String(), line) && loop.polls.Load() == 0
		}) {
			t.Fatalf("broker asked %d times (want %d); log:\n%s\nwant a line with %q", broker.count(), calls, log.String(), line)
		}
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	settle(1, "futu-main: Unknown -> Pending: Confirm the SMS code")
	broker.confirm()
	clock.Advance(PollEvery)
	settle(2, "futu-main: Pending -> OK, expires 2026-11-23 09:20 UTC")
	// 20-minute tokens with a 5-minute lead: renewed 15 minutes later.
	clock.Advance(15 * time.Minute)
	settle(3, "futu-main: renewed; OK, expires 2026-11-23 09:35 UTC")

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 4 || !strings.HasSuffix(lines[0], "futu-main (Futu API key): Unknown: Not checked with Futu yet") {
		t.Errorf("want one line an event, 4 in all (the state at the start, then each change):\n%s", log.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "2026-11-23T09:") || strings.Contains(l, "\x1b") {
			t.Errorf("line %q does not start with the time, or holds a terminal escape", l)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the headless agent did not stop when its context ended")
	}
}

func TestEventLogSaysWhatChanged(t *testing.T) {
	var b strings.Builder
	l := NewEventLog(&b, nil)
	exp := t0.Add(time.Hour)
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: auth.Health{State: auth.OK, ExpiresAt: exp}}})
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: auth.Health{State: auth.OK, ExpiresAt: exp}}}) // nothing changed
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: auth.Health{State: auth.Expiring, ExpiresAt: exp}}})
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: auth.Health{State: auth.OK, ExpiresAt: exp.Add(time.Hour)}}})
	l.Entries([]Entry{
		{Name: "a", Kind: auth.KindWebull, Health: auth.Health{State: auth.Broken, Reason: "Webull refused the app secret.\nUpdate it."}},
		{Name: "b", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.ActionNeeded, Reason: "log in"}},
	})
	l.Entries(nil)
	want := "a (Webull token): OK, expires 2026-11-23 10:00 UTC\n" +
		"a: OK -> Expiring, expires 2026-11-23 10:00 UTC\n" +
		"a: renewed; Expiring -> OK, expires 2026-11-23 11:00 UTC\n" +
		"a: OK -> Broken: Webull refused the app secret. Update it.\n" +
		"b (Futu OAuth login) added: Action needed: Log in\n" +
		"a removed\nb removed\n"
	got := b.String()
	// Removals come in no set order.
	if strings.Replace(got, "b removed\na removed\n", "a removed\nb removed\n", 1) != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}

func TestEventLogSaysWhenAShareTargetFailsAndRecovers(t *testing.T) {
	var b strings.Builder
	l := NewEventLog(&b, nil)
	h := auth.Health{State: auth.OK, ExpiresAt: t0.Add(time.Hour)}
	fail := "cannot push to bot@vps:conf: nothing answers SSH at bot@vps (connection refused)"
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: h}})
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: h, ShareFailing: []msg.Message{msg.Plain(fail)}}})
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: h, ShareFailing: []msg.Message{msg.Plain(fail)}}}) // still failing: nothing new
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: h}})
	want := "a (Webull token): OK, expires 2026-11-23 10:00 UTC\n" +
		"a: " + fail + "\n" +
		"a: every share target is pushed again\n"
	if got := b.String(); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}

// On a server nobody clicks Verify: the headless agent starts a Webull
// verification when a token that was verified before needs one, and
// leaves it pending (never abandoned) for its polls to finish.
func TestHeadlessAgentStartsAVerificationAndLeavesItPending(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	prov, logins := verifyingProvider(t, clock)
	changed := make(chan struct{}, 1)
	eng := webullEngine(t, clock, prov, changed)
	n := &notes{}
	a := NewAgent(service.Local{Eng: eng}, AgentOptions{Clock: clock, Changed: changed, Notifier: n})
	log := &testutil.LockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.RunHeadless(ctx, NewEventLog(log, nil)); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	testutil.Eventually(t, "a verification to start and be left pending", func() bool {
		return logins.Load() == 1 && strings.Contains(log.String(), "wb: started a new verification") && strings.Contains(log.String(), "wb: Action needed -> Pending")
	})
	// The person is told the prompt waits in the Webull app, not only
	// that the token needs a verification.
	testutil.Eventually(t, "the person to be told the prompt waits in the app", func() bool {
		return len(n.with("wb is waiting for you in the Webull app")) == 1
	})
	if got := n.with("wb is waiting for you in the Webull app")[0]; !strings.Contains(got, "confirm it in the Webull app before") {
		t.Errorf("the notification: %q", got)
	}
	// Unanswered: the next poll finds it needs a verification again; the
	// agent reads that (View reads the store) and starts none.
	testutil.Eventually(t, "the poll to find it unanswered", func() bool {
		clock.Advance(PollEvery)
		return strings.Contains(log.String(), "wb: Pending -> Action needed")
	})
	a.View()
	a.verifier.wg.Wait()
	if n := logins.Load(); n != 1 {
		t.Fatalf("%d verifications started for one need, want 1:\n%s", n, log.String())
	}
	if got := n.with("is waiting for you in the Webull app"); len(got) != 1 {
		t.Errorf("told %d times that the prompt waits, want once: %q", len(got), got)
	}
}

// Once for each time a credential comes to need a verification, so an
// unanswered prompt does not become an SMS every five minutes; never for
// a token never verified (its add is followed by the person's login), one
// the person logged out of, or another kind.
func TestTheVerifierStartsOnceForEachNeed(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	prov, logins := verifyingProvider(t, clock)
	eng := webullEngine(t, clock, prov, nil)
	v := &verifier{eng: service.Local{Eng: eng}, ctx: context.Background(), started: map[string]bool{}}
	exp := t0.Add(10 * 24 * time.Hour)
	needs := Entry{Name: "wb", Kind: auth.KindWebull, Health: auth.Health{State: auth.ActionNeeded, ExpiresAt: exp, Next: auth.Next(auth.ActionVerify, "wb")}}
	fine := Entry{Name: "wb", Kind: auth.KindWebull, Health: auth.Health{State: auth.OK, ExpiresAt: exp}}
	step := func(want int64, es ...Entry) {
		t.Helper()
		v.entries(es)
		v.wg.Wait()
		if n := logins.Load(); n != want {
			t.Fatalf("%d verifications started, want %d", n, want)
		}
	}
	step(1, needs)
	step(1, needs)
	step(1, needs)
	step(1, fine)
	step(2, needs)
	never := needs
	never.Health.ExpiresAt = time.Time{}
	asked := needs
	asked.Health.Asked = true
	futu := needs
	futu.Kind = auth.KindFutuOAuth
	for _, e := range []Entry{never, asked, futu} {
		v.started = map[string]bool{}
		step(2, e)
	}
}

// verifyingProvider is a Webull broker whose token needs a verification;
// its login reports the pending token and waits to be let go.
func verifyingProvider(t *testing.T, clock clockwork.Clock) (*testutil.FakeProvider, *atomic.Int64) {
	prov := testutil.NewFakeProvider(auth.KindWebull, clock)
	prov.Fail = func(c *auth.Credential) (auth.Health, error) {
		c.ExpiresAt = t0.Add(10 * 24 * time.Hour)
		return auth.Health{State: auth.ActionNeeded, ExpiresAt: c.ExpiresAt, Reason: "Webull no longer accepts the token.", Next: auth.Next(auth.ActionVerify, c.Name)}, nil
	}
	logins := &atomic.Int64{}
	prov.LoginFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
		logins.Add(1)
		h := auth.Health{State: auth.Pending, Deadline: clock.Now().Add(5 * time.Minute), Reason: "Waiting for the SMS code."}
		progress(auth.LoginEvent{Health: h})
		<-ctx.Done()
		if !auth.Stopped(ctx) {
			t.Error("the verification was abandoned instead of left pending")
		}
		return h, nil // left pending at Webull
	}
	return prov, logins
}

// webullEngine holds one Webull credential, wb; changed, when not nil,
// hears of every save (as the agent does through the door).
func webullEngine(t *testing.T, clock clockwork.Clock, prov auth.Provider, changed chan struct{}) *engine.Engine {
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.NewWithOptions(engine.Options{Store: st, Providers: map[auth.Kind]auth.Provider{auth.KindWebull: prov}, Clock: clock,
		OnChange: func(string) {
			if changed != nil {
				select {
				case changed <- struct{}{}:
				default:
				}
			}
		}})
	if _, err := eng.AddWith(context.Background(), auth.Credential{Name: "wb", Kind: auth.KindWebull}, map[string]string{auth.FieldWebullToken: "test-webull-token-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	return eng
}
