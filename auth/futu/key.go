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
func clockNote(skew time.Duration) string {
	dir := "behind"
	if skew < 0 {
		dir = "ahead of"
	}
	return fmt.Sprintf("your clock is %d s off (%s Futu's)", int64(math.Round(skew.Abs().Seconds())), dir)
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
		h.Reason = "the expiry of this access token is not known yet; tokentray will ask Futu"
	case !exp.After(now):
		h.State = auth.Broken
		h.Next = auth.Next(auth.ActionUpdate, c.Name)
		h.Reason = fmt.Sprintf("the access token expired on %s: create a new one in the Futu developer portal (User Center) and give it to tokentray", day(exp))
	case ExpiryStage(exp, now) > 0:
		h.State = auth.Expiring
		h.Next = auth.Next(auth.ActionExtend, c.Name)
		h.Reason = fmt.Sprintf("the access token expires %s (%s): extend it before then", timeLeft(exp.Sub(now)), day(exp))
	default:
		h.State = auth.OK
		h.Reason = fmt.Sprintf("the access token is valid until %s", day(exp))
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
		return auth.NeedsUserTo(auth.Next(auth.ActionUpdate, c.Name), "the %s of %s is missing from the keychain: enter it again", strings.ReplaceAll(field, "_", " "), c.Name)
	}
	if err != nil {
		return fmt.Errorf("tokentray cannot read the %s of %s: %w", strings.ReplaceAll(field, "_", " "), c.Name, err)
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
func foreignHealth(c auth.Credential, r apiResult, what string, secrets []string) auth.Health {
	return auth.Health{State: auth.Unknown, ExpiresAt: keyExpiry(c), CheckedAt: r.at,
		Reason: "the " + what + " got " + r.refused.what(secrets...) + ": a proxy or a server fault said no, not Futu, so nothing was changed and tokentray checks again at the next check"}
}

// badAnswer is an answer that is not Futu's JSON (an error page, a cut
// answer): it came, so "Futu did not answer" would not be true.
type badAnswer struct{ status int }

func (e badAnswer) Error() string {
	return fmt.Sprintf("Futu answered HTTP %d with something that is not its JSON", e.status)
}

// turnedAway reports a status with which a server refuses a request
// before acting on it (too many requests, unavailable).
func turnedAway(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// unreadHealth is the Unknown health of a check whose answer could not be read.
func unreadHealth(now time.Time, c auth.Credential, what string, e badAnswer) auth.Health {
	return auth.Health{State: auth.Unknown, ExpiresAt: keyExpiry(c), CheckedAt: now,
		Reason: fmt.Sprintf("Futu's answer to the %s could not be read (HTTP %d, not its JSON); %s", what, e.status, auth.RetryNote)}
}

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
			h.Reason = "Futu refused the request time, so your clock is probably off by more than 60 s; the key itself may be fine: set the system clock to update automatically and check again"
			break
		}
		h.Reason = "Futu refused the request time: " + clockNote(r.skew()) + "; the key itself may be fine: set the system clock to update automatically and check again"
	case strings.Contains(strings.ToLower(r.reply.Message), "signature"):
		h.Next = portal
		h.Reason = "Futu rejected the request signature: the app secret does not belong to this app key; copy both again from the Futu developer portal"
	case !c.ExtendLost.IsZero():
		h.Next = portal
		h.Reason = lostReason
	case !keyExpiry(c).IsZero() && !keyExpiry(c).After(r.at):
		h.Next = portal
		h.Reason = fmt.Sprintf("the access token expired on %s: create a new token in the Futu developer portal", day(keyExpiry(c)))
	default: // an unknown or revoked key or token, in Futu's words
		h.Next = portal
		h.Reason = "the API key was rejected by Futu as revoked or invalid: create a new token in the Futu developer portal"
	}
	return h
}

// rejectedErr is the health of a 401 and its error: a verdict on the
// key needs the user; a refused request time is not a verdict on the
// key (adding it must not refuse it), so its error is a plain one.
func rejectedErr(c auth.Credential, r apiResult) (auth.Health, error) {
	h := rejected(c, r)
	if timeRefused(r) {
		return h, fmt.Errorf("futu check %s: %s", c.Name, h.Reason)
	}
	return h, userErr(h)
}

// withClockNote adds to a health from an answer that Futu's clock is
// off from ours, which tokentray corrects for.
func withClockNote(h auth.Health, r apiResult) auth.Health {
	if d := r.skew(); !r.date.IsZero() && d.Abs() >= skewNoted {
		h.Reason += "; " + clockNote(d) + ", which tokentray corrects for: set the system clock to update automatically"
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
		return unreadHealth(r.at, *c, "health check", bad), fmt.Errorf("futu check %s: %w", c.Name, err)
	}
	if err != nil {
		if ctx.Err() != nil {
			return networkHealth(now, *c, err), fmt.Errorf("futu check %s: %w", c.Name, ctx.Err())
		}
		return networkHealth(now, *c, err), fmt.Errorf("futu check %s: %w", c.Name, err)
	}
	c.LastChecked = r.at
	secrets := []string{k.AppKey, k.AppSecret, k.AccessToken}
	switch kind := r.refusal(); {
	case kind == refusedForeign:
		return foreignHealth(*c, r, "health check", secrets), fmt.Errorf("futu check %s: %s", c.Name, r.refused.what(secrets...))
	case kind == refusedNotFound:
		// No health check on this endpoint: the known expiry is all there is.
		return withClockNote(expiryHealth(*c, r.at), r), nil
	case kind == refusedRateLimit:
		h := auth.Health{State: auth.Unknown, ExpiresAt: keyExpiry(*c), CheckedAt: r.at,
			Reason: "Futu asked tokentray to slow down (" + r.refused.what(secrets...) + "); nothing was changed and tokentray checks again at the next check"}
		return h, fmt.Errorf("futu check %s: %s", c.Name, r.refused.what(secrets...))
	case r.status == http.StatusUnauthorized || kind == refusedAuth || kind == refusedExpired:
		return rejectedErr(*c, r)
	case r.status != http.StatusOK || r.reply.Code != 0:
		h := auth.Health{
			State:     auth.Unknown,
			Reason:    fmt.Sprintf("Futu answered HTTP %d (code %d) to the health check; %s", r.status, r.reply.Code, auth.RetryNote),
			ExpiresAt: keyExpiry(*c),
			CheckedAt: r.at,
		}
		return h, fmt.Errorf("futu check %s: HTTP %d code %d %s", c.Name, r.status, r.reply.Code, r.reply.Message)
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
		return auth.Health{State: auth.Broken, Reason: ue.Msg, Next: ue.Action, ExpiresAt: keyExpiry(c), CheckedAt: now}
	}
	return auth.Health{State: auth.Unknown, Reason: "the keychain could not be read: " + err.Error(), ExpiresAt: keyExpiry(c), CheckedAt: now}
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
		return p.Assess(*c, now), auth.NeedsUser(fmt.Sprintf("%s is in the past: choose a date up to 3 years ahead", day(until)))
	}
	if until.After(maxExtension(now)) {
		return p.Assess(*c, now), auth.NeedsUser(fmt.Sprintf("Futu extends an access token by at most 3 years: choose a date before %s", day(maxExtension(now))))
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
		return p.secretsHealth(*c, now, err), fmt.Errorf("futu extend %s: the keychain cannot store the new token, so nothing was asked of Futu: %w", c.Name, err)
	}
	path := c.RefreshTokenPath
	if path == "" {
		path = DefaultRefreshPath
	}
	q := url.Values{"expired_at": {until.UTC().Format(time.RFC3339)}}
	if err := ctx.Err(); err != nil {
		// The caller gave up before Futu was asked: nothing changed.
		return networkHealth(now, *c, err), fmt.Errorf("futu extend %s: %w", c.Name, err)
	}
	// Futu retires the old token as it answers; the new one must reach
	// the keychain even if the caller stops waiting.
	rctx, cancel := detached(ctx)
	defer cancel()
	r, err := p.signedGet(rctx, base, k, path+"?"+q.Encode())
	var bad badAnswer
	if errors.As(err, &bad) && turnedAway(bad.status) {
		h := unreadHealth(now, *c, "extension", bad)
		h.Reason = fmt.Sprintf("Futu turned the extension away (HTTP %d); nothing was changed: try again later", bad.status)
		return h, fmt.Errorf("futu extend %s: %w", c.Name, err)
	}
	if errors.As(err, &bad) {
		h := unreadHealth(now, *c, "extension", bad)
		what := fmt.Sprintf("Futu's answer to the extension could not be read (HTTP %d, not its JSON)", bad.status)
		h.Reason = what + ", so the token may have been extended: check again to see where it stands"
		h.Next = auth.Next(auth.ActionRetry, c.Name)
		// Not the user's to fix: the outcome is unknown until a check.
		return p.afterLostExtension(rctx, c, base, k, what, h, auth.WithAction(fmt.Errorf("futu extend %s: Futu's answer could not be read and the token may have been extended: check again to see where it stands", c.Name), h.Next))
	}
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "dial" {
			// Nothing was sent: say so in words, not Go's error chain.
			return networkHealth(now, *c, err), auth.Said(fmt.Sprintf("futu extend %s: Futu did not answer (%s); nothing was changed: try again later", c.Name, shortErr(err)), err)
		}
		// The request went out: Futu may have extended the token already.
		h := networkHealth(now, *c, err)
		what := fmt.Sprintf("Futu's answer to the extension did not arrive (%s)", shortErr(err))
		h.Reason = what + ", so the token may have been extended: check again to see where it stands"
		h.Next = auth.Next(auth.ActionRetry, c.Name)
		lctx, cancel := detached(ctx)
		defer cancel()
		return p.afterLostExtension(lctx, c, base, k, what, h, auth.WithAction(fmt.Errorf("futu extend %s: the answer did not arrive (%s) and the token may have been extended: check again to see where it stands", c.Name, shortErr(err)), h.Next))
	}
	c.LastChecked = r.at
	switch kind := r.refusal(); {
	case kind == refusedForeign:
		secrets := []string{k.AppKey, k.AppSecret, k.AccessToken}
		h := foreignHealth(*c, r, "extension", secrets)
		return h, fmt.Errorf("futu extend %s: %s; nothing was changed: try again later", c.Name, r.refused.what(secrets...))
	case r.status == http.StatusUnauthorized || kind == refusedAuth || kind == refusedExpired:
		return rejectedErr(*c, r)
	case r.status == http.StatusNotFound:
		return p.Assess(*c, now), auth.NeedsUser(fmt.Sprintf("Futu has no token refresh at %s: extend the token in the Futu developer portal, or set the right path for %s", path, c.Name))
	case r.status != http.StatusOK || r.reply.Code != 0:
		msg := r.reply.Message
		if msg == "" {
			msg = http.StatusText(r.status)
		}
		if r.status == http.StatusBadRequest {
			return p.Assess(*c, now), auth.NeedsUser(fmt.Sprintf("Futu refused to extend the token (code %d: %s): choose another date", r.reply.Code, msg))
		}
		h := auth.Health{State: auth.Unknown, ExpiresAt: keyExpiry(*c), CheckedAt: now}
		h.Reason = fmt.Sprintf("Futu did not extend the token (HTTP %d, code %d: %s); nothing was changed: try again later", r.status, r.reply.Code, msg)
		return h, fmt.Errorf("futu extend %s: HTTP %d code %d: %s", c.Name, r.status, r.reply.Code, msg)
	}
	var data struct {
		Token     string `json:"token"`
		ExpiredAt string `json:"expired_at"`
	}
	if err := json.Unmarshal(r.reply.Data, &data); err != nil || data.Token == "" {
		return networkHealth(now, *c, errors.New("the answer had no token")), fmt.Errorf("futu extend %s: Futu answered without a new token; check the credential with the developer portal", c.Name)
	}
	if err := auth.SetRetry(s, auth.FieldAccessToken, data.Token); err != nil {
		return auth.Health{State: auth.Broken, Next: auth.Next(auth.ActionUpdate, c.Name), Reason: "Futu issued a new access token but the keychain refused it and the old one no longer works: create a new token in the Futu developer portal", CheckedAt: r.at},
			fmt.Errorf("futu extend %s: store the new token: %w", c.Name, err)
	}
	before := keyExpiry(*c)
	c.ExtendLost = time.Time{}
	c.ExpiresAt = until.UTC()
	if t, err := time.Parse(time.RFC3339, data.ExpiredAt); err == nil {
		c.ExpiresAt = t.UTC()
	}
	c.RefreshedAt = r.at
	h := expiryHealth(*c, r.at)
	verb := "was extended until"
	if !before.IsZero() && c.ExpiresAt.Before(before) {
		verb = "now ends earlier, on" // a date before the old expiry is a cut
	}
	h.Reason = fmt.Sprintf("the access token %s %s; scripts that use the old FUTU_ACCESS_TOKEN need the new one", verb, day(c.ExpiresAt))
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
func (p *KeyProvider) afterLostExtension(ctx context.Context, c *auth.Credential, base string, k Signer, what string, h auth.Health, err error) (auth.Health, error) {
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
		nh.Reason = what + "; the stored token still works, so it was not extended: try again"
		nh.Next = auth.Next(auth.ActionRetry, c.Name)
		return nh, auth.WithAction(fmt.Errorf("futu extend %s: Futu's answer was lost and the token was not extended: try again", c.Name), nh.Next)
	}
	return h, err
}

// lostReason is the sentence of a stored token Futu refuses after an
// extension whose answer was lost.
const lostReason = "tokentray lost the new token while extending (Futu's answer did not arrive), and Futu no longer accepts the old one: create a new token in the Futu developer portal and give it to tokentray"
