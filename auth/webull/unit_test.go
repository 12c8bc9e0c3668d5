package webull

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

func TestParseTokenInfo(t *testing.T) {
	ms := time.Date(2026, 3, 17, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		body   string
		status string
		exp    time.Time
	}{
		{`{"token":"abc","expires":1773738000000,"status":"NORMAL"}`, StatusNormal, ms},
		{`{"token":"abc","expires_at":1773738000,"status":"pending"}`, StatusPending, ms},
		{`{"token":"abc","expires":"1773738000000","status":1}`, StatusNormal, ms},
		{`{"data":{"token":"abc","expires_at":"2026-03-17T09:00:00Z","status":"EXPIRED"}}`, StatusExpired, ms},
		{`{"token":"abc","expires":0,"status":"INVALID"}`, StatusInvalid, time.Time{}},
	} {
		ti, err := parseTokenInfo([]byte(tc.body))
		if err != nil || ti.Token != "abc" || ti.Status != tc.status || !ti.Expires.Equal(tc.exp) {
			t.Errorf("%s: %+v %v", tc.body, ti, err)
		}
	}
	for _, body := range []string{
		``, `null`, `[]`, `{"this is": not json`, `{"token":"","status":"NORMAL"}`, `{"token":123,"status":"NORMAL"}`,
		`{"token":"abc"}`, `{"token":"abc","status":"WEIRD"}`, `{"token":"abc","status":9}`,
		`{"token":"abc","status":"NORMAL","expires":-5}`, `{"token":"abc","status":"NORMAL","expires":1e300}`,
		`{"token":"abc","status":"NORMAL","expires":{"x":1}}`, `{"token":"a b","status":"NORMAL"}`,
	} {
		_, err := parseTokenInfo([]byte(body))
		var me *MalformedError
		if !errors.As(err, &me) || !IsTemporary(err) {
			t.Errorf("%q: got %v, want a malformed-answer error", body, err)
		}
	}
}

func TestBaseURLForEveryRegion(t *testing.T) {
	for _, r := range []string{"us", "hk", "jp", "sg", "th", "au", "my", "uk", "eu"} {
		u, err := BaseURL(auth.Credential{Region: r})
		if err != nil || u.Scheme != "https" || !strings.Contains(u.Host, "webull") {
			t.Errorf("%s: %v %v", r, u, err)
		}
		u, err = BaseURL(auth.Credential{Region: r, TestEnv: true, Endpoint: "https://example.test:8443/"})
		if err != nil || u.String() != "https://example.test:8443" {
			t.Errorf("%s override: %v %v", r, u, err)
		}
	}
	for region, host := range map[string]string{
		"hk": "hk-openapi.uat.webullbroker.com",
		// Webull's MCP server lists these.
		"sg": "sg-api.uat.webullbroker.com", "th": "th-api.uat.webullbroker.com",
		"my": "my-api.uat.webullbroker.com", "uk": "uk-api.uat.webullbroker.com",
	} {
		if u, err := BaseURL(auth.Credential{Region: region, TestEnv: true}); err != nil || u.Host != host {
			t.Errorf("%s test host %v (%v), want %s", region, u, err, host)
		}
		if a, _ := AlgorithmFor(auth.Credential{}, host); region != "hk" && a != HMACSHA256 {
			t.Errorf("%s test host is not signed with HMAC-SHA256", region)
		}
	}
	for _, r := range AllRegions() {
		if strings.Contains(r.Description(), "not in the official SDKs") {
			t.Errorf("%s is still described as missing from the SDKs", r.Code)
		}
	}
	for _, c := range []auth.Credential{{Region: "mars"}, {Region: "au", TestEnv: true}, {Endpoint: "http://api.example.com"}, {Endpoint: "api.webull.com"}} {
		var ue *auth.UserError
		if _, err := BaseURL(c); !errors.As(err, &ue) {
			t.Errorf("%+v: %v, want a sentence for the user", c, err)
		}
	}
	if a, _ := AlgorithmFor(auth.Credential{}, "api.webull.com"); a != HMACSHA1 {
		t.Error("us production is not signed with HMAC-SHA1")
	}
	if a, _ := AlgorithmFor(auth.Credential{SignAlgorithm: "hmac-sha256"}, "api.webull.com"); a != HMACSHA256 {
		t.Error("the override was ignored")
	}
}

func TestAssessOffline(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	p := NewProvider(Options{SDKTokenBase: t.TempDir()})
	ok := auth.Credential{Name: "w", TokenStatus: StatusNormal, ExpiresAt: now.Add(10 * 24 * time.Hour), LastUsed: now.Add(-time.Hour)}
	for _, tc := range []struct {
		name string
		c    auth.Credential
		want auth.State
		says string
	}{
		{"fresh", ok, auth.OK, "webull.verified"},
		{"never verified", auth.Credential{}, auth.ActionNeeded, "webull.no_token"},
		{"near expiry", func() auth.Credential { c := ok; c.ExpiresAt = now.Add(2 * 24 * time.Hour); return c }(), auth.Expiring, "webull.expiring"},
		{"idle 12 days", func() auth.Credential { c := ok; c.LastUsed = now.Add(-12 * 24 * time.Hour); return c }(), auth.Expiring, "webull.idle_warn"},
		{"idle 15 days", func() auth.Credential { c := ok; c.LastUsed = now.Add(-15 * 24 * time.Hour); return c }(), auth.ActionNeeded, "webull.invalid_idle"},
		{"expired", func() auth.Credential { c := ok; c.ExpiresAt = now.Add(-time.Minute); return c }(), auth.ActionNeeded, "webull.token_expired"},
		{"pending", auth.Credential{TokenStatus: StatusPending, ExpiresAt: now.Add(time.Minute)}, auth.Pending, "webull.waiting"},
		{"pending ran out", auth.Credential{TokenStatus: StatusPending, ExpiresAt: now.Add(-time.Second)}, auth.ActionNeeded, "webull.window_ran_out"},
		{"invalid", auth.Credential{TokenStatus: StatusInvalid}, auth.ActionNeeded, "webull.invalid"},
	} {
		h := p.Assess(tc.c, now)
		if h.State != tc.want || !h.Why.Is(tc.says) {
			t.Errorf("%s: %v", tc.name, h)
		}
	}
	if h := p.Assess(auth.Credential{TokenStatus: StatusPending, ExpiresAt: now.Add(time.Minute)}, now); h.SecondsLeft(now) != 60 {
		t.Errorf("pending seconds left %d", h.SecondsLeft(now))
	}
}

func TestTokenAndEnvNeedTheUser(t *testing.T) {
	p := NewProvider(Options{SDKTokenBase: t.TempDir()})
	mem := testutil.NewMemorySecrets()
	s := auth.Bind(mem, "id1")
	c := auth.Credential{ID: "id1", Name: "w"}
	var ue *auth.UserError
	for _, st := range []string{"", StatusPending, StatusExpired, StatusInvalid} {
		c.TokenStatus = st
		if _, err := p.Token(c, s); !errors.As(err, &ue) {
			t.Errorf("Token() with status %q: %v", st, err)
		}
	}
	if _, _, err := p.Env(c, s); !errors.As(err, &ue) || !hasArg(ue.Why, "webull.secret_missing", "Field", "app key") {
		t.Errorf("Env without keys: %v", err)
	}
	s.Set(auth.FieldAppKey, "test-app-key")
	s.Set(auth.FieldAppSecret, "test-app-secret-0001")
	vars, note, err := p.Env(c, s)
	if err != nil || vars[TokenDirEnv] != "" || !strings.Contains(note, "sharing is off") {
		t.Errorf("Env without sharing: %v %q %v", vars, note, err)
	}
	c.ShareWithSDK = true
	if vars, _, _ := p.Env(c, s); !strings.HasSuffix(vars[TokenDirEnv], "id1") {
		t.Errorf("default SDK dir %q", vars[TokenDirEnv])
	}
	mem.Fail = errors.New("the keychain is locked: unlock it and try again")
	c.TokenStatus, c.ExpiresAt = StatusNormal, time.Now().Add(time.Hour)
	if _, err := p.Token(c, s); err == nil || errors.As(err, &ue) {
		t.Errorf("locked keychain: %v", err)
	}
}

func TestTokenFileIsReplacedAtomically(t *testing.T) {
	dir := t.TempDir() + "/nested/bots"
	exp := time.UnixMilli(1773738000000).UTC()
	for _, tok := range []string{"first0000000000000000000000000000", "second000000000000000000000000000"} {
		if err := WriteTokenFile(dir, TokenInfo{Token: tok, Expires: exp, Status: StatusNormal}); err != nil {
			t.Fatal(err)
		}
	}
	ti, err := ReadTokenFile(dir)
	if err != nil || ti.Token != "second000000000000000000000000000" || !ti.Expires.Equal(exp) {
		t.Errorf("read back %+v %v", ti, err)
	}
	entries, _ := osReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind %v", entries)
	}
}

func osReadDir(dir string) ([]string, error) {
	es, err := os.ReadDir(dir)
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out, err
}
