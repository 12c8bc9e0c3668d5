package engine_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type fixture struct {
	dir     string
	secrets *auth.MemorySecrets
	st      *store.Store
	clock   *clockwork.FakeClock
	p       *testutil.FakeProvider
	eng     *engine.Engine
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), secrets: auth.NewMemorySecrets(), clock: clockwork.NewFakeClockAt(t0)}
	var err error
	if f.st, err = store.Open(f.dir, f.secrets); err != nil {
		t.Fatal(err)
	}
	f.p = testutil.NewFakeProvider(auth.KindFutuKey, f.clock)
	f.eng = engine.New(f.st, map[auth.Kind]auth.Provider{auth.KindFutuKey: f.p}, f.clock)
	return f
}

// add stores a credential whose token expires at exp.
func (f *fixture) add(t *testing.T, name string, exp time.Time) auth.Credential {
	t.Helper()
	c, err := f.eng.Add(context.Background(), auth.Credential{Name: name, Kind: auth.KindFutuKey}, map[string]string{
		auth.FieldAccessToken: "test-token-old",
		auth.FieldAppSecret:   "test-app-secret-0001",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !exp.IsZero() {
		c.ExpiresAt = exp
		c.Health = f.p.Assess(c, f.clock.Now())
		c.LastChecked = f.clock.Now()
		if err := f.st.Update(c); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func ctxT(t *testing.T) context.Context { return testutil.Context(t, 20*time.Second) }

func TestTokenNotDueIsHandedOutWithoutCallingTheBroker(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(time.Hour))
	tok, err := f.eng.Token(ctxT(t), "main")
	if err != nil {
		t.Fatal(err)
	}
	if tok != "test-token-old" || f.p.Refreshes() != 0 {
		t.Fatalf("token %q after %d refreshes, want the stored one and no refresh", tok, f.p.Refreshes())
	}
}

func TestTokenInsideLeadTimeIsRenewedFirstAndSaved(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(4*time.Minute)) // inside the 5-minute default lead
	tok, err := f.eng.Token(ctxT(t), "main")
	if err != nil {
		t.Fatal(err)
	}
	if tok != "test-token-0001" {
		t.Fatalf("token %q, want the renewed one", tok)
	}
	// A new engine (another process) sees the renewal on disk.
	st2, err := store.Open(f.dir, f.secrets)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st2.Get("main")
	if err != nil {
		t.Fatal(err)
	}
	if !c.ExpiresAt.Equal(t0.Add(2*time.Hour)) || c.Health.State != auth.OK || c.LastChecked.IsZero() {
		t.Fatalf("stored after renewal: expires %v health %v checked %v", c.ExpiresAt, c.Health, c.LastChecked)
	}
	// Fresh now: the next call does not renew again.
	if _, err := f.eng.Token(ctxT(t), "main"); err != nil || f.p.Refreshes() != 1 {
		t.Fatalf("second token: err %v, refreshes %d, want 1", err, f.p.Refreshes())
	}
}

func TestLeadTimeComesFromPrefs(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(20*time.Minute))
	p, err := f.st.Prefs()
	if err != nil {
		t.Fatal(err)
	}
	p.LeadTime = 30 * time.Minute
	if err := f.st.SetPrefs(p); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Token(ctxT(t), "main"); err != nil {
		t.Fatal(err)
	}
	if f.p.Refreshes() != 1 {
		t.Fatalf("refreshes %d, want 1: 20 minutes left is inside a 30-minute lead", f.p.Refreshes())
	}
}

func TestConcurrentTokenCallsRenewOnce(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(time.Minute))
	toks, errs, _ := tokenBurst(t, f)
	for i := range toks {
		if errs[i] != nil || toks[i] != "test-token-0001" {
			t.Fatalf("caller %d: token %q err %v, want the one renewed token", i, toks[i], errs[i])
		}
	}
	if f.p.Refreshes() != 1 {
		t.Fatalf("%d renewals for %d concurrent token calls, want 1", f.p.Refreshes(), len(toks))
	}
}

func TestRefreshHoldsTheCredentialLock(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "main", t0.Add(time.Hour))
	f.p.Gate = make(chan struct{})
	f.p.Entered = make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		_, err := f.eng.Refresh(ctxT(t), "main", true)
		done <- err
	}()
	<-f.p.Entered
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if unlock, err := f.st.Lock(ctx, c.ID); err == nil {
		unlock()
		t.Fatal("another process could take the credential's lock during a refresh")
	}
	close(f.p.Gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	unlock, err := f.st.Lock(ctxT(t), c.ID)
	if err != nil {
		t.Fatalf("lock not released after the refresh: %v", err)
	}
	unlock()
}

func TestTokenNeedsUserIsAUserErrorAndTheHealthIsSaved(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(time.Minute))
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		h := auth.Health{State: auth.Broken, Reason: "Futu revoked this key: create a new one in the portal."}
		return h, auth.NeedsUser(h.Reason)
	}
	tok, err := f.eng.Token(ctxT(t), "main")
	var ue *auth.UserError
	if tok != "" || !errors.As(err, &ue) {
		t.Fatalf("token %q err %v, want no token and a UserError", tok, err)
	}
	if ue.Msg != "Futu revoked this key: create a new one in the portal." {
		t.Fatalf("message %q does not tell the user what to do", ue.Msg)
	}
	c, _ := f.st.Get("main")
	if c.Health.State != auth.Broken {
		t.Fatalf("stored health %v, want the broker's verdict", c.Health)
	}
	ss, err := f.eng.Status()
	if err != nil || len(ss) != 1 || ss[0].Health.State != auth.Broken {
		t.Fatalf("status %+v err %v, want Broken although the stored expiry is in the future", ss, err)
	}
}

func TestNetworkFailureKeepsTokenAndSecrets(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(3*time.Minute))
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		return auth.Health{State: auth.Unknown, Reason: "Futu did not answer; tokentray will check again"}, errors.New("futu check: connection refused")
	}
	// Due but still valid: the broker being down is no reason to withhold it.
	tok, err := f.eng.Token(ctxT(t), "main")
	if err != nil || tok != "test-token-old" {
		t.Fatalf("token %q err %v, want the stored, still valid token", tok, err)
	}
	c, _ := f.st.Get("main")
	if c.Health.State != auth.Unknown || !c.ExpiresAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("stored %v / %v, want Unknown and the old expiry", c.Health, c.ExpiresAt)
	}
	// Once expired, it is not handed out, and the failure is not the user's.
	f.clock.Advance(4 * time.Minute)
	tok, err = f.eng.Token(ctxT(t), "main")
	var ue *auth.UserError
	if tok != "" || err == nil || errors.As(err, &ue) {
		t.Fatalf("expired token %q err %v, want an error that is not a UserError", tok, err)
	}
	if got, _ := f.secrets.Get(c.ID, auth.FieldAccessToken); got != "test-token-old" {
		t.Fatal("a network failure changed the stored token")
	}
}

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
	h, err := f.eng.Login(ctxT(t), "main", auth.LoginOptions{}, func(auth.LoginEvent) { events++ })
	if err != nil || h.State != auth.OK {
		t.Fatalf("login %v err %v", h, err)
	}
	if seen != auth.Pending || events != 1 {
		t.Fatalf("during the login others saw %v (events %d), want Pending", seen, events)
	}
	tok, err := f.eng.Token(ctxT(t), "main")
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
	_, err := f.eng.Login(ctxT(t), "main", auth.LoginOptions{}, nil)
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
	if _, err := eng.Login(ctxT(t), "main", auth.LoginOptions{}, nil); err == nil {
		t.Fatal("login of a kind without one succeeded")
	}
	if _, err := eng.Extend(ctxT(t), "main", t0.Add(24*time.Hour)); err == nil {
		t.Fatal("extend of a kind without it succeeded")
	}
}

func TestRemoveRevokesBestEffortThenDeletesEverything(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "main", t0.Add(time.Hour))
	f.p.RevokeErr = errors.New("futu revoke: connection refused")
	revokeErr, err := f.eng.Remove(ctxT(t), "main")
	if err != nil {
		t.Fatal(err)
	}
	if revokeErr == nil || f.p.Revoked() != 1 {
		t.Fatalf("revoke called %d times, reported %v; want one failed attempt reported", f.p.Revoked(), revokeErr)
	}
	if _, err := f.st.Get("main"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("credential still stored: %v", err)
	}
	if _, err := f.secrets.Get(c.ID, auth.FieldAccessToken); !errors.Is(err, auth.ErrSecretNotFound) {
		t.Fatalf("secret still in the keychain: %v", err)
	}
}

func TestAddRefusesDuplicatesAndUnknownKinds(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", time.Time{})
	if _, err := f.eng.Add(ctxT(t), auth.Credential{Name: "main", Kind: auth.KindFutuKey}, nil); err == nil {
		t.Fatal("a second credential called main was added")
	}
	if _, err := f.eng.Add(ctxT(t), auth.Credential{Name: "other", Kind: auth.KindWebull}, nil); err == nil {
		t.Fatal("a credential of a kind without provider was added")
	}
	if _, err := f.eng.Add(ctxT(t), auth.Credential{Name: "bad name", Kind: auth.KindFutuKey}, nil); err == nil {
		t.Fatal("a credential with a space in its name was added")
	}
}

func TestStatusReportsTimeLeftAndOrder(t *testing.T) {
	f := newFixture(t)
	f.add(t, "zeta", t0.Add(90*time.Minute))
	f.add(t, "alpha", t0.Add(-time.Minute))
	ss, err := f.eng.Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].Name != "alpha" || ss[1].Name != "zeta" {
		t.Fatalf("status %+v, want alpha then zeta", ss)
	}
	if ss[0].Health.State != auth.Broken || ss[0].SecondsLeft != 0 {
		t.Fatalf("expired credential: %+v", ss[0])
	}
	if ss[1].SecondsLeft != 90*60 || ss[1].Broker != "Futu" {
		t.Fatalf("valid credential: %+v", ss[1])
	}
}

func TestTokenDuringALoginSaysTheUserMustActWithoutWaitingForIt(t *testing.T) {
	_, eng, finish := loginInProgress(t)
	_, err := eng.Token(ctxT(t), "main")
	var ue *auth.UserError
	if !errors.As(err, &ue) || ue.Msg != "enter the SMS code in the Webull app" {
		t.Fatalf("token during a login: %v, want the pending sentence", err)
	}
	finish()
}

func TestLogoutRevokesDeletesTokensAndKeepsTheCredential(t *testing.T) {
	f := newFixture(t)
	oauth := testutil.NewFakeProvider(auth.KindFutuOAuth, f.clock)
	oauth.RevokeErr = errors.New("futu revoke: connection refused")
	eng := engine.New(f.st, map[auth.Kind]auth.Provider{auth.KindFutuOAuth: oauth, auth.KindFutuKey: f.p}, f.clock)
	c, err := eng.Add(ctxT(t), auth.Credential{Name: "login", Kind: auth.KindFutuOAuth, ClientID: "test-client-0001"}, map[string]string{
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
	if tok, err := eng.Token(ctxT(t), "login"); err != nil || tok != "test-access-0001" {
		t.Fatalf("token before logout %q, %v", tok, err)
	}

	revokeErr, err := eng.Logout(ctxT(t), "login")
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
}

func TestLogoutRefusesAnAPIKey(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "key", t0.Add(30*24*time.Hour))
	_, err := f.eng.Logout(ctxT(t), "key")
	if err == nil || !strings.Contains(err.Error(), "portal") {
		t.Fatalf("logout of an API key: %v, want a refusal pointing to the portal", err)
	}
	if f.p.Revoked() != 0 {
		t.Fatal("logout of an API key asked the broker to revoke it")
	}
	if v, err := f.secrets.Get(c.ID, auth.FieldAccessToken); err != nil || v != "test-token-old" {
		t.Fatalf("the API key's token was touched: %q, %v", v, err)
	}
	if _, err := f.eng.Logout(ctxT(t), "nosuch"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("logout of an unknown name: %v", err)
	}
}

func TestRefreshAndRemoveDuringALoginAnswerBusyInsteadOfWaiting(t *testing.T) {
	f, eng, finish := loginInProgress(t)

	h, err := eng.Refresh(ctxT(t), "main", false)
	if !errors.Is(err, engine.ErrBusy) || h.State != auth.Pending {
		t.Errorf("refresh during a login = %v, %v; want busy with the pending health", h, err)
	}
	if _, err := eng.Remove(ctxT(t), "main"); !errors.Is(err, engine.ErrBusy) || actionOf(err) != auth.Next(auth.ActionRetry, "main") {
		t.Errorf("remove during a login = %v (next %v), want busy, to be tried again", err, actionOf(err))
	}
	if _, err := f.st.Get("main"); err != nil {
		t.Errorf("the credential went although the removal was refused: %v", err)
	}
	finish()
	if _, err := eng.Refresh(ctxT(t), "main", false); err != nil {
		t.Errorf("refresh after the login: %v", err)
	}
}

// A broker whose tokens live less than the lead time (Futu's sandbox
// gives 3 minutes, the lead is 5) must not be asked again by every caller
// that arrives while the new token is fresh, nor by callers that read the
// credential just before it was saved.
func TestShortLivedTokensAreRenewedOncePerBurst(t *testing.T) {
	f := newFixture(t)
	f.p.Life = 3 * time.Minute
	f.add(t, "main", t0.Add(time.Minute))
	toks, errs, eng2 := tokenBurst(t, f)
	// And a caller that reads the credential after it was saved.
	late, lateErr := eng2.Token(ctxT(t), "main")
	for i := range toks {
		if errs[i] != nil || toks[i] != "test-token-0001" {
			t.Fatalf("caller %d: token %q err %v, want the one renewed token", i, toks[i], errs[i])
		}
	}
	if lateErr != nil || late != "test-token-0001" {
		t.Errorf("a caller just after the renewal got %q, %v", late, lateErr)
	}
	if f.p.Refreshes() != 1 {
		t.Fatalf("%d renewals, want 1", f.p.Refreshes())
	}
	// Once the grace has passed a token inside the lead is renewed again.
	f.clock.Advance(time.Minute)
	if tok, err := f.eng.Token(ctxT(t), "main"); err != nil || tok != "test-token-0002" {
		t.Errorf("a minute later: %q, %v; want a renewal", tok, err)
	}
}

// tokenBurst asks for f's "main" token from six goroutines at once, half
// of them through a second engine on the same directory (standing for
// another process: only the store's cross-process lock orders the two),
// holding the first broker call until all have started. It returns the
// tokens and errors, and the second engine.
func tokenBurst(t *testing.T, f *fixture) ([]string, []error, *engine.Engine) {
	t.Helper()
	st2, err := store.Open(f.dir, f.secrets)
	if err != nil {
		t.Fatal(err)
	}
	eng2 := engine.New(st2, map[auth.Kind]auth.Provider{auth.KindFutuKey: f.p}, f.clock)
	f.p.Gate = make(chan struct{})
	f.p.Entered = make(chan struct{}, 16)

	const n = 6
	toks := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := f.eng
			if i%2 == 1 {
				e = eng2
			}
			toks[i], errs[i] = e.Token(ctxT(t), "main")
		}()
	}
	<-f.p.Entered // one caller is inside the broker call, the rest wait for the lock
	close(f.p.Gate)
	wg.Wait()
	return toks, errs, eng2
}

// loginInProgress starts a login of "main" that waits for the user (its
// health Pending) until finish is called; the engine it returns gives up
// on a busy credential after 50 ms.
func loginInProgress(t *testing.T) (f *fixture, eng *engine.Engine, finish func()) {
	t.Helper()
	f = newFixture(t)
	f.add(t, "main", time.Time{})
	eng = engine.NewWithOptions(engine.Options{Store: f.st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuKey: f.p}, Clock: f.clock, BusyWait: 50 * time.Millisecond})
	waiting := make(chan struct{})
	release := make(chan struct{})
	f.p.LoginFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
		progress(auth.LoginEvent{Health: auth.Health{State: auth.Pending, Reason: "enter the SMS code in the Webull app", Deadline: t0.Add(5 * time.Minute)}})
		close(waiting)
		<-release
		return auth.Health{State: auth.OK}, nil
	}
	done := make(chan error, 1)
	go func() { _, err := eng.Login(ctxT(t), "main", auth.LoginOptions{}, nil); done <- err }()
	<-waiting
	return f, eng, func() {
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
