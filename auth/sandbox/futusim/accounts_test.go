package futusim

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"tokentray/auth/sandbox/futusim/futusimtest"
)

// tradeLogin logs in with trade scope and returns the client and tokens.
func (e *env) tradeLogin() (clientID, access, refresh string) {
	e.t.Helper()
	clientID = e.register("tokentray test")
	if err := (futusimtest.Browser{Approve: true}).Open(e.authorizeURL(clientID, rfcChallenge, "st-1", "quote:read trade:read")); err != nil {
		e.t.Fatal(err)
	}
	r := e.exchange(clientID, e.lastCallback().Get("code"), rfcVerifier, e.cbURI)
	if r.status != http.StatusOK {
		e.t.Fatalf("exchange: %d %s", r.status, r.body)
	}
	tok := r.json(e.t)
	return clientID, tok["access_token"].(string), tok["refresh_token"].(string)
}

func (e *env) accounts(access string) result {
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+PathAccounts, nil)
	req.Header.Set("Authorization", "Bearer "+access)
	return e.do(req)
}

func TestAccountAPIAnswersAsFutusCLIReadsIt(t *testing.T) {
	for _, layout := range []string{LayoutMetadata, LayoutCLI} {
		e := newEnv(t, Options{Layout: layout, AccessTTL: time.Hour})
		if layout == LayoutCLI {
			e.srv.SetLayout(LayoutMetadata) // log in the simple way, then serve the CLI's layout
		}
		id, at, rt := e.tradeLogin()
		e.srv.SetLayout(layout)

		r := e.accounts(at)
		if r.status != http.StatusOK || !strings.Contains(r.body, `"s":"ok"`) || !strings.Contains(r.body, `"account_id":"281756"`) {
			t.Fatalf("%s: accounts of a working login: %d %s", layout, r.status, r.body)
		}
		e.srv.SetTradePermission(false)
		wantAPICode(t, e.accounts(at), http.StatusForbidden, CodePermission)
		e.logged(t, "refused GET "+PathAccounts+": HTTP 403 code 1100: PERMISSION_DENIED")
		e.srv.SetTradePermission(true)

		// A revoked access token is refused; the refresh token still works.
		e.srv.RevokeAccessTokens(id)
		wantAPICode(t, e.accounts(at), http.StatusUnauthorized, CodeAuthInvalid)
		r = e.refreshWith(id, rt)
		if r.status != http.StatusOK {
			t.Fatalf("%s: refresh after the access token was revoked: %s", layout, r.body)
		}
		fresh := r.json(t)["access_token"].(string)
		if r := e.accounts(fresh); r.status != http.StatusOK {
			t.Errorf("%s: the renewed access token: %d %s", layout, r.status, r.body)
		}
		e.fc.Advance(time.Hour + time.Second)
		wantAPICode(t, e.accounts(fresh), http.StatusUnauthorized, CodeAuthExpired)
		e.logged(t, "refused GET "+PathAccounts+": HTTP 401 code 1001: AUTH_EXPIRED")

		// The legacy check is no check of an OAuth login.
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/v1/auth/verify", nil)
		req.Header.Set("Authorization", "Bearer "+fresh)
		wantAPICode(t, e.do(req), http.StatusNotFound, CodeNotFound)
	}
}

func TestTheAuthorizePageOfAMoomooHostIsMoomoos(t *testing.T) {
	e := newEnv(t, Options{Layout: LayoutCLI})
	id := e.registerScoped("quote:read").json(t)["client_id"].(string)
	for host, want := range map[string]string{"webapi.moomoo.com": "moomoo sandbox: authorize", "webapi.futunn.com": "Futu sandbox: authorize"} {
		req, _ := http.NewRequest(http.MethodGet, e.confirmURL(id, "quote:read"), nil)
		req.Host = host
		if r := e.do(req); r.status != http.StatusOK || !strings.Contains(r.body, want) {
			t.Errorf("authorize page asked at %s: %d, want %q", host, r.status, want)
		}
	}
}
