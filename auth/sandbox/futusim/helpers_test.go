package futusim

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"tokentray/auth/sandbox/futusim/futusimtest"

	"github.com/jonboulle/clockwork"
)

var epoch = time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)

// RFC 7636 appendix B: a verifier and its S256 challenge.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

type env struct {
	t     *testing.T
	fc    *clockwork.FakeClock
	srv   *Server
	ts    *httptest.Server
	cb    *httptest.Server
	cbURI string

	mu        sync.Mutex
	callbacks []url.Values
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	e := &env{t: t, fc: clockwork.NewFakeClockAt(epoch)}
	opts.Clock = e.fc
	e.srv = New(opts)
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	e.srv.SetBaseURL(e.ts.URL)
	// The app's loopback callback: records what the browser brought back.
	e.cb = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.callbacks = append(e.callbacks, r.URL.Query())
		e.mu.Unlock()
		io.WriteString(w, "you may close this window")
	}))
	t.Cleanup(e.cb.Close)
	e.cbURI = e.cb.URL + "/callback"
	return e
}

func (e *env) lastCallback() url.Values {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.callbacks) == 0 {
		e.t.Fatal("the callback was never reached")
	}
	return e.callbacks[len(e.callbacks)-1]
}

type result struct {
	status int
	header http.Header
	body   string
}

func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("answer is not JSON (%v): %s", err, r.body)
	}
	return m
}

// do sends req with a timeout and no redirect following.
func (e *env) do(req *http.Request) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}
}

func (e *env) get(path string) result {
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
	return e.do(req)
}

func (e *env) postJSON(path, body string) result {
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return e.do(req)
}

func (e *env) postForm(path string, v url.Values) result {
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

// register sends the seed's registration body with the env's callback.
func (e *env) register(name string) string {
	e.t.Helper()
	body := `{"redirect_uris":["` + e.cbURI + `"],"token_endpoint_auth_method":"none",` +
		`"grant_types":["authorization_code","refresh_token"],"response_types":["code"],"client_name":` +
		strconv.Quote(name) + `}`
	r := e.postJSON("/oauth2/register", body)
	if r.status != http.StatusCreated {
		e.t.Fatalf("register: %d %s", r.status, r.body)
	}
	return r.json(e.t)["client_id"].(string)
}

func (e *env) authorizeURL(clientID, challenge, state, scope string) string {
	q := url.Values{
		"client_id": {clientID}, "redirect_uri": {e.cbURI}, "response_type": {"code"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "state": {state},
	}
	if scope != "" {
		q.Set("scope", scope)
	}
	return e.ts.URL + "/oauth2/authorize?" + q.Encode()
}

// code logs in through the test browser and returns the code.
func (e *env) code(clientID string) string {
	e.t.Helper()
	if err := (futusimtest.Browser{Approve: true}).Open(e.authorizeURL(clientID, rfcChallenge, "st-1", "quote:read")); err != nil {
		e.t.Fatal(err)
	}
	cb := e.lastCallback()
	if cb.Get("state") != "st-1" || cb.Get("code") == "" {
		e.t.Fatalf("callback = %v, want a code and state st-1", cb)
	}
	return cb.Get("code")
}

func (e *env) exchange(clientID, code, verifier, redirect string) result {
	return e.postForm("/oauth2/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {code},
		"redirect_uri": {redirect}, "code_verifier": {verifier},
	})
}

func (e *env) refreshWith(clientID, rt string) result {
	return e.postForm("/oauth2/token", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {rt},
	})
}

// login runs register + approve + exchange and returns the token answer.
func (e *env) login() (clientID string, tok map[string]any) {
	e.t.Helper()
	clientID = e.register("tokentray test")
	r := e.exchange(clientID, e.code(clientID), rfcVerifier, e.cbURI)
	if r.status != http.StatusOK {
		e.t.Fatalf("exchange: %d %s", r.status, r.body)
	}
	return clientID, r.json(e.t)
}

func wantOAuthError(t *testing.T, r result, code string) {
	t.Helper()
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", r.status, r.body)
	}
	if got := r.json(t)["error"]; got != code {
		t.Fatalf("error = %v, want %s (%s)", got, code, r.body)
	}
}

// sign is the test's own reading of the seed's signature.
func sign(secret, method, path, ts, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	io.WriteString(m, method+"\n"+path+"\n"+ts+"\n"+body)
	return hex.EncodeToString(m.Sum(nil))
}

type key struct{ appKey, secret, token string }

func (e *env) signed(method, target, body string, k key, at time.Time) result {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+target, strings.NewReader(body))
	ts := strconv.FormatInt(at.Unix(), 10)
	req.Header.Set("X-Api-Key", k.appKey)
	req.Header.Set("X-Api-Timestamp", ts)
	req.Header.Set("X-Api-Signature", sign(k.secret, method, req.URL.Path, ts, body))
	req.Header.Set("Authorization", "Bearer "+k.token)
	req.Header.Set("Content-Type", "application/json")
	return e.do(req)
}

func (e *env) addKey(exp time.Time) key {
	a, s, tok := e.srv.AddAPIKey(exp)
	return key{a, s, tok}
}

func wantAPICode(t *testing.T, r result, status int, code float64) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	m := r.json(t)
	if m["code"] != code {
		t.Fatalf("code = %v, want %v: %s", m["code"], code, r.body)
	}
	return m
}

func s256Test(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
