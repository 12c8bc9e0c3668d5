package futu

import (
	"fmt"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/testutil"
)

// TestAnExpiryFutuCannotMeanReadsTheSameInRefreshAndStatus: a token
// answer whose expires_in is -1, 0 or centuries gives one health, the
// same in the refresh that got it and in every status after: the login
// works, and since Futu did not say when the access token expires, it
// is renewed at every check.
func TestAnExpiryFutuCannotMeanReadsTheSameInRefreshAndStatus(t *testing.T) {
	for _, v := range []int64{-1, 0, 1e12, 1 << 62} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
			st := newOAuthStore(t, f)
			eng := oauthEngine(t, st, f, f.p)
			if _, err := eng.Add(testutil.Context(t, 10*time.Second), auth.Credential{Name: "o", Kind: auth.KindFutuOAuth, Endpoint: f.base}, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := eng.Login(testutil.Context(t, 10*time.Second), "o", auth.LoginOptions{}, nil); err != nil {
				t.Fatal(err)
			}
			f.sim.AnswerExpiresIn(v)
			h, err := eng.Refresh(testutil.Context(t, 10*time.Second), "o", true)
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			f.clock.Advance(time.Second)
			ss, err := eng.Status()
			if err != nil {
				t.Fatal(err)
			}
			shown := ss[0].Health
			if h.State != shown.State || h.Reason != shown.Reason {
				t.Errorf("refresh said %v, status says %v", h, shown)
			}
			if shown.State != auth.OK || !shown.ExpiresAt.IsZero() {
				t.Errorf("status %v (expires %v), want OK with no expiry", shown, shown.ExpiresAt)
			}
			c, _ := st.Get("o")
			if !c.ExpiresAt.IsZero() {
				t.Errorf("stored expiry %v from expires_in %d", c.ExpiresAt, v)
			}
		})
	}
}

func TestLifetimeExpiryBelievesOnlyWhatABrokerCanMean(t *testing.T) {
	for _, c := range []struct {
		secs int64
		ok   bool
	}{{-1, false}, {0, false}, {1, true}, {7200, true}, {int64(auth.MaxTokenLife / time.Second), true}, {int64(auth.MaxTokenLife/time.Second) + 1, false}, {1 << 62, false}} {
		exp, ok := auth.LifetimeExpiry(t0, c.secs)
		if ok != c.ok || ok && !auth.PlausibleExpiry(t0, exp) {
			t.Errorf("expires_in %d: %v, %v; want believed %v", c.secs, exp, ok, c.ok)
		}
	}
}
