package cli_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/auth/targets"
	"tokentray/cli"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// fakeService is the command line's service in memory: what it keeps is
// a real settings file (a store over in-memory secrets, so a missing name
// is the store's own error), and what a broker would answer is scripted
// per call. Every call is recorded, so a test sees what a command asked.
type fakeService struct {
	t     *testing.T
	st    *store.Store
	clock *clockwork.FakeClock

	mu    sync.Mutex
	calls []string
	// fail scripts the error of a call, by "Method NAME" ("Token k1").
	fail map[string]error
	// loginOpts are the options of the last login asked for.
	loginOpts auth.LoginOptions
	// health scripts the health a check, login, extension or update of a
	// credential ends with, by name; unset: OK.
	health map[string]auth.Health
	// tokens are the current tokens, by name; env the variables.
	tokens map[string]string
	env    map[string]map[string]string
	// shared is each credential's share targets.
	shared map[string]targets.Shared
	// progress is what a login tells before it ends.
	progress []auth.LoginEvent
	settings []service.Setting
}

var _ service.Service = (*fakeService)(nil)

func newFakeService(t *testing.T) *fakeService {
	t.Helper()
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	return &fakeService{
		t: t, st: st, clock: clockwork.NewFakeClockAt(t0),
		fail: map[string]error{}, health: map[string]auth.Health{}, tokens: map[string]string{},
		env: map[string]map[string]string{}, shared: map[string]targets.Shared{},
	}
}

// with stores a credential as a check left it.
func (f *fakeService) with(c auth.Credential) *fakeService {
	f.t.Helper()
	if c.AddedAt.IsZero() {
		c.AddedAt = t0
	}
	if c.ID == "" {
		c.ID = auth.NewID()
	}
	if err := f.st.Add(c, nil); err != nil {
		f.t.Fatal(err)
	}
	return f
}

// call records a call and returns its scripted error.
func (f *fakeService) call(method string, args ...any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	line := strings.TrimSpace(method + " " + strings.TrimSpace(fmt.Sprintln(args...)))
	f.calls = append(f.calls, line)
	key := method
	if len(args) > 0 {
		key = fmt.Sprint(method, " ", args[0])
	}
	return f.fail[key]
}

// called is every call so far, one line each ("Token k1").
func (f *fakeService) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// healthOf is the scripted health of name (OK when none is).
func (f *fakeService) healthOf(name string) auth.Health {
	f.mu.Lock()
	defer f.mu.Unlock()
	if h, ok := f.health[name]; ok {
		return h
	}
	return auth.Health{State: auth.OK, Reason: "checked", CheckedAt: f.clock.Now()}
}

func (f *fakeService) Clock() clockwork.Clock { return f.clock }

func (f *fakeService) Status(context.Context) ([]service.Status, error) {
	if err := f.call("Status"); err != nil {
		return nil, err
	}
	cs, err := f.st.List()
	if err != nil {
		return nil, err
	}
	out := make([]service.Status, len(cs))
	for i, c := range cs {
		s := service.Status{Name: c.Name, Kind: c.Kind, Broker: c.Kind.Broker(), Health: c.Health, ExpiresAt: c.ExpiresAt, LastChecked: c.LastChecked}
		if !c.ExpiresAt.IsZero() {
			s.SecondsLeft = int64(c.ExpiresAt.Sub(f.clock.Now()) / time.Second)
		}
		out[i] = s
	}
	return out, nil
}

func (f *fakeService) Rows(ctx context.Context) ([]service.Row, error) {
	ss, err := f.Status(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]service.Row, len(ss))
	for i, s := range ss {
		c, _ := f.st.Get(s.Name)
		rows[i] = service.Row{Name: s.Name, Kind: s.Kind, Health: s.Health, Credential: c}
	}
	return rows, nil
}

func (f *fakeService) Credentials(context.Context) ([]auth.Credential, error) { return f.st.List() }

func (f *fakeService) Get(_ context.Context, name string) (auth.Credential, error) {
	return f.st.Get(name)
}

func (f *fakeService) Shared(_ context.Context, name string) (auth.Credential, targets.Shared, error) {
	c, err := f.st.Get(name)
	if err != nil {
		return c, targets.Shared{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return c, f.shared[name], nil
}

func (f *fakeService) AllShared(context.Context) (map[string]targets.Shared, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]targets.Shared{}
	for k, v := range f.shared {
		out[k] = v
	}
	return out, nil
}

func (f *fakeService) Handoffs(_ context.Context, name string) ([]auth.Handoff, error) {
	if _, err := f.st.Get(name); err != nil {
		return nil, err
	}
	return nil, nil
}

func (f *fakeService) AppKeyID(_ context.Context, name string) (string, error) {
	if _, err := f.st.Get(name); err != nil {
		return "", err
	}
	return "test-key-id", nil
}

func (f *fakeService) Recover(context.Context) []service.Result {
	_ = f.call("Recover")
	return nil
}

// settle stores the scripted health of a check of name.
func (f *fakeService) settle(name string, h auth.Health) {
	c, err := f.st.Get(name)
	if err != nil {
		return
	}
	c.Health, c.LastChecked = h, f.clock.Now()
	_ = f.st.Update(c)
}

func (f *fakeService) Refresh(_ context.Context, name string, force bool) (auth.Health, error) {
	if err := f.call("Refresh", name, force); err != nil {
		return auth.Health{State: auth.Unknown, Reason: err.Error()}, err
	}
	if _, err := f.st.Get(name); err != nil {
		return auth.Health{}, err
	}
	h := f.healthOf(name)
	f.settle(name, h)
	if h.State == auth.ActionNeeded {
		return h, auth.NeedsUserTo(h.Next, "%s: %s", name, h.Reason)
	}
	return h, nil
}

func (f *fakeService) RefreshAll(ctx context.Context, force bool) ([]service.Result, error) {
	cs, err := f.st.List()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return f.RefreshNames(ctx, names, force), nil
}

func (f *fakeService) RefreshNames(ctx context.Context, names []string, force bool) []service.Result {
	out := make([]service.Result, len(names))
	for i, n := range names {
		h, err := f.Refresh(ctx, n, force)
		out[i] = service.Result{Name: n, Health: h, Err: err}
	}
	return out
}

func (f *fakeService) Token(_ context.Context, name string) (string, error) {
	if err := f.call("Token", name); err != nil {
		return "", err
	}
	if _, err := f.st.Get(name); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tok, ok := f.tokens[name]
	if !ok {
		return "", auth.NeedsUserTo(auth.Next(auth.ActionLogin, name), "%s has no token yet", name)
	}
	return tok, nil
}

func (f *fakeService) Env(_ context.Context, name string) (map[string]string, string, error) {
	if err := f.call("Env", name); err != nil {
		return nil, "", err
	}
	if _, err := f.st.Get(name); err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.env[name], "", nil
}

func (f *fakeService) Login(_ context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	c, err := f.st.Get(name)
	if err != nil {
		return auth.Health{}, err
	}
	if c.Kind == auth.KindFutuKey {
		return auth.Health{}, fmt.Errorf("%s (%s) has no login: tokentray checks and renews it without you", name, c.Kind.Title())
	}
	f.mu.Lock()
	f.loginOpts = opts
	f.mu.Unlock()
	for _, ev := range f.progress {
		progress(ev)
	}
	if err := f.call("Login", name); err != nil {
		return auth.Health{State: auth.ActionNeeded, Reason: err.Error()}, err
	}
	h := f.healthOf(name)
	f.settle(name, h)
	return h, nil
}

func (f *fakeService) Extend(_ context.Context, name string, until time.Time, o service.ExtendOptions) (auth.Health, auth.Handover, error) {
	if err := f.call("Extend", name, until.Format(time.DateOnly), o.Shorten); err != nil {
		return auth.Health{}, auth.Handover{}, err
	}
	c, err := f.st.Get(name)
	if err != nil {
		return auth.Health{}, auth.Handover{}, err
	}
	if c.Kind != auth.KindFutuKey {
		return auth.Health{}, auth.Handover{}, fmt.Errorf("%s is not a Futu API key: only those are extended", name)
	}
	h := f.healthOf(name)
	h.ExpiresAt = until
	c.ExpiresAt, c.Health = until, h
	_ = f.st.Update(c)
	return h, auth.Handover{}, nil
}

func (f *fakeService) Logout(_ context.Context, name string) (service.Gone, error) {
	if err := f.call("Logout", name); err != nil {
		return service.Gone{}, err
	}
	c, err := f.st.Get(name)
	if err != nil {
		return service.Gone{}, err
	}
	if c.Kind == auth.KindFutuKey {
		return service.Gone{}, fmt.Errorf("%s is an API key: it has no login to forget; remove it with tokentray remove", name)
	}
	f.mu.Lock()
	delete(f.tokens, name)
	f.mu.Unlock()
	return service.Gone{}, nil
}

func (f *fakeService) Add(_ context.Context, req service.AddRequest) (auth.Credential, error) {
	if err := f.call("Add", req.Name, req.Kind, keys(req.Secrets)); err != nil {
		return req.Credential, err
	}
	c := req.Credential
	c.ID, c.AddedAt = auth.NewID(), f.clock.Now()
	if !req.NoCheck {
		c.Health = f.healthOf(c.Name)
		c.LastChecked = f.clock.Now()
	}
	if err := f.st.Add(c, req.Secrets); err != nil {
		return c, err
	}
	return f.st.Get(c.Name)
}

func (f *fakeService) Update(_ context.Context, req service.UpdateRequest) (auth.Health, error) {
	if err := f.call("Update", req.Name, keys(req.Secrets)); err != nil {
		return auth.Health{}, err
	}
	c, err := f.st.Get(req.Name)
	if err != nil {
		return auth.Health{}, err
	}
	if req.Edit != nil {
		req.Edit(&c)
	}
	c.Health = f.healthOf(req.Name)
	return c.Health, f.st.Update(c)
}

func (f *fakeService) Change(_ context.Context, name string, _ time.Duration, edit func(c *auth.Credential)) (auth.Credential, error) {
	if err := f.call("Change", name); err != nil {
		return auth.Credential{}, err
	}
	c, err := f.st.Get(name)
	if err != nil {
		return c, err
	}
	next := c
	edit(&next)
	return c, f.st.Update(next)
}

// ShareSDK records the share, turns sharing on or off in the settings
// and, on, checks the credential as the scripted health says (the fake
// writes no file).
func (f *fakeService) ShareSDK(ctx context.Context, name string, wait time.Duration, o service.SDKShare) (service.SDKShared, error) {
	if err := f.call("ShareSDK", name); err != nil {
		return service.SDKShared{}, err
	}
	before, err := f.Change(ctx, name, wait, func(c *auth.Credential) {
		c.ShareWithSDK, c.ShareAccessOnly = !o.Off, o.AccessOnly
		if o.Dir != "" {
			c.SDKTokenDir = o.Dir
		}
	})
	if err != nil {
		return service.SDKShared{}, err
	}
	out := service.SDKShared{Before: before, Dir: o.Dir}
	if !o.Off {
		out.Health, err = f.Refresh(ctx, name, false)
		out.Written = err == nil
	}
	out.After, _ = f.st.Get(name)
	return out, err
}

func (f *fakeService) Provider(k auth.Kind) (auth.Provider, error) {
	return nil, fmt.Errorf("no broker serves %s here", k)
}

func (f *fakeService) Remove(_ context.Context, name string) (service.Gone, error) {
	if err := f.call("Remove", name); err != nil {
		return service.Gone{}, err
	}
	return service.Gone{}, f.st.Remove(name)
}

func (f *fakeService) AddTarget(_ context.Context, name string, t targets.Target) error {
	if err := f.call("AddTarget", name, t.Describe()); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	sh := f.shared[name]
	sh.Targets = append(sh.Targets, t)
	f.shared[name] = sh
	return nil
}

func (f *fakeService) RemoveTarget(_ context.Context, name string, t targets.Target) (service.TargetOff, error) {
	if err := f.call("RemoveTarget", name, t.Describe()); err != nil {
		return service.TargetOff{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	sh := f.shared[name]
	i := sh.Find(t)
	if i < 0 {
		return service.TargetOff{}, fmt.Errorf("%s does not push to %s", name, t.Describe())
	}
	sh.Targets = slices.Delete(sh.Targets, i, i+1)
	f.shared[name] = sh
	return service.TargetOff{Target: t}, nil
}

func (f *fakeService) Push(_ context.Context, name string, pick func(targets.Target) bool) (service.PushResult, error) {
	return service.PushResult{}, f.call("Push", name)
}

func (f *fakeService) NewShareKeeper(func(service.PushResult)) *service.ShareKeeper {
	f.t.Error("the command line started a share keeper (the agent's job)")
	return nil
}

func (f *fakeService) Tidy(context.Context) error { return f.call("Tidy") }

func (f *fakeService) Settings(context.Context) ([]service.Setting, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.settings), nil
}

func (f *fakeService) SetSetting(_ context.Context, key, value string) error {
	return f.call("SetSetting", key, value)
}

func (f *fakeService) Lead() time.Duration       { return 24 * time.Hour }
func (f *fakeService) ShareEvery() time.Duration { return time.Hour }

func (f *fakeService) Where() service.Where {
	return service.Where{Dir: f.st.Dir(), Settings: f.st.Path(), Keychain: "memory"}
}

func (f *fakeService) Watch(context.Context, func()) error {
	return errors.New("the command line does not watch")
}

// keys is the sorted field names of secrets (never their values).
func keys(m map[string]string) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ",")
}

// ran is one in-process run of the command line.
type ran struct {
	code           int
	stdout, stderr string
}

// cliRun runs the command line in this process over svc: no binary, no
// keychain, no broker. stdin is what is piped in (not a terminal).
func cliRun(t *testing.T, svc *fakeService, stdin string, args ...string) ran {
	t.Helper()
	return cliRunWith(t, svc, nil, stdin, args...)
}

// cliRunWith is cliRun with the environment given (nil: empty).
func cliRunWith(t *testing.T, svc *fakeService, env map[string]string, stdin string, args ...string) ran {
	t.Helper()
	var stdout, stderr testutil.LockedBuffer
	d := cli.Deps{
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout, Stderr: &stderr,
		Getenv:  func(k string) string { return env[k] },
		Environ: func() []string { return nil },
		Clock:   svc.clock,
		Open: func(bool) (cli.Parts, error) {
			return cli.Parts{Service: svc, Dir: svc.st.Dir(), Prefs: svc.st}, nil
		},
		ProfileDir: func(bool) (string, error) { return svc.st.Dir(), nil },
		Language:   func(bool) msg.Lang { return msg.Choose("", func(k string) string { return env[k] }, nil) },
	}
	code := cli.Run(context.Background(), args, d)
	r := ran{code: code, stdout: stdout.String(), stderr: stderr.String()}
	// Every failure is one sentence on stderr, never a stack trace.
	if code != cli.ExitOK && args[0] != "refresh" && args[0] != "exec" {
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if strings.TrimSpace(r.stderr) == "" || len(lines) != 1 || strings.Contains(r.stderr, "goroutine ") {
			t.Errorf("tokentray %q exited %d with stderr %q, want one sentence", args, code, r.stderr)
		}
	}
	return r
}
