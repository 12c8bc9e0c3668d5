package futu

import (
	"net/http"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/testutil"
)

// loggedInFixture is a Futu login on a host laid out like Futu's CLI
// (JWT access tokens, the account API), its access token not yet due.
func loggedInFixture(t *testing.T) *oauthFixture {
	t.Helper()
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{Layout: futusim.LayoutCLI})
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
		// The reason's code, and the code and HTTP status of its Answer.
		code, answer string
		status       int
	}{
		{name: "200 lists the accounts", set: func(*oauthFixture) {}, state: auth.OK, trade: true},
		{name: "403 code 1100: no trade permission", set: func(f *oauthFixture) { f.sim.SetTradePermission(false) }, state: auth.OK},
		{name: "401 code 1001: expired", set: func(f *oauthFixture) { f.sim.FailAccounts(401, 1001, "AUTH_EXPIRED") }, renewed: true, state: auth.ActionNeeded},
		{name: "401 code 1000: revoked", set: func(f *oauthFixture) { f.sim.RevokeAccessTokens(f.c.ClientID) }, renewed: true, state: auth.OK, trade: true},
		{name: "200 with code 1001", set: func(f *oauthFixture) { f.sim.FailAccounts(200, 1001, "AUTH_EXPIRED") }, renewed: true, state: auth.ActionNeeded},
		{name: "429 code 3000: slow down", set: func(f *oauthFixture) { f.sim.FailAccounts(429, 3000, "RATE_LIMIT") }, state: auth.Unknown, code: "futu.slow_down", answer: "futu.answer_code_text", status: 429},
		{name: "400 code 3001: a rate limit whatever the status", set: func(f *oauthFixture) { f.sim.FailAccounts(400, 3001, "too many") }, state: auth.Unknown, code: "futu.slow_down", answer: "futu.answer_code_text", status: 400},
		{name: "404 code 2000: no account check here", set: func(f *oauthFixture) { f.sim.FailAccounts(404, 2000, "NOT_FOUND") }, state: auth.Unknown, code: "futu.account_check_missing", answer: "futu.answer_code_text", status: 404},
		{name: "404 with no body of Futu's", set: func(f *oauthFixture) { f.sim.Faults().Set(PathAccounts, fault.Rule{Status: 404}) }, state: auth.Unknown, code: "futu.account_check_missing", answer: "futu.answer_foreign", status: 404},
		{name: "503", set: func(f *oauthFixture) { f.sim.Faults().Set(PathAccounts, fault.Rule{Status: 503}) }, state: auth.Unknown, code: "futu.account_check_answered_with", answer: "futu.answer_foreign", status: 503},
		{name: "401 from a proxy", set: func(f *oauthFixture) { f.sim.Faults().Set(PathAccounts, fault.Rule{Status: 401}) }, state: auth.Unknown,
			code: "futu.refused_foreign", answer: "futu.answer_foreign", status: 401},
		{name: "403 from a proxy", set: func(f *oauthFixture) { f.sim.Faults().Set(PathAccounts, fault.Rule{Status: 403}) }, state: auth.Unknown,
			code: "futu.refused_foreign", answer: "futu.answer_foreign", status: 403},
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
			if tc.code != "" {
				answer := sub(reason(h), "Answer")
				if !reason(h).Is(tc.code) || !answer.Is(tc.answer) || answer.Args["Status"] != tc.status {
					t.Errorf("reason %v, want %s with %s of HTTP %d", h.Why, tc.code, tc.answer, tc.status)
				}
				if tc.status == 401 && answer.Arg("Start") != `"Unauthorized (sandbox fault)"` {
					t.Errorf("a proxy's answer is not quoted: %v", answer)
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
