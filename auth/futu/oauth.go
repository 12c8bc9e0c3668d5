package futu

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// OAuthProvider handles auth.KindFutuOAuth: OAuth 2.0 logins.
type OAuthProvider struct {
	o    Options
	disc discovery
}

// NewOAuthProvider returns the OAuth provider.
func NewOAuthProvider(o Options) *OAuthProvider { return &OAuthProvider{o: o.withDefaults()} }

// Kind is auth.KindFutuOAuth.
func (p *OAuthProvider) Kind() auth.Kind { return auth.KindFutuOAuth }

// RedirectURL is the redirect URI this provider registers and listens on.
func (p *OAuthProvider) RedirectURL() string { return p.o.RedirectURL }

func notLoggedIn(c auth.Credential, now time.Time) auth.Health {
	return auth.Health{State: auth.ActionNeeded, Next: auth.Next(auth.ActionLogin, c.Name), CheckedAt: now}.Because(notLoggedInReason(c))
}

// notLoggedInReason tells a login never made from one logged out of.
func notLoggedInReason(c auth.Credential) msg.Message {
	if c.RefreshedAt.IsZero() {
		return msg.New("futu.not_logged_in_yet", "Brand", brandOf(c))
	}
	return msg.New("futu.logged_out", "Brand", brandOf(c))
}

// userErr is the UserError of a health that needs the user.
func userErr(h auth.Health) error { return auth.NeedsUserBecause(h.Next, h.Cause()) }

// Assess computes health from the stored expiry, keeping a broker's
// verdict that only the user can clear.
func (p *OAuthProvider) Assess(c auth.Credential, now time.Time) auth.Health {
	if h, ok := stickyHealth(c); ok {
		return h
	}
	if c.ClientID == "" || (c.ExpiresAt.IsZero() && c.RefreshedAt.IsZero()) {
		return notLoggedIn(c, now)
	}
	if !c.RefreshedAt.IsZero() && !c.ExpiresAt.IsZero() && !auth.PlausibleExpiry(c.RefreshedAt, c.ExpiresAt) {
		// Stored before the rule for expiries a broker cannot mean.
		c.ExpiresAt = time.Time{}
	}
	if c.ExpiresAt.IsZero() || c.ExpiresAt.After(now) {
		return loggedIn(c, now)
	}
	h := auth.Health{ExpiresAt: c.ExpiresAt, CheckedAt: now}
	h.State = auth.Unknown
	return h.Because(msg.New("futu.access_expired_at", "Time", c.ExpiresAt.UTC().Format("2006-01-02 15:04 MST")))
}

func (p *OAuthProvider) config(c auth.Credential, e Endpoints) *oauth2.Config {
	return &oauth2.Config{
		ClientID:    c.ClientID,
		RedirectURL: p.o.RedirectURL,
		Scopes:      strings.Fields(scopeOf(c)),
		Endpoint: oauth2.Endpoint{
			AuthURL:   e.Authorize,
			TokenURL:  e.Token,
			AuthStyle: oauth2.AuthStyleInParams, // a public client: client_id in the form, no secret
		},
	}
}

func (p *OAuthProvider) httpCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, p.o.HTTP)
}

// Check checks a new Futu OAuth credential before it is stored: one
// without a client ID is registered with Futu (which proves the
// endpoint, and leaves a login as the next step); one with a client ID
// and tokens is checked with them like a regular check.
func (p *OAuthProvider) Check(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
	now := p.o.Clock.Now()
	if _, err := baseURL(p.o, *c); err != nil {
		return configHealth(*c, now, err), auth.WrongField("endpoint", err)
	}
	if c.ClientID != "" {
		if _, err := s.Get(auth.FieldRefreshToken); err == nil {
			return p.Refresh(ctx, c, s, auth.RefreshOptions{})
		}
		h := notLoggedIn(*c, now)
		return h, userErr(h)
	}
	if err := p.Register(ctx, c, s); err != nil {
		if _, ok := auth.FieldOf(err); ok {
			return auth.Health{State: auth.Broken, CheckedAt: now}.Because(msg.Of(err)), err
		}
		return auth.Health{State: auth.Unknown, CheckedAt: now}.Because(registerWhy(err)), err
	}
	h := notLoggedIn(*c, now)
	return h, userErr(h)
}

// Refresh renews the access token with the refresh token when it is
// within the lead time of expiry or when forced. Otherwise it checks the
// access token with Futu and renews it if Futu no longer accepts it.
// The returned Health is set also when an error is returned.
func (p *OAuthProvider) Refresh(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.RefreshOptions) (auth.Health, error) {
	now := p.o.Clock.Now()
	if c.ClientID == "" {
		h := notLoggedIn(*c, now)
		return h, userErr(h)
	}
	if _, err := baseURL(p.o, *c); err != nil {
		return configHealth(*c, now, err), err
	}
	rt, err := s.Get(auth.FieldRefreshToken)
	if errors.Is(err, auth.ErrSecretNotFound) {
		h := notLoggedIn(*c, now)
		return h, userErr(h)
	}
	if err != nil {
		return p.keychainHealth(*c, now, err), msg.Wrap(err, "futu.refresh_failed", "Name", c.Name, "Why", err)
	}
	at, aerr := s.Get(auth.FieldAccessToken)
	if aerr != nil && !errors.Is(aerr, auth.ErrSecretNotFound) {
		return p.keychainHealth(*c, now, aerr), msg.Wrap(aerr, "futu.check_failed", "Name", c.Name, "Why", aerr)
	}
	// The Futu SDK may have renewed the login through the shared token
	// file: its newer pair is taken over before anything else, or the
	// stored refresh token, rotated away by the SDK, would end the login.
	adopted := false
	if nrt, nat, ok := p.adoptSDK(ctx, c, s, rt, now); ok {
		rt, at, adopted = nrt, nat, true
	}
	// The access token says when it expires (Futu's CLI reads it so).
	if exp := jwtExpiry(at); !exp.IsZero() && (c.ExpiresAt.IsZero() || exp.Before(c.ExpiresAt)) {
		c.ExpiresAt = exp
	}
	lead := opts.Lead
	if lead <= 0 {
		lead = auth.DefaultLead
	}
	due := opts.Force || at == "" || c.ExpiresAt.IsZero() || !now.Add(lead).Before(c.ExpiresAt)
	if !due {
		ch := p.askAccounts(ctx, c, at, now)
		switch ch.verdict {
		case verdictUnsure:
			return adoptedNote(ch.health, adopted), ch.err
		case verdictWorks, verdictNoTrade:
			ch.learn(c)
			return adoptedNote(loggedIn(*c, now), adopted), nil
		}
		// Futu no longer takes the access token: a refresh may still work.
	}
	h, err := p.renew(ctx, c, s, rt, now)
	if err != nil {
		return adoptedNote(p.sdkRefreshed(*c, rt, h, err), adopted), err
	}
	h, err = p.checkRenewed(ctx, c, s, h, now)
	return adoptedNote(h, adopted), err
}

// adoptedNote says, once (in the health of the check that did it), that
// the login the Futu SDK renewed was taken over.
func adoptedNote(h auth.Health, adopted bool) auth.Health {
	if adopted && (h.Reason != "" || !h.Why.IsZero()) {
		h = h.Note(msg.New("futu.sdk_adopted"))
	}
	return h
}

// adoptSDK takes over the tokens in the shared Futu SDK token file when
// the SDK renewed the login there: a refresh token other than rt, an
// expiry later than the stored one, and an access token Futu accepts.
// The new refresh token reaches the keychain first.
func (p *OAuthProvider) adoptSDK(ctx context.Context, c *auth.Credential, s auth.Secrets, rt string, now time.Time) (refresh, access string, ok bool) {
	if !c.ShareWithSDK || c.ShareAccessOnly || c.ClientID == "" {
		return "", "", false
	}
	dir, err := sdkDir(p.o, c.SDKTokenDir)
	if err != nil {
		return "", "", false
	}
	t, err := ReadSDKToken(dir, c.ClientID)
	if err != nil || t.RefreshToken == "" || t.RefreshToken == rt || t.AccessToken == "" {
		return "", "", false
	}
	if t.ExpiresAt.IsZero() || (!c.ExpiresAt.IsZero() && !t.ExpiresAt.After(c.ExpiresAt)) {
		return "", "", false // not newer than what tokentray holds
	}
	probe := *c
	if ch := p.askAccounts(ctx, &probe, t.AccessToken, now); ch.verdict != verdictWorks && ch.verdict != verdictNoTrade {
		return "", "", false
	}
	if err := auth.SetRetry(s, auth.FieldRefreshToken, t.RefreshToken); err != nil {
		return "", "", false
	}
	if err := s.Set(auth.FieldAccessToken, t.AccessToken); err != nil {
		return "", "", false
	}
	c.ExpiresAt = t.ExpiresAt
	c.RefreshedAt = now
	return t.RefreshToken, t.AccessToken, true
}

// sdkRefreshed rewrites a refused refresh of a login shared with the
// Futu SDK together with its refresh token: another program that reads
// the file may have refreshed the login and rotated tokentray's refresh
// token away. When the file holds another refresh token, it did.
func (p *OAuthProvider) sdkRefreshed(c auth.Credential, rt string, h auth.Health, err error) auth.Health {
	var ue *auth.UserError
	if !c.ShareWithSDK || c.ShareAccessOnly || c.ClientID == "" || !errors.As(err, &ue) || h.Next.Kind != auth.ActionLogin || !h.Why.Is("futu.refresh_refused") {
		return h
	}
	dir, derr := sdkDir(p.o, c.SDKTokenDir)
	if t, rerr := ReadSDKToken(dir, c.ClientID); derr == nil && rerr == nil && t.RefreshToken != "" && t.RefreshToken != rt {
		h = h.Because(msg.New("futu.sdk_rotated"))
	} else {
		h = h.Because(msg.New("futu.sdk_maybe_rotated"))
	}
	ue.Say(h.Why)
	return h
}

// loggedIn is the health of a login whose access token works. A login
// whose expiry Futu did not say in a way it can mean (see
// auth.LifetimeExpiry) is renewed at every check, and says so.
func loggedIn(c auth.Credential, now time.Time) auth.Health {
	if c.ExpiresAt.IsZero() {
		return auth.Health{State: auth.OK, CheckedAt: now}.Because(msg.New("futu.logged_in_no_expiry"))
	}
	return auth.Health{State: auth.OK, ExpiresAt: c.ExpiresAt, CheckedAt: now}.Because(msg.New("futu.logged_in"))
}

// checkRenewed asks Futu's account API about an access token just
// issued, to learn whether the login may trade. A check that gets no
// verdict leaves the renewal's health, saying so.
func (p *OAuthProvider) checkRenewed(ctx context.Context, c *auth.Credential, s auth.Secrets, h auth.Health, now time.Time) (auth.Health, error) {
	at, err := s.Get(auth.FieldAccessToken)
	if err != nil {
		return h, nil
	}
	ch := p.askAccounts(ctx, c, at, now)
	switch ch.verdict {
	case verdictWorks, verdictNoTrade:
		ch.learn(c)
	case verdictDead:
		h := auth.Health{State: auth.ActionNeeded, ExpiresAt: c.ExpiresAt, CheckedAt: now, Next: auth.Next(auth.ActionLogin, c.Name)}.
			Because(msg.New("futu.issued_refused", "Brand", brandOf(*c)))
		return h, userErr(h)
	default:
		h = h.Note(msg.New("futu.trade_unknown", "Why", ch.health.Cause()))
	}
	return h, nil
}

// renew uses the refresh token.
func (p *OAuthProvider) renew(ctx context.Context, c *auth.Credential, s auth.Secrets, rt string, now time.Time) (auth.Health, error) {
	e, err := p.Endpoints(ctx, *c)
	if err != nil {
		return configHealth(*c, now, err), err
	}
	c.Layout = e.Layout
	if err := ctx.Err(); err != nil {
		// The caller gave up before Futu was asked: nothing changed.
		return networkHealth(now, *c, err), msg.Wrap(err, "futu.refresh_failed", "Name", c.Name, "Why", auth.NetworkCause(err))
	}
	// Futu may rotate the refresh token as it answers; that answer must
	// reach the keychain even if the caller stops waiting.
	rctx, cancel := detached(ctx)
	defer cancel()
	tok, err := p.config(*c, e).TokenSource(p.httpCtx(rctx), &oauth2.Token{RefreshToken: rt}).Token()
	if err != nil {
		return p.tokenError(*c, now, err, rt)
	}
	return p.keep(c, s, tok, rt, now)
}

// tokenError maps a failed token call to health: only Futu's "no" needs
// the user; anything else leaves the credential as it was. Futu's text
// is withheld when it shows one of the call's secrets.
func (p *OAuthProvider) tokenError(c auth.Credential, now time.Time, err error, secrets ...string) (auth.Health, error) {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
		switch re.ErrorCode {
		case "invalid_grant":
			h := auth.Health{State: auth.ActionNeeded, CheckedAt: now, Next: auth.Next(auth.ActionLogin, c.Name)}.
				Because(msg.New("futu.refresh_refused", "Brand", brandOf(c)))
			return h, userErr(h)
		case "invalid_client", "unauthorized_client":
			h := auth.Health{State: auth.ActionNeeded, CheckedAt: now, Next: auth.Next(auth.ActionLogin, c.Name)}.
				Because(msg.New("futu.client_unknown", "Brand", brandOf(c), "Client", c.ClientID))
			return h, userErr(h)
		}
		var why msg.Message
		if w := brokerWhy(re, secrets...); w != "" {
			why = brokerText(w)
		} else if l := auth.FirstLine(re.Body); l != "" {
			why = msg.New("futu.status_foreign", "Status", re.Response.Status, "Start", strconv.Quote(scrub(l, secrets...)))
		} else {
			why = msg.Plain(re.Response.Status)
		}
		h := auth.Health{State: auth.Unknown, ExpiresAt: c.ExpiresAt, CheckedAt: now}.
			Because(msg.New("futu.token_refused", "Brand", brandOf(c), "Why", why)).Note(msg.New("futu.note_try_again"))
		return h, msg.Errorf("futu.refresh_failed", "Name", c.Name, "Why", msg.New("futu.answered", "Why", why))
	}
	trouble := tokenTrouble(err)
	h := networkHealth(now, c, err)
	if re != nil || unreadable(err) {
		h = h.Because(trouble).Note(msg.New("futu.note_try_again"))
	}
	return h, msg.Wrap(err, "futu.refresh_failed", "Name", c.Name, "Why", trouble)
}

// unreadable reports an answer that came but is not Futu's JSON.
func unreadable(err error) bool {
	return strings.Contains(err.Error(), "cannot parse") || strings.Contains(err.Error(), "unexpected end of JSON")
}

// tokenTrouble says in a phrase why a token call got no usable answer,
// without the URL or a body that may echo a token.
func tokenTrouble(err error) msg.Message {
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.Response != nil:
		return msg.New("futu.answered_status", "Status", re.Response.StatusCode)
	case unreadable(err):
		return msg.New("futu.answer_unreadable")
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout"):
		return auth.NoAnswer(futuBrand(), context.DeadlineExceeded)
	}
	return msg.New("auth.no_answer", "Broker", futuBrand(), "Why", auth.NetworkCause(err))
}

// brokerWhy is Futu's error code and description, withheld when they
// show one of the call's secrets.
func brokerWhy(re *oauth2.RetrieveError, secrets ...string) string {
	code, desc := re.ErrorCode, scrub(re.ErrorDescription, secrets...)
	if scrub(code, secrets...) != code {
		code, desc = "", auth.Withheld
	}
	if code != "" && desc != "" {
		return code + ": " + desc
	}
	return strings.TrimSpace(code + desc)
}

// storeError is a token answer the keychain did not take.
type storeError struct{ error }

func (e storeError) Unwrap() error { return e.error }

// revokeIssued tells Futu to forget tokens it has just issued that could
// not be kept, and says what became of them.
func (p *OAuthProvider) revokeIssued(ctx context.Context, c auth.Credential, revokeURL string, tok *oauth2.Token) msg.Message {
	if revokeURL == "" {
		return msg.New("futu.issued_no_revoke")
	}
	rctx, cancel := detached(ctx)
	defer cancel()
	ok := true
	for _, t := range []struct{ v, hint string }{{tok.RefreshToken, "refresh_token"}, {tok.AccessToken, "access_token"}} {
		if t.v == "" {
			continue
		}
		form := url.Values{"token": {t.v}, "token_type_hint": {t.hint}, "client_id": {c.ClientID}}
		req, err := http.NewRequestWithContext(rctx, http.MethodPost, revokeURL, strings.NewReader(form.Encode()))
		if err != nil {
			ok = false
			continue
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := p.o.HTTP.Do(req)
		if err != nil {
			ok = false
			continue
		}
		resp.Body.Close()
		ok = ok && resp.StatusCode == http.StatusOK
	}
	if !ok {
		return msg.New("futu.issued_revoke_unconfirmed")
	}
	return msg.New("futu.issued_revoked")
}

// keep stores a token answer: the refresh token first (it may be the
// only copy of a rotated one), then the access token.
func (p *OAuthProvider) keep(c *auth.Credential, s auth.Secrets, tok *oauth2.Token, oldRefresh string, now time.Time) (auth.Health, error) {
	if tok.AccessToken == "" {
		return networkHealth(now, *c, msg.Errorf("futu.answer_no_access_token")), msg.Errorf("futu.token_answer_empty", "Name", c.Name)
	}
	if tok.RefreshToken != "" && tok.RefreshToken != oldRefresh {
		if err := auth.SetRetry(s, auth.FieldRefreshToken, tok.RefreshToken); err != nil {
			// Futu may have retired the old refresh token already; say so plainly.
			h := auth.Health{State: auth.ActionNeeded, ExpiresAt: c.ExpiresAt, CheckedAt: now, Next: auth.Next(auth.ActionLogin, c.Name)}.
				Because(msg.New("futu.refresh_not_stored", "Err", auth.Clause(err)))
			return h, storeError{msg.Wrap(err, "futu.store_failed", "Name", c.Name, "Field", auth.FieldMessage(auth.FieldRefreshToken), "Err", err)}
		}
	}
	if err := s.Set(auth.FieldAccessToken, tok.AccessToken); err != nil {
		return p.keychainHealth(*c, now, err), storeError{msg.Wrap(err, "futu.store_failed", "Name", c.Name, "Field", auth.FieldMessage(auth.FieldAccessToken), "Err", err)}
	}
	facts := readTokenFacts(tok)
	// expires_in -1, 0 or centuries is no expiry Futu can mean (and the
	// oauth2 package turns -1 into "a second ago" on the wall clock): the
	// token's own claim, if plausible, or none (renewed at every check).
	c.ExpiresAt = time.Time{}
	if exp, ok := auth.LifetimeExpiry(now, tok.ExpiresIn); ok {
		c.ExpiresAt = exp
	} else if auth.PlausibleExpiry(now, facts.expires) {
		c.ExpiresAt = facts.expires
	}
	if !facts.account.IsZero() {
		c.Account = facts.account // a refresh that names nobody keeps who logged in
	}
	c.Access = scopeAccess(*c, tokenScope(tok, *c))
	c.RefreshedAt, c.LastChecked = now, now
	h := loggedIn(*c, now)
	if c.ShareWithSDK {
		refresh := tok.RefreshToken
		if refresh == "" {
			refresh = oldRefresh
		}
		if err := p.share(*c, tok.AccessToken, refresh); err != nil {
			h = h.Note(msg.New("futu.sdk_file_not_updated", "Err", err))
		}
	}
	return h, nil
}

// SharedFiles is the Futu SDK's token file kept current for c, if any.
func (p *OAuthProvider) SharedFiles(c auth.Credential) []string {
	if !c.ShareWithSDK || c.ClientID == "" {
		return nil
	}
	dir, err := sdkDir(p.o, c.SDKTokenDir)
	if err != nil {
		return nil
	}
	f, err := clientFile(dir, c.ClientID)
	if err != nil {
		return nil
	}
	return []string{f}
}

func (p *OAuthProvider) share(c auth.Credential, access, refresh string) error {
	dir, err := sdkDir(p.o, c.SDKTokenDir)
	if err != nil {
		return err
	}
	if c.ShareAccessOnly {
		refresh = "" // the SDK cannot refresh the login, so it never rotates tokentray's away
	}
	return WriteSDKToken(dir, SDKToken{ClientID: c.ClientID, AccessToken: access, RefreshToken: refresh, ExpiresAt: c.ExpiresAt})
}

func (p *OAuthProvider) keychainHealth(c auth.Credential, now time.Time, err error) auth.Health {
	return auth.Health{State: auth.Unknown, ExpiresAt: c.ExpiresAt, CheckedAt: now}.
		Because(msg.New("futu.keychain_unusable", "Err", err))
}

// Token returns the OAuth access token.
func (p *OAuthProvider) Token(c auth.Credential, s auth.Secrets) (string, error) {
	at, err := s.Get(auth.FieldAccessToken)
	if errors.Is(err, auth.ErrSecretNotFound) {
		return "", auth.NeedsUserBecause(auth.Next(auth.ActionLogin, c.Name), notLoggedInReason(c))
	}
	if err != nil {
		return "", msg.Wrap(err, "futu.token_failed", "Name", c.Name, "Why", err)
	}
	return at, nil
}

// Env sets no variables: Futu advises against OAuth tokens in the environment.
func (p *OAuthProvider) Env(c auth.Credential, s auth.Secrets) (map[string]string, string, error) {
	note := msg.New("futu.env_none", "Name", c.Name)
	if c.ShareWithSDK {
		note = msg.New("futu.env_none_shared", "Client", c.ClientID)
	}
	return map[string]string{}, note.String(), nil
}

// ImportSDKToken adopts the tokens the Futu SDK saved for clientID
// (empty means c.ClientID): c.ClientID, the keychain and c.ExpiresAt are
// set from the SDK's token file.
func (p *OAuthProvider) ImportSDKToken(c *auth.Credential, s auth.Secrets, clientID string) (auth.Health, error) {
	now := p.o.Clock.Now()
	if clientID == "" {
		clientID = c.ClientID
	}
	dir, err := sdkDir(p.o, c.SDKTokenDir)
	if err != nil {
		return p.Assess(*c, now), msg.Wrap(err, "futu.import_failed", "Err", err)
	}
	t, err := ReadSDKToken(dir, clientID)
	if err != nil {
		return p.Assess(*c, now), err
	}
	if t.RefreshToken != "" {
		if err := s.Set(auth.FieldRefreshToken, t.RefreshToken); err != nil {
			return p.keychainHealth(*c, now, err), msg.Wrap(err, "futu.import_failed", "Err", err)
		}
	}
	if t.AccessToken != "" {
		if err := s.Set(auth.FieldAccessToken, t.AccessToken); err != nil {
			return p.keychainHealth(*c, now, err), msg.Wrap(err, "futu.import_failed", "Err", err)
		}
	}
	c.ClientID = clientID
	c.ExpiresAt = t.ExpiresAt
	c.RefreshedAt = now
	return p.Assess(*c, now), nil
}

// Revoke tells Futu to forget the tokens when the host advertises a
// revocation endpoint (RFC 7009), and removes the SDK token file that
// tokentray wrote.
func (p *OAuthProvider) Revoke(ctx context.Context, c auth.Credential, s auth.Secrets) error {
	var errs []error
	if c.ShareWithSDK && c.ClientID != "" {
		// Only the file tokentray wrote: the SDK may have logged in since.
		dir, err := sdkDir(p.o, c.SDKTokenDir)
		rt, rerr := s.Get(auth.FieldRefreshToken)
		if err == nil && rerr == nil {
			if t, err := ReadSDKToken(dir, c.ClientID); err == nil && t.RefreshToken == rt {
				_ = os.Remove(filepath.Join(dir, c.ClientID))
			}
		}
	}
	e, err := p.Endpoints(ctx, c)
	if err != nil {
		return msg.Wrap(err, "futu.revoke_not_done", "Name", c.Name, "Err", err)
	}
	if e.Revoke == "" || c.ClientID == "" {
		return nil
	}
	for _, f := range []struct{ field, hint string }{{auth.FieldRefreshToken, "refresh_token"}, {auth.FieldAccessToken, "access_token"}} {
		tok, err := s.Get(f.field)
		if err != nil {
			continue
		}
		form := url.Values{"token": {tok}, "token_type_hint": {f.hint}, "client_id": {c.ClientID}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Revoke, strings.NewReader(form.Encode()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := p.o.HTTP.Do(req)
		if err != nil {
			errs = append(errs, msg.Wrap(err, msg.PlainID, "Text", auth.NetworkCause(err))) // in words, not Go's chain with the address
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			errs = append(errs, msg.Errorf("futu.revoke_status", "Status", resp.StatusCode, "Field", auth.FieldMessage(f.field)))
		}
	}
	if len(errs) > 0 {
		// One line: the reasons side by side, the same one once.
		var why msg.Message
		var said []string
		for _, e := range errs {
			if m := msg.Of(e); !slices.Contains(said, m.String()) {
				said = append(said, m.String())
				why = joinAfter(why, m)
			}
		}
		return msg.Errorf("futu.revoke_unconfirmed", "Name", c.Name, "Why", why)
	}
	return nil
}

// tokenScope is the scope a token answer grants: the access token's
// claim, else the answer's field, else what the client asked for.
func tokenScope(tok *oauth2.Token, c auth.Credential) string {
	if claims, ok := jwtClaims(tok.AccessToken); ok {
		if v, ok := claims["scope"].(string); ok && strings.TrimSpace(v) != "" {
			return v
		}
	}
	if v, ok := tok.Extra("scope").(string); ok && strings.TrimSpace(v) != "" {
		return v
	}
	return scopeOf(c)
}

// SharedFile is the Futu SDK's token file for share targets, holding the
// access token and its expiry only: never the refresh token, so no bot
// elsewhere refreshes and rotates the login away from tokentray.
func (p *OAuthProvider) SharedFile(c auth.Credential, s auth.Secrets) (auth.SharedFile, error) {
	at, err := p.Token(c, s)
	if err != nil {
		return auth.SharedFile{}, err
	}
	if _, err := clientFile(".", c.ClientID); err != nil {
		return auth.SharedFile{}, auth.NeedsUserBecause(auth.Next(auth.ActionLogin, c.Name), msg.New("futu.no_client_id", "Name", c.Name))
	}
	b, err := FormatSDKToken(SDKToken{ClientID: c.ClientID, AccessToken: at, ExpiresAt: c.ExpiresAt})
	if err != nil {
		return auth.SharedFile{}, err
	}
	return auth.SharedFile{Name: c.ClientID, Content: b, ExpiresAt: c.ExpiresAt, Token: at, Secrets: []string{at}}, nil
}

// joinAfter is a list of reasons side by side ("a; b"), b added last.
func joinAfter(a, b msg.Message) msg.Message {
	if a.IsZero() {
		return b
	}
	return msg.Join(a, b)
}
