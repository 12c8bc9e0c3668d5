package app

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/internal/msg"
)

// syncRunner runs background work and widget updates at once, on the
// test's goroutine: a tap has done everything when it returns.
type syncRunner struct{}

func (syncRunner) Go(f func()) { f() }
func (syncRunner) Do(f func()) { f() }

// asyncRunner runs background work on goroutines, as the window does,
// orders widget updates under one lock, and lets a test wait for all of
// it: for the flows that block (a login waiting for the phone).
type asyncRunner struct {
	mu sync.Mutex
	wg sync.WaitGroup
}

func (r *asyncRunner) Go(f func()) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		f()
	}()
}

func (r *asyncRunner) Do(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f()
}

// settle waits until the work started so far has finished.
func (r *asyncRunner) settle() { r.wg.Wait() }

// read runs f while no background update is drawing.
func (r *asyncRunner) read(f func()) { r.Do(f) }

// memBackend is the window's view of the service, kept in memory so
// these tests see exactly what the window does with each answer. What
// the window never asks for is left to the embedded (nil) Service: a call
// of it fails the test with a nil-pointer panic.
type memBackend struct {
	service.Service
	mu       sync.Mutex
	rows     []Row
	lists    int
	added    []AddRequest
	updated  []AddRequest
	removed  []string
	refresh  []string
	loginEvs []auth.LoginEvent
	loginGo  chan struct{}
	extended []time.Time
	// addErr is the engine's answer to the next Add or Update.
	addErr error
	// loginErrs are the outcomes of the next logins, before they succeed.
	loginErrs []error
	logins    int
	// loginLangs are the languages the logins were asked to speak in.
	loginLangs []msg.Lang
	loggedOut  []string
	settings   []Setting
	watch      func()
	where      Where
}

func (m *memBackend) Rows(context.Context) ([]Row, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lists++
	return append([]Row(nil), m.rows...), nil
}

func (m *memBackend) listCalls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lists
}

func (m *memBackend) Refresh(_ context.Context, name string, _ bool) (auth.Health, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refresh = append(m.refresh, name)
	return auth.Health{}, nil
}

// RefreshAll is recorded as a refresh of "" (every credential).
func (m *memBackend) RefreshAll(_ context.Context, _ bool) ([]service.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refresh = append(m.refresh, "")
	return nil, nil
}

func (m *memBackend) Token(_ context.Context, name string) (string, error) {
	if name == "webull-us" {
		return "", auth.NeedsUserTo(auth.Next(auth.ActionVerify, name), "webull-us has no verified token yet")
	}
	return "tok-" + name, nil
}

func (m *memBackend) Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	for _, ev := range m.loginEvs {
		progress(ev)
	}
	m.mu.Lock()
	m.logins++
	m.loginLangs = append(m.loginLangs, opts.Lang)
	if len(m.loginErrs) > 0 {
		err := m.loginErrs[0]
		m.loginErrs = m.loginErrs[1:]
		m.mu.Unlock()
		return auth.Health{State: auth.ActionNeeded, Reason: err.Error()}, err
	}
	m.mu.Unlock()
	select {
	case <-ctx.Done():
		return auth.Health{}, ctx.Err()
	case <-m.loginGo:
		return auth.Health{State: auth.OK, Reason: "verified"}, nil
	}
}

func (m *memBackend) Extend(_ context.Context, name string, until time.Time, _ service.ExtendOptions) (auth.Health, auth.Handover, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.extended = append(m.extended, until)
	return auth.Health{State: auth.OK, Reason: "extended: scripts using FUTU_ACCESS_TOKEN need the new token"}, auth.Handover{}, nil
}

func (m *memBackend) Add(_ context.Context, r AddRequest) (auth.Credential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.addErr; err != nil && !r.NoCheck {
		m.addErr = nil
		return auth.Credential{}, err
	}
	m.added = append(m.added, r)
	m.rows = append(m.rows, Row{Name: r.Name, Kind: r.Kind})
	return r.Credential, nil
}

// Update records the update as the form's request: the stored row's
// credential with the update's edit made to it.
func (m *memBackend) Update(_ context.Context, r service.UpdateRequest) (auth.Health, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.addErr; err != nil {
		m.addErr = nil
		return auth.Health{}, err
	}
	var c auth.Credential
	for _, row := range m.rows {
		if row.Name == r.Name {
			c = row.Credential
			c.Name, c.Kind = row.Name, row.Kind
		}
	}
	if r.Edit != nil {
		r.Edit(&c)
	}
	m.updated = append(m.updated, AddRequest{Credential: c, Secrets: r.Secrets, NoCheck: r.NoCheck})
	return auth.Health{}, nil
}

func (m *memBackend) Logout(_ context.Context, name string) (service.Gone, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loggedOut = append(m.loggedOut, name)
	return service.Gone{}, nil
}

func (m *memBackend) Remove(_ context.Context, name string) (service.Gone, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removed = append(m.removed, name)
	for i, r := range m.rows {
		if r.Name == name {
			m.rows = append(m.rows[:i], m.rows[i+1:]...)
			break
		}
	}
	return service.Gone{}, nil
}

func (m *memBackend) Settings(context.Context) ([]Setting, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Setting(nil), m.settings...), nil
}

func (m *memBackend) SetSetting(_ context.Context, key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, s := range m.settings {
		if s.Key != key {
			continue
		}
		if key == "lead-time" {
			d, err := time.ParseDuration(value)
			if err != nil || d < time.Minute {
				return errors.New("the renewal lead time " + value + " is out of range: choose between 1m and 168h")
			}
		}
		m.settings[i].Value = value
		return nil
	}
	return errors.New(key + " is not a setting")
}

func (m *memBackend) Where() Where { return m.where }

func (m *memBackend) Watch(_ context.Context, changed func()) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.watch = changed
	return nil
}

// touch is what a write of the settings file by another process does.
func (m *memBackend) touch() bool {
	m.mu.Lock()
	w := m.watch
	m.mu.Unlock()
	if w != nil {
		w()
	}
	return w != nil
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// newTestUI opens the window over b with r running its work (a
// syncRunner when nil) and a fake clock.
func newTestUI(t *testing.T, b *memBackend, r Runner) (*UI, *clockwork.FakeClock) {
	t.Helper()
	if r == nil {
		r = syncRunner{}
	}
	clock := clockwork.NewFakeClockAt(t0)
	u := New(test.NewTempApp(t), b, Options{Sandbox: true, Clock: clock, PhoneURL: "http://127.0.0.1:1/sandbox/phone", Runner: r})
	u.Win.Show()
	if err := u.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return u, clock
}
