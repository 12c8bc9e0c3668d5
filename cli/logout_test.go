package cli_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/auth/store"
	"tokentray/internal/system"
	"tokentray/internal/testutil"
)

// oauthSession logs Futu OAuth credentials of x's sandbox profile in, in
// this process, with a test browser that approves.
type oauthSession struct {
	st  *store.Store
	eng *engine.Engine
}

func newOAuthSession(t *testing.T, x runner) *oauthSession {
	t.Helper()
	prov := futu.NewOAuthProvider(futu.Options{
		Browser:     futusimtest.Browser{Approve: true},
		RedirectURL: fmt.Sprintf("http://127.0.0.1:%d/callback", testutil.FreePort(t)),
		// Only the credential can tell where Futu is.
		Getenv: func(string) string { return "" },
	})
	// The keychain (or x's secrets) and store of x's sandbox profile, as
	// tokentray opens them, with a browser that approves.
	opts := system.Options{
		Getenv: func(k string) string {
			if k == "TOKENTRAY_CONFIG_DIR" {
				return x.root()
			}
			return ""
		},
		Providers: func(system.Profile, clockwork.Clock) map[auth.Kind]auth.Provider {
			return map[auth.Kind]auth.Provider{auth.KindFutuOAuth: prov}
		},
	}
	if s := x.keptIn(); s != nil {
		opts.Secrets = func(system.Profile) auth.SecretStore { return s }
	}
	door := system.NewDoor(opts)
	parts, err := door.Open(true)
	if err != nil {
		t.Fatal(err)
	}
	return &oauthSession{st: parts.Store, eng: parts.Engine}
}

// login signs name in and registers its tokens as secrets of x.
func (o *oauthSession) login(t *testing.T, x runner, name string) (c auth.Credential, access, refresh string) {
	t.Helper()
	if h, err := o.eng.Login(testutil.Context(t, 60*time.Second), name, auth.LoginOptions{}, nil); err != nil {
		t.Fatalf("login of %s: %v (%v)", name, err, h)
	}
	c, err := o.st.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range auth.SecretFields {
		if v, err := o.st.Secrets().Get(c.ID, f); err == nil {
			x.secret(v)
		}
	}
	access, _ = o.st.Secrets().Get(c.ID, auth.FieldAccessToken)
	refresh, _ = o.st.Secrets().Get(c.ID, auth.FieldRefreshToken)
	if access == "" || refresh == "" {
		t.Fatalf("login of %s stored no tokens", name)
	}
	return c, access, refresh
}

// refreshGrant asks Futu for tokens with a refresh token and returns the
// HTTP status.
func refreshGrant(t *testing.T, base, clientID, refresh string) int {
	t.Helper()
	resp, err := http.PostForm(base+"/oauth2/token", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {refresh},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestFutuOAuthLogoutRevokesAndLoginWorksAgain(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	// FUTU_HTTP_URL instead of --endpoint: saved with the credential.
	wantCode(t, x.run(map[string]string{"FUTU_HTTP_URL": sb.FutuURL}, "", "add", "futu-oauth", "oauth"), 0, "add futu-oauth")
	o := newOAuthSession(t, x)
	c, access, refresh := o.login(t, x, "oauth")
	tok := x.run(nil, "", "token", "oauth")
	wantCode(t, tok, 0, "token after login")
	if tok.stdout != access+"\n" {
		t.Fatalf("token printed %q, want the access token of the login", tok.stdout)
	}

	revokes := sb.Futu.Count("/oauth2/revoke")
	out := x.run(nil, "", "logout", "oauth")
	wantCode(t, out, 0, "logout")
	if out.stderr != "" || !strings.Contains(out.stdout, "tokentray --sandbox login oauth") {
		t.Fatalf("logout said %q / %q", out.stdout, out.stderr)
	}
	if sb.Futu.Count("/oauth2/revoke") == revokes {
		t.Fatal("logout did not call Futu's revocation endpoint")
	}
	if code := refreshGrant(t, sb.FutuURL, c.ClientID, refresh); code != http.StatusBadRequest {
		t.Fatalf("Futu still renews the logged-out refresh token: HTTP %d", code)
	}
	for _, f := range []string{auth.FieldAccessToken, auth.FieldRefreshToken} {
		if _, err := o.st.Secrets().Get(c.ID, f); !errors.Is(err, auth.ErrSecretNotFound) {
			t.Errorf("%s still in the keychain after logout: %v", f, err)
		}
	}

	tk := x.run(nil, "", "token", "oauth")
	wantCode(t, tk, 3, "token after logout")
	if tk.stdout != "" || !strings.Contains(tk.stderr, "Next: tokentray --sandbox login oauth") {
		t.Fatalf("token after logout printed %q / %q", tk.stdout, tk.stderr)
	}
	if s := statusJSON(t, x)["oauth"]; s["health"] != "action-needed" || s["next"].(map[string]any)["command"] != "tokentray --sandbox login oauth" {
		t.Fatalf("status after logout: %v", s)
	}

	// The credential and its client registration stay: logging in again
	// needs no new registration.
	registrations := sb.Futu.Count("/oauth2/register")
	again, access2, _ := o.login(t, x, "oauth")
	if again.ClientID != c.ClientID || sb.Futu.Count("/oauth2/register") != registrations {
		t.Fatalf("login after logout registered again (client %s, was %s)", again.ClientID, c.ClientID)
	}
	tok = x.run(nil, "", "token", "oauth")
	wantCode(t, tok, 0, "token after logging in again")
	if tok.stdout != access2+"\n" || access2 == access {
		t.Fatalf("token after logging in again %q, want the new login's", tok.stdout)
	}
}

func TestLogoutOfAnAPIKeyIsRefused(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	appKey, appSecret, access := sb.Futu.AddAPIKey(time.Now().Add(90 * 24 * time.Hour))
	x.secret(appKey, appSecret, access)
	// FUTU_HTTP_URL at add time only: later commands find Futu anyway.
	env := map[string]string{"FUTU_APP_KEY": appKey, "FUTU_APP_SECRET": appSecret, "FUTU_ACCESS_TOKEN": access, "FUTU_HTTP_URL": sb.FutuURL}
	wantCode(t, x.run(env, "", "add", "futu-key", "key"), 0, "add futu-key with FUTU_HTTP_URL")
	checks := sb.Futu.Count(futu.VerifyPath)
	wantCode(t, x.run(nil, "", "refresh", "key"), 0, "refresh without FUTU_HTTP_URL")
	if sb.Futu.Count(futu.VerifyPath) == checks {
		t.Fatal("refresh without FUTU_HTTP_URL did not reach the sandbox")
	}

	r := x.run(nil, "", "logout", "key")
	wantCode(t, r, 1, "logout of an API key")
	if !strings.Contains(r.stderr, "portal") {
		t.Fatalf("logout of an API key said %q, want where to revoke it", r.stderr)
	}
	if tok := x.run(nil, "", "token", "key"); tok.code != 0 || tok.stdout != access+"\n" {
		t.Fatalf("token after a refused logout: %+v", tok)
	}
	wantCode(t, x.run(nil, "", "logout", "nosuch"), 1, "logout of an unknown name")
}

func TestWebullLogoutForgetsTheToken(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	addTestEnvWebull(t, x, sb, "wb", "us")
	wantCode(t, x.run(nil, "", "login", "wb"), 0, "login")
	first := x.run(nil, "", "token", "wb")
	wantCode(t, first, 0, "token")
	x.secret(strings.TrimSpace(first.stdout))

	wantCode(t, x.run(nil, "", "logout", "wb"), 0, "logout")
	tk := x.run(nil, "", "token", "wb")
	wantCode(t, tk, 3, "token after logout")
	if tk.stdout != "" {
		t.Fatalf("token after logout printed %q", tk.stdout)
	}

	// The next login does not reuse the forgotten token.
	wantCode(t, x.run(nil, "", "login", "wb"), 0, "login after logout")
	second := x.run(nil, "", "token", "wb")
	wantCode(t, second, 0, "token after logging in again")
	if second.stdout == first.stdout {
		t.Fatal("the login after logout reused the forgotten token")
	}
}

func TestAddFutuOAuthImportsTheSDKToken(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "sdk-user", "--endpoint", sb.FutuURL), 0, "add futu-oauth")
	o := newOAuthSession(t, x)
	c, access, refresh := o.login(t, x, "sdk-user")

	// What the Futu SDK would have saved after its own login; expired, so
	// the first token call must renew it with the imported refresh token.
	dir := filepath.Join(x.dir, "sandbox", "futu-sdk-tokens")
	if err := futu.WriteSDKToken(dir, futu.SDKToken{ClientID: c.ClientID, AccessToken: access, RefreshToken: refresh, ExpiresAt: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "bad", "--endpoint", sb.FutuURL, "--import-sdk", "no-such-client"), 1, "import of a client without an SDK token")
	if _, ok := statusJSON(t, x)["bad"]; ok {
		t.Fatal("a failed import left a credential behind")
	}

	renewals := sb.Futu.Count("/oauth2/token")
	r := x.run(nil, "", "add", "futu-oauth", "adopted", "--endpoint", sb.FutuURL, "--import-sdk", c.ClientID)
	wantCode(t, r, 0, "add --import-sdk")
	if !strings.Contains(r.stdout, c.ClientID) {
		t.Fatalf("add --import-sdk said %q, want the client it adopted", r.stdout)
	}
	tok := x.run(nil, "", "token", "adopted")
	wantCode(t, tok, 0, "token of the imported login")
	got := strings.TrimSpace(tok.stdout)
	x.secret(got)
	if got == "" || got == access || sb.Futu.Count("/oauth2/token") == renewals {
		t.Fatalf("token %q: the expired SDK access token was not renewed with its refresh token", got)
	}
	if s := statusJSON(t, x)["adopted"]; s["health"] != "ok" {
		t.Fatalf("status of the imported login: %v", s)
	}
}
