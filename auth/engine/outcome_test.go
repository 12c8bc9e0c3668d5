package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

var errLocked = errors.New("the keychain is locked: unlock it and try again")

// A broker whose tokens live 10 s: renewed a moment ago (inside the 30 s
// grace) and already expired, the token is renewed, not handed out and
// not refused as if the broker could not be reached.
func TestATokenExpiredInsideTheGraceIsRenewed(t *testing.T) {
	f := newFixture(t)
	f.p.Life = 10 * time.Second
	f.add(t, "main", t0.Add(time.Minute))
	if tok, err := f.eng.Token(testutil.Context(t, 20*time.Second), "main"); err != nil || tok != "test-token-0001" {
		t.Fatalf("first token %q, %v", tok, err)
	}
	f.clock.Advance(15 * time.Second)
	tok, err := f.eng.Token(testutil.Context(t, 20*time.Second), "main")
	if err != nil || tok != "test-token-0002" {
		t.Fatalf("token 15 s after a 10 s token was renewed: %q, %v; want a renewal", tok, err)
	}
}

func TestTokenErrorsCarryTheirNextAction(t *testing.T) {
	f := newFixture(t)
	webull := testutil.NewFakeProvider(auth.KindWebull, f.clock)
	eng := engine.New(f.st, map[auth.Kind]auth.Provider{auth.KindFutuKey: f.p, auth.KindWebull: webull}, f.clock)
	c, err := eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "wb", Kind: auth.KindWebull}, map[string]string{auth.FieldAppKey: "test-app-key-0003"})
	if err != nil {
		t.Fatal(err)
	}
	c.ExpiresAt = t0.Add(10 * 24 * time.Hour)
	c.Health = auth.Health{State: auth.OK, CheckedAt: t0}
	if err := f.st.Update(c); err != nil {
		t.Fatal(err)
	}
	_, err = eng.Token(testutil.Context(t, 20*time.Second), "wb")
	var ue *auth.UserError
	if !errors.As(err, &ue) || ue.Action != auth.Next(auth.ActionVerify, "wb") || strings.Contains(err.Error(), "tokentray") {
		t.Fatalf("token of a Webull app without one: %v (action %v), want a sentence with verify as its action", err, actionOf(err))
	}

	f.add(t, "key", t0.Add(2*time.Minute))
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		return auth.Health{State: auth.Unknown, Reason: "Futu did not answer"}, errors.New("futu check: connection refused")
	}
	f.clock.Advance(3 * time.Minute)
	_, err = eng.Token(testutil.Context(t, 20*time.Second), "key")
	if errors.As(err, &ue) || actionOf(err) != auth.Next(auth.ActionRetry, "key") {
		t.Fatalf("expired token with the broker down: %v, want a retry that is not the user's", err)
	}
	if ss, _ := eng.Status(); ss[0].Health.Next.IsZero() && ss[0].Health.State != auth.OK {
		t.Fatalf("status %v carries no next action", ss[0].Health)
	}
}

func TestLoginChecksTheKeychainBeforeItStarts(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", time.Time{})
	started := false
	f.p.LoginFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
		started = true
		return auth.Health{State: auth.OK}, nil
	}
	f.secrets.Fail = errLocked
	_, err := f.eng.Login(testutil.Context(t, 20*time.Second), "main", auth.LoginOptions{}, nil)
	f.secrets.Fail = nil
	if m := said(err); started || err == nil || !m.Is("engine.login_keychain") || !errors.Is(err, errLocked) {
		t.Fatalf("login with a locked keychain: started %v, err %v; want nothing started and the keychain named", started, err)
	}
}

func TestALoginTheKeychainRefusesIsRevoked(t *testing.T) {
	f := newFixture(t)
	oauth := testutil.NewFakeProvider(auth.KindFutuOAuth, f.clock)
	eng := engine.New(f.st, map[auth.Kind]auth.Provider{auth.KindFutuOAuth: oauth}, f.clock)
	if _, err := eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "login", Kind: auth.KindFutuOAuth}, nil); err != nil {
		t.Fatal(err)
	}
	oauth.LoginFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
		f.secrets.Fail = errLocked // locked while the person was in the browser
		if err := s.Set(auth.FieldRefreshToken, "test-refresh-issued"); err != nil {
			return auth.Health{State: auth.Unknown}, err
		}
		return auth.Health{State: auth.OK}, nil
	}
	_, err := eng.Login(testutil.Context(t, 20*time.Second), "login", auth.LoginOptions{}, nil)
	f.secrets.Fail = nil
	if err == nil || !said(err).Is("engine.login_unstored_revoked") || !param(said(err), "Broker").Is("brand.futu") {
		t.Fatalf("login that could not be stored: %v, want it to say the tokens were revoked", err)
	}
	if got := oauth.RevokedWith(); len(got) != 1 || !strings.Contains(got[0], "test-refresh-issued") {
		t.Fatalf("revoked %q, want the issued refresh token revoked once", got)
	}
	if strings.Contains(err.Error(), "test-refresh-issued") {
		t.Fatal("the error shows the token")
	}
}

func TestLoginProgressIsStoredAtOnceWithWhatTheLoginLearned(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", time.Time{})
	deadline := t0.Add(5 * time.Minute)
	f.p.LoginFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
		c.TokenStatus = "PENDING"
		progress(auth.LoginEvent{Health: auth.Health{State: auth.Pending, Reason: "confirm the code in the Webull app", Deadline: deadline}})
		other, err := store.Open(f.dir, f.secrets)
		if err != nil {
			return auth.Health{}, err
		}
		got, _ := other.Get("main")
		if got.Health.State != auth.Pending || !got.Health.Deadline.Equal(deadline) || got.TokenStatus != "PENDING" {
			t.Errorf("while waiting another process sees %v deadline %v status %q, want Pending with its deadline", got.Health, got.Health.Deadline, got.TokenStatus)
		}
		return auth.Health{State: auth.ActionNeeded, Reason: "the verification ran out of time"}, nil
	}
	_, _ = f.eng.Login(testutil.Context(t, 20*time.Second), "main", auth.LoginOptions{}, nil)
}

func TestLogoutWithTheKeychainUnavailableDoesNothing(t *testing.T) {
	f := newFixture(t)
	oauth, eng, c := oauthLogin(t, f)
	f.secrets.Fail = errLocked
	revokeErr, err := eng.Logout(testutil.Context(t, 20*time.Second), "login")
	f.secrets.Fail = nil
	if err == nil || !said(err).Is("engine.logout_keychain") || revokeErr != nil {
		t.Fatalf("logout with a locked keychain: %v / %v", err, revokeErr)
	}
	if oauth.Revoked() != 0 {
		t.Fatal("the broker was asked to revoke although nothing could be deleted")
	}
	if v, _ := f.secrets.Get(c.ID, auth.FieldRefreshToken); v != "test-refresh-0001" {
		t.Fatal("the refresh token went")
	}
	if got, _ := f.st.Get("login"); got.Health.State == auth.ActionNeeded {
		t.Fatalf("the credential is marked logged out: %v", got.Health)
	}
	if _, err := eng.Remove(testutil.Context(t, 20*time.Second), "login"); err != nil {
		t.Fatal(err)
	}
}

func TestLogoutAgainstAHungBrokerSaysNothingWasRevoked(t *testing.T) {
	f := newFixture(t)
	oauth, _, _ := oauthLogin(t, f)
	oauth.RevokeHangs = true
	eng := engine.NewWithWaits(engine.Options{Store: f.st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuOAuth: oauth}, Clock: f.clock}, engine.Waits{Revoke: 50 * time.Millisecond})
	revokeErr, err := eng.Logout(testutil.Context(t, 20*time.Second), "login")
	if err != nil {
		t.Fatal(err)
	}
	if revokeErr == nil || !said(revokeErr).Is("engine.revoke_timeout") {
		t.Fatalf("revoke against a hung broker: %v, want it to say nothing was revoked", revokeErr)
	}
}

// failingDelete is a keychain that cannot delete one field.
type failingDelete struct {
	*testutil.MemorySecrets
	field string
}

func (f failingDelete) Delete(id, field string) error {
	if field == f.field {
		return errors.New("the keychain refused to delete the item")
	}
	return f.MemorySecrets.Delete(id, field)
}

func TestLogoutNamesWhatWasAndWasNotDeleted(t *testing.T) {
	f := newFixture(t)
	_, _, c := oauthLogin(t, f)
	st, err := store.Open(f.dir, failingDelete{f.secrets, auth.FieldRefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	oauth := testutil.NewFakeProvider(auth.KindFutuOAuth, f.clock)
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuOAuth: oauth}, f.clock)
	_, err = eng.Logout(testutil.Context(t, 20*time.Second), "login")
	m := said(err)
	if err == nil || !m.Is("engine.logout_partial_err") || m.Arg("Fields") != "refresh token" || !param(m, "Done").Is("engine.deleted_fields") || param(m, "Done").Arg("Fields") != "access token" {
		t.Fatalf("partial logout: %v (%v)", err, m)
	}
	if _, err := f.secrets.Get(c.ID, auth.FieldAccessToken); !errors.Is(err, auth.ErrSecretNotFound) {
		t.Fatal("the access token is still there")
	}
}

func TestRemoveWithTheKeychainUnavailableKeepsEverything(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(time.Hour))
	f.secrets.Fail = errLocked
	_, err := f.eng.Remove(testutil.Context(t, 20*time.Second), "main")
	f.secrets.Fail = nil
	if err == nil || !said(err).Is("engine.remove_keychain") {
		t.Fatalf("remove with a locked keychain: %v", err)
	}
	if _, err := f.st.Get("main"); err != nil || f.p.Revoked() != 0 {
		t.Fatalf("the credential went (%v) or was revoked (%d)", err, f.p.Revoked())
	}
}

// oauthLogin stores a logged-in Futu OAuth credential "login".
func oauthLogin(t *testing.T, f *fixture) (*testutil.FakeProvider, *engine.Engine, auth.Credential) {
	t.Helper()
	oauth := testutil.NewFakeProvider(auth.KindFutuOAuth, f.clock)
	eng := engine.New(f.st, map[auth.Kind]auth.Provider{auth.KindFutuOAuth: oauth}, f.clock)
	c, err := eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "login", Kind: auth.KindFutuOAuth, ClientID: "test-client-0001"}, map[string]string{
		auth.FieldAccessToken:  "test-access-0001",
		auth.FieldRefreshToken: "test-refresh-0001",
	})
	if err != nil {
		t.Fatal(err)
	}
	return oauth, eng, c
}

func actionOf(err error) auth.Action {
	a, _ := auth.ActionOf(err)
	return a
}
