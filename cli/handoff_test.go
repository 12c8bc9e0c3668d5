package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/auth/futu"
	"tokentray/auth/sandbox"
)

// addFutuKey adds a sandbox Futu API key valid for days and returns its
// access token.
func addFutuKey(t *testing.T, x runner, sb *sandbox.Sandbox, name string, days int) string {
	t.Helper()
	k, s, a := sb.Futu.AddAPIKey(time.Now().Add(time.Duration(days) * 24 * time.Hour))
	x.secret(k, s, a)
	env := map[string]string{"FUTU_APP_KEY": k, "FUTU_APP_SECRET": s, "FUTU_ACCESS_TOKEN": a}
	wantCode(t, x.run(env, "", "add", "futu-key", name, "--endpoint", sb.FutuURL), 0, "add futu-key "+name)
	return a
}

// One exec gives a bot the variables of a Futu key and a Webull app; two
// Futu keys clash on their variables unless one gets a prefix.
func TestExecWithTwoCredentials(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	accessA := addFutuKey(t, x, sb, "futu-a", 60)
	accessB := addFutuKey(t, x, sb, "futu-b", 60)
	addTestEnvWebull(t, x, sb, "wb", "us")
	wantCode(t, x.run(nil, "", "login", "wb"), 0, "login wb")

	out := filepath.Join(x.dir, "child")
	script := `printf '%s|%s|%s' "$FUTU_ACCESS_TOKEN" "${WEBULL_APP_KEY_ID:+set}" "$B_FUTU_ACCESS_TOKEN" > "$0"`
	r := x.run(nil, "", "exec", "futu-a", "wb", "--", "sh", "-c", script, out)
	x.checkOutput([]string{"exec"}, r)
	wantCode(t, r, 0, "exec of a Futu key and a Webull app")
	if b, _ := os.ReadFile(out); string(b) != accessA+"|set|" {
		t.Fatalf("the child of exec futu-a wb saw %q, want futu-a's token and the Webull app key", b)
	}

	os.Remove(out)
	clash := x.run(nil, "", "exec", "futu-a", "futu-b", "--", "sh", "-c", script, out)
	x.checkOutput([]string{"exec"}, clash)
	wantCode(t, clash, 2, "exec of two Futu keys")
	if !strings.Contains(clash.stderr, "FUTU_ACCESS_TOKEN") || !strings.Contains(clash.stderr, "--prefix futu-b=") {
		t.Fatalf("exec of two Futu keys said %q, want the variable named and a prefix suggested", clash.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("exec ran the command although two credentials clashed")
	}

	r = x.run(nil, "", "exec", "futu-a", "futu-b", "--prefix", "futu-b=B_", "--", "sh", "-c", script, out)
	x.checkOutput([]string{"exec"}, r)
	wantCode(t, r, 0, "exec with a prefix")
	if b, _ := os.ReadFile(out); string(b) != accessA+"||"+accessB {
		t.Fatal("with --prefix futu-b=B_ the child did not see futu-a's token as FUTU_ACCESS_TOKEN and futu-b's as B_FUTU_ACCESS_TOKEN")
	}
	for _, bad := range [][]string{
		{"exec", "futu-a", "--prefix", "futu-b=B_", "--", "true"},
		{"exec", "futu-a", "--prefix", "futu-a=1X", "--", "true"},
		{"exec", "futu-a", "--prefix", "futu-a", "--", "true"},
		{"exec", "futu-a", "futu-b", "--"},
	} {
		wantCode(t, x.run(nil, "", bad...), 2, strings.Join(bad, " "))
	}
}

// env prints the same values as a shell script, a .env file or JSON.
func TestEnvFormats(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	access := addFutuKey(t, x, sb, "k", 60)

	js := x.run(nil, "", "env", "k", "--format", "json")
	wantCode(t, js, 0, "env --format json")
	var vars map[string]string
	if err := json.Unmarshal([]byte(js.stdout), &vars); err != nil || vars["FUTU_ACCESS_TOKEN"] != access || vars["FUTU_APP_KEY"] == "" {
		t.Fatalf("env --format json is not the variables as one JSON object (%v)", err)
	}
	de := x.run(nil, "", "env", "k", "--format", "dotenv")
	wantCode(t, de, 0, "env --format dotenv")
	if !strings.Contains("\n"+de.stdout, "\nFUTU_ACCESS_TOKEN="+access+"\n") || strings.Contains(de.stdout, "export") {
		t.Fatalf("env --format dotenv printed %d lines without FUTU_ACCESS_TOKEN=<token>", strings.Count(de.stdout, "\n"))
	}
	sh := x.run(nil, "", "env", "k", "--format", "shell")
	wantCode(t, sh, 0, "env --format shell")
	if def := x.run(nil, "", "env", "k"); def.stdout != sh.stdout {
		t.Fatal("env without --format is not the shell format")
	}
	if r := x.run(nil, "", "env", "k", "--format", "yaml"); r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "shell, dotenv or json") {
		t.Fatalf("env --format yaml: %d %q", r.code, r.stderr)
	}
}

// A share folder is checked when it is given, at add, update and share,
// by one rule and one sentence; a token that is fine is printed even
// when its shared file cannot be written, and the credential reads "OK,
// sharing failed" with share as the next action, never a login.
func TestShareFolderCheckedWhenGivenAndATokenThatIsFineIsPrinted(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	appKey, appSecret := sb.Webull.AddApp(true)
	x.secret(appSecret)
	keys := map[string]string{"WEBULL_APP_KEY": appKey, "WEBULL_APP_SECRET": appSecret}
	add := func(dir string) result {
		return x.run(keys, "", "add", "webull", "wb", "--region", "us", "--test-env", "--endpoint", sb.WebullURL, "--share-dir", dir)
	}
	for _, bad := range []string{"/tmp", "/", "/proc", "/proc/self"} {
		r := add(bad)
		if r.code != 2 || !strings.Contains(r.stderr, "is not a safe folder for the Webull token file") {
			t.Fatalf("add --share-dir %s: exit %d, %q; want it refused", bad, r.code, r.stderr)
		}
		if _, ok := statusJSON(t, x)["wb"]; ok {
			t.Fatalf("add --share-dir %s stored the credential", bad)
		}
		if s := x.run(nil, "", "share", "nosuch", "--dir", bad); s.code != 1 {
			t.Fatalf("share of an unknown name: %d", s.code)
		}
	}
	sentence := func(r result) string { return r.stderr[strings.Index(r.stderr, "is not a safe"):] }
	refusedAtAdd := add("/tmp")

	dir := filepath.Join(t.TempDir(), "conf")
	wantCode(t, add(dir), 0, "add --share-dir with a safe folder")
	wantCode(t, x.run(nil, "", "login", "wb"), 0, "login")
	tok := x.run(nil, "", "token", "wb")
	wantCode(t, tok, 0, "token")
	token := strings.TrimSpace(tok.stdout)
	x.secret(token)

	// The same rule and sentence at update and share.
	for _, args := range [][]string{{"update", "wb", "--share-dir", "/tmp"}, {"share", "wb", "--dir", "/tmp"}} {
		r := x.run(keys, "", args...)
		if r.code != 2 || !strings.Contains(r.stderr, "is not a safe folder") || sentence(r) != sentence(refusedAtAdd) {
			t.Fatalf("%v: exit %d, %q; want add's refusal %q", args, r.code, r.stderr, refusedAtAdd.stderr)
		}
	}

	// The folder becomes one others can write to: the token file is not
	// written, the token is still printed, and status says what to do.
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	r := x.run(nil, "", "refresh", "wb", "--force")
	x.checkOutput([]string{"refresh"}, r)
	tok = x.run(nil, "", "token", "wb")
	x.checkOutput([]string{"token"}, tok)
	wantCode(t, tok, 0, "token while its shared file cannot be written")
	fresh := strings.TrimSpace(tok.stdout)
	x.secret(fresh)
	if fresh == "" || !strings.Contains(tok.stderr, "warning") || !strings.Contains(tok.stderr, "sharing failed") || !strings.Contains(tok.stderr, "tokentray --sandbox share wb") {
		t.Fatalf("token printed %d bytes, said %q; want the token and a warning naming share", len(fresh), tok.stderr)
	}
	s := statusJSON(t, x)["wb"]
	next, _ := s["next"].(map[string]any)
	if s["health"] != "ok" || !strings.HasPrefix(s["reason"].(string), "sharing failed") || next == nil || next["action"] != "share" {
		t.Fatalf("status while sharing fails: %v", s)
	}

	// Fixed, share writes it again and the failure is gone.
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	wantCode(t, x.run(nil, "", "share", "wb"), 0, "share again")
	if b, _ := os.ReadFile(filepath.Join(dir, "token.txt")); !strings.HasPrefix(string(b), fresh+"\n") {
		t.Fatal("share did not write the current token again")
	}
	if s := statusJSON(t, x)["wb"]; s["health"] != "ok" || strings.Contains(s["reason"].(string), "sharing failed") {
		t.Fatalf("status after sharing again: %v", s)
	}
}

// share --access-only writes the Futu SDK's token file without the
// refresh token, so no other program can rotate tokentray's away; share
// without it writes both again.
func TestFutuOAuthShareAccessOnly(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "sdk", "--endpoint", sb.FutuURL), 0, "add futu-oauth")
	o := newOAuthSession(t, x)
	c, _, _ := o.login(t, x, "sdk")
	dir := filepath.Join(x.dir, "sandbox", "futu-sdk-tokens")

	on := x.run(nil, "", "share", "sdk", "--access-only")
	wantCode(t, on, 0, "share --access-only")
	got, err := futu.ReadSDKToken(dir, c.ClientID)
	if err != nil || got.AccessToken == "" || got.RefreshToken != "" || !strings.Contains(on.stdout, "access token alone") {
		t.Fatalf("share --access-only: the file has an access token %v, a refresh token %v (%v); said %q", got.AccessToken != "", got.RefreshToken != "", err, on.stdout)
	}
	x.secret(got.AccessToken)
	wantCode(t, x.run(nil, "", "share", "sdk"), 0, "share")
	if got, err = futu.ReadSDKToken(dir, c.ClientID); err != nil || got.RefreshToken == "" {
		t.Fatalf("share without --access-only did not write the refresh token again (%v)", err)
	}
	x.secret(got.AccessToken, got.RefreshToken)
	wantCode(t, x.run(nil, "", "share", "sdk", "--access-only", "--off"), 2, "share --access-only --off")
}
