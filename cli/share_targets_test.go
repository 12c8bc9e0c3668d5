//go:build linux

package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"tokentray/internal/testutil"
)

func fileMode(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return fi.Mode().Perm()
}

// TestShareTargetsOverSSHAndToACommand adds, lists, pushes and removes
// share targets with the command line against a real OpenSSH server on
// 127.0.0.1 reached through TOKENTRAY_SSH_COMMAND: a Webull token.txt and
// a Futu API key's env file appear there with mode 0600, a command gets
// the file on its standard input, and bad targets are refused in one
// sentence without changing anything.
func TestShareTargetsOverSSHAndToACommand(t *testing.T) {
	needKeychain(t)
	sshd := testutil.StartSSHServer(t)
	sb := startSandbox(t)
	x := newTT(t)
	ssh := map[string]string{"TOKENTRAY_SSH_COMMAND": sshd.SSHCommand}

	addTestEnvWebull(t, x, sb, "bot", "us")
	wantCode(t, x.run(nil, "", "login", "bot"), 0, "login")
	tok := x.run(nil, "", "token", "bot")
	wantCode(t, tok, 0, "token")
	token := strings.TrimSpace(tok.stdout)
	x.secret(token)

	expires := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
	appKey, appSecret, access := sb.Futu.AddAPIKey(expires)
	x.secret(appKey, appSecret, access)
	keyEnv := map[string]string{"FUTU_APP_KEY": appKey, "FUTU_APP_SECRET": appSecret, "FUTU_ACCESS_TOKEN": access}
	wantCode(t, x.run(keyEnv, "", "add", "futu-key", "key", "--endpoint", sb.FutuURL), 0, "add futu-key")

	// Webull: token.txt on the server, mode 0600, in a folder made 0700.
	remote := filepath.Join(t.TempDir(), "bot", "conf")
	r := x.run(ssh, "", "share", "bot", "--ssh", sshd.Target(remote))
	wantCode(t, r, 0, "share --ssh")
	if !strings.Contains(r.stdout, "bot now pushes to 127.0.0.1:"+remote+": pushed") {
		t.Errorf("share --ssh said %q", r.stdout)
	}
	tokenFile := filepath.Join(remote, "token.txt")
	if b, _ := os.ReadFile(tokenFile); !strings.HasPrefix(string(b), token+"\n") {
		t.Fatalf("token.txt on the server holds %q", b)
	}
	if m := fileMode(t, tokenFile); m != 0o600 {
		t.Errorf("token.txt has mode %04o, want 0600", m)
	}
	if m := fileMode(t, remote); m != 0o700 {
		t.Errorf("the folder made for it has mode %04o, want 0700", m)
	}

	// Futu API key: an env file a bot sources, by its ssh:// form.
	keyDir := t.TempDir()
	wantCode(t, x.run(ssh, "", "share", "key", "--ssh", sshd.URL(keyDir)), 0, "share --ssh ssh://")
	envFile := filepath.Join(keyDir, "key.env")
	if m := fileMode(t, envFile); m != 0o600 {
		t.Errorf("key.env has mode %04o, want 0600", m)
	}
	out, err := exec.Command("sh", "-c", `. "$1" && printf %s "$FUTU_ACCESS_TOKEN"`, "sh", envFile).Output()
	if err != nil || string(out) != access {
		t.Fatalf("sourcing key.env gave FUTU_ACCESS_TOKEN %q (%v)", out, err)
	}

	// A command gets the file on its standard input, and its names in
	// the environment.
	got := filepath.Join(t.TempDir(), "got")
	cmd := `cat > ` + got + `; echo "$TOKENTRAY_CREDENTIAL $TOKENTRAY_FILE $TOKENTRAY_EXPIRES_AT" >> ` + got
	wantCode(t, x.run(nil, "", "share", "bot", "--exec", cmd), 0, "share --exec")
	b, _ := os.ReadFile(got)
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 || lines[0] != token || !strings.HasPrefix(lines[3], "bot token.txt 20") {
		t.Fatalf("the command got %q", b)
	}

	// Bad targets: one sentence each, and nothing changes.
	for _, bad := range []struct{ args []string }{
		{[]string{"--ssh", "-oProxyCommand=touch " + filepath.Join(x.dir, "pwned") + ":conf"}},
		{[]string{"--ssh", "vps"}},
		{[]string{"--ssh", "vps;reboot:conf"}},
		{[]string{"--ssh", sshd.Target(remote)}},
		{[]string{"--exec", "vaultt kv put secret/bot token=-"}},
		{[]string{"--ssh", "vps:conf", "--dir", t.TempDir()}},
	} {
		r := x.run(ssh, "", append([]string{"share", "bot"}, bad.args...)...)
		if r.code != 2 {
			t.Errorf("share %q: exit %d, %q %q; want 2 and one sentence", bad.args, r.code, r.stdout, r.stderr)
		}
	}
	// An ssh config ssh cannot read, and no ssh at all.
	noConfig := map[string]string{"TOKENTRAY_SSH_COMMAND": "ssh -F " + filepath.Join(x.dir, "no-such-config")}
	if r := x.run(noConfig, "", "share", "bot", "--ssh", sshd.Target(t.TempDir())); r.code != 2 || !strings.Contains(r.stderr, "ssh could not use its configuration: Can't open user config file") {
		t.Errorf("share with an unreadable ssh config: exit %d, %q", r.code, r.stderr)
	}
	noSSH := map[string]string{"PATH": t.TempDir()}
	if r := x.run(noSSH, "", "share", "bot", "--ssh", sshd.Target(t.TempDir())); r.code != 2 || !strings.Contains(r.stderr, "no ssh program was found on PATH") {
		t.Errorf("share without ssh: exit %d, %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(x.dir, "pwned")); err == nil {
		t.Fatal("an option smuggled in the host ran a command")
	}
	if r := x.run(ssh, "", "share", "bot", "--ssh", sshd.Target(remote)); !strings.Contains(r.stderr, "bot already pushes to 127.0.0.1:"+remote) {
		t.Errorf("a target added twice: %q", r.stderr)
	}

	// --list and status show each target.
	list := x.run(map[string]string{"COLUMNS": "300"}, "", "share", "bot", "--list")
	wantCode(t, list, 0, "share --list")
	for _, want := range []string{"TARGET", "LAST PUSH", "RESULT", "NEXT ATTEMPT", "127.0.0.1:" + remote, cmd} {
		if !strings.Contains(list.stdout, want) {
			t.Errorf("share --list lacks %q:\n%s", want, list.stdout)
		}
	}
	// On a terminal too narrow for the table, each target is whole on a
	// line of its own (as --off takes it back) and its state fits under it.
	narrow := x.run(map[string]string{"COLUMNS": "80"}, "", "share", "bot", "--list")
	wantCode(t, narrow, 0, "share --list at 80 columns")
	listLines := strings.Split(strings.TrimRight(narrow.stdout, "\n"), "\n")
	for _, target := range []string{"127.0.0.1:" + remote, cmd} {
		if !slices.Contains(listLines, target) {
			t.Errorf("share --list at 80 columns has no line that is the whole target %q:\n%s", target, narrow.stdout)
		}
	}
	for _, l := range listLines {
		if len(l) > 80 && l != "127.0.0.1:"+remote && l != cmd {
			t.Errorf("share --list at 80 columns has a line of %d columns: %q", len(l), l)
		}
	}
	if strings.Count(narrow.stdout, "    last push ") != 2 {
		t.Errorf("share --list at 80 columns does not show each target's last push:\n%s", narrow.stdout)
	}
	st := statusJSON(t, x)["bot"]
	ts, _ := st["share_targets"].([]any)
	if len(ts) != 2 || ts[0].(map[string]any)["result"] != "ok" || ts[0].(map[string]any)["kind"] != "ssh" || ts[1].(map[string]any)["kind"] != "exec" {
		t.Fatalf("status --json share_targets: %v", st["share_targets"])
	}

	// --push reports each target; a stopped server fails it, exit 1.
	push := x.run(ssh, "", "share", "bot", "--push")
	wantCode(t, push, 0, "share --push")
	if strings.Count(push.stdout, ": pushed\n") != 2 {
		t.Errorf("share --push said %q", push.stdout)
	}
	// A renewal that gives a new token string: pushed, and --list and
	// status say which bots keep the old one.
	sb.Webull.SetRenewNewToken(true)
	wantCode(t, x.run(nil, "", "refresh", "bot", "--force"), 0, "refresh --force")
	tok = x.run(nil, "", "token", "bot")
	renewed := strings.TrimSpace(tok.stdout)
	x.secret(renewed)
	if renewed == token {
		t.Fatal("the renewal gave the same token")
	}
	wantCode(t, x.run(ssh, "", "share", "bot", "--push"), 0, "share --push after the renewal")
	if b, _ := os.ReadFile(tokenFile); !strings.HasPrefix(string(b), renewed+"\n") {
		t.Fatalf("token.txt after the renewal holds %q", b)
	}
	for _, args := range [][]string{{"share", "bot", "--list"}, {"status", "--wide"}} {
		if r := x.run(nil, "", args...); !strings.Contains(r.stdout, "keep the old token until they are restarted") {
			t.Errorf("%v does not say which bots keep the old token:\n%s", args, r.stdout)
		}
	}

	sshd.Stop()
	push = x.run(ssh, "", "share", "bot", "--push")
	wantCode(t, push, 1, "share --push with the server stopped")
	if !strings.Contains(push.stdout, "127.0.0.1:"+remote+": failed: nothing answers SSH at 127.0.0.1 (connection refused)") || !strings.Contains(push.stdout, "the command \"cat > ") || strings.Count(push.stdout, ": pushed\n") != 1 {
		t.Errorf("share --push with the server stopped said %q", push.stdout)
	}
	table := x.run(nil, "", "status", "--wide")
	if !strings.Contains(table.stdout, "share target 127.0.0.1:"+remote+": failing: nothing answers SSH") {
		t.Errorf("status does not show the failing target:\n%s", table.stdout)
	}
	// status NAME, the one credential in full, shows its targets too.
	if one := x.run(nil, "", "status", "bot"); !strings.Contains(one.stdout, "share target:") || !strings.Contains(one.stdout, "failing: nothing answers SSH") {
		t.Errorf("status bot does not show the failing target:\n%s", one.stdout)
	}
	sshd.Start()

	// --off deletes the file while it holds what tokentray wrote.
	off := x.run(ssh, "", "share", "bot", "--ssh", sshd.Target(remote), "--off")
	wantCode(t, off, 0, "share --ssh --off")
	// The product's name keeps its lower case; the sentence is about the credential.
	if want := "bot no longer pushes to " + sshd.Target(remote) + "; the file it wrote there was deleted."; !strings.HasPrefix(off.stdout, want) {
		t.Errorf("share --off said %q, want %q", off.stdout, want)
	}
	if _, err := os.Stat(tokenFile); !os.IsNotExist(err) {
		t.Fatalf("token.txt is still on the server: %v", err)
	}
	if r := x.run(ssh, "", "share", "bot", "--ssh", sshd.Target(remote), "--off"); r.code == 0 || !strings.Contains(r.stderr, "bot does not push to") {
		t.Errorf("--off of a target that is not there: %d %q", r.code, r.stderr)
	}
	off = x.run(nil, "", "share", "bot", "--exec", cmd, "--off")
	wantCode(t, off, 0, "share --exec --off")
	if !strings.Contains(off.stdout, "what the command did with the file is left as it is") {
		t.Errorf("share --exec --off said %q", off.stdout)
	}
	if l := x.run(nil, "", "share", "bot", "--list"); !strings.Contains(l.stdout, "bot has no share targets") {
		t.Errorf("share --list after both were removed:\n%s", l.stdout)
	}
	x.checkAllArgv()
}

// TestShareTargetOfAFutuLoginCarriesNoRefreshToken: a Futu OAuth login
// pushed over SSH is the SDK's token file named for its client ID, with
// the access token and expiry, mode 0600, and never the refresh token;
// logging out deletes it there.
func TestShareTargetOfAFutuLoginCarriesNoRefreshToken(t *testing.T) {
	needKeychain(t)
	sshd := testutil.StartSSHServer(t)
	sb := startSandbox(t)
	x := newTT(t)
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "oauth", "--endpoint", sb.FutuURL), 0, "add futu-oauth")
	c, access, refresh := newOAuthSession(t, x).login(t, x, "oauth")

	remote := filepath.Join(t.TempDir(), ".futu", "openapi", "tokens")
	r := x.run(map[string]string{"TOKENTRAY_SSH_COMMAND": sshd.SSHCommand}, "", "share", "oauth", "--ssh", sshd.Target(remote))
	wantCode(t, r, 0, "share --ssh of a Futu login")
	file := filepath.Join(remote, c.ClientID)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"access_token":"`+access+`"`) || strings.Contains(string(b), refresh) || !strings.Contains(string(b), `"refresh_token":""`) {
		t.Fatalf("the SDK token file on the server holds %q", b)
	}
	if m := fileMode(t, file); m != 0o600 {
		t.Errorf("the SDK token file has mode %04o, want 0600", m)
	}

	// A logout revokes the login with Futu, and the file pushed with its
	// access token is deleted there.
	r = x.run(map[string]string{"TOKENTRAY_SSH_COMMAND": sshd.SSHCommand}, "", "logout", "oauth")
	wantCode(t, r, 0, "logout of a Futu login with a share target")
	if !strings.Contains(r.stdout, "Deleted the file pushed to 127.0.0.1:"+remote+".") {
		t.Errorf("logout said %q", r.stdout)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("the SDK token file is still on the server after the logout: %v", err)
	}
}
