//go:build linux

package tray

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/auth/targets"
	"tokentray/auth/webull"
	"tokentray/internal/testutil"
)

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

// TestAgentKeepsAShareTargetOverSSHCurrent runs the agent over a Futu API
// key of the sandbox broker with a share target on a real OpenSSH server
// on 127.0.0.1: the env file appears with mode 0600, is replaced after an
// extend, comes back after being deleted, a stopped server shows the
// target failing (one notification, and one when it recovers), a push
// that hangs holds up no check with the broker, and removing the target
// deletes the file.
func TestAgentKeepsAShareTargetOverSSHCurrent(t *testing.T) {
	sshd := testutil.StartSSHServer(t)
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	// A wrapper around ssh that hangs while a file exists: a host that
	// takes the connection and never answers.
	hang := filepath.Join(t.TempDir(), "hang")
	wrapper := filepath.Join(t.TempDir(), "ssh")
	entered := filepath.Join(t.TempDir(), "entered")
	calls := filepath.Join(t.TempDir(), "calls")
	// It counts the pushes that ended (not ssh -G, which only reads the
	// configuration).
	script := "#!/bin/sh\nwhile [ -e " + hang + " ]; do touch " + entered + "; sleep 0.05; done\nssh -F " + sshd.Config + " \"$@\"\nrc=$?\n" +
		"case \"$*\" in *tokentray-pushed*) echo >> " + calls + ";; esac\nexit $rc\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	clock := clockwork.NewFakeClockAt(time.Now())
	changed := make(chan struct{}, 1)
	eng := engine.NewWithOptions(engine.Options{
		Store: st, Clock: clock,
		Providers:   map[auth.Kind]auth.Provider{auth.KindFutuKey: futu.NewKeyProvider(futu.Options{Clock: clock})},
		ShareRunner: &targets.Runner{SSHCommand: wrapper},
		OnChange: func(string) {
			select {
			case changed <- struct{}{}:
			default:
			}
		},
	})
	ctx := testutil.Context(t, 3*time.Minute)
	exp := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
	key, secret, tok := sb.Futu.AddAPIKey(exp)
	if _, err := eng.Add(ctx, auth.Credential{Name: "bot-key", Kind: auth.KindFutuKey, Endpoint: sb.FutuURL, ExpiresAt: exp},
		map[string]string{auth.FieldAppKey: key, auth.FieldAppSecret: secret, auth.FieldAccessToken: tok}); err != nil {
		t.Fatal(err)
	}
	remote := filepath.Join(t.TempDir(), "bot")
	tg, err := targets.ParseSSH(sshd.Target(remote))
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.AddTarget(ctx, "bot-key", tg); err != nil {
		t.Fatal(err)
	}

	n := &notes{}
	setCheckEvery(t, st, 24*time.Hour)
	a := NewAgent(service.Local{Eng: eng}, AgentOptions{Clock: clock, Dir: st.Dir(), Prefs: st, Changed: changed, Notifier: n})
	p := newFakePanel()
	a.out = newShown(p, a.Do).apply
	actx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { a.loop(actx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })

	file := filepath.Join(remote, "bot-key.env")
	testutil.EventuallyWithin(t, 30*time.Second, "the env file on the server", func() bool { return strings.Contains(readFile(file), "FUTU_ACCESS_TOKEN='"+tok+"'") })
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the env file: %v, mode %v; want 0600", err, fi.Mode())
	}
	if !strings.Contains(readFile(file), exp.Format(time.RFC3339)) {
		t.Fatalf("the env file does not say when the token expires: %q", readFile(file))
	}

	// An extend while the agent runs: the file is replaced once, by the
	// extend itself or by the agent, which sees the change; whichever
	// comes second finds the target holding the new file already.
	pushes := func() int { return strings.Count(readFile(calls), "\n") }
	testutil.EventuallyWithin(t, 30*time.Second, "the first push to end", func() bool { return pushes() == 1 })
	a.mu.Lock()
	keeper := a.keeper
	a.mu.Unlock()
	if err := keeper.Settle(ctx); err != nil { // the first push is recorded
		t.Fatal(err)
	}
	before := pushes()
	until := exp.Add(60 * 24 * time.Hour)
	h, ho, err := eng.ExtendWith(ctx, "bot-key", until, engine.ExtendOptions{})
	if err != nil || !h.ExpiresAt.Equal(until) {
		t.Fatalf("extend: %v, %v", h, err)
	}
	if len(ho.Updated) != 1 || len(ho.Failed) != 0 || ho.Updated[0].Kind != auth.HandoffTarget {
		t.Fatalf("the extend's handover: %+v", ho)
	}
	if !strings.Contains(readFile(file), until.Format(time.RFC3339)) {
		t.Fatalf("after the extend the env file holds %q", readFile(file))
	}
	if err := keeper.Settle(ctx); err != nil { // the agent has seen the extend
		t.Fatal(err)
	}
	if got := pushes(); got != before+1 {
		t.Fatalf("the extend's new file was pushed %d times; want once", got-before)
	}

	// Deleted on the server, it comes back within share-every.
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	settled := func() { // the keeper waits on its timer again
		t.Helper()
		if err := clock.BlockUntilContext(ctx, 2); err != nil {
			t.Fatal(err)
		}
	}
	settled()
	clock.Advance(59 * time.Minute)
	settled()
	if _, err := os.Stat(file); err == nil {
		t.Fatal("pushed again before share-every")
	}
	clock.Advance(time.Minute)
	testutil.EventuallyWithin(t, 30*time.Second, "the deleted file to come back", func() bool { return readFile(file) != "" })

	// The server stops: the target fails, said once, shown in the tray.
	sshd.Stop()
	until = until.Add(24 * time.Hour)
	if h, err := eng.Extend(ctx, "bot-key", until); err != nil || !h.ExpiresAt.Equal(until) {
		t.Fatalf("extend: %v, %v", h, err)
	}
	testutil.EventuallyWithin(t, 30*time.Second, "the failure to be announced", func() bool { return len(n.with("cannot be pushed to")) == 1 })
	if got := n.with("cannot be pushed to")[0]; !strings.Contains(got, "Nothing answers SSH at 127.0.0.1 (connection refused)") {
		t.Errorf("the notification: %q", got)
	}
	testutil.EventuallyWithin(t, 10*time.Second, "the tray to show the failing target", func() bool { return strings.Contains(p.tip(), "a share target fails") })
	settled()
	clock.Advance(time.Minute) // the first retry
	testutil.EventuallyWithin(t, 30*time.Second, "the retry", func() bool {
		_, sh, _ := eng.Shared("bot-key")
		return len(sh.Targets) == 1 && sh.Targets[0].State.Failures == 2
	})
	if got := n.with("cannot be pushed to"); len(got) != 1 {
		t.Fatalf("a target still failing was announced again: %q", got)
	}

	// It comes back: one notification, and the file is current.
	sshd.Start()
	settled()
	clock.Advance(2 * time.Minute)
	testutil.EventuallyWithin(t, 30*time.Second, "the recovery to be announced", func() bool { return len(n.with("is pushed to")) == 1 })
	if !strings.Contains(readFile(file), until.Format(time.RFC3339)) {
		t.Fatalf("after recovering the file holds %q", readFile(file))
	}

	// A push that hangs holds up no check with the broker.
	if err := os.WriteFile(hang, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	settled()
	clock.Advance(time.Hour) // share-every: the keeper pushes, and hangs
	testutil.EventuallyWithin(t, 30*time.Second, "the push to hang", func() bool { _, err := os.Stat(entered); return err == nil })
	start := time.Now()
	rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
	if _, err := eng.Refresh(rctx, "bot-key", true); err != nil {
		t.Fatalf("a check while a push hangs: %v", err)
	}
	rcancel()
	if d := time.Since(start); d > 8*time.Second {
		t.Fatalf("a check took %v while a push hung", d)
	}
	pushedAt := clock.Now()
	if err := os.Remove(hang); err != nil {
		t.Fatal(err)
	}
	testutil.EventuallyWithin(t, 30*time.Second, "the push after the hang", func() bool {
		_, sh, _ := eng.Shared("bot-key")
		return len(sh.Targets) == 1 && !sh.Targets[0].State.LastSuccess.Before(pushedAt)
	})

	// Removing the target deletes the file tokentray wrote.
	off, err := eng.RemoveTarget(ctx, "bot-key", tg)
	if err != nil || off.Removal != targets.Removed || off.Problem != "" {
		t.Fatalf("remove the target: %+v, %v", off, err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("the file is still on the server: %v", err)
	}
}

// TestAgentReplacesAWebullTokenFileAfterARenewal: a Webull app of the
// sandbox, verified at once (test environment), shares token.txt with a
// real OpenSSH server; a renewal while the agent runs replaces the file
// (a later expiry), and one that gives a new token string is announced
// too: bots started before keep the old token.
func TestAgentReplacesAWebullTokenFileAfterARenewal(t *testing.T) {
	sshd := testutil.StartSSHServer(t)
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	changed := make(chan struct{}, 1)
	eng := engine.NewWithOptions(engine.Options{
		Store:       st,
		Providers:   map[auth.Kind]auth.Provider{auth.KindWebull: webull.NewProvider(webull.Options{PollInterval: 50 * time.Millisecond, SDKTokenBase: t.TempDir()})},
		ShareRunner: &targets.Runner{SSHCommand: sshd.SSHCommand},
		OnChange: func(string) {
			select {
			case changed <- struct{}{}:
			default:
			}
		},
	})
	ctx := testutil.Context(t, 3*time.Minute)
	key, secret := sb.Webull.AddApp(true)
	if _, err := eng.AddWith(ctx, auth.Credential{Name: "wb", Kind: auth.KindWebull, Endpoint: sb.WebullURL, Region: "us", TestEnv: true},
		map[string]string{auth.FieldAppKey: key, auth.FieldAppSecret: secret}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Login(ctx, "wb", auth.LoginOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	first, err := eng.Token(ctx, "wb")
	if err != nil {
		t.Fatal(err)
	}
	remote := filepath.Join(t.TempDir(), "conf")
	tg, err := targets.ParseSSH(sshd.Target(remote))
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.AddTarget(ctx, "wb", tg); err != nil {
		t.Fatal(err)
	}
	n := &notes{}
	setCheckEvery(t, st, 24*time.Hour)
	a := NewAgent(service.Local{Eng: eng}, AgentOptions{Dir: st.Dir(), Prefs: st, Changed: changed, Notifier: n})
	a.out = newShown(newFakePanel(), a.Do).apply
	actx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { a.loop(actx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })

	file := filepath.Join(remote, "token.txt")
	testutil.EventuallyWithin(t, 30*time.Second, "token.txt on the server", func() bool { return strings.HasPrefix(readFile(file), first+"\n") })
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token.txt: %v, mode %v; want 0600", err, fi.Mode())
	}

	// A renewal with the agent running: Webull renews the same token to a
	// later expiry, and the file follows.
	before := readFile(file)
	if _, err := eng.Refresh(ctx, "wb", true); err != nil {
		t.Fatal(err)
	}
	c, _ := eng.Get("wb")
	want := webull.FormatTokenFile(webull.TokenInfo{Token: first, Expires: c.ExpiresAt, Status: webull.StatusNormal})
	if want == before {
		t.Fatalf("the renewal changed nothing the file holds: %q", before)
	}
	testutil.EventuallyWithin(t, 30*time.Second, "token.txt after the renewal", func() bool { return readFile(file) == want })
	if got := n.with("has a new token"); len(got) != 0 {
		t.Fatalf("a renewal that kept the token string was announced as new: %q", got)
	}

	// A renewal that gives a new token string: the file is replaced, and
	// the notification says that bots started before keep the old one.
	sb.Webull.SetRenewNewToken(true)
	if _, err := eng.Refresh(ctx, "wb", true); err != nil {
		t.Fatal(err)
	}
	second, err := eng.Token(ctx, "wb")
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatal("the renewal gave the same token")
	}
	testutil.EventuallyWithin(t, 30*time.Second, "token.txt after the renewal to a new token", func() bool { return strings.HasPrefix(readFile(file), second+"\n") })
	testutil.EventuallyWithin(t, 30*time.Second, "the new token to be announced", func() bool { return len(n.with("has a new token")) == 1 })
	if got := n.with("has a new token")[0]; !strings.Contains(got, "keep the old token until they are restarted") || strings.Contains(got, second) || strings.Contains(got, first) {
		t.Errorf("the notification: %q", got)
	}
}
