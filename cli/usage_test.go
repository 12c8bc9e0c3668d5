package cli_test

import (
	"fmt"
	"strings"
	"testing"
)

// sandboxRunner runs tokentray --sandbox in process over a fake service.
type sandboxRunner struct {
	t   *testing.T
	svc *fakeService
}

func (x sandboxRunner) run(args ...string) ran {
	x.t.Helper()
	return cliRun(x.t, x.svc, "", append([]string{"--sandbox"}, args...)...)
}

func wantExit(t *testing.T, r ran, code int, what string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: exit %d, want %d; stdout %q stderr %q", what, r.code, code, r.stdout, r.stderr)
	}
}

// TestHelpAndUsageErrors: help for every command, and a wrong command
// line is exit 2 with one sentence naming what was typed, in process.
func TestHelpAndUsageErrors(t *testing.T) {
	svc := newFakeService(t)
	x := sandboxRunner{t: t, svc: svc}
	r := x.run("help")
	wantExit(t, r, 0, "help")
	for _, c := range []string{"add", "login", "logout", "refresh", "extend", "status", "token", "env", "exec", "share", "remove", "sandbox", "window"} {
		if !strings.Contains(r.stdout, "  "+c+" ") {
			t.Errorf("help does not list %s", c)
		}
		h := x.run(c, "--help")
		wantExit(t, h, 0, c+" --help")
		if !strings.Contains(h.stdout, "tokentray "+c) {
			t.Errorf("%s --help shows no usage: %q", c, h.stdout)
		}
		if g := x.run("help", c); g.stdout != h.stdout {
			t.Errorf("help %s differs from %s --help", c, c)
		}
	}
	if h := x.run("help", "add"); !strings.Contains(h.stdout, "FUTU_APP_SECRET") || !strings.Contains(h.stdout, "in this\norder") {
		t.Errorf("add help does not say where secrets come from: %q", h.stdout)
	}
	if h := x.run("help", "add"); !strings.Contains(h.stdout, "--import-sdk CLIENT_ID") || strings.Count(h.stdout, "inferred") < 2 || !strings.Contains(h.stdout, "FUTU_HTTP_URL") {
		t.Errorf("add help does not explain --import-sdk, the inferred SDK format and FUTU_HTTP_URL: %q", h.stdout)
	}
	if h := x.run("status", "--help"); !strings.Contains(h.stdout, `"seconds_left"`) {
		t.Errorf("status help does not document the JSON schema: %q", h.stdout)
	}
	for _, args := range [][]string{
		{"frobnicate"},
		{"--frob"},
		{"token"},
		{"token", "a", "b"},
		{"status", "--bogus"},
		{"add", "futu-key"},
		{"add", "nokind", "x"},
		{"add", "futu-key", "bad name"},
		{"add", "webull", "w"},
		{"add", "webull", "w", "--region", "mars"},
		{"add", "futu-key", "k", "--scope", "x"},
		{"extend", "k", "--days", "5000"},
		{"exec", "k"},
		{"logout"},
		{"logout", "a", "b"},
		{"add", "futu-key", "k", "--import-sdk", "c"},
		{"add", "futu-oauth", "o", "--import-sdk", ""},
	} {
		wantExit(t, x.run(args...), 2, fmt.Sprint(args))
	}
	// Option errors: one sentence naming the option as it was typed.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"extend", "k", "--days", "abc"}, `tokentray: invalid argument "abc" for "--days" flag: not a whole number; run: tokentray help extend` + "\n"},
		{[]string{"extend", "k", "--days"}, "tokentray: flag needs an argument: --days; run: tokentray help extend\n"},
		{[]string{"status", "--bogus"}, "tokentray: unknown flag: --bogus; run: tokentray help status\n"},
		{[]string{"status", "-bogus"}, "tokentray: unknown shorthand flag: 'b' in -bogus; run: tokentray help status\n"},
		{[]string{"status", "--json=maybe"}, `tokentray: invalid argument "maybe" for "--json" flag: a switch is given alone (or as =false); run: tokentray help status` + "\n"},
		{[]string{"--frob"}, "tokentray: unknown flag: --frob; run: tokentray help\n"},
		{[]string{"frobnicate"}, `tokentray: "frobnicate" is not a tokentray command; run: tokentray help` + "\n"},
		{[]string{"add", "futu-key", "k", "--endpoint", "http://openapi.example.com"}, `tokentray: --endpoint "http://openapi.example.com" uses plain http, which would send tokens in the clear: use https (http is only for this computer, e.g. the sandbox)` + "\n"},
	} {
		r := x.run(c.args...)
		wantExit(t, r, 2, fmt.Sprint(c.args))
		if r.stderr != c.want {
			t.Errorf("%v said %q, want %q", c.args, r.stderr, c.want)
		}
	}
	// Global options come before the command in every usage.
	for _, args := range [][]string{{"help"}, {"help", "agent"}, {"help", "window"}, {"help", "sandbox"}} {
		h := x.run(args...)
		for _, l := range strings.Split(h.stdout, "\n") {
			if strings.HasPrefix(l, "  tokentray ") && strings.Contains(l, "--sandbox") && !strings.HasPrefix(l, "  tokentray [--sandbox]") && !strings.HasPrefix(l, "  tokentray --sandbox") {
				t.Errorf("%v puts --sandbox after the command: %q", args, l)
			}
		}
	}
	if h := x.run("help", "window"); !strings.Contains(h.stdout, "tokentray --sandbox window [NAME]") {
		t.Errorf("window usage: %q", h.stdout)
	}
	if h := x.run("help", "env"); !strings.Contains(h.stdout, "WEBULL_APP_KEY_ID and WEBULL_APP_KEY_SECRET") || !strings.Contains(h.stdout, "WEBULL_OPENAPI_TOKEN_DIR") || !strings.Contains(h.stdout, "tokentray share NAME --dir DIR") {
		t.Errorf("env help does not name the Webull variables and sharing: %q", h.stdout)
	}
	if h := x.run("help", "share"); !strings.Contains(h.stdout, "tokentray share NAME --dir DIR") || !strings.Contains(h.stdout, "tokentray share NAME --off") {
		t.Errorf("share usage: %q", h.stdout)
	}
}
