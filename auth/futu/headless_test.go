package futu

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"tokentray/auth"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// loginWith runs Login in the background with opts; events arrive on the
// returned channel.
func (f *oauthFixture) loginWith(ctx context.Context, opts auth.LoginOptions) (<-chan error, <-chan auth.LoginEvent) {
	done := make(chan error, 1)
	events := make(chan auth.LoginEvent, 16)
	go func() {
		_, err := f.p.Login(ctx, &f.c, f.s, opts, func(e auth.LoginEvent) { events <- e })
		done <- err
	}()
	return done, events
}

func nextEvent(t *testing.T, done <-chan error, events <-chan auth.LoginEvent) auth.LoginEvent {
	t.Helper()
	select {
	case ev := <-events:
		return ev
	case err := <-done:
		t.Fatalf("login ended early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("login never reported progress")
	}
	return auth.LoginEvent{}
}

func TestLoginLikeFutuCLIWithDefaultSettingsShowsTheAccount(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{Layout: futusim.LayoutCLI})
	h, err := f.login(t, testutil.Context(t, 10*time.Second))
	if err != nil || h.State != auth.OK {
		t.Fatalf("login: %v, %v (server log %q)", h, err, f.sim.Log())
	}
	if f.c.Layout != auth.LayoutFutuCLI || f.c.Scope != DefaultScope {
		t.Errorf("layout %q, scope %q", f.c.Layout, f.c.Scope)
	}
	want := futusim.DemoAccount
	a := f.c.Account
	if a.FutuID != want.FutuID || a.AccountNo != want.AccountNo || a.Name != want.Name || a.AccountType != want.AccountType ||
		strings.Join(a.QuotePermissions, ",") != "hk_lv2,us_lv1" {
		t.Errorf("account = %+v", a)
	}
	if s := a.Summary(); !strings.Contains(s, want.Name) || !strings.Contains(s, want.FutuID) {
		t.Errorf("summary %q", s)
	}
	// A refresh answer keeps naming the same account; one that names
	// nobody keeps it too.
	if h, err := f.refresh(t, true); err != nil || h.State != auth.OK || f.c.Account.FutuID != want.FutuID {
		t.Fatalf("refresh: %v %v, account %+v", h, err, f.c.Account)
	}
	if _, err := f.p.keep(&f.c, f.s, &oauth2.Token{AccessToken: "opaque", ExpiresIn: 60}, "", t0); err != nil || f.c.Account.FutuID != want.FutuID {
		t.Errorf("an answer naming nobody forgot the account: %+v (%v)", f.c.Account, err)
	}
}

func TestAccountFromJWTClaimsAlone(t *testing.T) {
	// header.claims.signature, claims {"exp":1900000000,"account":{"futu_id":"42","name":"Jo"},"account_type":"margin"}
	jwt := "eyJhbGciOiJub25lIn0." +
		"eyJleHAiOjE5MDAwMDAwMDAsImFjY291bnQiOnsiZnV0dV9pZCI6IjQyIiwibmFtZSI6IkpvIn0sImFjY291bnRfdHlwZSI6Im1hcmdpbiJ9." +
		"c2ln"
	facts := readTokenFacts(&oauth2.Token{AccessToken: jwt})
	if a := facts.account; a.FutuID != "42" || a.Name != "Jo" || a.AccountType != "margin" {
		t.Errorf("account from claims = %+v", a)
	}
	if facts.expires.Unix() != 1900000000 {
		t.Errorf("exp = %v", facts.expires)
	}
	if f := readTokenFacts(&oauth2.Token{AccessToken: "opaque-token"}); !f.account.IsZero() || !f.expires.IsZero() {
		t.Errorf("an opaque token named %+v", f)
	}
}

func TestHeadlessLoginByPasting(t *testing.T) {
	opened := false
	f := newOAuthFixture(t, browserFunc(func(string) error { opened = true; return nil }), futusim.Options{Layout: futusim.LayoutCLI})
	paste := make(chan string, 1)
	done, events := f.loginWith(testutil.Context(t, 10*time.Second), auth.LoginOptions{NoBrowser: true, Pasted: paste})
	ev := nextEvent(t, done, events)
	if !strings.HasPrefix(ev.URL, f.base+"/oauth2/authorize/confirm?") || !strings.Contains(ev.Steps[len(ev.Steps)-1], "paste") {
		t.Fatalf("first event = %+v, want the address to open and a step saying to paste", ev)
	}
	// The browser on another device lands on the loopback address, which
	// does not load there; the person pastes it.
	landed, err := futusimtest.Browser{Approve: true}.Landing(ev.URL)
	if err != nil {
		t.Fatal(err)
	}
	paste <- landed
	if err := <-done; err != nil {
		t.Fatalf("login by pasting: %v", err)
	}
	if opened {
		t.Error("a browser was opened although the login was asked for none")
	}
	if f.get(auth.FieldAccessToken) == "" || f.c.Account.FutuID == "" {
		t.Error("no token or account after the pasted login")
	}
}

func TestWrongPasteIsRefusedAndTheLoginKeepsWaiting(t *testing.T) {
	f := newOAuthFixture(t, nil, futusim.Options{})
	paste := make(chan string)
	done, events := f.loginWith(testutil.Context(t, 10*time.Second), auth.LoginOptions{NoBrowser: true, Pasted: paste})
	ev := nextEvent(t, done, events)
	landed, err := futusimtest.Browser{Approve: true}.Landing(ev.URL)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(landed)
	otherState := *u
	q := otherState.Query()
	q.Set("state", "someone-elses")
	otherState.RawQuery = q.Encode()
	otherPort := *u
	otherPort.Host = "localhost:1"
	huge := landed + "&x=" + strings.Repeat("a", 10<<10)
	for paste1, want := range map[string]string{
		"":                  "futu.paste_empty",
		"not an address":    "futu.paste_not_address",
		otherPort.String():  "futu.paste_elsewhere",
		otherState.String(): "futu.paste_other_login",
		huge:                "futu.paste_not_address",
		"https://example.org/callback?code=x&state=y": "futu.paste_elsewhere",
	} {
		paste <- paste1
		ev := nextEvent(t, done, events)
		if ev.Health.State != auth.Pending || !ev.Health.Why.Is(want) {
			t.Errorf("paste %.40q: event %+v, want Pending saying %s", paste1, ev.Health, want)
		}
		if strings.Contains(ev.Health.Reason, u.Query().Get("code")) || len(ev.Health.Reason) > 300 {
			t.Errorf("the refusal repeats the paste: %q", ev.Health.Reason)
		}
	}
	// Still waiting: the right address finishes it.
	paste <- "  " + landed + "\n"
	if err := <-done; err != nil {
		t.Fatalf("login after wrong pastes: %v", err)
	}
}

func TestCallbackOrPasteWhicheverComesFirst(t *testing.T) {
	f := newOAuthFixture(t, nil, futusim.Options{})
	paste := make(chan string)
	done, events := f.loginWith(testutil.Context(t, 10*time.Second), auth.LoginOptions{NoBrowser: true, Pasted: paste})
	ev := nextEvent(t, done, events)
	// The person opened the address on this computer after all.
	if err := (futusimtest.Browser{Approve: true}).Open(ev.URL); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("loopback login while a paste was possible: %v", err)
	}
}

func TestNoBrowserIsATypedError(t *testing.T) {
	f := newOAuthFixture(t, browserFunc(func(string) error { return errors.New("no display") }), futusim.Options{})
	done, _ := f.loginWith(testutil.Context(t, 10*time.Second), auth.LoginOptions{NeedBrowser: true})
	select {
	case err := <-done:
		if !errors.Is(err, auth.ErrNoBrowser) {
			t.Fatalf("err = %v, want ErrNoBrowser", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the login kept waiting with no browser and nobody to see the address")
	}
	assertPortFree(t, f.p.RedirectURL())
}

func TestDefaultCredentialReadsFutuMetadataThenUsesTheCLILayout(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	rt := roundTrip(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.String())
		mu.Unlock()
		return &http.Response{StatusCode: http.StatusNotFound, Body: http.NoBody, Request: r}, nil
	})
	p := NewOAuthProvider(Options{HTTP: &http.Client{Transport: rt}, Getenv: noEnv})
	e, err := p.Endpoints(testutil.Context(t, 10*time.Second), auth.Credential{Name: "futu-main"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Authorize != "https://webapi.futunn.com/oauth2/authorize/confirm" || e.Token != "https://webapi.futunn.com/oauth2/token" ||
		e.Register != "https://webapi.futunn.com/oauth2/register" || e.Layout != auth.LayoutFutuCLI {
		t.Errorf("default endpoints = %+v", e)
	}
	want := []string{
		"GET https://openapi.futunn.com/.well-known/oauth-authorization-server",
		"GET " + DefaultMetadataURL,
	}
	if strings.Join(asked, "\n") != strings.Join(want, "\n") {
		t.Errorf("asked %q, want %q", asked, want)
	}
	// A 404 is remembered: the next call asks nobody.
	_, _ = p.Endpoints(testutil.Context(t, 10*time.Second), auth.Credential{Name: "futu-main"})
	if len(asked) != 2 {
		t.Errorf("metadata asked again within the hour: %q", asked)
	}
}

func TestFutuMetadataMayNameOtherFutuHostsOnly(t *testing.T) {
	for tokenURL, trusted := range map[string]bool{
		"https://webapi.futunn.com/oauth2/token":  true,
		"https://futunn.com.attacker.example/t":   false,
		"http://webapi.futunn.com/oauth2/token":   false,
		"https://webapi.futunn.com:8443/t":        false,
		"https://user:pw@webapi.futunn.com/token": false,
		"https://webapi.moomoo.com/oauth2/token":  false,
	} {
		if got := brandHost(Options{}.withDefaults().hostsOf(auth.Credential{Kind: auth.KindFutuOAuth}), tokenURL); got != trusted {
			t.Errorf("brandHost(%q) = %v, want %v", tokenURL, got, trusted)
		}
	}
}

func TestMoomooMetadataMayNameOtherMoomooHostsOnly(t *testing.T) {
	h := Options{}.withDefaults().hostsOf(auth.Credential{Kind: auth.KindFutuOAuth, Brand: auth.BrandMoomoo})
	for tokenURL, trusted := range map[string]bool{
		"https://webapi.moomoo.com/oauth2/token": true,
		"https://mcp.moomoo.com/oauth2/token":    true,
		"https://webapi.futunn.com/oauth2/token": false,
		"https://moomoo.com.attacker.example/t":  false,
	} {
		if got := brandHost(h, tokenURL); got != trusted {
			t.Errorf("brandHost(%q) = %v, want %v", tokenURL, got, trusted)
		}
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestLoginWithoutAKeychainOpensNoBrowser(t *testing.T) {
	opened := false
	f := newOAuthFixture(t, browserFunc(func(string) error { opened = true; return nil }), futusim.Options{})
	f.mem.Fail = errors.New("the keychain is locked")
	_, err := f.p.Login(testutil.Context(t, 10*time.Second), &f.c, f.s, auth.LoginOptions{}, nil)
	if err == nil || !msg.Of(err).Is("futu.login_keychain") || opened || f.sim.Count("/oauth2/register") != 0 {
		t.Fatalf("err = %v, browser opened %v, registrations %d", err, opened, f.sim.Count("/oauth2/register"))
	}
	assertPortFree(t, f.p.RedirectURL())
}

func TestLoginThatCannotStoreItsTokensRevokesThem(t *testing.T) {
	old := auth.KeychainRetries
	auth.KeychainRetries = nil
	t.Cleanup(func() { auth.KeychainRetries = old })
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	f.s = &testutil.FlakySecrets{Secrets: f.s, Field: auth.FieldRefreshToken, Failures: 1000}
	_, err := f.login(t, testutil.Context(t, 10*time.Second))
	if err == nil || !msg.Of(err).Is("futu.issued_not_kept") || !sub(msg.Of(err), "Then").Is("futu.issued_revoked") {
		t.Fatalf("err = %v, want the tokens revoked", err)
	}
	if n := f.sim.Count("/oauth2/revoke"); n != 2 {
		t.Errorf("%d revocations, want the refresh and the access token", n)
	}
	// Without a revocation endpoint the message says they stay valid.
	g := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{Layout: futusim.LayoutCLI})
	g.s = &testutil.FlakySecrets{Secrets: g.s, Field: auth.FieldRefreshToken, Failures: 1000}
	if _, err := g.login(t, testutil.Context(t, 10*time.Second)); err == nil || !sub(msg.Of(err), "Then").Is("futu.issued_no_revoke") {
		t.Fatalf("CLI layout: err = %v", err)
	}
}

// A login whose page the person opens without a way to paste (the
// window) asks for a browser on this computer only, since the address a
// browser on another device lands on could not reach tokentray; the
// steps name the brand the person signs in to.
func TestOpenYourselfStepsClaimOnlyWhatWorks(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{}, futusim.Options{Layout: futusim.LayoutCLI})
	f.c.Brand = auth.BrandMoomoo
	ctx, cancel := context.WithCancel(testutil.Context(t, 10*time.Second))
	done, events := f.loginWith(ctx, auth.LoginOptions{NoBrowser: true})
	ev := nextEvent(t, done, events)
	cancel()
	<-done
	steps := strings.Join(ev.Steps, "\n")
	if strings.Contains(steps, "other device") || !strings.Contains(steps, "on this computer") {
		t.Errorf("steps without a paste:\n%s", steps)
	}
	if !strings.Contains(steps, "Sign in to moomoo") || strings.Contains(steps, "Futu") {
		t.Errorf("steps of a moomoo login:\n%s", steps)
	}
}

// With the redirect port busy, the note that says so comes first and the
// event points at the step that asks to open the address.
func TestPortNoteKeepsTheAddressUnderItsStep(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	f := newOAuthFixture(t, futusimtest.Browser{}, futusim.Options{})
	f.p = NewOAuthProvider(Options{Clock: f.clock, Browser: f.p.o.Browser, RedirectURL: redirectFor(port), Getenv: noEnv})
	ctx, cancel := context.WithCancel(testutil.Context(t, 10*time.Second))
	done, events := f.loginWith(ctx, auth.LoginOptions{NoBrowser: true})
	ev := nextEvent(t, done, events)
	cancel()
	<-done
	if ev.URL == "" || ev.URLStep >= len(ev.Steps) || !strings.Contains(ev.Steps[ev.URLStep], "address below") || !strings.Contains(ev.Steps[0], "in use") {
		t.Errorf("URL step %d of %q", ev.URLStep, ev.Steps)
	}
}
