package notifyhook_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/cli"
	"tokentray/internal/msg"
	"tokentray/internal/notifyhook"
	"tokentray/internal/testutil"
	"tokentray/tray"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// recorder is a notify command that appends what it gets to files, and
// the reports of its failures.
type recorder struct {
	dir string

	mu      sync.Mutex
	cmd     string
	reports []string
}

// recordCmd saves stdin as one line of events, and the title, the text
// and the whole environment beside it.
const recordCmd = `cat >> "$OUT/events"; printf '%s|%s\n' "$TOKENTRAY_EVENT_TITLE" "$TOKENTRAY_EVENT_TEXT" >> "$OUT/texts"; env >> "$OUT/env"`

func newRecorder(t *testing.T) *recorder {
	return &recorder{dir: t.TempDir(), cmd: recordCmd}
}

func (r *recorder) set(cmd string) { r.mu.Lock(); r.cmd = cmd; r.mu.Unlock() }

func (r *recorder) hook(clock clockwork.Clock) *notifyhook.Hook { return r.hookIn(clock, nil) }

// hookIn is hook reporting failures in the language lang returns.
func (r *recorder) hookIn(clock clockwork.Clock, lang func() msg.Lang) *notifyhook.Hook {
	return notifyhook.New(notifyhook.Options{
		Lang:        lang,
		Command:     func() string { r.mu.Lock(); defer r.mu.Unlock(); return r.cmd },
		CommandLine: cli.CommandLine,
		Environ: []string{"PATH=" + os.Getenv("PATH"), "OUT=" + r.dir,
			"CREDENTIALS_DIRECTORY=/run/credentials/tokentray.service", "TOKENTRAY_KEY_FILE=/home/u/tokentray.key"},
		Clock:  clock,
		Report: func(m string) { r.mu.Lock(); r.reports = append(r.reports, m); r.mu.Unlock() },
	})
}

func (r *recorder) events(t *testing.T) []notifyhook.Event {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(r.dir, "events"))
	var out []notifyhook.Event
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var e notifyhook.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("the command got %q, not one JSON event a line: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reports...)
}

func verifyNote(name string) tray.Notification {
	return tray.Notification{
		Title: "tokentray: " + name + " needs you", Body: "Webull asks for a 2FA code.", Key: name,
		Event: &tray.Event{Credential: name, Kind: auth.KindWebull, State: auth.ActionNeeded, Next: auth.Next(auth.ActionVerify, name)},
	}
}

func TestEachEventRunsTheCommandOnceWithTheEventAndNoKeyInItsEnvironment(t *testing.T) {
	r := newRecorder(t)
	h := r.hook(clockwork.NewFakeClockAt(t0))
	h.Send(verifyNote("wb-us"))
	h.Send(verifyNote("wb-us")) // the same event again: not run again
	h.Wait()
	evs := r.events(t)
	if len(evs) != 1 {
		t.Fatalf("the command ran %d times for one event", len(evs))
	}
	e := evs[0]
	want := notifyhook.Event{Credential: "wb-us", Kind: "webull", State: "action-needed", Title: "tokentray: wb-us needs you",
		Text: "Webull asks for a 2FA code.", Next: &notifyhook.Next{Action: "verify", Command: "tokentray login wb-us"}, Time: t0}
	if e.Credential != want.Credential || e.Kind != want.Kind || e.State != want.State || e.Title != want.Title || e.Text != want.Text ||
		e.Next == nil || *e.Next != *want.Next || !e.Time.Equal(t0) || e.Sandbox {
		t.Errorf("event %+v (next %+v), want %+v", e, e.Next, want)
	}
	texts, _ := os.ReadFile(filepath.Join(r.dir, "texts"))
	if string(texts) != "tokentray: wb-us needs you|Webull asks for a 2FA code.\n" {
		t.Errorf("TOKENTRAY_EVENT_TITLE|TEXT = %q", texts)
	}
	env, _ := os.ReadFile(filepath.Join(r.dir, "env"))
	for _, k := range []string{"CREDENTIALS_DIRECTORY", "TOKENTRAY_KEY_FILE"} {
		if strings.Contains(string(env), k+"=") {
			t.Errorf("the command's environment holds %s", k)
		}
	}
	// Once withdrawn (the credential was fine again), the same event is
	// a new one; an event about no credential is run too.
	h.Withdraw("wb-us")
	h.Send(verifyNote("wb-us"))
	h.Send(tray.Notification{Title: "tokentray: start at login did not change", Body: "The folder is read-only."})
	h.Wait()
	if evs := r.events(t); len(evs) != 3 || evs[2].Credential != "" || evs[2].Next != nil {
		t.Fatalf("events %+v", evs)
	}
	if rs := r.got(); len(rs) != 0 {
		t.Errorf("a working command was reported: %q", rs)
	}
}

func TestAFailingCommandIsReportedOnceUntilItWorksAgain(t *testing.T) {
	r := newRecorder(t)
	r.set(`echo "no route to ntfy.sh" >&2; exit 7`)
	h := r.hook(clockwork.NewFakeClockAt(t0))
	for _, n := range []string{"a", "b", "c"} {
		h.Send(verifyNote(n))
	}
	h.Wait()
	rs := r.got()
	if len(rs) != 1 || !strings.Contains(rs[0], "exit status 7") || !strings.Contains(rs[0], "no route to ntfy.sh") || !strings.Contains(rs[0], "tokentray: a needs you") || strings.Contains(rs[0], "\n") {
		t.Fatalf("three failures reported as %q, want one sentence", rs)
	}
	r.set(recordCmd)
	h.Send(verifyNote("d"))
	h.Wait()
	r.set("exit 1")
	h.Send(verifyNote("e"))
	h.Wait()
	if rs := r.got(); len(rs) != 2 {
		t.Fatalf("a failure after the command worked again: reports %q, want 2", rs)
	}
	if evs := r.events(t); len(evs) != 1 || evs[0].Credential != "d" {
		t.Fatalf("failed events were run again: %+v", evs)
	}
}

func TestACommandThatHangsIsStoppedAtTheTimeout(t *testing.T) {
	r := newRecorder(t)
	r.set(`sleep 600 & echo started > "$OUT/started"; wait`)
	clock := clockwork.NewFakeClockAt(t0)
	h := r.hook(clock)
	h.Send(verifyNote("wb-us"))
	testutil.Eventually(t, "the command to start", func() bool {
		_, err := os.Stat(filepath.Join(r.dir, "started"))
		return err == nil
	})
	if err := clock.BlockUntilContext(testutil.Context(t, 10*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(notifyhook.DefaultTimeout - time.Second)
	if rs := r.got(); len(rs) != 0 {
		t.Fatalf("stopped before its timeout: %q", rs)
	}
	clock.Advance(time.Second)
	done := make(chan struct{})
	go func() { h.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the command was not stopped at its timeout")
	}
	if rs := r.got(); len(rs) != 1 || !strings.Contains(rs[0], "did not finish within 30s") {
		t.Fatalf("reports %q", rs)
	}
}

// Every notification the agent sends reaches the command, through the
// notifier path the desktop's notifications take, once an event.
func TestTheAgentsNotificationsReachTheCommandOnceEach(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	prov := testutil.NewFakeProvider(auth.KindFutuKey, clock)
	prov.Fail = func(c *auth.Credential) (auth.Health, error) {
		c.ExpiresAt = t0.Add(20 * time.Hour)
		return auth.Health{State: auth.Expiring, ExpiresAt: c.ExpiresAt, Reason: "The API key's access token expires tomorrow; extend it."}, nil
	}
	prov.CheckFunc = func(_ context.Context, c *auth.Credential, _ auth.Secrets) (auth.Health, error) { return prov.Fail(c) }
	calls := func() int { return prov.Refreshes() + prov.Checks() }
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: prov}, clock)
	if _, err := eng.AddWith(context.Background(), auth.Credential{Name: "futu-main", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppKey: "test-app-key-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	r := newRecorder(t)
	h := r.hook(clock)
	a := tray.NewAgent(service.Local{Eng: eng}, tray.AgentOptions{Clock: clock, Dir: st.Dir(), Prefs: st, Notifier: tray.WithSink(nil, h)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.RunHeadless(ctx, nil); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	testutil.Eventually(t, "the first check", func() bool { return calls() == 1 })
	// Asked again while a check runs, the agent lets the running one
	// answer: ask until two more checks were made.
	if !testutil.Poll(10*time.Second, 20*time.Millisecond, func() bool { a.RefreshNow(); return calls() >= 3 }) {
		t.Fatalf("%d checks, want 3", calls())
	}
	testutil.Eventually(t, "the event to reach the command", func() bool { h.Wait(); return len(r.events(t)) >= 1 })
	cancel()
	<-done
	h.Wait()
	evs := r.events(t)
	if len(evs) != 1 {
		t.Fatalf("three checks of one key about to expire ran the command %d times: %+v", len(evs), evs)
	}
	if e := evs[0]; e.Credential != "futu-main" || e.Kind != "futu-key" || e.State != "expiring" || e.Next == nil || e.Next.Command != "tokentray extend futu-main" || !strings.Contains(e.Text, "expires tomorrow") {
		t.Errorf("event %+v", e)
	}
}

// The kinds describe themselves as the wiring registers them: a Futu API
// key about to expire is extended.
func init() { auth.Register(futu.Kinds()...) }

// The notifications setting is about the desktop's: with it off, the
// notify command still gets every event.
func TestTheCommandHearsEventsWithDesktopNotificationsOff(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	prov := testutil.NewFakeProvider(auth.KindFutuKey, clock)
	prov.Fail = func(c *auth.Credential) (auth.Health, error) {
		return auth.Health{State: auth.Broken, Reason: "Futu rejected the API key."}, nil
	}
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	p, _ := st.Prefs()
	p.Quiet = true
	if err := st.SetPrefs(p); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: prov}, clock)
	if _, err := eng.AddWith(context.Background(), auth.Credential{Name: "futu-key1", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppKey: "test-app-key-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	desktop := &countingDesktop{}
	r := newRecorder(t)
	h := r.hook(clock)
	a := tray.NewAgent(service.Local{Eng: eng}, tray.AgentOptions{Clock: clock, Dir: st.Dir(), Prefs: st, Notifier: tray.WithSink(desktop, h)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.RunHeadless(ctx, nil); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	testutil.Eventually(t, "the event to reach the command", func() bool { h.Wait(); return len(r.events(t)) == 1 })
	if e := r.events(t)[0]; e.Credential != "futu-key1" || e.State != "broken" {
		t.Errorf("event %+v", e)
	}
	if n := desktop.count(); n != 0 {
		t.Errorf("%d desktop notifications with notifications off", n)
	}
}

type countingDesktop struct {
	mu sync.Mutex
	n  int
}

func (d *countingDesktop) Notify(string, string) error { d.mu.Lock(); d.n++; d.mu.Unlock(); return nil }
func (d *countingDesktop) count() int                  { d.mu.Lock(); defer d.mu.Unlock(); return d.n }

// The command hears the agent in the language it speaks: the title and
// sentence in Hong Kong Chinese, beside the codes of what happened and
// why, the same in every language; a failure is reported in it too.
func TestTheEventIsInTheAgentsLanguageWithItsCodes(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	prov := testutil.NewFakeProvider(auth.KindFutuKey, clock)
	lost := msg.New("futu.extension_lost")
	prov.Fail = func(c *auth.Credential) (auth.Health, error) {
		return auth.Health{State: auth.ActionNeeded, Next: auth.Next(auth.ActionUpdate, c.Name)}.Because(lost), nil
	}
	prov.CheckFunc = func(_ context.Context, c *auth.Credential, _ auth.Secrets) (auth.Health, error) { return prov.Fail(c) }
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: prov}, clock)
	if _, err := eng.AddWith(context.Background(), auth.Credential{Name: "futu-main", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppKey: "test-app-key-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	r := newRecorder(t)
	h := r.hookIn(clock, func() msg.Lang { return msg.HongKongChinese })
	a := tray.NewAgent(service.Local{Eng: eng}, tray.AgentOptions{Clock: clock, Dir: st.Dir(), Prefs: st,
		Notifier: tray.WithSink(nil, h), Language: func(string) msg.Lang { return msg.HongKongChinese }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.RunHeadless(ctx, nil); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	testutil.Eventually(t, "the event to reach the command", func() bool { h.Wait(); return len(r.events(t)) >= 1 })
	e := r.events(t)[0]
	l := msg.HongKongChinese
	if e.Code != "notify.title_needs_you" || e.Why == nil || e.Why.ID != "futu.extension_lost" {
		t.Errorf("the event's codes: %q, why %+v", e.Code, e.Why)
	}
	if want := l.Text("notify.title_needs_you", "Name", "futu-main"); e.Title != want {
		t.Errorf("the title is %q, want %q", e.Title, want)
	}
	if want := l.Render(lost); e.Text != want {
		t.Errorf("the text is %q, want %q", e.Text, want)
	}
	if e.State != "action-needed" || e.Next == nil || e.Next.Action != "update" {
		t.Errorf("the event's state and next action stay as they are: %+v", e)
	}
	// A failing command is reported in the language too.
	r.set(`exit 3`)
	h.Send(tray.Notification{Title: l.Text("notify.window_failed"), Body: "x"})
	h.Wait()
	if rs := r.got(); len(rs) != 1 || !strings.HasPrefix(rs[0], "通知指令處理「"+l.Text("notify.window_failed")+"」時失敗（exit status 3）") {
		t.Errorf("reports %q", rs)
	}
}
