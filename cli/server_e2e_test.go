package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/auth/keychain"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// serverProc is a tokentray started on the server.
type serverProc struct {
	cmd            *exec.Cmd
	stdout, stderr *testutil.LockedBuffer
	done           chan struct{}
	err            error
}

func (s *server) start(extra []string, args ...string) *serverProc {
	s.t.Helper()
	p := &serverProc{stdout: &testutil.LockedBuffer{}, stderr: &testutil.LockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = s.env(extra...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	s.t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *serverProc) wait(t *testing.T, what string) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not end; stdout %q stderr %q", what, p.stdout.String(), p.stderr.String())
	}
	if p.err != nil {
		t.Fatalf("%s: %v; stdout %q stderr %q", what, p.err, p.stdout.String(), p.stderr.String())
	}
}

// The whole server setup with no desktop at all: the environment holds
// PATH, HOME and TMPDIR only (no session bus, no display, no runtime
// folder). Secrets live in the file keychain; a headless agent renews,
// keeps a Webull token file current, and hands each event once to the
// notify command.
func TestServerWithoutADesktopFromKeychainInitToAHeadlessAgent(t *testing.T) {
	sb := startSandbox(t)
	s := newServer(t)
	var secrets []string
	secret := func(vs ...string) { secrets = append(secrets, vs...) }

	wantCode(t, s.run(nil, "keychain", "init"), 0, "keychain init")
	wantCode(t, s.run(nil, "config", "keychain", "file"), 0, "config keychain file")
	events := filepath.Join(s.home, "events.jsonl")
	wantCode(t, s.run(nil, "config", "notify-command", `cat >> "$HOME/events.jsonl"`), 0, "config notify-command")

	// A Futu API key, its secrets on stdin.
	appKey, appSecret, access := sb.Futu.AddAPIKey(time.Now().Add(90 * 24 * time.Hour))
	secret(appSecret, access)
	add := exec.Command(bin, "add", "futu-key", "key", "--endpoint", sb.FutuURL)
	add.Env = s.env()
	add.Stdin = strings.NewReader(appKey + "\n" + appSecret + "\n" + access + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("add futu-key: %v\n%s", err, out)
	}

	// A Futu OAuth login without a browser: the page's address is shown,
	// opened elsewhere (here, by the sandbox's browser), and approved.
	wantCode(t, s.run(nil, "add", "futu-oauth", "oauth", "--endpoint", sb.FutuURL), 0, "add futu-oauth")
	login := s.start(nil, "login", "oauth", "--no-browser")
	var page string
	if !testutil.Poll(30*time.Second, 20*time.Millisecond, func() bool {
		for _, l := range strings.Split(login.stdout.String(), "\n") {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, "http") {
				page = l
			}
		}
		return page != ""
	}) {
		t.Fatalf("login --no-browser showed no page: %q %q", login.stdout.String(), login.stderr.String())
	}
	if err := (futusimtest.Browser{Approve: true}).Open(page); err != nil {
		t.Fatal(err)
	}
	login.wait(t, "login --no-browser")

	// A Webull app with 2FA on, verified in the phone's app.
	wbKey, wbSecret := sb.Webull.AddApp(false)
	secret(wbSecret)
	wantCode(t, s.run([]string{"WEBULL_APP_KEY=" + wbKey, "WEBULL_APP_SECRET=" + wbSecret}, "add", "webull", "wb", "--region", "us", "--endpoint", sb.WebullURL), 0, "add webull")
	verify := s.start(nil, "login", "wb")
	var pending string
	if !testutil.Poll(30*time.Second, 20*time.Millisecond, func() bool {
		for _, ti := range sb.Webull.Tokens() {
			if ti.Status == "PENDING" {
				pending = ti.Token
			}
		}
		return pending != ""
	}) {
		t.Fatalf("login wb made no pending token: %q", verify.stderr.String())
	}
	code, _ := sb.Webull.SMSCode(pending)
	if err := sb.Webull.Verify(pending, code); err != nil {
		t.Fatal(err)
	}
	verify.wait(t, "login wb")
	secret(pending)
	shared := filepath.Join(s.home, "bot", "webull")
	wantCode(t, s.run(nil, "share", "wb", "--dir", shared), 0, "share wb")
	tokenFile := filepath.Join(shared, "token.txt")
	firstLine := func() string {
		b, _ := os.ReadFile(tokenFile)
		l, _, _ := strings.Cut(string(b), "\n")
		return l
	}
	if firstLine() != pending {
		t.Fatal("the shared token file does not hold the verified token")
	}

	// token and exec hand the key's access token over.
	if r := s.run(nil, "token", "key"); r.code != 0 || r.stdout != access+"\n" {
		t.Fatalf("token key: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := s.run(nil, "exec", "key", "--", "sh", "-c", `printf %s "$FUTU_ACCESS_TOKEN"`); r.code != 0 || r.stdout != access {
		t.Fatalf("exec key: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := s.run(nil, "keychain", "status"); r.code != 0 || !strings.Contains(r.stdout, "can be read (") {
		t.Fatalf("keychain status: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// Time passes: both tokens come due and were last checked two hours
	// ago (written to the settings as a later run would find them), and
	// Webull hands out a new token when it renews one.
	dir := filepath.Join(s.home, ".config", "tokentray")
	st, err := store.Open(dir, keychain.NewFile(filepath.Join(dir, keychain.FileName), "tokentray", keychain.Key{Path: s.key(), From: keychain.KeyFromDefault}))
	if err != nil {
		t.Fatal(err)
	}
	for name, left := range map[string]time.Duration{"wb": 24 * time.Hour, "oauth": time.Minute} {
		c, err := st.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		c.ExpiresAt = time.Now().Add(left).UTC()
		c.LastChecked = time.Now().Add(-2 * time.Hour).UTC()
		if err := st.Update(c); err != nil {
			t.Fatal(err)
		}
	}
	// Webull's side too: the token has a day left there.
	wst := sb.Webull.State()
	for i := range wst.Tokens {
		wst.Tokens[i].Expires = time.Now().Add(24 * time.Hour).UTC()
	}
	sb.Webull.Restore(wst)
	sb.Webull.SetRenewNewToken(true)

	agent := s.start(nil) // the default command: the agent, headless here
	if !testutil.Poll(60*time.Second, 50*time.Millisecond, func() bool {
		log := agent.stderr.String()
		return firstLine() != pending && firstLine() != "" && strings.Contains(log, "wb: renewed") && strings.Contains(log, "oauth: renewed")
	}) {
		tf, _ := os.ReadFile(tokenFile)
		t.Fatalf("the headless agent did not renew both tokens and the token file (%d lines, first the verified token: %v); log:\n%s", strings.Count(string(tf), "\n"), firstLine() == pending, agent.stderr.String())
	}
	renewed := firstLine()
	secret(renewed)
	if r := s.run(nil, "token", "wb"); r.stdout != renewed+"\n" {
		t.Fatalf("token wb %q, want the renewed token in the shared file", r.stdout)
	}
	if r := s.run(nil, "status"); !strings.Contains(r.stdout, "The agent runs headless (process ") {
		t.Errorf("status does not say the agent runs headless:\n%s", r.stdout)
	}

	// The key is revoked at Futu: a bot's refresh finds it; the agent
	// tells the notify command once, however often it is seen again.
	sb.Futu.RevokeAPIKey(appKey)
	for range 3 {
		wantCode(t, s.run(nil, "refresh", "key"), 3, "refresh of a revoked key")
	}
	// Then another event: the Webull token is made invalid.
	sb.Webull.Invalidate(renewed)
	wantCode(t, s.run(nil, "refresh", "wb"), 3, "refresh of an invalidated token")
	readEvents := func() []map[string]any {
		b, _ := os.ReadFile(events)
		var out []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var m map[string]any
			if l != "" && json.Unmarshal([]byte(l), &m) == nil {
				out = append(out, m)
			}
		}
		return out
	}
	if !testutil.Poll(30*time.Second, 50*time.Millisecond, func() bool { return len(readEvents()) >= 4 }) {
		t.Fatalf("the notify command got %d events; log:\n%s", len(readEvents()), agent.stderr.String())
	}
	// The events come one after the other from one queue: had the key's
	// come twice, it would be there before the Webull one. The first is
	// the expiry warning of the Webull token the agent found a day from
	// its end when it started; the last says that the agent asked Webull
	// for a new token and the prompt waits in the Webull app.
	evs := readEvents()
	var got []string
	for _, e := range evs {
		got = append(got, fmt.Sprint(e["credential"], " ", e["state"]))
	}
	if strings.Join(got, ", ") != "wb expiring, key broken, wb action-needed, wb pending" {
		t.Fatalf("the notify command got %v, want each event once: wb expiring, key broken, wb action-needed, wb pending", evs)
	}
	for _, i := range []int{2, 3} {
		if next, _ := evs[i]["next"].(map[string]any); next["command"] != "tokentray login wb" {
			t.Errorf("the Webull event's next command: %v", evs[i]["next"])
		}
	}
	if text, _ := evs[3]["text"].(string); !strings.Contains(text, "confirm it in the Webull app before") {
		t.Errorf("the pending event's text: %q", evs[3]["text"])
	}

	// Nobody is at a desktop to click Verify: the agent asks Webull for
	// a new token itself, the phone gets the prompt, and the agent turns
	// the token OK within a poll of the confirmation; the bot's token
	// file follows.
	var again string
	if !testutil.Poll(30*time.Second, 20*time.Millisecond, func() bool {
		for _, ti := range sb.Webull.Tokens() {
			if ti.Status == "PENDING" {
				again = ti.Token
			}
		}
		return again != ""
	}) {
		t.Fatalf("the agent started no verification (tokens %+v); log:\n%s", sb.Webull.Tokens(), agent.stderr.String())
	}
	secret(again)
	code, _ = sb.Webull.SMSCode(again)
	if err := sb.Webull.Verify(again, code); err != nil {
		t.Fatal(err)
	}
	confirmed := time.Now()
	if !testutil.Poll(30*time.Second, 20*time.Millisecond, func() bool {
		return firstLine() == again && strings.Contains(agent.stderr.String(), "wb: Pending -> OK")
	}) {
		t.Fatalf("the agent did not finish the verification; log:\n%s", agent.stderr.String())
	}
	if took := time.Since(confirmed); took > 12*time.Second {
		t.Errorf("the token turned OK %s after the confirmation, want within about one 5 s poll", took)
	}
	if !strings.Contains(agent.stderr.String(), "wb: started a new verification: confirm it in the Webull app") {
		t.Errorf("the log does not say a verification was started:\n%s", agent.stderr.String())
	}
	if r := s.run(nil, "token", "wb"); r.code != 0 || r.stdout != again+"\n" {
		t.Fatalf("token wb after the phone's confirmation: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if n := len(readEvents()); n != 4 {
		t.Errorf("the verification's end was told to the notify command too, or its start twice: %d events", n)
	}

	// Stopped by systemd (SIGTERM): it says so and ends cleanly.
	_ = agent.cmd.Process.Signal(syscall.SIGTERM)
	agent.wait(t, "the headless agent")
	log := agent.stderr.String()
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		if strings.Contains(l, "tray") && !strings.Contains(l, "tokentray") || strings.Contains(strings.ToLower(l), "display") || strings.Contains(l, "D-Bus") {
			t.Errorf("the headless agent spoke of a tray, a display or D-Bus: %q", l)
		}
	}
	if !strings.Contains(log, "tokentray agent running headless") || !strings.Contains(log, "tokentray agent stopped") {
		t.Errorf("log:\n%s", log)
	}
	// No secret in the log, the events, the settings, or the keychain file.
	keyText, _ := os.ReadFile(s.key())
	kc, _ := os.ReadFile(filepath.Join(dir, keychain.FileName))
	settings, _ := os.ReadFile(filepath.Join(dir, "settings.json"))
	evText, _ := os.ReadFile(events)
	for _, v := range secrets {
		for what, text := range map[string]string{"the agent's log": log, "the events": string(evText), "settings.json": string(settings), "the file keychain": string(kc)} {
			if strings.Contains(text, v) {
				t.Errorf("%s holds a secret", what)
			}
		}
	}
	if id, err := keychain.ParseKey(keyText); err != nil || strings.Contains(string(kc), id.String()) {
		t.Error("the file keychain holds its own key")
	}
}
