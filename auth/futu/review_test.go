package futu

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// cancelAfter returns a client and a context that ends once an answer
// from path is in, before it is read: Ctrl-C just after Futu answered.
func cancelAfter(t *testing.T, path string) (*http.Client, context.Context) {
	ctx, cancel := context.WithCancel(testutil.Context(t, 10*time.Second))
	return &http.Client{Transport: &testutil.HookTransport{After: testutil.OnPath(path, cancel)}}, ctx
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func notUserVerdict(t *testing.T, what string, h auth.Health, err error) {
	t.Helper()
	var ue *auth.UserError
	if h.State == auth.ActionNeeded || h.State == auth.Broken || errors.As(err, &ue) || err == nil {
		t.Errorf("%s: %v / %v, want Unknown with an error", what, h, err)
	}
}

func TestCancelledFutuCallsChangeNothing(t *testing.T) {
	t.Run("key check", func(t *testing.T) {
		f := newKeyFixture(t, t0.Add(60*24*time.Hour))
		h, err := f.p.Refresh(cancelled(), &f.c, f.s, auth.RefreshOptions{})
		notUserVerdict(t, "cancelled check", h, err)
	})
	t.Run("key extend", func(t *testing.T) {
		f := newKeyFixture(t, t0.Add(5*24*time.Hour))
		h, err := f.p.Extend(cancelled(), &f.c, f.s, time.Time{})
		notUserVerdict(t, "cancelled extend", h, err)
		if v, _ := f.s.Get(auth.FieldAccessToken); v != f.token || f.sim.Count(DefaultRefreshPath) != 0 {
			t.Error("an extension the caller had given up on reached Futu or changed the token")
		}
	})
	t.Run("oauth check and refresh", func(t *testing.T) {
		f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{RotateRefresh: true})
		if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
			t.Fatal(err)
		}
		rt := f.get(auth.FieldRefreshToken)
		h, err := f.p.Refresh(cancelled(), &f.c, f.s, auth.RefreshOptions{})
		notUserVerdict(t, "cancelled check", h, err)
		h, err = f.p.Refresh(cancelled(), &f.c, f.s, auth.RefreshOptions{Force: true})
		notUserVerdict(t, "cancelled refresh", h, err)
		if f.get(auth.FieldRefreshToken) != rt || f.sim.Count("/oauth2/token") != 1 {
			t.Error("a refresh the caller had given up on reached Futu or changed the tokens")
		}
	})
}

func TestOAuthRotationSurvivesCancelAfterFutuAnswered(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{RotateRefresh: true})
	if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	rt := f.get(auth.FieldRefreshToken)
	hc, ctx := cancelAfter(t, "/oauth2/token")
	f.p.o.HTTP = hc
	h, err := f.p.Refresh(ctx, &f.c, f.s, auth.RefreshOptions{Force: true})
	if err != nil || h.State != auth.OK || f.get(auth.FieldRefreshToken) == rt {
		t.Fatalf("refresh cancelled after Futu rotated: %v / %v", h, err)
	}
	f.p.o.HTTP = http.DefaultClient
	if _, err := f.refresh(t, true); err != nil {
		t.Errorf("the stored refresh token does not work: %v", err)
	}
}

func TestOAuthLoginSurvivesCancelAfterFutuAnswered(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	hc, ctx := cancelAfter(t, "/oauth2/token")
	f.p.o.HTTP = hc
	h, err := f.login(t, ctx)
	if err != nil || h.State != auth.OK {
		t.Fatalf("login cancelled after Futu answered: %v / %v", h, err)
	}
	if verifyBearer(t, f.base, f.get(auth.FieldAccessToken)) != 200 || f.get(auth.FieldRefreshToken) == "" {
		t.Error("the tokens of the spent code were not stored")
	}
}

func TestKeyExtendSurvivesCancelAfterFutuAnswered(t *testing.T) {
	f := newKeyFixture(t, t0.Add(5*24*time.Hour))
	hc, ctx := cancelAfter(t, DefaultRefreshPath)
	f.p.o.HTTP = hc
	h, err := f.p.Extend(ctx, &f.c, f.s, time.Time{})
	if err != nil || h.State != auth.OK {
		t.Fatalf("extend cancelled after Futu answered: %v / %v", h, err)
	}
	f.p.o.HTTP = http.DefaultClient
	if h, err := f.refresh(t); err != nil || h.State != auth.OK {
		t.Errorf("the stored new token does not work: %v / %v", h, err)
	}
}

func TestKeyExtendInterruptedSaysItMayHaveHappened(t *testing.T) {
	f := newKeyFixture(t, t0.Add(5*24*time.Hour))
	// The extension and the check after it both go unanswered: it may
	// have happened.
	f.sim.Faults().Set(DefaultRefreshPath, fault.Rule{Reset: true})
	f.sim.Faults().Set(VerifyPath, fault.Rule{Reset: true})
	h, err := f.p.Extend(testutil.Context(t, 10*time.Second), &f.c, f.s, time.Time{})
	if h.State != auth.Unknown || err == nil || f.c.ExtendLost.IsZero() {
		t.Fatalf("interrupted extend: %v / %v, lost mark %v", h, err, f.c.ExtendLost)
	}
	for _, text := range []string{h.Reason, err.Error()} {
		if !strings.Contains(text, "may have been extended") || !strings.Contains(text, "check again") || strings.Contains(text, "nothing was changed") {
			t.Errorf("interrupted extend says %q", text)
		}
	}
	if a, ok := auth.ActionOf(err); !ok || a != auth.Next(auth.ActionRetry, "futu-key") || h.Next != a {
		t.Errorf("interrupted extend: next %v / %v, want retry", a, h.Next)
	}
	// The check after it answers that the stored token still works: the
	// extension did not happen, and the mark goes.
	f.sim.Faults().Clear()
	f.sim.Faults().Set(DefaultRefreshPath, fault.Rule{Reset: true})
	h, err = f.p.Extend(testutil.Context(t, 10*time.Second), &f.c, f.s, time.Time{})
	if h.State != auth.Unknown || err == nil || !h.Why.Is("futu.extend_not_done_still_works") || !f.c.ExtendLost.IsZero() {
		t.Fatalf("interrupted extend checked after: %v / %v, lost mark %v", h, err, f.c.ExtendLost)
	}
	if a, ok := auth.ActionOf(err); !ok || a != auth.Next(auth.ActionRetry, "futu-key") || h.Next != a {
		t.Errorf("interrupted extend checked after: next %v / %v, want retry", a, h.Next)
	}
	f.sim.Faults().Clear()
	// A later check that finds the stored token refused while an
	// extension's answer is missing says the new token was lost, not that
	// Futu revoked the key.
	f.c.ExtendLost = t0
	f.sim.RevokeAPIKey(f.appKey)
	if h, _ := f.refresh(t); h.State != auth.Broken || !h.Why.Is("futu.extension_lost") || h.Next.Kind != auth.ActionUpdate {
		t.Errorf("check after a lost extension: %v", h)
	}
	// Nothing listening: the request never left, so nothing changed.
	f.c.Endpoint = "http://127.0.0.1:1"
	h, _ = f.p.Extend(testutil.Context(t, 10*time.Second), &f.c, f.s, time.Time{})
	if !note(h).Is("note.retry") {
		t.Errorf("extend that never reached Futu: %v (%v)", h, h.Why)
	}
}

func TestReplacedTokensStoredDespiteABusyKeychain(t *testing.T) {
	old := auth.KeychainRetries
	auth.KeychainRetries = []time.Duration{time.Millisecond, time.Millisecond}
	t.Cleanup(func() { auth.KeychainRetries = old })

	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{RotateRefresh: true})
	if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	busy := &testutil.FlakySecrets{Secrets: f.s, Field: auth.FieldRefreshToken, OnlyChanges: true, Failures: 2}
	if h, err := f.p.Refresh(testutil.Context(t, 10*time.Second), &f.c, busy, auth.RefreshOptions{Force: true}); err != nil || h.State != auth.OK || busy.Left() != 0 {
		t.Fatalf("rotation with a keychain failing twice: %v / %v", h, err)
	}
	if _, err := f.refresh(t, true); err != nil {
		t.Errorf("the rotated refresh token was lost: %v", err)
	}

	k := newKeyFixture(t, t0.Add(5*24*time.Hour))
	busy = &testutil.FlakySecrets{Secrets: k.s, Field: auth.FieldAccessToken, OnlyChanges: true, Failures: 2}
	if h, err := k.p.Extend(testutil.Context(t, 10*time.Second), &k.c, busy, time.Time{}); err != nil || h.State != auth.OK || busy.Left() != 0 {
		t.Fatalf("extend with a keychain failing twice: %v / %v", h, err)
	}
	if h, err := k.refresh(t); err != nil || h.State != auth.OK {
		t.Errorf("the extended token was lost: %v / %v", h, err)
	}
}

// echoServer answers at path with status and a body made from the
// request, and 404 elsewhere.
func echoServer(t *testing.T, path string, status int, body func(r *http.Request) string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body(r))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func assertWithheld(t *testing.T, what string, secrets []string, code string, texts ...string) {
	t.Helper()
	all := strings.Join(texts, " | ")
	if !strings.Contains(all, "withheld") || (code != "" && !strings.Contains(all, code)) {
		t.Errorf("%s: %q, want the code %q and the text withheld", what, all, code)
	}
	for _, s := range secrets {
		if strings.Contains(strings.ToLower(all), strings.ToLower(s)) {
			t.Errorf("%s: a secret reached %q", what, all)
		}
	}
}

func TestBrokerTextThatEchoesASecretIsWithheld(t *testing.T) {
	t.Run("oauth refresh", func(t *testing.T) {
		base := echoServer(t, "/oauth2/token", http.StatusBadRequest, func(r *http.Request) string {
			return `{"error":"invalid_request","error_description":"refresh_token ` + r.PostForm.Get("refresh_token") + ` is malformed"}`
		})
		p := NewOAuthProvider(Options{Clock: clockwork.NewFakeClockAt(t0), Getenv: noEnv})
		c := auth.Credential{ID: auth.NewID(), Name: "futu-oauth", Kind: auth.KindFutuOAuth, Endpoint: base, ClientID: "client-0001", AddedAt: t0}
		s := auth.Bind(testutil.NewMemorySecrets(), c.ID)
		s.Set(auth.FieldRefreshToken, "test-refresh-token-0001")
		h, err := p.Refresh(testutil.Context(t, 10*time.Second), &c, s, auth.RefreshOptions{Force: true})
		if h.State != auth.Unknown || err == nil {
			t.Fatalf("refused refresh: %v / %v", h, err)
		}
		assertWithheld(t, "refresh", []string{"test-refresh-token-0001"}, "invalid_request", h.Reason, err.Error())
	})
	t.Run("oauth login", func(t *testing.T) {
		var verifier string
		base := echoServer(t, "/oauth2/token", http.StatusBadRequest, func(r *http.Request) string {
			verifier = r.PostForm.Get("code_verifier")
			return `{"error":"invalid_grant","error_description":"code ` + r.PostForm.Get("code") + ` does not match ` + verifier + `"}`
		})
		b := rawBrowser{url.Values{"code": {"test-code-0001"}}, make(chan string, 1)}
		p := NewOAuthProvider(Options{Clock: clockwork.NewFakeClockAt(t0), Browser: b, RedirectURL: redirectFor(testutil.FreePort(t)), Getenv: noEnv})
		c := auth.Credential{ID: auth.NewID(), Name: "futu-oauth", Kind: auth.KindFutuOAuth, Endpoint: base, ClientID: "client-0001", AddedAt: t0}
		_, err := p.Login(testutil.Context(t, 10*time.Second), &c, auth.Bind(testutil.NewMemorySecrets(), c.ID), auth.LoginOptions{}, nil)
		if err == nil {
			t.Fatal("a refused login succeeded")
		}
		page := <-b.page
		if verifier == "" {
			t.Fatal("the token endpoint never saw a verifier")
		}
		assertWithheld(t, "login", []string{"test-code-0001", verifier}, "invalid_grant", err.Error(), page)
	})
	t.Run("key check and extend", func(t *testing.T) {
		secrets := []string{"test-app-key-0001", "test-app-secret-0001", "test-access-token-0001"}
		for _, tc := range []struct {
			path   string
			status int
		}{{VerifyPath, http.StatusInternalServerError}, {DefaultRefreshPath, http.StatusBadRequest}} {
			for _, echoed := range secrets {
				base := echoServer(t, tc.path, tc.status, func(r *http.Request) string {
					return `{"code":40001,"message":"bad request for ` + echoed + `"}`
				})
				p := NewKeyProvider(Options{Clock: clockwork.NewFakeClockAt(t0), Getenv: noEnv})
				c := auth.Credential{ID: auth.NewID(), Name: "futu-key", Kind: auth.KindFutuKey, Endpoint: base, AddedAt: t0}
				s := auth.Bind(testutil.NewMemorySecrets(), c.ID)
				for i, f := range []string{auth.FieldAppKey, auth.FieldAppSecret, auth.FieldAccessToken} {
					s.Set(f, secrets[i])
				}
				var h auth.Health
				var err error
				if tc.path == VerifyPath {
					h, err = p.Refresh(testutil.Context(t, 10*time.Second), &c, s, auth.RefreshOptions{})
				} else {
					h, err = p.Extend(testutil.Context(t, 10*time.Second), &c, s, time.Time{})
				}
				if err == nil {
					t.Fatalf("%s: an error answer was taken as success", tc.path)
				}
				assertWithheld(t, tc.path, secrets, "40001", h.Reason, err.Error())
			}
		}
	})
}

func TestPlainHTTPIsOnlyForLoopback(t *testing.T) {
	for _, tc := range []struct {
		name, endpoint, env string
		want                string
	}{
		{"endpoint", "http://openapi.futu.example", "", "futu.setting_endpoint"},
		{"FUTU_HTTP_URL", "", "http://openapi.futu.example", "FUTU_HTTP_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &testutil.HookTransport{}
			o := Options{Clock: clockwork.NewFakeClockAt(t0), HTTP: &http.Client{Transport: tr},
				Getenv: func(k string) string {
					if k == "FUTU_HTTP_URL" {
						return tc.env
					}
					return ""
				}}
			c := auth.Credential{ID: auth.NewID(), Name: "futu", Endpoint: tc.endpoint, ClientID: "client-0001", AddedAt: t0}
			mem := testutil.NewMemorySecrets()
			s := auth.Bind(mem, c.ID)
			for _, f := range []string{auth.FieldAppKey, auth.FieldAppSecret, auth.FieldAccessToken, auth.FieldRefreshToken} {
				s.Set(f, "test-"+f+"-0001")
			}
			kh, kerr := NewKeyProvider(o).Refresh(testutil.Context(t, 10*time.Second), &c, s, auth.RefreshOptions{})
			xh, xerr := NewKeyProvider(o).Extend(testutil.Context(t, 10*time.Second), &c, s, time.Time{})
			oh, oerr := NewOAuthProvider(o).Refresh(testutil.Context(t, 10*time.Second), &c, s, auth.RefreshOptions{Force: true})
			for _, r := range []struct {
				h   auth.Health
				err error
			}{{kh, kerr}, {xh, xerr}, {oh, oerr}} {
				var ue *auth.UserError
				if said := msg.Of(r.err); !errors.As(r.err, &ue) || r.h.State != auth.ActionNeeded || !said.Is("auth.endpoint_http") ||
					(sub(said, "What").ID != tc.want && said.Arg("What") != tc.want) {
					t.Errorf("plain http: %v / %v, want ActionNeeded naming %s", r.h, r.err, tc.want)
				}
			}
			if tr.Sent() != 0 {
				t.Errorf("%d requests went out over plain http", tr.Sent())
			}
		})
	}
	for _, ok := range []string{"https://openapi.futu.example", "http://localhost:9/x/", "http://127.0.0.1:9", "http://[::1]:9"} {
		if _, err := baseURL(Options{Getenv: noEnv}, auth.Credential{Endpoint: ok}); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	if _, err := baseURL(Options{Getenv: noEnv}, auth.Credential{Endpoint: "https://user:test-pass-0001@openapi.futu.example"}); err == nil || strings.Contains(err.Error(), "test-pass-0001") {
		t.Errorf("URL with a password: %v", err)
	}
}

func TestDiscoveredEndpointsMustStayOnTheHost(t *testing.T) {
	var meta string
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, meta)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	other := httptest.NewServer(http.NotFoundHandler()) // same host, another port
	t.Cleanup(other.Close)
	c := auth.Credential{Name: "futu-oauth", Endpoint: srv.URL}
	for name, tc := range map[string]struct {
		token, revoke string
		trusted       bool
	}{
		"same host":              {srv.URL + "/t", srv.URL + "/r", true},
		"other host over https":  {"https://tokens.attacker.example/t", "", false},
		"revoke on another host": {srv.URL + "/t", "https://tokens.attacker.example/r", false},
		"plain http elsewhere":   {"http://tokens.attacker.example/t", "", false},
		"same host, other port":  {other.URL + "/t", "", false},
	} {
		meta = `{"authorization_endpoint":"` + srv.URL + `/a","token_endpoint":"` + tc.token + `","revocation_endpoint":"` + tc.revoke + `"}`
		p := NewOAuthProvider(Options{Clock: clockwork.NewFakeClockAt(t0), Getenv: noEnv})
		e, err := p.Endpoints(testutil.Context(t, 10*time.Second), c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if tc.trusted && (e.Token != tc.token || e.Revoke != tc.revoke) {
			t.Errorf("%s: trusted metadata ignored: %+v", name, e)
		}
		if !tc.trusted && (e.Token != srv.URL+"/oauth2/token" || e.Revoke != "" || e.Authorize != srv.URL+"/oauth2/authorize/confirm") {
			t.Errorf("%s: untrusted metadata used: %+v", name, e)
		}
	}
	// A hand-set endpoint gets the same scheme rule.
	c.TokenURL = "http://tokens.futu.example/t"
	if _, err := NewOAuthProvider(Options{Getenv: noEnv}).Endpoints(testutil.Context(t, 10*time.Second), c); err == nil || !msg.Of(err).Is("auth.endpoint_http") {
		t.Errorf("plain http token URL: %v", err)
	}
}

func TestEndpointsWithUserinfoBadPortsOrHugeAreRefused(t *testing.T) {
	huge := "https://openapi.futunn.com/" + strings.Repeat("a", 10<<10)
	for raw, want := range map[string]string{
		"https://trader:hunter2@openapi.futunn.com": "auth.endpoint_userinfo",
		"https://openapi.futunn.com:0":              "auth.endpoint_port",
		"https://openapi.futunn.com:70000":          "auth.endpoint_port",
		"http://127.0.0.1:99999":                    "auth.endpoint_port",
		huge:                                        "auth.endpoint_too_long",
	} {
		err := CheckEndpoint(raw)
		if err == nil || !msg.Of(err).Is(want) {
			t.Errorf("%.50q: %v, want %q", raw, err, want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || len(err.Error()) > 400 {
			t.Errorf("%.50q: the error shows too much: %.120q", raw, err.Error())
		}
		// Every call applies the same rule.
		p := NewKeyProvider(Options{Getenv: noEnv})
		c := auth.Credential{Name: "k", Endpoint: raw}
		if h, err := p.Refresh(testutil.Context(t, 10*time.Second), &c, auth.Bind(testutil.NewMemorySecrets(), "k"), auth.RefreshOptions{}); err == nil || h.State != auth.ActionNeeded {
			t.Errorf("%.50q: refresh went ahead: %v", raw, h)
		}
	}
	for _, ok := range []string{"https://openapi.futunn.com", "https://openapi.futunn.com:443/", "http://127.0.0.1:8080"} {
		if err := CheckEndpoint(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}
