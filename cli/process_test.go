package cli_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox"
	"tokentray/internal/testutil"
)

func startSandbox(t *testing.T) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	return sb
}

// statusJSON runs status --json and checks it against the documented
// schema, field by field, and its exit code against the healths.
func statusJSON(t *testing.T, x runner) map[string]map[string]any {
	t.Helper()
	r := x.run(nil, "", "status", "--json")
	var doc map[string][]map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("status --json is not JSON: %v\n%s", err, r.stdout)
	}
	if len(doc) != 1 || doc["credentials"] == nil {
		t.Fatalf("status --json top level %q, want only a credentials array", r.stdout)
	}
	want := []string{"access", "account", "brand", "broker", "endpoint", "environment", "expires_at", "health", "kind", "last_checked", "layout", "name", "next", "oauth_endpoint", "reason", "region", "renew_unavailable", "seconds_left", "share_targets", "token_changed_at", "two_factor_off", "why"}
	out := map[string]map[string]any{}
	code := 0
	for _, c := range doc["credentials"] {
		var keys []string
		for k := range c {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, want) {
			t.Fatalf("credential fields %v, want %v", keys, want)
		}
		if _, err := auth.ParseState(c["health"].(string)); err != nil {
			t.Errorf("health %q is not a documented state", c["health"])
		}
		for _, k := range []string{"expires_at", "last_checked"} {
			if s, ok := c[k].(string); ok {
				if _, err := time.Parse(time.RFC3339, s); err != nil {
					t.Errorf("%s %q is not RFC 3339", k, s)
				}
			} else if c[k] != nil {
				t.Errorf("%s is %v, want a string or null", k, c[k])
			}
		}
		if w, ok := c["why"].(map[string]any); ok {
			if code, _ := w["code"].(string); code == "" {
				t.Errorf("why %v has no code", w)
			}
		} else if c["why"] != nil {
			t.Errorf("why is %v, want an object or null", c["why"])
		}
		if _, ok := c["seconds_left"].(float64); !ok {
			t.Errorf("seconds_left %v is not a number", c["seconds_left"])
		}
		if n, ok := c["next"].(map[string]any); ok {
			if !strings.HasPrefix(n["command"].(string), "tokentray --sandbox ") || n["action"] == "" {
				t.Errorf("next %v is not a sandbox command line", n)
			}
		} else if c["next"] != nil {
			t.Errorf("next is %v, want an object or null", c["next"])
		}
		switch c["health"] {
		case "action-needed", "pending", "broken":
			code = 3
		case "unknown":
			if code == 0 {
				code = 1
			}
		}
		out[c["name"].(string)] = c
	}
	wantCode(t, r, code, "status --json")
	return out
}

func TestFutuKeyFromAddToRemove(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	if s := statusJSON(t, x); len(s) != 0 {
		t.Fatalf("fresh profile has credentials: %v", s)
	}
	expires := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
	appKey, appSecret, access := sb.Futu.AddAPIKey(expires)
	x.secret(appKey, appSecret, access)
	env := map[string]string{"FUTU_APP_KEY": appKey, "FUTU_APP_SECRET": appSecret, "FUTU_ACCESS_TOKEN": access}

	r := x.run(env, "", "add", "futu-key", "main", "--endpoint", sb.FutuURL)
	wantCode(t, r, 0, "add futu-key")
	if strings.Contains(r.stdout, access) {
		t.Fatal("add printed the access token")
	}
	wantCode(t, x.run(env, "", "add", "futu-key", "main", "--endpoint", sb.FutuURL), 1, "add a duplicate name")

	s := statusJSON(t, x)["main"]
	if s["health"] != "ok" || s["broker"] != "Futu" || s["kind"] != "futu-key" || s["last_checked"] == nil {
		t.Fatalf("status after add: %v", s)
	}
	if got, _ := time.Parse(time.RFC3339, s["expires_at"].(string)); !got.Equal(expires) {
		t.Fatalf("expires_at %v, want Futu's %v", got, expires)
	}
	if left := s["seconds_left"].(float64); left < 29*24*3600 || left > 30*24*3600 {
		t.Fatalf("seconds_left %v, want about 30 days", left)
	}
	table := x.run(nil, "", "status")
	wantCode(t, table, 0, "status")
	if !strings.Contains(table.stdout, "NAME") || !strings.Contains(table.stdout, "main") || !strings.Contains(table.stdout, "OK") {
		t.Fatalf("status table:\n%s", table.stdout)
	}

	tok := x.run(nil, "", "token", "main")
	wantCode(t, tok, 0, "token")
	if tok.stdout != access+"\n" || tok.stderr != "" {
		t.Fatalf("token printed %q / %q, want only the access token", tok.stdout, tok.stderr)
	}

	// env output, read back by a shell, gives the exact values.
	ev := x.run(nil, "", "env", "main")
	wantCode(t, ev, 0, "env")
	sh := x.shell(ev.stdout, `printf '%s|%s|%s' "$FUTU_APP_KEY" "$FUTU_APP_SECRET" "$FUTU_ACCESS_TOKEN"`)
	if sh != appKey+"|"+appSecret+"|"+access {
		t.Fatalf("env lines evaluated to %q", sh)
	}

	// exec: the child gets the variables, not the argv, and its exit code
	// is passed on.
	out := filepath.Join(x.dir, "child")
	script := `printf '%s' "$FUTU_ACCESS_TOKEN" > "$0.env"; tr '\0' ' ' < /proc/$$/cmdline > "$0.argv"; exit 7`
	ex := x.run(nil, "", "exec", "main", "--", "sh", "-c", script, out)
	wantCode(t, ex, 7, "exec")
	if b, _ := os.ReadFile(out + ".env"); string(b) != access {
		t.Fatalf("exec child saw FUTU_ACCESS_TOKEN %q", b)
	}
	argv, err := os.ReadFile(out + ".argv")
	if err != nil || len(argv) == 0 {
		t.Fatalf("exec child argv not read: %v", err)
	}
	for _, s := range x.known() {
		if strings.Contains(string(argv), s) {
			t.Fatalf("exec child's argv has a secret: %q", argv)
		}
	}
	wantCode(t, x.run(nil, "", "exec", "main", "--", "/nonexistent/cmd"), 127, "exec of a missing command")

	// extend: a new token that Futu accepts, the old one gone.
	ext := x.run(nil, "", "extend", "main", "--days", "100")
	wantCode(t, ext, 0, "extend")
	newTok := x.run(nil, "", "token", "main")
	wantCode(t, newTok, 0, "token after extend")
	fresh := strings.TrimSpace(newTok.stdout)
	x.secret(fresh)
	if fresh == access || fresh == "" {
		t.Fatal("extend did not store a new access token")
	}
	if exp, ok := sb.Futu.APIKeyExpiry(appKey); !ok || exp.Sub(time.Now()) < 99*24*time.Hour {
		t.Fatalf("Futu's expiry after extend %v", exp)
	}

	// extend without --days would cut the 100 days to the default 90:
	// refused with both dates, nothing changed, --shorten to do it anyway.
	short := x.run(nil, "", "extend", "main")
	if short.code != 2 || !strings.Contains(short.stderr, "nothing was changed") || !strings.Contains(short.stderr, "--shorten") ||
		!strings.Contains(short.stderr, time.Now().UTC().Add(90*24*time.Hour).Format("2006-01-02")) {
		t.Errorf("extend without --days of a longer token: exit %d, %q", short.code, short.stderr)
	}
	if again := x.run(nil, "", "token", "main"); strings.TrimSpace(again.stdout) != fresh {
		t.Error("a refused extend replaced the token")
	}
	if exp, ok := sb.Futu.APIKeyExpiry(appKey); !ok || exp.Sub(time.Now()) < 99*24*time.Hour {
		t.Fatalf("Futu's expiry after a refused extend %v", exp)
	}
	// Without --days, extend uses the extend-days setting.
	wantCode(t, x.run(nil, "", "config", "extend-days", "365"), 0, "config extend-days 365")
	wantCode(t, x.run(nil, "", "extend", "main"), 0, "extend with the extend-days setting")
	if exp, ok := sb.Futu.APIKeyExpiry(appKey); !ok || exp.Sub(time.Now()) < 364*24*time.Hour {
		t.Fatalf("Futu's expiry after extend with extend-days 365: %v", exp)
	}
	if tk := x.run(nil, "", "token", "main"); tk.code == 0 {
		x.secret(strings.TrimSpace(tk.stdout))
	}

	// Revoked at the broker: the user must act, exit 3, nothing on stdout.
	sb.Futu.RevokeAPIKey(appKey)
	wantCode(t, x.run(nil, "", "refresh", "main"), 3, "refresh of a revoked key")
	tk := x.run(nil, "", "token", "main")
	wantCode(t, tk, 3, "token of a revoked key")
	if tk.stdout != "" {
		t.Fatalf("token of a revoked key printed %q", tk.stdout)
	}
	if statusJSON(t, x)["main"]["health"] != "broken" {
		t.Fatal("status does not show the revoked key as broken")
	}

	wantCode(t, x.run(nil, "", "remove", "main"), 0, "remove")
	wantCode(t, x.run(nil, "", "token", "main"), 1, "token of a removed credential")
	if s := statusJSON(t, x); len(s) != 0 {
		t.Fatalf("status after remove: %v", s)
	}
}

// shell evaluates env lines in sh and runs cmd after them.
func (x *tt) shell(lines, cmd string) string {
	x.t.Helper()
	p := x.startRaw("sh", "-c", `eval "$(cat)"; `+cmd)
	p.cmd.Stdin = strings.NewReader(lines)
	if err := p.cmd.Run(); err != nil {
		x.t.Fatalf("sh: %v: %s", err, p.stderr.String())
	}
	return p.stdout.String()
}

func (x *tt) startRaw(name string, args ...string) *proc {
	p := &proc{stdout: &testutil.LockedBuffer{}, stderr: &testutil.LockedBuffer{}}
	p.cmd = exec.Command(name, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.cmd.Env = x.env(nil)
	return p
}

func TestFutuKeySecretsFromStdinAndRejectedKey(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	appKey, appSecret, access := sb.Futu.AddAPIKey(time.Now().Add(90 * 24 * time.Hour))
	x.secret(appKey, appSecret, access)
	stdin := appKey + "\n" + appSecret + "\n" + access + "\n"
	wantCode(t, x.run(nil, stdin, "add", "futu-key", "piped", "--endpoint", sb.FutuURL), 0, "add with secrets on stdin")
	if tok := x.run(nil, "", "token", "piped"); tok.stdout != access+"\n" {
		t.Fatalf("token %q", tok.stdout)
	}
	// Missing a value: a usage error, nothing stored.
	wantCode(t, x.run(nil, appKey+"\n", "add", "futu-key", "short", "--endpoint", sb.FutuURL), 2, "add with too few stdin lines")
	// A key Futu does not know: refused, not stored.
	bad := map[string]string{"FUTU_APP_KEY": "test-app-key-unknown", "FUTU_APP_SECRET": "test-app-secret-0001", "FUTU_ACCESS_TOKEN": "test-access-token-0001"}
	x.secret("test-app-secret-0001", "test-access-token-0001")
	wantCode(t, x.run(bad, "", "add", "futu-key", "bad", "--endpoint", sb.FutuURL), 3, "add of a key Futu rejects")
	s := statusJSON(t, x)
	if _, ok := s["short"]; ok || len(s) != 1 {
		t.Fatalf("credentials after refused adds: %v", s)
	}
}

// addTestEnvWebull adds a Webull credential of a sandbox test-environment
// app, whose tokens need no phone.
func addTestEnvWebull(t *testing.T, x runner, sb *sandbox.Sandbox, name, region string) {
	t.Helper()
	appKey, appSecret := sb.Webull.AddApp(true)
	x.secret(appSecret)
	env := map[string]string{"WEBULL_APP_KEY": appKey, "WEBULL_APP_SECRET": appSecret}
	r := x.run(env, "", "add", "webull", name, "--region", region, "--test-env", "--endpoint", sb.WebullURL)
	wantCode(t, r, 0, "add webull "+name)
	// The suggestion must stay in the sandbox profile when copied.
	if want := "Next: tokentray --sandbox login " + name; !strings.Contains(r.stdout, want) {
		t.Errorf("add said %q, want %q", r.stdout, want)
	}
}

// TestConcurrentTokenCallsRefreshOnce logs a Futu OAuth credential in
// (in this process, with a test browser), lets its access token come due,
// and asks two tokentray processes for the token at once.
func TestConcurrentTokenCallsRefreshOnce(t *testing.T) {
	needKeychain(t)
	sb := startSandbox(t)
	sb.Futu.SetTTLs(3*time.Minute, 0) // inside the 5-minute lead: still due once renewed
	x := newTT(t)
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "oauth", "--endpoint", sb.FutuURL), 0, "add futu-oauth")

	o := newOAuthSession(t, x)
	c, _, _ := o.login(t, x, "oauth")
	st := o.st
	// Time passes: the login is an hour old and its token expires in a
	// minute, inside the lead, so both calls find it due.
	c.RefreshedAt = time.Now().Add(-time.Hour).UTC()
	c.ExpiresAt = time.Now().Add(time.Minute).UTC()
	if err := st.Update(c); err != nil {
		t.Fatal(err)
	}
	before := sb.Futu.Count("/oauth2/token")

	a := x.start(nil, "", "token", "oauth")
	b := x.start(nil, "", "token", "oauth")
	ra, rb := a.wait(t), b.wait(t)
	x.checkOutput([]string{"token", "oauth"}, ra)
	x.checkOutput([]string{"token", "oauth"}, rb)
	wantCode(t, ra, 0, "first token")
	wantCode(t, rb, 0, "second token")
	if ra.stdout != rb.stdout {
		t.Fatalf("the two calls printed different tokens: %q and %q", ra.stdout, rb.stdout)
	}
	if n := sb.Futu.Count("/oauth2/token") - before; n != 1 {
		t.Fatalf("%d token requests for two concurrent calls, want 1 refresh", n)
	}
	// futu-oauth has no environment: env says why and where to look,
	// with a code that eval "$(tokentray env NAME)" || ... notices.
	ev := x.run(nil, "", "env", "oauth")
	wantCode(t, ev, 2, "env of futu-oauth")
	if ev.stdout != "" || !strings.Contains(ev.stderr, "token file") || !strings.Contains(ev.stderr, "--share-sdk") {
		t.Fatalf("env of futu-oauth: stdout %q stderr %q", ev.stdout, ev.stderr)
	}
}

// addWebullApp adds a Webull app of the sandbox with 2FA on as wb.
func addWebullApp(t *testing.T) (*sandbox.Sandbox, *tt) {
	t.Helper()
	needKeychain(t)
	sb := startSandbox(t)
	x := newTT(t)
	appKey, appSecret := sb.Webull.AddApp(false)
	x.secret(appSecret)
	env := map[string]string{"WEBULL_APP_KEY": appKey, "WEBULL_APP_SECRET": appSecret}
	wantCode(t, x.run(env, "", "add", "webull", "wb", "--region", "us", "--endpoint", sb.WebullURL), 0, "add webull")
	return sb, x
}

func TestWebullLoginWithPhoneVerification(t *testing.T) {
	sb, x := addWebullApp(t)

	// Not verified yet: the user must act.
	tk := x.run(nil, "", "token", "wb")
	wantCode(t, tk, 3, "token before login")
	if tk.stdout != "" {
		t.Fatalf("token before login printed %q", tk.stdout)
	}

	login := x.start(nil, "", "login", "wb")
	var pending string
	deadline := time.Now().Add(30 * time.Second)
	if !testutil.Poll(time.Until(deadline), 50*time.Millisecond, func() bool {
		for _, ti := range sb.Webull.Tokens() {
			if ti.Status == "PENDING" {
				pending = ti.Token
			}
		}
		return pending != ""
	}) {
		login.cmd.Process.Kill()
		t.Fatalf("login created no pending token; stdout %q stderr %q", login.stdout.String(), login.stderr.String())
	}
	x.secret(pending)
	x.checkAllArgv() // while tokentray waits, nothing on the machine shows a secret
	testutil.Poll(time.Until(deadline), 20*time.Millisecond, func() bool { return strings.Contains(login.stdout.String(), "left") })
	code, ok := sb.Webull.SMSCode(pending)
	if !ok {
		t.Fatal("no SMS code for the pending token")
	}
	if err := sb.Webull.Verify(pending, code); err != nil {
		t.Fatal(err)
	}
	r := login.wait(t)
	x.checkOutput([]string{"login"}, r)
	wantCode(t, r, 0, "login")
	if !strings.Contains(r.stdout, "Webull") || !strings.Contains(r.stdout, "s left") {
		t.Fatalf("login without a terminal showed no steps or time left:\n%s", r.stdout)
	}
	if n := strings.Count(r.stdout, "Verified"); n != 1 {
		t.Fatalf("login showed its result %d times, want once:\n%s", n, r.stdout)
	}
	// The result reads as status reads: NAME: STATE: reason, with no
	// second label inside the reason.
	if !strings.Contains(r.stdout, "wb: OK: Verified with the SMS code, valid until ") || strings.Contains(r.stdout, "Verified:") {
		t.Fatalf("login's result is not one NAME: STATE: reason line:\n%s", r.stdout)
	}
	tok := x.run(nil, "", "token", "wb")
	wantCode(t, tok, 0, "token after login")
	if tok.stdout != pending+"\n" {
		t.Fatalf("token %q, want the verified one", tok.stdout)
	}
	if statusJSON(t, x)["wb"]["health"] != "ok" {
		t.Fatal("status after verification is not ok")
	}
}

func TestWebullLoginCancelledWithCtrlC(t *testing.T) {
	_, x := addWebullApp(t)
	login := x.start(nil, "", "login", "wb")
	// Ctrl-C once the login waits for the phone (or after 30 s anyway).
	testutil.Poll(30*time.Second, 20*time.Millisecond, func() bool { return strings.Contains(login.stdout.String(), "left") })
	login.interrupt()
	r := login.wait(t)
	x.checkOutput([]string{"login"}, r)
	wantCode(t, r, 1, "cancelled login")
	if !strings.Contains(r.stderr, "cancelled") {
		t.Fatalf("cancelled login said %q", r.stderr)
	}
}

func TestWebullTestEnvironmentNeedsNoPhone(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	addTestEnvWebull(t, x, sb, "uat", "hk")
	wantCode(t, x.run(nil, "", "login", "uat"), 0, "login test env")
	tok := x.run(nil, "", "token", "uat")
	wantCode(t, tok, 0, "token")
	x.secret(strings.TrimSpace(tok.stdout))
	wantCode(t, x.run(nil, "", "refresh"), 0, "refresh all")
	if n := sb.Webull.Count("/openapi/auth/token/refresh") + sb.Webull.Count("/openapi/auth/token/check"); n == 0 {
		t.Fatal("refresh did not reach Webull")
	}
}

func TestSandboxCommandServesAndSeedsUntilCtrlC(t *testing.T) {
	needKeychain(t)
	x := newTT(t)
	p := x.start(nil, "", "sandbox", "--seed")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.stdout.String(), "Ctrl-C") && time.Now().Before(deadline) {
		select {
		case <-p.done:
			t.Fatalf("sandbox ended early: %+v", p.res)
		case <-time.After(20 * time.Millisecond):
		}
	}
	out := p.stdout.String()
	for _, want := range []string{"Futu sandbox:    http://127.0.0.1:", "/sandbox/phone", "admin page:", "Demo credentials added"} {
		if !strings.Contains(out, want) {
			t.Errorf("sandbox output lacks %q:\n%s", want, out)
		}
	}
	s := statusJSON(t, x)
	for _, n := range []string{sandbox.DemoFutuKey, sandbox.DemoFutuExpiring, sandbox.DemoWebull} {
		if _, ok := s[n]; !ok {
			t.Errorf("demo credential %s missing from the sandbox profile: %v", n, s)
		}
	}
	// The demo key works against the running sandbox.
	wantCode(t, x.run(nil, "", "refresh", sandbox.DemoFutuKey), 0, "refresh of the demo key")
	p.interrupt()
	r := p.wait(t)
	wantCode(t, r, 0, "sandbox after Ctrl-C")
}
