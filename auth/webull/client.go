package webull

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Token statuses as Webull names them.
const (
	StatusPending = "PENDING"
	StatusNormal  = "NORMAL"
	StatusInvalid = "INVALID"
	StatusExpired = "EXPIRED"
)

// TokenInfo is a token endpoint's answer.
type TokenInfo struct {
	Token string
	// Expires is when a PENDING token's verification window ends or a
	// NORMAL token stops working; zero when the server gave none.
	Expires time.Time
	Status  string
}

// Token endpoint paths; the newer documentation's paths are tried when
// the server does not know the first ones.
var tokenPaths = map[string][2]string{
	"create":  {"/openapi/auth/token/create", "/auth/tokens/create"},
	"check":   {"/openapi/auth/token/check", "/auth/tokens/check"},
	"refresh": {"/openapi/auth/token/refresh", "/auth/tokens/refresh"},
}

// Client talks to one Webull OpenAPI endpoint as one app. Use one Client
// per goroutine; the Provider makes a new one for every operation.
type Client struct {
	Base   *url.URL
	Signer Signer
	// HTTP sends the requests (nil: a client with a 30 s timeout); it
	// follows no redirect to another origin, whatever its own policy.
	HTTP  *http.Client
	Clock clockwork.Clock
	// AccessToken, when set, is sent as x-access-token on Do calls; the
	// token endpoints carry their token in the body.
	AccessToken string

	newPaths bool // the server answered 404 on the /openapi/ token paths
}

// maxBody caps what is read from an answer; token answers are tiny.
const maxBody = 1 << 20

// Create asks for a token. With stored set, a NORMAL or PENDING stored
// token comes back as is (the SDKs' way to reuse it); otherwise a new
// PENDING token is created and an SMS code sent.
func (c *Client) Create(ctx context.Context, stored string) (TokenInfo, error) {
	body := map[string]string{}
	if stored != "" {
		body["token"] = stored
	}
	return c.tokenCall(ctx, "create", body)
}

// Check returns a token's current status.
func (c *Client) Check(ctx context.Context, token string) (TokenInfo, error) {
	return c.tokenCall(ctx, "check", map[string]string{"token": token})
}

// Renew extends a NORMAL token; the answer may carry the same token with
// a later expiry or a new token that replaces it.
func (c *Client) Renew(ctx context.Context, token string) (TokenInfo, error) {
	return c.tokenCall(ctx, "refresh", map[string]string{"token": token})
}

func (c *Client) tokenCall(ctx context.Context, op string, body map[string]string) (TokenInfo, error) {
	paths := tokenPaths[op]
	path := paths[0]
	if c.newPaths {
		path = paths[1]
	}
	// Only a renewal runs on an established token, so only it carries one.
	access := ""
	if op == "refresh" {
		access = body["token"]
	}
	raw, err := c.do(ctx, http.MethodPost, path, nil, body, access)
	var apiErr *APIError
	if !c.newPaths && errors.As(err, &apiErr) && apiErr.HTTPStatus == http.StatusNotFound {
		c.newPaths = true
		raw, err = c.do(ctx, http.MethodPost, paths[1], nil, body, access)
	}
	if err != nil {
		return TokenInfo{}, &opError{op: "webull " + op + " token", err: err}
	}
	ti, err := parseTokenInfo(raw)
	if err != nil {
		return TokenInfo{}, &opError{op: "webull " + op + " token", err: err}
	}
	return ti, nil
}

// ConfigPath is where the official SDKs ask whether an app needs a token.
const ConfigPath = "/openapi/config"

// Config asks Webull, as the official SDKs do before creating a token,
// whether the app needs one: false means 2FA is off for the app and
// requests are signed with the app key alone.
func (c *Client) Config(ctx context.Context) (tokenCheck bool, err error) {
	raw, err := c.do(ctx, http.MethodGet, ConfigPath, nil, nil, "")
	if err != nil {
		return false, &opError{op: "webull config", err: err}
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil || top == nil {
		return false, &opError{op: "webull config", err: malformed("webull.malformed_not_object")}
	}
	if _, ok := top["token_check_enabled"]; !ok {
		if data, ok := top["data"]; ok {
			var inner map[string]json.RawMessage
			if json.Unmarshal(data, &inner) == nil && inner != nil {
				top = inner
			}
		}
	}
	// Without the field a token is assumed needed: sending the person an
	// SMS is better than leaving a bot unable to trade.
	v, ok := top["token_check_enabled"]
	if !ok {
		return true, nil
	}
	if err := json.Unmarshal(v, &tokenCheck); err != nil {
		return false, &opError{op: "webull config", err: malformed("webull.malformed_token_check")}
	}
	return tokenCheck, nil
}

// Do sends a signed API call with an optional JSON body and decodes a
// JSON answer into out (when out is not nil).
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	raw, err := c.do(ctx, method, path, query, body, c.AccessToken)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return malformed("webull.malformed_json")
		}
	}
	return nil
}

func (c *Client) clock() clockwork.Clock {
	if c.Clock == nil {
		return clockwork.NewRealClock()
	}
	return c.Clock
}

func (c *Client) do(ctx context.Context, method, path string, query url.Values, body any, accessToken string) ([]byte, error) {
	u := *c.Base
	u.Path = c.Base.Path + path
	u.RawQuery = query.Encode()
	var payload []byte
	if body != nil {
		var err error
		if payload, err = EncodeJSON(body); err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	req.Header.Set("Accept", "application/json")
	if accessToken != "" {
		req.Header.Set(HeaderAccessToken, accessToken)
	}
	c.Signer.SignRequest(req, payload, c.clock().Now())

	// Whatever client is given, no call follows a redirect elsewhere.
	resp, err := auth.SameOriginClient(c.HTTP).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, &StoppedError{Err: ctx.Err()}
		}
		return nil, &NetworkError{Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctx.Err() != nil {
			return nil, &StoppedError{Err: ctx.Err()}
		}
		return nil, &NetworkError{Err: err}
	}
	if resp.StatusCode/100 != 2 {
		// Whatever this call sent is what a careless server may echo.
		secrets := []string{c.Signer.AppKey, c.Signer.AppSecret, c.AccessToken, accessToken}
		if m, ok := body.(map[string]string); ok {
			for _, v := range m {
				secrets = append(secrets, v)
			}
		}
		return nil, newAPIError(resp, raw, c.clock().Now(), secrets)
	}
	return raw, nil
}

// opError is a call's failure named by the call for the logs
// ("webull check token: ..."); a person reads the cause's sentence.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string        { return e.op + ": " + e.err.Error() }
func (e *opError) Unwrap() error        { return e.err }
func (e *opError) Message() msg.Message { return why(e.err) }

// StoppedError means tokentray gave up on the call (cancelled, or out of
// time) before Webull answered: nothing is known to have changed.
type StoppedError struct{ Err error }

func (e *StoppedError) Error() string { return e.Message().String() }

// Message is the sentence as data.
func (e *StoppedError) Message() msg.Message {
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return msg.New("webull.stopped_timeout")
	}
	return msg.New("webull.stopped_cancelled")
}
func (e *StoppedError) Unwrap() error { return e.Err }

// NetworkError means Webull could not be reached or the answer was cut off.
type NetworkError struct{ Err error }

func (e *NetworkError) Error() string { return e.Message().String() }

// Message is the sentence as data: the one every broker uses when it
// does not answer.
func (e *NetworkError) Message() msg.Message {
	return auth.NoAnswer(msg.New("brand.webull"), e.Err)
}
func (e *NetworkError) Unwrap() error { return e.Err }

// MalformedError means Webull answered with something that is not the
// documented shape.
type MalformedError struct {
	// Detail says what is wrong with the answer, in English; Why says it
	// as data.
	Detail string
	Why    msg.Message
}

func malformed(id string, kv ...any) *MalformedError {
	m := msg.New(id, kv...)
	return &MalformedError{Detail: m.String(), Why: m}
}

func (e *MalformedError) Error() string { return e.Message().String() }

// Message is the sentence as data.
func (e *MalformedError) Message() msg.Message {
	detail := e.Why
	if detail.IsZero() {
		detail = msg.Plain(e.Detail)
	}
	return msg.New("webull.malformed", "Detail", detail)
}

// APIError is an error answer from Webull.
type APIError struct {
	HTTPStatus int
	Code       string // error_code, e.g. INCORRECT_SIGN
	Text       string // the server's message, shortened
	// RetryAfter is the server's Retry-After, if any.
	RetryAfter time.Duration
	// Skew is how far the server's Date header is ahead of this computer's
	// clock (negative: behind), when known.
	Skew time.Duration
	// FirstLine starts an answer that is not Webull's error JSON (a
	// proxy's page), for the sentence.
	FirstLine string
}

// newAPIError reads Webull's error answer. Its text ends up in health
// reasons that are saved and shown, so text showing one of the call's
// secrets is withheld whole.
func newAPIError(resp *http.Response, raw []byte, now time.Time, secrets []string) *APIError {
	e := &APIError{HTTPStatus: resp.StatusCode}
	var body struct {
		Code    string `json:"error_code"`
		Message string `json:"message"`
		Msg     string `json:"msg"`
	}
	if json.Unmarshal(raw, &body) == nil {
		e.Code = strings.ToUpper(strings.TrimSpace(auth.Printable(body.Code)))
		e.Text = body.Message
		if e.Text == "" {
			e.Text = body.Msg
		}
		e.Text = auth.Printable(e.Text)
	}
	if auth.Exposes(e.Code, secrets...) {
		e.Code, e.Text = "", auth.Withheld
	}
	if auth.Exposes(e.Text, secrets...) {
		e.Text = auth.Withheld
	}
	if e.Code == "" && e.Text == "" {
		e.FirstLine = auth.FirstLine(raw)
		if auth.Exposes(e.FirstLine, secrets...) {
			e.FirstLine = auth.Withheld
		}
	}
	if len(e.Text) > 200 {
		e.Text = e.Text[:200] + "..."
	}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			e.RetryAfter = time.Duration(n) * time.Second
		}
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		e.Skew = d.Sub(now).Truncate(time.Second)
	}
	return e
}

// Error codes Webull documents.
const (
	CodeUnauthorized     = "UNAUTHORIZED"
	CodeInvalidToken     = "INVALID_TOKEN"
	CodeMissingSignature = "MISSING_SIGNATURE"
	CodeIncorrectSign    = "INCORRECT_SIGN"
	CodeClockSkew        = "CLOCK_SKEW_EXCEEDED"
	CodeInvalidParameter = "INVALID_PARAMETER"
	CodeTooManyRequests  = "TOO_MANY_REQUESTS"
	CodeSystemError      = "SYSTEM_ERROR"
	// CodeNoDevice: no phone is registered for 2FA (Webull's MCP server
	// explains it); only the person can register one.
	CodeNoDevice = "NO_AVAILABLE_DEVICE"
)

// temporaryCodes are the codes the official SDKs' retry list treats as
// passing by themselves, whatever the HTTP status.
var temporaryCodes = []string{"SERVICE_NOT_AVAILABLE", "GATEWAY_TIMEOUT", "INTERNAL_ERROR"}

// authCodes are Webull's own refusals of a request's credentials: only
// these on a 401 or 403 are a verdict on the app key, secret or token.
var authCodes = []string{CodeUnauthorized, CodeInvalidToken, CodeMissingSignature, CodeIncorrectSign, CodeClockSkew}

// MsgNoDevice is the English sentence of NO_AVAILABLE_DEVICE
// (webull.no_device).
const MsgNoDevice = "no phone is registered for Webull 2FA: install the Webull app, log in, finish the device registration, then verify again"

// MsgBadSignature is the English sentence of a rejected app key or secret
// (webull.bad_signature).
const MsgBadSignature = "Webull rejected the signature: check the app key and secret"

func (e *APIError) Error() string { return e.Message().String() }

// Message is the sentence as data.
func (e *APIError) Message() msg.Message {
	switch {
	case e.ClockSkewed():
		return msg.New("webull.clock_skew", "Skew", skewMessage(e.Skew))
	case e.Code == CodeInvalidToken:
		return msg.New("webull.token_refused")
	case e.Code == CodeNoDevice:
		return msg.New("webull.no_device")
	case e.unexplained():
		return msg.New("webull.unexplained", "Status", e.HTTPStatus, "Said", e.said())
	case slices.Contains(temporaryCodes, e.Code):
		return msg.New("webull.unavailable", "Status", e.HTTPStatus, "Detail", e.detail())
	case e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden ||
		e.Code == CodeIncorrectSign || e.Code == CodeMissingSignature || e.Code == CodeUnauthorized:
		return msg.New("webull.bad_signature")
	case e.RateLimited():
		return msg.New("webull.rate_limited")
	case e.HTTPStatus >= 500:
		return msg.New("webull.server_error", "Status", e.HTTPStatus)
	case e.HTTPStatus == http.StatusExpectationFailed || e.Code == CodeInvalidParameter:
		return msg.New("webull.invalid_request", "Detail", e.detail())
	}
	return msg.New("webull.refused", "Status", e.HTTPStatus, "Detail", e.detail())
}

// detail is the code and message Webull gave, each after a space (the
// broker's own words, not translated).
func (e *APIError) detail() string {
	parts := []string{}
	if e.Code != "" {
		parts = append(parts, e.Code)
	}
	if e.Text != "" {
		parts = append(parts, strconv.Quote(e.Text))
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}

func skewMessage(skew time.Duration) msg.Message {
	if skew.Abs() < 30*time.Second {
		return msg.New("webull.skew_unknown")
	}
	if skew < 0 {
		return msg.New("webull.skew_ahead", "By", humanDuration(skew.Abs()))
	}
	return msg.New("webull.skew_behind", "By", humanDuration(skew.Abs()))
}

func humanDuration(d time.Duration) msg.Message {
	switch {
	case d >= 2*time.Hour:
		return msg.New("webull.hours", "Count", int(d.Hours()))
	case d >= 2*time.Minute:
		return msg.New("webull.minutes", "Count", int(d.Minutes()))
	}
	return msg.New("webull.seconds", "Count", int(d.Seconds()))
}

// SkewTolerance is how far the broker's Date may be from this computer's
// clock before a refused signature is put down to the clock.
const SkewTolerance = time.Minute

// ClockSkewed reports a refusal caused by this computer's clock: Webull
// says so, or it refused the signature while its Date header shows the
// clocks more than SkewTolerance apart. Such a refusal says nothing
// about the key.
func (e *APIError) ClockSkewed() bool {
	if e.Code == CodeClockSkew {
		return true
	}
	// Only Webull's own error answer counts: a proxy's page and Date say
	// nothing about Webull's clock.
	refused := e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden
	return refused && e.Code != "" && e.Code != CodeInvalidToken && e.Skew.Abs() > SkewTolerance
}

// RateLimited reports a 429 answer.
func (e *APIError) RateLimited() bool {
	return e.HTTPStatus == http.StatusTooManyRequests || e.Code == CodeTooManyRequests
}

// unexplained reports a 401 or 403 that is not Webull's own refusal of
// the request's credentials (no error_code, or one that is not about
// them): a proxy or a server fault may have answered, so it says nothing
// about the key.
func (e *APIError) unexplained() bool {
	refused := e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden
	handled := slices.Contains(authCodes, e.Code) || e.Code == CodeNoDevice || e.RateLimited() || slices.Contains(temporaryCodes, e.Code)
	return refused && !handled
}

// said is what an unexplained refusal carried: its code and message, or
// the first line of an answer that is not Webull's.
func (e *APIError) said() msg.Message {
	if d := e.detail(); d != "" {
		return msg.New("webull.said_detail", "Detail", d)
	}
	if e.FirstLine != "" {
		return msg.New("webull.said_first_line", "Line", strconv.Quote(e.FirstLine))
	}
	return msg.New("webull.said_empty")
}

// Temporary reports whether trying again later may succeed.
func (e *APIError) Temporary() bool {
	return e.RateLimited() || e.HTTPStatus >= 500 && e.Code != CodeNoDevice || e.unexplained() || slices.Contains(temporaryCodes, e.Code)
}

// SignatureRejected reports that Webull itself said the app key or secret
// is wrong.
func (e *APIError) SignatureRejected() bool {
	return slices.Contains(authCodes, e.Code) && !e.ClockSkewed() && e.Code != CodeInvalidToken &&
		(e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden)
}

// IsTemporary reports whether err is a failure that may pass by itself: no
// network, a rate limit, a server error, an unreadable answer, or a call
// that was cancelled or ran out of time. Such a failure never changes
// what is stored.
func IsTemporary(err error) bool {
	var ne *NetworkError
	var me *MalformedError
	var se *StoppedError
	var ae *APIError
	switch {
	case errors.As(err, &ne), errors.As(err, &me), errors.As(err, &se),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &ae):
		return ae.Temporary()
	}
	return false
}

// parseTokenInfo reads {"token","expires"|"expires_at","status"}, also when
// wrapped in {"data": {...}}, and refuses anything else.
func parseTokenInfo(raw []byte) (TokenInfo, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		return TokenInfo{}, malformed("webull.malformed_not_object")
	}
	if _, ok := top["token"]; !ok {
		if data, ok := top["data"]; ok {
			var inner map[string]json.RawMessage
			if json.Unmarshal(data, &inner) == nil && inner != nil {
				top = inner
			}
		}
	}
	var ti TokenInfo
	if err := json.Unmarshal(top["token"], &ti.Token); err != nil || ti.Token == "" {
		return TokenInfo{}, malformed("webull.malformed_no_token")
	}
	if len(ti.Token) > 512 || strings.IndexFunc(ti.Token, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		// It is sent in a header and written as a line of token.txt.
		return TokenInfo{}, malformed("webull.malformed_token_form")
	}
	status, err := parseStatus(top["status"])
	if err != nil {
		return TokenInfo{}, err
	}
	ti.Status = status
	exp := top["expires"]
	if exp == nil {
		exp = top["expires_at"]
	}
	if exp != nil {
		if ti.Expires, err = parseExpires(exp); err != nil {
			return TokenInfo{}, err
		}
	}
	return ti, nil
}

// statusWord is what a status Webull might add looks like.
var statusWord = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Z_]{0,19}$`) })

// Older SDKs wrote the status as a number.
var numericStatus = []string{StatusPending, StatusNormal, StatusInvalid, StatusExpired}

func parseStatus(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		s = strings.ToUpper(strings.TrimSpace(s))
		for _, v := range numericStatus {
			if s == v {
				return s, nil
			}
		}
		if !statusWord().MatchString(s) {
			// Not a status word: it may be a token put in the wrong field.
			return "", malformed("webull.malformed_status_unknown")
		}
		return "", malformed("webull.malformed_status_named", "Status", strconv.Quote(s))
	}
	var n int
	if json.Unmarshal(raw, &n) == nil && n >= 0 && n < len(numericStatus) {
		return numericStatus[n], nil
	}
	return "", malformed("webull.malformed_no_status")
}

// parseExpires accepts unix milliseconds or seconds (told apart by size),
// as a number or a numeric string, or an RFC 3339 time.
func parseExpires(raw json.RawMessage) (time.Time, error) {
	if string(raw) == "null" {
		return time.Time{}, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return time.Time{}, malformed("webull.malformed_expiry")
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC(), nil
		}
		if f, err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return time.Time{}, malformed("webull.malformed_expiry")
		}
	}
	if f == 0 {
		return time.Time{}, nil // Webull's "unknown", e.g. for a token it does not know
	}
	if f < 0 || math.IsNaN(f) || f > 1e15 {
		return time.Time{}, malformed("webull.malformed_expiry_range")
	}
	// 1e11 seconds is the year 5138; 1e11 milliseconds is 1973.
	if f >= 1e11 {
		return time.UnixMilli(int64(f)).UTC(), nil
	}
	return time.Unix(int64(f), 0).UTC(), nil
}
