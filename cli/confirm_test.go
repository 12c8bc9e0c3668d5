package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/auth/webull"
	"tokentray/cli"
	"tokentray/internal/testutil"
)

// terminalRun runs the command line in-process as if on a terminal,
// with a Webull app that shares its token file, added without a broker.
type terminalRun struct {
	deps           cli.Deps
	stdout, stderr *testutil.LockedBuffer
	eng            *engine.Engine
	clock          *clockwork.FakeClock
	file           string
}

func newTerminalRun(t *testing.T) *terminalRun {
	t.Helper()
	r := &terminalRun{stdout: &testutil.LockedBuffer{}, stderr: &testutil.LockedBuffer{}, clock: clockwork.NewFakeClockAt(t0)}
	dir := t.TempDir()
	st, err := store.Open(dir, testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	r.eng = engine.New(st, map[auth.Kind]auth.Provider{auth.KindWebull: webull.NewProvider(webull.Options{Clock: r.clock})}, r.clock)
	r.deps = cli.Deps{
		Stdout: r.stdout, Stderr: r.stderr, Clock: r.clock,
		IsTerminal: func(s any) bool { return true },
		Open: func(bool) (cli.Parts, error) {
			return cli.Parts{Service: service.Local{Eng: r.eng}, Dir: dir, Prefs: st}, nil
		},
	}
	share := filepath.Join(t.TempDir(), "conf")
	c := auth.Credential{Name: "wb", Kind: auth.KindWebull, Region: "us", Endpoint: "https://api.webull.com", ShareWithSDK: true, SDKTokenDir: share, ExpiresAt: t0.Add(12*24*time.Hour + time.Hour)}
	secrets := map[string]string{auth.FieldAppKey: "test-app-key-0001", auth.FieldAppSecret: "test-app-secret-0001", auth.FieldWebullToken: "test-webull-token-0001"}
	if _, err := r.eng.AddWith(context.Background(), c, secrets, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	r.file = filepath.Join(share, "token.txt")
	return r
}

func (r *terminalRun) run(stdin string, args ...string) int {
	r.stdout.Reset()
	r.stderr.Reset()
	r.deps.Stdin = strings.NewReader(stdin)
	return cli.Run(context.Background(), args, r.deps)
}

func (r *terminalRun) exists(t *testing.T) bool {
	t.Helper()
	_, err := r.eng.Get("wb")
	return err == nil
}

// remove and logout on a terminal say what stops working and ask; no
// answer, or no, changes nothing; yes or --yes goes ahead.
func TestRemoveAndLogoutAskOnATerminal(t *testing.T) {
	for _, cmd := range []string{"remove", "logout"} {
		t.Run(cmd, func(t *testing.T) {
			r := newTerminalRun(t)
			for _, answer := range []string{"n\n", "", "whatever\n"} {
				if code := r.run(answer, cmd, "wb"); code != 1 {
					t.Fatalf("%s answered %q: exit %d, want 1; stderr %q", cmd, answer, code, r.stderr.String())
				}
				// The question wraps on a terminal: read it as one line.
				q := strings.Join(strings.Fields(r.stderr.String()), " ")
				for _, want := range []string{r.file, "tokentray token, env or exec for wb", "12 days left", "[y/N]"} {
					if !strings.Contains(q, want) {
						t.Fatalf("%s asked %q, want it to name %q", cmd, q, want)
					}
				}
				if !strings.Contains(q, "nothing was changed") {
					t.Fatalf("%s answered %q said %q, want that nothing was changed", cmd, answer, q)
				}
				c, err := r.eng.Get("wb")
				if err != nil || c.ExpiresAt.IsZero() {
					t.Fatalf("%s answered %q changed the credential (%v)", cmd, answer, err)
				}
			}
			if code := r.run("y\n", cmd, "wb"); code != 0 {
				t.Fatalf("%s answered yes: exit %d; stderr %q", cmd, code, r.stderr.String())
			}
			if cmd == "remove" && r.exists(t) {
				t.Fatal("remove answered yes left the credential")
			}
			if cmd == "logout" {
				if c, _ := r.eng.Get("wb"); !c.ExpiresAt.IsZero() {
					t.Fatal("logout answered yes did not log out")
				}
			}
		})
	}
}

func TestRemoveWithYesOrWithoutATerminalAsksNothing(t *testing.T) {
	r := newTerminalRun(t)
	if code := r.run("", "remove", "wb", "--yes"); code != 0 || strings.Contains(r.stderr.String(), "[y/N]") || r.exists(t) {
		t.Fatalf("remove --yes: exit %d, stderr %q", code, r.stderr.String())
	}
	r = newTerminalRun(t)
	r.deps.IsTerminal = func(any) bool { return false }
	if code := r.run("", "remove", "wb"); code != 0 || strings.Contains(r.stderr.String(), "[y/N]") || r.exists(t) {
		t.Fatalf("remove without a terminal: exit %d, stderr %q", code, r.stderr.String())
	}
}
