package futusim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"tokentray/auth/sandbox/futusim/futusimtest"
)

const cliScope = "quote:read quote:write trade:read trade:write accid:*"

func (e *env) registerScoped(scope string) result {
	body := `{"redirect_uris":["` + e.cbURI + `"],"token_endpoint_auth_method":"none","client_name":"cli test"`
	if scope != "" {
		body += `,"scope":` + strconv.Quote(scope)
	}
	return e.postJSON("/oauth2/register", body+"}")
}

func (e *env) confirmURL(clientID, scope string) string {
	q := url.Values{
		"client_id": {clientID}, "redirect_uri": {e.cbURI}, "response_type": {"code"},
		"code_challenge": {rfcChallenge}, "code_challenge_method": {"S256"}, "state": {"st-1"},
	}
	if scope != "" {
		q.Set("scope", scope)
	}
	return e.ts.URL + "/oauth2/authorize/confirm?" + q.Encode()
}

func (e *env) logged(t *testing.T, want string) {
	t.Helper()
	for _, l := range e.srv.Log() {
		if strings.Contains(l, want) {
			return
		}
	}
	t.Errorf("no log line with %q in %q", want, e.srv.Log())
}

func TestCLILayoutServesNoMetadataAndItsOwnPage(t *testing.T) {
	e := newEnv(t, Options{Layout: LayoutCLI})
	if r := e.get("/.well-known/oauth-authorization-server"); r.status != http.StatusNotFound {
		t.Errorf("metadata in the CLI layout: %d", r.status)
	}
	r := e.registerScoped(cliScope)
	if r.status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	id := r.json(t)["client_id"].(string)
	if r := e.get(strings.TrimPrefix(e.authorizeURL(id, rfcChallenge, "st-1", cliScope), e.ts.URL)); r.status != http.StatusNotFound {
		t.Errorf("/oauth2/authorize in the CLI layout: %d", r.status)
	}
	if err := (futusimtest.Browser{Approve: true}).Open(e.confirmURL(id, cliScope)); err != nil {
		t.Fatal(err)
	}
	code := e.lastCallback().Get("code")
	r = e.exchange(id, code, rfcVerifier, e.cbURI)
	if r.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", r.status, r.body)
	}
	tok := r.json(t)
	acct, _ := tok["account"].(map[string]any)
	if acct["futu_id"] != DemoAccount.FutuID || tok["account_no"] != DemoAccount.AccountNo || tok["name"] != DemoAccount.Name {
		t.Errorf("token answer without the account: %s", r.body)
	}
	parts := strings.Split(tok["access_token"].(string), ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err != nil || json.Unmarshal(b, &claims) != nil {
		t.Fatalf("JWT claims unreadable: %v", err)
	}
	if claims["scope"] != cliScope || claims["futu_id"] != DemoAccount.FutuID || claims["exp"] == nil {
		t.Errorf("claims = %v", claims)
	}
	// The JWT is a working access token: the account API lists the accounts.
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+PathAccounts, nil)
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	if r := e.do(req); r.status != http.StatusOK || !strings.Contains(string(r.body), `"account_id":"281756"`) {
		t.Errorf("accounts with the JWT: %d %s", r.status, r.body)
	}
}

func TestCLILayoutRefusesWhatFutuRefusesAndLogsWhy(t *testing.T) {
	e := newEnv(t, Options{Layout: LayoutCLI})
	wantOAuthError(t, e.registerScoped(""), "invalid_client_metadata")
	e.logged(t, "refused POST /oauth2/register: HTTP 400 invalid_client_metadata: scope is required")
	wantOAuthError(t, e.registerScoped("quote:read everything"), "invalid_client_metadata")
	e.logged(t, `scope "everything" is not one Futu knows`)

	id := e.registerScoped("quote:read").json(t)["client_id"].(string)
	for scope, why := range map[string]string{
		"":                       "invalid_scope: scope is required",
		"quote:read trade:write": `invalid_scope: scope "trade:write" was not registered`,
	} {
		if err := (futusimtest.Browser{Approve: true}).Open(e.confirmURL(id, scope)); err != nil {
			t.Fatal(err)
		}
		if cb := e.lastCallback(); cb.Get("error") != "invalid_scope" || cb.Get("code") != "" {
			t.Errorf("scope %q: callback %v", scope, cb)
		}
		e.logged(t, "refused GET /oauth2/authorize/confirm: sent the browser back with "+why)
	}
}

func TestMetadataLayoutStaysAvailable(t *testing.T) {
	e := newEnv(t, Options{})
	if r := e.get("/.well-known/oauth-authorization-server"); r.status != http.StatusOK {
		t.Fatalf("metadata: %d", r.status)
	}
	id, tok := e.login()
	if strings.Count(tok["access_token"].(string), ".") == 2 || tok["futu_id"] != DemoAccount.FutuID {
		t.Errorf("metadata layout: want an opaque token and the account: %v", tok)
	}
	if r := e.get(strings.TrimPrefix(e.confirmURL(id, "quote:read"), e.ts.URL)); r.status != http.StatusNotFound {
		t.Errorf("/oauth2/authorize/confirm in the metadata layout: %d", r.status)
	}
}
