package cli_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tokentray/auth/sandbox/fault"
	"tokentray/auth/webull"
)

func TestHelpAddListsEveryWebullRegion(t *testing.T) {
	x := newITT(t)
	h := x.run(nil, "", "help", "add")
	wantCode(t, h, 0, "help add")
	flat := strings.Join(strings.Fields(h.stdout), " ")
	for _, r := range webull.AllRegions() {
		if !strings.Contains(h.stdout, "\n  "+r.Code+" ") {
			t.Errorf("help add does not list region %s on a line of its own", r.Code)
		}
		if want := r.Code + " " + r.Description(); !strings.Contains(flat, want) {
			t.Errorf("help add does not describe region %s: want %q", r.Code, want)
		}
	}
}

func TestShareHelpSaysWhichFolderABotReads(t *testing.T) {
	x := newITT(t)
	h := x.run(nil, "", "help", "share")
	wantCode(t, h, 0, "help share")
	flat := strings.Join(strings.Fields(h.stdout), " ")
	for _, want := range []string{webull.TokenDirRule, "--dir BOT/conf serves a bot started in BOT that sets nothing", "2FA off needs no token"} {
		if !strings.Contains(flat, want) {
			t.Errorf("help share lacks %q:\n%s", want, h.stdout)
		}
	}
}

func TestShareSaysWhichBotFindsTheFileAndWarnsOfAListableFolder(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	addTestEnvWebull(t, x, sb, "bot", "us")
	wantCode(t, x.run(nil, "", "login", "bot"), 0, "login")
	tok := x.run(nil, "", "token", "bot")
	wantCode(t, tok, 0, "token")
	x.secret(strings.TrimSpace(tok.stdout))

	// A folder others can write to is refused and nothing is stored.
	open := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(open, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	r := x.run(nil, "", "share", "bot", "--dir", open)
	if r.code != 2 || !strings.Contains(r.stderr, "not a safe folder") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("share into a folder others can write to: exit %d, %q", r.code, r.stderr)
	}
	if ev := x.run(nil, "", "env", "bot"); strings.Contains(ev.stdout, "WEBULL_OPENAPI_TOKEN_DIR") {
		t.Fatalf("a refused share was stored: env printed %q", ev.stdout)
	}

	// BOT/conf serves a bot started in BOT; others can list it: a warning.
	botDir := filepath.Join(t.TempDir(), "mybot")
	conf := filepath.Join(botDir, "conf")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	on := x.run(nil, "", "share", "bot", "--dir", conf)
	wantCode(t, on, 0, "share --dir BOT/conf")
	for _, want := range []string{
		"a bot started in " + botDir + " finds " + filepath.Join(conf, "token.txt") + " with nothing set",
		"WEBULL_OPENAPI_TOKEN_DIR=" + conf,
		"Warning: others can see which files " + conf + " holds",
		"chmod go-rwx " + conf,
	} {
		if !strings.Contains(on.stdout, want) {
			t.Errorf("share said %q, want %q", on.stdout, want)
		}
	}
	if _, err := os.Stat(filepath.Join(conf, "token.txt")); err != nil {
		t.Fatalf("share did not write the token file: %v", err)
	}

	// A private folder elsewhere: no warning, and the variable it needs.
	private := filepath.Join(t.TempDir(), "tokens")
	moved := x.run(nil, "", "share", "bot", "--dir", private)
	wantCode(t, moved, 0, "share --dir elsewhere")
	if strings.Contains(moved.stdout, "Warning") || !strings.Contains(moved.stdout, "when started with WEBULL_OPENAPI_TOKEN_DIR="+private) {
		t.Errorf("share into a private folder said %q", moved.stdout)
	}
}

func TestShareOfAWebullAppWith2FAOffWritesNoFile(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	key, secret := sb.Webull.AddApp(false)
	if err := sb.Webull.SetTwoFactor(key, false); err != nil {
		t.Fatal(err)
	}
	x.secret(secret)
	wantCode(t, x.run(map[string]string{"WEBULL_APP_KEY_ID": key, "WEBULL_APP_KEY_SECRET": secret}, "", "add", "webull", "plain", "--region", "us", "--endpoint", sb.WebullURL), 0, "add webull with 2FA off")
	dir := filepath.Join(t.TempDir(), "tokens")
	r := x.run(nil, "", "share", "plain", "--dir", dir)
	wantCode(t, r, 0, "share of an app with 2FA off")
	for _, want := range []string{"no token file is written", "2FA is off", "needs no token", "app key", "tokentray --sandbox env plain"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("share said %q, want %q", r.stdout, want)
		}
	}
	if strings.Contains(r.stdout, "tokentray keeps") {
		t.Errorf("share claims to keep a file current for an app with no token: %q", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "token.txt")); err == nil {
		t.Error("share wrote a token file for an app with no token")
	}

	// token has none to print, says so once, and says where bots get the key.
	tok := x.run(nil, "", "token", "plain")
	if tok.code != 1 || tok.stdout != "" || strings.Count(tok.stderr, "\n") != 1 ||
		!strings.Contains(tok.stderr, "needs none: 2FA is off") || !strings.Contains(tok.stderr, "tokentray --sandbox env plain") || !strings.Contains(tok.stderr, "tokentray --sandbox exec plain -- CMD") {
		t.Errorf("token of an app with 2FA off: exit %d, stdout %q, stderr %q", tok.code, tok.stdout, tok.stderr)
	}
}

func TestEnvOfAWebullAppWith2FAOffGivesTheKeysWithoutTheSharingWarning(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	key, secret := sb.Webull.AddApp(false)
	if err := sb.Webull.SetTwoFactor(key, false); err != nil {
		t.Fatal(err)
	}
	x.secret(secret)
	wantCode(t, x.run(map[string]string{"WEBULL_APP_KEY_ID": key, "WEBULL_APP_KEY_SECRET": secret}, "", "add", "webull", "plain", "--region", "us", "--endpoint", sb.WebullURL), 0, "add webull with 2FA off")
	for _, args := range [][]string{{"env", "plain"}, {"exec", "plain", "--", "true"}} {
		r := x.run(nil, "", args...)
		wantCode(t, r, 0, strings.Join(args, " "))
		if strings.Contains(r.stderr, "SMS verification") || strings.Contains(r.stderr, "share plain") {
			t.Errorf("%s of an app that needs no token warns of a 2FA loop: %q", strings.Join(args, " "), r.stderr)
		}
	}
	if ev := x.run(nil, "", "env", "plain"); !strings.Contains(ev.stdout, "export WEBULL_APP_KEY_ID=") {
		t.Errorf("env of an app with 2FA off printed %q, want its app key", ev.stdout)
	}
}

func TestAnUnknownNameNamesTheProfilesStatusCommand(t *testing.T) {
	x := newITT(t)
	r := x.run(nil, "", "token", "nosuch")
	wantCode(t, r, 1, "token of an unknown name")
	if want := "see the names of your credentials with: tokentray --sandbox status\n"; !strings.HasSuffix(r.stderr, want) || strings.Count(r.stderr, "tokentray status") != 0 {
		t.Errorf("token of an unknown name in the sandbox profile said %q, want it to end %q", r.stderr, want)
	}
}

func TestExecWithTheCommandsOptionButNoDashes(t *testing.T) {
	x := newITT(t)
	r := x.run(nil, "", "exec", "bot", "ls", "-la")
	wantCode(t, r, 2, "exec NAME ls -la")
	if !strings.Contains(r.stderr, "put -- before the command: tokentray --sandbox exec NAME -- CMD [ARG...]") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("exec NAME ls -la said %q, want the advice to put -- before the command", r.stderr)
	}
}

func TestStatusShowsWebull2FAOffAndRenewalUnavailable(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	key, secret := sb.Webull.AddApp(false)
	if err := sb.Webull.SetTwoFactor(key, false); err != nil {
		t.Fatal(err)
	}
	x.secret(secret)
	wantCode(t, x.run(map[string]string{"WEBULL_APP_KEY_ID": key, "WEBULL_APP_KEY_SECRET": secret}, "", "add", "webull", "plain", "--region", "us", "--endpoint", sb.WebullURL), 0, "add webull with 2FA off")
	addTestEnvWebull(t, x, sb, "bot", "us")
	wantCode(t, x.run(nil, "", "login", "bot"), 0, "login")
	tok := x.run(nil, "", "token", "bot")
	x.secret(strings.TrimSpace(tok.stdout))

	// Before any refusal: neither state.
	st := statusJSON(t, x)
	if st["bot"]["two_factor_off"] != false || st["bot"]["renew_unavailable"] != false {
		t.Fatalf("status --json of a verified app: %v", st["bot"])
	}
	if st["plain"]["two_factor_off"] != true || st["plain"]["renew_unavailable"] != false {
		t.Fatalf("status --json of an app with 2FA off: %v", st["plain"])
	}

	sb.Webull.Faults().Set("/openapi/auth/token/refresh", fault.Rule{Status: http.StatusExpectationFailed, Times: 1})
	wantCode(t, x.run(nil, "", "refresh", "--force", "bot"), 0, "refresh with the renewal refused")
	if st := statusJSON(t, x); st["bot"]["renew_unavailable"] != true || st["bot"]["two_factor_off"] != false {
		t.Fatalf("status --json after a refused renewal: %v", st["bot"])
	}

	table := x.run(nil, "", "status", "--wide").stdout
	lines := strings.Split(table, "\n")
	found := map[string]bool{}
	for i, l := range lines {
		if i+1 >= len(lines) {
			break
		}
		switch {
		case strings.HasPrefix(l, "bot "):
			found["bot"] = strings.Contains(lines[i+1], "renewal unavailable: Webull refused to renew the token")
		case strings.HasPrefix(l, "plain "):
			found["plain"] = strings.Contains(lines[i+1], "2FA off: no token")
		}
	}
	if !found["bot"] || !found["plain"] {
		t.Fatalf("status table does not show 2FA off under plain and renewal unavailable under bot:\n%s", table)
	}
	// A detail line does not break the columns of the rows after it.
	for _, l := range lines {
		if !strings.HasPrefix(l, "bot ") && !strings.HasPrefix(l, "plain ") {
			continue
		}
		for _, col := range []string{"KIND", "HEALTH", "EXPIRES", "LEFT", "REASON"} {
			if i := strings.Index(lines[0], col); len(l) <= i || l[i-1] != ' ' || l[i] == ' ' {
				t.Errorf("the %s column of row %q does not start under the header %q", col, l, lines[0])
			}
		}
	}
	if h := x.run(nil, "", "help", "status"); !strings.Contains(h.stdout, `"two_factor_off"`) || !strings.Contains(h.stdout, `"renew_unavailable"`) {
		t.Errorf("status help does not document two_factor_off and renew_unavailable:\n%s", h.stdout)
	}
}

// Webull's own MCP server reads WEBULL_TOKEN_DIR, WEBULL_REGION_ID and
// WEBULL_ENVIRONMENT: exec gives them, so it uses the token verified here
// and the credential's region and environment instead of starting its own
// 2FA in the test environment.
func TestExecGivesWebullsMCPServerItsVariables(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	addTestEnvWebull(t, x, sb, "bot", "hk")
	wantCode(t, x.run(nil, "", "login", "bot"), 0, "login")
	dir := filepath.Join(t.TempDir(), "tokens")
	wantCode(t, x.run(nil, "", "share", "bot", "--dir", dir), 0, "share")
	r := x.run(nil, "", "exec", "bot", "--", "sh", "-c", `printf '%s|%s|%s\n' "$WEBULL_TOKEN_DIR" "$WEBULL_REGION_ID" "$WEBULL_ENVIRONMENT"`)
	wantCode(t, r, 0, "exec")
	if got, want := strings.TrimSpace(r.stdout), dir+"|hk|uat"; got != want {
		t.Errorf("the MCP server's variables: %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "token.txt")); err != nil {
		t.Errorf("WEBULL_TOKEN_DIR names a folder without token.txt: %v", err)
	}
	ev := x.run(nil, "", "env", "bot")
	for _, want := range []string{"WEBULL_TOKEN_DIR='" + dir + "'", "WEBULL_REGION_ID='hk'", "WEBULL_ENVIRONMENT='uat'"} {
		if !strings.Contains(ev.stdout, want) {
			t.Errorf("env lacks %s:\n%s", want, ev.stdout)
		}
	}
}
