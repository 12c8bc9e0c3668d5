package cli_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/cli"
	"tokentray/internal/testutil"
)

// fakeRun runs the command line in-process over one fake Futu key
// broker whose checks end as fail says.
type fakeRun struct {
	deps           cli.Deps
	stdout, stderr *testutil.LockedBuffer
	prov           *testutil.FakeProvider
	eng            *engine.Engine
}

func newFakeRun(t *testing.T) *fakeRun {
	t.Helper()
	clock := clockwork.NewFakeClockAt(t0)
	dir := t.TempDir()
	st, err := store.Open(dir, testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeRun{stdout: &testutil.LockedBuffer{}, stderr: &testutil.LockedBuffer{}, prov: testutil.NewFakeProvider(auth.KindFutuKey, clock)}
	f.eng = engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: f.prov}, clock)
	f.deps = cli.Deps{
		Stdout: f.stdout, Stderr: f.stderr, Clock: clock,
		Open: func(bool) (cli.Parts, error) {
			return cli.Parts{Service: service.Local{Eng: f.eng}, Dir: dir, Prefs: st}, nil
		},
		ProfileDir: func(bool) (string, error) { return dir, nil },
	}
	if _, err := f.eng.Add(context.Background(), auth.Credential{Name: "k1", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppKey: "test-app-key-0001"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fakeRun) run(args ...string) int {
	f.stdout.Reset()
	f.stderr.Reset()
	return cli.Run(context.Background(), args, f.deps)
}

// Every next action is printed as the command that does it, built from
// the action, in the profile in use, wherever a health or an error is
// reported.
func TestNextActionsArePrintedAsCommands(t *testing.T) {
	verbs := map[auth.ActionKind]string{
		auth.ActionLogin: "login", auth.ActionVerify: "login", auth.ActionExtend: "extend",
		auth.ActionUpdate: "update", auth.ActionRetry: "refresh", auth.ActionShare: "share",
	}
	if len(verbs) != len(auth.ActionKinds) {
		t.Fatalf("the test covers %d action kinds, auth has %d", len(verbs), len(auth.ActionKinds))
	}
	for _, kind := range auth.ActionKinds {
		for _, profile := range [][]string{nil, {"--sandbox"}} {
			want := "Next: tokentray " + strings.Join(append(append([]string(nil), profile...), verbs[kind], "k1"), " ")
			f := newFakeRun(t)
			a := auth.Next(kind, "k1")
			// A health that needs the user, with its reason as a sentence.
			f.prov.Fail = func(*auth.Credential) (auth.Health, error) {
				return auth.Health{State: auth.ActionNeeded, Reason: "the broker wants you.", Next: a},
					auth.NeedsUserTo(a, "the broker wants you.")
			}
			if code := f.run(append(append([]string(nil), profile...), "refresh", "k1")...); code != cli.ExitNeedsUser {
				t.Fatalf("%s %v: refresh exit %d", kind, profile, code)
			}
			if got := f.stdout.String(); got != "k1: Action needed: the broker wants you. "+want+"\n" {
				t.Errorf("%s %v: refresh printed %q, want the command %q", kind, profile, got, want)
			}
			// The same as an error, with --sandbox after the command.
			if code := f.run(append([]string{"token", "k1"}, profile...)...); code != cli.ExitNeedsUser {
				t.Fatalf("%s %v: token exit %d", kind, profile, code)
			}
			if got := f.stderr.String(); got != "tokentray: the broker wants you. "+want+"\n" || f.stdout.String() != "" {
				t.Errorf("%s %v: token said %q / %q", kind, profile, f.stdout.String(), got)
			}
			// status shows what was recorded, and its JSON the same command;
			// it exits 3: the user must act.
			if code := f.run(append(append([]string(nil), profile...), "status")...); code != cli.ExitNeedsUser {
				t.Errorf("%s %v: status exit %d, want 3", kind, profile, code)
			}
			if !strings.Contains(f.stdout.String(), want) {
				t.Errorf("%s %v: status table lacks %q:\n%s", kind, profile, want, f.stdout.String())
			}
			f.run(append(append([]string(nil), profile...), "status", "--json")...)
			cmd := strings.TrimPrefix(want, "Next: ")
			if !strings.Contains(f.stdout.String(), `"action": "`+string(kind)+`"`) || !strings.Contains(f.stdout.String(), `"command": "`+cmd+`"`) {
				t.Errorf("%s %v: status --json lacks the next action:\n%s", kind, profile, f.stdout.String())
			}
		}
	}
}

// A broker that did not answer: the error goes to stderr with the retry.
func TestRetryIsPrintedForACheckThatFailed(t *testing.T) {
	f := newFakeRun(t)
	f.prov.Fail = func(c *auth.Credential) (auth.Health, error) {
		return auth.Health{State: auth.Unknown, Reason: "the broker did not answer", Next: auth.Next(auth.ActionRetry, c.Name)}, context.DeadlineExceeded
	}
	if code := f.run("refresh", "k1", "--sandbox"); code != cli.ExitError {
		t.Fatalf("exit %d", code)
	}
	if got := f.stderr.String(); got != "tokentray: k1: the broker did not answer. Next: tokentray --sandbox refresh k1\n" {
		t.Errorf("stderr %q", got)
	}
	// Checked, without an answer: status exits 1 and says which and what
	// to run, without claiming it was never checked.
	if code := f.run("--sandbox", "status"); code != cli.ExitError || f.stderr.String() != "tokentray: not known until the next check with the broker: k1 (run: tokentray --sandbox refresh)\n" {
		t.Errorf("status of a credential whose check failed: exit %d, %q", code, f.stderr.String())
	}
	// Never checked: said so.
	if _, err := f.eng.AddWith(context.Background(), auth.Credential{Name: "k0", Kind: auth.KindFutuKey},
		map[string]string{auth.FieldAppKey: "test-app-key-0000", auth.FieldAppSecret: "test-app-secret-0000", auth.FieldAccessToken: "test-access-0000"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	if code := f.run("--sandbox", "status"); code != cli.ExitError || f.stderr.String() != "tokentray: not checked yet with the broker: k0; not known until the next check with the broker: k1 (run: tokentray --sandbox refresh)\n" {
		t.Errorf("status of a never checked credential: exit %d, %q", code, f.stderr.String())
	}
	if _, err := f.eng.Remove(context.Background(), "k0"); err != nil {
		t.Fatal(err)
	}
	// Checked and fine: 0.
	f.prov.Fail = nil
	if code := f.run("refresh", "k1"); code != 0 {
		t.Fatalf("refresh: exit %d, %q", code, f.stderr.String())
	}
	if code := f.run("status"); code != 0 || f.stderr.String() != "" {
		t.Errorf("status of an OK credential: exit %d, %q", code, f.stderr.String())
	}
}

// status shows who a login belongs to and where its endpoints come
// from, in the table and in the JSON.
func TestStatusShowsTheAccountAndLayout(t *testing.T) {
	f := newFakeRun(t)
	if _, err := f.eng.Change(context.Background(), "k1", 0, func(c *auth.Credential) {
		c.Account = auth.Account{Name: "Alice Chan", FutuID: "10001234"}
		c.Layout = auth.LayoutFutuCLI
	}); err != nil {
		t.Fatal(err)
	}
	f.run("status", "--wide")
	if want := "account: Alice Chan · Futu ID 10001234; endpoints: the layout of Futu's own command line"; !strings.Contains(f.stdout.String(), want) {
		t.Errorf("status table lacks %q:\n%s", want, f.stdout.String())
	}
	f.run("status", "--json")
	for _, want := range []string{`"account": {`, `"name": "Alice Chan"`, `"futu_id": "10001234"`, `"layout": "futu-cli"`} {
		if !strings.Contains(f.stdout.String(), want) {
			t.Errorf("status --json lacks %s:\n%s", want, f.stdout.String())
		}
	}
}
