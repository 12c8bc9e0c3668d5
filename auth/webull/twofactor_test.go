package webull

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

func TestTwoFactorOffNeedsNoTokenAndNoSMS(t *testing.T) {
	e := newEnv(t, false)
	if err := e.sim.SetTwoFactor(e.appKey, false); err != nil {
		t.Fatal(err)
	}
	_, done := e.login(testutil.Context(t, 20*time.Second))
	r := <-done
	if r.err != nil || r.h.State != auth.OK || !r.h.Why.Is("webull.two_factor_off") || !r.h.Next.IsZero() {
		t.Fatalf("login of an app with 2FA off: %v %+v / %v", r.h, r.h.Next, r.err)
	}
	if n := e.sim.Count(createPath); n != 0 || len(e.sim.Tokens()) != 0 || e.token() != "" {
		t.Fatalf("a token was created (%d create calls, %d tokens): an SMS went out for nothing", n, len(e.sim.Tokens()))
	}
	if !e.c.TwoFactorOff || e.sim.Count(ConfigPath) != 1 {
		t.Fatalf("2FA off not recorded (%v) or not asked (%d)", e.c.TwoFactorOff, e.sim.Count(ConfigPath))
	}
	if h := e.p.Assess(e.c, e.clock.Now()); h.State != auth.OK || !h.Why.Is("webull.two_factor_off") {
		t.Errorf("Assess: %v", h)
	}

	// token says why there is none, and env still serves the app key.
	_, err := e.p.Token(e.c, e.s)
	var nt *NoTokenError
	if !errors.As(err, &nt) || !errSays(err, "webull.no_token_two_factor_off") {
		t.Errorf("Token: %v", err)
	}
	vars, note, err := e.p.Env(e.c, e.s)
	if err != nil || vars[EnvAppKey] != e.appKey || vars[EnvAppSecret] != e.appSecr || !strings.Contains(note, "2FA is off") {
		t.Errorf("Env: %d vars, %q, %v", len(vars), note, err)
	}
	if _, ok := vars[TokenDirEnv]; ok {
		t.Error("Env names a token folder for an app that needs no token")
	}

	// Asked again at every check: still off, then turned on at Webull.
	e.clock.Advance(time.Hour)
	if h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{}); err != nil || h.State != auth.OK || e.sim.Count(ConfigPath) != 2 {
		t.Fatalf("refresh with 2FA still off: %v %v (%d config calls)", h, err, e.sim.Count(ConfigPath))
	}
	if err := e.sim.SetTwoFactor(e.appKey, true); err != nil {
		t.Fatal(err)
	}
	h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if a, _ := auth.ActionOf(err); h.State != auth.ActionNeeded || e.c.TwoFactorOff ||
		h.Next != auth.Next(auth.ActionVerify, e.c.Name) || a.Kind != auth.ActionVerify || !h.Why.Is("webull.two_factor_now_on") {
		t.Fatalf("refresh after 2FA was turned on: %v %+v / %v", h, h.Next, err)
	}
	if e.sim.Count(createPath) != 0 {
		t.Error("a refresh created a token")
	}
	// Now the verification creates a token and waits for the SMS code.
	ctx := testutil.Context(t, 20*time.Second)
	_, done = e.login(ctx)
	e.waitPolling(ctx)
	if e.sim.Count(createPath) != 1 || e.token() == "" {
		t.Errorf("verification after 2FA was turned on created %d tokens", e.sim.Count(createPath))
	}
	e.confirmOnPhone(e.token())
	e.clock.Advance(5 * time.Second)
	if r := <-done; r.err != nil || r.h.State != auth.OK {
		t.Errorf("verified: %v %v", r.h, r.err)
	}
}

func TestAnAppWithoutTokenFindsOut2FAIsOffAtItsCheck(t *testing.T) {
	e := newEnv(t, false)
	_ = e.sim.SetTwoFactor(e.appKey, false)
	h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if err != nil || h.State != auth.OK || !e.c.TwoFactorOff {
		t.Fatalf("first check of an app with 2FA off: %v %v", h, err)
	}
	// With 2FA on and no token yet, the check says to verify.
	e2 := newEnv(t, false)
	h, err = e2.p.Refresh(testutil.Context(t, 20*time.Second), &e2.c, e2.s, auth.RefreshOptions{})
	if h.State != auth.ActionNeeded || h.Next.Kind != auth.ActionVerify || !h.Why.Is("webull.no_token") || err == nil {
		t.Fatalf("first check of an app with 2FA on: %v %+v %v", h, h.Next, err)
	}
}

// hk asks /openapi/config like every region (Webull's Python SDK dropped
// its Hong Kong exception on 2026-06-08): an hk app with 2FA off gets no
// token and no SMS, one with 2FA on gets its verification.
func TestHongKongAsksWhetherATokenIsNeeded(t *testing.T) {
	e := newEnv(t, true)
	e.c.Region = "hk"
	_ = e.sim.SetTwoFactor(e.appKey, false)
	_, done := e.login(testutil.Context(t, 20*time.Second))
	if r := <-done; r.err != nil || r.h.State != auth.OK || !e.c.TwoFactorOff {
		t.Fatalf("hk login with 2FA off: %v %v, 2FA off %v", r.h, r.err, e.c.TwoFactorOff)
	}
	if e.sim.Count(ConfigPath) == 0 || e.sim.Count(createPath) != 0 || e.token() != "" {
		t.Errorf("hk with 2FA off asked config %d times and created %d tokens (stored %q)", e.sim.Count(ConfigPath), e.sim.Count(createPath), e.token())
	}

	e = newEnv(t, true)
	e.c.Region = "hk"
	_, done = e.login(testutil.Context(t, 20*time.Second))
	if r := <-done; r.err != nil || r.h.State != auth.OK || e.c.TwoFactorOff {
		t.Fatalf("hk login with 2FA on: %v %v, 2FA off %v", r.h, r.err, e.c.TwoFactorOff)
	}
	if e.sim.Count(ConfigPath) == 0 || e.sim.Count(createPath) != 1 {
		t.Errorf("hk with 2FA on asked config %d times and created %d tokens", e.sim.Count(ConfigPath), e.sim.Count(createPath))
	}
}

func TestConfigRefusedForWantOfATokenMeans2FAOn(t *testing.T) {
	e := newEnv(t, false)
	e.front(map[string]http.HandlerFunc{ConfigPath: func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error_code":"INVALID_TOKEN","message":"x-access-token is required"}`))
	}})
	e.c.TwoFactorOff = true
	h, _ := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if e.c.TwoFactorOff || h.State != auth.ActionNeeded || h.Next.Kind != auth.ActionVerify {
		t.Errorf("refused for want of a token: %v, 2FA off %v", h, e.c.TwoFactorOff)
	}
}

// The client's signer and the sandbox's verifier agree on mixed-case and
// repeated query keys (each implements the rule on its own).
func TestSignerAndSandboxAgreeOnQueryKeys(t *testing.T) {
	e := newEnv(t, false)
	cl, err := e.p.NewClient(e.c, e.s)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []url.Values{
		{"Symbol": {"AAPL"}},
		{"category": {"US_STOCK"}, "symbols": {"TSLA", "AAPL", "MSFT"}},
		{"aB": {"2", "1"}, "Ab": {"x"}, "ab": {"y y", "&"}},
	} {
		var out map[string]any
		if err := cl.Do(testutil.Context(t, 20*time.Second), http.MethodGet, ConfigPath, q, nil, &out); err != nil {
			t.Errorf("query %v refused: %v (sandbox log %q)", q, err, e.sim.Log())
		}
	}
}

func TestSkewHasItsSignAndSizeAndIsNeverBroken(t *testing.T) {
	for _, c := range []struct {
		skew time.Duration
		want string
	}{
		{10 * time.Minute, "clock is 10 minutes behind Webull's"},
		{-10 * time.Minute, "clock is 10 minutes ahead of Webull's"},
		{-90 * time.Second, "clock is 90 seconds ahead of Webull's"},
	} {
		e := verified(t)
		// A broker that names the cause, and one that only refuses the signature.
		for _, code := range []string{"CLOCK_SKEW_EXCEEDED", "INCORRECT_SIGN"} {
			e.front(map[string]http.HandlerFunc{checkPath: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", e.clock.Now().Add(c.skew).UTC().Format(http.TimeFormat))
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"error_code":"` + code + `","message":"refused"}`))
			}})
			h, _ := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
			if h.State == auth.Broken || !strings.Contains(h.Reason, c.want) || h.Next.Kind != auth.ActionRetry {
				t.Errorf("%s with the clock %v off: %v %+v, want %q and never Broken", code, c.skew, h, h.Next, c.want)
			}
		}
	}
	// Through the sandbox's own clock check.
	e := verified(t)
	e.sim.SetSkew(-7 * time.Minute)
	if h, _ := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{}); h.State == auth.Broken || !hasArg(h.Why, "webull.skew_ahead", "By", "7 minutes") {
		t.Errorf("sandbox skew: %v", h)
	}
}

func TestRenewalUnavailableWarnsBeforeTheTokenEnds(t *testing.T) {
	e := verified(t)
	e.c.RenewUnavailable = true
	exp := e.c.ExpiresAt
	for _, c := range []struct {
		at    time.Time
		state auth.State
		next  auth.ActionKind
	}{
		{exp.Add(-4 * 24 * time.Hour), auth.OK, auth.ActionNone},
		{exp.Add(-3*24*time.Hour + time.Minute), auth.Expiring, auth.ActionVerify},
		{exp, auth.ActionNeeded, auth.ActionVerify},
	} {
		c1 := e.c
		c1.LastUsed = c.at.Add(-time.Hour) // in use: only the expiry matters
		h := e.p.Assess(c1, c.at)
		if h.State != c.state || h.Next.Kind != c.next {
			t.Errorf("at %v before expiry: %v %+v, want %v %s", exp.Sub(c.at), h, h.Next, c.state, c.next)
		}
	}
	// An idle token warns with a check as the next step: a check counts as use.
	c1 := e.c
	c1.RenewUnavailable = false
	c1.ExpiresAt = time.Time{}
	h := e.p.Assess(c1, c1.LastUsed.Add(13*24*time.Hour))
	if h.State != auth.Expiring || h.Next.Kind != auth.ActionRetry {
		t.Errorf("idle 13 days: %v %+v", h, h.Next)
	}
}

func TestPendingHealthCarriesDeadlineAndVerify(t *testing.T) {
	e := newEnv(t, false)
	ctx := testutil.Context(t, 20*time.Second)
	rec, _ := e.login(ctx)
	e.waitPolling(ctx)
	last := rec.all()[len(rec.all())-1].Health
	if last.State != auth.Pending || last.Deadline.IsZero() || last.Next != auth.Next(auth.ActionVerify, e.c.Name) {
		t.Errorf("pending event: %v deadline %v next %+v", last, last.Deadline, last.Next)
	}
	c := e.c
	c.TokenStatus, c.ExpiresAt = StatusPending, e.clock.Now().Add(4*time.Minute)
	h := e.p.Assess(c, e.clock.Now())
	if h.State != auth.Pending || !h.Deadline.Equal(c.ExpiresAt) || h.Next != auth.Next(auth.ActionVerify, c.Name) {
		t.Errorf("pending: %v deadline %v next %+v", h, h.Deadline, h.Next)
	}
}

func TestEveryOutcomeNamesItsNextAction(t *testing.T) {
	// A secret Webull rejects is given again.
	e := verified(t)
	e.front(map[string]http.HandlerFunc{checkPath: func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error_code":"INCORRECT_SIGN","message":"signature does not match"}`))
	}})
	if h, _ := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{}); h.State != auth.Broken || h.Next != auth.Next(auth.ActionUpdate, e.c.Name) {
		t.Errorf("rejected secret: %v %+v", h, h.Next)
	}
	// A secret the keychain lost is given again.
	e2 := verified(t)
	_ = e2.s.Delete(auth.FieldAppSecret)
	h, err := e2.p.Refresh(testutil.Context(t, 20*time.Second), &e2.c, e2.s, auth.RefreshOptions{})
	if a, _ := auth.ActionOf(err); h.Next != auth.Next(auth.ActionUpdate, e2.c.Name) || a != h.Next {
		t.Errorf("lost secret: %v %+v / %v", h, h.Next, err)
	}
	// A setting no action fixes keeps none; a broker that is down is retried.
	e3 := newEnv(t, false)
	e3.c.Endpoint, e3.c.Region = "", "xx"
	if h, _ := e3.p.Refresh(testutil.Context(t, 20*time.Second), &e3.c, e3.s, auth.RefreshOptions{}); h.State != auth.ActionNeeded || !h.Next.IsZero() {
		t.Errorf("unknown region: %v %+v", h, h.Next)
	}
	e4 := verified(t)
	e4.srv.Close()
	if h, _ := e4.p.Refresh(testutil.Context(t, 20*time.Second), &e4.c, e4.s, auth.RefreshOptions{}); h.State != auth.Unknown || h.Next != auth.Next(auth.ActionRetry, e4.c.Name) {
		t.Errorf("broker down: %v %+v", h, h.Next)
	}
	// An expired verification carries the credential's name in its error.
	e5 := newEnv(t, false)
	ctx := testutil.Context(t, 20*time.Second)
	_, done := e5.login(ctx)
	e5.waitPolling(ctx)
	r := e5.drive(ctx, done, 5*time.Minute)
	if a, ok := auth.ActionOf(r.err); !ok || a != auth.Next(auth.ActionVerify, e5.c.Name) || r.h.Next != a {
		t.Errorf("expired verification: %v %+v / %v", r.h, r.h.Next, r.err)
	}
}
