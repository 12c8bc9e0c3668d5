package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

func TestLoginSavesPendingWhileWaiting(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", time.Time{})
	var seen auth.State
	f.p.LoginFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
		progress(auth.LoginEvent{Health: auth.Health{State: auth.Pending, Reason: "enter the SMS code", Deadline: t0.Add(5 * time.Minute)}})
		// What another process sees while the user verifies.
		other, err := store.Open(f.dir, f.secrets)
		if err != nil {
			return auth.Health{}, err
		}
		got, _ := other.Get("main")
		seen = got.Health.State
		if err := s.Set(auth.FieldAccessToken, "test-token-login"); err != nil {
			return auth.Health{}, err
		}
		c.ExpiresAt = t0.Add(15 * 24 * time.Hour)
		return auth.Health{State: auth.OK, Reason: "verified", ExpiresAt: c.ExpiresAt}, nil
	}
	var events int
	h, err := f.eng.Login(testutil.Context(t, 20*time.Second), "main", auth.LoginOptions{}, func(auth.LoginEvent) { events++ })
	if err != nil || h.State != auth.OK {
		t.Fatalf("login %v err %v", h, err)
	}
	if seen != auth.Pending || events != 1 {
		t.Fatalf("during the login others saw %v (events %d), want Pending", seen, events)
	}
	tok, err := f.eng.Token(testutil.Context(t, 20*time.Second), "main")
	if err != nil || tok != "test-token-login" {
		t.Fatalf("token after login %q err %v", tok, err)
	}
}

func TestLoginRefusedByUserIsUserError(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", time.Time{})
	f.p.LoginFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
		return auth.Health{State: auth.ActionNeeded, Reason: "the verification ran out of time; run the login again"}, nil
	}
	_, err := f.eng.Login(testutil.Context(t, 20*time.Second), "main", auth.LoginOptions{}, nil)
	var ue *auth.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("err %v, want a UserError", err)
	}
}

func TestLoginUnsupportedKind(t *testing.T) {
	f := newFixture(t)
	plain := testutil.Plain(testutil.NewFakeProvider(auth.KindFutuKey, f.clock))
	eng := engine.New(f.st, map[auth.Kind]auth.Provider{auth.KindFutuKey: plain}, f.clock)
	f.add(t, "main", time.Time{})
	if _, err := eng.Login(testutil.Context(t, 20*time.Second), "main", auth.LoginOptions{}, nil); err == nil {
		t.Fatal("login of a kind without one succeeded")
	}
	if _, err := eng.Extend(testutil.Context(t, 20*time.Second), "main", t0.Add(24*time.Hour)); err == nil {
		t.Fatal("extend of a kind without it succeeded")
	}
}

func TestLogoutRevokesDeletesTokensAndKeepsTheCredential(t *testing.T) {
	f := newFixture(t)
	oauth := testutil.NewFakeProvider(auth.KindFutuOAuth, f.clock)
	oauth.RevokeErr = errors.New("futu revoke: connection refused")
	eng := engine.New(f.st, map[auth.Kind]auth.Provider{auth.KindFutuOAuth: oauth, auth.KindFutuKey: f.p}, f.clock)
	c, err := eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "login", Kind: auth.KindFutuOAuth, ClientID: "test-client-0001"}, map[string]string{
		auth.FieldAccessToken:       "test-access-0001",
		auth.FieldRefreshToken:      "test-refresh-0001",
		auth.FieldRegistrationToken: "test-registration-0001",
	})
	if err != nil {
		t.Fatal(err)
	}
	c.ExpiresAt = t0.Add(2 * time.Hour)
	if err := f.st.Update(c); err != nil {
		t.Fatal(err)
	}
	if tok, err := eng.Token(testutil.Context(t, 20*time.Second), "login"); err != nil || tok != "test-access-0001" {
		t.Fatalf("token before logout %q, %v", tok, err)
	}

	revokeErr, err := eng.Logout(testutil.Context(t, 20*time.Second), "login")
	if err != nil {
		t.Fatal(err)
	}
	if revokeErr == nil || oauth.Revoked() != 1 {
		t.Fatalf("revoke called %d times, reported %v; want one failed attempt reported", oauth.Revoked(), revokeErr)
	}
	for _, fld := range []string{auth.FieldAccessToken, auth.FieldRefreshToken} {
		if _, err := f.secrets.Get(c.ID, fld); !errors.Is(err, auth.ErrSecretNotFound) {
			t.Errorf("%s still in the keychain after logout: %v", fld, err)
		}
	}
	if v, err := f.secrets.Get(c.ID, auth.FieldRegistrationToken); err != nil || v != "test-registration-0001" {
		t.Errorf("the client registration was not kept: %q, %v", v, err)
	}
	got, err := f.st.Get("login")
	if err != nil {
		t.Fatalf("the credential is gone after logout: %v", err)
	}
	if got.ClientID != "test-client-0001" || !got.ExpiresAt.IsZero() {
		t.Errorf("after logout client %q expiry %v, want the client kept and no expiry", got.ClientID, got.ExpiresAt)
	}
	ss, _ := eng.Status()
	if ss[0].Health.State != auth.ActionNeeded || ss[0].Health.Next != auth.Next(auth.ActionLogin, "login") {
		t.Errorf("status after logout %v (next %v), want Action needed with the login as next action", ss[0].Health, ss[0].Health.Next)
	}
	// The person asked for it: the agent is told not to announce it.
	if !ss[0].Health.Asked {
		t.Errorf("the logout's state is not marked as asked for: %+v", ss[0].Health)
	}
}

func TestLogoutRefusesAnAPIKey(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "key", t0.Add(30*24*time.Hour))
	_, err := f.eng.Logout(testutil.Context(t, 20*time.Second), "key")
	if m := said(err); err == nil || !m.Is("engine.logout_key") || m.Arg("Name") != "key" {
		t.Fatalf("logout of an API key: %v, want a refusal pointing to the portal", err)
	}
	if f.p.Revoked() != 0 {
		t.Fatal("logout of an API key asked the broker to revoke it")
	}
	if v, err := f.secrets.Get(c.ID, auth.FieldAccessToken); err != nil || v != "test-token-old" {
		t.Fatalf("the API key's token was touched: %q, %v", v, err)
	}
	if _, err := f.eng.Logout(testutil.Context(t, 20*time.Second), "nosuch"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("logout of an unknown name: %v", err)
	}
}

// loginInProgress starts a login of "main" that waits for the user (its
// health Pending) until finish is called; the engine it returns gives up
// on a busy credential after 50 ms.
func loginInProgress(t *testing.T) (f *fixture, eng *engine.Engine, finish func()) {
	t.Helper()
	f = newFixture(t)
	f.add(t, "main", time.Time{})
	eng = engine.NewWithWaits(engine.Options{Store: f.st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuKey: f.p}, Clock: f.clock}, engine.Waits{Busy: 50 * time.Millisecond})
	waiting := make(chan struct{})
	release := make(chan struct{})
	f.p.LoginFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
		progress(auth.LoginEvent{Health: auth.Health{State: auth.Pending, Reason: "enter the SMS code in the Webull app", Deadline: t0.Add(5 * time.Minute)}})
		close(waiting)
		<-release
		return auth.Health{State: auth.OK}, nil
	}
	done := make(chan error, 1)
	go func() {
		_, err := eng.Login(testutil.Context(t, 20*time.Second), "main", auth.LoginOptions{}, nil)
		done <- err
	}()
	<-waiting
	return f, eng, func() {
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
