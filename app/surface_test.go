package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

// The pane and the list's highlight agree through every reload: the
// same rows again (a dialog's work ends with one), rows in another
// order, and the selected credential gone.
func TestThePaneFollowsTheSelectionThroughReloads(t *testing.T) {
	b := &memBackend{rows: []Row{
		{Name: "futu-key1", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.OK}},
		{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.Pending, Deadline: t0.Add(4 * time.Minute)}},
	}}
	u, clock := newTestUI(t, b, nil)
	selectRow(t, u, "webull-us")
	for i := 0; i < 3; i++ {
		if err := u.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		u.List.Refresh()
		u.showDetails()
		if got := u.Details.Title.Text; got != "webull-us" {
			t.Fatalf("reload %d: the pane shows %q with webull-us selected", i, got)
		}
	}
	// After a dialog's work, as in the window: work reloads the list.
	u.work("Checking…", func(context.Context) (string, error) { return "checked", nil })
	if got := u.Details.Title.Text; got != "webull-us" || !offered(u.Details.Edit) {
		t.Fatalf("after work the pane shows %q (edit offered %v)", got, offered(u.Details.Edit))
	}
	// Another order: the credential stays selected, at its new place.
	b.mu.Lock()
	b.rows = []Row{b.rows[1], b.rows[0]}
	b.mu.Unlock()
	if err := u.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := u.Details.Title.Text; got != "webull-us" {
		t.Fatalf("after a reorder the pane shows %q", got)
	}
	// Clicking the highlighted row keeps it; clicking another shows that.
	u.List.Select(0)
	if got := u.Details.Title.Text; got != "webull-us" {
		t.Errorf("clicking the selected row shows %q", got)
	}
	u.List.Select(1)
	if got := u.Details.Title.Text; got != "futu-key1" {
		t.Errorf("clicking futu-key1 shows %q", got)
	}
	// Gone: nothing is highlighted and the pane says so.
	b.mu.Lock()
	b.rows = b.rows[:1]
	b.mu.Unlock()
	if err := u.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := u.Details.Title.Text; got != "Select a credential" || offered(u.Details.Edit) {
		t.Errorf("with the selected credential removed the pane shows %q", got)
	}
	u.List.Select(0)
	if got := u.Details.Title.Text; got != "webull-us" {
		t.Errorf("clicking the remaining row shows %q", got)
	}
}

// buttons names the buttons of the pane that can be pressed.
func buttons(d *Details) []string {
	var out []string
	for _, b := range []*widget.Button{d.Next, d.Refresh, d.Copy, d.Logout, d.Edit, d.Remove} {
		if offered(b) {
			out = append(out, b.Text)
		}
	}
	return out
}

func TestActionsAreOfferedOnceAndOnlyWhereTheyWork(t *testing.T) {
	ok := auth.Health{State: auth.OK, CheckedAt: t0, ExpiresAt: t0.Add(10 * 24 * time.Hour)}
	b := &memBackend{rows: []Row{
		{Name: "futu-new", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.ActionNeeded, Reason: "not logged in to Futu yet", Next: auth.Next(auth.ActionLogin, "futu-new")}},
		{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: ok},
		{Name: "futu-key1", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.Expiring, ExpiresAt: t0.Add(2 * 24 * time.Hour), Next: auth.Next(auth.ActionExtend, "futu-key1")}},
		{Name: "futu-key2", Kind: auth.KindFutuKey, Health: ok},
		{Name: "webull-no2fa", Kind: auth.KindWebull, Health: auth.Health{State: auth.OK, CheckedAt: t0}, Credential: auth.Credential{TwoFactorOff: true}},
		{Name: "webull-us", Kind: auth.KindWebull, Health: ok},
		{Name: "webull-hk", Kind: auth.KindWebull, Health: auth.Health{State: auth.Unknown, Reason: "Webull did not answer", Next: auth.Next(auth.ActionRetry, "webull-hk")}},
	}}
	u, _ := newTestUI(t, b, nil)
	want := map[string]string{
		"futu-new":     "Log in…|Check now|Edit…|Remove…",
		"futu-main":    "Check now|Copy token|Log out…|Edit…|Remove…",
		"futu-key1":    "Extend…|Check now|Copy token|Edit…|Remove…",
		"futu-key2":    "Check now|Copy token|Edit…|Remove…",
		"webull-no2fa": "Check now|Edit…|Remove…",
		"webull-us":    "Check now|Copy token|Log out…|Edit…|Remove…",
		"webull-hk":    "Check again|Edit…|Remove…",
	}
	for name, w := range want {
		selectRow(t, u, name)
		if got := strings.Join(buttons(u.Details), "|"); got != w {
			t.Errorf("%s offers %q, want %q", name, got, w)
		}
	}
}

func TestANotificationsButtonOpensTheWindowAtItsAction(t *testing.T) {
	b := &memBackend{
		rows:    []Row{{Name: "futu-main", Kind: auth.KindFutuOAuth}, {Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.ActionNeeded, Next: auth.Next(auth.ActionVerify, "webull-us")}}},
		loginGo: make(chan struct{}),
	}
	r := &asyncRunner{}
	u := New(test.NewTempApp(t), b, Options{Clock: clockwork.NewFakeClockAt(t0), Runner: r, Focus: "webull-us", Do: auth.ActionVerify})
	u.Win.Show()
	if err := u.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the verification to start", func() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.logins == 1 })
	r.read(func() {
		if u.Details.Title.Text != "webull-us" || len(u.escapes) != 1 {
			t.Errorf("pane %q, %d dialogs open; want webull-us with its verification", u.Details.Title.Text, len(u.escapes))
		}
	})
	close(b.loginGo)
	r.settle()
	// A later reload starts nothing again.
	if err := u.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.settle()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.logins != 1 {
		t.Errorf("%d verifications started, want 1", b.logins)
	}
}

func TestARowNeverSaysActionNeededWithTimeLeft(t *testing.T) {
	u, _ := newTestUI(t, &memBackend{}, nil)
	h := auth.Health{State: auth.ActionNeeded, ExpiresAt: t0.Add(time.Minute)}
	if got := u.shortState(h, t0); got != "Action needed" {
		t.Errorf("row state %q", got)
	}
	h.State = auth.Expiring
	if got := u.shortState(h, t0); got != "Expiring, 1 min left" {
		t.Errorf("row state %q", got)
	}
}

func TestACopyFromTheWindowSaysWhenItIsCleared(t *testing.T) {
	r := &asyncRunner{}
	b := &memBackend{rows: []Row{{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.OK}}}}
	u, clock := newTestUI(t, b, r)
	r.settle()
	r.read(func() { selectRow(t, u, "futu-main"); test.Tap(u.Details.Copy) })
	testutil.Eventually(t, "the copy's note", func() bool {
		var s string
		r.read(func() { s = u.Status.Text })
		return s == "futu-main: Copied; cleared in 45 s"
	})
	if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(45 * time.Second)
	r.settle()
}

// below: upper ends above where lower starts on the canvas.
func below(t *testing.T, upper, lower fyne.CanvasObject) bool {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	return d.AbsolutePositionForObject(upper).Y+upper.Size().Height <= d.AbsolutePositionForObject(lower).Y
}

func TestTheLayoutHidesNothingAtTheDefaultSize(t *testing.T) {
	b := &memBackend{
		rows: []Row{{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.ActionNeeded, Reason: "no verified token yet", Next: auth.Next(auth.ActionVerify, "webull-us")}}},
		settings: []Setting{
			{Key: "check-every", Title: "Check every credential every", Value: "1h", Default: "1h", Allowed: "1m to 24h"},
			{Key: "lead-time", Title: "Renew a token this long before it expires", Value: "10m", Default: "10m", Allowed: "1m to 168h"},
			{Key: "warn-days", Title: "Warn this many days before a token expires", Value: "14,7,1", Default: "14,7,1", Allowed: "days"},
			{Key: "clipboard-clear", Title: "Clear a copied token after", Value: "45s", Default: "45s", Allowed: "5s to 10m"},
			{Key: "extend-days", Title: "Extend a Futu API key by", Value: "90", Default: "90", Allowed: "1 to 1095"},
			{Key: "notifications", Title: "Notifications", Value: "on", Default: "on", Switch: true},
			{Key: "autostart", Title: "Start at login", Value: "off", Default: "off", Switch: true},
		},
	}
	u, _ := newTestUI(t, b, nil)
	u.Win.Resize(fyne.NewSize(900, 620))
	selectRow(t, u, "webull-us")
	d := u.Details
	// The next action's button sits above the details, not over them.
	if !below(t, d.Next, d.Kind) {
		t.Errorf("Verify 2FA… (at %v, %v high) overlaps the Kind row (at %v)", fyne.CurrentApp().Driver().AbsolutePositionForObject(d.Next), d.Next.Size().Height, fyne.CurrentApp().Driver().AbsolutePositionForObject(d.Kind))
	}
	// Settings: Save is on screen.
	u.Tabs.SelectIndex(1)
	u.Settings.Load()
	win := u.Win.Canvas().Size()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(u.Settings.Save)
	if !u.Settings.Save.Visible() || pos.Y+u.Settings.Save.Size().Height > win.Height || u.Settings.Save.Size().Height == 0 {
		t.Errorf("Save at %v (%v high) in a window %v high", pos, u.Settings.Save.Size().Height, win.Height)
	}
}

func TestTheLoginAddressHasACopyButton(t *testing.T) {
	b := &memBackend{
		rows:     []Row{{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.ActionNeeded}}},
		loginEvs: []auth.LoginEvent{{Health: auth.Health{State: auth.Pending, Deadline: t0.Add(5 * time.Minute)}, URL: "http://127.0.0.1:1/authorize?state=test-state-0001"}},
		loginGo:  make(chan struct{}),
	}
	r := &asyncRunner{}
	u, _ := newTestUI(t, b, r)
	r.settle()
	var ld *LoginDialog
	r.read(func() { ld = u.StartLogin(selectRow(t, u, "futu-main")) })
	testutil.Eventually(t, "the address", func() bool {
		var v bool
		r.read(func() { v = ld.URL.Visible() && ld.CopyURL.Visible() })
		return v
	})
	r.read(func() {
		test.Tap(ld.CopyURL)
		if got := u.App.Clipboard().Content(); got != ld.URL.Text {
			t.Errorf("Copy put %q on the clipboard", got)
		}
	})
	close(b.loginGo)
	r.settle()
}
