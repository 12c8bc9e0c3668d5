package cli_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/cli"
	"tokentray/internal/testutil"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// phoneProvider is a Webull-like broker whose login waits for the test to
// say the code was entered.
type phoneProvider struct {
	clock    clockwork.Clock
	verified chan struct{}
}

func (p *phoneProvider) Kind() auth.Kind { return auth.KindWebull }
func (p *phoneProvider) Assess(c auth.Credential, now time.Time) auth.Health {
	if c.ExpiresAt.After(now) {
		return auth.Health{State: auth.OK, Reason: "verified", ExpiresAt: c.ExpiresAt}
	}
	return auth.Health{State: auth.ActionNeeded, Reason: "verify a token in the Webull app: run tokentray login " + c.Name}
}
func (p *phoneProvider) Refresh(ctx context.Context, c *auth.Credential, s auth.Secrets, o auth.RefreshOptions) (auth.Health, error) {
	return p.Assess(*c, p.clock.Now()), nil
}
func (p *phoneProvider) Token(c auth.Credential, s auth.Secrets) (string, error) {
	return s.Get(auth.FieldWebullToken)
}
func (p *phoneProvider) Env(c auth.Credential, s auth.Secrets) (map[string]string, string, error) {
	return nil, "", nil
}
func (p *phoneProvider) Login(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	now := p.clock.Now()
	progress(auth.LoginEvent{
		Health: auth.Health{State: auth.Pending, Reason: "enter the SMS code in the Webull app", Deadline: now.Add(5 * time.Minute)},
		Steps:  []string{"Open the Webull app.", "Enter the SMS code and tap Confirm."},
	})
	select {
	case <-p.verified:
	case <-ctx.Done():
		return auth.Health{State: auth.ActionNeeded, Reason: "the verification was cancelled"}, ctx.Err()
	}
	if err := s.Set(auth.FieldWebullToken, "test-webull-token-0001"); err != nil {
		return auth.Health{}, err
	}
	c.ExpiresAt = p.clock.Now().Add(15 * 24 * time.Hour)
	return p.Assess(*c, p.clock.Now()), nil
}

type inProcess struct {
	clock   *clockwork.FakeClock
	secrets *testutil.MemorySecrets
	eng     *engine.Engine
	prov    *phoneProvider
	stdout  *testutil.LockedBuffer
	stderr  *testutil.LockedBuffer
	deps    cli.Deps
}

func newInProcess(t *testing.T, terminal bool) *inProcess {
	t.Helper()
	ip := &inProcess{clock: clockwork.NewFakeClockAt(t0), secrets: testutil.NewMemorySecrets(), stdout: &testutil.LockedBuffer{}, stderr: &testutil.LockedBuffer{}}
	st, err := store.Open(t.TempDir(), ip.secrets)
	if err != nil {
		t.Fatal(err)
	}
	ip.prov = &phoneProvider{clock: ip.clock, verified: make(chan struct{})}
	ip.eng = engine.New(st, map[auth.Kind]auth.Provider{auth.KindWebull: ip.prov}, ip.clock)
	ip.deps = cli.Deps{
		Stdin:      strings.NewReader(""),
		Stdout:     ip.stdout,
		Stderr:     ip.stderr,
		Getenv:     func(string) string { return "" },
		IsTerminal: func(any) bool { return terminal },
		Clock:      ip.clock,
		Open: func(bool) (cli.Parts, error) {
			return cli.Parts{Service: service.Local{Eng: ip.eng}, Dir: st.Dir(), Prefs: st}, nil
		},
	}
	return ip
}

func (ip *inProcess) run(args ...string) int {
	return cli.Run(context.Background(), args, ip.deps)
}

func TestLoginCountdownUpdatesInPlaceOnATerminal(t *testing.T) {
	ip := newInProcess(t, true)
	var prompts []string
	ip.deps.ReadSecret = func(prompt string) (string, error) {
		prompts = append(prompts, prompt)
		return map[string]string{"Webull App Key: ": "test-app-key-0001", "Webull App Secret: ": "test-app-secret-0001"}[prompt], nil
	}
	if code := ip.run("add", "webull", "wb", "--region", "us"); code != 0 {
		t.Fatalf("add: exit %d, stderr %q", code, ip.stderr.String())
	}
	if len(prompts) != 2 {
		t.Fatalf("prompts %q, want one no-echo prompt per secret", prompts)
	}
	if got := ip.secrets.Values(); len(got) != 2 || got[0] != "test-app-key-0001" {
		t.Fatalf("stored secrets %q", got)
	}
	// Before the login the user must act.
	if code := ip.run("token", "wb"); code != cli.ExitNeedsUser {
		t.Fatalf("token before login: exit %d", code)
	}

	done := make(chan int, 1)
	go func() { done <- ip.run("login", "wb") }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ip.clock.BlockUntilContext(ctx, 1); err != nil { // the countdown ticker
		t.Fatalf("no countdown started: %v; output %q", err, ip.stdout.String())
	}
	for _, left := range []string{"4:59", "4:58", "4:57"} {
		ip.clock.Advance(time.Second)
		testutil.Eventually(t, "the countdown at "+left, func() bool {
			return strings.Contains(ip.stdout.String(), "\rWaiting for the verification: "+left+" left")
		})
	}
	close(ip.prov.verified)
	if code := <-done; code != 0 {
		t.Fatalf("login: exit %d, stderr %q", code, ip.stderr.String())
	}
	out := ip.stdout.String()
	for _, want := range []string{"1. Open the Webull app.", "2. Enter the SMS code", "\rWaiting for the verification: 5:00 left", "4:59 left", "4:58 left", "wb: OK"} {
		if !strings.Contains(out, want) {
			t.Errorf("login output lacks %q:\n%q", want, out)
		}
	}
	if strings.Count(out, "1. Open the Webull app.") != 1 {
		t.Errorf("steps printed more than once:\n%q", out)
	}
	if code := ip.run("token", "wb"); code != 0 || !strings.HasSuffix(ip.stdout.String(), "test-webull-token-0001\n") {
		t.Fatalf("token after login: exit %d", code)
	}
}

func TestStatusJSONIsEmptyListWithNoCredentials(t *testing.T) {
	ip := newInProcess(t, false)
	if code := ip.run("status", "--json"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if got := strings.Join(strings.Fields(ip.stdout.String()), ""); got != `{"credentials":[]}` {
		t.Fatalf("status --json with nothing stored: %q", got)
	}
}
