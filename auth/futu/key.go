package futu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

const (
	// KeyLife is how long a legacy access token lives unless Futu says otherwise.
	KeyLife = 90 * 24 * time.Hour
	// VerifyPath is the signed health check.
	VerifyPath = "/v1/auth/verify"
	// DefaultRefreshPath extends a legacy access token; a credential's
	// RefreshTokenPath overrides it.
	DefaultRefreshPath = "/v1/token/refresh"
)

// No public source names Futu's error codes for legacy API keys, so a
// refusal is read from its status, Futu's message, its Date header and the
// code ranges of Futu's CLI (codes.go), never from a guessed code.

// KeyProvider handles auth.KindFutuKey: legacy API keys.
type KeyProvider struct {
	o Options
	// offsets are how far each broker's clock (its Date header) is from
	// ours, by base URL, so signed timestamps are in its time.
	offsets sync.Map
}

// Clock skew: Futu refuses a timestamp more than 60 s from its clock.
const (
	// skewNoted is the offset from which timestamps are corrected.
	skewNoted = 5 * time.Second
	// skewRetry is how far a refused request's timestamp must have been
	// from the broker's clock for it to be sent again, corrected.
	skewRetry = 30 * time.Second
)

func (p *KeyProvider) offset(base string) time.Duration {
	if v, ok := p.offsets.Load(base); ok {
		return v.(time.Duration)
	}
	return 0
}

// learn keeps the broker's clock offset from an answer's Date header.
func (p *KeyProvider) learn(base string, r apiResult) {
	if r.date.IsZero() {
		return
	}
	if d := r.skew(); d.Abs() >= skewNoted {
		p.offsets.Store(base, d)
	} else {
		p.offsets.Delete(base)
	}
}

// skew is the broker's clock minus ours, to the second, from its Date
// header (which has whole seconds); zero when unknown.
func (r apiResult) skew() time.Duration {
	if r.date.IsZero() {
		return 0
	}
	return r.date.Sub(r.at).Round(time.Second)
}

// clockNote says how far this computer's clock is from Futu's.
func clockNote(skew time.Duration) msg.Message {
	id := "futu.clock_behind"
	if skew < 0 {
		id = "futu.clock_ahead"
	}
	return msg.New(id, "Seconds", int64(math.Round(skew.Abs().Seconds())))
}

// timeRefused reports whether Futu's answer says the request time was
// refused: its text names the timestamp or the clock, or its clock is
// outside the 60 s window from the time the request was signed with.
func timeRefused(r apiResult) bool {
	m := strings.ToLower(r.reply.Message)
	if strings.Contains(m, "timestamp") || strings.Contains(m, "clock") {
		return true
	}
	return !r.date.IsZero() && (r.skew()-r.used).Abs() > 60*time.Second
}

// NewKeyProvider returns the legacy API key provider.
func NewKeyProvider(o Options) *KeyProvider { return &KeyProvider{o: o.withDefaults()} }

// Kind is auth.KindFutuKey.
func (p *KeyProvider) Kind() auth.Kind { return auth.KindFutuKey }

// keyExpiry is when the key's access token stops working: what Futu
// said, else 90 days after it was added.
func keyExpiry(c auth.Credential) time.Time {
	if !c.ExpiresAt.IsZero() {
		return c.ExpiresAt
	}
	if c.AddedAt.IsZero() {
		return time.Time{}
	}
	return c.AddedAt.Add(KeyLife)
}

// Assess computes health from the known expiry, keeping a broker's
// verdict that only the user can clear.
func (p *KeyProvider) Assess(c auth.Credential, now time.Time) auth.Health {
	if h, ok := stickyHealth(c); ok {
		return h
	}
	return expiryHealth(c, now)
}

func expiryHealth(c auth.Credential, now time.Time) auth.Health {
	exp := keyExpiry(c)
	h := auth.Health{ExpiresAt: exp, CheckedAt: now}
	switch {
	case exp.IsZero():
		h.State = auth.Unknown
		h = h.Because(msg.New("futu.key_expiry_unknown"))
	case !exp.After(now):
		h.State = auth.Broken
		h.Next = auth.Next(auth.ActionUpdate, c.Name)
		h = h.Because(msg.New("futu.key_expired_create", "Day", day(exp)))
	case ExpiryStage(exp, now) > 0:
		h.State = auth.Expiring
		h.Next = auth.Next(auth.ActionExtend, c.Name)
		h = h.Because(msg.New("futu.key_expires", "When", timeLeft(exp.Sub(now)), "Day", day(exp)))
	default:
		h.State = auth.OK
		h = h.Because(msg.New("futu.key_valid_until", "Day", day(exp)))
	}
	return h
}

// Token returns the legacy access token (FUTU_ACCESS_TOKEN).
func (p *KeyProvider) Token(c auth.Credential, s auth.Secrets) (string, error) {
	// Only the token: each field is a keychain call.
	var tok string
	if err := readField(c, s, auth.FieldAccessToken, &tok); err != nil {
		return "", err
	}
	return tok, nil
}

// Env returns the variables the Futu SDK's Config.from_env() reads.
func (p *KeyProvider) Env(c auth.Credential, s auth.Secrets) (map[string]string, string, error) {
	k, err := loadKey(c, s)
	if err != nil {
		return nil, "", err
	}
	vars := map[string]string{
		"FUTU_APP_KEY":      k.AppKey,
		"FUTU_APP_SECRET":   k.AppSecret,
		"FUTU_ACCESS_TOKEN": k.AccessToken,
	}
	if c.Endpoint != "" {
		vars["FUTU_HTTP_URL"] = c.Endpoint
	} else if c.FutuBrand() == auth.BrandMoomoo {
		vars["FUTU_HTTP_URL"] = MoomooBaseURL // the SDK's default is Futu's host
	}
	return vars, "", nil
}

func loadKey(c auth.Credential, s auth.Secrets) (Signer, error) {
	var k Signer
	for _, f := range []struct {
		field string
		dst   *string
	}{{auth.FieldAppKey, &k.AppKey}, {auth.FieldAppSecret, &k.AppSecret}, {auth.FieldAccessToken, &k.AccessToken}} {
		if err := readField(c, s, f.field, f.dst); err != nil {
			return Signer{}, err
		}
	}
	return k, nil
}

// readField reads one secret of c into dst; a missing one is the user's to enter again.
func readField(c auth.Credential, s auth.Secrets, field string, dst *string) error {
	v, err := s.Get(field)
	if errors.Is(err, auth.ErrSecretNotFound) {
		return auth.NeedsUserBecause(auth.Next(auth.ActionUpdate, c.Name), msg.New("futu.field_missing", "Field", auth.FieldMessage(field), "Name", c.Name))
	}
	if err != nil {
		return msg.Wrap(err, "futu.field_unreadable", "Field", auth.FieldMessage(field), "Name", c.Name, "Err", err)
	}
	*dst = v
	return nil
}

// apiReply is Futu's JSON envelope.
type apiReply struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

type apiResult struct {
	status int
	reply  apiReply
	// refused is the answer read as Futu's error, when status >= 400.
	refused apiError
	date    time.Time     // the server's Date header, zero when absent
	at      time.Time     // our clock when the answer came
	used    time.Duration // the clock offset the request was signed with
}

// signedGet sends a signed GET to base+pathQuery, its timestamp in the
// broker's time when its clock is known. When Futu refuses a request
// whose timestamp was off from the clock its answer shows, the request
// is sent once more in Futu's time. Futu's message is withheld when it
// shows the key's secrets: it reaches saved reasons.
func (p *KeyProvider) signedGet(ctx context.Context, base string, k Signer, pathQuery string) (apiResult, error) {
	used := p.offset(base)
	r, err := p.signedGetOnce(ctx, base, k, pathQuery, used)
	if err != nil {
		return r, err
	}
	p.learn(base, r)
	if r.status == http.StatusUnauthorized && !r.date.IsZero() && (r.skew()-used).Abs() > skewRetry {
		if r2, err := p.signedGetOnce(ctx, base, k, pathQuery, r.skew()); err == nil {
			p.learn(base, r2)
			return r2, nil
		}
	}
	return r, nil
}

func (p *KeyProvider) signedGetOnce(ctx context.Context, base string, k Signer, pathQuery string, offset time.Duration) (apiResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+pathQuery, nil)
	if err != nil {
		return apiResult{}, err
	}
	k.Sign(req, nil, p.o.Clock.Now().Add(offset))
	resp, err := p.o.HTTP.Do(req)
	if err != nil {
		return apiResult{}, err
	}
	defer resp.Body.Close()
	r := apiResult{status: resp.StatusCode, at: p.o.Clock.Now(), used: offset}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		r.date = d
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return r, err
	}
	if resp.StatusCode >= 400 {
		r.refused = readAPIError(resp.StatusCode, resp.Header, body)
	}
	if resp.StatusCode == http.StatusNotFound || r.refused.kind() == refusedForeign {
		// No such call here, or a refusal that is not Futu's: not its JSON either way.
		return r, nil
	}
	if err := json.Unmarshal(body, &r.reply); err != nil {
		return r, badAnswer{resp.StatusCode}
	}
	r.reply.Message = scrub(r.reply.Message, k.AppKey, k.AppSecret, k.AccessToken)
	return r, nil
}

// refusal is the kind of refusal the answer is (refusedNot for a 2xx or 3xx).
func (r apiResult) refusal() refusal {
	if r.status < 400 {
		// Futu's envelope may carry its code on a 200.
		return apiError{status: r.status, code: r.reply.Code, futu: true}.kind()
	}
	return r.refused.kind()
}

// foreignHealth is the Unknown health of a 401 or 403 whose body is not
// Futu's own error: a proxy or a server fault said no, not Futu, so the
// key is not judged and the next clean check restores what it was.
func foreignHealth(c auth.Credential, r apiResult, what msg.Message, secrets []string) auth.Health {
	return auth.Health{State: auth.Unknown, ExpiresAt: keyExpiry(c), CheckedAt: r.at}.
		Because(msg.New("futu.refused_foreign", "Call", what, "Answer", r.refused.said(secrets...)))
}

// badAnswer is an answer that is not Futu's JSON (an error page, a cut
// answer): it came, so "Futu did not answer" would not be true.
type badAnswer struct{ status int }

func (e badAnswer) Error() string { return e.Message().String() }

// Message is the error as data.
func (e badAnswer) Message() msg.Message { return msg.New("futu.answer_not_json", "Status", e.status) }

// turnedAway reports a status with which a server refuses a request
// before acting on it (too many requests, unavailable).
func turnedAway(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// unreadHealth is the Unknown health of a check whose answer could not be read.
func unreadHealth(now time.Time, c auth.Credential, what msg.Message, e badAnswer) auth.Health {
	return auth.Health{State: auth.Unknown, ExpiresAt: keyExpiry(c), CheckedAt: now}.
		Because(unreadMsg(what, e.status)).Note(auth.RetryNoteMsg())
}

// unreadMsg says that Futu's answer to a call could not be read.
func unreadMsg(what msg.Message, status int) msg.Message {
	return msg.New("futu.answer_unread", "Call", what, "Status", status)
}

// The calls a sentence names.
func callHealthCheck() msg.Message  { return msg.New("futu.call_health_check") }
func callExtension() msg.Message    { return msg.New("futu.call_extension") }
func callAccountCheck() msg.Message { return msg.New("futu.call_account_check") }

// rejected turns a 401 answer into the health the user sees. A refused
// request time is never a dead key: the clock is off.
func rejected(c auth.Credential, r apiResult) auth.Health {
	h := auth.Health{State: auth.Broken, ExpiresAt: keyExpiry(c), CheckedAt: r.at}
	portal := auth.Next(auth.ActionUpdate, c.Name)
	switch {
	case timeRefused(r):
		h.State = auth.ActionNeeded
		h.Next = auth.Next(auth.ActionRetry, c.Name)
		if r.date.IsZero() {
			h = h.Because(msg.New("futu.time_refused_probably"))
			break
		}
		h = h.Because(msg.New("futu.time_refused", "Clock", clockNote(r.skew())))
	case strings.Contains(strings.ToLower(r.reply.Message), "signature"):
		h.Next = portal
		h = h.Because(msg.New("futu.signature_rejected"))
	case !c.ExtendLost.IsZero():
		h.Next = portal
		h = h.Because(msg.New("futu.extension_lost"))
	case !keyExpiry(c).IsZero() && !keyExpiry(c).After(r.at):
		h.Next = portal
		h = h.Because(msg.New("futu.key_expired_portal", "Day", day(keyExpiry(c))))
	default: // an unknown or revoked key or token, in Futu's words
		h.Next = portal
		h = h.Because(msg.New("futu.key_revoked"))
	}
	return h
}

// rejectedErr is the health of a 401 and its error: a verdict on the
// key needs the user; a refused request time is not a verdict on the
// key (adding it must not refuse it), so its error is a plain one.
func rejectedErr(c auth.Credential, r apiResult) (auth.Health, error) {
	h := rejected(c, r)
	if timeRefused(r) {
		return h, msg.Wrap(nil, "futu.check_failed", "Name", c.Name, "Why", h.Why)
	}
	return h, userErr(h)
}

// withClockNote adds to a health from an answer that Futu's clock is
// off from ours, which tokentray corrects for.
func withClockNote(h auth.Health, r apiResult) auth.Health {
	if d := r.skew(); !r.date.IsZero() && d.Abs() >= skewNoted {
		h = h.Note(msg.New("futu.clock_corrected", "Clock", clockNote(d)))
	}
	return h
}

// Refresh checks the key with Futu (GET /v1/auth/verify). It never
// replaces the access token: extending it breaks scripts that use the old
// one, so only Extend does that.
func (p *KeyProvider) Refresh(ctx context.Context, c *auth.Credential, s auth.Secrets, _ auth.RefreshOptions) (auth.Health, error) {
	now := p.o.Clock.Now()
	base, err := baseURL(p.o, *c)
	if err != nil {
		return configHealth(*c, now, err), err
	}
	k, err := loadKey(*c, s)
	if err != nil {
		return p.secretsHealth(*c, now, err), err
	}
	r, err := p.signedGet(ctx, base, k, VerifyPath)
	var bad badAnswer
	if errors.As(err, &bad) {
		return unreadHealth(r.at, *c, callHealthCheck(), bad), msg.Wrap(err, "futu.check_failed", "Name", c.Name, "Why", err)
	}
	if err != nil {
		if ctx.Err() != nil {
			return networkHealth(now, *c, err), msg.Wrap(ctx.Err(), "futu.check_failed", "Name", c.Name, "Why", auth.NetworkCause(ctx.Err()))
		}
		return networkHealth(now, *c, err), msg.Wrap(err, "futu.check_failed", "Name", c.Name, "Why", auth.NetworkCause(err))
	}
	c.LastChecked = r.at
	secrets := []string{k.AppKey, k.AppSecret, k.AccessToken}
	switch kind := r.refusal(); {
	case kind == refusedForeign:
		return foreignHealth(*c, r, callHealthCheck(), secrets), msg.Errorf("futu.check_failed", "Name", c.Name, "Why", r.refused.said(secrets...))
	case kind == refusedNotFound:
		// No health check on this endpoint: the known expiry is all there is.
		return withClockNote(expiryHealth(*c, r.at), r), nil
	case kind == refusedRateLimit:
		h := auth.Health{State: auth.Unknown, ExpiresAt: keyExpiry(*c), CheckedAt: r.at}.
			Because(msg.New("futu.slow_down", "Answer", r.refused.said(secrets...))).Note(nextCheckNote())
		return h, msg.Errorf("futu.check_failed", "Name", c.Name, "Why", r.refused.said(secrets...))
	case r.status == http.StatusUnauthorized || kind == refusedAuth || kind == refusedExpired:
		return rejectedErr(*c, r)
	case r.status != http.StatusOK || r.reply.Code != 0:
		h := auth.Health{State: auth.Unknown, ExpiresAt: keyExpiry(*c), CheckedAt: r.at}.
			Because(msg.New("futu.check_answered", "Status", r.status, "Code", r.reply.Code)).Note(auth.RetryNoteMsg())
		return h, msg.Errorf("futu.check_failed", "Name", c.Name, "Why", fmt.Sprintf("HTTP %d code %d %s", r.status, r.reply.Code, r.reply.Message))
	}
	var data struct {
		ExpiredAt string `json:"expired_at"`
	}
	_ = json.Unmarshal(r.reply.Data, &data)
	if t, err := time.Parse(time.RFC3339, data.ExpiredAt); err == nil {
		c.ExpiresAt = t.UTC()
	}
	c.ExtendLost = time.Time{} // Futu accepts the stored token
	return withClockNote(expiryHealth(*c, r.at), r), nil
}

func (p *KeyProvider) secretsHealth(c auth.Credential, now time.Time, err error) auth.Health {
	var ue *auth.UserError
	if errors.As(err, &ue) {
		return auth.Health{State: auth.Broken, Next: ue.Action, ExpiresAt: keyExpiry(c), CheckedAt: now}.Because(ue.Message())
	}
	return auth.Health{State: auth.Unknown, ExpiresAt: keyExpiry(c), CheckedAt: now}.Because(msg.New("futu.keychain_unreadable", "Err", err))
}

// maxExtension is how far ahead Futu lets a legacy access token be extended.
func maxExtension(now time.Time) time.Time { return now.AddDate(3, 0, 0) }

// Extend asks Futu for a new access token valid until until (zero means
// 90 days from now, at most 3 years). The new token replaces the old one
// in the keychain only after Futu issued it; the old one stops working.
func (p *KeyProvider) Extend(ctx context.Context, c *auth.Credential, s auth.Secrets, until time.Time) (auth.Health, error) {
	now := p.o.Clock.Now()
	if until.IsZero() {
		until = now.Add(KeyLife)
	}
	if !until.After(now) {
		return p.Assess(*c, now), auth.NeedsUserBecause(auth.Action{}, msg.New("futu.extend_past", "Day", day(until)))
	}
	if until.After(maxExtension(now)) {
		return p.Assess(*c, now), auth.NeedsUserBecause(auth.Action{}, msg.New("futu.extend_too_far", "Day", day(maxExtension(now))))
	}
	base, err := baseURL(p.o, *c)
	if err != nil {
		return configHealth(*c, now, err), err
	}
	k, err := loadKey(*c, s)
	if err != nil {
		return p.secretsHealth(*c, now, err), err
	}
	// Futu kills the old token on success, so make sure the keychain
	// will take the new one before asking for it.
	if err := s.Set(auth.FieldAccessToken, k.AccessToken); err != nil {
		return p.secretsHealth(*c, now, err), msg.Wrap(err, "futu.extend_cannot_store", "Name", c.Name, "Err", err)
	}
	path := c.RefreshTokenPath
	if path == "" {
		path = DefaultRefreshPath
	}
	q := url.Values{"expired_at": {until.UTC().Format(time.RFC3339)}}
	if err := ctx.Err(); err != nil {
		// The caller gave up before Futu was asked: nothing changed.
		return networkHealth(now, *c, err), msg.Wrap(err, "futu.extend_failed", "Name", c.Name, "Why", auth.NetworkCause(err))
	}
	// Futu retires the old token as it answers; the new one must reach
	// the keychain even if the caller stops waiting.
	rctx, cancel := detached(ctx)
	defer cancel()
	r, err := p.signedGet(rctx, base, k, path+"?"+q.Encode())
	var bad badAnswer
	if errors.As(err, &bad) && turnedAway(bad.status) {
		h := unreadHealth(now, *c, callExtension(), bad).Because(msg.New("futu.extend_turned_away", "Status", bad.status))
		return h, msg.Wrap(err, "futu.extend_failed", "Name", c.Name, "Why", err)
	}
	if errors.As(err, &bad) {
		h := unreadHealth(now, *c, callExtension(), bad)
		what := unreadMsg(callExtension(), bad.status)
		h = h.Because(msg.New("futu.extend_maybe", "What", what))
		h.Next = auth.Next(auth.ActionRetry, c.Name)
		// Not the user's to fix: the outcome is unknown until a check.
		return p.afterLostExtension(rctx, c, base, k, what, h, auth.WithAction(msg.Errorf("futu.extend_unread_maybe", "Name", c.Name), h.Next))
	}
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "dial" {
			// Nothing was sent: say so in words, not Go's error chain.
			return networkHealth(now, *c, err), msg.Wrap(err, "futu.extend_no_answer", "Name", c.Name, "Why", auth.NetworkCause(err))
		}
		// The request went out: Futu may have extended the token already.
		h := networkHealth(now, *c, err)
		what := msg.New("futu.extend_answer_lost", "Why", auth.NetworkCause(err))
		h = h.Because(msg.New("futu.extend_maybe", "What", what))
		h.Next = auth.Next(auth.ActionRetry, c.Name)
		lctx, cancel := detached(ctx)
		defer cancel()
		return p.afterLostExtension(lctx, c, base, k, what, h, auth.WithAction(msg.Wrap(err, "futu.extend_lost_maybe", "Name", c.Name, "Why", auth.NetworkCause(err)), h.Next))
	}
	c.LastChecked = r.at
	switch kind := r.refusal(); {
	case kind == refusedForeign:
		secrets := []string{k.AppKey, k.AppSecret, k.AccessToken}
		h := foreignHealth(*c, r, callExtension(), secrets)
		return h, msg.Errorf("futu.extend_refused_foreign", "Name", c.Name, "Answer", r.refused.said(secrets...))
	case r.status == http.StatusUnauthorized || kind == refusedAuth || kind == refusedExpired:
		return rejectedErr(*c, r)
	case r.status == http.StatusNotFound:
		return p.Assess(*c, now), auth.NeedsUserBecause(auth.Action{}, msg.New("futu.extend_no_path", "Path", path, "Name", c.Name))
	case r.status != http.StatusOK || r.reply.Code != 0:
		said := r.reply.Message
		if said == "" {
			said = http.StatusText(r.status)
		}
		if r.status == http.StatusBadRequest {
			return p.Assess(*c, now), auth.NeedsUserBecause(auth.Action{}, msg.New("futu.extend_refused_date", "Code", r.reply.Code, "Text", brokerText(said)))
		}
		h := auth.Health{State: auth.Unknown, ExpiresAt: keyExpiry(*c), CheckedAt: now}.
			Because(msg.New("futu.extend_not_done", "Status", r.status, "Code", r.reply.Code, "Text", brokerText(said)))
		return h, msg.Errorf("futu.extend_failed", "Name", c.Name, "Why", fmt.Sprintf("HTTP %d code %d: %s", r.status, r.reply.Code, said))
	}
	var data struct {
		Token     string `json:"token"`
		ExpiredAt string `json:"expired_at"`
	}
	if err := json.Unmarshal(r.reply.Data, &data); err != nil || data.Token == "" {
		return networkHealth(now, *c, msg.Errorf("futu.answer_no_token")), msg.Errorf("futu.extend_no_token", "Name", c.Name)
	}
	if err := auth.SetRetry(s, auth.FieldAccessToken, data.Token); err != nil {
		return auth.Health{State: auth.Broken, Next: auth.Next(auth.ActionUpdate, c.Name), CheckedAt: r.at}.Because(msg.New("futu.extend_store_refused")),
			msg.Wrap(err, "futu.extend_store_failed", "Name", c.Name, "Err", err)
	}
	before := keyExpiry(*c)
	c.ExtendLost = time.Time{}
	c.ExpiresAt = until.UTC()
	if t, err := time.Parse(time.RFC3339, data.ExpiredAt); err == nil {
		c.ExpiresAt = t.UTC()
	}
	c.RefreshedAt = r.at
	h := expiryHealth(*c, r.at)
	id := "futu.extended_until"
	if !before.IsZero() && c.ExpiresAt.Before(before) {
		id = "futu.extended_earlier" // a date before the old expiry is a cut
	}
	h = h.Because(msg.New(id, "Day", day(c.ExpiresAt)))
	return h, nil
}

// SharedFile is an env file for share targets, NAME.env: the variables
// of Env, each as an export line a bot's start script can source. The
// key is handed out whole (it has no refresh token).
func (p *KeyProvider) SharedFile(c auth.Credential, s auth.Secrets) (auth.SharedFile, error) {
	vars, _, err := p.Env(c, s)
	if err != nil {
		return auth.SharedFile{}, err
	}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("# The Futu API key " + c.Name + ", kept current by tokentray: source this file before a bot starts.\n")
	if !c.ExpiresAt.IsZero() {
		b.WriteString("# Its access token expires at " + c.ExpiresAt.UTC().Format(time.RFC3339) + ".\n")
	}
	var secrets []string
	for _, k := range keys {
		b.WriteString("export " + k + "='" + strings.ReplaceAll(vars[k], "'", `'\''`) + "'\n")
		if k != "FUTU_HTTP_URL" {
			secrets = append(secrets, vars[k])
		}
	}
	return auth.SharedFile{Name: c.Name + ".env", Content: []byte(b.String()), ExpiresAt: c.ExpiresAt, Token: vars["FUTU_ACCESS_TOKEN"], Secrets: secrets, ReadOnce: true}, nil
}

// afterLostExtension settles an extension whose answer was lost: Futu may
// have issued a new token, which tokentray never received, and retired
// the stored one. The credential is marked, and the stored token is
// checked at once: still accepted, nothing was extended; refused, the
// person learns that the new token was lost (not that Futu revoked the
// key); no answer, the mark makes the next check say it.
func (p *KeyProvider) afterLostExtension(ctx context.Context, c *auth.Credential, base string, k Signer, what msg.Message, h auth.Health, err error) (auth.Health, error) {
	c.ExtendLost = p.o.Clock.Now().UTC()
	r, verr := p.signedGet(ctx, base, k, VerifyPath)
	switch {
	case verr != nil:
		return h, err
	case r.status == http.StatusUnauthorized:
		return rejectedErr(*c, r)
	case r.status == http.StatusOK && r.reply.Code == 0:
		c.ExtendLost = time.Time{}
		c.LastChecked = r.at
		nh := expiryHealth(*c, r.at)
		nh.State = auth.Unknown
		nh = nh.Because(msg.New("futu.extend_not_done_still_works", "What", what))
		nh.Next = auth.Next(auth.ActionRetry, c.Name)
		return nh, auth.WithAction(msg.Errorf("futu.extend_lost_not_done", "Name", c.Name), nh.Next)
	}
	return h, err
}
