package webull

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/webullsim"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	checkPath   = "/openapi/auth/token/check"
	createPath  = "/openapi/auth/token/create"
	refreshPath = "/openapi/auth/token/refresh"
)

// env is one sandbox Webull server over loopback and a provider wired to it.
type env struct {
	t       *testing.T
	clock   *clockwork.FakeClock
	sim     *webullsim.Server
	srv     *httptest.Server
	p       *Provider
	mem     *testutil.MemorySecrets
	s       auth.Secrets
	c       auth.Credential
	appKey  string
	appSecr string
}

func newEnv(t *testing.T, testEnv bool) *env {
	t.Helper()
	clock := clockwork.NewFakeClockAt(start)
	sim := webullsim.New(webullsim.Options{Clock: clock})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetBaseURL(srv.URL)
	key, sec := sim.AddApp(testEnv)
	mem := testutil.NewMemorySecrets()
	c := auth.Credential{ID: auth.NewID(), Name: "wb-test", Kind: auth.KindWebull, Endpoint: srv.URL,
		Region: "us", TestEnv: testEnv, AddedAt: start}
	s := auth.Bind(mem, c.ID)
	if err := s.Set(auth.FieldAppKey, key); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(auth.FieldAppSecret, sec); err != nil {
		t.Fatal(err)
	}
	p := NewProvider(Options{Clock: clock, HTTPClient: srv.Client(), SDKTokenBase: t.TempDir()})
	return &env{t: t, clock: clock, sim: sim, srv: srv, p: p, mem: mem, s: s, c: c, appKey: key, appSecr: sec}
}

func (e *env) token() string {
	v, _ := e.s.Get(auth.FieldWebullToken)
	return v
}

// events records LoginEvents from the login goroutine.
type events struct {
	mu  sync.Mutex
	evs []auth.LoginEvent
}

func (r *events) add(ev auth.LoginEvent) { r.mu.Lock(); r.evs = append(r.evs, ev); r.mu.Unlock() }
func (r *events) all() []auth.LoginEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]auth.LoginEvent(nil), r.evs...)
}

type loginResult struct {
	h   auth.Health
	err error
}

// login starts Provider.Login in the background on e.c.
func (e *env) login(ctx context.Context) (*events, <-chan loginResult) {
	rec := &events{}
	done := make(chan loginResult, 1)
	go func() {
		h, err := e.p.Login(ctx, &e.c, e.s, auth.LoginOptions{}, rec.add)
		done <- loginResult{h, err}
	}()
	return rec, done
}

// waitPolling blocks until the verification waits for its next check.
func (e *env) waitPolling(ctx context.Context) {
	e.t.Helper()
	if err := e.clock.BlockUntilContext(ctx, 1); err != nil {
		e.t.Fatalf("the verification never started waiting: %v", err)
	}
}

// confirmOnPhone enters the SMS code on the sandbox phone page.
func (e *env) confirmOnPhone(token string) {
	e.t.Helper()
	code, ok := e.sim.SMSCode(token)
	if !ok {
		e.t.Fatalf("no SMS code for the pending token")
	}
	resp, err := e.srv.Client().PostForm(e.srv.URL+"/sandbox/phone/verify", url.Values{"token": {token}, "code": {code}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("phone page answered %d", resp.StatusCode)
	}
}

// drive advances the clock by step whenever the verification waits, until
// Login returns.
func (e *env) drive(ctx context.Context, done <-chan loginResult, step time.Duration) loginResult {
	e.t.Helper()
	res := make(chan loginResult, 1)
	finished, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case r := <-done:
			res <- r
		case <-ctx.Done():
		}
		stop()
	}()
	for {
		err := e.clock.BlockUntilContext(finished, 1)
		select {
		case r := <-res:
			return r
		default:
		}
		if err != nil {
			e.t.Fatalf("login neither waited nor returned: %v", err)
		}
		e.clock.Advance(step)
	}
}

func TestLoginPendingThenNormalViaPhone(t *testing.T) {
	e := newEnv(t, false)
	e.c.ShareWithSDK = true
	e.c.SDKTokenDir = filepath.Join(t.TempDir(), "bots")
	ctx := testutil.Context(t, 20*time.Second)
	rec, done := e.login(ctx)
	e.waitPolling(ctx)

	evs := rec.all()
	last := evs[len(evs)-1]
	if last.Health.State != auth.Pending || !last.Health.Deadline.Equal(start.Add(5*time.Minute)) {
		t.Fatalf("while waiting: %+v, want Pending with the deadline at 5:00", last.Health)
	}
	if got := last.Health.SecondsLeft(e.clock.Now()); got != 300 {
		t.Errorf("seconds left = %d, want 300", got)
	}
	if steps := strings.Join(last.Steps, " "); !strings.Contains(steps, "Menu -> Messages -> OpenAPI Notifications") ||
		!strings.Contains(steps, "Check Now") || !strings.Contains(steps, "Confirm") {
		t.Errorf("steps do not tell the user what to do: %q", steps)
	}
	if len(last.Said) != len(VerifyStepMessages) || !last.Said[1].Is("webull.step_notifications") {
		t.Errorf("the steps are not given as messages: %v", last.Said)
	}
	if zh := last.StepsIn(msg.HongKongChinese); len(zh) != len(VerifySteps()) || zh[1] != msg.HongKongChinese.Render(VerifyStepMessages[1]) {
		t.Errorf("the steps in zh-HK: %q", zh)
	}
	pending := e.token()
	if info, _ := e.sim.Token(pending); info.Status != webullsim.StatusPending {
		t.Fatalf("stored token is %s at Webull, want the PENDING one", info.Status)
	}

	e.clock.Advance(5 * time.Second) // a poll while still pending
	e.waitPolling(ctx)
	if n := len(rec.all()); n <= len(evs) {
		t.Error("no progress event for the poll")
	}
	e.confirmOnPhone(pending)
	e.clock.Advance(5 * time.Second)
	r := <-done
	if r.err != nil || r.h.State != auth.OK {
		t.Fatalf("after confirming: %v %v", r.h, r.err)
	}
	if e.c.TokenStatus != StatusNormal || e.token() != pending || !e.c.ExpiresAt.Equal(start.Add(5*time.Second+15*24*time.Hour)) {
		t.Errorf("credential after verify: status %s expires %v", e.c.TokenStatus, e.c.ExpiresAt)
	}
	if got, err := e.p.Token(e.c, e.s); err != nil || got != pending {
		t.Errorf("Token() = %q, %v", got, err)
	}

	// The SDKs' token file: three lines, owner-only.
	raw, err := os.ReadFile(filepath.Join(e.c.SDKTokenDir, "token.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := pending + "\n" + strconv.FormatInt(e.c.ExpiresAt.UnixMilli(), 10) + "\nNORMAL\n"
	if string(raw) != want {
		t.Errorf("token.txt = %q, want %q", raw, want)
	}
	if fi, _ := os.Stat(filepath.Join(e.c.SDKTokenDir, "token.txt")); fi.Mode().Perm() != 0o600 {
		t.Errorf("token.txt mode %v, want 0600", fi.Mode().Perm())
	}
	vars, _, err := e.p.Env(e.c, e.s)
	if err != nil || vars[TokenDirEnv] != e.c.SDKTokenDir || vars[EnvAppKey] != e.appKey || vars[EnvAppSecret] != e.appSecr {
		t.Errorf("Env = %v, %v", vars, err)
	}
	// The Python SDK reads WEBULL_APP_KEY_ID/_SECRET; older scripts the short names.
	if vars["WEBULL_APP_KEY_ID"] != e.appKey || vars["WEBULL_APP_KEY_SECRET"] != e.appSecr ||
		vars["WEBULL_APP_KEY"] != e.appKey || vars["WEBULL_APP_SECRET"] != e.appSecr {
		t.Errorf("Env lacks the SDK's or the older variable names: %v", len(vars))
	}
}

func TestLoginExpiresAtFiveMinutes(t *testing.T) {
	e := newEnv(t, false)
	ctx := testutil.Context(t, 20*time.Second)
	rec, done := e.login(ctx)
	e.waitPolling(ctx)
	first := e.token()
	r := e.drive(ctx, done, 5*time.Second)
	if r.h.State != auth.ActionNeeded || !r.h.Why.Is("webull.window_ran_out") {
		t.Fatalf("at the deadline: %v", r.h)
	}
	var ue *auth.UserError
	if !errors.As(r.err, &ue) {
		t.Errorf("error %v is not for the user", r.err)
	}
	evs := rec.all()
	for _, ev := range evs[:len(evs)-1] {
		if ev.Health.State != auth.Pending {
			t.Errorf("before the end: %v", ev.Health)
		}
	}
	if end := evs[len(evs)-1].Health.CheckedAt; !end.Equal(start.Add(5 * time.Minute)) {
		t.Errorf("expired at %v, want exactly 5:00 after creation", end.Sub(start))
	}
	if n := e.sim.Count(checkPath); n != 60 {
		t.Errorf("%d checks in 5 minutes, want one every 5 s (60)", n)
	}
	if e.c.TokenStatus != StatusExpired {
		t.Errorf("token status %q", e.c.TokenStatus)
	}
	if h := e.p.Assess(e.c, e.clock.Now()); h.State != auth.ActionNeeded {
		t.Errorf("Assess after expiry: %v", h)
	}

	// One action gets a new token.
	ctx2, cancel := context.WithCancel(ctx)
	_, done2 := e.login(ctx2)
	e.waitPolling(ctx)
	if tok := e.token(); tok == first || tok == "" {
		t.Error("a new verification reused the expired token")
	}
	if code, ok := e.sim.SMSCode(e.token()); !ok || code == "" {
		t.Error("the new token is not PENDING")
	}
	cancel()
	if r := <-done2; !errors.Is(r.err, context.Canceled) || r.h.State != auth.ActionNeeded {
		t.Errorf("cancelled login: %v %v", r.h, r.err)
	}
}

func TestCancelledLoginResumesWithServerDeadline(t *testing.T) {
	e := newEnv(t, false)
	ctx := testutil.Context(t, 20*time.Second)
	ctx1, cancel := context.WithCancel(ctx)
	_, done := e.login(ctx1)
	e.waitPolling(ctx)
	tok := e.token()
	e.clock.Advance(2 * time.Minute) // the user wanders off, then cancels
	e.waitPolling(ctx)
	cancel()
	<-done

	rec, done2 := e.login(ctx)
	e.waitPolling(ctx)
	evs := rec.all()
	last := evs[len(evs)-1].Health
	if e.token() != tok {
		t.Error("the still pending token was replaced instead of reused")
	}
	if !last.Deadline.Equal(start.Add(5*time.Minute)) || last.SecondsLeft(e.clock.Now()) > 180 {
		t.Errorf("deadline %v, %d s left; want the server's 5:00 from creation", last.Deadline.Sub(start), last.SecondsLeft(e.clock.Now()))
	}
	e.confirmOnPhone(tok)
	e.clock.Advance(5 * time.Second)
	if r := <-done2; r.err != nil || e.c.TokenStatus != StatusNormal {
		t.Fatalf("resumed login: %v %v", r.h, r.err)
	}
}

func TestTestEnvironmentIsNormalAtOnce(t *testing.T) {
	e := newEnv(t, true)
	rec, done := e.login(testutil.Context(t, 20*time.Second))
	r := <-done
	if r.err != nil || r.h.State != auth.OK || !has(r.h.Why, "webull.test_env_at_once_until") {
		t.Fatalf("test env login: %v %v", r.h, r.err)
	}
	for _, ev := range rec.all() {
		if !ev.Health.Deadline.IsZero() || len(ev.Steps) > 0 {
			t.Errorf("a countdown was shown in the test environment: %+v", ev)
		}
	}
	if e.sim.Count(checkPath) != 0 {
		t.Error("polled although the token was NORMAL at once")
	}
}

func TestRateLimitBacksOff(t *testing.T) {
	e := newEnv(t, false)
	ctx := testutil.Context(t, 20*time.Second)
	rec, done := e.login(ctx)
	e.waitPolling(ctx)
	// Another program spends this app key's 10 checks in the window.
	cl, err := e.p.NewClient(e.c, e.s)
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if _, err := cl.Check(ctx, e.token()); err != nil {
			t.Fatal(err)
		}
	}
	base := e.sim.Count(checkPath)
	e.clock.Advance(5 * time.Second) // check -> 429
	e.waitPolling(ctx)
	if e.sim.Count(checkPath) != base+1 {
		t.Fatal("no check was made")
	}
	last := rec.all()[len(rec.all())-1].Health
	if last.State != auth.Pending || !has(last.Why, "webull.rate_limited") {
		t.Errorf("after a 429: %v", last)
	}
	e.clock.Advance(5 * time.Second) // the usual interval: backing off, so no check
	if err := e.clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if e.sim.Count(checkPath) != base+1 {
		t.Error("checked again after 5 s although rate limited")
	}
	e.clock.Advance(5 * time.Second) // 10 s back-off over, still inside the window -> 429 again
	e.waitPolling(ctx)
	if e.sim.Count(checkPath) != base+2 {
		t.Fatal("no check after the back-off")
	}
	e.clock.Advance(15 * time.Second) // back-off doubled to 20 s
	e.clock.BlockUntilContext(ctx, 1)
	if e.sim.Count(checkPath) != base+2 {
		t.Error("back-off did not grow")
	}
	e.confirmOnPhone(e.token())
	e.clock.Advance(5 * time.Second)
	if r := <-done; r.err != nil || r.h.State != auth.OK {
		t.Fatalf("after back-off: %v %v", r.h, r.err)
	}
}

func TestWrongSecretIsAClearSentence(t *testing.T) {
	e := newEnv(t, false)
	e.s.Set(auth.FieldAppSecret, "test-app-secret-0001")
	_, done := e.login(testutil.Context(t, 20*time.Second))
	r := <-done
	if r.h.State != auth.Broken || !has(r.h.Why, "webull.bad_signature") || !errSays(r.err, "webull.bad_signature") {
		t.Errorf("login with a wrong secret: %v / %v", r.h, r.err)
	}
	e.s.Set(auth.FieldWebullToken, "0123456789abcdef0123456789abcdef")
	e.c.TokenStatus = StatusNormal
	h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if h.State != auth.Broken || err == nil || !errSays(err, "webull.bad_signature") {
		t.Errorf("refresh with a wrong secret: %v / %v", h, err)
	}
	if e.token() != "0123456789abcdef0123456789abcdef" {
		t.Error("a rejected signature deleted the stored token")
	}
}

func TestClockSkewIsExplained(t *testing.T) {
	e := newEnv(t, true)
	<-func() <-chan loginResult { _, d := e.login(testutil.Context(t, 20*time.Second)); return d }()
	e.sim.SetSkew(10 * time.Minute)
	h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if h.State != auth.ActionNeeded || !hasArg(h.Why, "webull.skew_behind", "By", "10 minutes") || err == nil {
		t.Errorf("with a skewed clock: %v / %v", h, err)
	}
}

// verified returns an env whose credential holds a NORMAL test-env token.
func verified(t *testing.T) *env {
	e := newEnv(t, true)
	_, done := e.login(testutil.Context(t, 20*time.Second))
	if r := <-done; r.err != nil {
		t.Fatal(r.err)
	}
	return e
}

func TestRefreshReusesAndRenews(t *testing.T) {
	e := verified(t)
	e.c.ShareWithSDK = true
	tok := e.token()

	// Verifying again with a NORMAL token stored reuses it: no new SMS.
	_, done := e.login(testutil.Context(t, 20*time.Second))
	if r := <-done; r.err != nil || e.token() != tok || e.sim.Count(createPath) != 2 || len(e.sim.Tokens()) != 1 {
		t.Fatalf("second login: %v, %d tokens at Webull", r.err, len(e.sim.Tokens()))
	}

	e.clock.Advance(24 * time.Hour)
	h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if err != nil || h.State != auth.OK || e.token() != tok || e.sim.Count(refreshPath) != 0 || e.sim.Count(createPath) != 2 {
		t.Fatalf("refresh far from expiry: %v %v (refresh calls %d)", h, err, e.sim.Count(refreshPath))
	}
	if !e.c.LastUsed.Equal(e.clock.Now()) {
		t.Error("a check did not count as use")
	}

	e.clock.Advance(11*24*time.Hour + time.Hour) // within 3 days of expiry
	if h := e.p.Assess(e.c, e.clock.Now()); h.State != auth.Expiring {
		t.Errorf("Assess near expiry: %v", h)
	}
	h, err = e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if err != nil || h.State != auth.OK || e.sim.Count(refreshPath) != 1 {
		t.Fatalf("renewal: %v %v", h, err)
	}
	if e.token() != tok || !e.c.ExpiresAt.Equal(e.clock.Now().Add(15*24*time.Hour)) {
		t.Errorf("same-token renewal: expires %v", e.c.ExpiresAt)
	}

	e.sim.SetRenewNewToken(true)
	h, err = e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{Force: true})
	if err != nil || h.State != auth.OK {
		t.Fatalf("forced renewal: %v %v", h, err)
	}
	nt := e.token()
	if nt == tok || nt == "" {
		t.Fatal("the new token was not stored")
	}
	if info, _ := e.sim.Token(tok); info.Status != webullsim.StatusInvalid {
		t.Errorf("old token is %s", info.Status)
	}
	ti, err := ReadTokenFile(e.p.SDKTokenDir(e.c))
	if err != nil || ti.Token != nt || ti.Status != StatusNormal || !ti.Expires.Equal(e.c.ExpiresAt) {
		t.Errorf("token.txt after renewal: %+v %v", ti, err)
	}
	// A bot's call with the new token works.
	cl, _ := e.p.NewClient(e.c, e.s)
	cl.AccessToken = nt
	if err := cl.Do(testutil.Context(t, 20*time.Second), http.MethodGet, "/openapi/account/list", nil, nil, nil); err != nil {
		t.Errorf("API call with the renewed token: %v", err)
	}
}

func TestRenewalFailures(t *testing.T) {
	e := verified(t)
	tok := e.token()
	e.clock.Advance(13 * 24 * time.Hour)

	e.sim.Faults().Set(refreshPath, fault.Rule{Status: http.StatusServiceUnavailable, Times: 1})
	h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if h.State != auth.Unknown || err == nil || !hasArg(h.Why, "webull.renew_failed_until", "Until", FormatTime(e.c.ExpiresAt)) {
		t.Errorf("transient renewal failure: %v / %v", h, err)
	}
	if e.token() != tok || e.c.TokenStatus != StatusNormal {
		t.Error("a transient failure changed the stored token")
	}

	// A refused renewal keeps the token (it was just checked NORMAL) and
	// warns, with the verification to do before it expires.
	e.sim.Faults().Set(refreshPath, fault.Rule{Status: http.StatusExpectationFailed, Times: 1})
	h, err = e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if h.State != auth.Expiring || err != nil || !hasArg(h.Why, "webull.renew_refused_expiring", "At", FormatTime(e.c.ExpiresAt)) || h.Next != auth.Next(auth.ActionVerify, e.c.Name) {
		t.Errorf("refused renewal: %v %+v / %v", h, h.Next, err)
	}
	if e.token() != tok || e.c.TokenStatus != StatusNormal || !e.c.RenewUnavailable {
		t.Errorf("a refused renewal: token kept %v, status %s, renewal unavailable %v", e.token() == tok, e.c.TokenStatus, e.c.RenewUnavailable)
	}

	// The broker is not asked again on its own, only when forced.
	before := e.sim.Count(refreshPath)
	if h, _ := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{}); e.sim.Count(refreshPath) != before || h.State != auth.Expiring {
		t.Errorf("a refresh after a refusal asked again (%d calls) or changed health: %v", e.sim.Count(refreshPath)-before, h)
	}
	if h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{Force: true}); err != nil || h.State != auth.OK || e.c.RenewUnavailable {
		t.Errorf("forced renewal after the refusal: %v %v (renewal unavailable %v)", h, err, e.c.RenewUnavailable)
	}
}

func TestInvalidAfterFifteenIdleDays(t *testing.T) {
	e := verified(t)
	used := e.c.LastUsed
	e.clock.Advance(12 * 24 * time.Hour)
	if h := e.p.Assess(e.c, e.clock.Now()); h.State != auth.Expiring {
		t.Errorf("Assess after 12 idle days: %v", h)
	}
	e.clock.Advance(3 * 24 * time.Hour)
	h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if h.State != auth.ActionNeeded || !hasArg(h.Why, "webull.invalid_idle", "LastUsed", FormatTime(used)) || err == nil {
		t.Errorf("after 15 idle days: %v / %v", h, err)
	}
	if _, err := e.p.Token(e.c, e.s); err == nil {
		t.Error("Token() handed out an INVALID token")
	}
	// A new verification starts from scratch.
	_, done := e.login(testutil.Context(t, 20*time.Second))
	if r := <-done; r.err != nil || e.token() == "" || e.c.TokenStatus != StatusNormal {
		t.Errorf("new token after INVALID: %v", r.err)
	}
}

func TestMalformedAndFailingAnswers(t *testing.T) {
	e := verified(t)
	tok, status, exp := e.token(), e.c.TokenStatus, e.c.ExpiresAt
	for name, rule := range map[string]fault.Rule{
		"malformed": {Malformed: true, Times: 1},
		"500":       {Status: 500, Times: 1},
		"reset":     {Reset: true, Times: 1},
	} {
		e.sim.Faults().Set(checkPath, rule)
		h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
		if h.State != auth.Unknown || err == nil || h.Reason == "" {
			t.Errorf("%s: %v / %v", name, h, err)
		}
		// No answer reads as every broker's does, with nothing changed.
		if name == "reset" {
			if m, ok := testutil.FindMsg(h.Why, "auth.no_answer"); !ok || m.Arg("Broker") != "Webull" || !has(h.Why, "note.retry") {
				t.Errorf("a connection reset: %#v, want auth.no_answer for Webull with the retry note", h.Why)
			}
		}
		if e.token() != tok || e.c.TokenStatus != status || !e.c.ExpiresAt.Equal(exp) {
			t.Errorf("%s changed the stored credential", name)
		}
	}

	// During a verification a malformed answer only delays it.
	e2 := newEnv(t, false)
	ctx := testutil.Context(t, 20*time.Second)
	rec, done := e2.login(ctx)
	e2.waitPolling(ctx)
	e2.sim.Faults().Set(checkPath, fault.Rule{Malformed: true, Times: 1})
	e2.clock.Advance(5 * time.Second)
	e2.waitPolling(ctx)
	if last := rec.all()[len(rec.all())-1].Health; last.State != auth.Pending || !has(last.Why, "webull.malformed") {
		t.Errorf("malformed answer while pending: %v", last)
	}
	e2.confirmOnPhone(e2.token())
	e2.clock.Advance(10 * time.Second)
	if r := <-done; r.err != nil {
		t.Errorf("verification after a malformed answer: %v", r.err)
	}
}

func TestSigningVerifiedBySandbox(t *testing.T) {
	for _, alg := range []string{"HMAC-SHA1", "HMAC-SHA256"} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, true)
			e.c.SignAlgorithm = alg
			cl, err := e.p.NewClient(e.c, e.s)
			if err != nil {
				t.Fatal(err)
			}
			// POST with a body Go would escape by default.
			ti, err := cl.Create(testutil.Context(t, 20*time.Second), "no<such>&token")
			if err != nil || ti.Status != StatusNormal {
				t.Fatalf("signed POST: %+v %v", ti, err)
			}
			// GET with a query, spaces and repeated signing-sensitive characters.
			cl.AccessToken = ti.Token
			var out struct {
				Accounts []map[string]any `json:"accounts"`
			}
			q := url.Values{"B": {"two words"}, "a": {"x/y&z=1"}}
			if err := cl.Do(testutil.Context(t, 20*time.Second), http.MethodGet, "/openapi/account/list", q, nil, &out); err != nil || len(out.Accounts) == 0 {
				t.Fatalf("signed GET: %v %v", out, err)
			}
		})
	}
}

func TestNewerPathsAndExpiresAt(t *testing.T) {
	clock := clockwork.NewFakeClockAt(start)
	sim := webullsim.New(webullsim.Options{Clock: clock, ExpiresAt: true})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	key, sec := sim.AddApp(true)
	cl := &Client{Base: mustURL(srv.URL), HTTP: srv.Client(), Clock: clock, newPaths: true,
		Signer: Signer{AppKey: key, AppSecret: sec, Algorithm: HMACSHA256}}
	ti, err := cl.Create(testutil.Context(t, 20*time.Second), "")
	if err != nil || !ti.Expires.Equal(start.Add(15*24*time.Hour)) || sim.Count("/auth/tokens/create") != 1 {
		t.Errorf("create on /auth/tokens: %+v %v", ti, err)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
