//go:build linux

package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/auth/targets"
	"tokentray/auth/webull"
	"tokentray/cli"
	"tokentray/internal/testutil"
)

// goneRun is a terminal run of the command line over an engine whose
// share targets are pushed with ssh reaching the real OpenSSH servers of
// the test.
type goneRun struct {
	*terminalRun
	remote map[string]string // target folder by what it stands for
}

func newGoneRun(t *testing.T, sshd, down *testutil.SSHServer, name, token string) *goneRun {
	t.Helper()
	r := &goneRun{terminalRun: &terminalRun{stdout: &testutil.LockedBuffer{}, stderr: &testutil.LockedBuffer{}}, remote: map[string]string{}}
	dir := t.TempDir()
	st, err := store.Open(dir, testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	// The ssh command takes the client config of the server whose port a
	// target names.
	sshCommand := sshd.SSHCommand
	if down != nil {
		wrapper := filepath.Join(t.TempDir(), "ssh")
		script := "#!/bin/sh\ncase \" $* \" in *\" -p " + strconv.Itoa(down.Port) + " \"*) exec ssh -F '" + down.Config + "' \"$@\";; esac\nexec ssh -F '" + sshd.Config + "' \"$@\"\n"
		if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
		sshCommand = wrapper
	}
	r.eng = engine.NewWithOptions(engine.Options{Store: st,
		Providers:   map[auth.Kind]auth.Provider{auth.KindWebull: webull.NewProvider(webull.Options{SDKTokenBase: t.TempDir()})},
		ShareRunner: &targets.Runner{SSHCommand: sshCommand}})
	r.deps = cli.Deps{
		Stdout: r.stdout, Stderr: r.stderr,
		IsTerminal: func(s any) bool { return true },
		Open: func(bool) (cli.Parts, error) {
			return cli.Parts{Service: service.Local{Eng: r.eng}, Dir: dir, Prefs: st}, nil
		},
	}
	ctx := context.Background()
	c := auth.Credential{Name: name, Kind: auth.KindWebull, Region: "us", Endpoint: "https://api.webull.com", TokenStatus: webull.StatusNormal, ExpiresAt: time.Now().Add(12 * 24 * time.Hour)}
	secrets := map[string]string{auth.FieldAppKey: "test-app-key-0001", auth.FieldAppSecret: "test-app-secret-0001", auth.FieldWebullToken: token}
	if _, err := r.eng.AddWith(ctx, c, secrets, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	add := func(what, spec string, parse func(string) (targets.Target, error)) {
		t.Helper()
		tg, err := parse(spec)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.eng.AddTarget(ctx, name, tg); err != nil {
			t.Fatal(err)
		}
	}
	for _, what := range []string{"kept as pushed", "changed there"} {
		r.remote[what] = filepath.Join(t.TempDir(), "conf")
		add(what, sshd.Target(r.remote[what]), targets.ParseSSH)
	}
	if down != nil {
		r.remote["down"] = filepath.Join(t.TempDir(), "conf")
		add("down", down.URL(r.remote["down"]), targets.ParseSSH)
		r.remote["command"] = filepath.Join(t.TempDir(), "got")
		add("command", "cat > "+r.remote["command"], targets.ParseExec)
	}
	res, err := r.eng.Push(ctx, name, nil)
	if err != nil || res.Failed() != 0 || res.Nothing != nil {
		t.Fatalf("the first push: %+v, %v", res, err)
	}
	for what, d := range r.remote {
		f := filepath.Join(d, "token.txt")
		if what == "command" {
			f = d
		}
		if b, err := os.ReadFile(f); err != nil || !strings.HasPrefix(string(b), token+"\n") {
			t.Fatalf("%s: the pushed file holds %q (%v)", what, b, err)
		}
	}
	// Someone writes their own token.txt over one of them.
	if err := os.WriteFile(filepath.Join(r.remote["changed there"], "token.txt"), []byte("written by hand\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *goneRun) holds(what string) bool {
	_, err := os.Stat(filepath.Join(r.remote[what], "token.txt"))
	return err == nil
}

// TestRemoveDeletesTheFilesPushedToShareTargets: removing a credential
// on a terminal names its SSH share targets in the question and, once
// it is removed, deletes the file pushed to each where it still holds
// what tokentray pushed, saying what became of each: a file changed
// there is kept, a host that does not answer keeps its file without
// holding up the removal, and what a command did is the command's.
func TestRemoveDeletesTheFilesPushedToShareTargets(t *testing.T) {
	sshd := testutil.StartSSHServer(t)
	down := testutil.StartSSHServer(t)
	r := newGoneRun(t, sshd, down, "wb", "test-webull-token-0001")
	down.Stop()

	if code := r.run("n\n", "remove", "wb"); code != 1 {
		t.Fatalf("remove answered no: exit %d; stderr %q", code, r.stderr.String())
	}
	// The question wraps on a terminal: read it as one line.
	q := strings.Join(strings.Fields(r.stderr.String()), " ")
	for _, want := range []string{"the file pushed to 127.0.0.1:" + r.remote["kept as pushed"], "127.0.0.1:" + r.remote["changed there"], "is deleted there while it still holds what tokentray pushed"} {
		if !strings.Contains(q, want) {
			t.Fatalf("remove asked %q; want it to say %q", q, want)
		}
	}
	if !r.holds("kept as pushed") {
		t.Fatal("remove answered no deleted a pushed file")
	}

	start := time.Now()
	if code := r.run("y\n", "remove", "wb"); code != 0 {
		t.Fatalf("remove: exit %d; stderr %q", code, r.stderr.String())
	}
	if d := time.Since(start); d > engine.TargetsOffWait {
		t.Errorf("the removal took %v", d)
	}
	if r.exists(t) {
		t.Fatal("the credential is still there")
	}
	out := r.stdout.String()
	if r.holds("kept as pushed") {
		t.Error("the file tokentray pushed is still on the server")
	}
	if b, _ := os.ReadFile(filepath.Join(r.remote["changed there"], "token.txt")); string(b) != "written by hand\n" {
		t.Errorf("the file written by hand holds %q after the removal", b)
	}
	if !r.holds("down") {
		t.Error("the file on the host that did not answer is gone")
	}
	if _, err := os.Stat(r.remote["command"]); err != nil {
		t.Errorf("what the command wrote: %v", err)
	}
	for _, want := range []string{
		"Removed wb.",
		"Deleted the file pushed to 127.0.0.1:" + r.remote["kept as pushed"] + ".",
		"Left the file on 127.0.0.1:" + r.remote["changed there"] + " as it is: it no longer holds what tokentray pushed.",
		"Left the file on " + down.URL(r.remote["down"]) + " as it is: nothing answers SSH at " + down.User + "@127.0.0.1:" + strconv.Itoa(down.Port) + " (connection refused)",
		"Left as it is what the command \"cat > " + r.remote["command"] + "\" did with the file",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("remove said %q; want %q", out, want)
		}
	}
	if strings.Contains(out+r.stderr.String(), "test-webull-token-0001") {
		t.Fatal("the token was printed")
	}
}

// TestLogoutDeletesTheFilesPushedToShareTargets: a logout deletes the
// token file pushed to each SSH share target where it still holds the
// token tokentray pushed, says so for each, and keeps the targets for
// the next login.
func TestLogoutDeletesTheFilesPushedToShareTargets(t *testing.T) {
	sshd := testutil.StartSSHServer(t)
	r := newGoneRun(t, sshd, nil, "wb", "test-webull-token-0002")
	if code := r.run("", "logout", "wb", "--yes"); code != 0 {
		t.Fatalf("logout: exit %d; stderr %q", code, r.stderr.String())
	}
	out := r.stdout.String()
	if r.holds("kept as pushed") {
		t.Error("the token file pushed before the logout is still on the server")
	}
	if b, _ := os.ReadFile(filepath.Join(r.remote["changed there"], "token.txt")); string(b) != "written by hand\n" {
		t.Errorf("the file written by hand holds %q after the logout", b)
	}
	for _, want := range []string{
		"Logged out wb",
		"Deleted the file pushed to 127.0.0.1:" + r.remote["kept as pushed"] + ".",
		"Left the file on 127.0.0.1:" + r.remote["changed there"] + " as it is: it no longer holds what tokentray pushed.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("logout said %q; want %q", out, want)
		}
	}
	if _, sh, err := r.eng.Shared("wb"); err != nil || len(sh.Targets) != 2 {
		t.Fatalf("after the logout the targets are %+v (%v); want both kept", sh.Targets, err)
	}
}

// TestRemoveDoesNotWaitForAHostThatNeverAnswers: a share target whose
// host takes the connection and never answers keeps its file, is
// reported as left, and the removal ends at the bound.
func TestRemoveDoesNotWaitForAHostThatNeverAnswers(t *testing.T) {
	sshd := testutil.StartSSHServer(t)
	r := newGoneRun(t, sshd, nil, "wb", "test-webull-token-0003")
	// From here ssh hangs, as a host that never answers does.
	hang := filepath.Join(t.TempDir(), "ssh")
	if err := os.WriteFile(hang, []byte("#!/bin/sh\nexec sleep 600\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	st := r.eng.Store()
	r.eng = engine.NewWithOptions(engine.Options{Store: st,
		Providers:      map[auth.Kind]auth.Provider{auth.KindWebull: webull.NewProvider(webull.Options{SDKTokenBase: t.TempDir()})},
		ShareRunner:    &targets.Runner{SSHCommand: hang},
		TargetsOffWait: 2 * time.Second})
	start := time.Now()
	if code := r.run("", "remove", "wb", "--yes"); code != 0 {
		t.Fatalf("remove: exit %d; stderr %q", code, r.stderr.String())
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("the removal waited %v for a host that never answers", d)
	}
	if r.exists(t) {
		t.Fatal("the credential is still there")
	}
	want := "Left the file on 127.0.0.1:" + r.remote["kept as pushed"] + " as it is: 127.0.0.1 did not answer within 2 s."
	if out := r.stdout.String(); !strings.Contains(out, want) {
		t.Fatalf("remove said %q; want %q", out, want)
	}
	if !r.holds("kept as pushed") {
		t.Fatal("the file on the host that never answered is gone")
	}
}

// TestRemoveWaitsForAPushInFlight: a push of the agent still running
// when the credential is removed would write the file again after it was
// deleted; the removal waits for it within the bound, and what it
// reports is what is on the server once that push has ended.
func TestRemoveWaitsForAPushInFlight(t *testing.T) {
	sshd := testutil.StartSSHServer(t)
	r := newGoneRun(t, sshd, nil, "wb", "test-webull-token-0004")
	// A push (not a removal) waits while the file hold exists.
	dir := t.TempDir()
	hold, entered := filepath.Join(dir, "hold"), filepath.Join(dir, "entered")
	wrapper := filepath.Join(dir, "ssh")
	script := "#!/bin/sh\ncase \"$*\" in *tokentray-pushed*) while [ -e " + hold + " ]; do touch " + entered + "; sleep 0.05; done;; esac\nexec ssh -F '" + sshd.Config + "' \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hold, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	st := r.eng.Store()
	r.eng = engine.NewWithOptions(engine.Options{Store: st,
		Providers:      map[auth.Kind]auth.Provider{auth.KindWebull: webull.NewProvider(webull.Options{SDKTokenBase: t.TempDir()})},
		ShareRunner:    &targets.Runner{SSHCommand: wrapper},
		TargetsOffWait: 2 * time.Second})
	// The file is deleted there, and a push is on its way.
	if err := os.Remove(filepath.Join(r.remote["kept as pushed"], "token.txt")); err != nil {
		t.Fatal(err)
	}
	pushed := make(chan error, 1)
	go func() {
		_, err := r.eng.Push(context.Background(), "wb", nil)
		pushed <- err
	}()
	testutil.EventuallyWithin(t, 30*time.Second, "the push to start", func() bool { _, err := os.Stat(entered); return err == nil })

	if code := r.run("", "remove", "wb", "--yes"); code != 0 {
		t.Fatalf("remove: exit %d; stderr %q", code, r.stderr.String())
	}
	out := r.stdout.String()
	if err := os.Remove(hold); err != nil {
		t.Fatal(err)
	}
	if err := <-pushed; err != nil {
		t.Logf("the push: %v", err)
	}
	left := "Left the file on 127.0.0.1:" + r.remote["kept as pushed"] + " as it is: a push to it was still running after 2 s."
	if !strings.Contains(out, left) {
		t.Errorf("remove said %q; want %q", out, left)
	}
	gone := strings.Contains(out, "Deleted the file pushed to 127.0.0.1:"+r.remote["kept as pushed"]) || strings.Contains(out, "There was no file on 127.0.0.1:"+r.remote["kept as pushed"])
	if gone && r.holds("kept as pushed") {
		t.Fatal("remove said the file is gone, and the push in flight wrote it there")
	}
}
