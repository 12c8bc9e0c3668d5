package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An endpoint with a password in it is refused before anything is
// stored, also when the broker is not asked, and never echoed; a long
// one is not echoed whole.
func TestAddRefusesEndpointsThatWouldLeakOrMislead(t *testing.T) {
	x := newITT(t)
	// The password is typed on the command line by the person, so it is
	// not one of the harness's secrets (those must never be in argv);
	// it is checked for by hand below.
	const pw = "pw-test-0001"
	keys := map[string]string{"FUTU_APP_KEY": "test-app-key-0001", "FUTU_APP_SECRET": "test-app-secret-0001", "FUTU_ACCESS_TOKEN": "test-access-token-0001"}
	x.secret("test-app-secret-0001", "test-access-token-0001")
	long := "https://openapi.example/" + strings.Repeat("a", 10<<10)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"userinfo", []string{"add", "futu-key", "k1", "--no-check", "--endpoint", "https://me:" + pw + "@openapi.example"}, "user name or password"},
		{"port", []string{"add", "futu-key", "k2", "--no-check", "--endpoint", "https://openapi.example:70000"}, "outside 1 to 65535"},
		{"long", []string{"add", "futu-key", "k3", "--no-check", "--endpoint", long}, "longer than 2048 bytes"},
		{"token-url", []string{"add", "futu-oauth", "o1", "--no-check", "--token-url", "https://me:" + pw + "@webapi.example/oauth2/token"}, "--token-url has a user name or password"},
		{"plain http", []string{"add", "futu-oauth", "o2", "--no-check", "--authorize-url", "http://webapi.example/oauth2/authorize"}, "uses plain http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := x.run(keys, "", tc.args...)
			wantCode(t, r, 2, tc.name)
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q, want %q", r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, pw) {
				t.Errorf("the refusal shows the password: %q", r.stderr)
			}
			if len(r.stderr) > 1000 {
				t.Errorf("a %d-byte sentence: the input was echoed whole", len(r.stderr))
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(x.dir, "sandbox", "settings.json")); err == nil && (strings.Contains(string(b), "openapi.example") || strings.Contains(string(b), pw)) {
		t.Errorf("a refused endpoint reached the settings: %s", b)
	}
	x.checkSettings()
}

// Each Futu OAuth endpoint can be set on its own at add and changed or
// cleared with update.
func TestOAuthEndpointOverrides(t *testing.T) {
	x := newITT(t)
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "o1", "--no-check", "--endpoint", "https://openapi.example",
		"--register-url", "https://auth.example/reg", "--authorize-url", "https://auth.example/authz",
		"--token-url", "https://auth.example/token"), 0, "add with overrides")
	settings := func() string {
		b, err := os.ReadFile(filepath.Join(x.dir, "sandbox", "settings.json"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, want := range []string{`"register_url": "https://auth.example/reg"`, `"authorize_url": "https://auth.example/authz"`, `"token_url": "https://auth.example/token"`} {
		if !strings.Contains(settings(), want) {
			t.Errorf("settings lack %s:\n%s", want, settings())
		}
	}
	wantCode(t, x.run(nil, "", "update", "o1", "--no-check", "--token-url", "https://auth2.example/token", "--register-url", ""), 0, "update overrides")
	s := settings()
	if !strings.Contains(s, `"token_url": "https://auth2.example/token"`) || strings.Contains(s, "auth.example/reg") {
		t.Errorf("after update:\n%s", s)
	}
	wantCode(t, x.run(nil, "", "update", "o1", "--token-url", "https://me:pw@auth.example/t"), 2, "update with userinfo")
	if strings.Contains(settings(), "me:pw") {
		t.Error("a refused update reached the settings")
	}
	wantCode(t, x.run(nil, "", "add", "futu-key", "k9", "--token-url", "https://auth.example/t"), 2, "--token-url on a key")
}
