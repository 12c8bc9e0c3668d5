package futusim

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"tokentray/auth/sandbox/futusim/futusimtest"
)

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRegisterSeedPayload(t *testing.T) {
	e := newEnv(t, Options{})
	// The seed's own request, verbatim (its redirect port is what the real app uses).
	r := e.postJSON("/oauth2/register", `{
"redirect_uris": ["http://localhost:60355/callback"],
"token_endpoint_auth_method": "none",
"grant_types": ["authorization_code","refresh_token"],
"response_types": ["code"],
"client_name": "My Futu OpenAPI"
}`)
	if r.status != http.StatusCreated {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	m := r.json(t)
	id, _ := m["client_id"].(string)
	if !uuidRe.MatchString(id) {
		t.Errorf("client_id %q is not a UUID", id)
	}
	if m["client_id_issued_at"] != float64(epoch.Unix()) {
		t.Errorf("client_id_issued_at = %v, want %d", m["client_id_issued_at"], epoch.Unix())
	}
	if m["client_secret_expires_at"] != float64(epoch.Unix()+3600) {
		t.Errorf("client_secret_expires_at = %v", m["client_secret_expires_at"])
	}
	if m["client_name"] != "My Futu OpenAPI" || m["token_endpoint_auth_method"] != "none" {
		t.Errorf("metadata not echoed: %s", r.body)
	}
	if got := m["redirect_uris"].([]any); len(got) != 1 || got[0] != "http://localhost:60355/callback" {
		t.Errorf("redirect_uris = %v", got)
	}
	if got := m["grant_types"].([]any); len(got) != 2 || got[0] != "authorization_code" || got[1] != "refresh_token" {
		t.Errorf("grant_types = %v", got)
	}
	if got := m["response_types"].([]any); len(got) != 1 || got[0] != "code" {
		t.Errorf("response_types = %v", got)
	}
	regTok, _ := m["registration_access_token"].(string)
	if len(regTok) < 40 {
		t.Errorf("registration_access_token %q too short", regTok)
	}
	regURI := m["registration_client_uri"]
	if regURI != e.ts.URL+"/oauth2/register/"+id {
		t.Errorf("registration_client_uri = %v", regURI)
	}

	// RFC 7592: the registration URI answers with the token, not without.
	req, _ := http.NewRequest(http.MethodGet, regURI.(string), nil)
	req.Header.Set("Authorization", "Bearer "+regTok)
	if got := e.do(req); got.status != http.StatusOK || got.json(t)["client_id"] != id {
		t.Errorf("read registration: %d %s", got.status, got.body)
	}
	req.Header.Set("Authorization", "Bearer not-the-token")
	if got := e.do(req); got.status != http.StatusUnauthorized {
		t.Errorf("read registration with a wrong token: %d", got.status)
	}
	del, _ := http.NewRequest(http.MethodDelete, regURI.(string), nil)
	del.Header.Set("Authorization", "Bearer "+regTok)
	if got := e.do(del); got.status != http.StatusNoContent {
		t.Fatalf("delete registration: %d %s", got.status, got.body)
	}
	if got := e.get("/oauth2/authorize?client_id=" + id + "&redirect_uri=" + url.QueryEscape("http://localhost:60355/callback")); got.status != http.StatusBadRequest {
		t.Errorf("authorize for a deleted client: %d", got.status)
	}
}

func TestRegisterRejects(t *testing.T) {
	e := newEnv(t, Options{})
	cases := []struct{ name, body, code string }{
		{"not json", `redirect_uris=x`, "invalid_client_metadata"},
		{"no redirect", `{"client_name":"x"}`, "invalid_redirect_uri"},
		{"https", `{"redirect_uris":["https://localhost:60355/callback"]}`, "invalid_redirect_uri"},
		{"no port", `{"redirect_uris":["http://localhost/callback"]}`, "invalid_redirect_uri"},
		{"remote host", `{"redirect_uris":["http://evil.example:60355/callback"]}`, "invalid_redirect_uri"},
		{"fragment", `{"redirect_uris":["http://127.0.0.1:60355/cb#x"]}`, "invalid_redirect_uri"},
		{"confidential", `{"redirect_uris":["http://127.0.0.1:60355/cb"],"token_endpoint_auth_method":"client_secret_basic"}`, "invalid_client_metadata"},
		{"implicit", `{"redirect_uris":["http://127.0.0.1:60355/cb"],"grant_types":["implicit"]}`, "invalid_client_metadata"},
		{"token response", `{"redirect_uris":["http://127.0.0.1:60355/cb"],"response_types":["token"]}`, "invalid_client_metadata"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantOAuthError(t, e.postJSON("/oauth2/register", c.body), c.code) })
	}
	if len(e.srv.ClientIDs()) != 0 {
		t.Errorf("a rejected registration created a client")
	}
	// Any loopback port is accepted, on both loopback names.
	for _, u := range []string{"http://127.0.0.1:1234/cb", "http://localhost:9/x"} {
		if r := e.postJSON("/oauth2/register", `{"redirect_uris":["`+u+`"]}`); r.status != http.StatusCreated {
			t.Errorf("%s refused: %s", u, r.body)
		}
	}
}

func TestMetadata(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.get("/.well-known/oauth-authorization-server")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", r.status, r.header.Get("Content-Type"))
	}
	m := r.json(t)
	want := map[string]string{
		"issuer":                 e.ts.URL,
		"authorization_endpoint": e.ts.URL + "/oauth2/authorize",
		"token_endpoint":         e.ts.URL + "/oauth2/token",
		"registration_endpoint":  e.ts.URL + "/oauth2/register",
		"revocation_endpoint":    e.ts.URL + "/oauth2/revoke",
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %s", k, m[k], v)
		}
	}
	lists := map[string]string{
		"code_challenge_methods_supported":      "S256",
		"token_endpoint_auth_methods_supported": "none",
		"response_types_supported":              "code",
	}
	for k, v := range lists {
		if l, _ := m[k].([]any); len(l) != 1 || l[0] != v {
			t.Errorf("%s = %v, want [%s]", k, m[k], v)
		}
	}
	if l, _ := m["grant_types_supported"].([]any); len(l) != 2 {
		t.Errorf("grant_types_supported = %v", m["grant_types_supported"])
	}
}

func TestMetadataWithoutBaseURLUsesHost(t *testing.T) {
	e := newEnv(t, Options{})
	e.srv.SetBaseURL("")
	if got := e.get("/.well-known/oauth-authorization-server").json(t)["token_endpoint"]; got != e.ts.URL+"/oauth2/token" {
		t.Errorf("token_endpoint = %v", got)
	}
}

func TestAuthorizePageEscapesUserInput(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.register(`<script>alert("name")</script>`)
	r := e.get(strings.TrimPrefix(e.authorizeURL(id, rfcChallenge, "s", `quote:read <img src=x onerror=alert(1)>`), e.ts.URL))
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, want := range []string{
		"<title>Futu sandbox: authorize</title>",
		`<form method="post" action="/oauth2/authorize/decision">`,
		`<button name="decision" value="approve">`,
		`<button name="decision" value="deny">`,
		`&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;`,
		`quote:read &lt;img src=x onerror=alert(1)&gt;`,
		`name="request"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, bad := range []string{"<script>", "<img"} {
		if strings.Contains(r.body, bad) {
			t.Errorf("page contains unescaped %s", bad)
		}
	}
}

func TestAuthorizeBadClientOrRedirectIsA400Page(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.register("app")
	for name, u := range map[string]string{
		"unknown client": strings.Replace(e.authorizeURL(id, rfcChallenge, "s", ""), id, "00000000-0000-4000-8000-000000000000", 1),
		"other redirect": strings.Replace(e.authorizeURL(id, rfcChallenge, "s", ""), url.QueryEscape("/callback"), url.QueryEscape("/elsewhere"), 1),
		"redirect changed": strings.Replace(e.authorizeURL(id, rfcChallenge, "s", ""),
			url.QueryEscape(e.cbURI), url.QueryEscape(strings.Replace(e.cbURI, "127.0.0.1", "localhost", 1)), 1),
	} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		r := e.do(req)
		if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
			t.Errorf("%s: %d Location=%q, want a 400 page with no redirect", name, r.status, r.header.Get("Location"))
		}
		if !strings.Contains(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: content type %s", name, r.header.Get("Content-Type"))
		}
	}
	if err := (futusimtest.Browser{Approve: true}).Open(strings.Replace(e.authorizeURL(id, rfcChallenge, "s", ""), url.QueryEscape("/callback"), url.QueryEscape("/other"), 1)); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("browser on a bad redirect: %v", err)
	}
	e.mu.Lock()
	n := len(e.callbacks)
	e.mu.Unlock()
	if n != 0 {
		t.Errorf("the callback was reached %d times", n)
	}
}

func TestAuthorizeBadPKCERedirectsWithError(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.register("app")
	for name, mutate := range map[string]func(url.Values){
		"no challenge":  func(q url.Values) { q.Del("code_challenge") },
		"plain":         func(q url.Values) { q.Set("code_challenge_method", "plain") },
		"short":         func(q url.Values) { q.Set("code_challenge", "abc") },
		"response type": func(q url.Values) { q.Set("response_type", "token") },
	} {
		u, _ := url.Parse(e.authorizeURL(id, rfcChallenge, "st-9", ""))
		q := u.Query()
		mutate(q)
		u.RawQuery = q.Encode()
		req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
		r := e.do(req)
		loc, _ := url.Parse(r.header.Get("Location"))
		if r.status != http.StatusFound || loc == nil || !strings.HasPrefix(loc.String(), e.cbURI+"?") {
			t.Errorf("%s: %d %q, want a redirect to the callback", name, r.status, r.header.Get("Location"))
			continue
		}
		if loc.Query().Get("error") == "" || loc.Query().Get("state") != "st-9" || loc.Query().Has("code") {
			t.Errorf("%s: redirect %s", name, loc)
		}
	}
}

func TestLoginApprove(t *testing.T) {
	e := newEnv(t, Options{})
	clientID, tok := e.login()
	if tok["token_type"] != "Bearer" || tok["expires_in"] != float64(7200) || tok["scope"] != "quote:read" {
		t.Errorf("token answer %v", tok)
	}
	at, _ := tok["access_token"].(string)
	if at == "" || tok["refresh_token"] == "" || tok["refresh_token"] == nil {
		t.Fatalf("token answer lacks tokens: %v", tok)
	}
	_ = clientID
	// The access token works on the account API, with no HMAC headers;
	// a login without trade scope may not trade.
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+PathAccounts, nil)
	req.Header.Set("Authorization", "Bearer "+at)
	wantAPICode(t, e.do(req), http.StatusForbidden, CodePermission)
	req.Header.Set("Authorization", "Bearer "+at+"x")
	wantAPICode(t, e.do(req), http.StatusUnauthorized, CodeAuthInvalid)
	// The legacy check answers no OAuth token, as Futu's host does not.
	v, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/v1/auth/verify", nil)
	v.Header.Set("Authorization", "Bearer "+at)
	wantAPICode(t, e.do(v), http.StatusNotFound, CodeNotFound)
}

func TestLoginDeny(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.register("app")
	if err := (futusimtest.Browser{Approve: false}).Open(e.authorizeURL(id, rfcChallenge, "st-2", "")); err != nil {
		t.Fatal(err)
	}
	cb := e.lastCallback()
	if cb.Get("error") != "access_denied" || cb.Get("state") != "st-2" || cb.Has("code") || cb.Get("error_description") == "" {
		t.Errorf("callback %v", cb)
	}
}

func TestDecisionIsSingleUse(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.register("app")
	page := e.get(strings.TrimPrefix(e.authorizeURL(id, rfcChallenge, "s", ""), e.ts.URL))
	m := requestRe().FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no request field")
	}
	form := url.Values{"request": {m[1]}, "decision": {"approve"}}
	if r := e.postForm("/oauth2/authorize/decision", form); r.status != http.StatusFound {
		t.Fatalf("first decision: %d", r.status)
	}
	if r := e.postForm("/oauth2/authorize/decision", form); r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
		t.Errorf("second decision: %d %q", r.status, r.header.Get("Location"))
	}
	if r := e.postForm("/oauth2/authorize/decision", url.Values{"request": {"made-up"}, "decision": {"approve"}}); r.status != http.StatusBadRequest {
		t.Errorf("made-up request: %d", r.status)
	}
}

func TestTokenPKCEWrongVerifierRejected(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.register("app")
	code := e.code(id)
	other := strings.Repeat("a", 43)
	if s256Test(other) == rfcChallenge {
		t.Fatal("test verifier collides")
	}
	wantOAuthError(t, e.exchange(id, code, other, e.cbURI), "invalid_grant")
	// The failed attempt burned the code: the right verifier is too late.
	wantOAuthError(t, e.exchange(id, code, rfcVerifier, e.cbURI), "invalid_grant")
	wantOAuthError(t, e.exchange(id, e.code(id), "", e.cbURI), "invalid_request")
	wantOAuthError(t, e.exchange(id, e.code(id), "short", e.cbURI), "invalid_request")
}

func TestTokenCodeReuseRejectedAndRevokes(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.register("app")
	code := e.code(id)
	r := e.exchange(id, code, rfcVerifier, e.cbURI)
	if r.status != http.StatusOK {
		t.Fatalf("first exchange %d %s", r.status, r.body)
	}
	tok := r.json(t)
	wantOAuthError(t, e.exchange(id, code, rfcVerifier, e.cbURI), "invalid_grant")
	// A replayed code means it leaked: what it bought is revoked.
	wantOAuthError(t, e.refreshWith(id, tok["refresh_token"].(string)), "invalid_grant")
}

func TestTokenRedirectMismatchRejected(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.register("app")
	wantOAuthError(t, e.exchange(id, e.code(id), rfcVerifier, e.cbURI+"/"), "invalid_grant")
	wantOAuthError(t, e.exchange(id, e.code(id), rfcVerifier, ""), "invalid_grant")
}

func TestTokenCodeExpiresAfter60s(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.register("app")
	code := e.code(id)
	e.fc.Advance(61 * time.Second)
	wantOAuthError(t, e.exchange(id, code, rfcVerifier, e.cbURI), "invalid_grant")
	code = e.code(id)
	e.fc.Advance(59 * time.Second)
	if r := e.exchange(id, code, rfcVerifier, e.cbURI); r.status != http.StatusOK {
		t.Errorf("a 59 s old code: %d %s", r.status, r.body)
	}
}

func TestTokenRequestErrors(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.register("app")
	code := e.code(id)
	wantOAuthError(t, e.exchange("", code, rfcVerifier, e.cbURI), "invalid_request")
	wantOAuthError(t, e.exchange("00000000-0000-4000-8000-000000000000", code, rfcVerifier, e.cbURI), "invalid_client")
	other := e.register("other app")
	wantOAuthError(t, e.exchange(other, code, rfcVerifier, e.cbURI), "invalid_grant")
	wantOAuthError(t, e.postForm("/oauth2/token", url.Values{"client_id": {id}}), "invalid_request")
	wantOAuthError(t, e.postForm("/oauth2/token", url.Values{"client_id": {id}, "grant_type": {"password"}}), "unsupported_grant_type")
	wantOAuthError(t, e.postForm("/oauth2/token", url.Values{"client_id": {id}, "grant_type": {"authorization_code"}}), "invalid_request")
	wantOAuthError(t, e.postJSON("/oauth2/token", `{"grant_type":"authorization_code"}`), "invalid_request")
	wantOAuthError(t, e.refreshWith(id, ""), "invalid_request")
	wantOAuthError(t, e.refreshWith(id, "never-issued"), "invalid_grant")
	// The code survived the other client's attempt and still works for its own.
	if r := e.exchange(id, code, rfcVerifier, e.cbURI); r.status != http.StatusOK {
		t.Errorf("exchange after errors: %d %s", r.status, r.body)
	}
}

func TestRefreshWithoutRotation(t *testing.T) {
	e := newEnv(t, Options{AccessTTL: 10 * time.Minute})
	id, tok := e.login()
	rt := tok["refresh_token"].(string)
	for i := 0; i < 2; i++ {
		e.fc.Advance(11 * time.Minute)
		r := e.refreshWith(id, rt)
		if r.status != http.StatusOK {
			t.Fatalf("refresh %d: %d %s", i, r.status, r.body)
		}
		m := r.json(t)
		if _, has := m["refresh_token"]; has {
			t.Errorf("refresh %d returned a refresh token without rotation", i)
		}
		if m["access_token"] == tok["access_token"] || m["expires_in"] != float64(600) {
			t.Errorf("refresh %d answer %v", i, m)
		}
	}
}

func TestRefreshWithRotation(t *testing.T) {
	e := newEnv(t, Options{})
	id, tok := e.login()
	e.srv.SetRotateRefresh(true) // at runtime, after the login
	old := tok["refresh_token"].(string)
	r := e.refreshWith(id, old)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	next, _ := r.json(t)["refresh_token"].(string)
	if next == "" || next == old {
		t.Fatalf("rotation returned %q", next)
	}
	wantOAuthError(t, e.refreshWith(id, old), "invalid_grant")
	if r := e.refreshWith(id, next); r.status != http.StatusOK {
		t.Errorf("rotated token refused: %s", r.body)
	}
	other := e.register("other")
	wantOAuthError(t, e.refreshWith(other, next), "invalid_grant")
}

func TestRefreshTokenExpires(t *testing.T) {
	e := newEnv(t, Options{AccessTTL: time.Minute, RefreshTTL: time.Hour})
	id, tok := e.login()
	at := tok["access_token"].(string)
	e.fc.Advance(61 * time.Second)
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+PathAccounts, nil)
	req.Header.Set("Authorization", "Bearer "+at)
	wantAPICode(t, e.do(req), http.StatusUnauthorized, CodeAuthExpired)

	rt := tok["refresh_token"].(string)
	if r := e.refreshWith(id, rt); r.status != http.StatusOK {
		t.Fatalf("refresh inside its life: %s", r.body)
	}
	e.fc.Advance(time.Hour)
	r := e.refreshWith(id, rt)
	wantOAuthError(t, r, "invalid_grant")
	if !strings.Contains(r.json(t)["error_description"].(string), "expired") {
		t.Errorf("description %s", r.body)
	}
}

func TestRevoke(t *testing.T) {
	e := newEnv(t, Options{})
	id, tok := e.login()
	at, rt := tok["access_token"].(string), tok["refresh_token"].(string)
	wantOAuthError(t, e.postForm("/oauth2/revoke", url.Values{"client_id": {id}}), "invalid_request")
	wantOAuthError(t, e.postForm("/oauth2/revoke", url.Values{"token": {rt}, "client_id": {"nobody"}}), "invalid_client")
	other := e.register("other")
	wantOAuthError(t, e.postForm("/oauth2/revoke", url.Values{"token": {rt}, "client_id": {other}}), "invalid_client")
	if r := e.refreshWith(id, rt); r.status != http.StatusOK {
		t.Fatalf("a refused revocation revoked: %s", r.body)
	}
	if r := e.postForm("/oauth2/revoke", url.Values{"token": {rt}, "client_id": {id}}); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	wantOAuthError(t, e.refreshWith(id, rt), "invalid_grant")
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+PathAccounts, nil)
	req.Header.Set("Authorization", "Bearer "+at)
	wantAPICode(t, e.do(req), http.StatusUnauthorized, CodeAuthInvalid)
	// Revoking again, or an unknown token, is not an error (RFC 7009).
	if r := e.postForm("/oauth2/revoke", url.Values{"token": {rt}, "client_id": {id}}); r.status != http.StatusOK {
		t.Errorf("revoke twice: %d", r.status)
	}
}

func TestRevokeAccessTokenOnly(t *testing.T) {
	e := newEnv(t, Options{})
	id, tok := e.login()
	if r := e.postForm("/oauth2/revoke", url.Values{"token": {tok["access_token"].(string)}, "client_id": {id}}); r.status != http.StatusOK {
		t.Fatal(r.body)
	}
	if r := e.refreshWith(id, tok["refresh_token"].(string)); r.status != http.StatusOK {
		t.Errorf("revoking the access token killed the refresh token: %s", r.body)
	}
}

func TestRevokeRefreshTokensSignsOut(t *testing.T) {
	e := newEnv(t, Options{})
	id, tok := e.login()
	id2, tok2 := e.login()
	e.srv.RevokeRefreshTokens(id)
	wantOAuthError(t, e.refreshWith(id, tok["refresh_token"].(string)), "invalid_grant")
	if r := e.refreshWith(id2, tok2["refresh_token"].(string)); r.status != http.StatusOK {
		t.Errorf("another client was signed out too: %s", r.body)
	}
}

func TestBrowserReportsAMissingForm(t *testing.T) {
	e := newEnv(t, Options{})
	if err := (futusimtest.Browser{}).Open(e.ts.URL + "/.well-known/oauth-authorization-server"); err == nil {
		t.Error("a page with no form was accepted")
	}
	if err := (futusimtest.Browser{}).Open(e.ts.URL + "/nowhere"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
}

// requestRe finds the request field of the authorize page's form.
var requestRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?is)<input[^>]*\bname="request"[^>]*\bvalue="([^"]*)"`)
})
