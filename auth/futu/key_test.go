package futu

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/futusim"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

type keyFixture struct {
	clock   *clockwork.FakeClock
	sim     *futusim.Server
	base    string
	p       *KeyProvider
	c       auth.Credential
	mem     *testutil.MemorySecrets
	s       auth.Secrets
	appKey  string
	secret  string
	token   string
	expires time.Time
}

func newKeyFixture(t *testing.T, expires time.Time) *keyFixture {
	t.Helper()
	f := &keyFixture{clock: clockwork.NewFakeClockAt(t0), expires: expires}
	f.sim, f.base = sim(t, f.clock, futusim.Options{})
	f.appKey, f.secret, f.token = f.sim.AddAPIKey(expires)
	f.p = NewKeyProvider(Options{Clock: f.clock, Getenv: noEnv})
	f.c = auth.Credential{ID: auth.NewID(), Name: "futu-key", Kind: auth.KindFutuKey, Endpoint: f.base, AddedAt: t0}
	f.mem = testutil.NewMemorySecrets()
	f.s = auth.Bind(f.mem, f.c.ID)
	f.s.Set(auth.FieldAppKey, f.appKey)
	f.s.Set(auth.FieldAppSecret, f.secret)
	f.s.Set(auth.FieldAccessToken, f.token)
	return f
}

func (f *keyFixture) refresh(t *testing.T) (auth.Health, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := f.p.Refresh(ctx, &f.c, f.s, auth.RefreshOptions{})
	assertNoSecrets(t, f.mem, h.Reason, errString(err))
	return h, err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestKeyRefreshTakesExpiryFromFutu(t *testing.T) {
	f := newKeyFixture(t, t0.Add(10*24*time.Hour))
	h, err := f.refresh(t)
	if err != nil {
		t.Fatal(err)
	}
	if !f.c.ExpiresAt.Equal(f.expires) {
		t.Errorf("ExpiresAt = %v, want the server's %v", f.c.ExpiresAt, f.expires)
	}
	if h.State != auth.Expiring || !reason(h).Is("futu.key_expires") || reason(h).Arg("When") != "in 10 days" || h.Next != auth.Next(auth.ActionExtend, "futu-key") {
		t.Errorf("health = %v, want Expiring in 10 days with the extend action", h)
	}
	if f.sim.Count(VerifyPath) != 1 {
		t.Errorf("verify called %d times, want 1", f.sim.Count(VerifyPath))
	}
}

func TestKeyRefreshRevokedIsBroken(t *testing.T) {
	f := newKeyFixture(t, t0.Add(60*24*time.Hour))
	f.sim.RevokeAPIKey(f.appKey)
	h, err := f.refresh(t)
	var ue *auth.UserError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want a UserError", err)
	}
	if h.State != auth.Broken || !reason(h).Is("futu.key_revoked") {
		t.Errorf("health = %v", h)
	}
	if v, _ := f.s.Get(auth.FieldAccessToken); v != f.token {
		t.Error("a rejected key must stay in the keychain")
	}
}

func TestKeyRefreshWrongSecretSaysSo(t *testing.T) {
	f := newKeyFixture(t, t0.Add(60*24*time.Hour))
	f.s.Set(auth.FieldAppSecret, "test-wrong-secret-0009")
	h, _ := f.refresh(t)
	if h.State != auth.Broken || !reason(h).Is("futu.signature_rejected") {
		t.Errorf("health = %v, want Broken naming the app secret", h)
	}
}

func TestKeyUnderClockSkewIsCorrectedNeverBroken(t *testing.T) {
	for _, tc := range []struct {
		skew    time.Duration
		clock   string
		seconds int64
	}{{90 * time.Second, "futu.clock_behind", 90}, {-125 * time.Second, "futu.clock_ahead", 125}} {
		f := newKeyFixture(t, t0.Add(60*24*time.Hour))
		f.sim.SetSkew(tc.skew)
		h, err := f.refresh(t)
		clock := sub(note(h), "Clock")
		if err != nil || h.State != auth.OK || !note(h).Is("futu.clock_corrected") || !clock.Is(tc.clock) || clock.Args["Seconds"] != tc.seconds {
			t.Errorf("skew %v: health = %v (%v), err = %v; want OK noting %s of %d s", tc.skew, h, h.Why, err, tc.clock, tc.seconds)
		}
		if n := f.sim.Count(VerifyPath); n != 2 {
			t.Errorf("skew %v: %d checks, want the refused one and one in Futu's time", tc.skew, n)
		}
		// Futu's clock is known now: the next call is signed in its time at once.
		if h, err := f.refresh(t); err != nil || h.State != auth.OK || f.sim.Count(VerifyPath) != 3 {
			t.Errorf("skew %v: second check %v %v after %d calls", tc.skew, h, err, f.sim.Count(VerifyPath))
		}
		if h, err := f.p.Extend(testutil.Context(t, 10*time.Second), &f.c, f.s, t0.Add(365*24*time.Hour)); err != nil || h.State != auth.OK {
			t.Errorf("skew %v: extend %v %v", tc.skew, h, err)
		}
	}
}

func TestKeyClockSkewWithoutTheBrokersClockSaysSo(t *testing.T) {
	f := newKeyFixture(t, t0.Add(60*24*time.Hour))
	f.sim.SetSkew(90 * time.Second)
	noDate := roundTrip(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if resp != nil {
			resp.Header.Del("Date")
		}
		return resp, err
	})
	f.p = NewKeyProvider(Options{Clock: f.clock, Getenv: noEnv, HTTP: &http.Client{Transport: noDate}})
	h, err := f.refresh(t)
	if h.State == auth.Broken || h.State != auth.ActionNeeded || !reason(h).Is("futu.time_refused_probably") {
		t.Errorf("health = %v, want ActionNeeded about the clock", h)
	}
	// Not a verdict on the key: adding it must not refuse it.
	var ue *auth.UserError
	if err == nil || errors.As(err, &ue) || h.Next.Kind != auth.ActionRetry {
		t.Errorf("err %v, next %v; want a plain error and retry", err, h.Next)
	}
}

func TestKeyRefreshWithoutHealthCheckUsesKnownExpiry(t *testing.T) {
	nf := httptest.NewServer(http.NotFoundHandler())
	defer nf.Close()
	f := newKeyFixture(t, t0.Add(60*24*time.Hour))
	f.c.Endpoint = nf.URL
	f.c.AddedAt = t0.Add(-80 * 24 * time.Hour) // 90-day default leaves 10
	h, err := f.refresh(t)
	if err != nil {
		t.Fatal(err)
	}
	if h.State != auth.Expiring || !h.ExpiresAt.Equal(t0.Add(10*24*time.Hour)) {
		t.Errorf("health = %v (expires %v), want Expiring at added+90 days", h, h.ExpiresAt)
	}
}

func TestKeyRefreshNetworkFailureIsUnknown(t *testing.T) {
	f := newKeyFixture(t, t0.Add(60*24*time.Hour))
	f.sim.Faults().Set(VerifyPath, fault.Rule{Reset: true})
	h, err := f.refresh(t)
	if err == nil || h.State != auth.Unknown {
		t.Fatalf("health = %v, err = %v; want Unknown with an error", h, err)
	}
	// Both say it in words: the broker's one no-answer sentence, and an
	// error without Go's chain.
	if said := msg.Of(err); !reason(h).Is("auth.no_answer") || !note(h).Is("note.retry") || !said.Is("futu.check_failed") || !sub(said, "Why").Is("auth.net_closed") {
		t.Errorf("a reset connection reads %v / %v", h.Why, said)
	}
	f.sim.Faults().Set(VerifyPath, fault.Rule{Status: 503})
	h, err = f.refresh(t)
	if err == nil || h.State != auth.Unknown {
		t.Fatalf("503: health = %v, err = %v; want Unknown with an error", h, err)
	}
	if v, _ := f.s.Get(auth.FieldAccessToken); v != f.token {
		t.Error("a network failure changed the stored token")
	}
}

func TestKeyAssessWarnsAt14_7_1DaysAndBreaksWhenExpired(t *testing.T) {
	p := NewKeyProvider(Options{Getenv: noEnv})
	c := auth.Credential{Name: "k", Kind: auth.KindFutuKey, AddedAt: t0}
	exp := t0.Add(KeyLife)
	cases := []struct {
		left  time.Duration
		state auth.State
		stage int
		code  string
		when  string
	}{
		{20 * 24 * time.Hour, auth.OK, 0, "futu.key_valid_until", ""},
		{14 * 24 * time.Hour, auth.Expiring, 14, "futu.key_expires", "in 14 days"},
		{7 * 24 * time.Hour, auth.Expiring, 7, "futu.key_expires", "in 7 days"},
		{24 * time.Hour, auth.Expiring, 1, "futu.key_expires", "in 24 hours"},
		{3 * time.Hour, auth.Expiring, 1, "futu.key_expires", "in 3 hours"},
		{-time.Minute, auth.Broken, 0, "futu.key_expired_create", ""},
	}
	for _, tc := range cases {
		now := exp.Add(-tc.left)
		h := p.Assess(c, now)
		if h.State != tc.state || !h.Why.Is(tc.code) || h.Why.Arg("When") != tc.when || h.Why.Arg("Day") != "2026-05-31" || ExpiryStage(exp, now) != tc.stage {
			t.Errorf("%v before expiry: %v (%v, stage %d), want %v with %s %q (stage %d)", tc.left, h, h.Why, ExpiryStage(exp, now), tc.state, tc.code, tc.when, tc.stage)
		}
		if tc.state == auth.Expiring && h.Next != auth.Next(auth.ActionExtend, "k") {
			t.Errorf("%v before expiry: next %v, want extend k", tc.left, h.Next)
		}
		if tc.state == auth.Broken && h.Next != auth.Next(auth.ActionUpdate, "k") {
			t.Errorf("expired: next %v, want update k", h.Next)
		}
	}
}

func TestKeyExtendReplacesTokenAndOldOneFails(t *testing.T) {
	f := newKeyFixture(t, t0.Add(5*24*time.Hour))
	ctx := context.Background()
	h, err := f.p.Extend(ctx, &f.c, f.s, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, f.mem, h.Reason)
	newTok, _ := f.s.Get(auth.FieldAccessToken)
	if newTok == f.token || newTok == "" {
		t.Fatal("the keychain still holds the old token")
	}
	if want := t0.Add(KeyLife); !f.c.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v (90 days)", f.c.ExpiresAt, want)
	}
	if h.State != auth.OK || !h.Why.Is("futu.extended_until") {
		t.Errorf("health = %v, want OK telling scripts to take the new FUTU_ACCESS_TOKEN", h)
	}
	// The new token passes the health check; the old one is refused.
	if h, err := f.refresh(t); err != nil || h.State != auth.OK {
		t.Errorf("check with the new token: %v, %v", h, err)
	}
	f.s.Set(auth.FieldAccessToken, f.token)
	if h, _ := f.refresh(t); h.State != auth.Broken {
		t.Errorf("check with the old token: %v, want Broken", h)
	}
}

func TestKeyExtendUpToThreeYears(t *testing.T) {
	f := newKeyFixture(t, t0.Add(5*24*time.Hour))
	until := t0.AddDate(3, 0, 0)
	if _, err := f.p.Extend(context.Background(), &f.c, f.s, until); err != nil {
		t.Fatal(err)
	}
	if !f.c.ExpiresAt.Equal(until) {
		t.Errorf("ExpiresAt = %v, want %v", f.c.ExpiresAt, until)
	}
	_, err := f.p.Extend(context.Background(), &f.c, f.s, t0.AddDate(3, 0, 2))
	var ue *auth.UserError
	if !errors.As(err, &ue) || !msg.Of(err).Is("futu.extend_too_far") {
		t.Errorf("extending past 3 years: err = %v, want a UserError about 3 years", err)
	}
	if n := f.sim.Count(DefaultRefreshPath); n != 1 {
		t.Errorf("the refresh endpoint was called %d times, want 1 (the refused date must not reach Futu)", n)
	}
}

func TestKeyExtendFailureKeepsOldToken(t *testing.T) {
	f := newKeyFixture(t, t0.Add(5*24*time.Hour))
	f.sim.Faults().Set(DefaultRefreshPath, fault.Rule{Reset: true})
	h, err := f.p.Extend(context.Background(), &f.c, f.s, time.Time{})
	if err == nil || h.State != auth.Unknown {
		t.Fatalf("health = %v, err = %v; want Unknown with an error", h, err)
	}
	if v, _ := f.s.Get(auth.FieldAccessToken); v != f.token {
		t.Error("the old token was replaced although Futu confirmed nothing")
	}
	f.mem.Fail = errors.New("the keychain is locked: unlock it and try again")
	if _, err := f.p.Extend(context.Background(), &f.c, f.s, time.Time{}); err == nil {
		t.Fatal("extend with a locked keychain succeeded")
	}
	f.mem.Fail = nil
	f.sim.Faults().Clear()
	if n := f.sim.Count(DefaultRefreshPath); n != 1 {
		t.Errorf("Futu was asked %d times, want 1: a locked keychain must stop the call before Futu kills the old token", n)
	}
}

func TestKeyEnv(t *testing.T) {
	f := newKeyFixture(t, t0.Add(60*24*time.Hour))
	vars, _, err := f.p.Env(f.c, f.s)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"FUTU_APP_KEY": f.appKey, "FUTU_APP_SECRET": f.secret, "FUTU_ACCESS_TOKEN": f.token, "FUTU_HTTP_URL": f.base}
	if len(vars) != len(want) {
		t.Errorf("vars = %d entries, want %d", len(vars), len(want))
	}
	for k, v := range want {
		if vars[k] != v {
			t.Errorf("%s wrong", k)
		}
	}
	f.c.Endpoint = ""
	vars, _, _ = f.p.Env(f.c, f.s)
	if _, ok := vars["FUTU_HTTP_URL"]; ok {
		t.Error("FUTU_HTTP_URL set without an endpoint")
	}
}

// A date before the current expiry is a cut, and is said so.
func TestKeyExtendToAnEarlierDateIsNotCalledExtended(t *testing.T) {
	f := newKeyFixture(t, t0.Add(60*24*time.Hour))
	h, err := f.p.Extend(context.Background(), &f.c, f.s, t0.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !h.Why.Is("futu.extended_earlier") {
		t.Errorf("a cut reads %q", h.Reason)
	}
	h, err = f.p.Extend(context.Background(), &f.c, f.s, t0.Add(90*24*time.Hour))
	if err != nil || !h.Why.Is("futu.extended_until") {
		t.Errorf("a real extension reads %q, %v", h.Reason, err)
	}
}

// extend with nothing answering at the endpoint says so in words, like
// every other call, and says that nothing was changed.
func TestExtendWithTheBrokerUnreachableIsASentence(t *testing.T) {
	f := newKeyFixture(t, t0.Add(10*24*time.Hour))
	addr := "127.0.0.1:" + strconv.Itoa(testutil.FreePort(t)) // nothing listens there now
	f.c.Endpoint = "http://" + addr
	h, err := f.p.Extend(testutil.Context(t, 10*time.Second), &f.c, f.s, t0.Add(365*24*time.Hour))
	said := msg.Of(err)
	if err == nil || !said.Is("futu.extend_no_answer") || said.Arg("Name") != "futu-key" || !sub(said, "Why").Is("auth.net_refused_at") || sub(said, "Why").Arg("Addr") != addr {
		t.Fatalf("error %q (%v), want futu.extend_no_answer naming futu-key and nothing answering at %s", errString(err), said, addr)
	}
	if h.State != auth.Unknown || strings.Contains(h.Reason, "dial tcp") {
		t.Errorf("health %v", h)
	}
	if v, _ := f.s.Get(auth.FieldAccessToken); v != f.token {
		t.Errorf("the stored token changed")
	}
}

// failingSecrets is a keychain that cannot be read (a damaged file
// keychain, a locked one): its error is already the sentence to show.
type failingSecrets struct{ err error }

func (f failingSecrets) Get(string) (string, error) { return "", f.err }
func (f failingSecrets) Set(string, string) error   { return f.err }
func (f failingSecrets) Delete(string) error        { return f.err }

func TestKeySecretsThatCannotBeReadSayWhyInWords(t *testing.T) {
	why := errors.New("the file keychain /x/keychain.age is damaged (it is not a readable age file); tokentray changed nothing")
	var tok string
	err := readField(auth.Credential{Name: "futu-key1"}, failingSecrets{why}, auth.FieldAccessToken, &tok)
	if !errors.Is(err, why) {
		t.Fatalf("readField: %v, want it to wrap the keychain's error", err)
	}
	said := msg.Of(err)
	if !said.Is("futu.field_unreadable") || said.Arg("Name") != "futu-key1" || !sub(said, "Field").Is("auth.field_access_token") || said.Arg("Err") != why.Error() {
		t.Errorf("readField said %v: want the credential and the secret as data, then the keychain's sentence", said)
	}
}
