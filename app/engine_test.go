package app

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/keychain"
	"tokentray/auth/sandbox"
	"tokentray/auth/sandbox/webullsim"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/auth/webull"
	"tokentray/internal/testutil"
)

// TestWindowAgainstSandbox drives the window over the real engine, the
// OS keychain (when a session bus is there) and the sandbox brokers on
// loopback: the demo credentials appear, the Webull token is verified on
// the simulated phone while the dialog counts down, and its token is
// copied.
func TestWindowAgainstSandbox(t *testing.T) {
	sb, err := sandbox.Start(sandbox.DemoOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()

	var secrets auth.SecretStore = testutil.NewMemorySecrets()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		secrets = keychain.New("tokentray-apptest-"+auth.NewID(), 0)
	}
	st, err := store.Open(t.TempDir(), secrets)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Seed(st); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, n := range sandbox.DemoNames {
			_ = st.Remove(n)
		}
	})
	providers := map[auth.Kind]auth.Provider{
		auth.KindFutuOAuth: futu.NewOAuthProvider(futu.Options{}),
		auth.KindFutuKey:   futu.NewKeyProvider(futu.Options{}),
		auth.KindWebull:    webull.NewProvider(webull.Options{PollInterval: 50 * time.Millisecond, SDKTokenBase: t.TempDir()}),
	}
	// As in the sandbox profile: a credential added without an endpoint
	// goes to these brokers.
	eng := engine.NewWithOptions(engine.Options{Store: st, Providers: providers,
		DefaultEndpoints: func() (string, string, error) { return sb.FutuURL, sb.WebullURL, nil }})

	r := &asyncRunner{}
	// The window's own clock is a fake one started now, so the copied
	// token's clear timer runs out when the test says.
	clock := clockwork.NewFakeClockAt(time.Now())
	u := New(test.NewTempApp(t), service.Local{Eng: eng, Dir: st.Dir(), SettingsFile: st.Path(), Prefs: st}, Options{Sandbox: true, PhoneURL: sb.PhoneURL(), Runner: r, Clock: clock})
	u.Win.Show()
	if err := u.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.settle()
	rows := u.Rows()
	byName := map[string]Row{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	if len(rows) != len(sandbox.DemoNames) || byName[sandbox.DemoWebull].Health.State != auth.Pending {
		t.Fatalf("rows = %+v", rows)
	}
	if byName[sandbox.DemoFutuLogin].Health.State != auth.ActionNeeded {
		t.Errorf("the OAuth demo is %v, want action needed (log in)", byName[sandbox.DemoFutuLogin].Health)
	}
	if byName[sandbox.DemoFutuExpiring].Health.State != auth.Expiring {
		t.Errorf("the expiring key is %v", byName[sandbox.DemoFutuExpiring].Health)
	}

	var ld *LoginDialog
	r.read(func() { ld = u.StartLogin(byName[sandbox.DemoWebull]) })
	var tok webullsim.TokenInfo
	testutil.Eventually(t, "a pending token at the broker", func() bool {
		for _, ti := range sb.Webull.Tokens() {
			if ti.Status == webullsim.StatusPending {
				tok = ti
				return true
			}
		}
		return false
	})
	testutil.Eventually(t, "the countdown", func() bool {
		var s string
		r.read(func() { s = ld.Countdown.Text })
		return strings.HasSuffix(s, " left") && s != "0:00 left"
	})
	code, ok := sb.Webull.SMSCode(tok.Token)
	if !ok {
		t.Fatal("the sandbox has no SMS code for the pending token")
	}
	// Confirm on the simulated phone, as the user does in the Webull app.
	resp, err := http.PostForm(sb.PhoneURL()+"/verify", url.Values{"token": {tok.Token}, "code": {code}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	r.settle()
	if ld.Open() {
		t.Fatalf("the dialog is still open: %q", ld.Steps.Text)
	}
	for _, r := range u.Rows() {
		if r.Name == sandbox.DemoWebull && r.Health.State != auth.OK {
			t.Errorf("after verification the window shows %v", r.Health)
		}
	}

	for i, r := range u.Rows() {
		if r.Name == sandbox.DemoWebull {
			u.List.Select(i)
		}
	}
	r.read(func() { test.Tap(u.Details.Copy) })
	want, err := auth.Bind(secrets, mustID(t, st, sandbox.DemoWebull)).Get(auth.FieldWebullToken)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the verified token on the clipboard", func() bool {
		var got string
		r.read(func() { got = u.App.Clipboard().Content() })
		return got == want && got != ""
	})
	if err := clock.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	r.settle()
	var status string
	r.read(func() { status = u.Status.Text })
	if strings.Contains(status, want) {
		t.Error("the status line shows the token")
	}

	// Edit… with a wrong app secret: the broker refuses it, the field is
	// marked, the form keeps it, and the stored secret stays.
	before, err := auth.Bind(secrets, mustID(t, st, sandbox.DemoWebull)).Get(auth.FieldAppSecret)
	if err != nil {
		t.Fatal(err)
	}
	var f *AddForm
	r.read(func() {
		row, _ := u.row(sandbox.DemoWebull)
		f = u.ShowEditForm(row)
		f.Secret(auth.FieldAppSecret).SetText("test-wrong-secret-0000")
		f.Save()
	})
	r.settle()
	var marked string
	r.read(func() { marked = f.Error(auth.FieldAppSecret) })
	if !f.Open() || !strings.Contains(marked, "signature") || f.Secret(auth.FieldAppSecret).Text != "test-wrong-secret-0000" {
		t.Errorf("after a refused secret: open=%v, says %q under the secret, field %q", f.Open(), marked, f.Secret(auth.FieldAppSecret).Text)
	}
	if after, _ := auth.Bind(secrets, mustID(t, st, sandbox.DemoWebull)).Get(auth.FieldAppSecret); after != before {
		t.Error("a refused update changed the stored secret")
	}

	// Add… of the demo's app key under a second name with a wrong secret:
	// refused by the engine (the key is held already) or by the broker
	// (the signature), marked under the field, and nothing is stored.
	key, err := auth.Bind(secrets, mustID(t, st, sandbox.DemoWebull)).Get(auth.FieldAppKey)
	if err != nil {
		t.Fatal(err)
	}
	r.read(func() {
		f = u.ShowAddForm()
		f.Kind.SetSelected(auth.KindWebull.Title())
		f.Name.SetText("webull-twice")
		f.Secret(auth.FieldAppKey).SetText(key)
		f.Secret(auth.FieldAppSecret).SetText("test-app-secret-0001")
		f.Save()
	})
	r.settle()
	r.read(func() { marked = f.Error(auth.FieldAppKey) + f.Error(auth.FieldAppSecret) })
	if !f.Open() || !strings.Contains(marked, sandbox.DemoWebull) && !strings.Contains(marked, "signature") {
		t.Errorf("a refused add: open=%v, says %q under the app key and secret", f.Open(), marked)
	}
	if _, err := st.Get("webull-twice"); err == nil {
		t.Error("the refused add was stored")
	}
}

func mustID(t *testing.T, st *store.Store, name string) string {
	t.Helper()
	c, err := st.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}
