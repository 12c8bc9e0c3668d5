package webullsim

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// testSign is the tests' own Webull signer, written apart from the
// server's verifier (different encoding and sorting code) so the two check
// each other.
func testSign(secret, path, rawQuery, host string, headers map[string]string, body []byte) string {
	// A signed header's value comes first; a query key of the same name
	// adds its values (sorted) after it.
	params := map[string][]string{"host": {host}}
	for k, v := range headers {
		params[k] = []string{v}
	}
	q, _ := url.ParseQuery(rawQuery)
	for k, vs := range q {
		sorted := append([]string(nil), vs...)
		sort.Strings(sorted)
		params[k] = append(params[k], sorted...)
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+strings.Join(params[k], "&"))
	}
	str3 := path + "&" + strings.Join(parts, "&")
	mac := sha1.New
	if headers["x-signature-algorithm"] == AlgorithmSHA256 {
		mac = sha256.New
	}
	if len(body) > 0 {
		var sum []byte
		if headers["x-signature-algorithm"] == AlgorithmSHA256 {
			s := sha256.Sum256(body)
			sum = s[:]
		} else {
			s := md5.Sum(body)
			sum = s[:]
		}
		str3 += "&" + strings.ToUpper(hex.EncodeToString(sum))
	}
	// QueryEscape leaves only A-Za-z0-9-_.~ and writes space as "+".
	encoded := strings.ReplaceAll(url.QueryEscape(str3), "+", "%20")
	h := hmac.New(mac, []byte(secret+"&"))
	h.Write([]byte(encoded))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

var start = time.Date(2025, 11, 13, 1, 37, 20, 0, time.UTC)

// env is a server on real loopback HTTP with a fake clock.
type env struct {
	t     *testing.T
	clock *clockwork.FakeClock
	sim   *Server
	srv   *httptest.Server
	http  *http.Client
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	clock := clockwork.NewFakeClockAt(start)
	opts.Clock = clock
	sim := New(opts)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	sim.SetBaseURL(srv.URL)
	return &env{t: t, clock: clock, sim: sim, srv: srv, http: &http.Client{Timeout: 10 * time.Second}}
}

// app is a client of one registered app.
type testApp struct {
	e                 *env
	key, secret, algo string
}

func (e *env) app(testEnv bool) *testApp {
	k, s := e.sim.AddApp(testEnv)
	return &testApp{e: e, key: k, secret: s, algo: AlgorithmSHA1}
}

// sreq describes one request and, for the negative tests, how to spoil it.
type sreq struct {
	method, path, query, body string
	accessToken               string
	signSecret                string        // sign with this secret instead of the app's
	sendBody, sendQuery       *string       // send these instead of what was signed
	nonce                     string        // reuse a fixed nonce
	tsOffset                  time.Duration // client clock offset
	omit                      string        // header to leave out
	after                     func(h http.Header)
}

type resp struct {
	status int
	header http.Header
	raw    string
	json   map[string]any
}

func (a *testApp) do(r sreq) resp {
	a.e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := a.request(ctx, r)
	if err != nil {
		a.e.t.Fatal(err)
	}
	return a.e.send(req)
}

// request builds the signed (and possibly spoiled) request r.
func (a *testApp) request(ctx context.Context, r sreq) (*http.Request, error) {
	if r.method == "" {
		r.method = http.MethodPost
	}
	nonce := r.nonce
	if nonce == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		nonce = hex.EncodeToString(b)
	}
	u, _ := url.Parse(a.e.srv.URL)
	h := map[string]string{
		"x-app-key":             a.key,
		"x-timestamp":           a.e.clock.Now().Add(r.tsOffset).UTC().Format("2006-01-02T15:04:05Z"),
		"x-signature-version":   "1.0",
		"x-signature-algorithm": a.algo,
		"x-signature-nonce":     nonce,
	}
	secret := a.secret
	if r.signSecret != "" {
		secret = r.signSecret
	}
	sig := testSign(secret, r.path, r.query, u.Host, h, []byte(r.body))
	body, query := r.body, r.query
	if r.sendBody != nil {
		body = *r.sendBody
	}
	if r.sendQuery != nil {
		query = *r.sendQuery
	}
	target := a.e.srv.URL + r.path
	if query != "" {
		target += "?" + query
	}
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	req.Header.Set("x-signature", sig)
	req.Header.Set("x-version", "v2")
	req.Header.Set("Content-Type", "application/json")
	if r.accessToken != "" {
		req.Header.Set("x-access-token", r.accessToken)
	}
	if r.omit != "" {
		req.Header.Del(r.omit)
	}
	if r.after != nil {
		r.after(req.Header)
	}
	return req, nil
}

func (e *env) send(req *http.Request) resp {
	e.t.Helper()
	res, err := e.http.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.json); err != nil {
			e.t.Fatalf("%s: answer is not JSON: %q", req.URL.Path, raw)
		}
	}
	return out
}

type tok struct {
	Token   string `json:"token"`
	Expires int64  `json:"expires"`
	Status  string `json:"status"`
}

// call makes a token call and decodes the 200 answer.
func (a *testApp) call(path, token string) tok {
	a.e.t.Helper()
	body := "{}"
	if token != "" {
		b, _ := json.Marshal(map[string]string{"token": token})
		body = string(b)
	}
	r := a.do(sreq{path: path, body: body})
	if r.status != http.StatusOK {
		a.e.t.Fatalf("%s: status %d: %s", path, r.status, r.raw)
	}
	var out tok
	if err := json.Unmarshal([]byte(r.raw), &out); err != nil {
		a.e.t.Fatalf("%s: %v", path, err)
	}
	return out
}

const (
	pCreate  = "/openapi/auth/token/create"
	pCheck   = "/openapi/auth/token/check"
	pRefresh = "/openapi/auth/token/refresh"
	pList    = "/openapi/account/list"
)

func (a *testApp) create(stored string) tok { return a.call(pCreate, stored) }
func (a *testApp) check(token string) tok   { return a.call(pCheck, token) }
func (a *testApp) refresh(token string) tok { return a.call(pRefresh, token) }

func (a *testApp) list(token string) resp {
	return a.do(sreq{method: http.MethodGet, path: pList, accessToken: token})
}

func wantStatus(t *testing.T, got tok, want Status) {
	t.Helper()
	if got.Status != string(want) {
		t.Fatalf("token status %s, want %s", got.Status, want)
	}
}

func wantError(t *testing.T, r resp, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (%s)", r.status, status, r.raw)
	}
	if r.json["error_code"] != code {
		t.Fatalf("error_code %v, want %s (%s)", r.json["error_code"], code, r.raw)
	}
	if m, _ := r.json["message"].(string); m == "" {
		t.Fatalf("error without a message: %s", r.raw)
	}
}

func ms(t time.Time) int64 { return t.UnixMilli() }
