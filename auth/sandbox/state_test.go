package sandbox

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/auth/store"
	"tokentray/auth/webull"
	"tokentray/internal/testutil"
)

// profile is a sandbox profile on disk: its folder, settings store and
// an engine with the real providers, all on one fake clock.
type profile struct {
	dir   string
	clock *clockwork.FakeClock
	st    *store.Store
	eng   *engine.Engine
}

func newProfile(t *testing.T) *profile {
	t.Helper()
	p := &profile{dir: t.TempDir(), clock: clockwork.NewFakeClockAt(epoch)}
	st, err := store.Open(p.dir, testutil.NewMemorySecrets(), store.WithClock(p.clock))
	if err != nil {
		t.Fatal(err)
	}
	p.st = st
	p.eng = engine.NewWithOptions(engine.Options{Store: st, Clock: p.clock, Providers: map[auth.Kind]auth.Provider{
		auth.KindFutuKey: futu.NewKeyProvider(futu.Options{Clock: p.clock, Getenv: func(string) string { return "" }}),
		auth.KindFutuOAuth: futu.NewOAuthProvider(futu.Options{
			Clock: p.clock, Browser: futusimtest.Browser{Approve: true}, Getenv: func(string) string { return "" },
			RedirectURL: fmt.Sprintf("http://127.0.0.1:%d/callback", testutil.FreePort(t)),
			SDKTokenDir: filepath.Join(p.dir, "futu-sdk-tokens"),
		}),
		auth.KindWebull: webull.NewProvider(webull.Options{Clock: p.clock, SDKTokenBase: filepath.Join(p.dir, "webull-sdk")}),
	}})
	return p
}

// start starts the demo brokers from the profile's saved state, as the
// agent does, and readies the profile for them.
func (p *profile) start(t *testing.T, fresh bool) (*Sandbox, Adopted) {
	t.Helper()
	opts := DemoOptions()
	opts.Clock, opts.StateDir, opts.Fresh = p.clock, p.dir, fresh
	sb, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	a, err := sb.Adopt(p.st, !sb.Restored)
	if err != nil {
		t.Fatal(err)
	}
	return sb, a
}

func (p *profile) refresh(t *testing.T, name string) auth.Health {
	t.Helper()
	h, err := p.eng.Refresh(testutil.Context(t, 30*time.Second), name, true)
	if err != nil {
		t.Fatalf("refresh %s: %v (%+v)", name, err, h)
	}
	return h
}

func (p *profile) secret(t *testing.T, name, field string) string {
	t.Helper()
	c, err := p.st.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return secret(t, p.st, c, field)
}

func TestRestartKeepsEveryCredentialWorking(t *testing.T) {
	p := newProfile(t)
	sb, first := p.start(t, false)
	if sb.Restored || !first.Seeded {
		t.Fatalf("the first start restored %v, seeded %v; want a new state with the demo", sb.Restored, first.Seeded)
	}
	ctx := testutil.Context(t, 30*time.Second)

	// A key of the user's own, made at the broker and added (checked) as tokentray add does.
	appKey, appSecret, token := sb.Futu.AddAPIKey(epoch.Add(30 * 24 * time.Hour))
	if _, err := p.eng.Add(ctx, auth.Credential{Name: "my-key", Kind: auth.KindFutuKey, Endpoint: sb.FutuURL},
		map[string]string{auth.FieldAppKey: appKey, auth.FieldAppSecret: appSecret, auth.FieldAccessToken: token}); err != nil {
		t.Fatal(err)
	}
	// The demo Futu OAuth login signs in; the demo Webull token is confirmed and checks NORMAL.
	if h, err := p.eng.Login(ctx, DemoFutuLogin, auth.LoginOptions{}, nil); err != nil || h.State != auth.OK {
		t.Fatalf("login: %+v %v", h, err)
	}
	refreshBefore := p.secret(t, DemoFutuLogin, auth.FieldRefreshToken)
	wtok := p.secret(t, DemoWebull, auth.FieldWebullToken)
	code, ok := sb.Webull.SMSCode(wtok)
	if !ok || sb.Webull.Verify(wtok, code) != nil {
		t.Fatal("the demo Webull token could not be confirmed")
	}
	if h := p.refresh(t, DemoWebull); h.State != auth.OK {
		t.Fatalf("webull-demo after its SMS code: %+v", h)
	}
	futuURL, webullURL := sb.FutuURL, sb.WebullURL
	sb.Close()

	info, err := os.Stat(filepath.Join(p.dir, StateFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v, mode %v; want 0600", err, info)
	}

	p.clock.Advance(10 * time.Minute) // past the demo's access token lifetime
	sb2, again := p.start(t, false)
	if !sb2.Restored || again.Seeded || len(again.Notes) != 0 {
		t.Fatalf("restart: restored %v, seeded %v, notes %q", sb2.Restored, again.Seeded, again.Notes)
	}
	if sb2.FutuURL != futuURL || sb2.WebullURL != webullURL {
		t.Fatalf("ports moved: %s %s, were %s %s", sb2.FutuURL, sb2.WebullURL, futuURL, webullURL)
	}
	if h := p.refresh(t, "my-key"); h.State != auth.OK {
		t.Errorf("my-key after the restart: %+v", h)
	}
	if h := p.refresh(t, DemoFutuKey); h.State != auth.OK {
		t.Errorf("%s after the restart: %+v", DemoFutuKey, h)
	}
	if h := p.refresh(t, DemoFutuLogin); h.State != auth.OK {
		t.Errorf("the OAuth login after the restart: %+v", h)
	}
	if p.secret(t, DemoFutuLogin, auth.FieldRefreshToken) == refreshBefore {
		t.Error("the refresh token did not rotate: it was not refreshed")
	}
	if h := p.refresh(t, DemoWebull); h.State != auth.OK {
		t.Errorf("webull-demo after the restart: %+v", h)
	}
	if c, _ := p.st.Get(DemoWebull); c.TokenStatus != string(webull.StatusNormal) {
		t.Errorf("webull-demo's token is %q after the restart, want NORMAL", c.TokenStatus)
	}
	sb2.Close()

	// --fresh: new brokers that know nothing of the old keys, and new demo credentials.
	oldDemoKey := p.secret(t, DemoFutuKey, auth.FieldAppKey)
	sb3, fresh := p.start(t, true)
	if sb3.Restored || !fresh.Seeded {
		t.Fatalf("fresh start: restored %v, seeded %v", sb3.Restored, fresh.Seeded)
	}
	if _, known := sb3.Futu.APIKeyExpiry(appKey); known {
		t.Error("the fresh sandbox still knows the old key")
	}
	if p.secret(t, DemoFutuKey, auth.FieldAppKey) == oldDemoKey {
		t.Error("the fresh sandbox kept the old demo key")
	}
	if _, err := p.st.Get("my-key"); err != nil {
		t.Errorf("the user's own credential was removed by --fresh: %v", err)
	}
	if h := p.refresh(t, DemoFutuKey); h.State != auth.OK {
		t.Errorf("the fresh demo key: %+v", h)
	}
}

func TestTakenPortMovesAndRepointsCredentials(t *testing.T) {
	p := newProfile(t)
	sb, _ := p.start(t, false)
	oldFutu, webullURL := sb.FutuURL, sb.WebullURL
	sb.Close()

	// Something else took the Futu port meanwhile.
	ln, err := net.Listen("tcp", strings.TrimPrefix(oldFutu, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sb2, a := p.start(t, false)
	if sb2.FutuURL == oldFutu || sb2.WebullURL != webullURL {
		t.Fatalf("Futu %s (was %s), Webull %s (was %s)", sb2.FutuURL, oldFutu, sb2.WebullURL, webullURL)
	}
	if len(a.Notes) != 1 || !strings.Contains(a.Notes[0], "taken") || !strings.Contains(a.Notes[0], strings.TrimPrefix(sb2.FutuURL, "http://127.0.0.1:")) {
		t.Fatalf("notes %q, want one sentence naming the new port", a.Notes)
	}
	for _, name := range []string{DemoFutuKey, DemoFutuExpiring, DemoFutuLogin} {
		if c, _ := p.st.Get(name); c.Endpoint != sb2.FutuURL {
			t.Errorf("%s still points at %s", name, c.Endpoint)
		}
	}
	if c, _ := p.st.Get(DemoWebull); c.Endpoint != webullURL {
		t.Errorf("the Webull credential moved to %s", c.Endpoint)
	}
	if h := p.refresh(t, DemoFutuKey); h.State != auth.OK {
		t.Errorf("%s on the new port: %+v", DemoFutuKey, h)
	}
	sb2.Close()
	// The new port is saved: the next start uses it even once the old one is free.
	ln.Close()
	sb3, a3 := p.start(t, false)
	if sb3.FutuURL != sb2.FutuURL || len(a3.Notes) != 0 {
		t.Errorf("third start on %s (notes %q), want %s", sb3.FutuURL, a3.Notes, sb2.FutuURL)
	}
}

func TestDamagedStateIsMovedAsideAndStartsFresh(t *testing.T) {
	p := newProfile(t)
	path := filepath.Join(p.dir, StateFile)
	if err := os.WriteFile(path, []byte(`{"version": 1, "futu_port": `), 0o600); err != nil {
		t.Fatal(err)
	}
	sb, a := p.start(t, false)
	if sb.Restored || !a.Seeded {
		t.Fatalf("restored %v, seeded %v from a damaged state", sb.Restored, a.Seeded)
	}
	if len(a.Notes) != 1 || !strings.Contains(a.Notes[0], "damaged") || !strings.Contains(a.Notes[0], "starts fresh") {
		t.Fatalf("notes %q, want one sentence", a.Notes)
	}
	aside, _ := filepath.Glob(path + ".damaged-*")
	if len(aside) != 1 {
		t.Fatalf("moved aside: %q", aside)
	}
	if b, _ := os.ReadFile(aside[0]); string(b) != `{"version": 1, "futu_port": ` {
		t.Errorf("the damaged file was changed: %q", b)
	}
	if h := p.refresh(t, DemoFutuKey); h.State != auth.OK {
		t.Errorf("the new demo key: %+v", h)
	}
	// The new state was written in its place.
	if _, err := os.Stat(path); err != nil {
		t.Error(err)
	}
}

func TestOneSandboxPerProfile(t *testing.T) {
	p := newProfile(t)
	p.start(t, false)
	_, err := Start(Options{Clock: p.clock, StateDir: p.dir})
	if err == nil || !strings.Contains(err.Error(), "already runs") {
		t.Fatalf("a second sandbox on the same profile: %v", err)
	}
}

func TestStateFileSaysWhatItHoldsAndIsPrivate(t *testing.T) {
	p := newProfile(t)
	p.start(t, false)
	b, err := os.ReadFile(filepath.Join(p.dir, StateFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "fake credentials") || !strings.Contains(string(b), p.secret(t, DemoFutuKey, auth.FieldAppKey)) {
		t.Errorf("the state file does not hold the demo key or its note:\n%s", b)
	}
	if fi, _ := os.Stat(filepath.Join(p.dir, StateFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
}

func TestDemoLostWhenTheKeychainForgotIt(t *testing.T) {
	p := newProfile(t)
	sb, _ := p.start(t, false)
	if DemoLost(p.st) {
		t.Fatal("a fresh demo is reported lost")
	}
	c, _ := p.st.Get(DemoWebull)
	if err := p.st.Secrets().Delete(c.ID, auth.FieldAppKey); err != nil {
		t.Fatal(err)
	}
	if !DemoLost(p.st) {
		t.Fatal("a demo credential without its app key is not reported lost")
	}
	if _, err := sb.Adopt(p.st, true); err != nil || DemoLost(p.st) {
		t.Fatalf("seeding again: %v, still lost %v", err, DemoLost(p.st))
	}
}
