package futusim

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody caps every request body the server reads.
const maxBody = 1 << 20

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, status, oauthError{code, desc})
}

// registration is RFC 7591 client metadata, in and out.
type registration struct {
	ClientID              string   `json:"client_id,omitempty"`
	ClientIDIssuedAt      int64    `json:"client_id_issued_at,omitempty"`
	ClientSecretExpiresAt *int64   `json:"client_secret_expires_at,omitempty"`
	ClientName            string   `json:"client_name,omitempty"`
	RedirectURIs          []string `json:"redirect_uris"`
	GrantTypes            []string `json:"grant_types,omitempty"`
	TokenEndpointAuth     string   `json:"token_endpoint_auth_method,omitempty"`
	ResponseTypes         []string `json:"response_types,omitempty"`
	Scope                 string   `json:"scope,omitempty"`
	RegistrationToken     string   `json:"registration_access_token,omitempty"`
	RegistrationURI       string   `json:"registration_client_uri,omitempty"`
}

// validRedirect accepts a loopback http URI with an explicit port, the
// only kind a desktop app can listen on (RFC 8252).
func validRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Fragment != "" || u.User != nil {
		return false
	}
	host, port := u.Hostname(), u.Port()
	if host != "localhost" && host != "127.0.0.1" {
		return false
	}
	p, err := strconv.Atoi(port)
	return err == nil && p > 0 && p < 65536
}

func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	var in registration
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	if err := dec.Decode(&in); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client_metadata", "the body must be a JSON object of client metadata")
		return
	}
	if len(in.RedirectURIs) == 0 {
		writeOAuthError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect_uris is required")
		return
	}
	for _, u := range in.RedirectURIs {
		if !validRedirect(u) {
			writeOAuthError(w, http.StatusBadRequest, "invalid_redirect_uri",
				"redirect URI "+strconv.Quote(u)+" must be http://localhost or http://127.0.0.1 with a port")
			return
		}
	}
	if s.cliLayout() {
		if in.Scope == "" {
			writeOAuthError(w, http.StatusBadRequest, "invalid_client_metadata", "scope is required: ask for the scopes the app needs, such as "+strconv.Quote(strings.Join(SupportedScopes, " ")))
			return
		}
		if bad := unknownScope(in.Scope); bad != "" {
			writeOAuthError(w, http.StatusBadRequest, "invalid_client_metadata", "scope "+strconv.Quote(bad)+" is not one Futu knows")
			return
		}
	}
	if in.TokenEndpointAuth == "" {
		in.TokenEndpointAuth = "none"
	}
	if in.TokenEndpointAuth != "none" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client_metadata", "only public clients are supported: token_endpoint_auth_method must be \"none\"")
		return
	}
	if len(in.GrantTypes) == 0 {
		in.GrantTypes = []string{"authorization_code"}
	}
	for _, g := range in.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			writeOAuthError(w, http.StatusBadRequest, "invalid_client_metadata", "grant type "+strconv.Quote(g)+" is not supported")
			return
		}
	}
	if len(in.ResponseTypes) == 0 {
		in.ResponseTypes = []string{"code"}
	}
	for _, rt := range in.ResponseTypes {
		if rt != "code" {
			writeOAuthError(w, http.StatusBadRequest, "invalid_client_metadata", "response type "+strconv.Quote(rt)+" is not supported")
			return
		}
	}

	s.mu.Lock()
	now := s.nowLocked()
	c := &client{
		ID:            newUUID(),
		Name:          in.ClientName,
		RedirectURIs:  slices.Clone(in.RedirectURIs),
		GrantTypes:    slices.Clone(in.GrantTypes),
		ResponseTypes: slices.Clone(in.ResponseTypes),
		AuthMethod:    in.TokenEndpointAuth,
		Scope:         in.Scope,
		IssuedAt:      now,
		RegToken:      base64.StdEncoding.EncodeToString(randBytes(32)),
	}
	s.clients[c.ID] = c
	s.mu.Unlock()

	writeJSON(w, http.StatusCreated, s.registrationOf(c, s.base(r)))
}

func (s *Server) registrationOf(c *client, base string) registration {
	// The seed's example answers issued_at + 1 h; the sandbox mirrors it
	// but, having no client secret, never enforces it.
	exp := c.IssuedAt.Unix() + 3600
	return registration{
		ClientID:              c.ID,
		ClientIDIssuedAt:      c.IssuedAt.Unix(),
		ClientSecretExpiresAt: &exp,
		ClientName:            c.Name,
		RedirectURIs:          c.RedirectURIs,
		GrantTypes:            c.GrantTypes,
		TokenEndpointAuth:     c.AuthMethod,
		ResponseTypes:         c.ResponseTypes,
		Scope:                 c.Scope,
		RegistrationToken:     c.RegToken,
		RegistrationURI:       base + "/oauth2/register/" + c.ID,
	}
}

// registrationClient checks the RFC 7592 registration access token.
func (s *Server) registrationClient(w http.ResponseWriter, r *http.Request) *client {
	s.mu.Lock()
	c, ok := s.clients[r.PathValue("id")]
	s.mu.Unlock()
	tok, hasBearer := bearer(r)
	if !ok || !hasBearer || subtle.ConstantTimeCompare([]byte(tok), []byte(c.RegToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token", "unknown client or wrong registration access token")
		return nil
	}
	return c
}

func (s *Server) handleRegistrationRead(w http.ResponseWriter, r *http.Request) {
	if c := s.registrationClient(w, r); c != nil {
		writeJSON(w, http.StatusOK, s.registrationOf(c, s.base(r)))
	}
}

func (s *Server) handleRegistrationDelete(w http.ResponseWriter, r *http.Request) {
	c := s.registrationClient(w, r)
	if c == nil {
		return
	}
	s.mu.Lock()
	delete(s.clients, c.ID)
	s.mu.Unlock()
	s.RevokeRefreshTokens(c.ID)
	w.WriteHeader(http.StatusNoContent)
}

// unknownScope is the first scope in scope that the server does not know, or "".
func unknownScope(scope string) string {
	for _, sc := range strings.Fields(scope) {
		if !slices.Contains(SupportedScopes, sc) {
			return sc
		}
	}
	return ""
}

// outside is the first scope in asked that registered does not hold, or "".
func outside(asked, registered string) string {
	have := strings.Fields(registered)
	for _, sc := range strings.Fields(asked) {
		if !slices.Contains(have, sc) {
			return sc
		}
	}
	return ""
}

func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	if s.cliLayout() {
		// Futu's CLI host publishes no metadata.
		http.NotFound(w, r)
		return
	}
	b := s.base(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                     b,
		"authorization_endpoint":                     b + "/oauth2/authorize",
		"token_endpoint":                             b + "/oauth2/token",
		"registration_endpoint":                      b + "/oauth2/register",
		"revocation_endpoint":                        b + "/oauth2/revoke",
		"response_types_supported":                   []string{"code"},
		"grant_types_supported":                      []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":           []string{"S256"},
		"token_endpoint_auth_methods_supported":      []string{"none"},
		"revocation_endpoint_auth_methods_supported": []string{"none"},
		"scopes_supported":                           []string{"quote:read", "quote:write", "trade:read", "trade:write", "accid:*"},
	})
}

var authorizePage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("authorize").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Brand}} sandbox: authorize</title>
<style>body{font-family:sans-serif;max-width:34em;margin:3em auto}button{font-size:1.1em;margin-right:1em}.note{color:#666}</style>
</head><body>
<h1>{{.Brand}} sandbox: authorize</h1>
<p class="note">This is the tokentray sandbox, not the real {{.Brand}}. Nothing here touches a brokerage account.</p>
<p><strong>{{.Name}}</strong> asks to access your {{.Brand}} OpenAPI account.</p>
<p>Scope: <code>{{if .Scope}}{{.Scope}}{{else}}(none requested){{end}}</code></p>
<p>After your decision the browser returns to <code>{{.Redirect}}</code>.</p>
<form method="post" action="/oauth2/authorize/decision">
<input type="hidden" name="request" value="{{.Request}}">
<button name="decision" value="approve">Approve</button>
<button name="decision" value="deny">Deny</button>
</form>
</body></html>
`))
})

var errorPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Futu sandbox: error</title></head><body>
<h1>Futu sandbox: this login cannot continue</h1>
<p>{{.}}</p>
</body></html>
`))
})

func writeErrorPage(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_ = errorPage().Execute(w, msg)
}

// redirectWith sends the browser back to the client's redirect URI with
// extra query parameters (RFC 6749 4.1.2).
func redirectWith(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values) {
	u, _ := url.Parse(redirectURI) // validated at registration
	q := u.Query()
	for k, vs := range params {
		for _, v := range vs {
			if v != "" {
				q.Set(k, v)
			}
		}
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// validChallenge checks an S256 challenge: base64url of 32 bytes.
func validChallenge(c string) bool {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil && len(b) == sha256.Size
}

func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	// Each layout has its own authorize page.
	if (r.URL.Path == "/oauth2/authorize/confirm") != s.cliLayout() {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	clientID, redirectURI := q.Get("client_id"), q.Get("redirect_uri")
	s.mu.Lock()
	c, ok := s.clients[clientID]
	s.mu.Unlock()
	if !ok {
		writeErrorPage(w, "The app's client ID is not registered with Futu. Register the app again and retry.")
		return
	}
	if redirectURI == "" && len(c.RedirectURIs) == 1 {
		redirectURI = c.RedirectURIs[0]
	}
	if !slices.Contains(c.RedirectURIs, redirectURI) {
		writeErrorPage(w, "The app asked to return to an address it did not register. Check the app's callback address and retry.")
		return
	}
	// From here errors go back to the app, which can tell the user.
	state := q.Get("state")
	fail := func(code, desc string) {
		redirectWith(w, r, redirectURI, url.Values{"error": {code}, "error_description": {desc}, "state": {state}})
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "response_type must be code")
		return
	case !slices.Contains(c.GrantTypes, "authorization_code"):
		fail("unauthorized_client", "the client did not register the authorization_code grant")
		return
	case q.Get("code_challenge") == "":
		fail("invalid_request", "code_challenge is required (PKCE)")
		return
	case q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "code_challenge_method must be S256")
		return
	case !validChallenge(q.Get("code_challenge")):
		fail("invalid_request", "code_challenge must be the base64url SHA-256 of the verifier")
		return
	case s.cliLayout() && q.Get("scope") == "":
		fail("invalid_scope", "scope is required")
		return
	case s.cliLayout() && unknownScope(q.Get("scope")) != "":
		fail("invalid_scope", "scope "+strconv.Quote(unknownScope(q.Get("scope")))+" is not one Futu knows")
		return
	case c.Scope != "" && outside(q.Get("scope"), c.Scope) != "":
		fail("invalid_scope", "scope "+strconv.Quote(outside(q.Get("scope"), c.Scope))+" was not registered for this client")
		return
	}

	id := randToken()
	s.mu.Lock()
	now := s.nowLocked()
	for k, ar := range s.requests {
		if now.After(ar.ExpiresAt) {
			delete(s.requests, k)
		}
	}
	s.requests[id] = &authRequest{
		ClientID:    c.ID,
		RedirectURI: redirectURI,
		State:       state,
		Scope:       q.Get("scope"),
		Challenge:   q.Get("code_challenge"),
		ExpiresAt:   now.Add(authRequestTTL),
	}
	s.mu.Unlock()

	name := c.Name
	if name == "" {
		name = "App " + c.ID
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// The page must not be framed: a decision is one click.
	w.Header().Set("X-Frame-Options", "DENY")
	_ = authorizePage().Execute(w, map[string]string{
		"Name": name, "Scope": q.Get("scope"), "Redirect": redirectURI, "Request": id, "Brand": brandOf(r),
	})
}

func (s *Server) handleDecision(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, "The form could not be read. Start the login again from the app.")
		return
	}
	id := r.PostForm.Get("request")
	s.mu.Lock()
	ar, ok := s.requests[id]
	now := s.nowLocked()
	if ok {
		delete(s.requests, id) // one decision per page
	}
	if ok && now.After(ar.ExpiresAt) {
		ok = false
	}
	s.mu.Unlock()
	if !ok {
		writeErrorPage(w, "This login page has expired or was already used. Start the login again from the app.")
		return
	}
	switch r.PostForm.Get("decision") {
	case "approve":
		code := randToken()
		s.mu.Lock()
		for k, ac := range s.codes {
			// Used codes are kept a while to catch a replay.
			if now.Sub(ac.ExpiresAt) > 10*CodeTTL {
				delete(s.codes, k)
			}
		}
		s.codes[code] = &authCode{
			ClientID:    ar.ClientID,
			RedirectURI: ar.RedirectURI,
			Challenge:   ar.Challenge,
			Scope:       ar.Scope,
			ExpiresAt:   now.Add(CodeTTL),
		}
		s.mu.Unlock()
		redirectWith(w, r, ar.RedirectURI, url.Values{"code": {code}, "state": {ar.State}})
	case "deny":
		redirectWith(w, r, ar.RedirectURI, url.Values{
			"error": {"access_denied"}, "error_description": {"the user denied the request"}, "state": {ar.State},
		})
	default:
		writeErrorPage(w, "Choose Approve or Deny. Start the login again from the app.")
	}
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int64  `json:"expires_in"`
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`

	// Who logged in, as Futu's CLI reads it.
	Account          *Account `json:"account,omitempty"`
	FutuID           string   `json:"futu_id,omitempty"`
	AccountNo        string   `json:"account_no,omitempty"`
	Name             string   `json:"name,omitempty"`
	QuotePermissions []string `json:"quote_permissions,omitempty"`
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the token request must be application/x-www-form-urlencoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the form could not be parsed")
		return
	}
	f := r.PostForm
	clientID := f.Get("client_id")
	if clientID == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "client_id is required")
		return
	}
	s.mu.Lock()
	c, ok := s.clients[clientID]
	s.mu.Unlock()
	if !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client", "unknown client_id")
		return
	}
	switch gt := f.Get("grant_type"); gt {
	case "authorization_code":
		s.exchangeCode(w, c, f)
	case "refresh_token":
		if !slices.Contains(c.GrantTypes, "refresh_token") {
			writeOAuthError(w, http.StatusBadRequest, "unauthorized_client", "the client did not register the refresh_token grant")
			return
		}
		s.refreshGrant(w, c, f)
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant type "+strconv.Quote(gt)+" is not supported")
	}
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validVerifier: 43-128 unreserved characters (RFC 7636 4.1).
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for _, r := range v {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
			return false
		}
	}
	return true
}

func (s *Server) exchangeCode(w http.ResponseWriter, c *client, f url.Values) {
	code, verifier, redirectURI := f.Get("code"), f.Get("code_verifier"), f.Get("redirect_uri")
	switch {
	case code == "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "code is required")
		return
	case verifier == "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "code_verifier is required (PKCE)")
		return
	case !validVerifier(verifier):
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "code_verifier must be 43 to 128 unreserved characters")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	ac, ok := s.codes[code]
	if !ok || ac.ClientID != c.ID {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "the authorization code is unknown")
		return
	}
	if ac.Used {
		// RFC 6749 4.1.2: a replayed code revokes what it was exchanged for.
		s.revokeGrantLocked(ac.Grant)
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "the authorization code was already used")
		return
	}
	// A code gets one attempt: a wrong verifier or redirect burns it.
	ac.Used = true
	switch {
	case now.After(ac.ExpiresAt):
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "the authorization code has expired")
		return
	case redirectURI != ac.RedirectURI:
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the one used to authorize")
		return
	case subtle.ConstantTimeCompare([]byte(s256(verifier)), []byte(ac.Challenge)) != 1:
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		return
	}
	ac.Grant = randHex(8)
	resp := s.issueLocked(c, ac.Scope, ac.Grant, now, true, time.Time{})
	writeJSON(w, http.StatusOK, resp)
}

// issueLocked creates an access token, and a refresh token when asked,
// expiring at refreshExp when that is set.
func (s *Server) issueLocked(c *client, scope, grant string, now time.Time, withRefresh bool, refreshExp time.Time) tokenResponse {
	at := randToken()
	cli := s.layout == LayoutCLI
	if cli {
		at = s.jwtLocked(scope, now)
	}
	s.access[at] = &oauthToken{ClientID: c.ID, Scope: scope, Grant: grant, ExpiresAt: now.Add(s.accessTTL)}
	resp := tokenResponse{AccessToken: at, ExpiresIn: int64(s.accessTTL / time.Second), TokenType: "Bearer", Scope: scope}
	if s.expiresIn != nil {
		resp.ExpiresIn = *s.expiresIn
	}
	{
		// Both layouts name the account; only the CLI's host issues JWTs.
		a := s.account
		resp.Account = &a
		resp.FutuID, resp.AccountNo, resp.Name = a.FutuID, a.AccountNo, a.Name
		resp.QuotePermissions = slices.Clone(a.QuotePermissions)
	}
	if withRefresh && slices.Contains(c.GrantTypes, "refresh_token") {
		if refreshExp.IsZero() {
			refreshExp = now.Add(s.refreshTTL)
		}
		rt := randToken()
		s.refresh[rt] = &oauthToken{ClientID: c.ID, Scope: scope, Grant: grant, ExpiresAt: refreshExp}
		resp.RefreshToken = rt
	}
	return resp
}

// AnswerExpiresIn makes every token answer say expires_in v (-1, 0,
// centuries: what a broker cannot mean) while the token lives as long as
// it would; ClearExpiresIn ends it.
func (s *Server) AnswerExpiresIn(v int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expiresIn = &v
}

// ClearExpiresIn ends AnswerExpiresIn.
func (s *Server) ClearExpiresIn() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expiresIn = nil
}

// RefuseRefresh makes every refresh grant fail with 400 invalid_grant
// and this description, whatever the refresh token, as moomoo once did
// for two days ("sig is invalid"); "" ends it. Refresh tokens are kept:
// when it ends they work again.
func (s *Server) RefuseRefresh(description string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseRefresh = description
}

func (s *Server) refreshGrant(w http.ResponseWriter, c *client, f url.Values) {
	rt := f.Get("refresh_token")
	if rt == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "refresh_token is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	tok, ok := s.refresh[rt]
	switch {
	case s.refuseRefresh != "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", s.refuseRefresh)
		return
	case !ok || tok.ClientID != c.ID:
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "the refresh token is unknown or was revoked; log in again")
		return
	case now.After(tok.ExpiresAt):
		delete(s.refresh, rt)
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "the refresh token has expired; log in again")
		return
	}
	if s.rotate {
		delete(s.refresh, rt)
		// A rotated token keeps the login's original lifetime.
		writeJSON(w, http.StatusOK, s.issueLocked(c, tok.Scope, tok.Grant, now, true, tok.ExpiresAt))
		return
	}
	// Without rotation the answer carries no refresh token: the client
	// keeps the one it has.
	writeJSON(w, http.StatusOK, s.issueLocked(c, tok.Scope, tok.Grant, now, false, time.Time{}))
}

func (s *Server) revokeGrantLocked(grant string) {
	if grant == "" {
		return
	}
	for t, tok := range s.access {
		if tok.Grant == grant {
			delete(s.access, t)
		}
	}
	for t, tok := range s.refresh {
		if tok.Grant == grant {
			delete(s.refresh, t)
		}
	}
}

func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "the form could not be parsed")
		return
	}
	token, clientID := r.PostForm.Get("token"), r.PostForm.Get("client_id")
	if token == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "token is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[clientID]; !ok {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client", "unknown client_id")
		return
	}
	// RFC 7009: an unknown token is not an error; revoking a refresh
	// token ends the whole login.
	if tok, ok := s.refresh[token]; ok {
		if tok.ClientID != clientID {
			writeOAuthError(w, http.StatusBadRequest, "invalid_client", "the token was not issued to this client")
			return
		}
		s.revokeGrantLocked(tok.Grant)
	} else if tok, ok := s.access[token]; ok {
		if tok.ClientID != clientID {
			writeOAuthError(w, http.StatusBadRequest, "invalid_client", "the token was not issued to this client")
			return
		}
		delete(s.access, token)
	}
	w.WriteHeader(http.StatusOK)
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const p = "bearer "
	if len(h) <= len(p) || !strings.EqualFold(h[:len(p)], p) {
		return "", false
	}
	return strings.TrimSpace(h[len(p):]), true
}

// jwtLocked is an access token shaped like Futu's: a signed JWT whose
// claims carry its expiry, scope and account, which clients read
// without a network call.
func (s *Server) jwtLocked(scope string, now time.Time) string {
	if s.jwtKey == nil {
		s.jwtKey = randBytes(32)
	}
	a := s.account
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{
		"iss": "futu-sandbox", "sub": a.MemberID, "jti": randHex(12),
		"iat": now.Unix(), "exp": now.Add(s.accessTTL).Unix(), "scope": scope,
		"futu_id": a.FutuID, "account_no": a.AccountNo, "account_type": a.AccountType,
		"name": a.Name, "quote_permissions": a.QuotePermissions,
	})
	msg := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(claims)
	m := hmac.New(sha256.New, s.jwtKey)
	m.Write([]byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// brandOf is the brand whose host a request was sent to: moomoo serves
// the same API as Futu on its own hosts (webapi.moomoo.com,
// mcp.moomoo.com), so the sandbox answers as moomoo for those.
func brandOf(r *http.Request) string {
	if h := strings.ToLower(r.Host); h == "moomoo.com" || strings.HasSuffix(strings.Split(h, ":")[0], ".moomoo.com") {
		return "moomoo"
	}
	return "Futu"
}
