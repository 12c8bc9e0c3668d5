package webull

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/webullsim"
	"tokentray/internal/testutil"
)

// withHook rewires e's provider through a testutil.HookTransport.
func (e *env) withHook(after, closed func(req *http.Request)) {
	e.p = NewProvider(Options{Clock: e.clock, SDKTokenBase: e.t.TempDir(),
		HTTPClient: &http.Client{Transport: &testutil.HookTransport{Base: e.srv.Client().Transport, After: after, Closed: closed}}})
}

// cancelAfter returns a context that ends once an answer from path is in,
// before it is read.
func (e *env) cancelAfter(path string) context.Context {
	ctx, cancel := context.WithCancel(testutil.Context(e.t, 20*time.Second))
	e.withHook(testutil.OnPath(path, cancel), nil)
	return ctx
}

// cancelAfterRead returns a context that ends once an answer from path
// has been read.
func (e *env) cancelAfterRead(path string) context.Context {
	ctx, cancel := context.WithCancel(testutil.Context(e.t, 20*time.Second))
	e.withHook(nil, testutil.OnPath(path, cancel))
	return ctx
}

func assertNotUserVerdict(t *testing.T, what string, h auth.Health) {
	t.Helper()
	if h.State == auth.ActionNeeded || h.State == auth.Broken {
		t.Errorf("%s: a cancelled call gave %v", what, h)
	}
}

func TestCancelledCallsNeverNeedTheUser(t *testing.T) {
	t.Run("renew", func(t *testing.T) {
		e := verified(t)
		tok := e.token()
		e.clock.Advance(13 * 24 * time.Hour) // inside the renewal window
		ctx := e.cancelAfterRead(checkPath)  // Ctrl-C right after the check
		h, err := e.p.Refresh(ctx, &e.c, e.s, auth.RefreshOptions{})
		if h.State != auth.Unknown || !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled renewal: %v / %v, want Unknown", h, err)
		}
		if e.token() != tok || e.c.TokenStatus != StatusNormal || e.sim.Count(refreshPath) != 0 {
			t.Error("a renewal the caller had given up on changed something or reached Webull")
		}
		if h := e.p.Assess(e.c, e.clock.Now()); h.State != auth.Expiring {
			t.Errorf("Assess after the cancelled renewal: %v, want Expiring", h)
		}
	})
	t.Run("renew out of time", func(t *testing.T) {
		old := brokerTimeout
		brokerTimeout = 200 * time.Millisecond
		t.Cleanup(func() { brokerTimeout = old })
		e := verified(t)
		tok := e.token()
		e.clock.Advance(13 * 24 * time.Hour)
		e.sim.Faults().Set(refreshPath, fault.Rule{Latency: time.Hour}) // on the fake clock: never answers
		// The stalled handler does not see the client leave; let it go before the server closes.
		t.Cleanup(func() { e.clock.Advance(time.Hour) })
		h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
		if h.State != auth.Unknown || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(h.Reason, "tries again") {
			t.Errorf("renewal out of time: %v / %v, want Unknown", h, err)
		}
		if e.token() != tok || e.c.TokenStatus != StatusNormal {
			t.Error("a renewal without an answer changed the token")
		}
	})
	t.Run("check", func(t *testing.T) {
		e := verified(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		h, err := e.p.Refresh(ctx, &e.c, e.s, auth.RefreshOptions{})
		if h.State != auth.Unknown || !errors.Is(err, context.Canceled) || e.c.TokenStatus != StatusNormal {
			t.Errorf("cancelled check: %v / %v, want Unknown", h, err)
		}
	})
	t.Run("create", func(t *testing.T) {
		e := verified(t)
		tok := e.token()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		h, err := e.p.Login(ctx, &e.c, e.s, auth.LoginOptions{}, nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled create: err = %v", err)
		}
		assertNotUserVerdict(t, "cancelled create", h)
		if e.token() != tok || e.c.TokenStatus != StatusNormal {
			t.Error("a cancelled create changed the stored token")
		}
	})
}

func TestRenewalSurvivesCancelAfterWebullAnswered(t *testing.T) {
	e := verified(t)
	old := e.token()
	e.sim.SetRenewNewToken(true)
	e.clock.Advance(13 * 24 * time.Hour)
	ctx := e.cancelAfter(refreshPath) // Webull has rotated; Ctrl-C before the answer is read
	h, err := e.p.Refresh(ctx, &e.c, e.s, auth.RefreshOptions{})
	if err != nil || h.State != auth.OK {
		t.Fatalf("renewal interrupted after Webull answered: %v / %v", h, err)
	}
	nt := e.token()
	if nt == old {
		t.Fatal("the renewed token was dropped; Webull has already retired the old one")
	}
	if info, _ := e.sim.Token(nt); info.Status != webullsim.StatusNormal {
		t.Errorf("stored token is %s at Webull", info.Status)
	}
}

func TestRenewedTokenStoredDespiteABusyKeychain(t *testing.T) {
	old := auth.KeychainRetries
	auth.KeychainRetries = []time.Duration{time.Millisecond, time.Millisecond}
	t.Cleanup(func() { auth.KeychainRetries = old })
	e := verified(t)
	e.sim.SetRenewNewToken(true)
	first := e.token()
	busy := &testutil.FlakySecrets{Secrets: e.s, Field: auth.FieldWebullToken, Failures: 2}
	h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, busy, auth.RefreshOptions{Force: true})
	if err != nil || h.State != auth.OK || e.token() == first {
		t.Fatalf("renewal with a keychain failing twice: %v / %v", h, err)
	}
	if busy.Left() != 0 {
		t.Errorf("the keychain refused %d fewer writes than it was set to", busy.Left())
	}
	if info, _ := e.sim.Token(e.token()); info.Status != webullsim.StatusNormal {
		t.Errorf("stored token is %s at Webull", info.Status)
	}
}

// front serves e's sandbox behind a server whose answers at the paths in
// override are replaced.
func (e *env) front(override map[string]http.HandlerFunc) {
	sim := e.sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The broker's clock agrees with this computer's (the fake clock).
		w.Header().Set("Date", e.clock.Now().UTC().Format(http.TimeFormat))
		if h, ok := override[r.URL.Path]; ok {
			h(w, r)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	e.t.Cleanup(srv.Close)
	e.c.Endpoint = srv.URL
}

func TestBrokerTextThatEchoesASecretIsWithheld(t *testing.T) {
	for _, tc := range []struct {
		name string
		echo func(e *env, token string) string
	}{
		{"token", func(_ *env, token string) string { return "token " + token + " cannot be renewed" }},
		{"app key", func(e *env, _ string) string { return "app " + strings.ToUpper(e.appKey) + " is not allowed here" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := verified(t)
			e.front(map[string]http.HandlerFunc{refreshPath: func(w http.ResponseWriter, r *http.Request) {
				var body struct{ Token string }
				_ = json.NewDecoder(r.Body).Decode(&body)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusExpectationFailed)
				_ = json.NewEncoder(w).Encode(map[string]string{"error_code": "INVALID_PARAMETER", "message": tc.echo(e, body.Token)})
			}})
			h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{Force: true})
			if err != nil || !strings.Contains(h.Reason, "INVALID_PARAMETER") || !strings.Contains(h.Reason, "withheld") {
				t.Fatalf("echoing answer: %v / %v, want the code and the text withheld", h, err)
			}
			for _, v := range e.mem.Values() {
				for _, text := range []string{h.Reason} {
					if strings.Contains(strings.ToLower(text), strings.ToLower(v)) {
						t.Errorf("a secret reached %q", text)
					}
				}
			}
		})
	}
	// Text without a secret is still shown.
	e := verified(t)
	e.front(map[string]http.HandlerFunc{refreshPath: func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusExpectationFailed)
		_, _ = w.Write([]byte(`{"error_code":"INVALID_PARAMETER","message":"region mismatch"}`))
	}})
	if h, _ := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{Force: true}); !strings.Contains(h.Reason, "region mismatch") {
		t.Errorf("harmless text was withheld: %v", h)
	}
}

func TestForbiddenWithoutWebullErrorIsNotABadKey(t *testing.T) {
	html := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("<html><body>Access denied by corporate proxy</body></html>"))
	}
	for _, path := range []string{checkPath, refreshPath} {
		t.Run(path, func(t *testing.T) {
			e := verified(t)
			tok := e.token()
			e.front(map[string]http.HandlerFunc{path: html})
			h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{Force: true})
			if h.State != auth.Unknown || err == nil || !strings.Contains(h.Reason, "without its usual error") ||
				!strings.Contains(h.Reason, "proxy or firewall") {
				t.Errorf("HTML 403: %v / %v, want Unknown naming a proxy", h, err)
			}
			var ue *auth.UserError
			if errors.As(err, &ue) {
				t.Errorf("HTML 403 asked the user to act: %v", err)
			}
			if e.token() != tok || e.c.TokenStatus != StatusNormal {
				t.Error("an HTML 403 changed the stored token")
			}
			e.c.Health = h
			if a := e.p.Assess(e.c, e.clock.Now()); a.State == auth.Broken {
				t.Errorf("Assess after an HTML 403 sticks at %v", a)
			}
		})
	}
	// Webull's own 403 with its error JSON still means the key.
	e := verified(t)
	e.front(map[string]http.HandlerFunc{checkPath: func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error_code":"UNAUTHORIZED","message":"app key disabled"}`))
	}})
	if h, _ := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{}); h.State != auth.Broken {
		t.Errorf("Webull's 403 UNAUTHORIZED: %v, want Broken", h)
	}
}
