package futu

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/futusim"
	"tokentray/internal/testutil"
)

// loggedInFixture is a Futu login on a host laid out like Futu's CLI
// (JWT access tokens, the account API), its access token not yet due.
func loggedInFixture(t *testing.T) *oauthFixture {
	t.Helper()
	f := newOAuthFixture(t, futusim.Browser{Approve: true}, futusim.Options{Layout: futusim.LayoutCLI})
	if h, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil || h.State != auth.OK {
		t.Fatalf("login: %v, %v", h, err)
	}
	return f
}

func TestOAuthCheckReadsTheAccountAPIAsFutusCLIDoes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		set     func(f *oauthFixture)
		renewed bool
		state   auth.State
		trade   bool
		reason  []string
	}{
		{name: "200 lists the accounts", set: func(*oauthFixture) {}, state: auth.OK, trade: true},
		{name: "403 code 1100: no trade permission", set: func(f *oauthFixture) { f.sim.SetTradePermission(false) }, state: auth.OK},
		{name: "401 code 1001: expired", set: func(f *oauthFixture) { f.sim.FailAccounts(401, 1001, "AUTH_EXPIRED") }, renewed: true, state: auth.ActionNeeded},
		{name: "401 code 1000: revoked", set: func(f *oauthFixture) { f.sim.RevokeAccessTokens(f.c.ClientID) }, renewed: true, state: auth.OK, trade: true},
		{name: "200 with code 1001", set: func(f *oauthFixture) { f.sim.FailAccounts(200, 1001, "AUTH_EXPIRED") }, renewed: true, state: auth.ActionNeeded},
		{name: "429 code 3000: slow down", set: func(f *oauthFixture) { f.sim.FailAccounts(429, 3000, "RATE_LIMIT") }, state: auth.Unknown, reason: []string{"slow down", "HTTP 429, code 3000"}},
		{name: "400 code 3001: a rate limit whatever the status", set: func(f *oauthFixture) { f.sim.FailAccounts(400, 3001, "too many") }, state: auth.Unknown, reason: []string{"slow down"}},
		{name: "404 code 2000: no account check here", set: func(f *oauthFixture) { f.sim.FailAccounts(404, 2000, "NOT_FOUND") }, state: auth.Unknown, reason: []string{"no account check"}},
		{name: "404 with no body of Futu's", set: func(f *oauthFixture) { f.sim.Faults().Set(PathAccounts, fault.Rule{Status: 404}) }, state: auth.Unknown, reason: []string{"no account check"}},
		{name: "503", set: func(f *oauthFixture) { f.sim.Faults().Set(PathAccounts, fault.Rule{Status: 503}) }, state: auth.Unknown, reason: []string{"HTTP 503"}},
		{name: "401 from a proxy", set: func(f *oauthFixture) { f.sim.Faults().Set(PathAccounts, fault.Rule{Status: 401}) }, state: auth.Unknown,
			reason: []string{"HTTP 401 with an answer that is not Futu's", `"Unauthorized (sandbox fault)"`, "nothing was changed"}},
		{name: "403 from a proxy", set: func(f *oauthFixture) { f.sim.Faults().Set(PathAccounts, fault.Rule{Status: 403}) }, state: auth.Unknown,
			reason: []string{"HTTP 403 with an answer that is not Futu's", "nothing was changed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := loggedInFixture(t)
			before := f.get(auth.FieldAccessToken)
			tc.set(f)
			h, err := f.refresh(t, false)
			renewed := f.get(auth.FieldAccessToken) != before
			if renewed != tc.renewed {
				t.Errorf("renewed = %v, want %v", renewed, tc.renewed)
			}
			if h.State != tc.state {
				t.Fatalf("health %v (%v), want %v", h.State, h.Reason, tc.state)
			}
			if h.State == auth.OK && (err != nil || f.c.Access == nil || !f.c.Access.Quote || f.c.Access.Trade != tc.trade || !f.c.Access.Checked) {
				t.Errorf("access %+v (%v), want quote and trade=%v", f.c.Access, err, tc.trade)
			}
			if h.State == auth.Unknown && err == nil {
				t.Error("an unsure check returned no error")
			}
			for _, want := range tc.reason {
				if !strings.Contains(h.Reason, want) {
					t.Errorf("reason %q lacks %q", h.Reason, want)
				}
			}
			if tc.state == auth.ActionNeeded && h.Next != auth.Next(auth.ActionLogin, f.c.Name) {
				t.Errorf("next %v, want a login", h.Next)
			}
			if h.State == auth.Unknown {
				// The next clean check restores OK, with the same token.
				f.sim.Faults().Clear()
				f.sim.FailAccounts(0, 0, "")
				if h, err := f.refresh(t, false); err != nil || h.State != auth.OK || f.get(auth.FieldAccessToken) != before {
					t.Errorf("after the fault: %v, %v (token kept: %v)", h, err, f.get(auth.FieldAccessToken) == before)
				}
			}
		})
	}
}

func TestOAuthCheckTakesTheExpiryFromTheAccessToken(t *testing.T) {
	f := loggedInFixture(t)
	// The settings say hours more than the JWT does: the JWT wins, so the
	// token is renewed when it really ends.
	exp := f.c.ExpiresAt
	f.c.ExpiresAt = exp.Add(10 * time.Hour)
	f.clock.Advance(futusim.DefaultAccessTTL - time.Minute)
	before := f.get(auth.FieldAccessToken)
	checks := f.sim.Count(PathAccounts)
	if h, err := f.refresh(t, false); err != nil || h.State != auth.OK {
		t.Fatalf("refresh: %v, %v", h, err)
	}
	if f.get(auth.FieldAccessToken) == before {
		t.Error("a token within minutes of its JWT expiry was not renewed")
	}
	if n := f.sim.Count(PathAccounts) - checks; n != 1 {
		t.Errorf("%d account checks, want 1 (of the renewed token)", n)
	}
}

func TestOAuthLoginOnAFutuLikeHostNeverCallsVerify(t *testing.T) {
	f := loggedInFixture(t)
	f.sim.RevokeAccessTokens(f.c.ClientID)
	if _, err := f.refresh(t, false); err != nil {
		t.Fatal(err)
	}
	if n := f.sim.Count(VerifyPath); n != 0 {
		t.Errorf("an OAuth login asked %s %d times; no first-party client does", VerifyPath, n)
	}
	if code := verifyBearer(t, f.base, f.get(auth.FieldAccessToken)); code != http.StatusOK {
		t.Errorf("the renewed token: %d", code)
	}
}
