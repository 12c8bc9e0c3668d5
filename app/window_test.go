package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
)

// memBackend is the window's view of an agent, kept in memory so these
// tests see exactly what the window does with each answer.
type memBackend struct {
	mu       sync.Mutex
	rows     []Row
	added    []AddRequest
	removed  []string
	refresh  []string
	loginEvs []auth.LoginEvent
	loginGo  chan struct{}
	extended []time.Time
	// loginErrs are the outcomes of the next logins, before they succeed.
	loginErrs []error
	logins    int
	loggedOut []string
}

func (m *memBackend) List(context.Context) ([]Row, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Row(nil), m.rows...), nil
}
func (m *memBackend) Refresh(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refresh = append(m.refresh, name)
	return nil
}
func (m *memBackend) Token(_ context.Context, name string) (string, error) {
	if name == "webull-us" {
		return "", auth.NeedsUser("webull-us needs a 2FA verification: run tokentray login webull-us")
	}
	return "tok-" + name, nil
}
func (m *memBackend) Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	for _, ev := range m.loginEvs {
		progress(ev)
	}
	m.mu.Lock()
	m.logins++
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
func (m *memBackend) Extend(_ context.Context, name string, until time.Time) (auth.Health, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.extended = append(m.extended, until)
	return auth.Health{State: auth.OK, Reason: "extended: scripts using FUTU_ACCESS_TOKEN need the new token"}, nil
}

func (m *memBackend) Add(_ context.Context, r AddRequest) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.added = append(m.added, r)
	m.rows = append(m.rows, Row{Name: r.Name, Kind: r.Kind})
	return nil
}
func (m *memBackend) Logout(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.loggedOut = append(m.loggedOut, name)
	return nil
}

func (m *memBackend) Remove(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removed = append(m.removed, name)
	return nil
}

// labelText reads a label's text for UI.Read.
type labelText struct{ l *widget.Label }

func (l labelText) Text() string { return l.l.Text }

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newTestUI(t *testing.T, b *memBackend) (*UI, *clockwork.FakeClock) {
	t.Helper()
	clock := clockwork.NewFakeClockAt(t0)
	u := New(test.NewTempApp(t), b, Options{Sandbox: true, Clock: clock, PhoneURL: "http://127.0.0.1:1/sandbox/phone"})
	u.Win.Show()
	if err := u.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return u, clock
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestListAndDetails(t *testing.T) {
	b := &memBackend{rows: []Row{
		{Name: "futu-main", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.Expiring, Reason: "expires in 6 days: extend it", ExpiresAt: t0.Add(6 * 24 * time.Hour)}},
		{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.ActionNeeded, Reason: "verify the token"}},
	}}
	u, _ := newTestUI(t, b)
	if !strings.Contains(u.Banner.Text, "Sandbox") || !u.Banner.Visible() {
		t.Errorf("sandbox banner = %q visible=%v", u.Banner.Text, u.Banner.Visible())
	}
	if u.List.Length() != 2 {
		t.Fatalf("list shows %d rows", u.List.Length())
	}
	if !u.Details.Copy.Disabled() {
		t.Error("copy is enabled with nothing selected")
	}
	u.List.Select(0)
	if u.Details.Title.Text != "futu-main" || !strings.Contains(u.Details.Reason.Text, "extend it") || !strings.Contains(u.Details.Expiry.Text, "6 days") {
		t.Errorf("details = %q / %q / %q", u.Details.Title.Text, u.Details.Reason.Text, u.Details.Expiry.Text)
	}
	if !u.Details.Logout.Disabled() {
		t.Error("an API key offers a log out")
	}
	if u.Details.Login.Text != "Extend…" {
		t.Errorf("an API key offers %q instead of Extend", u.Details.Login.Text)
	}
	ed := u.NewExtendDialog(u.Rows()[0])
	ed.Choice.SetSelected("3 years")
	ed.Confirm()
	u.Settle()
	if len(b.extended) != 1 || !b.extended[0].Equal(t0.Add(1095*24*time.Hour)) {
		t.Errorf("extended to %v, want 3 years from now", b.extended)
	}
	if !strings.Contains(u.Status.Text, "need the new token") {
		t.Errorf("status after extend = %q", u.Status.Text)
	}

	test.Tap(u.Details.Copy)
	u.Settle()
	if got := u.App.Clipboard().Content(); got != "tok-futu-main" {
		t.Errorf("clipboard = %q", got)
	}

	u.List.Select(1)
	test.Tap(u.Details.Copy)
	u.Settle()
	if !strings.Contains(u.Status.Text, "needs a 2FA verification") {
		t.Errorf("status = %q", u.Status.Text)
	}
	if u.App.Clipboard().Content() != "tok-futu-main" {
		t.Error("a token that needs the user replaced the clipboard")
	}

	test.Tap(u.RefreshAll)
	u.Settle()
	if len(b.refresh) != 1 || b.refresh[0] != "" {
		t.Errorf("refresh calls = %q, want one for all", b.refresh)
	}
}

func TestTwoFactorDialogCountsDown(t *testing.T) {
	b := &memBackend{
		rows:    []Row{{Name: "webull-us", Kind: auth.KindWebull}},
		loginGo: make(chan struct{}),
		loginEvs: []auth.LoginEvent{{
			Health: auth.Health{State: auth.Pending, Reason: "Enter the SMS code in the Webull app.", Deadline: t0.Add(5 * time.Minute)},
			Steps:  []string{"Open the Webull app", "Menu → Messages → OpenAPI Notifications", "Check Now, enter the code, Confirm"},
		}},
	}
	u, clock := newTestUI(t, b)
	ld := u.StartLogin(u.Rows()[0])
	text := func(l interface{ Text() string }) string { var s string; u.Read(func() { s = l.Text() }); return s }
	countdown := labelText{ld.Countdown}
	eventually(t, "the countdown", func() bool { return text(countdown) == "5:00 left" })
	if got := text(labelText{ld.Steps}); !strings.Contains(got, "2. Menu → Messages → OpenAPI Notifications") {
		t.Errorf("steps = %q", got)
	}
	// The ticker waits on the fake clock: move it a minute and a second.
	if err := clock.BlockUntilContext(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(61 * time.Second)
	eventually(t, "the countdown to move", func() bool { return text(countdown) == "3:59 left" })
	var progress float64
	u.Read(func() { progress = ld.Progress.Value })
	if progress < 238 || progress > 240 {
		t.Errorf("progress = %v, want about 239 s left", progress)
	}
	close(b.loginGo)
	h, err := ld.Wait()
	if err != nil || h.State != auth.OK {
		t.Fatalf("login = %v, %v", h, err)
	}
	u.Settle()
	if !strings.Contains(u.Status.Text, "verified") {
		t.Errorf("status = %q", u.Status.Text)
	}
}

func TestCancelLeavesCredentialAlone(t *testing.T) {
	b := &memBackend{rows: []Row{{Name: "webull-us", Kind: auth.KindWebull}}, loginGo: make(chan struct{})}
	u, _ := newTestUI(t, b)
	ld := u.StartLogin(u.Rows()[0])
	test.Tap(ld.Cancel)
	_, err := ld.Wait()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
	u.Settle()
	if !strings.Contains(u.Status.Text, "Cancelled") {
		t.Errorf("status = %q", u.Status.Text)
	}
}

func TestAddFormValidatesAndKeepsSecretsOutOfTheName(t *testing.T) {
	b := &memBackend{}
	u, _ := newTestUI(t, b)
	f := u.NewAddForm()
	f.Kind.SetSelected(auth.KindWebull.Title())
	test.Type(f.Name, "webull us")
	if _, err := f.Request(); err == nil || !strings.Contains(err.Error(), "not a usable name") {
		t.Errorf("bad name: %v", err)
	}
	f.Name.SetText("webull-us")
	if _, err := f.Request(); err == nil || !strings.Contains(err.Error(), "App Key is empty") {
		t.Errorf("missing key: %v", err)
	}
	f.AppKey.SetText("test-app-key-0001")
	f.AppSecret.SetText("test-app-secret-0001")
	f.Region.SetSelected("hk")
	req, err := f.Request()
	if err != nil {
		t.Fatal(err)
	}
	if req.Kind != auth.KindWebull || req.Region != "hk" || req.Secrets[auth.FieldAppSecret] != "test-app-secret-0001" {
		t.Errorf("request = %+v", req)
	}
	if !f.AppSecret.Password {
		t.Error("the app secret is typed in the clear")
	}
}

func TestExpiredVerificationOffersANewTokenInOneClick(t *testing.T) {
	b := &memBackend{
		rows:      []Row{{Name: "webull-us", Kind: auth.KindWebull}},
		loginGo:   make(chan struct{}),
		loginErrs: []error{auth.NeedsUser("the 5 minutes to confirm the SMS code ran out: get a new token and confirm it in time")},
	}
	close(b.loginGo)
	u, _ := newTestUI(t, b)
	ld := u.StartLogin(u.Rows()[0])
	if _, err := ld.Wait(); err == nil {
		t.Fatal("the first attempt should fail")
	}
	u.Settle()
	if !ld.Open() || !ld.Retry.Visible() || ld.Retry.Text != "Get a new token" {
		t.Fatalf("after expiry: open=%v retry=%v %q", ld.Open(), ld.Retry.Visible(), ld.Retry.Text)
	}
	if !strings.Contains(ld.Steps.Text, "ran out") || ld.Cancel.Text != "Close" {
		t.Errorf("dialog says %q with %q", ld.Steps.Text, ld.Cancel.Text)
	}
	test.Tap(ld.Retry)
	h, err := ld.Wait()
	u.Settle()
	if err != nil || h.State != auth.OK {
		t.Fatalf("second attempt = %v, %v", h, err)
	}
	if b.logins != 2 || ld.Open() {
		t.Errorf("logins = %d, dialog open = %v", b.logins, ld.Open())
	}
}

func TestHasDisplay(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if hasDisplay("linux", env(nil)) {
		t.Error("a Linux session with neither DISPLAY nor WAYLAND_DISPLAY has a display")
	}
	if !hasDisplay("linux", env(map[string]string{"WAYLAND_DISPLAY": "wayland-0"})) || !hasDisplay("linux", env(map[string]string{"DISPLAY": ":0"})) {
		t.Error("an X11 or Wayland session was refused")
	}
	if !hasDisplay("darwin", env(nil)) {
		t.Error("macOS needs no DISPLAY")
	}
}
