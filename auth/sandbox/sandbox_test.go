package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/auth/webull"
	"tokentray/internal/testutil"
)

var epoch = time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)

func start(t *testing.T, opts Options) *Sandbox {
	t.Helper()
	sb, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	return sb
}

func get(t *testing.T, u string, hdr map[string]string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestStartServesBothOnLoopback(t *testing.T) {
	sb := start(t, Options{Clock: clockwork.NewFakeClockAt(epoch)})
	for _, u := range []string{sb.FutuURL, sb.WebullURL} {
		pu, err := url.Parse(u)
		if err != nil || pu.Hostname() != "127.0.0.1" || pu.Port() == "" || pu.Port() == "0" {
			t.Errorf("URL %q is not a loopback address with a port", u)
		}
	}
	if sb.FutuURL == sb.WebullURL {
		t.Fatal("both servers share one URL")
	}
	code, body := get(t, sb.FutuURL+"/.well-known/oauth-authorization-server", nil)
	var meta map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &meta) != nil || meta["token_endpoint"] != sb.FutuURL+"/oauth2/token" {
		t.Errorf("Futu metadata: %d %s", code, body)
	}
	if code, body := get(t, sb.PhoneURL(), nil); code != 200 || !strings.Contains(strings.ToLower(body), "<html") {
		t.Errorf("phone page: %d", code)
	}
	if code, _ := get(t, sb.FutuAdminURL(), nil); code != 200 {
		t.Errorf("Futu admin page: %d", code)
	}
}

func TestCloseStopsListening(t *testing.T) {
	sb := start(t, Options{})
	sb.Close()
	sb.Close() // twice is fine
	for _, u := range []string{sb.FutuURL, sb.WebullURL} {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(u, "http://"), time.Second)
		if err == nil {
			c.Close()
			t.Errorf("%s still accepts connections", u)
		}
	}
}

func TestFixedPorts(t *testing.T) {
	fp, wp := testutil.FreePort(t), testutil.FreePort(t)
	if fp == wp {
		t.Skip("the OS gave the same free port twice")
	}
	sb := start(t, Options{FutuPort: fp, WebullPort: wp})
	if sb.FutuURL != "http://127.0.0.1:"+strconv.Itoa(fp) || sb.WebullURL != "http://127.0.0.1:"+strconv.Itoa(wp) {
		t.Errorf("URLs %s %s", sb.FutuURL, sb.WebullURL)
	}
	// A second sandbox on the same ports fails with a sentence, and leaks no listener.
	if _, err := Start(Options{FutuPort: testutil.FreePort(t), WebullPort: wp}); err == nil || !strings.Contains(err.Error(), "Webull") {
		t.Errorf("port clash: %v", err)
	}
	if _, err := Start(Options{FutuPort: -1}); err == nil {
		t.Error("a negative port was accepted")
	}
}

func openStore(t *testing.T) (*store.Store, *testutil.MemorySecrets) {
	t.Helper()
	sec := testutil.NewMemorySecrets()
	st, err := store.Open(t.TempDir(), sec)
	if err != nil {
		t.Fatal(err)
	}
	return st, sec
}

func secret(t *testing.T, st *store.Store, c auth.Credential, field string) string {
	t.Helper()
	v, err := auth.Bind(st.Secrets(), c.ID).Get(field)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Name, field, err)
	}
	return v
}

// futuVerify calls the signed health check as a bot would.
func futuVerify(t *testing.T, sb *Sandbox, appKey, appSecret, token string) (int, string) {
	ts := strconv.FormatInt(sb.Clock.Now().Unix(), 10)
	m := hmac.New(sha256.New, []byte(appSecret))
	io.WriteString(m, "GET\n/v1/auth/verify\n"+ts+"\n")
	return get(t, sb.FutuURL+"/v1/auth/verify", map[string]string{
		"X-Api-Key": appKey, "X-Api-Timestamp": ts, "X-Api-Signature": hex.EncodeToString(m.Sum(nil)),
		"Authorization": "Bearer " + token,
	})
}

func TestSeedAddsWorkingDemoCredentials(t *testing.T) {
	fc := clockwork.NewFakeClockAt(epoch)
	sb := start(t, Options{Clock: fc})
	st, sec := openStore(t)
	if err := sb.Seed(st); err != nil {
		t.Fatal(err)
	}
	list, err := st.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(DemoNames) {
		t.Fatalf("seeded %d credentials, want %d", len(list), len(DemoNames))
	}
	byName := map[string]auth.Credential{}
	for _, c := range list {
		byName[c.Name] = c
	}

	for name, ttl := range map[string]time.Duration{DemoFutuKey: 90 * 24 * time.Hour, DemoFutuExpiring: 2 * 24 * time.Hour} {
		c, ok := byName[name]
		if !ok || c.Kind != auth.KindFutuKey || c.Endpoint != sb.FutuURL || !c.ExpiresAt.Equal(epoch.Add(ttl)) {
			t.Errorf("%s = %+v", name, c)
			continue
		}
		code, body := futuVerify(t, sb, secret(t, st, c, auth.FieldAppKey), secret(t, st, c, auth.FieldAppSecret), secret(t, st, c, auth.FieldAccessToken))
		if code != 200 || !strings.Contains(body, epoch.Add(ttl).Format(time.RFC3339)) {
			t.Errorf("%s does not work against the sandbox: %d %s", name, code, body)
		}
	}

	w, ok := byName[DemoWebull]
	if !ok || w.Kind != auth.KindWebull || w.Endpoint != sb.WebullURL || w.TokenStatus != "PENDING" || !w.ExpiresAt.Equal(epoch.Add(5*time.Minute)) {
		t.Fatalf("webull-demo = %+v", w)
	}
	tok := secret(t, st, w, auth.FieldWebullToken)
	smsCode, pending := sb.Webull.SMSCode(tok)
	if !pending {
		t.Fatal("the Webull demo token is not waiting for 2FA")
	}
	if err := sb.Webull.Verify(tok, smsCode); err != nil {
		t.Errorf("verify the demo token: %v", err)
	}

	// The app with 2FA off is OK at its check, and no token is created.
	plain, ok := byName[DemoWebullNo2FA]
	if !ok || !plain.TwoFactorOff || plain.Endpoint != sb.WebullURL {
		t.Fatalf("%s = %+v", DemoWebullNo2FA, plain)
	}
	tokensBefore := len(sb.Webull.Tokens())
	wp := webull.NewProvider(webull.Options{Clock: fc, SDKTokenBase: t.TempDir()})
	h, err := wp.Refresh(context.Background(), &plain, auth.Bind(st.Secrets(), plain.ID), auth.RefreshOptions{})
	if err != nil || h.State != auth.OK || h.Reason != webull.MsgTwoFactorOff || len(sb.Webull.Tokens()) != tokensBefore {
		t.Errorf("%s at its check: %v %v (%d tokens created)", DemoWebullNo2FA, h, err, len(sb.Webull.Tokens())-tokensBefore)
	}

	if o, ok := byName[DemoFutuLogin]; !ok || o.Kind != auth.KindFutuOAuth || o.Endpoint != sb.FutuURL || o.ClientID != "" {
		t.Errorf("the OAuth demo = %+v, want an unregistered login against the sandbox", o)
	}

	// No secret reached the settings directory.
	raw := readDir(t, st.Dir())
	if !strings.Contains(raw, DemoFutuExpiring) {
		t.Fatal("the settings directory does not hold the credentials")
	}
	for _, v := range sec.Values() {
		if strings.Contains(raw, v) {
			t.Errorf("a secret value is in the settings directory")
		}
	}
}

func readDir(t *testing.T, dir string) string {
	t.Helper()
	var all strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		all.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all.String()
}

func TestSeedTwiceReplaces(t *testing.T) {
	sb := start(t, Options{})
	st, _ := openStore(t)
	if err := sb.Seed(st); err != nil {
		t.Fatal(err)
	}
	first, _ := st.Get(DemoFutuKey)
	oldKey := secret(t, st, first, auth.FieldAppKey)

	// A new sandbox: the old secrets mean nothing to it.
	sb2 := start(t, Options{})
	if err := sb2.Seed(st); err != nil {
		t.Fatal(err)
	}
	list, _ := st.List()
	if len(list) != len(DemoNames) {
		t.Fatalf("%d credentials after seeding twice", len(list))
	}
	second, _ := st.Get(DemoFutuKey)
	if second.Endpoint != sb2.FutuURL || secret(t, st, second, auth.FieldAppKey) == oldKey {
		t.Errorf("futu-demo was not replaced: %+v", second)
	}
	if _, err := auth.Bind(st.Secrets(), first.ID).Get(auth.FieldAppSecret); err == nil {
		t.Error("the replaced credential's secret was left in the keychain")
	}
}

func TestDemoOptionsShortLifetimes(t *testing.T) {
	o := DemoOptions()
	if o.Futu.AccessTTL <= 0 || o.Futu.AccessTTL > 10*time.Minute {
		t.Errorf("demo access TTL %v is not short enough to show a refresh", o.Futu.AccessTTL)
	}
	sb := start(t, o)
	if !sb.Futu.RotateRefresh() {
		t.Error("the demo does not rotate refresh tokens")
	}
}

func TestSeededKeysCannotBeAddedUnderAnotherName(t *testing.T) {
	fc := clockwork.NewFakeClockAt(epoch)
	sb := start(t, Options{Clock: fc})
	st, _ := openStore(t)
	if err := sb.Seed(st); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{
		auth.KindFutuKey: testutil.NewFakeProvider(auth.KindFutuKey, fc),
		auth.KindWebull:  testutil.NewFakeProvider(auth.KindWebull, fc),
	}, fc)
	for _, name := range []string{DemoFutuKey, DemoWebull, DemoWebullNo2FA} {
		c, err := st.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if c.KeyFingerprint == "" {
			t.Errorf("%s was seeded without a key fingerprint", name)
		}
		secrets := map[string]string{auth.FieldAppKey: secret(t, st, c, auth.FieldAppKey), auth.FieldAppSecret: secret(t, st, c, auth.FieldAppSecret)}
		_, err = eng.Add(context.Background(), auth.Credential{Name: "copy-of-" + name, Kind: c.Kind, Endpoint: c.Endpoint}, secrets)
		if field, _ := auth.FieldOf(err); field != auth.FieldAppKey || !strings.Contains(fmt.Sprint(err), "already stored as "+name) {
			t.Errorf("adding %s's app key again: %v (field %q), want refused naming %s", name, err, field, name)
		}
	}
}
