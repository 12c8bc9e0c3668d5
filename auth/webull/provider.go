package webull

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Defaults for Options.
const (
	// DefaultRenewBefore renews a NORMAL token this long before its
	// ~15-day expiry, leaving days to retry if Webull is down.
	DefaultRenewBefore = 3 * 24 * time.Hour
	// DefaultIdleWarnAfter warns this long after the last use, three days
	// before the 15-day idle limit makes the token INVALID.
	DefaultIdleWarnAfter = 12 * 24 * time.Hour
)

// Options wire a Provider to the world; the zero value is production.
type Options struct {
	// Clock drives every wait and timestamp; nil is the real clock.
	Clock clockwork.Clock
	// HTTPClient sends the requests; nil is a client with a 30 s timeout.
	// No request follows a redirect to another origin.
	HTTPClient *http.Client
	// PollInterval between verification checks; 0 is PollInterval.
	PollInterval time.Duration
	// RenewBefore is how long before expiry a token is renewed.
	RenewBefore time.Duration
	// IdleWarnAfter is how long without use before health warns.
	IdleWarnAfter time.Duration
	// SDKTokenBase holds one token folder per sharing credential that
	// names no folder of its own; empty is <config dir>/tokentray/webull-sdk.
	SDKTokenBase string
	// Nonce makes request nonces; nil is NewNonce.
	Nonce func() string
}

// Provider implements auth.Provider and auth.Login for auth.KindWebull.
type Provider struct {
	clock         clockwork.Clock
	http          *http.Client
	poll          time.Duration
	renewBefore   time.Duration
	idleWarnAfter time.Duration
	sdkBase       string
	nonce         func() string
}

var (
	_ auth.Provider = (*Provider)(nil)
	_ auth.Login    = (*Provider)(nil)
)

// NewProvider returns the Webull provider.
func NewProvider(opts Options) *Provider {
	p := &Provider{clock: opts.Clock, http: opts.HTTPClient, poll: opts.PollInterval,
		renewBefore: opts.RenewBefore, idleWarnAfter: opts.IdleWarnAfter, sdkBase: opts.SDKTokenBase, nonce: opts.Nonce}
	if p.clock == nil {
		p.clock = clockwork.NewRealClock()
	}
	if p.http == nil {
		p.http = &http.Client{Timeout: 30 * time.Second}
	}
	if p.poll <= 0 {
		p.poll = PollInterval
	}
	if p.renewBefore <= 0 {
		p.renewBefore = DefaultRenewBefore
	}
	if p.idleWarnAfter <= 0 {
		p.idleWarnAfter = DefaultIdleWarnAfter
	}
	if p.sdkBase == "" {
		p.sdkBase = defaultSDKBase()
	}
	return p
}

func defaultSDKBase() string {
	if d := os.Getenv("TOKENTRAY_CONFIG_DIR"); d != "" {
		return filepath.Join(d, "webull-sdk")
	}
	if d, err := os.UserConfigDir(); err == nil {
		return filepath.Join(d, "tokentray", "webull-sdk")
	}
	return filepath.Join(os.TempDir(), "tokentray-webull-sdk")
}

// Kind is auth.KindWebull.
func (p *Provider) Kind() auth.Kind { return auth.KindWebull }

// SDKTokenDir is the folder whose token.txt is kept for the SDKs: the
// credential's own choice, else one under the provider's base.
func (p *Provider) SDKTokenDir(c auth.Credential) string {
	if c.SDKTokenDir != "" {
		return c.SDKTokenDir
	}
	return filepath.Join(p.sdkBase, c.ID)
}

// NewClient returns a signed client for the credential's app.
func (p *Provider) NewClient(c auth.Credential, s auth.Secrets) (*Client, error) {
	appKey, err := secret(c, s, auth.FieldAppKey)
	if err != nil {
		return nil, err
	}
	appSecret, err := secret(c, s, auth.FieldAppSecret)
	if err != nil {
		return nil, err
	}
	base, err := BaseURL(c)
	if err != nil {
		return nil, err
	}
	alg, err := AlgorithmFor(c, base.Host)
	if err != nil {
		return nil, err
	}
	return &Client{Base: base, HTTP: p.http, Clock: p.clock,
		Signer: Signer{AppKey: appKey, AppSecret: appSecret, Algorithm: alg, Nonce: p.nonce}}, nil
}

func secret(c auth.Credential, s auth.Secrets, field string) (string, error) {
	what := msg.New("webull.field_app_key")
	if field == auth.FieldAppSecret {
		what = msg.New("webull.field_app_secret")
	}
	v, err := s.Get(field)
	if errors.Is(err, auth.ErrSecretNotFound) || (err == nil && v == "") {
		return "", auth.NeedsUserBecause(auth.Next(auth.ActionUpdate, c.Name),
			msg.New("webull.secret_missing", "Field", what, "Name", c.Name))
	}
	if err != nil {
		return "", msg.Wrap(err, "webull.secret_read", "Field", what, "Name", c.Name, "Err", err)
	}
	return v, nil
}

func health(state auth.State, why msg.Message, now time.Time) auth.Health {
	return auth.Health{State: state, CheckedAt: now}.Because(why)
}

// webullKind is Webull's description, whose table of next actions withNext
// follows as the engine does.
var webullKind = Kinds()[0]

// withNext sets the next action a state calls for when none is set: a
// pending or lost token is verified again, a rejected key or secret is
// given again, and a broker that did not answer is asked again.
func withNext(h auth.Health, name string) auth.Health {
	if !h.Next.IsZero() {
		if h.Next.Credential == "" {
			h.Next.Credential = name
		}
		return h
	}
	if k := webullKind.NextFor(h.State); k != auth.ActionNone {
		h.Next = auth.Next(k, name)
	}
	return h
}

// finish sets the next action of an operation's outcome. A failure
// that no typed action fixes (a share folder, a setting such as the
// region or endpoint) keeps none; an action that names no credential
// gets this one.
func finish(h auth.Health, err error, name string) auth.Health {
	var ue *auth.UserError
	if errors.As(err, &ue) {
		if ue.Action.IsZero() {
			return h
		}
		if ue.Action.Credential == "" {
			ue.Action.Credential = name
		}
	}
	if errors.As(err, new(*ShareError)) {
		return h
	}
	return withNext(h, name)
}

// needsVerify is the error of a token only a new SMS verification replaces.
func needsVerify(name string, why msg.Message) error {
	return auth.NeedsUserBecause(auth.Next(auth.ActionVerify, name), why)
}

// errHealth maps a failure to health: only a broker's answer can make a
// credential worse than Unknown, and a clock that is off is never Broken.
func errHealth(err error, now time.Time) auth.Health {
	var ue *auth.UserError
	var ae *APIError
	var ne *NetworkError
	switch {
	case errors.As(err, &ue):
		h := health(auth.ActionNeeded, sentence(err), now)
		h.Next = ue.Action
		return h
	case errors.As(err, &ne):
		// No answer: the one sentence every broker uses, and the note
		// that nothing changed.
		return health(auth.Unknown, ne.Message(), now).Note(auth.RetryNoteMsg())
	case errors.As(err, &ae) && ae.Temporary():
		return health(auth.Unknown, sentence(err), now)
	case errors.As(err, &ae) && ae.ClockSkewed():
		// Fixing the clock is the person's to do; then a check succeeds.
		h := health(auth.ActionNeeded, sentence(err), now)
		h.Next = auth.Action{Kind: auth.ActionRetry}
		return h
	case errors.As(err, &ae) && ae.SignatureRejected():
		return health(auth.Broken, sentence(err), now)
	case errors.As(err, &ae):
		return health(auth.ActionNeeded, sentence(err), now)
	}
	return health(auth.Unknown, sentence(err), now)
}

// MsgTwoFactorOff is the English reason of an app that needs no token
// (webull.two_factor_off).
const MsgTwoFactorOff = "2FA is off for this app: requests are signed with the app key alone."

// needsToken asks Webull whether the app needs a token, as the official
// SDKs do before creating one, in every region (hk too, since Webull's
// Python SDK dropped its Hong Kong exception on 2026-06-08). A server
// that does not know the question (404), or refuses it for want of a
// token, is taken to need one.
func needsToken(ctx context.Context, cl *Client, c auth.Credential) (bool, error) {
	on, err := cl.Config(ctx)
	var ae *APIError
	if errors.As(err, &ae) && (ae.HTTPStatus == http.StatusNotFound || ae.Code == CodeInvalidToken) {
		return true, nil
	}
	return on, err
}

// noTokenHealth is the health of an app with 2FA off.
func noTokenHealth(now time.Time) auth.Health {
	return health(auth.OK, msg.New("webull.two_factor_off"), now)
}

// Assess computes health from what is stored, without the network.
func (p *Provider) Assess(c auth.Credential, now time.Time) auth.Health {
	return withNext(p.assess(c, now), c.Name)
}

func (p *Provider) assess(c auth.Credential, now time.Time) auth.Health {
	if c.Health.State == auth.Broken && (c.TokenStatus == StatusNormal || c.TwoFactorOff) {
		return c.Health // a rejected key or secret stays so until the next check
	}
	if c.TwoFactorOff {
		return noTokenHealth(now)
	}
	switch c.TokenStatus {
	case "":
		return health(auth.ActionNeeded, msg.New("webull.no_token"), now)
	case StatusPending:
		if c.ExpiresAt.After(now) {
			h := health(auth.Pending, msg.New("webull.waiting"), now)
			h.Deadline = c.ExpiresAt
			return h
		}
		return health(auth.ActionNeeded, msg.New("webull.window_ran_out"), now)
	case StatusExpired:
		return health(auth.ActionNeeded, msg.New("webull.window_ran_out"), now)
	case StatusInvalid:
		return health(auth.ActionNeeded, InvalidWhy(c.LastUsed, c.ExpiresAt, now), now)
	}
	return p.normalHealth(c, now)
}

// lastUse is the latest moment the token is known to have been used.
func lastUse(c auth.Credential) time.Time {
	t := c.LastUsed
	if c.RefreshedAt.After(t) {
		t = c.RefreshedAt
	}
	return t
}

// normalHealth is the health of a NORMAL token by its expiry and idleness.
func (p *Provider) normalHealth(c auth.Credential, now time.Time) auth.Health {
	var h auth.Health
	used := lastUse(c)
	idleLimitAt := used.Add(IdleLimit)
	switch {
	case !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt):
		h = health(auth.ActionNeeded, msg.New("webull.token_expired", "At", When(c.ExpiresAt)), now)
	case !used.IsZero() && !now.Before(idleLimitAt):
		h = health(auth.ActionNeeded, InvalidWhy(used, time.Time{}, now), now)
	case c.RenewUnavailable && !c.ExpiresAt.IsZero() && c.ExpiresAt.Sub(now) <= p.renewBefore:
		h = health(auth.Expiring, msg.New("webull.renew_refused_expiring", "At", When(c.ExpiresAt)), now)
		h.Next = auth.Next(auth.ActionVerify, c.Name)
	case !c.ExpiresAt.IsZero() && c.ExpiresAt.Sub(now) <= p.renewBefore:
		h = health(auth.Expiring, msg.New("webull.expiring", "At", When(c.ExpiresAt)), now)
		h.Next = auth.Next(auth.ActionRetry, c.Name)
	case !used.IsZero() && now.Sub(used) >= p.idleWarnAfter:
		h = health(auth.Expiring, msg.New("webull.idle_warn", "Used", When(used), "Limit", When(idleLimitAt)), now)
		h.Next = auth.Next(auth.ActionRetry, c.Name)
	case c.ExpiresAt.IsZero():
		h = health(auth.OK, msg.New("webull.verified_no_expiry"), now)
	case c.RenewUnavailable:
		h = health(auth.OK, msg.New("webull.verified_no_renewal", "Until", When(c.ExpiresAt)), now)
	case c.TestEnv:
		h = health(auth.OK, msg.New("webull.verified_test_env", "Until", When(c.ExpiresAt)), now)
	default:
		h = health(auth.OK, msg.New("webull.verified", "Until", When(c.ExpiresAt)), now)
	}
	h.ExpiresAt = c.ExpiresAt
	return h
}

// Refresh checks the stored token with Webull (reusing it, never replacing
// a good one) and renews a NORMAL token inside the renewal window.
func (p *Provider) Refresh(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.RefreshOptions) (auth.Health, error) {
	h, err := p.refresh(ctx, c, s, opts)
	h = finish(h, err, c.Name)
	c.Health = h
	return h, err
}

// Check checks a new Webull app before it is stored with signed calls
// that create no token and send no SMS: /openapi/config (whether the app
// needs a token, asked in every region as both SDKs now do), then the
// check of a token given with it. A signature Webull rejects is the app
// secret's fault.
func (p *Provider) Check(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
	h, err := p.Refresh(ctx, c, s, auth.RefreshOptions{})
	var ae *APIError
	if errors.As(err, &ae) && ae.SignatureRejected() {
		return h, auth.WrongField(auth.FieldAppSecret, auth.NeedsUserBecause(auth.Action{}, sentence(err)))
	}
	return h, err
}

// MsgNoToken says the app needs a token and has none yet, in English
// (webull.no_token).
const MsgNoToken = "No verified Webull token yet: start the verification and confirm the SMS code in the Webull app."

func (p *Provider) refresh(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.RefreshOptions) (auth.Health, error) {
	now := p.clock.Now()
	cl, err := p.NewClient(*c, s)
	if err != nil {
		return errHealth(err, now), err
	}
	token, err := s.Get(auth.FieldWebullToken)
	if err != nil && !errors.Is(err, auth.ErrSecretNotFound) {
		err = msg.Wrap(err, "webull.token_read", "Name", c.Name, "Err", err)
		return errHealth(err, now), err
	}
	// A folder sharing moved away from, or stopped using, loses the token
	// file at once, before Webull is asked anything.
	if err := p.dropStale(c, token); err != nil {
		return shareHealth(p.Assess(*c, now), err, now, c.Name), &ShareError{Err: err}
	}
	if c.TwoFactorOff || token == "" {
		// Whether 2FA is still off (or was turned off) is asked again at
		// every check of an app without a token.
		need, err := needsToken(ctx, cl, *c)
		if err != nil {
			return errHealth(err, now), err
		}
		now = p.clock.Now()
		c.LastChecked = now
		if !need {
			c.TwoFactorOff = true
			return noTokenHealth(now), nil
		}
		if c.TwoFactorOff {
			c.TwoFactorOff = false
			if token == "" {
				why := msg.New("webull.two_factor_now_on")
				return health(auth.ActionNeeded, why, now), needsVerify(c.Name, why)
			}
		}
		if token == "" {
			why := msg.New("webull.no_token")
			return health(auth.ActionNeeded, why, now), needsVerify(c.Name, why)
		}
	}

	ti, err := cl.Check(ctx, token)
	var ae *APIError
	if errors.As(err, &ae) && ae.Code == CodeInvalidToken {
		ti, err = TokenInfo{Token: token, Status: StatusInvalid}, nil
	}
	if err != nil {
		return errHealth(err, now), err
	}
	now = p.clock.Now()
	c.LastChecked = now
	usedBefore := c.LastUsed
	c.TokenStatus = ti.Status
	if !ti.Expires.IsZero() {
		c.ExpiresAt = ti.Expires
	}

	var h auth.Health
	switch ti.Status {
	case StatusPending:
		h = health(auth.Pending, msg.New("webull.waiting"), now)
		h.Deadline = ti.Expires
	case StatusExpired:
		why := msg.New("webull.window_ran_out")
		h, err = health(auth.ActionNeeded, why, now), needsVerify(c.Name, why)
	case StatusInvalid:
		why := InvalidWhy(usedBefore, c.ExpiresAt, now)
		h, err = health(auth.ActionNeeded, why, now), needsVerify(c.Name, why)
	default:
		c.LastUsed = now // a check of a NORMAL token counts as use at Webull
		lead := max(p.renewBefore, opts.Lead)
		// A broker that refused renewal is asked again only when forced.
		due := !c.RenewUnavailable && !c.ExpiresAt.IsZero() && c.ExpiresAt.Sub(now) <= lead
		if opts.Force || due {
			var note auth.Health
			if token, note, err = p.renew(ctx, cl, c, s, token); err != nil {
				return note, err
			}
			h = p.normalHealth(*c, p.clock.Now())
			if !note.Why.IsZero() {
				h = h.Because(msg.New("webull.then", "First", note.Why, "Then", h.Why))
			}
		} else {
			h = p.normalHealth(*c, p.clock.Now())
		}
	}
	if serr := p.share(c, TokenInfo{Token: token, Expires: c.ExpiresAt, Status: c.TokenStatus}); serr != nil && err == nil {
		return shareHealth(h, serr, now, c.Name), serr
	}
	return h, err
}

// brokerTimeout bounds a call that may replace a token, which runs on
// after its caller gives up so that a new token is never dropped.
var brokerTimeout = 30 * time.Second

// renew extends a NORMAL token and returns the token to use from now on.
// A new token string is stored in the keychain before anything else.
func (p *Provider) renew(ctx context.Context, cl *Client, c *auth.Credential, s auth.Secrets, token string) (string, auth.Health, error) {
	var ri TokenInfo
	err := ctx.Err()
	if err != nil {
		err = &StoppedError{Err: err} // the caller gave up before Webull was asked
	} else {
		// Webull may retire the old token as it answers; the answer must
		// reach the keychain even if the caller stops waiting.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), brokerTimeout)
		defer cancel()
		ri, err = cl.Renew(rctx, token)
	}
	now := p.clock.Now()
	if err != nil && IsTemporary(err) {
		var se *StoppedError
		stopped := errors.As(err, &se) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
		var why msg.Message
		switch {
		case stopped && c.ExpiresAt.IsZero():
			why = msg.New("webull.renew_stopped")
		case stopped:
			why = msg.New("webull.renew_stopped_until", "Until", When(c.ExpiresAt))
		case c.ExpiresAt.IsZero():
			why = msg.New("webull.renew_failed", "Err", clause(err))
		default:
			why = msg.New("webull.renew_failed_until", "Err", clause(err), "Until", When(c.ExpiresAt))
		}
		h := health(auth.Unknown, why, now)
		h.ExpiresAt = c.ExpiresAt
		return token, h, err
	}
	if err == nil && ri.Status != StatusNormal {
		err = msg.Errorf("webull.renew_answer_status", "Status", ri.Status)
		if ri.Status == StatusInvalid || ri.Status == StatusExpired {
			c.TokenStatus = ri.Status
		}
	}
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && (ae.SignatureRejected() || ae.ClockSkewed()) {
			return token, errHealth(err, now), err
		}
		if errors.As(err, &ae) {
			// No official SDK renews, so a refusal says the broker does not
			// offer it, not that the token (just checked NORMAL) is bad:
			// keep it and warn before it runs out.
			c.RenewUnavailable = true
			return token, auth.Health{}.Because(msg.New("webull.renewal_refused_kept", "Status", ae.HTTPStatus, "Detail", ae.detail())), nil
		}
		var why msg.Message
		if !c.ExpiresAt.IsZero() && c.TokenStatus == StatusNormal {
			why = msg.New("webull.renew_refused_until", "Err", clause(err), "Until", When(c.ExpiresAt))
		} else {
			why = msg.New("webull.renew_refused", "Err", clause(err))
		}
		h := health(auth.ActionNeeded, why, now)
		h.ExpiresAt = c.ExpiresAt
		return token, h, needsVerify(c.Name, why)
	}
	if ri.Token != token {
		if err := auth.SetRetry(s, auth.FieldWebullToken, ri.Token); err != nil {
			// Webull may have retired the old token already; say so plainly.
			h := health(auth.ActionNeeded, msg.New("webull.renewed_not_stored", "Err", clause(err)), now)
			h.Next = auth.Next(auth.ActionVerify, c.Name)
			return token, h, msg.Wrap(err, "webull.store_renewed", "Err", err)
		}
		token = ri.Token
	}
	if !ri.Expires.IsZero() {
		c.ExpiresAt = ri.Expires
	}
	c.TokenStatus = StatusNormal
	c.RenewUnavailable = false
	c.RefreshedAt = now
	c.LastUsed = now
	return token, auth.Health{}, nil
}

// share keeps the SDKs' token.txt current when the credential shares,
// and removes the one written before when sharing moved or stopped.
func (p *Provider) share(c *auth.Credential, ti TokenInfo) error {
	if err := p.dropStale(c, ti.Token); err != nil {
		return &ShareError{Err: err}
	}
	file := p.sharedFile(*c)
	if file == "" || ti.Token == "" {
		return nil
	}
	dir := filepath.Dir(file)
	if _, err := CheckShareDir(dir); err != nil {
		return &ShareError{Err: msg.Wrap(err, "webull.share_not_written", "File", file, "Err", err)}
	}
	if err := WriteTokenFile(dir, ti); err != nil {
		return &ShareError{Err: msg.Wrap(err, "webull.share_not_updated", "File", file, "Err", err)}
	}
	c.SDKTokenFile = file
	return nil
}

// ShareError is a token file that could not be written or removed; the
// token itself is fine. No typed action fixes it: the folder does.
type ShareError struct{ Err error }

func (e *ShareError) Error() string { return e.Err.Error() }
func (e *ShareError) Unwrap() error { return e.Err }

// Message is the sentence as data.
func (e *ShareError) Message() msg.Message { return msg.Of(e.Err) }

// shareHealth reports a token.txt that bots read but that could not be
// written or removed. The token itself is as good as h says: a usable
// one stays OK (or Expiring), with the sharing failure as its sentence
// and writing the file again as the next action; the person never has to
// log in or verify again for a folder.
func shareHealth(h auth.Health, err error, now time.Time, name string) auth.Health {
	if !h.Usable() {
		return h
	}
	out := h
	out.CheckedAt = now
	out = out.Because(msg.New("webull.sharing_failed", "Err", sentence(err)))
	out.Next = auth.Next(auth.ActionShare, name)
	return out
}

// NoTokenError is what Token answers for an app with 2FA off: there is
// no token to hand out, and none is needed.
type NoTokenError struct{ Name string }

func (e *NoTokenError) Error() string { return e.Message().String() }

// Message is the sentence as data.
func (e *NoTokenError) Message() msg.Message {
	return msg.New("webull.no_token_two_factor_off", "Name", e.Name)
}

// Token returns the verified token for another app, or a UserError saying
// what to do first (a *NoTokenError when the app needs none).
func (p *Provider) Token(c auth.Credential, s auth.Secrets) (string, error) {
	now := p.clock.Now()
	if c.TwoFactorOff {
		return "", &NoTokenError{Name: c.Name}
	}
	verify := auth.Next(auth.ActionVerify, c.Name)
	switch c.TokenStatus {
	case StatusNormal:
		if !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt) {
			return "", auth.NeedsUserBecause(verify, msg.New("webull.token_of_expired", "Name", c.Name, "At", When(c.ExpiresAt)))
		}
	case StatusPending:
		return "", auth.NeedsUserBecause(verify, msg.New("webull.token_of_pending", "Name", c.Name))
	case StatusExpired, StatusInvalid:
		return "", auth.NeedsUserBecause(verify, msg.New("webull.token_of_status", "Name", c.Name, "Status", c.TokenStatus))
	default:
		return "", auth.NeedsUserBecause(verify, msg.New("webull.token_of_none", "Name", c.Name))
	}
	v, err := s.Get(auth.FieldWebullToken)
	if errors.Is(err, auth.ErrSecretNotFound) || (err == nil && v == "") {
		return "", auth.NeedsUserBecause(verify, msg.New("webull.token_of_not_stored", "Name", c.Name))
	}
	if err != nil {
		return "", msg.Wrap(err, "webull.token_read", "Name", c.Name, "Err", err)
	}
	return v, nil
}

// Env returns what the official Webull SDKs read: the app key and secret
// and, when the credential shares its token, the folder of token.txt.
func (p *Provider) Env(c auth.Credential, s auth.Secrets) (map[string]string, string, error) {
	appKey, err := secret(c, s, auth.FieldAppKey)
	if err != nil {
		return nil, "", err
	}
	appSecret, err := secret(c, s, auth.FieldAppSecret)
	if err != nil {
		return nil, "", err
	}
	vars := map[string]string{EnvAppKey: appKey, EnvAppSecret: appSecret, EnvAppKeyOld: appKey, EnvAppSecretOld: appSecret,
		EnvMCPRegion: normRegion(c.Region), EnvMCPEnvironment: MCPEnvironment(c)}
	if c.TwoFactorOff {
		return vars, MsgTwoFactorOff + " A bot needs no token file.", nil
	}
	if !c.ShareWithSDK {
		return vars, "Token sharing is off: a bot using these keys starts its own SMS verification; turn sharing on to let it use the token kept verified here.", nil
	}
	dir := p.SDKTokenDir(c)
	vars[TokenDirEnv] = dir
	vars[EnvMCPTokenDir] = dir // Webull's MCP server reads the same token.txt from here
	return vars, "The Webull SDKs read the verified token from " + filepath.Join(dir, TokenFileName) + ", which is kept current.", nil
}

// Login runs the SMS verification: it creates (or reuses) a token, reports
// Pending with the deadline and the steps at every change and poll, and
// stores the token once Webull reports it NORMAL.
func (p *Provider) Login(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	h, err := p.login(ctx, c, s, progress)
	h = finish(h, err, c.Name)
	c.Health = h
	return h, err
}

func (p *Provider) login(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
	cl, err := p.NewClient(*c, s)
	if err != nil {
		return errHealth(err, p.clock.Now()), err
	}
	// An app with 2FA off needs no token: creating one would only send
	// the person a needless SMS.
	need, err := needsToken(ctx, cl, *c)
	if err != nil {
		return errHealth(err, p.clock.Now()), err
	}
	if !need {
		now := p.clock.Now()
		c.TwoFactorOff = true
		c.LastChecked = now
		h := noTokenHealth(now)
		if progress != nil {
			progress(auth.LoginEvent{Health: h})
		}
		return h, nil
	}
	c.TwoFactorOff = false
	stored := ""
	if c.TokenStatus != StatusExpired && c.TokenStatus != StatusInvalid {
		stored, err = s.Get(auth.FieldWebullToken)
		if err != nil && !errors.Is(err, auth.ErrSecretNotFound) {
			err = msg.Wrap(err, "webull.token_read", "Name", c.Name, "Err", err)
			return errHealth(err, p.clock.Now()), err
		}
	}
	v := &Verification{
		Client: cl, Clock: p.clock, Stored: stored, TestEnv: c.TestEnv, LastUsed: c.LastUsed, Interval: p.poll,
		OnToken: func(ti TokenInfo) error {
			if ti.Token != stored {
				if err := s.Set(auth.FieldWebullToken, ti.Token); err != nil {
					return msg.Wrap(err, "webull.token_store", "Name", c.Name, "Err", err)
				}
				stored = ti.Token
			}
			c.TokenStatus = ti.Status
			c.ExpiresAt = ti.Expires
			return nil
		},
		OnChange: func(st Status) {
			if progress != nil {
				ev := auth.LoginEvent{Health: withNext(p.statusHealth(st), c.Name)}
				ev.SetSteps(st.StepMessages...)
				progress(ev)
			}
		},
	}
	ti, err := v.Run(ctx)
	now := p.clock.Now()
	if ae := (*APIError)(nil); errors.As(err, &ae) && ae.Code == CodeNoDevice {
		// Only the person can register a phone; a retry would fail the same way.
		err = needsVerify(c.Name, msg.New("webull.no_device"))
		h := health(auth.ActionNeeded, sentence(err), now)
		h.Next = auth.Next(auth.ActionVerify, c.Name)
		return h, err
	}
	st := v.Status()
	if (st.Phase == PhaseCancelled || auth.Stopped(ctx)) && v.Token().Token == "" {
		// Stopped before Webull handed out a token: nothing changed.
		return p.Assess(*c, now), err
	}
	switch st.Phase {
	case PhaseVerified:
		c.TokenStatus = StatusNormal
		c.ExpiresAt = ti.Expires
		c.RefreshedAt, c.LastChecked, c.LastUsed = now, now, now
		h := p.statusHealth(st)
		if serr := p.share(c, ti); serr != nil {
			return shareHealth(h, serr, now, c.Name), serr
		}
		return h, nil
	case PhaseExpired, PhaseInvalid:
		c.TokenStatus = StatusExpired
		if st.Phase == PhaseInvalid {
			c.TokenStatus = StatusInvalid
		}
		c.LastChecked = now
		_ = p.share(c, TokenInfo{Token: stored, Expires: c.ExpiresAt, Status: c.TokenStatus})
	}
	return p.statusHealth(st), err
}

// statusHealth is the health to show for a verification snapshot.
func (p *Provider) statusHealth(st Status) auth.Health {
	now := p.clock.Now()
	switch st.Phase {
	case PhaseStarting:
		return health(auth.Pending, st.Why, now)
	case PhasePending:
		h := health(auth.Pending, st.Why, now)
		h.Deadline = st.Deadline
		return h
	case PhaseVerified:
		h := health(auth.OK, st.Why, now)
		h.ExpiresAt = st.Expires
		return h
	case PhaseFailed:
		if st.Err != nil {
			return errHealth(st.Err, now)
		}
	}
	return health(auth.ActionNeeded, st.Why, now)
}

// SharedFile is token.txt as the SDK reads it, for share targets: the
// token whole (it has no refresh token). An app with 2FA off has none.
func (p *Provider) SharedFile(c auth.Credential, s auth.Secrets) (auth.SharedFile, error) {
	tok, err := p.Token(c, s)
	if err != nil {
		return auth.SharedFile{}, err
	}
	content := FormatTokenFile(TokenInfo{Token: tok, Expires: c.ExpiresAt, Status: StatusNormal})
	return auth.SharedFile{Name: TokenFileName, Content: []byte(content), ExpiresAt: c.ExpiresAt, Token: tok, Secrets: []string{tok}, ReadOnce: true}, nil
}
