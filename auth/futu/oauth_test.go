package futu

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"golang.org/x/oauth2"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

type oauthFixture struct {
	clock  *clockwork.FakeClock
	sim    *futusim.Server
	base   string
	p      *OAuthProvider
	c      auth.Credential
	mem    *testutil.MemorySecrets
	s      auth.Secrets
	sdkDir string
	events []auth.LoginEvent
	mu     sync.Mutex
}

func newOAuthFixture(t *testing.T, b Browser, so futusim.Options) *oauthFixture {
	t.Helper()
	f := &oauthFixture{clock: clockwork.NewFakeClockAt(t0), sdkDir: filepath.Join(t.TempDir(), "tokens")}
	f.sim, f.base = sim(t, f.clock, so)
	f.p = NewOAuthProvider(Options{Clock: f.clock, Browser: b, RedirectURL: redirectFor(testutil.FreePort(t)), SDKTokenDir: f.sdkDir, Getenv: noEnv})
	f.c = auth.Credential{ID: auth.NewID(), Name: "futu-oauth", Kind: auth.KindFutuOAuth, Endpoint: f.base, AddedAt: t0}
	f.mem = testutil.NewMemorySecrets()
	f.s = auth.Bind(f.mem, f.c.ID)
	return f
}

func (f *oauthFixture) progress(e auth.LoginEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, e)
}

func (f *oauthFixture) login(t *testing.T, ctx context.Context) (auth.Health, error) {
	t.Helper()
	h, err := f.p.Login(ctx, &f.c, f.s, auth.LoginOptions{}, f.progress)
	assertNoSecrets(t, f.mem, h.Reason, errString(err))
	return h, err
}

func (f *oauthFixture) refresh(t *testing.T, force bool) (auth.Health, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := f.p.Refresh(ctx, &f.c, f.s, auth.RefreshOptions{Force: force})
	assertNoSecrets(t, f.mem, h.Reason, errString(err))
	return h, err
}

func (f *oauthFixture) get(field string) string {
	v, _ := f.s.Get(field)
	return v
}

func TestOAuthLoginRoundTrip(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	f.c.ShareWithSDK = true
	h, err := f.login(t, testutil.Context(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if h.State != auth.OK {
		t.Errorf("health = %v, want OK", h)
	}
	if f.c.ClientID == "" || f.get(auth.FieldRegistrationToken) == "" {
		t.Error("the client was not registered and kept")
	}
	at, rt := f.get(auth.FieldAccessToken), f.get(auth.FieldRefreshToken)
	if at == "" || rt == "" {
		t.Fatal("tokens were not stored")
	}
	if want := t0.Add(futusim.DefaultAccessTTL); !f.c.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", f.c.ExpiresAt, want)
	}
	if got, _ := f.p.Token(f.c, f.s); got != at {
		t.Error("Token() is not the stored access token")
	}
	if code := verifyBearer(t, f.base, at); code != 200 {
		t.Errorf("Futu answered %d to the new access token", code)
	}
	if len(f.events) == 0 || f.events[0].Health.State != auth.Pending || !f.events[0].Health.Deadline.Equal(t0.Add(LoginTimeout)) {
		t.Errorf("first progress event = %+v, want Pending with a 5-minute deadline", f.events)
	}
	for _, e := range f.events {
		if e.URL != "" {
			t.Errorf("the URL was reported although the browser opened: %q", e.URL)
		}
	}
	// The SDK finds the same tokens in its file, private to the user.
	tok, err := ReadSDKToken(f.sdkDir, f.c.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != at || tok.RefreshToken != rt || !tok.ExpiresAt.Equal(f.c.ExpiresAt) {
		t.Error("the SDK token file does not match the login")
	}
	if fi, _ := os.Stat(filepath.Join(f.sdkDir, f.c.ClientID)); fi.Mode().Perm() != 0o600 {
		t.Errorf("SDK token file mode %v, want 0600", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(f.sdkDir); fi.Mode().Perm() != 0o700 {
		t.Errorf("SDK token dir mode %v, want 0700", fi.Mode().Perm())
	}
	// A second login reuses the registration.
	if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := f.sim.Count("/oauth2/register"); n != 1 {
		t.Errorf("registered %d times, want 1", n)
	}
	if f.get(auth.FieldAccessToken) == at {
		t.Error("the second login did not store its new token")
	}
}

func TestOAuthLoginDenied(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: false}, futusim.Options{})
	h, err := f.login(t, testutil.Context(t, 10*time.Second))
	var ue *auth.UserError
	if !errors.As(err, &ue) || !ue.Why.Is("futu.login_denied") {
		t.Fatalf("err = %v, want a UserError saying the login was denied", err)
	}
	if h.State != auth.ActionNeeded {
		t.Errorf("health = %v, want ActionNeeded", h)
	}
	if f.get(auth.FieldAccessToken) != "" || f.sim.Count("/oauth2/token") != 0 {
		t.Error("a denied login reached the token endpoint or stored a token")
	}
}

// tamperBrowser edits the authorize URL before a sandbox browser follows it.
type tamperBrowser struct {
	inner Browser
	edit  func(q url.Values)
}

func (b tamperBrowser) Open(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	q := u.Query()
	b.edit(q)
	u.RawQuery = q.Encode()
	return b.inner.Open(u.String())
}

// Any web page can send the browser to the callback: an answer with
// another state is turned away without reaching Futu's token endpoint, and
// the login goes on until its own answer arrives.
func TestOAuthLoginRejectsMismatchedState(t *testing.T) {
	var f *oauthFixture
	type visit struct {
		status int
		page   string
	}
	var forged []visit
	exchangedBefore := -1
	b := browserFunc(func(raw string) error {
		// A forged state carrying a real code Futu issued...
		if err := (tamperBrowser{futusimtest.Browser{Approve: true}, func(q url.Values) { q.Set("state", "forged-state-0001") }}).Open(raw); err != nil {
			return err
		}
		// ...and a forged denial, straight at the callback.
		u, _ := url.Parse(raw)
		cb, _ := url.Parse(u.Query().Get("redirect_uri"))
		for _, q := range []url.Values{
			{"state": {"forged-state-0001"}, "code": {"forged-code-0001"}},
			{"state": {"forged-state-0001"}, "error": {"access_denied"}},
			{"error": {"access_denied"}},
		} {
			cb.RawQuery = q.Encode()
			resp, err := http.Get(cb.String())
			if err != nil {
				return err
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			forged = append(forged, visit{resp.StatusCode, string(body)})
		}
		exchangedBefore = f.sim.Count("/oauth2/token")
		return futusimtest.Browser{Approve: true}.Open(raw)
	})
	f = newOAuthFixture(t, b, futusim.Options{})
	h, err := f.login(t, testutil.Context(t, 10*time.Second))
	if err != nil || h.State != auth.OK {
		t.Fatalf("login after forged answers: %v / %v, want the real answer to log in", h, err)
	}
	if exchangedBefore != 0 {
		t.Errorf("the token endpoint was called %d times for forged answers", exchangedBefore)
	}
	if n := f.sim.Count("/oauth2/token"); n != 1 {
		t.Errorf("token endpoint called %d times, want once for the real answer", n)
	}
	for _, v := range forged {
		if v.status != http.StatusBadRequest || !strings.Contains(v.page, "state mismatch") || !strings.Contains(v.page, "still waiting") {
			t.Errorf("forged answer got %d: %s", v.status, v.page)
		}
	}
	if len(forged) != 3 {
		t.Errorf("%d forged answers were made, want 3", len(forged))
	}
}

func TestOAuthLoginPKCEIsVerifiedByFutu(t *testing.T) {
	other := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	b := tamperBrowser{futusimtest.Browser{Approve: true}, func(q url.Values) { q.Set("code_challenge", other) }}
	f := newOAuthFixture(t, b, futusim.Options{})
	_, err := f.login(t, testutil.Context(t, 10*time.Second))
	if err == nil || !msg.Of(err).Is("futu.login_refused") {
		t.Fatalf("err = %v, want Futu refusing the code", err)
	}
	if f.sim.Count("/oauth2/token") != 1 || f.get(auth.FieldAccessToken) != "" {
		t.Error("want exactly one refused exchange and no stored token")
	}
}

// rawBrowser calls the callback itself with the given query, keeping the
// login's state, and keeps the page it got.
type rawBrowser struct {
	query url.Values
	page  chan string
}

func (b rawBrowser) Open(raw string) error {
	u, _ := url.Parse(raw)
	q := u.Query()
	cb, _ := url.Parse(q.Get("redirect_uri"))
	v := url.Values{"state": {q.Get("state")}}
	for k, vs := range b.query {
		v[k] = vs
	}
	cb.RawQuery = v.Encode()
	resp, err := http.Get(cb.String())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.page <- string(body)
	return nil
}

func TestOAuthCallbackPageExplainsTheErrorSafely(t *testing.T) {
	b := rawBrowser{url.Values{"error": {"server_error"}, "error_description": {"<script>alert(1)</script> maintenance"}}, make(chan string, 1)}
	f := newOAuthFixture(t, b, futusim.Options{})
	_, err := f.login(t, testutil.Context(t, 10*time.Second))
	if said := msg.Of(err); err == nil || !said.Is("futu.login_error") || !strings.HasPrefix(said.Arg("Why"), "server_error: ") {
		t.Fatalf("err = %v, want the server's error", err)
	}
	page := <-b.page
	if strings.Contains(page, "<script>") || !strings.Contains(page, "&lt;script&gt;") {
		t.Errorf("the error description was not HTML-escaped: %s", page)
	}
	if !strings.Contains(page, "server_error") || !strings.Contains(page, "close this tab") {
		t.Errorf("the page does not say what went wrong and that the tab can be closed: %s", page)
	}
}

// The page the browser shows at the end of a login speaks the person's
// language, the login's sentence included.
func TestOAuthCallbackPageSpeaksTheLoginsLanguage(t *testing.T) {
	b := rawBrowser{url.Values{"error": {"access_denied"}}, make(chan string, 1)}
	f := newOAuthFixture(t, b, futusim.Options{})
	_, err := f.p.Login(testutil.Context(t, 10*time.Second), &f.c, f.s, auth.LoginOptions{Lang: msg.HongKongChinese}, f.progress)
	if !msg.Of(err).Is("futu.login_denied") {
		t.Fatalf("err = %v, want the login denied", err)
	}
	page := <-b.page
	for _, want := range []string{`lang="zh-HK"`, "富途登入失敗", msg.HongKongChinese.Err(err), "你可以關閉這個分頁。"} {
		if !strings.Contains(page, html.EscapeString(want)) && !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "You can close this tab") {
		t.Errorf("the page is English: %s", page)
	}
}

// Another program on the redirect port never fails a login: it moves to
// a free port of 127.0.0.1, registers a client for that redirect, says
// which port it used, and a later login keeps that port (and client)
// while the first choice stays busy.
func TestOAuthPortBusyMovesTheLoginToAFreePort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	f.p = NewOAuthProvider(Options{Clock: f.clock, Browser: f.p.o.Browser, RedirectURL: redirectFor(port), Getenv: noEnv})
	h, err := f.login(t, testutil.Context(t, 10*time.Second))
	if err != nil || h.State != auth.OK {
		t.Fatalf("login with port %d busy: %v, %v", port, h, err)
	}
	moved, _ := url.Parse(f.c.RedirectURL)
	if moved.Hostname() != "127.0.0.1" || moved.Port() == strconv.Itoa(port) || moved.Path != "/callback" {
		t.Fatalf("registered for %q, want a free port of 127.0.0.1", f.c.RedirectURL)
	}
	if aside := sub(h.Why, "Aside"); !h.Why.Is("futu.with_aside") || !sub(h.Why, "First").Is("futu.logged_in") || !aside.Is("futu.port_moved") || aside.Arg("Port") != strconv.Itoa(port) || aside.Arg("Addr") != moved.Host {
		t.Errorf("the login does not say which port it used: %v", h.Why)
	}
	var said bool
	for _, e := range f.events {
		said = said || (len(e.Steps) > 0 && strings.Contains(e.Steps[0], "listens on "+moved.Host))
	}
	if !said {
		t.Errorf("no step said which port the login listens on: %+v", f.events)
	}
	client := f.c.ClientID
	if h, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil || h.State != auth.OK || f.c.ClientID != client || f.c.RedirectURL != moved.String() {
		t.Errorf("a second login while the port is busy: %v, %v; client %q (was %q) for %q", h, err, f.c.ClientID, client, f.c.RedirectURL)
	}
	if n := f.sim.Count("/oauth2/register"); n != 1 {
		t.Errorf("%d registrations, want 1", n)
	}
	// Port free again: the first choice, registered for it.
	busy.Close()
	if h, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil || h.State != auth.OK || f.c.RedirectURL != redirectFor(port) {
		t.Errorf("with the port free again: %v, %v, redirect %q", h, err, f.c.RedirectURL)
	}
}

type browserFunc func(string) error

func (b browserFunc) Open(u string) error { return b(u) }

// waitPending runs Login in the background and waits for its first event.
func (f *oauthFixture) startLogin(t *testing.T, ctx context.Context) (<-chan error, <-chan auth.LoginEvent) {
	t.Helper()
	done := make(chan error, 1)
	events := make(chan auth.LoginEvent, 4)
	go func() {
		_, err := f.p.Login(ctx, &f.c, f.s, auth.LoginOptions{}, func(e auth.LoginEvent) { events <- e })
		done <- err
	}()
	select {
	case <-events:
	case err := <-done:
		t.Fatalf("login ended early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("login never reported progress")
	}
	return done, events
}

func assertPortFree(t *testing.T, redirect string) {
	t.Helper()
	u, _ := url.Parse(redirect)
	l, err := net.Listen("tcp", "127.0.0.1:"+u.Port())
	if err != nil {
		t.Fatalf("the callback port is still held after the login ended: %v", err)
	}
	l.Close()
}

func TestOAuthLoginTimesOutAfterFiveMinutes(t *testing.T) {
	f := newOAuthFixture(t, browserFunc(func(string) error { return nil }), futusim.Options{})
	done, _ := f.startLogin(t, testutil.Context(t, 10*time.Second))
	if err := f.clock.BlockUntilContext(testutil.Context(t, 10*time.Second), 1); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(LoginTimeout - time.Second)
	select {
	case err := <-done:
		t.Fatalf("login ended before 5 minutes: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	f.clock.Advance(time.Second)
	select {
	case err := <-done:
		var ue *auth.UserError
		if !errors.As(err, &ue) || !ue.Why.Is("futu.login_timeout") || ue.Why.Args["Count"] != 5 {
			t.Fatalf("err = %v, want a timeout after 5 minutes", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("login did not time out")
	}
	assertPortFree(t, f.p.RedirectURL())
}

func TestOAuthLoginCancel(t *testing.T) {
	f := newOAuthFixture(t, browserFunc(func(string) error { return nil }), futusim.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done, _ := f.startLogin(t, ctx)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("login did not stop on cancel")
	}
	assertPortFree(t, f.p.RedirectURL())
}

func TestOAuthBrowserFailureReportsURL(t *testing.T) {
	f := newOAuthFixture(t, browserFunc(func(string) error { return errors.New("no display") }), futusim.Options{})
	done, events := f.startLogin(t, testutil.Context(t, 10*time.Second))
	var ev auth.LoginEvent
	select {
	case ev = <-events:
	case err := <-done:
		t.Fatalf("login failed instead of reporting the URL: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no URL reported")
	}
	if !strings.HasPrefix(ev.URL, f.base+"/oauth2/authorize?") || !strings.Contains(ev.URL, "code_challenge_method=S256") {
		t.Fatalf("reported URL = %q, want the authorize URL", ev.URL)
	}
	// The user opens the URL by hand.
	if err := (futusimtest.Browser{Approve: true}).Open(ev.URL); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if f.get(auth.FieldAccessToken) == "" {
		t.Error("no token after the manual login")
	}
}

func TestOAuthOneLoginPerCredentialThroughTheEngine(t *testing.T) {
	var opened atomic.Int32
	f := newOAuthFixture(t, browserFunc(func(string) error { opened.Add(1); return nil }), futusim.Options{})
	st, err := store.Open(t.TempDir(), f.mem)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Add(f.c, nil); err != nil {
		t.Fatal(err)
	}
	// The second login says busy after the engine's NeedsUserLockWait
	// (its own tests show the rule with a shortened wait).
	eng := engine.NewWithOptions(engine.Options{Store: st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuOAuth: f.p}, Clock: f.clock})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		var once sync.Once
		_, err := eng.Login(ctx, f.c.Name, auth.LoginOptions{}, func(auth.LoginEvent) { once.Do(func() { close(waiting) }) })
		done <- err
	}()
	select {
	case <-waiting:
	case err := <-done:
		t.Fatalf("the first login ended early: %v", err)
	}
	h, err := eng.Login(testutil.Context(t, 10*time.Second), f.c.Name, auth.LoginOptions{}, nil)
	if !errors.Is(err, engine.ErrBusy) || h.State != auth.Pending {
		t.Errorf("second login = %v, %v; want busy with the first login's pending health", h, err)
	}
	cancel()
	<-done
	if n := opened.Load(); n != 1 {
		t.Errorf("the browser was opened %d times, want once: the second login must not start", n)
	}
}

func TestOAuthRefresh(t *testing.T) {
	for _, rotate := range []bool{false, true} {
		t.Run(fmt.Sprintf("rotate=%v", rotate), func(t *testing.T) {
			f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{RotateRefresh: rotate})
			f.c.ShareWithSDK = true
			if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
				t.Fatal(err)
			}
			at, rt := f.get(auth.FieldAccessToken), f.get(auth.FieldRefreshToken)

			// Not due: only a check, no token call.
			f.clock.Advance(time.Hour)
			if h, err := f.refresh(t, false); err != nil || h.State != auth.OK {
				t.Fatalf("early refresh: %v, %v", h, err)
			}
			if n := f.sim.Count("/oauth2/token"); n != 1 {
				t.Fatalf("token endpoint called %d times, want 1 (the login)", n)
			}

			// Inside the lead time: renewed.
			f.clock.Advance(time.Hour - 2*time.Minute)
			h, err := f.refresh(t, false)
			if err != nil || h.State != auth.OK {
				t.Fatalf("refresh: %v, %v", h, err)
			}
			at2, rt2 := f.get(auth.FieldAccessToken), f.get(auth.FieldRefreshToken)
			if at2 == at {
				t.Error("the access token was not renewed")
			}
			if want := f.clock.Now().Add(futusim.DefaultAccessTTL); !f.c.ExpiresAt.Equal(want) {
				t.Errorf("ExpiresAt = %v, want %v", f.c.ExpiresAt, want)
			}
			if rotate == (rt2 == rt) {
				t.Errorf("rotate=%v but the stored refresh token changed=%v", rotate, rt2 != rt)
			}
			if tok, _ := ReadSDKToken(f.sdkDir, f.c.ClientID); tok.AccessToken != at2 || tok.RefreshToken != rt2 {
				t.Error("the SDK token file was not updated")
			}
			// Forced: renewed again with what is stored.
			if _, err := f.refresh(t, true); err != nil {
				t.Fatalf("forced refresh: %v", err)
			}
			if f.get(auth.FieldAccessToken) == at2 {
				t.Error("a forced refresh did not renew")
			}
		})
	}
}

func TestOAuthRefreshAfterRevokedAccessToken(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	f.s.Set(auth.FieldAccessToken, "test-dead-access-token-0001")
	if h, err := f.refresh(t, false); err != nil || h.State != auth.OK {
		t.Fatalf("refresh: %v, %v", h, err)
	}
	if verifyBearer(t, f.base, f.get(auth.FieldAccessToken)) != 200 {
		t.Error("a rejected access token was not replaced by a working one")
	}
}

func TestOAuthExpiredRefreshTokenNeedsLogin(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	rt := f.get(auth.FieldRefreshToken)
	f.clock.Advance(futusim.DefaultRefreshTTL + time.Hour)
	h, err := f.refresh(t, false)
	var ue *auth.UserError
	if !errors.As(err, &ue) || h.State != auth.ActionNeeded || !h.Why.Is("futu.refresh_refused") || !ue.Why.Is("futu.refresh_refused") {
		t.Fatalf("health = %v, err = %v; want ActionNeeded 'log in again'", h, err)
	}
	if want := auth.Next(auth.ActionLogin, "futu-oauth"); h.Next != want || ue.Action != want {
		t.Errorf("next %v / %v, want %v", h.Next, ue.Action, want)
	}
	if f.get(auth.FieldRefreshToken) != rt {
		t.Error("the refresh token was deleted")
	}
	// Assess keeps the verdict until the user logs in again.
	f.c.Health = h
	if a := f.p.Assess(f.c, f.clock.Now()); a.State != auth.ActionNeeded {
		t.Errorf("Assess after the failed refresh = %v", a)
	}
}

func TestOAuthRefreshNetworkFailureChangesNothing(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	at, rt, exp := f.get(auth.FieldAccessToken), f.get(auth.FieldRefreshToken), f.c.ExpiresAt
	for _, r := range []fault.Rule{{Reset: true}, {Status: 503}} {
		f.sim.Faults().Set("/oauth2/token", r)
		h, err := f.refresh(t, true)
		if err == nil || h.State != auth.Unknown {
			t.Errorf("%+v: health = %v, err = %v; want Unknown with an error", r, h, err)
		}
	}
	if f.get(auth.FieldAccessToken) != at || f.get(auth.FieldRefreshToken) != rt || !f.c.ExpiresAt.Equal(exp) {
		t.Error("a failed refresh changed the stored credential")
	}
}

func TestOAuthRevoke(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	f.c.ShareWithSDK = true
	if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	at := f.get(auth.FieldAccessToken)
	if err := f.p.Revoke(testutil.Context(t, 10*time.Second), f.c, f.s); err != nil {
		t.Fatal(err)
	}
	if verifyBearer(t, f.base, at) == 200 {
		t.Error("the access token still works after revocation")
	}
	if h, _ := f.refresh(t, true); h.State != auth.ActionNeeded {
		t.Errorf("refresh after revocation: %v, want ActionNeeded", h)
	}
	if _, err := os.Stat(filepath.Join(f.sdkDir, f.c.ClientID)); !os.IsNotExist(err) {
		t.Error("the SDK token file tokentray wrote is still there")
	}
}

func TestOAuthEndpoints(t *testing.T) {
	f := newOAuthFixture(t, nil, futusim.Options{})
	e, err := f.p.Endpoints(testutil.Context(t, 10*time.Second), f.c)
	if err != nil {
		t.Fatal(err)
	}
	if e.Authorize != f.base+"/oauth2/authorize" || e.Token != f.base+"/oauth2/token" || e.Revoke != f.base+"/oauth2/revoke" || e.Layout != auth.LayoutMetadata {
		t.Errorf("discovered %+v", e)
	}
	// No metadata: the layout of Futu's CLI on the same host, and no revocation.
	c := f.c
	c.Endpoint = f.base + "/nothing-here"
	e, _ = f.p.Endpoints(testutil.Context(t, 10*time.Second), c)
	if e.Authorize != c.Endpoint+"/oauth2/authorize/confirm" || e.Token != c.Endpoint+"/oauth2/token" ||
		e.Register != c.Endpoint+"/oauth2/register" || e.Revoke != "" || e.Layout != auth.LayoutFutuCLI {
		t.Errorf("fallback %+v", e)
	}
	c.TokenURL, c.RevokeURL, c.RegisterURL = "http://127.0.0.1:1/t", "http://127.0.0.1:1/r", "http://127.0.0.1:1/reg"
	e, _ = f.p.Endpoints(testutil.Context(t, 10*time.Second), c)
	if e.Token != c.TokenURL || e.Revoke != c.RevokeURL || e.Register != c.RegisterURL || e.Layout != auth.LayoutCustom {
		t.Errorf("overrides ignored: %+v", e)
	}
	// Base URL: credential, then FUTU_HTTP_URL, then Futu's host.
	p := NewOAuthProvider(Options{Getenv: func(k string) string {
		if k == "FUTU_HTTP_URL" {
			return "http://127.0.0.1:1/env"
		}
		return ""
	}})
	if got, err := baseURL(p.o, auth.Credential{}); got != "http://127.0.0.1:1/env" || err != nil {
		t.Errorf("base from env = %q, %v", got, err)
	}
	if got, err := baseURL(Options{Getenv: noEnv}, auth.Credential{}); got != DefaultBaseURL || err != nil {
		t.Errorf("default base = %q, %v", got, err)
	}
	if got := NewOAuthProvider(Options{}).RedirectURL(); got != "http://localhost:60355/callback" {
		t.Errorf("default redirect = %q", got)
	}
}

func TestOAuthEnvSetsNothing(t *testing.T) {
	p := NewOAuthProvider(Options{Getenv: noEnv})
	vars, note, err := p.Env(auth.Credential{Name: "x", ClientID: "c"}, auth.Bind(testutil.NewMemorySecrets(), "x"))
	if err != nil || len(vars) != 0 || !strings.Contains(note, "environment") || !strings.Contains(note, "token file") {
		t.Errorf("vars = %v, note = %q, err = %v", vars, note, err)
	}
}

func TestNotLoggedInNamesTheLoginAction(t *testing.T) {
	p := NewOAuthProvider(Options{Getenv: noEnv})
	c := auth.Credential{Name: "futu-new", Kind: auth.KindFutuOAuth}
	want := auth.Next(auth.ActionLogin, "futu-new")
	if h := p.Assess(c, t0); h.Next != want || strings.Contains(h.Reason, "tokentray") {
		t.Errorf("Assess = %+v", h)
	}
	_, err := p.Token(c, auth.Bind(testutil.NewMemorySecrets(), "x"))
	if a, ok := auth.ActionOf(err); !ok || a != want || strings.Contains(err.Error(), "tokentray") {
		t.Errorf("Token: %v (%v)", err, a)
	}
}

// pageBrowser is a browser that leaves a page behind for each address,
// as internal/browser's forwarding page does.
type pageBrowser struct {
	inner  Browser
	mu     sync.Mutex
	opened map[string]bool
}

func (b *pageBrowser) Open(u string) error {
	b.mu.Lock()
	b.opened[u] = true
	b.mu.Unlock()
	if b.inner == nil {
		return nil // the person never comes back
	}
	return b.inner.Open(u)
}

func (b *pageBrowser) Discard(u string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.opened, u)
}

func (b *pageBrowser) left() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.opened)
}

// The page left for the browser goes when the login ends: approved, or
// given up (Ctrl-C, SIGTERM and the window's Cancel all end the context).
func TestLoginRemovesTheBrowserPageHoweverItEnds(t *testing.T) {
	approve := &pageBrowser{inner: futusimtest.Browser{Approve: true}, opened: map[string]bool{}}
	f := newOAuthFixture(t, approve, futusim.Options{})
	if h, err := f.login(t, testutil.Context(t, 20*time.Second)); err != nil || h.State != auth.OK {
		t.Fatalf("login: %v, %v", h, err)
	}
	if n := approve.left(); n != 0 {
		t.Errorf("%d pages left after an approved login", n)
	}

	away := &pageBrowser{opened: map[string]bool{}}
	f = newOAuthFixture(t, away, futusim.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := f.login(t, ctx); done <- err }()
	testutil.Eventually(t, "the browser given the page", func() bool { return away.left() == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled login succeeded")
	}
	if n := away.left(); n != 0 {
		t.Errorf("%d pages left after a cancelled login", n)
	}
}
