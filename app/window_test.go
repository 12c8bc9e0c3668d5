package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
	"tokentray/auth/webull"
	"tokentray/internal/testutil"
)

func selectRow(t *testing.T, u *UI, name string) Row {
	t.Helper()
	for i, r := range u.Rows() {
		if r.Name == name {
			u.List.Select(i)
			return r
		}
	}
	t.Fatalf("%s is not listed", name)
	return Row{}
}

// offered: the button is there to press.
func offered(b *widget.Button) bool { return b.Visible() && !b.Disabled() }

func formHas(f *widget.Form, label string) bool {
	for _, it := range f.Items {
		if it.Text == label {
			return true
		}
	}
	return false
}

func TestListAndDetails(t *testing.T) {
	b := &memBackend{rows: []Row{
		{Name: "futu-key1", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.Expiring, Reason: "the access token expires in 6 days", ExpiresAt: t0.Add(6 * 24 * time.Hour), Next: auth.Next(auth.ActionExtend, "futu-key1")},
			Credential: auth.Credential{Endpoint: "https://openapi.futunn.com", LastChecked: t0.Add(-3 * time.Hour)}},
		{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.OK},
			Credential: auth.Credential{Layout: auth.LayoutFutuCLI, Account: auth.Account{Name: "Alice Chan", FutuID: "10001234"}}},
		{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.ActionNeeded, Reason: "no verified token yet", Next: auth.Next(auth.ActionVerify, "webull-us")},
			Credential: auth.Credential{Region: "hk", TestEnv: true}},
	}}
	u, _ := newTestUI(t, b, nil)
	if !strings.Contains(u.Banner.Text, "Sandbox") || !u.Banner.Visible() {
		t.Errorf("sandbox banner = %q visible=%v", u.Banner.Text, u.Banner.Visible())
	}
	if u.List.Length() != 3 {
		t.Fatalf("list shows %d rows", u.List.Length())
	}
	if offered(u.Details.Copy) || u.Details.Next.Visible() {
		t.Error("with nothing selected, the details offer actions")
	}
	d := u.Details
	selectRow(t, u, "futu-key1")
	if d.Title.Text != "futu-key1" || d.Reason.Text != "The access token expires in 6 days" || !strings.Contains(d.Expiry.Text, "6 days") {
		t.Errorf("details = %q / %q / %q", d.Title.Text, d.Reason.Text, d.Expiry.Text)
	}
	if d.Endpoint.Text != "https://openapi.futunn.com" || !strings.Contains(d.LastCheck.Text, "3 hours ago") || formHas(d.form, "Region") || formHas(d.form, "Account") {
		t.Errorf("endpoint %q, last check %q; an API key shows a region or an account", d.Endpoint.Text, d.LastCheck.Text)
	}
	if offered(d.Logout) {
		t.Error("an API key offers a log out")
	}
	selectRow(t, u, "futu-main")
	if d.Account.Text != "Alice Chan · Futu ID 10001234" || !strings.Contains(d.Endpoint.Text, "Futu's own command line") {
		t.Errorf("account %q, endpoint %q", d.Account.Text, d.Endpoint.Text)
	}
	if d.Next.Visible() || d.Reason.Visible() {
		t.Error("a healthy login shows a next action or an empty reason")
	}
	if !strings.Contains(d.LastCheck.Text, "never checked") {
		t.Errorf("last check = %q", d.LastCheck.Text)
	}
	selectRow(t, u, "webull-us")
	if !formHas(d.form, "Region") || d.Region.Text != "hk, test environment" || d.Endpoint.Text != "the running sandbox brokers" {
		t.Errorf("region %q, endpoint %q", d.Region.Text, d.Endpoint.Text)
	}

	test.Tap(u.RefreshAll)
	if len(b.refresh) != 1 || b.refresh[0] != "" {
		t.Errorf("refresh calls = %q, want one for all", b.refresh)
	}
}

// The details say which hosts a login talks to, and a moomoo login says
// it is moomoo's.
func TestDetailsShowTheHostsAndTheBrand(t *testing.T) {
	b := &memBackend{rows: []Row{
		{Name: "mm", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.OK},
			Credential: auth.Credential{Kind: auth.KindFutuOAuth, Brand: auth.BrandMoomoo, Account: auth.Account{Name: "Bo"}},
			Hosts:      auth.Hosts{API: "https://openapi.moomoo.com", OAuth: "https://webapi.moomoo.com"}},
	}}
	u, _ := newTestUI(t, b, nil)
	selectRow(t, u, "mm")
	d := u.Details
	if d.Endpoint.Text != "https://openapi.moomoo.com (the broker's default)\nlogs in at https://webapi.moomoo.com" {
		t.Errorf("endpoint %q", d.Endpoint.Text)
	}
	if !strings.HasPrefix(d.Account.Text, "moomoo · Bo") {
		t.Errorf("account %q does not name the brand", d.Account.Text)
	}
}

// What a login may do has its own row, as in status NAME, rather than
// running on from the account's line; a Webull app with 2FA off says it
// has no token to expire rather than that its expiry is not known yet.
func TestDetailsShowAccessApartAndNoTokenWithTwoFactorOff(t *testing.T) {
	b := &memBackend{rows: []Row{
		{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.OK},
			Credential: auth.Credential{Kind: auth.KindFutuOAuth, Account: auth.Account{Name: "Bo", FutuID: "10086001"},
				Access: &auth.Access{Quote: true, Trade: true, Checked: true, Accounts: []string{"281756"}}}},
		{Name: "wb-no2fa", Kind: auth.KindWebull, Health: auth.Health{State: auth.OK},
			Credential: auth.Credential{Kind: auth.KindWebull, TwoFactorOff: true}},
	}}
	u, _ := newTestUI(t, b, nil)
	d := u.Details
	selectRow(t, u, "futu-main")
	if d.Account.Text != "Bo · Futu ID 10086001" || d.Access.Text != "quotes and trading (account 281756)" {
		t.Errorf("account %q, access %q", d.Account.Text, d.Access.Text)
	}
	var labels []string
	for _, it := range d.form.Items {
		labels = append(labels, it.Text)
	}
	if !strings.Contains(strings.Join(labels, ","), "Account,Access,") {
		t.Errorf("the rows of a Futu login: %q", labels)
	}
	selectRow(t, u, "wb-no2fa")
	if d.Expiry.Text != "no token: 2FA is off for this app" {
		t.Errorf("expiry of an app with 2FA off: %q", d.Expiry.Text)
	}
}

func TestNextActionIsAButtonThatDoesIt(t *testing.T) {
	health := func(k auth.ActionKind, name string) auth.Health {
		return auth.Health{State: auth.ActionNeeded, Reason: "something happened", Next: auth.Next(k, name)}
	}
	b := &memBackend{
		rows: []Row{
			{Name: "futu-key1", Kind: auth.KindFutuKey, Health: health(auth.ActionExtend, "futu-key1")},
			{Name: "futu-key2", Kind: auth.KindFutuKey, Health: health(auth.ActionUpdate, "futu-key2")},
			{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: health(auth.ActionRetry, "futu-main")},
		},
		loginGo: make(chan struct{}),
	}
	u, _ := newTestUI(t, b, nil)
	d := u.Details

	selectRow(t, u, "futu-key1")
	if d.Next.Text != "Extend…" || !d.Next.Visible() {
		t.Fatalf("next = %q visible=%v", d.Next.Text, d.Next.Visible())
	}
	test.Tap(d.Next)
	if len(u.escapes) != 1 {
		t.Fatal("Extend opened no dialog")
	}
	u.Escape()

	selectRow(t, u, "futu-key2")
	if d.Next.Text != "Update the secret…" {
		t.Fatalf("next = %q", d.Next.Text)
	}
	test.Tap(d.Next)
	if len(u.escapes) != 1 {
		t.Fatal("Update the secret opened no form")
	}
	u.Escape()

	selectRow(t, u, "futu-main")
	if d.Next.Text != "Check again" {
		t.Fatalf("next = %q", d.Next.Text)
	}
	test.Tap(d.Next)
	if !slices.Equal(b.refresh, []string{"futu-main"}) {
		t.Errorf("Check again refreshed %q", b.refresh)
	}
	for _, l := range []string{d.Reason.Text, d.Next.Text, u.Status.Text} {
		if strings.Contains(l, "tokentray ") {
			t.Errorf("the window shows a command: %q", l)
		}
	}
}

func TestVerifyActionOpensTheTwoFactorDialog(t *testing.T) {
	r := &asyncRunner{}
	b := &memBackend{
		rows:    []Row{{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.ActionNeeded, Reason: "no verified token yet", Next: auth.Next(auth.ActionVerify, "webull-us")}}},
		loginGo: make(chan struct{}),
	}
	u, _ := newTestUI(t, b, r)
	r.settle()
	r.read(func() {
		selectRow(t, u, "webull-us")
		if u.Details.Next.Text != "Verify 2FA…" {
			t.Errorf("next = %q", u.Details.Next.Text)
		}
		test.Tap(u.Details.Next)
	})
	testutil.Eventually(t, "the login to start", func() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.logins == 1 })
	close(b.loginGo)
	r.settle()
}

func TestTwoFactorDialogCountsDown(t *testing.T) {
	r := &asyncRunner{}
	b := &memBackend{
		rows:    []Row{{Name: "webull-us", Kind: auth.KindWebull}},
		loginGo: make(chan struct{}),
		loginEvs: []auth.LoginEvent{{
			Health: auth.Health{State: auth.Pending, Reason: "Enter the SMS code in the Webull app.", Deadline: t0.Add(5 * time.Minute)},
			Steps:  []string{"Open the Webull app", "Menu → Messages → OpenAPI Notifications", "Check Now, enter the code, Confirm"},
		}},
	}
	u, clock := newTestUI(t, b, r)
	var ld *LoginDialog
	r.read(func() { ld = u.StartLogin(u.Rows()[0]) })
	text := func(f func() string) string { var s string; r.read(func() { s = f() }); return s }
	countdown := func() string { return ld.Countdown.Text }
	testutil.Eventually(t, "the countdown", func() bool { return text(countdown) == "5:00 left" })
	if got := text(func() string { return ld.Steps.Text }); !strings.Contains(got, "2. Menu → Messages → OpenAPI Notifications") {
		t.Errorf("steps = %q", got)
	}
	// The ticker waits on the fake clock: move it a minute and a second.
	if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(61 * time.Second)
	testutil.Eventually(t, "the countdown to move", func() bool { return text(countdown) == "3:59 left" })
	var progress float64
	r.read(func() { progress = ld.Progress.Value })
	if progress < 238 || progress > 240 {
		t.Errorf("progress = %v, want about 239 s left", progress)
	}
	close(b.loginGo)
	r.settle()
	if ld.Open() || !strings.Contains(u.Status.Text, "verified") {
		t.Errorf("after the phone confirmed: dialog open=%v, status %q", ld.Open(), u.Status.Text)
	}
}

func TestCancelAndEscapeLeaveCredentialAlone(t *testing.T) {
	for _, how := range []string{"cancel", "escape"} {
		t.Run(how, func(t *testing.T) {
			r := &asyncRunner{}
			b := &memBackend{rows: []Row{{Name: "webull-us", Kind: auth.KindWebull}}, loginGo: make(chan struct{})}
			u, _ := newTestUI(t, b, r)
			var ld *LoginDialog
			r.read(func() { ld = u.StartLogin(u.Rows()[0]) })
			testutil.Eventually(t, "the login to start", func() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.logins == 1 })
			r.read(func() {
				if how == "cancel" {
					test.Tap(ld.Cancel)
				} else {
					u.Escape()
				}
			})
			r.settle()
			if ld.Open() || !strings.Contains(u.Status.Text, "Cancelled") {
				t.Errorf("dialog open=%v, status = %q", ld.Open(), u.Status.Text)
			}
		})
	}
}

func TestExpiredVerificationOffersANewTokenInOneClick(t *testing.T) {
	r := &asyncRunner{}
	b := &memBackend{
		rows:      []Row{{Name: "webull-us", Kind: auth.KindWebull}},
		loginGo:   make(chan struct{}),
		loginErrs: []error{auth.NeedsUser("the 5 minutes to confirm the SMS code ran out: get a new token and confirm it in time")},
	}
	close(b.loginGo)
	u, _ := newTestUI(t, b, r)
	var ld *LoginDialog
	r.read(func() { ld = u.StartLogin(u.Rows()[0]) })
	r.settle()
	if !ld.Open() || !ld.Retry.Visible() || ld.Retry.Text != "Get a new token" {
		t.Fatalf("after expiry: open=%v retry=%v %q", ld.Open(), ld.Retry.Visible(), ld.Retry.Text)
	}
	if !strings.Contains(ld.Steps.Text, "ran out") || ld.Cancel.Text != "Close" {
		t.Errorf("dialog says %q with %q", ld.Steps.Text, ld.Cancel.Text)
	}
	r.read(func() { test.Tap(ld.Retry) })
	r.settle()
	if b.logins != 2 || ld.Open() {
		t.Errorf("logins = %d, dialog open = %v", b.logins, ld.Open())
	}
}

func TestAddFormMarksTheWrongFieldAndKeepsWhatWasTyped(t *testing.T) {
	b := &memBackend{}
	u, _ := newTestUI(t, b, nil)
	f := u.ShowAddForm()
	f.Kind.SetSelected(auth.KindWebull.Title())
	var regions []string
	for _, r := range webull.AllRegions() {
		regions = append(regions, r.Code)
	}
	if !slices.Equal(f.Choice(FieldRegion).Options, regions) {
		t.Errorf("regions = %q, want the webull package's %q", f.Choice(FieldRegion).Options, regions)
	}
	if f.Name.PlaceHolder != "e.g. webull-us" || strings.Contains(f.Secret(auth.FieldAppKey).PlaceHolder, "Futu") {
		t.Errorf("a Webull form suggests %q and %q", f.Name.PlaceHolder, f.Secret(auth.FieldAppKey).PlaceHolder)
	}
	f.Choice(FieldRegion).SetSelected("sg")
	if f.Name.PlaceHolder != "e.g. webull-sg" || f.Switch("test-env").Disabled() {
		t.Errorf("for Singapore (a test host): placeholder %q, test environment enabled=%v", f.Name.PlaceHolder, !f.Switch("test-env").Disabled())
	}
	f.Choice(FieldRegion).SetSelected("au")
	if f.Name.PlaceHolder != "e.g. webull-au" || !f.Switch("test-env").Disabled() {
		t.Errorf("for Australia (no test host): placeholder %q, test environment enabled=%v", f.Name.PlaceHolder, !f.Switch("test-env").Disabled())
	}
	f.Choice(FieldRegion).SetSelected("hk")

	test.Type(f.Name, "webull hk")
	test.Type(f.Secret(auth.FieldAppKey), "test-app-key-0001")
	f.Save()
	if !f.Open() {
		t.Fatal("a wrong field closed the form")
	}
	if got := f.Error(FieldName); !strings.Contains(got, "not a usable name") {
		t.Errorf("name error = %q", got)
	}
	if got := f.Error(auth.FieldAppSecret); !strings.Contains(got, "App Secret is empty") {
		t.Errorf("secret error = %q", got)
	}
	if f.Error(auth.FieldAppKey) != "" || f.Secret(auth.FieldAppKey).Text != "test-app-key-0001" || f.Choice(FieldRegion).Selected != "hk" {
		t.Errorf("the typed app key or region was lost: %q %q (error %q)", f.Secret(auth.FieldAppKey).Text, f.Choice(FieldRegion).Selected, f.Error(auth.FieldAppKey))
	}
	if len(b.added) != 0 {
		t.Fatal("a wrong form reached the engine")
	}

	// The broker refuses the secret: marked under it, nothing else lost.
	f.Name.SetText("webull-hk")
	test.Type(f.Secret(auth.FieldAppSecret), "test-app-secret-0001")
	b.addErr = auth.WrongField(auth.FieldAppSecret, auth.NeedsUser("webull-hk was not added: Webull refused the app secret (a signature error); copy it again from Webull's developer page"))
	f.Name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter submits
	if !f.Open() || !strings.Contains(f.Error(auth.FieldAppSecret), "refused the app secret") || f.Error(FieldName) != "" {
		t.Fatalf("after the refusal: open=%v secret error %q name error %q", f.Open(), f.Error(auth.FieldAppSecret), f.Error(FieldName))
	}
	if f.Unchecked.Visible() {
		t.Error("a refused secret is offered to be stored unchecked")
	}
	if f.Name.Text != "webull-hk" || f.Secret(auth.FieldAppSecret).Text != "test-app-secret-0001" || f.Secret(auth.FieldAppKey).Text != "test-app-key-0001" {
		t.Error("the refusal lost what was typed")
	}
	if !f.Secret(auth.FieldAppSecret).Password {
		t.Error("the app secret is typed in the clear")
	}

	f.Save()
	if f.Open() || len(b.added) != 1 {
		t.Fatalf("accepted: open=%v added=%d", f.Open(), len(b.added))
	}
	req := b.added[0]
	if req.Kind != auth.KindWebull || req.Name != "webull-hk" || req.Region != "hk" || req.Secrets[auth.FieldAppSecret] != "test-app-secret-0001" {
		t.Errorf("request = %+v", req)
	}
	if !strings.Contains(u.Status.Text, "Added webull-hk") || u.Details.Title.Text != "webull-hk" {
		t.Errorf("status %q, details of %q", u.Status.Text, u.Details.Title.Text)
	}
}

func TestAddFormRefusalWithoutAFieldIsShownInTheForm(t *testing.T) {
	b := &memBackend{addErr: errors.New("Futu could not be reached (connection refused): try again, or add it unchecked from the command line")}
	u, _ := newTestUI(t, b, nil)
	f := u.ShowAddForm()
	if f.Name.PlaceHolder != "e.g. futu-main" {
		t.Errorf("a Futu login suggests %q", f.Name.PlaceHolder)
	}
	test.Type(f.Name, "futu-main")
	f.Save()
	if !f.Open() || !f.Problem.Visible() || !strings.Contains(f.Problem.Text, "could not be reached") || f.Name.Text != "futu-main" {
		t.Errorf("open=%v problem %q name %q", f.Open(), f.Problem.Text, f.Name.Text)
	}
	if !f.Unchecked.Visible() {
		t.Fatal("a broker that did not answer offers no way to add it unchecked")
	}
	test.Tap(f.Unchecked)
	if f.Open() || len(b.added) != 1 || !b.added[0].NoCheck {
		t.Errorf("add without checking: open=%v added %+v", f.Open(), b.added)
	}

	f = u.ShowAddForm()
	f.Name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if f.Open() || len(u.escapes) != 0 {
		t.Error("Escape did not close the form")
	}
}

func TestEditKeepsStoredSecretsUnlessRetyped(t *testing.T) {
	b := &memBackend{rows: []Row{{Name: "webull-us", Kind: auth.KindWebull, Credential: auth.Credential{Region: "jp", Endpoint: "https://api.example.test"}}}}
	u, _ := newTestUI(t, b, nil)
	selectRow(t, u, "webull-us")
	test.Tap(u.Details.Edit)
	if len(u.escapes) != 1 {
		t.Fatal("Edit… opened no form")
	}
	f := u.ShowEditForm(u.Rows()[0])
	if f.Name.Text != "webull-us" || !f.Name.Disabled() || f.Choice(FieldRegion).Selected != "jp" || f.Endpoint.Text != "https://api.example.test" {
		t.Errorf("edit form shows %q (disabled=%v) %q %q", f.Name.Text, f.Name.Disabled(), f.Choice(FieldRegion).Selected, f.Endpoint.Text)
	}
	test.Type(f.Secret(auth.FieldAppSecret), "test-new-secret-0002")
	f.Save()
	if f.Open() || len(b.updated) != 1 {
		t.Fatalf("open=%v updates=%d", f.Open(), len(b.updated))
	}
	got := b.updated[0]
	if _, ok := got.Secrets[auth.FieldAppKey]; ok || got.Secrets[auth.FieldAppSecret] != "test-new-secret-0002" || got.Region != "jp" {
		t.Errorf("update = %+v", got)
	}
	if len(b.added) != 0 {
		t.Error("Edit added a credential")
	}
}

func TestRemoveAsksFirst(t *testing.T) {
	b := &memBackend{rows: []Row{{Name: "futu-key1", Kind: auth.KindFutuKey}}}
	u, _ := newTestUI(t, b, nil)
	selectRow(t, u, "futu-key1")
	rd := u.removeSelected()
	if len(b.removed) != 0 {
		t.Fatal("removed before the confirmation")
	}
	// Escape with no field focused reaches the window's canvas.
	u.Win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(b.removed) != 0 || len(u.escapes) != 0 {
		t.Fatal("Escape removed it, or left the dialog open")
	}
	rd = u.removeSelected()
	rd.Confirm()
	if !slices.Equal(b.removed, []string{"futu-key1"}) || len(u.Rows()) != 0 {
		t.Errorf("removed %q, list %v", b.removed, u.Rows())
	}
}

func TestSettingsShowEverySettingAndRefuseOutOfRange(t *testing.T) {
	b := &memBackend{
		settings: []Setting{
			{Key: "clipboard-clear", Title: "Clear a copied token after", Value: "45s", Default: "45s", Allowed: "5s to 10m"},
			{Key: "lead-time", Title: "Renew tokens this long before they expire", Value: "5m0s", Default: "5m0s", Allowed: "1m to 168h"},
			{Key: "notifications", Title: "Desktop notifications", Value: "on", Default: "on", Allowed: "on or off", Switch: true},
		},
		where: Where{Dir: "/home/u/.config/tokentray", Settings: "/home/u/.config/tokentray/settings.json", Keychain: "Secret Service"},
	}
	u, _ := newTestUI(t, b, nil)
	u.Tabs.SelectIndex(1)
	p := u.Settings
	if len(p.Fields) != 3 || p.Path.Text != b.where.Settings || p.Keychain.Text != "Secret Service" {
		t.Fatalf("settings page: %d fields, %q, %q", len(p.Fields), p.Path.Text, p.Keychain.Text)
	}
	lead := p.Fields["lead-time"].(*entry)
	clear := p.Fields["clipboard-clear"].(*entry)
	if lead.Text != "5m0s" {
		t.Errorf("lead time shows %q", lead.Text)
	}
	lead.SetText("10s")
	clear.SetText("30s")
	p.Fields["notifications"].(interface{ SetChecked(bool) }).SetChecked(false)
	lead.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !strings.Contains(p.Error("lead-time"), "out of range") || lead.Text != "10s" {
		t.Errorf("lead time error %q, text %q", p.Error("lead-time"), lead.Text)
	}
	set, _ := b.Settings(context.Background())
	if set[0].Value != "30s" || set[1].Value != "5m0s" || set[2].Value != "off" {
		t.Errorf("saved %+v", set)
	}
	if p.Error("clipboard-clear") != "" {
		t.Errorf("a good value is marked: %q", p.Error("clipboard-clear"))
	}
}

func TestCopyTokenIsClearedOnlyWhileTheClipboardHoldsIt(t *testing.T) {
	r := &asyncRunner{}
	b := &memBackend{
		// webull-us looks OK here, but its broker has just refused it.
		rows:     []Row{{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.OK}}, {Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.OK}}},
		settings: []Setting{{Key: "clipboard-clear", Value: "20s"}},
	}
	u, clock := newTestUI(t, b, r)
	r.settle()
	cb := u.App.Clipboard()
	content := func() string { var s string; r.read(func() { s = cb.Content() }); return s }
	r.read(func() { selectRow(t, u, "futu-main"); test.Tap(u.Details.Copy) })
	testutil.Eventually(t, "the token on the clipboard", func() bool { return content() == "tok-futu-main" })
	if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(19 * time.Second)
	if content() != "tok-futu-main" {
		t.Fatal("cleared before the clipboard-clear setting")
	}
	clock.Advance(time.Second)
	r.settle()
	if got := content(); got != "" {
		t.Fatalf("after 20 s the clipboard holds %q", got)
	}

	r.read(func() { test.Tap(u.Details.Copy) })
	testutil.Eventually(t, "the token on the clipboard", func() bool { return content() == "tok-futu-main" })
	if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	r.read(func() { cb.SetContent("something the user copied since") })
	clock.Advance(20 * time.Second)
	r.settle()
	if got := content(); got != "something the user copied since" {
		t.Errorf("the clear replaced what the user copied since: %q", got)
	}

	// A token that needs the user is not copied: the reason is shown.
	r.read(func() { selectRow(t, u, "webull-us"); test.Tap(u.Details.Copy) })
	r.settle()
	if !strings.Contains(u.Status.Text, "no verified token") || content() != "something the user copied since" {
		t.Errorf("status %q, clipboard %q", u.Status.Text, content())
	}
}

func TestIdleWindowWakesOnlyWhenTheSettingsChange(t *testing.T) {
	r := &asyncRunner{}
	b := &memBackend{rows: []Row{{Name: "futu-main", Kind: auth.KindFutuOAuth}}}
	u, clock := newTestUI(t, b, r)
	ctx, cancel := context.WithCancel(context.Background())
	r.Go(func() { u.follow(ctx) })
	defer func() { cancel(); r.settle() }()
	testutil.Eventually(t, "the window to watch the settings", func() bool { return b.listCalls() == 2 && b.touch() })
	testutil.Eventually(t, "the reload after the change", func() bool { return b.listCalls() == 3 })
	// Idle, nothing waits on the clock: ten minutes pass unseen.
	clock.Advance(10 * time.Minute)
	b.touch()
	testutil.Eventually(t, "the reload after a second change", func() bool { return b.listCalls() >= 4 })
	if n := b.listCalls(); n != 4 {
		t.Errorf("the idle window read the credentials %d times for 2 changes (plus the first 2 reads), want 4", n)
	}
	if err := clock.BlockUntilContext(testutil.Context(t, time.Second), 1); err == nil {
		t.Error("an idle window keeps a timer running")
	}
}

func TestPendingCountdownTicksWithoutAskingTheBackend(t *testing.T) {
	r := &asyncRunner{}
	b := &memBackend{rows: []Row{{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.Pending, Deadline: t0.Add(2 * time.Minute)}}}}
	u, clock := newTestUI(t, b, r)
	ctx, cancel := context.WithCancel(context.Background())
	r.Go(func() { u.follow(ctx) })
	defer func() { cancel(); r.settle() }()
	state := func() string {
		var s string
		r.read(func() { selectRow(t, u, "webull-us"); s = u.Details.Expiry.Text })
		return s
	}
	for _, want := range []string{"1:59", "1:58"} {
		if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		testutil.Eventually(t, "the countdown at "+want, func() bool { return strings.Contains(state(), want) })
	}
	if n := b.listCalls(); n != 2 {
		t.Errorf("the countdown read the backend: %d reads, want the first 2", n)
	}
	// Run out: the list is read once more, then the clock stops.
	clock.Advance(2 * time.Minute)
	testutil.Eventually(t, "one reload after the deadline", func() bool { return b.listCalls() == 3 })
}

func TestSecondWindowRaisesTheFirst(t *testing.T) {
	dir := t.TempDir()
	in, first, err := claimWindow(dir)
	if err != nil || !first {
		t.Fatalf("first claim: %v %v", first, err)
	}
	defer in.release()
	asked := make(chan string, 2)
	if err := in.serve(testutil.Context(t, 10*time.Second), func(focus string, act auth.ActionKind) { asked <- focus + " " + string(act) }); err != nil {
		t.Fatal(err)
	}
	if _, again, err := claimWindow(dir); err != nil || again {
		t.Fatalf("second claim: %v %v", again, err)
	}
	for _, want := range []string{"webull-us verify", "webull-us "} {
		name, act, _ := strings.Cut(want, " ")
		if err := askWindow(dir, name, auth.ActionKind(act)); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-asked:
			if got != want {
				t.Errorf("asked to show %q, want %q", got, want)
			}
		case <-time.After(testutil.WaitTimeout):
			t.Fatal("the open window was not asked")
		}
	}
	in.release()
	if in2, first, err := claimWindow(dir); err != nil || !first {
		t.Fatalf("after the first window closed: %v %v", first, err)
	} else {
		in2.release()
	}
}

func TestFocusSelectsTheCredential(t *testing.T) {
	b := &memBackend{rows: []Row{{Name: "futu-main", Kind: auth.KindFutuOAuth}, {Name: "webull-us", Kind: auth.KindWebull}}}
	u, _ := newTestUI(t, b, nil)
	u.Tabs.SelectIndex(1)
	u.Focus("webull-us", auth.ActionNone)
	if u.Tabs.SelectedIndex() != 0 || u.Details.Title.Text != "webull-us" {
		t.Errorf("tab %d, details of %q", u.Tabs.SelectedIndex(), u.Details.Title.Text)
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

func TestAddFormChecksAFutuEndpointAsFutuDoes(t *testing.T) {
	u, _ := newTestUI(t, &memBackend{}, nil)
	f := u.ShowAddForm()
	f.Kind.SetSelected(auth.KindFutuOAuth.Title())
	f.Name.SetText("futu-main")
	f.Endpoint.SetText("https://user:pw@openapi.futunn.com")
	f.Save()
	if !f.Open() || f.Error(FieldEndpoint) == "" || strings.Contains(f.Error(FieldEndpoint), "pw") {
		t.Errorf("open=%v endpoint error %q", f.Open(), f.Error(FieldEndpoint))
	}
}

func TestLoginRefusedSecretOffersTheEditForm(t *testing.T) {
	r := &asyncRunner{}
	b := &memBackend{
		rows:      []Row{{Name: "webull-us", Kind: auth.KindWebull}},
		loginGo:   make(chan struct{}),
		loginErrs: []error{auth.NeedsUserTo(auth.Next(auth.ActionUpdate, "webull-us"), "Webull refused the app secret")},
	}
	u, _ := newTestUI(t, b, r)
	var ld *LoginDialog
	r.read(func() { ld = u.StartLogin(u.Rows()[0]) })
	r.settle()
	if !ld.Retry.Visible() || ld.Retry.Text != "Update the secret" {
		t.Fatalf("after a refused secret the dialog offers %q (visible=%v)", ld.Retry.Text, ld.Retry.Visible())
	}
	r.read(func() { test.Tap(ld.Retry) })
	r.settle()
	if ld.Open() || len(u.escapes) != 1 || b.logins != 1 {
		t.Errorf("dialog open=%v, dialogs %d, logins %d: want the edit form instead of another login", ld.Open(), len(u.escapes), b.logins)
	}
}

func TestSettingsChangedElsewhereKeepWhatIsBeingTyped(t *testing.T) {
	b := &memBackend{settings: []Setting{
		{Key: "clipboard-clear", Value: "45s"},
		{Key: "lead-time", Value: "5m0s"},
	}}
	u, _ := newTestUI(t, b, nil)
	u.Tabs.SelectIndex(1)
	p := u.Settings
	p.Fields["lead-time"].(*entry).SetText("7m")
	b.mu.Lock()
	b.settings[0].Value, b.settings[1].Value = "30s", "6m0s" // `tokentray config` elsewhere
	b.mu.Unlock()
	p.Load()
	if got := p.Fields["clipboard-clear"].(*entry).Text; got != "30s" {
		t.Errorf("an untouched field shows %q after the change elsewhere", got)
	}
	if got := p.Fields["lead-time"].(*entry).Text; got != "7m" {
		t.Errorf("the field being typed in shows %q", got)
	}
	p.Apply()
	if set, _ := b.Settings(context.Background()); set[1].Value != "7m" || set[0].Value != "30s" {
		t.Errorf("saved %+v", set)
	}
}

// The logout question names the shared token file only when there is one,
// and the brand the login is revoked with.
func TestLogoutTextSaysOnlyWhatIsDone(t *testing.T) {
	u, _ := newTestUI(t, &memBackend{}, nil)
	if s := u.logoutText(auth.Credential{Kind: auth.KindWebull}); strings.Contains(s, "file") {
		t.Errorf("a Webull app that shares nothing: %q", s)
	}
	if s := u.logoutText(auth.Credential{Kind: auth.KindWebull, ShareWithSDK: true, SDKTokenDir: "/srv/bot/conf"}); !strings.Contains(s, "file shared with the Webull SDKs") {
		t.Errorf("a Webull app that shares its token: %q", s)
	}
	if s := u.logoutText(auth.Credential{Kind: auth.KindFutuOAuth, Brand: auth.BrandMoomoo}); !strings.Contains(s, "revoked with moomoo") {
		t.Errorf("a moomoo login: %q", s)
	}
}

// TestAReusedRowKeepsItsDecodedIcon: the list reuses its rows while it
// scrolls; a row bound to another credential in the same state keeps the
// icon it shows (the same resource, nothing decoded again), and one in
// another state changes it.
func TestAReusedRowKeepsItsDecodedIcon(t *testing.T) {
	var rows []Row
	for i := range 3 {
		rows = append(rows, Row{Name: fmt.Sprintf("futu-%d", i), Kind: auth.KindFutuKey, Health: auth.Health{State: auth.OK}})
	}
	rows[2].Health.State = auth.Broken
	u, _ := newTestUI(t, &memBackend{rows: rows}, nil)
	o := u.List.CreateItem()
	icon := func() fyne.Resource { return o.(*fyne.Container).Objects[1].(*canvas.Image).Resource }
	u.List.UpdateItem(0, o)
	first := icon()
	u.List.UpdateItem(1, o)
	if icon() != first {
		t.Error("a row reused for another OK credential got a new icon resource: scrolling decodes every row's icon again")
	}
	u.List.UpdateItem(2, o)
	if icon() == first || icon().Name() != "state-"+auth.Broken.String()+".png" {
		t.Errorf("a row reused for a broken credential shows %q", icon().Name())
	}
}
