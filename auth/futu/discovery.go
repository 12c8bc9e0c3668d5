package futu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"tokentray/auth"
)

// Endpoints are the OAuth URLs of one Futu host.
type Endpoints struct {
	Authorize string
	Token     string
	Revoke    string // empty when the host advertises none
	Register  string
}

type cachedEndpoints struct {
	e  Endpoints
	at time.Time
}

// discoveryTTL bounds how long a host's metadata is reused.
const discoveryTTL = time.Hour

type discovery struct {
	mu    sync.Mutex
	cache map[string]cachedEndpoints
}

// Endpoints reads the host's RFC 8414 metadata, falls back to
// /oauth2/authorize and /oauth2/token, and applies the credential's
// overrides. Every URL must be https (http only on loopback).
func (p *OAuthProvider) Endpoints(ctx context.Context, c auth.Credential) (Endpoints, error) {
	base, err := baseURL(p.o, c.Endpoint)
	if err != nil {
		return Endpoints{}, err
	}
	e, ok := p.discover(ctx, base)
	if !ok {
		e = Endpoints{Authorize: base + "/oauth2/authorize", Token: base + "/oauth2/token"}
	}
	if e.Register == "" {
		e.Register = base + "/oauth2/register"
	}
	for _, o := range []struct {
		what, v string
		dst     *string
	}{
		{"the authorization URL", c.AuthorizeURL, &e.Authorize},
		{"the token URL", c.TokenURL, &e.Token},
		{"the revocation URL", c.RevokeURL, &e.Revoke},
	} {
		if o.v == "" {
			continue
		}
		if _, err := checkURL(o.what+" of "+c.Name, o.v); err != nil {
			return Endpoints{}, err
		}
		*o.dst = o.v
	}
	return e, nil
}

// trusted reports whether a discovered endpoint may receive tokens: https
// (or http on loopback) on the same host and port as the base URL, so a
// tampered metadata document cannot send them elsewhere.
func trusted(base, endpoint string) bool {
	if _, err := checkURL("", endpoint); err != nil {
		return false
	}
	b, err1 := url.Parse(base)
	u, err2 := url.Parse(endpoint)
	return err1 == nil && err2 == nil && strings.EqualFold(b.Hostname(), u.Hostname()) && port(b) == port(u)
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

func (p *OAuthProvider) discover(ctx context.Context, base string) (Endpoints, bool) {
	now := p.o.Clock.Now()
	p.disc.mu.Lock()
	if ce, ok := p.disc.cache[base]; ok && now.Sub(ce.at) < discoveryTTL {
		p.disc.mu.Unlock()
		return ce.e, true
	}
	p.disc.mu.Unlock()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/.well-known/oauth-authorization-server", nil)
	if err != nil {
		return Endpoints{}, false
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.o.HTTP.Do(req)
	if err != nil {
		return Endpoints{}, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Endpoints{}, false
	}
	var m struct {
		Authorization string `json:"authorization_endpoint"`
		Token         string `json:"token_endpoint"`
		Revocation    string `json:"revocation_endpoint"`
		Registration  string `json:"registration_endpoint"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&m); err != nil || m.Authorization == "" || m.Token == "" {
		return Endpoints{}, false
	}
	e := Endpoints{Authorize: m.Authorization, Token: m.Token, Revoke: m.Revocation, Register: m.Registration}
	for _, u := range []string{e.Authorize, e.Token, e.Revoke, e.Register} {
		if u != "" && !trusted(base, u) {
			return Endpoints{}, false // the documented paths on the base host instead
		}
	}
	p.disc.mu.Lock()
	if p.disc.cache == nil {
		p.disc.cache = map[string]cachedEndpoints{}
	}
	p.disc.cache[base] = cachedEndpoints{e: e, at: now}
	p.disc.mu.Unlock()
	return e, true
}

// Register registers tokentray as a public OAuth client (RFC 7591) with
// the provider's redirect URL, sets c.ClientID and keeps the
// registration access token in the keychain.
func (p *OAuthProvider) Register(ctx context.Context, c *auth.Credential, s auth.Secrets) error {
	e, err := p.Endpoints(ctx, *c)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{
		"redirect_uris":              []string{p.o.RedirectURL},
		"token_endpoint_auth_method": "none",
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"client_name":                ClientName,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Register, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("futu register client: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := p.o.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("futu register client: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		var oe struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(b, &oe)
		why := strings.TrimSpace(oe.Error + " " + oe.Description)
		if why == "" {
			why = resp.Status
		}
		return fmt.Errorf("futu register client: Futu refused to register tokentray (%s); check the endpoint of %s or set a client ID", why, c.Name)
	}
	var reg struct {
		ClientID string `json:"client_id"`
		RegToken string `json:"registration_access_token"`
	}
	if err := json.Unmarshal(b, &reg); err != nil || reg.ClientID == "" {
		return errors.New("futu register client: Futu's answer had no client_id; check the endpoint of " + c.Name)
	}
	if reg.RegToken != "" {
		if err := s.Set(auth.FieldRegistrationToken, reg.RegToken); err != nil {
			return fmt.Errorf("futu register client: %w", err)
		}
	}
	c.ClientID = reg.ClientID
	return nil
}
