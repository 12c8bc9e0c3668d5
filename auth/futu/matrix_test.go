package futu

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/testutil"
)

// A broker fault, as the matrix injects it.
type brokerFault struct {
	name     string
	rule     fault.Rule
	truncate bool // the answer is cut in the middle of its JSON
}

var networkFaults = []brokerFault{
	{name: "latency past the timeout", rule: fault.Rule{Latency: time.Hour}},
	{name: "500", rule: fault.Rule{Status: 500}},
	{name: "503", rule: fault.Rule{Status: 503}},
	{name: "429", rule: fault.Rule{Status: 429}},
	{name: "malformed JSON", rule: fault.Rule{Malformed: true}},
	{name: "truncated JSON", truncate: true},
	{name: "reset", rule: fault.Rule{Reset: true}},
}

// truncating cuts every answer to path in half while on is set.
func truncating(h http.Handler, path string, on *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !on.Load() || r.URL.Path != path {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		b := rec.Body.Bytes()
		_, _ = w.Write(b[:len(b)/2])
	})
}

// matrixEnv is a sandbox Futu behind a truncating proxy, with a client
// whose timeout is short so "latency past the timeout" takes no time.
type matrixEnv struct {
	clock *clockwork.FakeClock
	sim   *futusim.Server
	base  string
	trunc atomic.Bool
	path  string
	http  *http.Client
}

func newMatrixEnv(t *testing.T, path string, o futusim.Options) *matrixEnv {
	m := &matrixEnv{clock: clockwork.NewFakeClockAt(t0), path: path}
	o.Clock = m.clock
	m.sim = futusim.New(o)
	hs := httptest.NewServer(truncating(m.sim.Handler(), path, &m.trunc))
	t.Cleanup(hs.Close)
	m.sim.SetBaseURL(hs.URL)
	m.base = hs.URL
	t.Cleanup(m.clear) // before hs.Close: cleanups run last first
	m.http = &http.Client{Timeout: 300 * time.Millisecond}
	return m
}

func (m *matrixEnv) inject(f brokerFault) {
	m.sim.Faults().Set(m.path, f.rule)
	m.trunc.Store(f.truncate)
}

// clear removes the fault, and lets an answer held back by latency go
// (the injector waits on the fake clock), so the server can close.
func (m *matrixEnv) clear() {
	m.sim.Faults().Clear()
	m.trunc.Store(false)
	m.clock.Advance(time.Hour)
}

func snapshot(mem *testutil.MemorySecrets) []string { return mem.Values() }

// checkOutcome is what every fault must leave: no secret in the
// sentence, the secrets as they were unless the broker's own answer
// changed them, and never Broken for a fault of the network.
func checkOutcome(t *testing.T, what string, mem *testutil.MemorySecrets, before []string, h auth.Health, err error, want auth.State) {
	t.Helper()
	assertNoSecrets(t, mem, h.Reason, errString(err))
	if h.State != want {
		t.Errorf("%s: %v (%v), want %v", what, h, err, want)
	}
	if want == auth.Unknown && !slices.Equal(before, snapshot(mem)) {
		t.Errorf("%s: the secrets changed", what)
	}
	if h.Reason == "" {
		t.Errorf("%s: no sentence", what)
	}
	t.Logf("%-45s %-13v %s", what, h.State, h.Reason)
}

func TestFaultMatrixOAuthRefresh(t *testing.T) {
	m := newMatrixEnv(t, "/oauth2/token", futusim.Options{})
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	f.sim, f.base, f.clock = m.sim, m.base, m.clock
	f.p = NewOAuthProvider(Options{Clock: m.clock, HTTP: m.http, Browser: futusimtest.Browser{Approve: true},
		RedirectURL: f.p.RedirectURL(), SDKTokenDir: f.sdkDir, Getenv: noEnv})
	f.c.Endpoint = m.base
	if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, flt := range networkFaults {
		m.inject(flt)
		before := snapshot(f.mem)
		h, err := f.refresh(t, true)
		m.clear()
		checkOutcome(t, "refresh / "+flt.name, f.mem, before, h, err, auth.Unknown)
		if h, err := f.refresh(t, true); err != nil || h.State != auth.OK {
			t.Fatalf("refresh after %s: %v %v", flt.name, h, err)
		}
	}
	// Rotated away: another holder of the refresh token used it first.
	m.sim.SetRotateRefresh(true)
	rt := f.get(auth.FieldRefreshToken)
	other := f.c
	otherMem := testutil.NewMemorySecrets()
	_ = otherMem.Set(f.c.ID, auth.FieldRefreshToken, rt)
	if _, err := f.p.Refresh(testutil.Context(t, 10*time.Second), &other, auth.Bind(otherMem, f.c.ID), auth.RefreshOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(f.mem)
	h, err := f.refresh(t, true)
	checkOutcome(t, "refresh / rotated-away refresh token", f.mem, before, h, err, auth.ActionNeeded)
	if f.get(auth.FieldRefreshToken) != rt {
		t.Error("the refused refresh token was deleted")
	}
	// Revoked in the portal.
	f.sim.RevokeRefreshTokens(f.c.ClientID)
	h, err = f.refresh(t, true)
	checkOutcome(t, "refresh / revoked", f.mem, before, h, err, auth.ActionNeeded)
}

func TestFaultMatrixOAuthLogin(t *testing.T) {
	for _, path := range []string{"/oauth2/register", "/oauth2/authorize", "/oauth2/token"} {
		for _, flt := range networkFaults {
			m := newMatrixEnv(t, path, futusim.Options{})
			f := newOAuthFixture(t, nil, futusim.Options{})
			f.sim, f.base = m.sim, m.base
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			// The browser shows whatever the authorize page answered; the
			// person then gives up on the login.
			b := browserFunc(func(u string) error {
				err := futusimtest.Browser{Approve: true, Client: m.http}.Open(u)
				if err != nil {
					cancel()
				}
				return err
			})
			f.p = NewOAuthProvider(Options{Clock: m.clock, HTTP: m.http, Browser: b,
				RedirectURL: f.p.RedirectURL(), SDKTokenDir: f.sdkDir, Getenv: noEnv})
			f.c.Endpoint = m.base
			m.inject(flt)
			h, err := f.p.Login(ctx, &f.c, f.s, auth.LoginOptions{}, nil)
			cancel()
			assertNoSecrets(t, f.mem, h.Reason, errString(err))
			what := "login " + path + " / " + flt.name
			if err == nil || h.State == auth.OK || h.State == auth.Broken {
				t.Errorf("%s: %v %v", what, h, err)
			}
			if v, _ := f.s.Get(auth.FieldAccessToken); v != "" {
				t.Errorf("%s: an access token was stored", what)
			}
			if a, ok := auth.ActionOf(err); path == "/oauth2/token" && (!ok || a.Kind != auth.ActionLogin) {
				t.Errorf("%s: next action %v, want a new login (the code is spent)", what, a)
			}
			if strings.Contains(errString(err), "http://") {
				t.Errorf("%s: the error shows a URL: %v", what, err)
			}
			assertPortFree(t, f.p.RedirectURL())
			t.Logf("%-45s %-13v %s", what, h.State, errString(err))
		}
	}
}

func TestFaultMatrixKeyCheckAndExtend(t *testing.T) {
	for _, path := range []string{VerifyPath, DefaultRefreshPath} {
		faults := append(slices.Clone(networkFaults), brokerFault{name: "skew"}, brokerFault{name: "revoked"})
		for _, flt := range faults {
			m := newMatrixEnv(t, path, futusim.Options{})
			k := newKeyFixture(t, t0.Add(60*24*time.Hour))
			k.sim, k.base = m.sim, m.base
			k.appKey, k.secret, k.token = m.sim.AddAPIKey(k.expires)
			k.mem = testutil.NewMemorySecrets()
			k.s = auth.Bind(k.mem, k.c.ID)
			for f, v := range map[string]string{auth.FieldAppKey: k.appKey, auth.FieldAppSecret: k.secret, auth.FieldAccessToken: k.token} {
				_ = k.s.Set(f, v)
			}
			k.p = NewKeyProvider(Options{Clock: m.clock, HTTP: m.http, Getenv: noEnv})
			k.c.Endpoint = m.base
			want := auth.Unknown
			switch flt.name {
			case "skew":
				m.sim.SetSkew(90 * time.Second)
				want = auth.OK
			case "revoked":
				m.sim.RevokeAPIKey(k.appKey)
				want = auth.Broken
			default:
				m.inject(flt)
			}
			// An extension whose answer is cut after Futu made it: the new
			// token is lost and Futu refuses the stored one, which the
			// sentence must say.
			lost := path == DefaultRefreshPath && flt.truncate
			if lost {
				want = auth.Broken
			}
			before := snapshot(k.mem)
			var h auth.Health
			var err error
			what := "key check / " + flt.name
			if path == DefaultRefreshPath {
				what = "key extend / " + flt.name
				h, err = k.p.Extend(testutil.Context(t, 10*time.Second), &k.c, k.s, t0.Add(365*24*time.Hour))
			} else {
				h, err = k.refresh(t)
			}
			checkOutcome(t, what, k.mem, before, h, err, want)
			if want == auth.Unknown && bytes.Contains([]byte(h.Reason), []byte("expired")) {
				t.Errorf("%s: a fault reads as an expired key: %s", what, h.Reason)
			}
			if lost && !h.Why.Is("futu.extension_lost") {
				t.Errorf("%s: %s", what, h.Reason)
			}
			if want == auth.Broken && !lost && !strings.Contains(h.Reason, "revoked") {
				t.Errorf("%s: %s", what, h.Reason)
			}
		}
	}
}
