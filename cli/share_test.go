package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/auth/futu"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/testutil"
)

func TestRefreshOfAnUnknownNameNamesItOnce(t *testing.T) {
	x := newITT(t)
	r := x.run(nil, "", "refresh", "nosuch")
	wantCode(t, r, 1, "refresh of an unknown name")
	if strings.Count(r.stderr, "nosuch") != 1 || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("refresh of an unknown name said %q, want one line naming it once", r.stderr)
	}
}

func TestAddFutuKeyWhenFutuCannotBeReached(t *testing.T) {
	x := newITT(t)
	env := map[string]string{"FUTU_APP_KEY": "test-app-key-0002", "FUTU_APP_SECRET": "test-app-secret-0002", "FUTU_ACCESS_TOKEN": "test-access-token-0002"}
	x.secret("test-app-secret-0002", "test-access-token-0002")
	addr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)) // nothing listens there
	r := x.run(env, "", "add", "futu-key", "offline", "--endpoint", "http://"+addr)
	wantCode(t, r, 1, "add while Futu cannot be reached")
	if !strings.Contains(r.stderr, "offline was not added") || !strings.Contains(r.stderr, addr) {
		t.Fatalf("add said %q / %q, want that it was not added because nothing answered", r.stdout, r.stderr)
	}
	if _, ok := statusJSON(t, x)["offline"]; ok {
		t.Fatal("a credential the broker could not check was stored")
	}
	r = x.run(env, "", "add", "futu-key", "offline", "--endpoint", "http://"+addr, "--no-check")
	wantCode(t, r, 0, "add --no-check while Futu cannot be reached")
	if h := statusJSON(t, x)["offline"]["health"]; h != "unknown" {
		t.Fatalf("health %v after an unchecked add, want unknown", h)
	}
}

func TestFutuOAuthLoginWithoutABrowserShowsThePageOnce(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "nobrowser", "--endpoint", sb.FutuURL), 0, "add futu-oauth")
	// No browser can be found on an empty PATH, and nobody would see the
	// address without a terminal: login says how to do without.
	noPath := map[string]string{"PATH": t.TempDir()}
	t.Setenv("PATH", noPath["PATH"]) // where this process looks for a browser
	refused := x.run(noPath, "", "login", "nobrowser")
	wantCode(t, refused, 3, "login without a browser or a terminal")
	if !strings.Contains(refused.stderr, "run: tokentray --sandbox login nobrowser --no-browser") {
		t.Errorf("login without a browser said %q", refused.stderr)
	}
	login := x.start(noPath, "", "login", "nobrowser", "--no-browser")
	var page string
	deadline := time.Now().Add(30 * time.Second)
	for page == "" && time.Now().Before(deadline) {
		for _, l := range strings.Split(login.stdout.String(), "\n") {
			if s := strings.TrimSpace(l); strings.HasPrefix(s, "http") {
				page = s
			}
		}
		select {
		case <-login.done:
			t.Fatalf("login ended early: %+v", login.res)
		case <-time.After(20 * time.Millisecond):
		}
	}
	if page == "" {
		login.kill()
		t.Fatalf("login showed no page to open: %q", login.stdout.String())
	}
	if err := (futusimtest.Browser{Approve: true}).Open(page); err != nil {
		login.kill()
		t.Fatalf("approve: %v", err)
	}
	r := login.wait(t)
	x.checkOutput([]string{"login"}, r)
	wantCode(t, r, 0, "login")
	for _, once := range []string{page, "Sign in to Futu", "nobrowser: OK"} {
		if n := strings.Count(r.stdout, once); n != 1 {
			t.Errorf("login showed %q %d times, want once:\n%s", once, n, r.stdout)
		}
	}
}

func TestWebullShareTurnsTheTokenFileOnAndOff(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	addTestEnvWebull(t, x, sb, "bot", "us")
	login := x.run(nil, "", "login", "bot")
	wantCode(t, login, 0, "login")
	if n := strings.Count(login.stdout, "OK:"); n != 1 {
		t.Fatalf("login showed its result %d times, want once:\n%s", n, login.stdout)
	}
	tok := x.run(nil, "", "token", "bot")
	wantCode(t, tok, 0, "token")
	token := strings.TrimSpace(tok.stdout)
	x.secret(token)

	// Without sharing, env works and says what bots will do.
	ev := x.run(nil, "", "env", "bot")
	wantCode(t, ev, 0, "env without sharing")
	if !strings.Contains(ev.stdout, "WEBULL_APP_KEY=") || strings.Contains(ev.stdout, "WEBULL_OPENAPI_TOKEN_DIR") {
		t.Fatalf("env without sharing printed %q", ev.stdout)
	}
	if !strings.Contains(ev.stderr, "SMS verification") || !strings.Contains(ev.stderr, "tokentray --sandbox share bot --dir DIR") || strings.Count(ev.stderr, "\n") != 1 {
		t.Fatalf("env without sharing said %q, want one sentence on turning sharing on", ev.stderr)
	}

	wantCode(t, x.run(nil, "", "share", "bot"), 2, "share of webull without a folder")
	notADir := filepath.Join(t.TempDir(), "token-file")
	if err := os.WriteFile(notADir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := x.run(nil, "", "share", "bot", "--dir", notADir); r.code != 2 || !strings.Contains(r.stderr, "is a file, not a folder") {
		t.Fatalf("share into a file: %d %q", r.code, r.stderr)
	}
	if s := statusJSON(t, x)["bot"]; s["health"] != "ok" {
		t.Fatalf("a refused share changed the credential: %v", s)
	}
	dir := filepath.Join(t.TempDir(), "webull-tokens")
	on := x.run(nil, "", "share", "bot", "--dir", dir)
	wantCode(t, on, 0, "share --dir")
	file := filepath.Join(dir, "token.txt")
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatalf("share did not write the token file: %v; it said %q", err, on.stdout)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	// status NAME names the Webull SDK's file, not another broker's SDK.
	if one := x.run(nil, "", "status", "bot"); !strings.Contains(one.stdout, "token.txt") || !strings.Contains(one.stdout, "Webull SDK") || strings.Contains(one.stdout, "Futu") {
		t.Errorf("status bot says where it is shared as:\n%s", one.stdout)
	}
	b, _ := os.ReadFile(file)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 || lines[0] != token || lines[2] != "NORMAL" {
		t.Fatalf("token file has %d lines, want the token, its expiry and NORMAL", len(lines))
	}
	if !strings.Contains(on.stdout, file) || !strings.Contains(on.stdout, "WEBULL_OPENAPI_TOKEN_DIR="+dir) {
		t.Fatalf("share said %q", on.stdout)
	}
	ev = x.run(nil, "", "env", "bot")
	if !strings.Contains(ev.stdout, "WEBULL_OPENAPI_TOKEN_DIR='"+dir+"'") {
		t.Fatalf("env with sharing printed %q", ev.stdout)
	}

	// Moving removes the file from the old folder.
	dir2 := filepath.Join(t.TempDir(), "bot", "conf")
	moved := x.run(nil, "", "share", "bot", "--dir", dir2)
	wantCode(t, moved, 0, "share --dir elsewhere")
	if _, err := os.Stat(file); err == nil || !strings.Contains(moved.stdout, "the old file "+file+" was removed") {
		t.Fatalf("moving the share left the old file (%v); it said %q", err, moved.stdout)
	}
	file2 := filepath.Join(dir2, "token.txt")

	off := x.run(nil, "", "share", "bot", "--off")
	wantCode(t, off, 0, "share --off")
	if !strings.Contains(off.stdout, "was removed") {
		t.Fatalf("share --off said %q, want that the file was removed", off.stdout)
	}
	if _, err := os.Stat(file2); err == nil {
		t.Fatal("share --off left the token file")
	}
	wantCode(t, x.run(nil, "", "refresh", "--force", "bot"), 0, "refresh after share --off")
	if _, err := os.Stat(file2); err == nil {
		t.Fatal("the token file was written again after share --off")
	}
	if again := x.run(nil, "", "share", "bot", "--off"); again.code != 0 || !strings.Contains(again.stdout, "already off") {
		t.Fatalf("second share --off: %+v", again)
	}
	// On again without --dir: the folder used before.
	wantCode(t, x.run(nil, "", "share", "bot"), 0, "share again")
	if _, err := os.Stat(file2); err != nil {
		t.Fatalf("share without --dir did not write to the earlier folder: %v", err)
	}

	// An API key has no token file to share.
	k, s, a := sb.Futu.AddAPIKey(time.Now().Add(30 * 24 * time.Hour))
	x.secret(k, s, a)
	wantCode(t, x.run(map[string]string{"FUTU_APP_KEY": k, "FUTU_APP_SECRET": s, "FUTU_ACCESS_TOKEN": a}, "", "add", "futu-key", "key", "--endpoint", sb.FutuURL), 0, "add futu-key")
	wantCode(t, x.run(nil, "", "share", "key"), 2, "share of an API key")
	wantCode(t, x.run(nil, "", "share", "nosuch"), 1, "share of an unknown name")
}

func TestFutuOAuthShareWritesTheSDKTokenFile(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "sdk", "--endpoint", sb.FutuURL), 0, "add futu-oauth")
	o := newOAuthSession(t, x)
	c, _, _ := o.login(t, x, "sdk")
	dir := filepath.Join(x.dir, "sandbox", "futu-sdk-tokens") // the sandbox profile's SDK folder
	if _, err := futu.ReadSDKToken(dir, c.ClientID); err == nil {
		t.Fatal("an SDK token file exists before sharing was turned on")
	}

	on := x.run(nil, "", "share", "sdk")
	wantCode(t, on, 0, "share")
	got, err := futu.ReadSDKToken(dir, c.ClientID)
	if err != nil {
		t.Fatalf("share did not write the SDK token file: %v; it said %q", err, on.stdout)
	}
	x.secret(got.AccessToken, got.RefreshToken)
	tok := x.run(nil, "", "token", "sdk")
	wantCode(t, tok, 0, "token")
	if got.AccessToken == "" || strings.TrimSpace(tok.stdout) != got.AccessToken {
		t.Fatal("the SDK token file does not hold the current access token")
	}
	if ev := x.run(nil, "", "env", "sdk"); strings.Contains(ev.stderr, "tokentray share") {
		t.Fatalf("env still says to turn sharing on: %q", ev.stderr)
	}

	off := x.run(nil, "", "share", "sdk", "--off")
	wantCode(t, off, 0, "share --off")
	if !strings.Contains(off.stdout, "left as it is") {
		t.Fatalf("share --off said %q", off.stdout)
	}
	if ev := x.run(nil, "", "env", "sdk"); !strings.Contains(ev.stderr, "tokentray --sandbox share sdk") {
		t.Fatalf("env after share --off does not say how to turn it on: %q", ev.stderr)
	}
}
