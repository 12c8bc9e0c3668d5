package webullsim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tokentray/auth/sandbox/fault"
)

func strp(s string) *string { return &s }

func TestSignedRequestAcceptedAndEachBrokenPartRejected(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(false)
	ok := a.do(sreq{path: pCreate, query: "lang=en", body: "{}"})
	if ok.status != http.StatusOK || ok.json["status"] != "PENDING" {
		t.Fatalf("correctly signed create: %d %s", ok.status, ok.raw)
	}

	cases := []struct {
		name   string
		r      sreq
		status int
		code   string
	}{
		{"wrong secret", sreq{signSecret: "test-app-secret-0001"}, 401, "INCORRECT_SIGN"},
		{"altered body", sreq{sendBody: strp(`{"token":"x"}`)}, 401, "INCORRECT_SIGN"},
		{"altered query", sreq{sendQuery: strp("lang=zh")}, 401, "INCORRECT_SIGN"},
		{"added query", sreq{sendQuery: strp("lang=en&extra=1")}, 401, "INCORRECT_SIGN"},
		{"missing x-signature", sreq{omit: "x-signature"}, 401, "MISSING_SIGNATURE"},
		{"missing nonce", sreq{omit: "x-signature-nonce"}, 401, "MISSING_SIGNATURE"},
		{"missing timestamp", sreq{omit: "x-timestamp"}, 401, "MISSING_SIGNATURE"},
		{"old timestamp", sreq{tsOffset: -5*time.Minute - time.Second}, 401, "CLOCK_SKEW_EXCEEDED"},
		{"future timestamp", sreq{tsOffset: 6 * time.Minute}, 401, "CLOCK_SKEW_EXCEEDED"},
		{"unknown app key", sreq{after: func(h http.Header) { h.Set("x-app-key", "00000000000000000000000000000000") }}, 401, "UNAUTHORIZED"},
		{"declared algorithm differs", sreq{after: func(h http.Header) { h.Set("x-signature-algorithm", AlgorithmSHA256) }}, 401, "INCORRECT_SIGN"},
		{"bad signature version", sreq{after: func(h http.Header) { h.Set("x-signature-version", "2.0") }}, 401, "INCORRECT_SIGN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.r.path, c.r.query, c.r.body = pCreate, "lang=en", "{}"
			wantError(t, a.do(c.r), c.status, c.code)
		})
	}
	if n := len(e.sim.Tokens()); n != 1 {
		t.Errorf("rejected requests created tokens: %d tokens, want 1", n)
	}

	t.Run("timestamp at the edge of the window", func(t *testing.T) {
		if r := a.do(sreq{path: pCreate, body: "{}", tsOffset: -5 * time.Minute}); r.status != 200 {
			t.Fatalf("5 minutes old: %d %s", r.status, r.raw)
		}
	})
	t.Run("reused nonce", func(t *testing.T) {
		first := a.do(sreq{path: pCreate, body: "{}", nonce: "fixed-nonce-0001"})
		if first.status != 200 {
			t.Fatalf("first use: %d %s", first.status, first.raw)
		}
		wantError(t, a.do(sreq{path: pCreate, body: "{}", nonce: "fixed-nonce-0001"}), 401, "UNAUTHORIZED")
		// Past the nonce memory the timestamp window still stops a replay.
		e.clock.Advance(NonceMemory + time.Minute)
		wantError(t, a.do(sreq{path: pCreate, body: "{}", nonce: "fixed-nonce-0001", tsOffset: -NonceMemory - time.Minute}), 401, "CLOCK_SKEW_EXCEEDED")
	})
	t.Run("nonce of a rejected request stays usable", func(t *testing.T) {
		wantError(t, a.do(sreq{path: pCreate, body: "{}", nonce: "fixed-nonce-0002", signSecret: "test-app-secret-0001"}), 401, "INCORRECT_SIGN")
		if r := a.do(sreq{path: pCreate, body: "{}", nonce: "fixed-nonce-0002"}); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})
}

func TestBothAlgorithms(t *testing.T) {
	e := newEnv(t, Options{})
	for _, algo := range []string{AlgorithmSHA1, AlgorithmSHA256} {
		t.Run(algo, func(t *testing.T) {
			a := e.app(true)
			a.algo = algo
			tk := a.create("")
			wantStatus(t, tk, StatusNormal)
			if r := a.do(sreq{method: http.MethodGet, path: pList, query: "page=1&size=10", accessToken: tk.Token}); r.status != 200 {
				t.Fatalf("GET with query: %d %s", r.status, r.raw)
			}
		})
	}
	// A SHA-256 signature declared as SHA-1 must fail: the declared algorithm is the one checked.
	a := e.app(true)
	a.algo = AlgorithmSHA256
	wantError(t, a.do(sreq{path: pCreate, body: "{}", after: func(h http.Header) { h.Set("x-signature-algorithm", AlgorithmSHA1) }}), 401, "INCORRECT_SIGN")
}

var smsCode = regexp.MustCompile(`data-token="([0-9a-f]{32})">\s*<div class="from">[^<]*</div>\s*[^<]*<span class="code">(\d{6})</span>`)

// phoneCode reads the SMS code for token off the phone page, as the user does.
func (e *env) phoneCode(token string) (string, string) {
	e.t.Helper()
	page := e.get("/sandbox/phone")
	for _, m := range smsCode.FindAllStringSubmatch(page.raw, -1) {
		if m[1] == token {
			return m[2], page.raw
		}
	}
	return "", page.raw
}

func (e *env) get(path string) resp {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+path, nil)
	return e.send(req)
}

func (e *env) postForm(path string, form url.Values) resp {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.send(req)
}

func TestPendingToNormalThroughPhonePage(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(false)
	tk := a.create("")
	wantStatus(t, tk, StatusPending)
	if tk.Expires != ms(start.Add(5*time.Minute)) {
		t.Errorf("PENDING expires %d, want created+5 min %d", tk.Expires, ms(start.Add(5*time.Minute)))
	}
	if len(tk.Token) != 32 {
		t.Errorf("token %q is not 32 hex", tk.Token)
	}
	wantError(t, a.list(tk.Token), 401, "INVALID_TOKEN")

	code, page := e.phoneCode(tk.Token)
	if code == "" {
		t.Fatalf("phone page shows no code for the token:\n%s", page)
	}
	for _, want := range []string{"Menu → Messages → OpenAPI Notifications", "Check Now", "Confirm", `action="/sandbox/phone/verify"`, "PENDING"} {
		if !strings.Contains(page, want) {
			t.Errorf("phone page lacks %q", want)
		}
	}

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	bad := e.postForm("/sandbox/phone/verify", url.Values{"token": {tk.Token}, "code": {wrong}})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.raw, "wrong verification code") {
		t.Fatalf("wrong code: %d, page without the error", bad.status)
	}
	wantStatus(t, a.check(tk.Token), StatusPending)

	e.clock.Advance(2 * time.Minute)
	done := e.postForm("/sandbox/phone/verify", url.Values{"token": {tk.Token}, "code": {code}})
	if done.status != http.StatusOK || !strings.Contains(done.raw, "is now NORMAL") {
		t.Fatalf("confirm: %d %s", done.status, done.raw)
	}
	got := a.check(tk.Token)
	wantStatus(t, got, StatusNormal)
	if got.Token != tk.Token || got.Expires != ms(start.Add(2*time.Minute+TokenTTL)) {
		t.Errorf("NORMAL token %s expires %d, want same token expiring verified+15 days %d", got.Token, got.Expires, ms(start.Add(2*time.Minute+TokenTTL)))
	}
	if r := a.list(tk.Token); r.status != 200 || r.json["accounts"] == nil {
		t.Fatalf("account list with a NORMAL token: %d %s", r.status, r.raw)
	}
	if c, _ := e.phoneCode(tk.Token); c != "" {
		t.Error("phone page still shows the code of a verified token")
	}
}

func TestPendingExpiresAfterFiveMinutes(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(false)
	tk := a.create("")
	code, _ := e.sim.SMSCode(tk.Token)
	e.clock.Advance(4*time.Minute + 59*time.Second)
	wantStatus(t, a.check(tk.Token), StatusPending)
	e.clock.Advance(time.Second)
	wantStatus(t, a.check(tk.Token), StatusExpired)
	if err := e.sim.Verify(tk.Token, code); err == nil {
		t.Fatal("an expired token was verified")
	}
	r := e.postForm("/sandbox/phone/verify", url.Values{"token": {tk.Token}, "code": {code}})
	if r.status != http.StatusBadRequest || !strings.Contains(r.raw, "EXPIRED") {
		t.Fatalf("phone confirm of an expired token: %d", r.status)
	}
	// Creating with the stale token gives a fresh PENDING one.
	n := a.create(tk.Token)
	if n.Token == tk.Token {
		t.Fatal("create returned the expired token")
	}
	wantStatus(t, n, StatusPending)
}

// verified creates a token and confirms it through the server.
func (a *testApp) verified() tok {
	a.e.t.Helper()
	tk := a.create("")
	code, ok := a.e.sim.SMSCode(tk.Token)
	if !ok {
		a.e.t.Fatal("no SMS code for a new token")
	}
	if err := a.e.sim.Verify(tk.Token, code); err != nil {
		a.e.t.Fatal(err)
	}
	return tk
}

func TestIdleAndExpiry(t *testing.T) {
	day := 24 * time.Hour
	t.Run("15 idle days make it INVALID", func(t *testing.T) {
		e := newEnv(t, Options{})
		a := e.app(false)
		tk := a.verified()
		e.clock.Advance(15*day - time.Second)
		if info, _ := e.sim.Token(tk.Token); info.Status != StatusNormal {
			t.Fatalf("after 15 days less a second: %s", info.Status)
		}
		e.clock.Advance(time.Second)
		wantStatus(t, a.check(tk.Token), StatusInvalid)
		wantError(t, a.list(tk.Token), 401, "INVALID_TOKEN")
	})
	t.Run("a call every 14 days keeps it NORMAL", func(t *testing.T) {
		e := newEnv(t, Options{})
		a := e.app(false)
		tk := a.verified()
		e.clock.Advance(14 * day)
		if r := a.list(tk.Token); r.status != 200 {
			t.Fatalf("account list on day 14: %d %s", r.status, r.raw)
		}
		e.clock.Advance(14 * day)
		got := a.check(tk.Token)
		wantStatus(t, got, StatusNormal)
		// Only a refresh moves expires; plain calls leave it where verification put it.
		if got.Expires != ms(start.Add(TokenTTL)) {
			t.Errorf("expires moved without a refresh: %d, want %d", got.Expires, ms(start.Add(TokenTTL)))
		}
		e.clock.Advance(15 * day) // idle since the check
		wantStatus(t, a.check(tk.Token), StatusInvalid)
	})
	t.Run("strict expires ends a used token that was never refreshed", func(t *testing.T) {
		e := newEnv(t, Options{StrictExpires: true})
		a := e.app(false)
		tk := a.verified()
		for i := 1; i < 15; i++ {
			e.clock.Advance(day)
			if r := a.list(tk.Token); r.status != 200 {
				t.Fatalf("day %d: %d %s", i, r.status, r.raw)
			}
		}
		e.clock.Advance(day)
		wantStatus(t, a.check(tk.Token), StatusInvalid)
	})
	t.Run("strict expires: a refresh keeps it going", func(t *testing.T) {
		e := newEnv(t, Options{StrictExpires: true})
		a := e.app(false)
		tk := a.verified()
		e.clock.Advance(14 * day)
		wantStatus(t, a.refresh(tk.Token), StatusNormal)
		e.clock.Advance(14 * day)
		wantStatus(t, a.check(tk.Token), StatusNormal)
		e.clock.Advance(day) // day 29: the refreshed expires
		wantStatus(t, a.check(tk.Token), StatusInvalid)
	})
}

func TestRefresh(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(false)
	tk := a.verified()
	e.clock.Advance(24 * time.Hour)

	same := a.refresh(tk.Token)
	wantStatus(t, same, StatusNormal)
	if same.Token != tk.Token || same.Expires != ms(e.clock.Now().Add(TokenTTL)) {
		t.Fatalf("refresh: token changed=%v expires %d, want %d", same.Token != tk.Token, same.Expires, ms(e.clock.Now().Add(TokenTTL)))
	}
	if _, ok := e.sim.SMSCode(tk.Token); ok {
		t.Error("refresh asked for a new SMS code")
	}

	e.sim.SetRenewNewToken(true)
	e.clock.Advance(time.Hour)
	renewed := a.refresh(tk.Token)
	wantStatus(t, renewed, StatusNormal)
	if renewed.Token == tk.Token || len(renewed.Token) != 32 {
		t.Fatalf("RenewNewToken: got token %q", renewed.Token)
	}
	if renewed.Expires != ms(e.clock.Now().Add(TokenTTL)) {
		t.Errorf("renewed expires %d", renewed.Expires)
	}
	wantStatus(t, a.check(tk.Token), StatusInvalid)
	wantError(t, a.list(tk.Token), 401, "INVALID_TOKEN")
	if r := a.list(renewed.Token); r.status != 200 {
		t.Fatalf("new token rejected: %d %s", r.status, r.raw)
	}
	// The old one cannot be refreshed again.
	wantStatus(t, a.refresh(tk.Token), StatusInvalid)

	// A PENDING token is not renewed.
	p := a.create("")
	got := a.refresh(p.Token)
	wantStatus(t, got, StatusPending)
	if got.Expires != p.Expires {
		t.Errorf("refresh moved a PENDING token's expires")
	}
}

func TestCreateWithStoredToken(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(false)

	p := a.create("")
	again := a.create(p.Token)
	if again.Token != p.Token || again.Status != "PENDING" {
		t.Fatalf("stored PENDING token not returned: %+v", again)
	}

	other := e.app(false)
	if got := other.create(p.Token); got.Token == p.Token {
		t.Fatal("another app's token was handed out")
	}

	n := a.verified()
	if got := a.create(n.Token); got.Token != n.Token || got.Status != "NORMAL" {
		t.Fatalf("stored NORMAL token not returned: %+v", got)
	}

	// Handing out a stored NORMAL token is a use: it resets the idle clock.
	e.clock.Advance(14 * 24 * time.Hour)
	a.create(n.Token)
	e.clock.Advance(14 * 24 * time.Hour)
	if info, _ := e.sim.Token(n.Token); info.Status != StatusNormal {
		t.Fatalf("14 days after create with the stored token: %s", info.Status)
	}

	e.sim.Invalidate(n.Token)
	if got := a.create(n.Token); got.Token == n.Token || got.Status != "PENDING" {
		t.Fatalf("invalidated token not replaced: %+v", got)
	}

	if got := a.create("ffffffffffffffffffffffffffffffff"); got.Token == "ffffffffffffffffffffffffffffffff" {
		t.Fatal("unknown token echoed as new")
	}
}

func TestTestEnvironmentTokensAreNormalAtOnce(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(true)
	tk := a.create("")
	wantStatus(t, tk, StatusNormal)
	if tk.Expires != ms(start.Add(TokenTTL)) {
		t.Errorf("expires %d, want %d", tk.Expires, ms(start.Add(TokenTTL)))
	}
	if _, ok := e.sim.SMSCode(tk.Token); ok {
		t.Error("test environment token has an SMS code")
	}
	if r := a.list(tk.Token); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
}

func TestCheckRateLimit(t *testing.T) {
	e := newEnv(t, Options{})
	a, b := e.app(true), e.app(true)
	tk := a.create("")
	for i := 0; i < CheckLimit; i++ {
		a.check(tk.Token)
		e.clock.Advance(time.Second)
	}
	over := a.do(sreq{path: pCheck, body: `{"token":"` + tk.Token + `"}`})
	wantError(t, over, http.StatusTooManyRequests, "TOO_MANY_REQUESTS")
	// Other app keys and other calls are not limited.
	b.check(b.create("").Token)
	if r := a.list(tk.Token); r.status != 200 {
		t.Fatalf("account list limited: %d", r.status)
	}
	// The window slides: 30 s after the first check one more is allowed, but not two.
	e.clock.Advance(CheckWindow - CheckLimit*time.Second)
	wantStatus(t, a.check(tk.Token), StatusNormal)
	wantError(t, a.do(sreq{path: pCheck, body: `{"token":"` + tk.Token + `"}`}), 429, "TOO_MANY_REQUESTS")
	// Both path families share the limit.
	wantError(t, a.do(sreq{path: "/auth/tokens/check", body: `{"token":"` + tk.Token + `"}`}), 429, "TOO_MANY_REQUESTS")
}

func TestUnknownTokenIsInvalid(t *testing.T) {
	e := newEnv(t, Options{})
	a, b := e.app(true), e.app(true)
	got := a.check("0123456789abcdef0123456789abcdef")
	wantStatus(t, got, StatusInvalid)
	if got.Expires != 0 {
		t.Errorf("unknown token expires %d", got.Expires)
	}
	// A token is scoped to its app key.
	wantStatus(t, b.check(a.create("").Token), StatusInvalid)
}

func TestBothPathFamiliesAnswerExpiresInUnixMillis(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(false)
	for _, fam := range []string{"/openapi/auth/token/", "/auth/tokens/"} {
		t.Run(fam, func(t *testing.T) {
			r := a.do(sreq{path: fam + "create", body: "{}"})
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			exp, ok := r.json["expires"].(float64)
			if !ok || int64(exp) != ms(e.clock.Now().Add(PendingTTL)) {
				t.Fatalf("expires %v, want %d", r.json["expires"], ms(e.clock.Now().Add(PendingTTL)))
			}
			tkn := r.json["token"].(string)
			code, _ := e.sim.SMSCode(tkn)
			if err := e.sim.Verify(tkn, code); err != nil {
				t.Fatal(err)
			}
			for _, op := range []string{"check", "refresh"} {
				got := a.call(fam+op, tkn)
				wantStatus(t, got, StatusNormal)
				if got.Expires != ms(e.clock.Now().Add(TokenTTL)) {
					t.Errorf("%s expires %d, want %d", op, got.Expires, ms(e.clock.Now().Add(TokenTTL)))
				}
			}
		})
	}
}

func TestExpiresAtOptionOnNewerPaths(t *testing.T) {
	e := newEnv(t, Options{ExpiresAt: true})
	a := e.app(true)
	newer := a.do(sreq{path: "/auth/tokens/create", body: "{}"})
	if v, ok := newer.json["expires_at"].(float64); !ok || int64(v) != ms(start.Add(TokenTTL)) {
		t.Fatalf("newer path: %s", newer.raw)
	}
	older := a.do(sreq{path: pCreate, body: "{}"})
	if _, ok := older.json["expires"]; !ok {
		t.Fatalf("older path: %s", older.raw)
	}
}

func TestBadParametersAndAccessToken(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(false)
	wantError(t, a.do(sreq{path: pCheck, body: `{"token":`}), 417, "INVALID_PARAMETER")
	wantError(t, a.do(sreq{path: pCheck, body: `{}`}), 417, "INVALID_PARAMETER")
	wantError(t, a.do(sreq{path: pRefresh, body: `[1]`}), 417, "INVALID_PARAMETER")
	wantError(t, a.do(sreq{path: pCreate, body: "{}", tsOffset: 0, after: func(h http.Header) { h.Set("x-timestamp", "yesterday") }}), 417, "INVALID_PARAMETER")
	wantError(t, a.list(""), 401, "INVALID_TOKEN")
	wantError(t, a.list(a.create("").Token), 401, "INVALID_TOKEN")
}

func TestSkewAndDateHeader(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(true)
	r := e.get("/sandbox/phone")
	if d, err := http.ParseTime(r.header.Get("Date")); err != nil || !d.Equal(start) {
		t.Fatalf("Date %q, want %s", r.header.Get("Date"), start)
	}
	e.sim.SetSkew(10 * time.Minute)
	r = a.do(sreq{path: pCreate, body: "{}"})
	wantError(t, r, 401, "CLOCK_SKEW_EXCEEDED")
	d, err := http.ParseTime(r.header.Get("Date"))
	if err != nil || !d.Equal(start.Add(10*time.Minute)) {
		t.Fatalf("Date %q, want the skewed server time", r.header.Get("Date"))
	}
	// A client that corrects its clock from Date gets through.
	if r := a.do(sreq{path: pCreate, body: "{}", tsOffset: d.Sub(e.clock.Now())}); r.status != 200 {
		t.Fatalf("corrected client: %d %s", r.status, r.raw)
	}
}

func TestFaultsAndCount(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(true)
	tk := a.create("")

	e.sim.Faults().Set(pCheck, fault.Rule{Status: http.StatusServiceUnavailable, Times: 1})
	e.sim.Faults().Set("/sandbox/phone", fault.Rule{Status: http.StatusInternalServerError})
	if r := a.do(sreq{path: pCheck, body: `{"token":"` + tk.Token + `"}`}); r.status != http.StatusServiceUnavailable {
		t.Fatalf("fault not applied: %d", r.status)
	}
	wantStatus(t, a.check(tk.Token), StatusNormal)
	if r := e.get("/sandbox/phone"); r.status != 200 {
		t.Fatalf("a fault reached the phone page: %d", r.status)
	}

	// The admin API over HTTP.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, e.srv.URL+"/sandbox/faults",
		strings.NewReader(`{"path":"`+pList+`","rule":{"status":500}}`))
	if r := e.send(req); r.status != http.StatusNoContent {
		t.Fatalf("PUT /sandbox/faults: %d %s", r.status, r.raw)
	}
	if r := a.list(tk.Token); r.status != 500 {
		t.Fatalf("fault set over HTTP not applied: %d", r.status)
	}
	if !strings.Contains(e.get("/sandbox/faults").raw, pList) {
		t.Error("GET /sandbox/faults does not list the rule")
	}

	if n := e.sim.Count(pCheck); n != 2 {
		t.Errorf("Count(check) = %d, want 2", n)
	}
	if n := e.sim.Count(pCreate); n != 1 {
		t.Errorf("Count(create) = %d, want 1", n)
	}
}

func TestPhonePageEscapesEverything(t *testing.T) {
	e := newEnv(t, Options{})
	e.sim.PutApp(`<b>app</b>"&`, "test-app-secret-0001", false)
	if _, err := e.sim.IssueToken(`<b>app</b>"&`); err != nil {
		t.Fatal(err)
	}
	e.sim.SetBaseURL(`http://x/"><script>alert(1)</script>`)
	page := e.get("/sandbox/phone?verified=" + url.QueryEscape("<img src=x onerror=alert(1)>"))
	for _, raw := range []string{"<b>app", "<script>alert", "<img src=x"} {
		if strings.Contains(page.raw, raw) {
			t.Errorf("phone page contains unescaped %q", raw)
		}
	}
	if !strings.Contains(page.raw, "&lt;img src=x") {
		t.Error("notice not shown escaped")
	}
	bad := e.postForm("/sandbox/phone/verify", url.Values{"token": {"<i>x"}, "code": {"123456"}})
	if bad.status != http.StatusBadRequest || strings.Contains(bad.raw, "<i>x") || !strings.Contains(bad.raw, "&lt;i&gt;x") {
		t.Errorf("verify error page: %d, escaped=%v", bad.status, !strings.Contains(bad.raw, "<i>x"))
	}
}

func TestConcurrentCreates(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(false)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			req, err := a.request(ctx, sreq{path: pCreate, body: "{}"})
			if err != nil {
				t.Error(err)
				return
			}
			res, err := e.http.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			var got tok
			if err := json.NewDecoder(res.Body).Decode(&got); err != nil || got.Status != "PENDING" {
				t.Errorf("concurrent create: %d %v %+v", res.StatusCode, err, got)
				return
			}
			mu.Lock()
			seen[got.Token] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(seen) != 16 {
		t.Fatalf("%d distinct tokens from 16 creates", len(seen))
	}
}
