package futu

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Endpoints are the OAuth URLs of one Futu host, and where they came
// from (auth.LayoutMetadata, auth.LayoutFutuCLI or auth.LayoutCustom).
type Endpoints struct {
	Authorize string
	Token     string
	Revoke    string // empty when the host advertises none
	Register  string
	Layout    string
}

// The layout of Futu's own command line: the whole flow on one host.
const (
	// DefaultOAuthURL is the host Futu's CLI runs its OAuth flow on.
	DefaultOAuthURL = "https://webapi.futunn.com"
	// DefaultMetadataURL is the RFC 8414 metadata Futu's MCP server
	// publishes, read for a credential on Futu's default host.
	DefaultMetadataURL = "https://mcp.futunn.com/.well-known/oauth-authorization-server"
	PathRegister       = "/oauth2/register"
	PathAuthorize      = "/oauth2/authorize/confirm"
	PathToken          = "/oauth2/token"
	wellKnown          = "/.well-known/oauth-authorization-server"
)

// DefaultScope is what Futu's CLI registers and authorizes with; a login
// without a scope may get a token that can do nothing.
const DefaultScope = "quote:read quote:write trade:read trade:write accid:*"

// scopeOf is the credential's scope, else DefaultScope.
func scopeOf(c auth.Credential) string {
	if s := strings.Join(strings.Fields(c.Scope), " "); s != "" {
		return s
	}
	return DefaultScope
}

type cachedEndpoints struct {
	e  Endpoints
	ok bool
	at time.Time
}

// discoveryTTL bounds how long a host's metadata (or its absence) is reused.
const discoveryTTL = time.Hour

type discovery struct {
	mu    sync.Mutex
	cache map[string]cachedEndpoints
}

// Endpoints reads RFC 8414 metadata from the credential's host (and, for
// Futu's default host, from Futu's MCP server), else uses the layout of
// Futu's own CLI on one host, then applies the credential's overrides.
// Every URL must be https (http only on loopback).
func (p *OAuthProvider) Endpoints(ctx context.Context, c auth.Credential) (Endpoints, error) {
	base, err := baseURL(p.o, c)
	if err != nil {
		return Endpoints{}, err
	}
	h := p.o.hostsOf(c)
	onDefault := base == h.api
	cliHost := base
	if onDefault {
		cliHost = h.oauth
	}
	e, ok := p.discover(ctx, base+wellKnown, func(u string) bool { return trusted(base, u) })
	if !ok && onDefault {
		e, ok = p.discover(ctx, h.metadata, func(u string) bool { return brandHost(h, u) })
	}
	if !ok {
		e = Endpoints{Authorize: cliHost + PathAuthorize, Token: cliHost + PathToken, Layout: auth.LayoutFutuCLI}
	}
	if e.Register == "" {
		e.Register = cliHost + PathRegister
	}
	for _, o := range []struct {
		what string
		v    string
		dst  *string
	}{
		{"auth.setting_authorize_url", c.AuthorizeURL, &e.Authorize},
		{"auth.setting_token_url", c.TokenURL, &e.Token},
		{"auth.setting_revoke_url", c.RevokeURL, &e.Revoke},
		{"auth.setting_register_url", c.RegisterURL, &e.Register},
	} {
		if o.v == "" {
			continue
		}
		if _, err := checkURL(msg.New("futu.setting_of", "What", msg.New(o.what), "Name", c.Name), o.v); err != nil {
			return Endpoints{}, err
		}
		*o.dst = o.v
		e.Layout = auth.LayoutCustom
	}
	return e, nil
}

// trusted reports whether a discovered endpoint may receive tokens: https
// (or http on loopback) on the same host and port as the base URL, so a
// tampered metadata document cannot send them elsewhere.
func trusted(base, endpoint string) bool {
	if _, err := checkURL(msg.Message{}, endpoint); err != nil {
		return false
	}
	b, err1 := url.Parse(base)
	u, err2 := url.Parse(endpoint)
	return err1 == nil && err2 == nil && strings.EqualFold(b.Hostname(), u.Hostname()) && port(b) == port(u)
}

// brandHost reports whether an endpoint named by the brand's own
// metadata may receive tokens: on the metadata's host, or https on a host
// of the brand's domain (futunn.com, moomoo.com).
func brandHost(h hosts, endpoint string) bool {
	if trusted(h.metadata, endpoint) {
		return true
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || port(u) != "443" || u.User != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	return host == h.domain || strings.HasSuffix(host, "."+h.domain)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// discover reads the metadata document at metaURL. A host that answers
// without usable metadata is remembered as such; one that does not
// answer is asked again next time.
func (p *OAuthProvider) discover(ctx context.Context, metaURL string, trust func(string) bool) (Endpoints, bool) {
	if metaURL == "" {
		return Endpoints{}, false
	}
	now := p.o.Clock.Now()
	p.disc.mu.Lock()
	if ce, ok := p.disc.cache[metaURL]; ok && now.Sub(ce.at) < discoveryTTL {
		p.disc.mu.Unlock()
		return ce.e, ce.ok
	}
	p.disc.mu.Unlock()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metaURL, nil)
	if err != nil {
		return Endpoints{}, false
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.o.HTTP.Do(req)
	if err != nil {
		return Endpoints{}, false
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 {
		return Endpoints{}, false
	}
	remember := func(e Endpoints, ok bool) (Endpoints, bool) {
		p.disc.mu.Lock()
		if p.disc.cache == nil {
			p.disc.cache = map[string]cachedEndpoints{}
		}
		p.disc.cache[metaURL] = cachedEndpoints{e: e, ok: ok, at: now}
		p.disc.mu.Unlock()
		return e, ok
	}
	if resp.StatusCode != http.StatusOK {
		return remember(Endpoints{}, false)
	}
	var m struct {
		Authorization string `json:"authorization_endpoint"`
		Token         string `json:"token_endpoint"`
		Revocation    string `json:"revocation_endpoint"`
		Registration  string `json:"registration_endpoint"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&m); err != nil || m.Authorization == "" || m.Token == "" {
		return remember(Endpoints{}, false)
	}
	e := Endpoints{Authorize: m.Authorization, Token: m.Token, Revoke: m.Revocation, Register: m.Registration, Layout: auth.LayoutMetadata}
	for _, u := range []string{e.Authorize, e.Token, e.Revoke, e.Register} {
		if u != "" && !trust(u) {
			return remember(Endpoints{}, false) // the CLI's layout instead
		}
	}
	return remember(e, true)
}

// Register registers tokentray as a public OAuth client (RFC 7591) with
// the provider's redirect URL, sets c.ClientID and c.RedirectURL and
// keeps the registration access token in the keychain. A refusal is the
// user's to fix, in the endpoint.
func (p *OAuthProvider) Register(ctx context.Context, c *auth.Credential, s auth.Secrets) error {
	return p.register(ctx, c, s, p.o.RedirectURL)
}

// register registers a client for the redirect URI redirect.
func (p *OAuthProvider) register(ctx context.Context, c *auth.Credential, s auth.Secrets, redirect string) error {
	e, err := p.Endpoints(ctx, *c)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{
		"redirect_uris":              []string{redirect},
		"token_endpoint_auth_method": "none",
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"client_name":                p.o.ClientName,
		"scope":                      scopeOf(*c),
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Register, bytes.NewReader(body))
	if err != nil {
		return registerErr(err, msg.Plain(err.Error()))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := p.o.HTTP.Do(req)
	if err != nil {
		return registerErr(err, msg.New("futu.register_no_answer", "Why", auth.NetworkCause(err)))
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var oe struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(b, &oe)
		why := strings.TrimSpace(auth.Printable(oe.Error + " " + oe.Description))
		if why == "" {
			why = resp.Status
		}
		if len(why) > 300 {
			why = why[:300] + "…"
		}
		if resp.StatusCode >= 500 || turnedAway(resp.StatusCode) {
			return registerErr(nil, msg.New("futu.register_later", "Why", why))
		}
		return auth.WrongField("endpoint", auth.NeedsUserBecause(auth.Action{}, msg.New("futu.register_refused", "Why", why, "Name", c.Name)))
	}
	var reg struct {
		ClientID string `json:"client_id"`
		RegToken string `json:"registration_access_token"`
	}
	if err := json.Unmarshal(b, &reg); err != nil || reg.ClientID == "" {
		return registerErr(nil, msg.New("futu.register_unread", "Name", c.Name))
	}
	if reg.RegToken != "" {
		if err := s.Set(auth.FieldRegistrationToken, reg.RegToken); err != nil {
			return registerErr(err, msg.Of(err))
		}
	}
	c.ClientID = reg.ClientID
	c.RedirectURL = redirect
	c.Layout = e.Layout
	if c.Scope == "" {
		c.Scope = DefaultScope // what the client was registered for
	}
	return nil
}

// registerErr is a registration that did not happen for a reason that is
// not the user's to fix: why says it (registerWhy reads it back).
func registerErr(cause error, why msg.Message) error {
	return msg.Wrap(cause, "futu.register_failed", "Why", why)
}

// registerWhy is the reason of a failed registration, without the
// "futu register client:" an error says before it.
func registerWhy(err error) msg.Message {
	m := msg.Of(err)
	if !m.Is("futu.register_failed") {
		return m
	}
	switch w := m.Args["Why"].(type) {
	case msg.Message:
		return w
	case error:
		return msg.Of(w)
	}
	return m
}
