package futu

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jonboulle/clockwork"
	"golang.org/x/oauth2"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

// FuzzPastedCallback: any paste is either this login's answer or a short
// sentence that never repeats it.
func FuzzPastedCallback(f *testing.F) {
	redirect, _ := url.Parse(DefaultRedirectURL)
	const state = "expected-state-0123456789"
	for _, seed := range []string{
		"http://localhost:60355/callback?code=abc&state=" + state,
		"http://localhost:60355/callback?error=access_denied&state=" + state,
		"http://localhost:60355/callback?code=abc&state=other",
		"http://localhost:60356/callback?code=abc&state=" + state,
		"https://localhost:60355/callback?code=abc&state=" + state,
		"HTTP://LOCALHOST:60355/callback?state=" + state + "&code=x%00y",
		"localhost:60355/callback", "", " \n", "%zz", "http://[::1", strings.Repeat("a", 9000),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cb, said := pastedCallback(line, redirect, state)
		if !said.IsZero() {
			why := said.String()
			// A paste long enough to be telling is never quoted back (a
			// short one may be a word of the sentence by chance).
			p := strings.TrimSpace(line)
			if len(why) > 300 || (len(p) > 12 && strings.Contains(why, p) && !strings.Contains(DefaultRedirectURL, p)) {
				t.Fatalf("refusal repeats the paste or is long: %q", why)
			}
			if cb.code != "" || cb.err != nil {
				t.Fatal("a refused paste carries an answer")
			}
			return
		}
		u, err := url.Parse(strings.TrimSpace(line))
		if err != nil || !strings.EqualFold(u.Host, redirect.Host) || u.Query().Get("state") != state {
			t.Fatalf("accepted a paste that is not this login's: %q", line)
		}
		if (cb.code == "") == (cb.err == nil) {
			t.Fatalf("accepted paste has code %q and err %v", cb.code, cb.err)
		}
	})
}

// FuzzTokenFacts: whatever a token answer and its JWT say, the account
// kept in the settings is short, printable and can be saved.
func FuzzTokenFacts(f *testing.F) {
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE5MDAwMDAwMDAsImZ1dHVfaWQiOjQyfQ.c2ln", `{"account":{"futu_id":"1","name":"A"},"quote_permissions":["hk_lv2"]}`)
	f.Add("a.b.c", `{"futu_id":12345678901234567890,"account_no":null,"name":["x"]}`)
	f.Add("opaque", `{"quote_permissions":"hk_lv2, us_lv1 ,,"}`)
	f.Add("x.eyJleHAiOjFlMzAwfQ.y", `{}`)
	f.Fuzz(func(t *testing.T, access, extra string) {
		var m map[string]any
		if json.Unmarshal([]byte(extra), &m) != nil {
			m = nil
		}
		tok := (&oauth2.Token{AccessToken: access}).WithExtra(m)
		facts := readTokenFacts(tok)
		a := facts.account
		for _, s := range append([]string{a.FutuID, a.AccountNo, a.Name, a.AccountType}, a.QuotePermissions...) {
			if len(s) > maxAccountField || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' }) {
				t.Fatalf("account field %q kept", s)
			}
		}
		if len(a.QuotePermissions) > 32 {
			t.Fatalf("%d quote permissions kept", len(a.QuotePermissions))
		}
		c := auth.Credential{Account: a, ExpiresAt: facts.expires}
		if _, err := json.Marshal(c); err != nil {
			t.Fatalf("the settings could not hold it: %v", err)
		}
		_ = a.Summary()
	})
}

// FuzzSDKTokenFile: any file in the SDK's token folder reads as a token
// the settings can hold, or as a short sentence.
func FuzzSDKTokenFile(f *testing.F) {
	f.Add(`{"client_id":"c1","access_token":"a","refresh_token":"r","expires_at":1900000000}`)
	f.Add(`{"access_token":"a","expires_at":"2030-01-02T03:04:05Z"}`)
	f.Add(`{"refresh_token":"r","expiry":1900000000000}`)
	f.Add(`{"access_token":"a","expires":1e300}`)
	f.Add(`{"client_id":"` + strings.Repeat("z", 5000) + `","access_token":"a"}`)
	f.Add(`null`)
	f.Add(`[]`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		if err := os.WriteFile(filepath.Join(dir, "c1"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		tok, err := ReadSDKToken(dir, "c1")
		if err != nil {
			if len(err.Error()) > 400 || !utf8.ValidString(err.Error()) && utf8.ValidString(content) {
				t.Fatalf("error %.100q", err.Error())
			}
			return
		}
		if _, err := json.Marshal(auth.Credential{ExpiresAt: tok.ExpiresAt}); err != nil {
			t.Fatalf("expiry %v cannot be saved: %v", tok.ExpiresAt, err)
		}
	})
}

// FuzzKeyCheckAnswer: whatever Futu answers the health check, a key is
// Broken only on a 401, and a refused request time never breaks it.
func FuzzKeyCheckAnswer(f *testing.F) {
	f.Add(200, `{"code":0,"data":{"expired_at":"2030-01-01T00:00:00Z"}}`)
	f.Add(200, `{"code":0,"data":{"expired_at":"99999-01-01T00:00:00Z"}}`)
	f.Add(401, `{"code":40102,"message":"timestamp outside the 60 s window"}`)
	f.Add(401, `{"code":40100,"message":"unknown app key"}`)
	f.Add(500, `{"code":`)
	f.Add(404, ``)
	f.Add(200, `not json`)
	var status int
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, st int, b string) {
		if st < 200 || st > 599 {
			return
		}
		status, body = st, b
		k := newFuzzKey(srv.URL)
		h, _ := k.p.Refresh(testutil.Context(t, 10*time.Second), &k.c, k.s, auth.RefreshOptions{})
		if h.State == auth.Broken && st != http.StatusUnauthorized && keyExpiry(k.c).After(t0) {
			t.Fatalf("HTTP %d made the key Broken: %v", st, h)
		}
		if h.State == auth.Broken && strings.Contains(strings.ToLower(b), "timestamp") {
			t.Fatalf("a refused request time broke the key: %v", h)
		}
		if _, err := json.Marshal(k.c); err != nil {
			t.Fatalf("settings cannot hold %+v: %v", k.c, err)
		}
	})
}

type fuzzKey struct {
	p *KeyProvider
	c auth.Credential
	s auth.Secrets
}

func newFuzzKey(base string) fuzzKey {
	mem := testutil.NewMemorySecrets()
	s := auth.Bind(mem, "k")
	_ = s.Set(auth.FieldAppKey, "fuzz-app-key")
	_ = s.Set(auth.FieldAppSecret, "fuzz-app-secret")
	_ = s.Set(auth.FieldAccessToken, "fuzz-access-token")
	return fuzzKey{p: NewKeyProvider(Options{Getenv: noEnv, Clock: clockwork.NewFakeClockAt(t0)}), c: auth.Credential{ID: "k", Name: "k", Kind: auth.KindFutuKey, Endpoint: base, AddedAt: t0}, s: s}
}

// FuzzAccountCheckAnswer: whatever the account API answers, the check
// gives a verdict, and an unsure one a one-line reason that never shows
// the access token and says nothing is judged from a body that is not
// Futu's.
func FuzzAccountCheckAnswer(f *testing.F) {
	const access = "test-access-token-fuzz-0001"
	for _, seed := range []struct {
		status int
		body   string
	}{
		{200, `{"s":"ok","errcode":0,"errmsg":"","d":{"accounts":[{"account_id":"281756"}]}}`},
		{200, `{"s":"fail","errcode":1001,"errmsg":"expired"}`},
		{200, `{"code":3001,"message":"slow"}`},
		{401, `{"code":1001,"message":"AUTH_EXPIRED"}`},
		{403, `{"code":1100,"message":"PERMISSION_DENIED"}`},
		{401, "<html><title>401</title>" + access + "</html>"},
		{403, `{"message":"` + access + `"}`},
		{502, ""},
		{200, "not json"},
		{200, `{"d":{"accounts":[{"account_id":"x\u0000y"}]}}`},
		{429, `{"code":3000,"message":"slow\ndown\u001b[31m"}`},
	} {
		f.Add(seed.status, seed.body)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 599 {
			return
		}
		c := auth.Credential{Name: "fz", Kind: auth.KindFutuOAuth}
		var ch accountCheck
		if status == 200 {
			ch = readAccounts(c, t0, []byte(body), access)
		} else {
			ch = refusedCheck(c, t0, readAPIError(status, nil, []byte(body)), access)
		}
		if ch.verdict != verdictUnsure {
			for _, id := range ch.accounts {
				if text(id) != id || id == "" {
					t.Fatalf("an account ID that is no label: %q", id)
				}
			}
			return
		}
		r := ch.health.Reason
		if r == "" || strings.ContainsAny(r, "\n\r") || strings.Contains(r, access) || len(r) > 800 {
			t.Fatalf("reason %q", r)
		}
		if ch.err == nil || strings.Contains(ch.err.Error(), access) {
			t.Fatalf("error %v", ch.err)
		}
	})
}
