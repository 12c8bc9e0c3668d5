package webullsim

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var webullCommand = regexp.MustCompile(`WEBULL_APP_KEY_ID=(\S+) WEBULL_APP_KEY_SECRET=(\S+) tokentray --sandbox add webull \S+ --region us( --test-env)?<`)

func TestRegisterAppControl(t *testing.T) {
	for _, testEnv := range []bool{true, false} {
		e := newEnv(t, Options{})
		if page := e.get("/sandbox/phone").raw; !strings.Contains(page, `action="/sandbox/controls/apps"`) || !strings.Contains(page, "Register an app") {
			t.Fatal("phone page has no register form")
		}
		form := url.Values{}
		if testEnv {
			form.Set("test_env", "1")
		}
		r := e.control("/sandbox/controls/apps", form, map[string]string{"Origin": e.srv.URL})
		loc := r.header.Get("Location")
		if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/sandbox/phone?created=") {
			t.Fatalf("register: %d %q %s", r.status, loc, r.raw)
		}
		page := e.get(loc).raw
		m := webullCommand.FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, "sandbox-only") {
			t.Fatalf("result page lacks the command or the sandbox-only note:\n%s", page)
		}
		if (m[3] != "") != testEnv {
			t.Errorf("testEnv %v, command flag %q", testEnv, m[3])
		}
		a := &testApp{e: e, key: m[1], secret: m[2], algo: AlgorithmSHA1}
		for _, v := range []string{a.key, a.secret} {
			if !strings.Contains(page, "<code>"+v+"</code>") {
				t.Errorf("value %q not shown in full", v)
			}
		}
		want := StatusPending
		if testEnv {
			want = StatusNormal
		}
		tk := a.create("")
		wantStatus(t, tk, want)

		// Shown once: the same link and the phone page do not show the secret.
		for _, p := range []string{loc, "/sandbox/phone"} {
			if page := e.get(p).raw; strings.Contains(page, a.secret) {
				t.Errorf("%s shows the secret in full", p)
			}
		}
	}
}

func TestRegisterAppRefusesOtherOrigins(t *testing.T) {
	e := newEnv(t, Options{})
	for _, h := range []map[string]string{{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}} {
		if r := e.control("/sandbox/controls/apps", url.Values{"test_env": {"1"}}, h); r.status != http.StatusForbidden {
			t.Errorf("%v: %d", h, r.status)
		}
	}
	e.sim.mu.Lock()
	n := len(e.sim.apps)
	e.sim.mu.Unlock()
	if n != 0 {
		t.Errorf("cross-origin register made %d apps", n)
	}
}

func TestRegisterAppWithoutTwoFactor(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.control("/sandbox/controls/apps", url.Values{"no_2fa": {"1"}}, map[string]string{"Origin": e.srv.URL})
	page := e.get(r.header.Get("Location")).raw
	m := webullCommand.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "2FA off") {
		t.Fatalf("result page:\n%s", page)
	}
	a := &testApp{e: e, key: m[1], secret: m[2], algo: AlgorithmSHA1}
	if c := a.do(sreq{method: http.MethodGet, path: "/openapi/config"}); c.status != http.StatusOK || c.json["token_check_enabled"] != false {
		t.Errorf("config of an app registered with 2FA off: %d %s", c.status, c.raw)
	}
}
