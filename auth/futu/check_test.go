package futu

import (
	"errors"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// oauthEngine is an engine over a fresh store whose Futu OAuth provider
// is p.
func oauthEngine(t *testing.T, st *store.Store, f *oauthFixture, p *OAuthProvider) *engine.Engine {
	t.Helper()
	return engine.NewWithOptions(engine.Options{Store: st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuOAuth: p}, Clock: f.clock})
}

func newOAuthStore(t *testing.T, f *oauthFixture) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), f.mem)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestOAuthAddRegistersAndALoginOnAnotherRedirectRegistersAgain(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	st := newOAuthStore(t, f)
	eng := oauthEngine(t, st, f, f.p)
	c, err := eng.Add(testutil.Context(t, 10*time.Second), auth.Credential{Name: "o", Kind: auth.KindFutuOAuth, Endpoint: f.base}, nil)
	if err != nil {
		t.Fatalf("add: %v", err)
	}
	if c.ClientID == "" || c.RedirectURL != f.p.RedirectURL() {
		t.Fatalf("added with client %q for %q, want a registered client for %q", c.ClientID, c.RedirectURL, f.p.RedirectURL())
	}
	if c.Health.State != auth.ActionNeeded || c.Health.Next != auth.Next(auth.ActionLogin, "o") {
		t.Errorf("added with %v (next %v), want a login next", c.Health, c.Health.Next)
	}
	if v, err := st.Bind(c.ID).Get(auth.FieldRegistrationToken); err != nil || v == "" {
		t.Errorf("the registration token was not stored: %q, %v", v, err)
	}

	// A login on the redirect URI it was registered for keeps the client.
	if _, err := eng.Login(testutil.Context(t, 10*time.Second), "o", auth.LoginOptions{}, nil); err != nil {
		t.Fatalf("login: %v", err)
	}
	if got, _ := st.Get("o"); got.ClientID != c.ClientID {
		t.Errorf("a login on the same redirect URI registered again (%q, was %q)", got.ClientID, c.ClientID)
	}

	// A login on another redirect URI registers for it, and succeeds.
	other := NewOAuthProvider(Options{Clock: f.clock, Browser: futusimtest.Browser{Approve: true}, RedirectURL: redirectFor(testutil.FreePort(t)), SDKTokenDir: f.sdkDir, Getenv: noEnv})
	h, err := oauthEngine(t, st, f, other).Login(testutil.Context(t, 10*time.Second), "o", auth.LoginOptions{}, nil)
	if err != nil || h.State != auth.OK {
		t.Fatalf("login on another redirect URI: %v, %v", h, err)
	}
	got, _ := st.Get("o")
	if got.ClientID == c.ClientID || got.RedirectURL != other.RedirectURL() {
		t.Errorf("after a login on %q: client %q for %q, want a new client for it", other.RedirectURL(), got.ClientID, got.RedirectURL)
	}
}

func TestOAuthAddWhoseRegistrationFailsStoresNothing(t *testing.T) {
	for _, tc := range []struct {
		rule fault.Rule
		user bool
	}{{fault.Rule{Status: 400}, true}, {fault.Rule{Reset: true}, false}, {fault.Rule{Status: 503}, false}} {
		f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
		f.sim.Faults().Set("/oauth2/register", tc.rule)
		st := newOAuthStore(t, f)
		_, err := oauthEngine(t, st, f, f.p).Add(testutil.Context(t, 10*time.Second), auth.Credential{Name: "o", Kind: auth.KindFutuOAuth, Endpoint: f.base}, nil)
		var ue *auth.UserError
		field, _ := auth.FieldOf(err)
		switch {
		case err == nil:
			t.Errorf("%+v: the add succeeded", tc.rule)
		case tc.user && (!errors.As(err, &ue) || field != "endpoint"):
			t.Errorf("%+v: %v (field %q), want the user's to fix in the endpoint", tc.rule, err, field)
		case !tc.user && (errors.As(err, &ue) || !msg.Of(err).Is("engine.not_added_unchecked")):
			t.Errorf("%+v: %v, want a failure to ask Futu that is not the user's", tc.rule, err)
		}
		if said := msg.Of(err); err != nil && (said.Arg("Name") != "o" || !said.Is("engine.not_added_unchecked") && !said.Is("engine.not_added_because")) {
			t.Errorf("%+v: %q should say o was not added", tc.rule, err)
		}
		if cs, _ := st.List(); len(cs) != 0 {
			t.Errorf("%+v: a failed registration stored %d credentials", tc.rule, len(cs))
		}
		if v := f.mem.Values(); len(v) != 0 {
			t.Errorf("%+v: a failed registration left %d secrets", tc.rule, len(v))
		}
	}
}
