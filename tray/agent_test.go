package tray

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// flakyBroker answers "broker unreachable" a number of times, then OK;
// while pending is set it answers that a verification waits.
type flakyBroker struct {
	mu      sync.Mutex
	calls   int
	failFor int
	// life, when set, is how long the token lives after each check.
	life    time.Duration
	clock   clockwork.Clock
	pending time.Time // the deadline of a verification waiting
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
	if !f.pending.IsZero() {
		return auth.Health{State: auth.Pending, Reason: "confirm the SMS code", Deadline: f.pending}, nil
	}
	h := auth.Health{State: auth.OK}
	if f.life > 0 {
		c.ExpiresAt = f.clock.Now().Add(f.life)
		h.ExpiresAt = c.ExpiresAt
	}
	return h, nil
}
func (f *flakyBroker) Token(auth.Credential, auth.Secrets) (string, error) {
	return "test-token-0001", nil
}
func (f *flakyBroker) Env(auth.Credential, auth.Secrets) (map[string]string, string, error) {
	return nil, "", nil
}
func (f *flakyBroker) count() int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls }
func (f *flakyBroker) confirm()   { f.mu.Lock(); f.pending = time.Time{}; f.mu.Unlock() }

// testAgent is an agent's loop over one credential of a fake broker,
// drawing on a fake panel.
type testAgent struct {
	*Agent
	ctx    context.Context
	clock  *clockwork.FakeClock
	broker *flakyBroker
	panel  *fakePanel
	loopCounters
}

// loopCounters count what the agent's loop handled: the timer's wakes
// and the polls in flight after each event.
type loopCounters struct {
	wakes, polls atomic.Int64
}

// count has a's loop count its events into c; call it before the loop
// starts.
func (c *loopCounters) count(a *Agent) {
	a.handled = func(k eventKind, polling int) {
		if k == evDue {
			c.wakes.Add(1)
		}
		c.polls.Store(int64(polling))
	}
}

func runAgent(t *testing.T, clock *clockwork.FakeClock, broker *flakyBroker, opts ...func(*AgentOptions)) *testAgent {
	t.Helper()
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: broker}, clock)
	if _, err := eng.AddWith(context.Background(), auth.Credential{Name: "futu-main", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppSecret: "test-app-secret-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	o := AgentOptions{Clock: clock, Dir: st.Dir(), Prefs: st}
	for _, f := range opts {
		f(&o)
	}
	a := NewAgent(service.Local{Eng: eng}, o)
	p := newFakePanel()
	s := newShown(p, a.Do)
	a.out = s.apply
	ta := &testAgent{Agent: a, clock: clock, broker: broker, panel: p}
	ta.count(a)
	ctx, cancel := context.WithCancel(context.Background())
	ta.ctx = ctx
	stopped := make(chan struct{})
	go func() { a.loop(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })
	return ta
}

// settle waits until the broker was asked n times and the tray shows
// the answer (no check running).
func (ta *testAgent) settle(t *testing.T, n int) {
	t.Helper()
	if !testutil.Poll(5*time.Second, 2*time.Millisecond, func() bool {
		return ta.broker.count() >= n && !strings.Contains(ta.panel.tip(), "checking") && ta.panel.tip() != "" && !ta.polling()
	}) {
		t.Fatalf("broker asked %d times, want %d; tooltip %q", ta.broker.count(), n, ta.panel.tip())
	}
	if got := ta.broker.count(); got != n {
		t.Fatalf("broker asked %d times, want %d", got, n)
	}
	if err := ta.clock.BlockUntilContext(ta.ctx, 1); err != nil {
		t.Fatal(err)
	}
}

func (ta *testAgent) polling() bool { return ta.polls.Load() > 0 }

func TestAgentRetriesUnansweredBrokersWithBackoff(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	ta := runAgent(t, clock, &flakyBroker{failFor: 2})
	ta.settle(t, 1) // at start: no answer
	clock.Advance(29 * time.Second)
	ta.settle(t, 1)
	clock.Advance(time.Second)
	ta.settle(t, 2) // 30 s later: still no answer
	clock.Advance(59 * time.Second)
	ta.settle(t, 2)
	clock.Advance(time.Second)
	ta.settle(t, 3) // answered: back to the hourly check
	clock.Advance(59 * time.Minute)
	ta.settle(t, 3)
	clock.Advance(time.Minute)
	ta.settle(t, 4)
	ta.RefreshNow()
	ta.settle(t, 5)
}

func TestAgentChecksATokenBeforeItExpiresNotJustHourly(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	// Tokens live 20 minutes; the lead is 5: a check is due 15 minutes
	// after each renewal, well before the hourly check.
	broker := &flakyBroker{life: 20 * time.Minute, clock: clock}
	ta := runAgent(t, clock, broker)
	ta.settle(t, 1)
	for i := 2; i <= 4; i++ {
		// The minutes left change on the way: each is one redraw, no check.
		for m := 0; m < 14; m++ {
			clock.Advance(time.Minute)
			ta.settle(t, i-1)
		}
		clock.Advance(time.Minute)
		ta.settle(t, i) // 15 minutes after the renewal: 5 before expiry
	}
}

func TestAnIdleAgentSendsNothingAndWakesOnlyWhenDue(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	ta := runAgent(t, clock, &flakyBroker{life: 30 * 24 * time.Hour, clock: clock})
	ta.settle(t, 1)
	calls, wakes, icons := ta.panel.calls(), ta.wakes.Load(), ta.panel.icons
	clock.Advance(59 * time.Minute)
	ta.settle(t, 1)
	if got := ta.panel.calls() - calls; got != 0 {
		t.Errorf("idle for 59 min, the tray sent %d messages", got)
	}
	if got := ta.wakes.Load() - wakes; got != 0 {
		t.Errorf("idle for 59 min, the agent woke %d times", got)
	}
	clock.Advance(time.Minute)
	ta.settle(t, 2) // the hourly check
	if got := ta.wakes.Load() - wakes; got != 1 {
		t.Errorf("the hourly check took %d wakes", got)
	}
	// The check showed itself: the icon with its badge, then back.
	if got := ta.panel.icons - icons; got != 2 {
		t.Errorf("icons sent for one check: %d, want 2 (checking, checked)", got)
	}
}

func TestAPendingVerificationIsPolledUntilThePhoneConfirms(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	broker := &flakyBroker{pending: t0.Add(5 * time.Minute), clock: clock, life: 30 * 24 * time.Hour}
	ta := runAgent(t, clock, broker)
	ta.settle(t, 1)
	if tip := ta.panel.tip(); !strings.Contains(tip, "futu-main: Pending, 5:00 left to verify") {
		t.Fatalf("tooltip %q", tip)
	}
	tips := ta.panel.tips
	for s := 1; s <= 4; s++ {
		clock.Advance(time.Second)
		ta.settle(t, 1)
	}
	if got := ta.panel.tips - tips; got != 4 {
		t.Errorf("4 s of countdown sent %d tooltips, want 4", got)
	}
	if tip := ta.panel.tip(); !strings.Contains(tip, "4:56 left to verify") {
		t.Errorf("tooltip after 4 s: %q", tip)
	}
	clock.Advance(time.Second)
	ta.settle(t, 2) // 5 s: asked again
	broker.confirm()
	for s := 1; s <= 4; s++ {
		clock.Advance(time.Second)
		ta.settle(t, 2)
	}
	clock.Advance(time.Second)
	ta.settle(t, 3) // 10 s: the phone confirmed
	if tip := ta.panel.tip(); !strings.Contains(tip, "futu-main: OK") {
		t.Fatalf("tooltip after the confirmation: %q", tip)
	}
	for s := 1; s <= 30; s++ {
		clock.Advance(time.Second)
		ta.settle(t, 3) // no more polls once it ended
	}
}

// fakeClipboard is a clipboard in memory.
type fakeClipboard struct {
	mu     sync.Mutex
	text   string
	clears int // ClearIf calls
}

func (f *fakeClipboard) WriteSecret(s string) error {
	f.mu.Lock()
	f.text = s
	f.mu.Unlock()
	return nil
}
func (f *fakeClipboard) ClearIf(s string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clears++
	if f.text != s {
		return false
	}
	f.text = ""
	return true
}
func (f *fakeClipboard) get() string { f.mu.Lock(); defer f.mu.Unlock(); return f.text }
func (f *fakeClipboard) clearsAsked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clears
}

func TestCopyTokenIsClearedAfterTheClearTimeOnlyIfStillThere(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	cb := &fakeClipboard{}
	ta := runAgent(t, clock, &flakyBroker{life: 30 * 24 * time.Hour, clock: clock}, func(o *AgentOptions) { o.Clipboard = cb })
	ta.settle(t, 1)
	ta.copyToken("futu-main")
	if cb.get() != "test-token-0001" {
		t.Fatalf("clipboard = %q", cb.get())
	}
	// The loop's timer and the clipboard's.
	if err := clock.BlockUntilContext(ta.ctx, 2); err != nil {
		t.Fatal(err)
	}
	clock.Advance(44 * time.Second)
	// Both timers still armed: the clear has not fired.
	if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 2); err != nil {
		t.Fatalf("the clear fired before 45 s: %v", err)
	}
	if cb.get() == "" {
		t.Fatal("cleared before 45 s")
	}
	clock.Advance(time.Second)
	testutil.EventuallyWithin(t, 20*time.Second, "the clipboard to be cleared", func() bool { return cb.get() == "" })

	// Something else copied meanwhile stays.
	ta.copyToken("futu-main")
	if err := cb.WriteSecret("the person's own text"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(45 * time.Second)
	if err := clock.BlockUntilContext(ta.ctx, 1); err != nil {
		t.Fatal(err)
	}
	// The clear has run (it asks the clipboard) and left the text alone.
	testutil.EventuallyWithin(t, 20*time.Second, "the second clear", func() bool { return cb.clearsAsked() == 2 })
	if cb.get() != "the person's own text" {
		t.Errorf("the clear took what the person copied: %q", cb.get())
	}
}

// TestOpenStartsOneWindowAtATime: Open while the window is open starts no
// second window; a credential's Details hands it to the open one.
func TestOpenStartsOneWindowAtATime(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	opened := make(chan string, 8)
	ta := runAgent(t, clock, &flakyBroker{life: 30 * 24 * time.Hour, clock: clock}, func(o *AgentOptions) {
		o.Window = func(ctx context.Context, focus string, _ auth.ActionKind) error {
			opened <- focus
			if focus == "" {
				<-ctx.Done() // open until the agent quits
			}
			return nil
		}
	})
	ta.settle(t, 1)
	ta.Do(Command{Kind: CmdOpen})
	if f := <-opened; f != "" {
		t.Fatalf("Open started the window at %q", f)
	}
	ta.Do(Command{Kind: CmdOpen})
	ta.Do(Command{Kind: CmdSettings})
	ta.Do(Command{Kind: CmdDetails, Credential: "futu-main"})
	// Quit ends the window; every window start has returned after it.
	ta.endLife()
	ta.winWG.Wait()
	close(opened)
	var rest []string
	for f := range opened {
		rest = append(rest, f)
	}
	if len(rest) != 1 || rest[0] != "futu-main" {
		t.Errorf("with the window open, Open, Settings and Details started %q, want only the hand-off of futu-main", rest)
	}
}

// fakePrefs hands the agent settings that are not in the engine's store.
type fakePrefs struct{ p store.Prefs }

func (f fakePrefs) Prefs() (store.Prefs, error) { return f.p, nil }

// checkEvery are the default settings with the check-every setting d.
func checkEvery(d time.Duration) store.Prefs {
	p := store.DefaultPrefs()
	p.CheckEvery = d
	return p
}

// setCheckEvery saves the profile's check-every setting, as the command
// line and the window do.
func setCheckEvery(t *testing.T, st *store.Store, d time.Duration) {
	t.Helper()
	p, err := st.Prefs()
	if err != nil {
		t.Fatal(err)
	}
	p.CheckEvery = d
	if err := st.SetPrefs(p); err != nil {
		t.Fatal(err)
	}
}

func TestAgentFollowsThePrefsItIsGiven(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	p := store.DefaultPrefs()
	p.CheckEvery = 3 * time.Hour
	ta := runAgent(t, clock, &flakyBroker{}, func(o *AgentOptions) {
		o.Prefs = fakePrefs{p}
	})
	ta.settle(t, 1)
	clock.Advance(2*time.Hour + 59*time.Minute)
	// The loop has its timer armed again: a check the hourly default
	// would have started is under way, and settle waits for it.
	if err := clock.BlockUntilContext(ta.ctx, 1); err != nil {
		t.Fatal(err)
	}
	ta.settle(t, 1)
	clock.Advance(time.Minute)
	ta.settle(t, 2)
}

// recordingNotifier keeps every notification the agent sends.
type recordingNotifier struct {
	mu  sync.Mutex
	got []Notification
}

func (r *recordingNotifier) Notify(title, body string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, Notification{Title: title, Body: body})
	return nil
}

func (r *recordingNotifier) Withdraw(key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, Notification{Key: key, Withdraw: true})
	return nil
}

func (r *recordingNotifier) withdrawn(key string) bool {
	for _, n := range r.all() {
		if n.Withdraw && n.Key == key {
			return true
		}
	}
	return false
}

func (r *recordingNotifier) all() []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Notification(nil), r.got...)
}

func TestQuitWithTheWindowOpenIsNoFailure(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	rec := &recordingNotifier{}
	started := make(chan struct{}, 1)
	ta := runAgent(t, clock, &flakyBroker{life: 30 * 24 * time.Hour, clock: clock}, func(o *AgentOptions) {
		o.Notifier = rec
		o.Window = func(ctx context.Context, focus string, _ auth.ActionKind) error {
			started <- struct{}{}
			<-ctx.Done()
			// The window's process ends on the interrupt Quit sends it.
			return errors.New("the window stopped unexpectedly (signal: interrupt)")
		}
	})
	ta.settle(t, 1)
	ta.Do(Command{Kind: CmdOpen})
	<-started
	ta.endLife()
	ta.winWG.Wait()
	// Sent after the window's end, a notification would come after this one.
	ta.notify(Notification{Title: "marker"})
	if !testutil.Poll(5*time.Second, time.Millisecond, func() bool { return len(rec.all()) > 0 }) {
		t.Fatal("no notification arrived")
	}
	for _, n := range rec.all() {
		if strings.Contains(n.Title, "did not open") {
			t.Errorf("a normal Quit notified %q", n.Title)
		}
	}
}

func TestACopyFromTheTraySaysWhenItIsCleared(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	rec := &recordingNotifier{}
	ta := runAgent(t, clock, &flakyBroker{life: 30 * 24 * time.Hour, clock: clock}, func(o *AgentOptions) {
		o.Clipboard = &fakeClipboard{}
		o.Notifier = rec
	})
	ta.settle(t, 1)
	ta.copyToken("futu-main")
	if !testutil.Poll(5*time.Second, time.Millisecond, func() bool { return len(rec.all()) > 0 }) {
		t.Fatal("a copy said nothing")
	}
	if n := rec.all()[0]; n.Body != "Copied; cleared in 45 s" || !strings.Contains(n.Title, "futu-main") {
		t.Errorf("the copy said %+v", n)
	}
	// Cleared 45 s later: the note is taken down.
	if err := clock.BlockUntilContext(ta.ctx, 2); err != nil {
		t.Fatal(err)
	}
	clock.Advance(45 * time.Second)
	if !testutil.Poll(5*time.Second, time.Millisecond, func() bool { return rec.withdrawn("clipboard") }) {
		t.Error("the note of the copy stayed after the clipboard was cleared")
	}
}

func TestTheTrayOffersCopyOnlyWhereThereIsAToken(t *testing.T) {
	ok := auth.Health{State: auth.OK, CheckedAt: t0}
	cases := []struct {
		e    Entry
		want string
	}{
		{Entry{Name: "w", Kind: auth.KindWebull, Health: ok}, "copy refresh details"},
		{Entry{Name: "w", Kind: auth.KindWebull, Health: ok, NoToken: true}, "refresh details"},
		{Entry{Name: "f", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.ActionNeeded}}, "refresh act:login details"},
		{Entry{Name: "f", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.Pending}}, "refresh act:login details"},
		{Entry{Name: "k", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.Unknown, Next: auth.Next(auth.ActionRetry, "k")}}, "refresh details"},
	}
	for _, c := range cases {
		var got []string
		for _, cmd := range Actions(c.e) {
			s := string(cmd.Kind)
			if cmd.Action != "" {
				s += ":" + string(cmd.Action)
			}
			got = append(got, s)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%+v: %q, want %q", c.e, got, c.want)
		}
	}
}

func TestANotificationButtonStartsItsActionInTheWindow(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	type start struct {
		focus string
		act   auth.ActionKind
	}
	opened := make(chan start, 4)
	ta := runAgent(t, clock, &flakyBroker{life: 30 * 24 * time.Hour, clock: clock}, func(o *AgentOptions) {
		o.Window = func(ctx context.Context, focus string, act auth.ActionKind) error {
			opened <- start{focus, act}
			return nil
		}
	})
	ta.settle(t, 1)
	ta.Do(actionButton(auth.ActionExtend, "futu-main").Command)
	if got := <-opened; got != (start{"futu-main", auth.ActionExtend}) {
		t.Errorf("Extend opened the window with %+v, want the extend dialog of futu-main", got)
	}
	ta.winWG.Wait()
	ta.Do(Command{Kind: CmdDetails, Credential: "futu-main"})
	if got := <-opened; got != (start{"futu-main", auth.ActionNone}) {
		t.Errorf("Details opened the window with %+v", got)
	}
}
