package webullsim

import (
	"net/http"
	"strings"
	"testing"
)

func TestConfigSaysWhetherTheAppNeedsAToken(t *testing.T) {
	e := newEnv(t, Options{})
	on, off := e.app(false), e.app(false)
	if err := e.sim.SetTwoFactor(off.key, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		a    *testApp
		want bool
	}{{on, true}, {off, false}} {
		r := c.a.do(sreq{method: http.MethodGet, path: "/openapi/config"})
		if r.status != http.StatusOK || r.json["token_check_enabled"] != c.want {
			t.Errorf("config = %d %s, want token_check_enabled %v", r.status, r.raw, c.want)
		}
	}
	// With 2FA off the app key signs alone; with it on a token is needed.
	if r := off.do(sreq{method: http.MethodGet, path: "/openapi/account/list"}); r.status != http.StatusOK {
		t.Errorf("2FA off: account list without a token = %d %s", r.status, r.raw)
	}
	if r := on.do(sreq{method: http.MethodGet, path: "/openapi/account/list"}); r.status != http.StatusUnauthorized || r.json["error_code"] != "INVALID_TOKEN" {
		t.Errorf("2FA on: account list without a token = %d %s", r.status, r.raw)
	}
	if err := e.sim.SetTwoFactor("no-such-app", false); err == nil {
		t.Error("an unknown app accepted")
	}
}

func TestConfigIsStrictAndRefusalsAreLogged(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(false)
	for name, c := range map[string]struct {
		r    sreq
		want string
	}{
		"a body":        {sreq{method: http.MethodGet, path: "/openapi/config", body: `{}`}, "takes no body"},
		"POST":          {sreq{path: "/openapi/config"}, "no such endpoint"},
		"x-version v1":  {sreq{method: http.MethodGet, path: "/openapi/config", after: func(h http.Header) { h.Set("x-version", "v1") }}, "x-version"},
		"bad signature": {sreq{method: http.MethodGet, path: "/openapi/config", signSecret: "test-wrong-secret-0001"}, "signature does not match"},
	} {
		before := len(e.sim.Log())
		r := a.do(c.r)
		if r.status < 400 {
			t.Errorf("%s: accepted (%d %s)", name, r.status, r.raw)
			continue
		}
		log := e.sim.Log()
		if len(log) != before+1 || !strings.Contains(log[len(log)-1], c.want) || !strings.Contains(log[len(log)-1], "/openapi/config") {
			t.Errorf("%s: log %q lacks the reason %q", name, log[before:], c.want)
		}
		for _, line := range log {
			if strings.Contains(line, a.secret) || strings.Contains(line, a.key) {
				t.Fatalf("the log shows a secret: %q", line)
			}
		}
	}
}
