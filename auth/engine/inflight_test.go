package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox/fault"
	"tokentray/internal/testutil"
)

// leaveMark makes the store look as if a process died while renewing
// name: the mark is there and nobody holds the lock.
func leaveMark(t *testing.T, f *fixture, c auth.Credential) {
	t.Helper()
	unlock, err := f.st.Lock(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := f.st.MarkInFlight(c.ID, "refresh"); err != nil {
		t.Fatal(err)
	}
}

func TestAnInterruptedRenewalIsCheckedAtOnceAndTheTruthShown(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "oauth", t0.Add(90*24*time.Hour))
	leaveMark(t, f, c)
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		// The refresh token was rotated away by the dead process.
		h := auth.Health{State: auth.ActionNeeded, Reason: "the broker no longer accepts the stored refresh token", Next: auth.Next(auth.ActionLogin, c.Name)}
		return h, auth.NeedsUser(h.Reason)
	}
	f.eng.Recover(testutil.Context(t, 20*time.Second))
	ss, err := f.eng.Status()
	if err != nil {
		t.Fatal(err)
	}
	if f.p.Refreshes() != 1 {
		t.Fatalf("the interrupted renewal was checked %d times, want once at once", f.p.Refreshes())
	}
	h := ss[0].Health
	if h.State != auth.ActionNeeded || h.Next.Kind != auth.ActionLogin {
		t.Fatalf("after an interrupted renewal Status says %v (next %v), want Action needed: log in", h, h.Next)
	}
	if ids, _ := f.st.Interrupted(); len(ids) != 0 {
		t.Fatalf("the broker answered, but the mark stayed: %v", ids)
	}
	// The truth was saved: a later recovery does not ask again.
	f.eng.Recover(testutil.Context(t, 20*time.Second))
	if _, err := f.eng.Status(); err != nil || f.p.Refreshes() != 1 {
		t.Fatalf("second Status: %d checks, %v", f.p.Refreshes(), err)
	}
}

func TestAnInterruptedRenewalIsForcedEvenWhenNotDue(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "key", t0.Add(90*24*time.Hour))
	leaveMark(t, f, c)
	// Not due for 90 days, yet Token checks with the broker first.
	tok, err := f.eng.Token(testutil.Context(t, 20*time.Second), "key")
	if err != nil {
		t.Fatal(err)
	}
	if f.p.Refreshes() != 1 || tok == "test-token-old" {
		t.Fatalf("Token handed out %q after %d checks; want a forced renewal first", tok, f.p.Refreshes())
	}
	if f.st.InFlight(c.ID) {
		t.Fatal("the mark outlived a renewal that succeeded")
	}
}

func TestAnInterruptedRenewalThatCannotReachTheBrokerSaysSoAndStaysMarked(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "key", t0.Add(90*24*time.Hour))
	leaveMark(t, f, c)
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		return auth.Health{State: auth.Unknown, Reason: "the broker did not answer"}, errors.New("dial tcp: connection refused")
	}
	f.eng.Recover(testutil.Context(t, 20*time.Second))
	ss, err := f.eng.Status()
	if err != nil {
		t.Fatal(err)
	}
	h := ss[0].Health
	if h.State == auth.OK || h.Next.Kind != auth.ActionRetry {
		t.Fatalf("an unverifiable interrupted renewal reads %v (next %v)", h, h.Next)
	}
	if ids, _ := f.st.Interrupted(); len(ids) != 1 {
		t.Fatalf("the mark went although the outcome is unknown: %v", ids)
	}
	// Within a minute Recover does not ask a broker that is down again.
	f.eng.Recover(testutil.Context(t, 20*time.Second))
	if f.p.Refreshes() != 1 {
		t.Fatalf("%d checks", f.p.Refreshes())
	}
	f.clock.Advance(time.Minute)
	f.p.Fail = nil
	f.eng.Recover(testutil.Context(t, 20*time.Second))
	if _, err := f.eng.Status(); err != nil || f.p.Refreshes() != 2 {
		t.Fatalf("a minute later: %d checks, %v", f.p.Refreshes(), err)
	}
	if f.st.InFlight(c.ID) {
		t.Fatal("the mark outlived the check that succeeded")
	}
}

func TestAFailedCheckLeavesNoMark(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "key", t0.Add(90*24*time.Hour))
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		return auth.Health{State: auth.Unknown, Reason: "the broker did not answer"}, errors.New("dial tcp: connection refused")
	}
	h, _ := f.eng.Refresh(testutil.Context(t, 20*time.Second), "key", true)
	if f.st.InFlight(c.ID) || h.Reason != "the broker did not answer" {
		t.Fatalf("a check that failed in a living process reads as interrupted: %v (marked %v)", h, f.st.InFlight(c.ID))
	}
}

// TestStatusOnlyReadsAfterACrash: Status never calls a broker, not even
// for a renewal a dead process left unfinished while the broker stalls;
// Recover is the step that asks, and it ends with its context.
func TestStatusOnlyReadsAfterACrash(t *testing.T) {
	eng, st, clock, faults := stallingBroker(t, 1, 2)
	cs, err := st.List()
	if err != nil || len(cs) != 1 {
		t.Fatalf("stored %d credentials (%v)", len(cs), err)
	}
	unlock, err := st.Lock(context.Background(), cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkInFlight(cs[0].ID, "refresh"); err != nil {
		t.Fatal(err)
	}
	unlock()
	// The broker answers nothing until the fake clock passes an hour;
	// Times counts the requests that reach it.
	const budget = 1000
	faults.Set(futu.VerifyPath, fault.Rule{Latency: time.Hour, Times: budget})

	done := make(chan error, 1)
	go func() { _, err := eng.Status(); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Status waited for a stalled broker")
	}
	if r := faults.Rules()[futu.VerifyPath]; r.Times != budget {
		t.Fatalf("Status called the broker %d times, want never", budget-r.Times)
	}
	if ids, _ := st.Interrupted(); len(ids) != 1 {
		t.Fatalf("Status settled the interrupted renewal without the broker: %v", ids)
	}

	// Recover asks the broker, and stops when its context ends.
	ctx, cancel := context.WithCancel(context.Background())
	rec := make(chan []engine.Result, 1)
	go func() { rec <- eng.Recover(ctx) }()
	if err := clock.BlockUntilContext(testutil.Context(t, 20*time.Second), 1); err != nil {
		t.Fatalf("Recover never reached the broker: %v", err)
	}
	cancel()
	select {
	case <-rec:
	case <-time.After(20 * time.Second):
		t.Fatal("Recover did not stop with its context")
	}
	if ids, _ := st.Interrupted(); len(ids) != 1 {
		t.Fatalf("a cancelled recovery cleared the mark although the outcome is unknown: %v", ids)
	}
}
