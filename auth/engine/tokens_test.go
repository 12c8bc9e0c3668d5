package engine_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

func TestTokenNotDueIsHandedOutWithoutCallingTheBroker(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(time.Hour))
	tok, err := f.eng.Token(testutil.Context(t, 20*time.Second), "main")
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
	tok, err := f.eng.Token(testutil.Context(t, 20*time.Second), "main")
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
	if _, err := f.eng.Token(testutil.Context(t, 20*time.Second), "main"); err != nil || f.p.Refreshes() != 1 {
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
	if _, err := f.eng.Token(testutil.Context(t, 20*time.Second), "main"); err != nil {
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

func TestTokenNeedsUserIsAUserErrorAndTheHealthIsSaved(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(time.Minute))
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		h := auth.Health{State: auth.Broken, Reason: "Futu revoked this key: create a new one in the portal."}
		return h, auth.NeedsUser(h.Reason)
	}
	tok, err := f.eng.Token(testutil.Context(t, 20*time.Second), "main")
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
	tok, err := f.eng.Token(testutil.Context(t, 20*time.Second), "main")
	if err != nil || tok != "test-token-old" {
		t.Fatalf("token %q err %v, want the stored, still valid token", tok, err)
	}
	c, _ := f.st.Get("main")
	if c.Health.State != auth.Unknown || !c.ExpiresAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("stored %v / %v, want Unknown and the old expiry", c.Health, c.ExpiresAt)
	}
	// Once expired, it is not handed out, and the failure is not the user's.
	f.clock.Advance(4 * time.Minute)
	tok, err = f.eng.Token(testutil.Context(t, 20*time.Second), "main")
	var ue *auth.UserError
	if tok != "" || err == nil || errors.As(err, &ue) {
		t.Fatalf("expired token %q err %v, want an error that is not a UserError", tok, err)
	}
	if got, _ := f.secrets.Get(c.ID, auth.FieldAccessToken); got != "test-token-old" {
		t.Fatal("a network failure changed the stored token")
	}
}

func TestTokenDuringALoginSaysTheUserMustActWithoutWaitingForIt(t *testing.T) {
	_, eng, finish := loginInProgress(t)
	_, err := eng.Token(testutil.Context(t, 20*time.Second), "main")
	var ue *auth.UserError
	if !errors.As(err, &ue) || ue.Msg != "enter the SMS code in the Webull app" {
		t.Fatalf("token during a login: %v, want the pending sentence", err)
	}
	finish()
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
	late, lateErr := eng2.Token(testutil.Context(t, 20*time.Second), "main")
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
	if tok, err := f.eng.Token(testutil.Context(t, 20*time.Second), "main"); err != nil || tok != "test-token-0002" {
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
			toks[i], errs[i] = e.Token(testutil.Context(t, 20*time.Second), "main")
		}()
	}
	<-f.p.Entered // one caller is inside the broker call, the rest wait for the lock
	close(f.p.Gate)
	wg.Wait()
	return toks, errs, eng2
}
