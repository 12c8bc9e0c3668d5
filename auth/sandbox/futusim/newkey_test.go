package futusim

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func (e *env) createKeyForm(v url.Values, origin string) result {
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/sandbox/keys/create", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	return e.do(req)
}

var futuCommand = regexp.MustCompile(`FUTU_APP_KEY=(\S+) FUTU_APP_SECRET=(\S+) FUTU_ACCESS_TOKEN=(\S+) tokentray --sandbox add futu-key \S+`)

func TestAdminCreateKey(t *testing.T) {
	e := newEnv(t, Options{})
	if page := e.get("/sandbox/").body; !strings.Contains(page, `action="/sandbox/keys/create"`) || !strings.Contains(page, "Create an API key") {
		t.Fatal("admin page has no create form")
	}
	r := e.createKeyForm(url.Values{"days": {"30"}}, e.ts.URL)
	loc := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/sandbox/?created=") {
		t.Fatalf("create: %d %q %s", r.status, loc, r.body)
	}
	page := e.get(loc).body
	m := futuCommand.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "sandbox-only") {
		t.Fatalf("result page lacks the command or the sandbox-only note:\n%s", page)
	}
	k := key{m[1], m[2], m[3]}
	if exp, ok := e.srv.APIKeyExpiry(k.appKey); !ok || !exp.Equal(epoch.Add(30*24*time.Hour)) {
		t.Errorf("expiry %v %v, want 30 days", exp, ok)
	}
	for _, v := range []string{k.appKey, k.secret, k.token} {
		if !strings.Contains(page, "<code>"+v+"</code>") {
			t.Errorf("value %q not shown in full", v)
		}
	}
	if r := e.signed(http.MethodGet, "/v1/auth/verify", "", k, e.fc.Now()); r.status != http.StatusOK {
		t.Fatalf("verify with the new key: %d %s", r.status, r.body)
	}

	// Shown once: the same link and the listing mask the secrets.
	for _, p := range []string{loc, "/sandbox/"} {
		page := e.get(p).body
		if !strings.Contains(page, k.appKey) {
			t.Errorf("%s does not list the key", p)
		}
		if strings.Contains(page, k.secret) || strings.Contains(page, k.token) {
			t.Errorf("%s shows a secret in full", p)
		}
	}

	// Default validity is 90 days.
	r = e.createKeyForm(url.Values{}, e.ts.URL)
	m = futuCommand.FindStringSubmatch(e.get(r.header.Get("Location")).body)
	if m == nil {
		t.Fatal("second key not shown")
	}
	if exp, _ := e.srv.APIKeyExpiry(m[1]); !exp.Equal(epoch.Add(90 * 24 * time.Hour)) {
		t.Errorf("default expiry %v", exp)
	}
	if r := e.createKeyForm(url.Values{"days": {"0"}}, e.ts.URL); r.status != http.StatusBadRequest {
		t.Errorf("days=0: %d", r.status)
	}
}

func TestAdminCreateKeyRefusesCrossOrigin(t *testing.T) {
	e := newEnv(t, Options{})
	if r := e.createKeyForm(url.Values{}, "http://evil.example"); r.status != http.StatusForbidden {
		t.Errorf("cross-origin create: %d", r.status)
	}
	if n := len(e.srv.keyOrder); n != 0 {
		t.Errorf("cross-origin create made %d keys", n)
	}
}
