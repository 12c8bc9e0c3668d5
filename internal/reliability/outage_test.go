package reliability

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
	"tokentray/tray"
)

// notes counts what the agent announces.
type notes struct {
	mu  sync.Mutex
	got []string
}

func (n *notes) Notify(title, body string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, title+": "+body)
	return nil
}

func (n *notes) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.got...)
}

// TestADaysLongRefusalIsOneCallPerCheckAndOneNotification is moomoo's
// two days of "400 invalid_grant: sig is invalid" for every refresh,
// over two simulated hours on the fake clock: the agent runs, and three
// other processes ask for the token and refresh it (unforced) every ten
// seconds, as a bot and a cron job would. The first refusal makes the
// login Action needed (log in again); after it the token endpoint is
// asked once per check interval (an hour), whoever asks, and the person
// gets one notification.
func TestADaysLongRefusalIsOneCallPerCheckAndOneNotification(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	sim := futusim.New(futusim.Options{Clock: clock, AccessTTL: 30 * time.Minute})
	hs := httptest.NewServer(sim.Handler())
	t.Cleanup(hs.Close)
	sim.SetBaseURL(hs.URL)

	dir, secrets := t.TempDir(), testutil.NewMemorySecrets()
	redirect := fmt.Sprintf("http://localhost:%d/callback", testutil.FreePort(t))
	process := func() *engine.Engine {
		st, err := store.Open(dir, secrets)
		if err != nil {
			t.Fatal(err)
		}
		p := futu.NewOAuthProvider(futu.Options{Clock: clock, Browser: futusimtest.Browser{Approve: true}, RedirectURL: redirect,
			SDKTokenDir: t.TempDir(), Getenv: func(string) string { return "" }})
		return engine.NewWithOptions(engine.Options{Store: st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuOAuth: p}, Clock: clock})
	}
	first := process()
	ctx := testutil.Context(t, 60*time.Second)
	if _, err := first.Add(ctx, auth.Credential{Name: "oauth", Kind: auth.KindFutuOAuth, Endpoint: hs.URL}, nil); err != nil {
		t.Fatal(err)
	}
	if h, err := first.Login(ctx, "oauth", auth.LoginOptions{}, nil); err != nil || h.State != auth.OK {
		t.Fatalf("login: %v, %v", h, err)
	}
	// From now on Futu refuses every refresh, for days.
	sim.RefuseRefresh("sig is invalid")
	before := sim.Count(futu.PathToken)

	agentEng := process()
	rec := &notes{}
	agent := tray.NewAgent(service.Local{Eng: agentEng}, tray.AgentOptions{Clock: clock, Dir: t.TempDir(), SettingsFile: agentEng.Store().Path(), Prefs: agentEng.Store(), Notifier: rec})
	actx, stop := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { agent.RunHeadless(actx, nil); close(stopped) }()
	t.Cleanup(func() { stop(); <-stopped })

	others := []*engine.Engine{first, process(), process()}
	calls := func() int { return sim.Count(futu.PathToken) - before }
	var refusedAt time.Time
	const step = 10 * time.Second
	for range int(2 * time.Hour / step) {
		for _, eng := range others {
			if _, err := eng.Token(ctx, "oauth"); err != nil && refusedAt.IsZero() {
				var ue *auth.UserError
				if !errors.As(err, &ue) || ue.Action != auth.Next(auth.ActionLogin, "oauth") {
					t.Fatalf("token after Futu refused the refresh: %v, want the person to log in again", err)
				}
				refusedAt = clock.Now()
			}
			if _, err := eng.Refresh(ctx, "oauth", false); err != nil && !errors.As(err, new(*auth.UserError)) {
				t.Fatalf("refresh at %s: %v", clock.Now().Format(time.TimeOnly), err)
			}
		}
		clock.Advance(step)
	}
	if refusedAt.IsZero() {
		t.Fatal("the access token never came due: nothing was refused")
	}
	// The agent's checks run on their own goroutine: let the last one end.
	testutil.Eventually(t, "the agent to go idle", func() bool { return !agent.View().Busy })

	c, err := first.Get("oauth")
	if err != nil {
		t.Fatal(err)
	}
	if c.Health.State != auth.ActionNeeded || c.Health.Next != auth.Next(auth.ActionLogin, "oauth") {
		t.Errorf("after the outage: %v (next %v), want Action needed, log in", c.Health, c.Health.Next)
	}
	// The first refusal, then one call an hour (the check interval): the
	// access token came due 25 minutes in, so the two hours hold 2.
	if got := calls(); got != 2 {
		t.Errorf("%d calls to the token endpoint in two hours of refusals with four processes asking every 10 s, want 2 (one per check interval)", got)
	}
	if got := rec.all(); len(got) != 1 {
		t.Errorf("%d notifications, want 1: %q", len(got), got)
	}
}
