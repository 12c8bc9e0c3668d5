package cli_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/cli"
	"tokentray/internal/msg"
)

// The credentials the command tests start from: a Futu API key, a Futu
// OAuth login and a Webull token, each as its last check left it.
var (
	fakeKey    = auth.Credential{Name: "k1", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.OK, Reason: "valid"}, ExpiresAt: t0.Add(60 * 24 * time.Hour)}
	fakeOAuth  = auth.Credential{Name: "o1", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.OK, Reason: "logged in"}, ExpiresAt: t0.Add(2 * time.Hour)}
	fakeWebull = auth.Credential{Name: "w1", Kind: auth.KindWebull, Region: "us", Health: auth.Health{State: auth.ActionNeeded, Reason: "no verified token yet", Next: auth.Next(auth.ActionVerify, "w1")}}
)

// commandCase is one command line run in process over a fake service.
type commandCase struct {
	name  string
	args  []string
	stdin string
	env   map[string]string
	// setup scripts the service before the run.
	setup func(f *fakeService)
	code  int
	// stdout and stderr must contain each of these.
	stdout, stderr []string
	// calls must be the service calls made, in order (nil: not checked;
	// empty: none).
	calls []string
	// check looks at the service afterwards.
	check func(t *testing.T, f *fakeService)
}

func runCommandCases(t *testing.T, cases []commandCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeService(t).with(fakeKey).with(fakeOAuth).with(fakeWebull)
			if c.setup != nil {
				c.setup(f)
			}
			r := cliRunWith(t, f, c.env, c.stdin, c.args...)
			if r.code != c.code {
				t.Fatalf("tokentray %q: exit %d, want %d; stdout %q stderr %q", c.args, r.code, c.code, r.stdout, r.stderr)
			}
			for _, w := range c.stdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("tokentray %q: stdout %q lacks %q", c.args, r.stdout, w)
				}
			}
			for _, w := range c.stderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("tokentray %q: stderr %q lacks %q", c.args, r.stderr, w)
				}
			}
			if len(c.stderr) == 0 && c.code == cli.ExitOK && r.stderr != "" {
				t.Errorf("tokentray %q: stderr %q, want nothing", c.args, r.stderr)
			}
			if c.calls != nil {
				got := f.called()
				if !slices.Equal(got, c.calls) && !(len(got) == 0 && len(c.calls) == 0) {
					t.Errorf("tokentray %q called %q, want %q", c.args, got, c.calls)
				}
			}
			if c.check != nil {
				c.check(t, f)
			}
		})
	}
}

func fails(method string, err error) func(*fakeService) {
	return func(f *fakeService) { f.fail[method] = err }
}

var errOffline = errors.New("Futu could not be reached (connection refused): check the network and try again")

func TestTokenCommand(t *testing.T) {
	runCommandCases(t, []commandCase{
		{name: "no name", args: []string{"token"}, code: cli.ExitUsage, stderr: []string{"token needs one NAME"}, calls: []string{}},
		{name: "two names", args: []string{"token", "k1", "o1"}, code: cli.ExitUsage, stderr: []string{`token takes one NAME, not "o1"`}, calls: []string{}},
		{name: "unknown flag", args: []string{"token", "k1", "--raw"}, code: cli.ExitUsage, stderr: []string{"unknown flag: --raw"}},
		{name: "the token alone on stdout", args: []string{"token", "k1"},
			setup: func(f *fakeService) { f.tokens["k1"] = "test-token-0001" }, stdout: []string{"test-token-0001\n"}, calls: []string{"Token k1"}},
		{name: "unknown name", args: []string{"token", "nope"}, code: cli.ExitError, stderr: []string{`no credential is named "nope"`}},
		{name: "needs a login", args: []string{"token", "o1"}, code: cli.ExitNeedsUser, stderr: []string{"o1 has no token yet", "tokentray login o1"}},
		{name: "broker unreachable", args: []string{"token", "k1"}, setup: fails("Token k1", errOffline), code: cli.ExitError, stderr: []string{"could not be reached"}},
	})
}

func TestRefreshCommand(t *testing.T) {
	runCommandCases(t, []commandCase{
		{name: "every credential", args: []string{"refresh"}, setup: func(f *fakeService) { f.health["w1"] = fakeWebull.Health },
			code: cli.ExitNeedsUser, stdout: []string{"k1", "o1", "w1"},
			calls: []string{"Refresh k1 false", "Refresh o1 false", "Refresh w1 false"}},
		{name: "forced, one name", args: []string{"refresh", "--force", "k1"}, stdout: []string{"k1"}, calls: []string{"Refresh k1 true"}},
		{name: "unknown name", args: []string{"refresh", "nope"}, code: cli.ExitError},
		{name: "broker unreachable", args: []string{"refresh", "k1"}, setup: fails("Refresh k1", errOffline), code: cli.ExitError, stderr: []string{"tokentray: k1: Futu could not be reached"}},
		{name: "unknown flag", args: []string{"refresh", "--all"}, code: cli.ExitUsage, stderr: []string{"unknown flag: --all"}, calls: []string{}},
	})
}

func TestStatusCommand(t *testing.T) {
	runCommandCases(t, []commandCase{
		{name: "the table, exit 3 for the token that needs the person", args: []string{"status"}, code: cli.ExitNeedsUser,
			stdout: []string{"k1", "o1", "w1", "tokentray login w1"}},
		{name: "one credential", args: []string{"status", "k1"}, stdout: []string{"k1"}},
		{name: "unknown name", args: []string{"status", "nope"}, code: cli.ExitError, stderr: []string{`no credential is named "nope"`}},
		{name: "json", args: []string{"status", "--json"}, code: cli.ExitNeedsUser, stdout: []string{`"credentials"`, `"name": "k1"`}},
		{name: "json switch given a value", args: []string{"status", "--json=maybe"}, code: cli.ExitUsage, stderr: []string{"a switch is given alone"}},
		{name: "two names", args: []string{"status", "k1", "o1"}, code: cli.ExitUsage},
	})
}

func TestEnvCommand(t *testing.T) {
	vars := func(f *fakeService) { f.env["k1"] = map[string]string{"FUTU_ACCESS_TOKEN": "test-token-0002"} }
	runCommandCases(t, []commandCase{
		{name: "shell", args: []string{"env", "k1"}, setup: vars, stdout: []string{"export FUTU_ACCESS_TOKEN="}},
		{name: "dotenv", args: []string{"env", "k1", "--format", "dotenv"}, setup: vars, stdout: []string{"FUTU_ACCESS_TOKEN="}},
		{name: "json", args: []string{"env", "k1", "--format", "json"}, setup: vars, stdout: []string{`"FUTU_ACCESS_TOKEN"`}},
		{name: "an unknown format", args: []string{"env", "k1", "--format", "yaml"}, setup: vars, code: cli.ExitUsage, stderr: []string{"yaml"}, calls: []string{}},
		{name: "no name", args: []string{"env"}, code: cli.ExitUsage},
		{name: "unknown name", args: []string{"env", "nope"}, code: cli.ExitError, stderr: []string{"nope"}},
		{name: "needs a login", args: []string{"env", "o1"}, setup: fails("Env o1", auth.NeedsUserTo(auth.Next(auth.ActionLogin, "o1"), "o1 has no token yet")),
			code: cli.ExitNeedsUser, stderr: []string{"tokentray login o1"}},
	})
}

func TestLoginCommand(t *testing.T) {
	runCommandCases(t, []commandCase{
		{name: "verified", args: []string{"login", "w1"}, calls: []string{"Login w1"}, stdout: []string{"w1"}},
		{name: "no name", args: []string{"login"}, code: cli.ExitUsage, calls: []string{}},
		{name: "the browser's last page in the person's language", args: []string{"login", "w1"}, env: map[string]string{"LANG": "zh_HK.UTF-8"},
			calls: []string{"Login w1"}, check: func(t *testing.T, f *fakeService) {
				if f.loginOpts.Lang != msg.HongKongChinese {
					t.Errorf("the login was asked in %q, want zh-HK", f.loginOpts.Lang)
				}
			}},
		{name: "unknown name", args: []string{"login", "nope"}, code: cli.ExitError, stderr: []string{`no credential is named "nope"`}},
		{name: "refused by the person", args: []string{"login", "w1"},
			setup: fails("Login w1", auth.NeedsUserTo(auth.Next(auth.ActionVerify, "w1"), "the verification was refused in the Webull app")),
			code:  cli.ExitNeedsUser, stderr: []string{"refused in the Webull app"}},
		{name: "an API key has no login", args: []string{"login", "k1"}, code: cli.ExitError, stderr: []string{"k1 (Futu API key) has no login"}},
		{name: "unknown flag", args: []string{"login", "w1", "--browser"}, code: cli.ExitUsage, stderr: []string{"unknown flag: --browser"}},
	})
}

func TestExtendCommand(t *testing.T) {
	runCommandCases(t, []commandCase{
		{name: "days out of range", args: []string{"extend", "k1", "--days", "5000"}, code: cli.ExitUsage, calls: []string{}},
		{name: "days not a number", args: []string{"extend", "k1", "--days", "abc"}, code: cli.ExitUsage, stderr: []string{`invalid argument "abc" for "--days"`}},
		{name: "no name", args: []string{"extend"}, code: cli.ExitUsage},
		{name: "unknown name", args: []string{"extend", "nope", "--days", "90", "--yes"}, code: cli.ExitError, stderr: []string{"nope"}},
		{name: "extended by 180 days", args: []string{"extend", "k1", "--days", "180", "--yes"},
			calls: []string{"Extend k1 " + t0.Add(180*24*time.Hour).Format(time.DateOnly) + " false"},
			check: func(t *testing.T, f *fakeService) {
				if c, _ := f.st.Get("k1"); !c.ExpiresAt.Equal(t0.Add(180 * 24 * time.Hour)) {
					t.Errorf("k1 expires %v", c.ExpiresAt)
				}
			}},
		{name: "a shorter life is refused unless asked", args: []string{"extend", "k1", "--days", "30", "--yes"}, code: cli.ExitUsage, stderr: []string{"--shorten"}, calls: []string{}},
		{name: "broker unreachable", args: []string{"extend", "k1", "--days", "180", "--yes"}, setup: fails("Extend k1", errOffline), code: cli.ExitError, stderr: []string{"could not be reached"}},
	})
}

func TestAddCommand(t *testing.T) {
	keyEnv := map[string]string{"FUTU_APP_KEY": "test-app-key-0009", "FUTU_APP_SECRET": "test-app-secret-0009", "FUTU_ACCESS_TOKEN": "test-access-0009"}
	runCommandCases(t, []commandCase{
		{name: "a Futu API key from the environment", args: []string{"add", "futu-key", "k2"}, env: keyEnv,
			stdout: []string{"Added k2"}, calls: []string{"Add k2 futu-key access_token,app_key,app_secret"}},
		{name: "unchecked", args: []string{"add", "futu-key", "k2", "--no-check"}, env: keyEnv,
			stdout: []string{"without checking it"},
			check: func(t *testing.T, f *fakeService) {
				if c, err := f.st.Get("k2"); err != nil || c.Health.State != auth.Unknown {
					t.Errorf("k2 %+v %v, want stored unchecked", c.Health, err)
				}
			}},
		{name: "refused by the broker", args: []string{"add", "futu-key", "k2"}, env: keyEnv,
			setup: fails("Add k2", errors.New("k2 was not added: Futu refused the app key")), code: cli.ExitError, stderr: []string{"Futu refused"},
			check: func(t *testing.T, f *fakeService) {
				if _, err := f.st.Get("k2"); err == nil {
					t.Error("a refused credential was stored")
				}
			}},
		{name: "a name taken", args: []string{"add", "futu-key", "k1"}, env: keyEnv, code: cli.ExitError, stderr: []string{"k1"}},
		{name: "no kind", args: []string{"add"}, code: cli.ExitUsage, calls: []string{}},
		{name: "no name", args: []string{"add", "futu-key"}, code: cli.ExitUsage, calls: []string{}},
		{name: "unknown kind", args: []string{"add", "nokind", "x"}, code: cli.ExitUsage, calls: []string{}},
		{name: "a bad name", args: []string{"add", "futu-key", "bad name"}, env: keyEnv, code: cli.ExitUsage, calls: []string{}},
		{name: "webull without a region", args: []string{"add", "webull", "w2"}, code: cli.ExitUsage, stderr: []string{"--region"}, calls: []string{}},
		{name: "webull in no region", args: []string{"add", "webull", "w2", "--region", "mars"}, code: cli.ExitUsage, stderr: []string{`"mars" is not a Webull region`}, calls: []string{}},
		{name: "an option of another kind", args: []string{"add", "futu-key", "k2", "--scope", "x"}, env: keyEnv, code: cli.ExitUsage, calls: []string{}},
		{name: "plain http", args: []string{"add", "futu-key", "k2", "--endpoint", "http://openapi.example.com"}, env: keyEnv, code: cli.ExitUsage, stderr: []string{"plain http"}, calls: []string{}},
		{name: "no secret on a pipe", args: []string{"add", "futu-key", "k2"}, code: cli.ExitUsage, calls: []string{}},
		{name: "import-sdk for an API key", args: []string{"add", "futu-key", "k2", "--import-sdk", "c"}, env: keyEnv, code: cli.ExitUsage, calls: []string{}},
		{name: "import-sdk without a client", args: []string{"add", "futu-oauth", "o2", "--import-sdk", ""}, code: cli.ExitUsage, calls: []string{}},
	})
}

func TestUpdateCommand(t *testing.T) {
	runCommandCases(t, []commandCase{
		{name: "nothing to change", args: []string{"update", "w1"}, code: cli.ExitUsage, stderr: []string{"changes nothing"}, calls: []string{}},
		{name: "a new region", args: []string{"update", "w1", "--region", "hk"}, calls: []string{"Update w1"},
			check: func(t *testing.T, f *fakeService) {
				if c, _ := f.st.Get("w1"); c.Region != "hk" {
					t.Errorf("w1 region %q, want hk", c.Region)
				}
			}},
		{name: "a new secret from the environment", args: []string{"update", "k1"}, env: map[string]string{"FUTU_APP_SECRET": "test-app-secret-0010"},
			stdout: []string{"Updated k1"}, calls: []string{"Update k1 app_secret"}},
		{name: "no region of Webull", args: []string{"update", "w1", "--region", "mars"}, code: cli.ExitUsage, calls: []string{}},
		{name: "an option of another kind", args: []string{"update", "k1", "--region", "us"}, code: cli.ExitUsage, calls: []string{}},
		{name: "unknown name", args: []string{"update", "nope", "--region", "us"}, code: cli.ExitError, stderr: []string{"nope"}},
		{name: "refused by the broker", args: []string{"update", "w1", "--region", "hk"}, setup: fails("Update w1", errors.New("w1 was not changed: Webull refused the app key")),
			code: cli.ExitError, stderr: []string{"Webull refused"},
			check: func(t *testing.T, f *fakeService) {
				if c, _ := f.st.Get("w1"); c.Region != "us" {
					t.Errorf("a refused update changed the region to %q", c.Region)
				}
			}},
	})
}

func TestRemoveAndLogoutCommands(t *testing.T) {
	runCommandCases(t, []commandCase{
		{name: "remove", args: []string{"remove", "k1", "--yes"}, calls: []string{"Remove k1"},
			check: func(t *testing.T, f *fakeService) {
				if _, err := f.st.Get("k1"); err == nil {
					t.Error("k1 is still there")
				}
			}},
		{name: "remove without a name", args: []string{"remove"}, code: cli.ExitUsage, calls: []string{}},
		{name: "remove an unknown name", args: []string{"remove", "nope", "--yes"}, code: cli.ExitError, stderr: []string{"nope"}},
		{name: "remove refused by the keychain", args: []string{"remove", "k1", "--yes"},
			setup: fails("Remove k1", errors.New("k1 was not removed: nothing was revoked or deleted, because the keychain cannot be used now")),
			code:  cli.ExitError, stderr: []string{"was not removed"}},
		{name: "logout", args: []string{"logout", "o1", "--yes"}, calls: []string{"Logout o1"}, stdout: []string{"o1"}},
		{name: "logout of an API key", args: []string{"logout", "k1", "--yes"}, code: cli.ExitError, stderr: []string{"API key"}},
		{name: "logout without a name", args: []string{"logout"}, code: cli.ExitUsage, calls: []string{}},
		{name: "logout of two", args: []string{"logout", "o1", "w1"}, code: cli.ExitUsage, calls: []string{}},
	})
}

func TestShareCommand(t *testing.T) {
	runCommandCases(t, []commandCase{
		{name: "a folder and off", args: []string{"share", "w1", "--dir", t.TempDir(), "--off"}, code: cli.ExitUsage, calls: []string{}},
		{name: "no name", args: []string{"share"}, code: cli.ExitUsage, calls: []string{}},
		{name: "unknown name", args: []string{"share", "nope", "--dir", t.TempDir()}, code: cli.ExitError, stderr: []string{"nope"}},
		{name: "which bots find the file, in Chinese", args: []string{"share", "w1", "--dir", filepath.Join(t.TempDir(), "conf")}, env: map[string]string{"LANG": "zh_HK.UTF-8"},
			stdout: []string{"啟動的機械人無需任何設定即可讀到", "WEBULL_OPENAPI_TOKEN_DIR"}},
		{name: "a target over ssh", args: []string{"share", "k1", "--ssh", "bot@vps.example:/srv/bot"}, stdout: []string{"k1"},
			check: func(t *testing.T, f *fakeService) {
				if sh := f.shared["k1"]; len(sh.Targets) != 1 {
					t.Errorf("k1 pushes to %+v, want the one target", sh.Targets)
				}
			}},
		{name: "both target options", args: []string{"share", "k1", "--ssh", "bot@vps.example:/srv/bot", "--exec", "cat"}, code: cli.ExitUsage, calls: []string{}},
	})
}

func TestExecCommand(t *testing.T) {
	vars := func(f *fakeService) {
		f.env["k1"] = map[string]string{"FUTU_ACCESS_TOKEN": "test-token-0003"}
		f.with(auth.Credential{Name: "k2", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.OK}})
		f.env["k2"] = map[string]string{"FUTU_ACCESS_TOKEN": "test-token-0004"}
	}
	runCommandCases(t, []commandCase{
		{name: "no name", args: []string{"exec"}, code: cli.ExitUsage, stderr: []string{"exec needs a NAME"}, calls: []string{}},
		{name: "nothing to run", args: []string{"exec", "k1"}, code: cli.ExitUsage, stderr: []string{"exec needs a command after --"}, calls: []string{}},
		{name: "nothing after --", args: []string{"exec", "k1", "--"}, code: cli.ExitUsage, calls: []string{}},
		{name: "an option of the command before --", args: []string{"exec", "k1", "sh", "-c", "true"}, code: cli.ExitUsage, stderr: []string{"put -- before the command"}, calls: []string{}},
		{name: "a prefix without =", args: []string{"exec", "k1", "--prefix", "k1", "--", "true"}, code: cli.ExitUsage, stderr: []string{"NAME=PREFIX"}, calls: []string{}},
		{name: "a prefix of another name", args: []string{"exec", "k1", "--prefix", "o1=O_", "--", "true"}, code: cli.ExitUsage, stderr: []string{"not one of the credentials given to exec"}, calls: []string{}},
		{name: "a prefix no variable starts with", args: []string{"exec", "k1", "--prefix", "k1=1X", "--", "true"}, code: cli.ExitUsage, calls: []string{}},
		{name: "a prefix twice", args: []string{"exec", "k1", "--prefix", "k1=A_", "--prefix", "k1=B_", "--", "true"}, code: cli.ExitUsage, stderr: []string{"twice"}, calls: []string{}},
		{name: "the child's exit code", args: []string{"exec", "k1", "--", "sh", "-c", "exit 7"}, setup: vars, code: 7, calls: []string{"Env k1"}},
		{name: "the variables reach the child", args: []string{"exec", "k1", "--", "sh", "-c", `test "$FUTU_ACCESS_TOKEN" = test-token-0003`}, setup: vars, calls: []string{"Env k1"}},
		{name: "two credentials setting one variable", args: []string{"exec", "k1", "k2", "--", "true"}, setup: vars, code: cli.ExitUsage, stderr: []string{"FUTU_ACCESS_TOKEN"}},
		{name: "two credentials, one prefixed", args: []string{"exec", "k1", "k2", "--prefix", "k2=HK_", "--", "sh", "-c", `test "$HK_FUTU_ACCESS_TOKEN" = test-token-0004 && test "$FUTU_ACCESS_TOKEN" = test-token-0003`}, setup: vars},
		{name: "unknown name", args: []string{"exec", "nope", "--", "true"}, code: cli.ExitError, stderr: []string{"nope"}},
		{name: "needs a login", args: []string{"exec", "o1", "--", "true"}, setup: fails("Env o1", auth.NeedsUserTo(auth.Next(auth.ActionLogin, "o1"), "o1 has no token yet")),
			code: cli.ExitNeedsUser, stderr: []string{"tokentray login o1"}},
	})
}

func TestKeychainAndSandboxCommandsUsage(t *testing.T) {
	runCommandCases(t, []commandCase{
		{name: "keychain alone", args: []string{"keychain"}, code: cli.ExitUsage, stderr: []string{"keychain needs init, status or move-aside"}, calls: []string{}},
		{name: "keychain of another word", args: []string{"keychain", "open"}, code: cli.ExitUsage, stderr: []string{`"open" is not a keychain command`}, calls: []string{}},
		{name: "keychain status takes nothing", args: []string{"keychain", "status", "x"}, code: cli.ExitUsage, calls: []string{}},
		{name: "move-aside without the file keychain", args: []string{"keychain", "move-aside"}, code: cli.ExitError, calls: []string{}},
		{name: "sandbox of an unknown option", args: []string{"sandbox", "--bogus"}, code: cli.ExitUsage, stderr: []string{"unknown flag: --bogus"}, calls: []string{}},
		{name: "window of two names", args: []string{"window", "a", "b"}, code: cli.ExitUsage, calls: []string{}},
		{name: "agent of an argument", args: []string{"agent", "x"}, code: cli.ExitUsage, calls: []string{}},
	})
}
