// Package webullsim is a simulated Webull OpenAPI server for tokentray's
// sandbox: it checks request signatures the way the broker documents
// them, runs the 2FA token lifecycle (PENDING, NORMAL, EXPIRED, INVALID)
// on an injectable clock, and serves a "phone" page at /sandbox/phone
// where the SMS code is read and confirmed, so every Webull flow can be
// tried and tested without a broker account.
package webullsim

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/flash"
)

// Lifecycle and limits the broker documents (or that PROTOCOLS.md infers).
const (
	PendingTTL      = 5 * time.Minute     // a PENDING token not verified by then is EXPIRED
	TokenTTL        = 15 * 24 * time.Hour // a NORMAL token's expires, from verification or refresh
	IdleLimit       = 15 * 24 * time.Hour // no call using a token for this long makes it INVALID
	TimestampWindow = 5 * time.Minute     // |server time - x-timestamp| allowed
	NonceMemory     = 10 * time.Minute    // how long a used x-signature-nonce is remembered
	CheckLimit      = 10                  // token checks allowed per app key ...
	CheckWindow     = 30 * time.Second    // ... within this sliding window
)

// Status is a token's state as the broker reports it.
type Status string

// The token statuses of the Webull "Token" document.
const (
	StatusPending Status = "PENDING"
	StatusNormal  Status = "NORMAL"
	StatusInvalid Status = "INVALID"
	StatusExpired Status = "EXPIRED"
)

// maxBody caps a request body; the token calls send a few dozen bytes.
const maxBody = 1 << 20

// Options configure a Server. The zero value is a production-like server
// on the real clock.
type Options struct {
	// Clock drives every deadline; nil means the real clock.
	Clock clockwork.Clock
	// RenewNewToken makes the refresh call issue a new token string and
	// invalidate the old one, instead of extending the same token.
	RenewNewToken bool
	// StrictExpires also makes a NORMAL token INVALID when its expires
	// passes without a refresh, however much it is used. Off, only the
	// documented idle rule ends a NORMAL token.
	StrictExpires bool
	// ExpiresAt makes the newer /auth/tokens/* paths answer "expires_at"
	// instead of "expires" (a newer doc version's field name).
	ExpiresAt bool
	// BaseURL is shown on the phone page; SetBaseURL changes it later.
	BaseURL string
}

// Server is the simulated Webull OpenAPI. It is safe for concurrent use.
type Server struct {
	clock     clockwork.Clock
	faults    *fault.Injector
	expiresAt bool
	strict    bool
	handler   http.Handler

	mu       sync.Mutex
	skew     time.Duration
	renewNew bool
	baseURL  string
	apps     map[string]*app
	tokens   map[string]*token
	nonces   map[string]time.Time   // appKey + " " + nonce -> when first seen
	checks   map[string][]time.Time // appKey -> recent check calls, oldest first
	counts   map[string]int
	log      []string
	newApps  flash.Store[newApp] // apps registered on the phone page, not yet shown
}

type app struct {
	key, secret string
	testEnv     bool
	// noTokenCheck: 2FA is off for the app, so the app key signs alone
	// and /openapi/config answers token_check_enabled false.
	noTokenCheck bool
	// noDevice: no phone is registered for the account's 2FA, so a new
	// token cannot be sent for verification (NO_AVAILABLE_DEVICE).
	noDevice bool
}

type token struct {
	value, appKey, code string
	created             time.Time
	verified            time.Time // zero while PENDING
	expires             time.Time
	lastUse             time.Time
	strict              bool   // Options.StrictExpires
	final               Status // set once the token reached EXPIRED or INVALID
}

// New returns a server with no apps; add them with AddApp.
func New(opts Options) *Server {
	clock := opts.Clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	s := &Server{
		clock:     clock,
		faults:    fault.New(clock),
		expiresAt: opts.ExpiresAt,
		strict:    opts.StrictExpires,
		renewNew:  opts.RenewNewToken,
		baseURL:   opts.BaseURL,
		apps:      map[string]*app{},
		tokens:    map[string]*token{},
		nonces:    map[string]time.Time{},
		checks:    map[string][]time.Time{},
		counts:    map[string]int{},
	}
	s.handler = s.routes()
	return s
}

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	var paths []string
	handle := func(method, path string, h http.HandlerFunc) {
		api.HandleFunc(method+" "+path, h)
		paths = append(paths, path)
	}
	for _, prefix := range []string{"/openapi/auth/token/", "/auth/tokens/"} {
		newer := prefix == "/auth/tokens/"
		handle("POST", prefix+"create", s.signed(func(w http.ResponseWriter, c *call) { s.create(w, c, newer) }))
		handle("POST", prefix+"check", s.signed(func(w http.ResponseWriter, c *call) { s.check(w, c, newer) }))
		handle("POST", prefix+"refresh", s.signed(func(w http.ResponseWriter, c *call) { s.refresh(w, c, newer) }))
	}
	handle("GET", "/openapi/config", s.signed(s.config))
	handle("GET", "/openapi/account/list", s.signed(s.accountList))
	s.faults.SetPaths(paths)
	s.faults.SetBackLink("/sandbox/phone", "Webull sandbox phone")
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path))
	})
	wrapped := s.faults.Wrap(api)

	admin := http.NewServeMux()
	admin.Handle("/sandbox/faults", s.faults)
	admin.HandleFunc("GET /sandbox/phone", s.phonePage)
	admin.HandleFunc("POST /sandbox/phone/verify", s.phoneVerify)
	admin.HandleFunc("POST /sandbox/controls/skew", s.controlSkew)
	admin.HandleFunc("POST /sandbox/controls/invalidate", s.controlInvalidate)
	admin.HandleFunc("POST /sandbox/controls/renew-new-token", s.controlRenewNew)
	admin.HandleFunc("POST /sandbox/controls/apps", s.controlAddApp)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counts[r.URL.Path]++
		s.mu.Unlock()
		// Clients estimate the broker's clock from Date, so it must come from the skewed clock.
		w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
		if r.URL.Path == "/sandbox" || strings.HasPrefix(r.URL.Path, "/sandbox/") {
			admin.ServeHTTP(w, r)
			return
		}
		lw := &logWriter{ResponseWriter: w}
		wrapped.ServeHTTP(lw, r)
		if lw.reason != "" {
			s.logf("%s %s refused: HTTP %d %s", r.Method, r.URL.Path, lw.status, lw.reason)
		}
	})
}

// Handler serves the API (behind the fault injector) and the /sandbox/* pages.
func (s *Server) Handler() http.Handler { return s.handler }

// Faults is the injector wrapped around every API path (not /sandbox/*).
func (s *Server) Faults() *fault.Injector { return s.faults }

// Count reports how many requests reached path, whatever their outcome.
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// SetBaseURL records the URL the server is reachable at, for display.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = u
}

// SetSkew offsets the server's clock from the injected one, to simulate a
// client whose clock is off.
func (s *Server) SetSkew(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skew = d
}

// Skew is the offset set by SetSkew.
func (s *Server) Skew() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.skew
}

// RenewNewToken reports whether refresh issues a new token string.
func (s *Server) RenewNewToken() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.renewNew
}

// SetRenewNewToken switches whether refresh issues a new token string.
func (s *Server) SetRenewNewToken(v bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.renewNew = v
}

// now is the server's (skewed) time.
func (s *Server) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time { return s.clock.Now().Add(s.skew) }

// AddApp registers a new app with a random key and secret. Tokens of a
// test-environment app are NORMAL at once, with no SMS code.
func (s *Server) AddApp(testEnv bool) (appKey, appSecret string) {
	appKey, appSecret = randomHex(16), randomHex(16)
	s.PutApp(appKey, appSecret, testEnv)
	return appKey, appSecret
}

// PutApp registers (or replaces) an app with the given key and secret.
func (s *Server) PutApp(appKey, appSecret string, testEnv bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[appKey] = &app{key: appKey, secret: appSecret, testEnv: testEnv}
}

// SetTwoFactor turns 2FA on or off for an app. With it off,
// /openapi/config answers token_check_enabled false and calls need no
// x-access-token. Apps start with 2FA on.
func (s *Server) SetTwoFactor(appKey string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[appKey]
	if !ok {
		return errors.New("webull sandbox: unknown app key; add the app first")
	}
	a.noTokenCheck = !on
	return nil
}

// SetNoDevice says whether the app's account has no phone registered for
// 2FA: then creating a token that needs verification is refused with
// NO_AVAILABLE_DEVICE, as Webull's MCP server explains it.
func (s *Server) SetNoDevice(appKey string, none bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[appKey]
	if !ok {
		return errors.New("webull sandbox: unknown app key; add the app first")
	}
	a.noDevice = none
	return nil
}

// maxLog bounds the log kept in memory.
const maxLog = 500

func (s *Server) logf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, fmt.Sprintf(format, args...))
	if len(s.log) > maxLog {
		s.log = s.log[len(s.log)-maxLog:]
	}
}

// Log returns the server's log, oldest line first: each refused API
// request with the reason it was refused. It never holds a secret.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// logWriter remembers the status and the reason of a refusal.
type logWriter struct {
	http.ResponseWriter
	status int
	reason string
}

func (l *logWriter) WriteHeader(code int) {
	if l.status == 0 {
		l.status = code
	}
	l.ResponseWriter.WriteHeader(code)
}

func (l *logWriter) Unwrap() http.ResponseWriter { return l.ResponseWriter }

// Hijack lets the fault injector reset the connection through the log.
func (l *logWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(l.ResponseWriter).Hijack()
}

// TokenInfo is what the server knows about one token.
type TokenInfo struct {
	Token    string
	AppKey   string
	Status   Status
	Created  time.Time
	Expires  time.Time
	LastUsed time.Time
}

// Token reports the current state of a token.
func (s *Server) Token(value string) (TokenInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	if !ok {
		return TokenInfo{}, false
	}
	return t.info(s.nowLocked()), true
}

// Tokens lists every token, newest first.
func (s *Server) Tokens() []TokenInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	out := make([]TokenInfo, 0, len(s.tokens))
	for _, t := range s.tokens {
		out = append(out, t.info(now))
	}
	sortTokens(out)
	return out
}

// IssueToken creates a token for appKey as the create call would (PENDING
// with an SMS code, or NORMAL for a test-environment app).
func (s *Server) IssueToken(appKey string) (TokenInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[appKey]
	if !ok {
		return TokenInfo{}, errors.New("webull sandbox: unknown app key; add the app first")
	}
	now := s.nowLocked()
	return s.newTokenLocked(a, now).info(now), nil
}

// SMSCode returns the 6-digit code sent for a PENDING token.
func (s *Server) SMSCode(value string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	if !ok || t.status(s.nowLocked()) != StatusPending {
		return "", false
	}
	return t.code, true
}

// Verify confirms a PENDING token with its SMS code, as the user does in
// the phone app; the token becomes NORMAL for TokenTTL.
func (s *Server) Verify(value, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[value]
	if !ok {
		return errors.New("no such token: create a new token and try again")
	}
	now := s.nowLocked()
	switch st := t.status(now); st {
	case StatusPending:
	case StatusNormal:
		return errors.New("this token is already verified")
	default:
		return fmt.Errorf("this token is %s: create a new token and verify it within 5 minutes", st)
	}
	if !equalConstantTime(code, t.code) {
		return errors.New("wrong verification code: check the SMS and enter the 6 digits again")
	}
	t.verified = now
	t.lastUse = now
	t.expires = now.Add(TokenTTL)
	return nil
}

// Invalidate makes a token INVALID at once, as if the broker revoked it.
func (s *Server) Invalidate(value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[value]; ok {
		t.final = StatusInvalid
	}
}

// status computes the token's state at now; terminal states stick, so a
// clock moved back does not revive a token.
func (t *token) status(now time.Time) Status {
	if t.final != "" {
		return t.final
	}
	switch {
	case t.verified.IsZero():
		if now.Before(t.expires) {
			return StatusPending
		}
		t.final = StatusExpired
	case now.Sub(t.lastUse) >= IdleLimit, t.strict && !now.Before(t.expires):
		t.final = StatusInvalid
	default:
		return StatusNormal
	}
	return t.final
}

// use records a call made with the token, if it is still NORMAL.
func (t *token) use(now time.Time) {
	if t.status(now) == StatusNormal {
		t.lastUse = now
	}
}

func (t *token) info(now time.Time) TokenInfo {
	return TokenInfo{Token: t.value, AppKey: t.appKey, Status: t.status(now),
		Created: t.created, Expires: t.expires, LastUsed: t.lastUse}
}

func (s *Server) newTokenLocked(a *app, now time.Time) *token {
	t := &token{value: randomHex(16), appKey: a.key, created: now, lastUse: now, strict: s.strict}
	if a.testEnv {
		t.verified = now
		t.expires = now.Add(TokenTTL)
	} else {
		t.code = randomCode()
		t.expires = now.Add(PendingTTL)
	}
	s.tokens[t.value] = t
	return t
}

// lookupLocked finds a token of appKey; another app's token does not exist for it.
func (s *Server) lookupLocked(appKey, value string) *token {
	t, ok := s.tokens[value]
	if !ok || t.appKey != appKey {
		return nil
	}
	return t
}

// call is an authenticated API request.
type call struct {
	r    *http.Request
	app  *app
	body []byte
}

// signed wraps an API handler with signature, timestamp and nonce checks,
// and records the x-access-token as used.
func (s *Server) signed(next func(http.ResponseWriter, *call)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			writeError(w, http.StatusBadRequest, "INVALID_PARAMETER", "could not read the request body")
			return
		}
		if len(body) > maxBody {
			writeError(w, http.StatusExpectationFailed, "INVALID_PARAMETER", "request body too large")
			return
		}
		c, status, code, msg := s.authenticate(r, body)
		if c == nil {
			writeError(w, status, code, msg)
			return
		}
		next(w, c)
	}
}

func (s *Server) authenticate(r *http.Request, body []byte) (c *call, status int, code, msg string) {
	h := r.Header
	in := signInput{
		path:      r.URL.Path,
		query:     r.URL.Query(),
		appKey:    h.Get("x-app-key"),
		algorithm: h.Get("x-signature-algorithm"),
		version:   h.Get("x-signature-version"),
		nonce:     h.Get("x-signature-nonce"),
		timestamp: h.Get("x-timestamp"),
		host:      r.Host,
		body:      body,
	}
	sig := h.Get("x-signature")
	for _, f := range []struct{ name, v string }{
		{"x-app-key", in.appKey}, {"x-timestamp", in.timestamp}, {"x-signature-version", in.version},
		{"x-signature-algorithm", in.algorithm}, {"x-signature-nonce", in.nonce}, {"x-signature", sig},
	} {
		if f.v == "" {
			return nil, http.StatusUnauthorized, "MISSING_SIGNATURE", "missing header " + f.name + ": sign every request"
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	a, ok := s.apps[in.appKey]
	if !ok {
		return nil, http.StatusUnauthorized, "UNAUTHORIZED", "unknown x-app-key: check the app key"
	}
	if in.version != SignatureVersion {
		return nil, http.StatusUnauthorized, "INCORRECT_SIGN", "unsupported x-signature-version: use " + SignatureVersion
	}
	ts, err := time.Parse(time.RFC3339, in.timestamp)
	if err != nil {
		return nil, http.StatusExpectationFailed, "INVALID_PARAMETER", "x-timestamp must look like 2006-01-02T15:04:05Z"
	}
	if d := now.Sub(ts); d > TimestampWindow || d < -TimestampWindow {
		return nil, http.StatusUnauthorized, "CLOCK_SKEW_EXCEEDED", fmt.Sprintf(
			"x-timestamp %s is more than 5 minutes from the server time %s: correct the clock",
			ts.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	good, err := verifySignature(a.secret, in, sig)
	if err != nil {
		return nil, http.StatusUnauthorized, "INCORRECT_SIGN", err.Error()
	}
	if !good {
		return nil, http.StatusUnauthorized, "INCORRECT_SIGN", "signature does not match: check the app secret and what is signed"
	}
	// Only a correctly signed request spends its nonce, so forged requests cannot burn them.
	for k, seen := range s.nonces {
		if now.Sub(seen) > NonceMemory {
			delete(s.nonces, k)
		}
	}
	nk := in.appKey + " " + in.nonce
	if _, used := s.nonces[nk]; used {
		return nil, http.StatusUnauthorized, "UNAUTHORIZED", "x-signature-nonce already used: send a fresh nonce with every request"
	}
	s.nonces[nk] = now
	if v := h.Get("x-access-token"); v != "" {
		if t := s.lookupLocked(a.key, v); t != nil {
			t.use(now)
		}
	}
	return &call{r: r, app: a, body: body}, 0, "", ""
}

// tokenBody is the JSON body of the token calls.
type tokenBody struct {
	Token string `json:"token"`
}

func parseTokenBody(body []byte) (tokenBody, error) {
	var tb tokenBody
	if len(strings.TrimSpace(string(body))) == 0 {
		return tb, nil
	}
	if err := json.Unmarshal(body, &tb); err != nil {
		return tb, errors.New("body must be a JSON object like {\"token\": \"...\"}")
	}
	return tb, nil
}

func (s *Server) create(w http.ResponseWriter, c *call, newer bool) {
	tb, err := parseTokenBody(c.body)
	if err != nil {
		writeError(w, http.StatusExpectationFailed, "INVALID_PARAMETER", err.Error())
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	var t *token
	if tb.Token != "" {
		if old := s.lookupLocked(c.app.key, tb.Token); old != nil {
			switch old.status(now) {
			case StatusNormal:
				old.use(now)
				t = old
			case StatusPending:
				t = old
			}
		}
	}
	if t == nil && c.app.noDevice && !c.app.testEnv {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "NO_AVAILABLE_DEVICE", "no device is available for the 2FA verification: register a device in the Webull app")
		return
	}
	if t == nil {
		t = s.newTokenLocked(c.app, now)
	}
	resp := s.tokenResponse(t, now, newer)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

// requireToken reads the token a check or refresh names, answering 417
// when the body has none.
func requireToken(w http.ResponseWriter, c *call) (string, bool) {
	tb, err := parseTokenBody(c.body)
	if err == nil && tb.Token == "" {
		err = errors.New("token is required")
	}
	if err != nil {
		writeError(w, http.StatusExpectationFailed, "INVALID_PARAMETER", err.Error())
		return "", false
	}
	return tb.Token, true
}

func (s *Server) check(w http.ResponseWriter, c *call, newer bool) {
	tok, ok := requireToken(w, c)
	if !ok {
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	recent := s.checks[c.app.key]
	for len(recent) > 0 && now.Sub(recent[0]) >= CheckWindow {
		recent = recent[1:]
	}
	if len(recent) >= CheckLimit {
		s.checks[c.app.key] = recent
		s.mu.Unlock()
		writeError(w, http.StatusTooManyRequests, "TOO_MANY_REQUESTS",
			fmt.Sprintf("token check is limited to %d calls per %d seconds: wait and try again", CheckLimit, int(CheckWindow/time.Second)))
		return
	}
	s.checks[c.app.key] = append(recent, now)
	resp := s.answerLocked(c.app.key, tok, now, newer)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

// answerLocked is the check answer for a token, counting the check as a use.
func (s *Server) answerLocked(appKey, value string, now time.Time, newer bool) map[string]any {
	t := s.lookupLocked(appKey, value)
	if t == nil {
		return s.response(value, time.Time{}, StatusInvalid, newer)
	}
	t.use(now)
	return s.tokenResponse(t, now, newer)
}

func (s *Server) refresh(w http.ResponseWriter, c *call, newer bool) {
	tok, ok := requireToken(w, c)
	if !ok {
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	t := s.lookupLocked(c.app.key, tok)
	// Only a NORMAL token renews; any other is answered with its status unchanged.
	if t == nil || t.status(now) != StatusNormal {
		resp := s.answerLocked(c.app.key, tok, now, newer)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, resp)
		return
	}
	if s.renewNew {
		nt := &token{value: randomHex(16), appKey: t.appKey, created: now, verified: t.verified, strict: t.strict}
		t.final = StatusInvalid
		s.tokens[nt.value] = nt
		t = nt
	}
	t.lastUse = now
	t.expires = now.Add(TokenTTL)
	resp := s.tokenResponse(t, now, newer)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

// config answers whether the app needs a token (2FA on), as the official
// SDKs ask before creating one.
func (s *Server) config(w http.ResponseWriter, c *call) {
	if len(c.body) > 0 {
		writeError(w, http.StatusExpectationFailed, "INVALID_PARAMETER", "GET /openapi/config takes no body")
		return
	}
	if v := c.r.Header.Get("x-version"); v != "v2" {
		writeError(w, http.StatusExpectationFailed, "INVALID_PARAMETER", fmt.Sprintf("x-version %q is not served here: use v2", v))
		return
	}
	s.mu.Lock()
	enabled := !c.app.noTokenCheck
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"token_check_enabled": enabled})
}

func (s *Server) accountList(w http.ResponseWriter, c *call) {
	v := c.r.Header.Get("x-access-token")
	s.mu.Lock()
	noToken := c.app.noTokenCheck
	s.mu.Unlock()
	if noToken && v == "" {
		id := "SBX" + strings.ToUpper(c.app.key[:min(8, len(c.app.key))])
		writeJSON(w, http.StatusOK, map[string]any{"accounts": []map[string]any{
			{"account_id": id, "account_type": "CASH", "account_class": "INDIVIDUAL_CASH", "currency": "USD"},
		}})
		return
	}
	if v == "" {
		writeError(w, http.StatusUnauthorized, "INVALID_TOKEN", "missing x-access-token: create and verify a token first")
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	st := StatusInvalid
	if t := s.lookupLocked(c.app.key, v); t != nil {
		st = t.status(now)
	}
	s.mu.Unlock()
	if st != StatusNormal {
		writeError(w, http.StatusUnauthorized, "INVALID_TOKEN", fmt.Sprintf("x-access-token is %s: create a new token and verify it", st))
		return
	}
	id := "SBX" + strings.ToUpper(c.app.key[:min(8, len(c.app.key))])
	writeJSON(w, http.StatusOK, map[string]any{"accounts": []map[string]any{
		{"account_id": id, "account_type": "CASH", "account_class": "INDIVIDUAL_CASH", "currency": "USD"},
	}})
}

func (s *Server) tokenResponse(t *token, now time.Time, newer bool) map[string]any {
	return s.response(t.value, t.expires, t.status(now), newer)
}

// response is the token JSON; expires is unix milliseconds (0 when unknown).
func (s *Server) response(value string, expires time.Time, st Status, newer bool) map[string]any {
	var ms int64
	if !expires.IsZero() {
		ms = expires.UnixMilli()
	}
	field := "expires"
	if newer && s.expiresAt {
		field = "expires_at"
	}
	return map[string]any{"token": value, field: ms, "status": string(st)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// writeError answers in the broker's documented error shape; the reason
// goes to the server's log.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	for rw := w; rw != nil; {
		if lw, ok := rw.(*logWriter); ok {
			lw.reason = code + " " + msg
			break
		}
		u, ok := rw.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		rw = u.Unwrap()
	}
	writeJSON(w, status, map[string]string{"error_code": code, "message": msg})
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

func randomCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}
