package cli_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/cli"
	"tokentray/internal/testutil"
)

// statusFixture is an in-process command line over three credentials
// whose reasons are long, as real ones are.
func statusFixture(t *testing.T) *inProcess {
	t.Helper()
	ip := newInProcess(t, false)
	ip.deps.IsTerminal = func(s any) bool { return s == ip.deps.Stdin }
	for i, name := range []string{"webull-us", "webull-hk-long-name"} {
		ip.deps.ReadSecret = func(prompt string) (string, error) {
			return map[string]string{"Webull App Key: ": fmt.Sprintf("test-app-key-id-000%d", i+1), "Webull App Secret: ": "test-app-secret-0001"}[prompt], nil
		}
		if code := ip.run("add", "webull", name, "--region", "us"); code != 0 {
			t.Fatalf("add %s: exit %d, stderr %q", name, code, ip.stderr.String())
		}
	}
	ip.stdout.Reset()
	ip.stderr.Reset()
	return ip
}

func TestStatusFitsEightyColumns(t *testing.T) {
	ip := statusFixture(t)
	if code := ip.run("status"); code != cli.ExitNeedsUser {
		t.Fatalf("status: exit %d, stderr %q", code, ip.stderr.String())
	}
	out := ip.stdout.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("a line of %d columns:\n%s", n, l)
		}
	}
	// The reason, with what to do, is under its row, indented.
	var rows []string
	for i, l := range lines {
		if strings.HasPrefix(l, "webull-") {
			rows = append(rows, l)
			if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "    ") || !strings.Contains(out, "tokentray login "+strings.Fields(l)[0]) {
				t.Errorf("row %q has no reason under it:\n%s", l, out)
			}
		}
	}
	if len(rows) != 2 {
		t.Fatalf("rows %q:\n%s", rows, out)
	}
	// The rows stay aligned under the header.
	for _, col := range []string{"KIND", "HEALTH", "EXPIRES", "LEFT"} {
		at := strings.Index(lines[0], col)
		for _, r := range rows {
			if len(r) <= at || r[at-1] != ' ' || r[at] == ' ' {
				t.Errorf("the %s column of row %q does not start under the header %q", col, r, lines[0])
			}
		}
	}

	// --wide is one row a credential with the reason last.
	ip.stdout.Reset()
	ip.run("status", "--wide")
	wide := strings.Split(strings.TrimSuffix(ip.stdout.String(), "\n"), "\n")
	if len(wide) != 3 || !strings.HasSuffix(wide[0], "REASON") {
		t.Errorf("status --wide:\n%s", ip.stdout.String())
	}
	// A wide terminal gets the wide table by itself.
	ip.stdout.Reset()
	ip.deps.Getenv = func(k string) string { return map[string]string{"COLUMNS": "300"}[k] }
	ip.run("status")
	if got := ip.stdout.String(); !strings.Contains(got, "REASON") {
		t.Errorf("status on 300 columns:\n%s", got)
	}
}

func TestStatusOfOneCredentialShowsItInFull(t *testing.T) {
	ip := statusFixture(t)
	ip.clock.Advance(time.Hour)
	if code := ip.run("status", "webull-us"); code != cli.ExitNeedsUser {
		t.Fatalf("status webull-us: exit %d, stderr %q", code, ip.stderr.String())
	}
	out := ip.stdout.String()
	for _, want := range []string{"webull-us\n", "kind:", "Webull token (webull)", "health:", "Action needed", "next:", "tokentray login webull-us", "endpoint:", "region:", "us", "app key:", "test-app-key-id-0001", "added:", "last check:"} {
		if !strings.Contains(out, want) {
			t.Errorf("status webull-us lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "test-app-secret-0001") {
		t.Errorf("status NAME showed the app secret:\n%s", out)
	}
	if strings.Contains(out, "webull-hk-long-name") {
		t.Errorf("status NAME showed another credential:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(l) > 80 {
			t.Errorf("a line wider than 80 columns: %q", l)
		}
	}
	if code := ip.run("status", "webull-us", "--json"); code != cli.ExitUsage {
		t.Errorf("status NAME --json: exit %d", code)
	}
	_ = context.Background
	_ = auth.OK
}

// status NAME gives each fact one row: the account and where the
// endpoints come from are not said again in a line of notes, what the
// login may do has a row of its own, and an app with 2FA off says it has
// no token to expire rather than that its expiry is not known yet.
func TestStatusOfOneCredentialSaysEachFactOnce(t *testing.T) {
	ip := statusFixture(t)
	if _, err := ip.eng.Change(context.Background(), "webull-us", 0, func(c *auth.Credential) {
		c.Account = auth.Account{Name: "Alice Chan", FutuID: "10001234"}
		c.Access = &auth.Access{Quote: true, Trade: true, Checked: true, Accounts: []string{"281756"}}
		c.Layout = auth.LayoutFutuCLI
		c.TwoFactorOff = true
	}); err != nil {
		t.Fatal(err)
	}
	ip.run("status", "webull-us")
	out := ip.stdout.String()
	for _, want := range []string{"Alice Chan", "Futu's own command line", "quotes and trading"} {
		if n := strings.Count(out, want); n != 1 {
			t.Errorf("status webull-us says %q %d times, want once:\n%s", want, n, out)
		}
	}
	if !strings.Contains(out, "  access:        quotes and trading (account 281756)\n") {
		t.Errorf("status webull-us has no access row:\n%s", out)
	}
	if strings.Contains(out, "not known yet") || !strings.Contains(out, "no token: 2FA is off") {
		t.Errorf("status of an app with 2FA off, on its expiry:\n%s", out)
	}
}

func TestDidYouMeanForCommandsAndNames(t *testing.T) {
	ip := statusFixture(t)
	// An empty sandbox profile beside the real one.
	sst, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	seng := engine.New(sst, map[auth.Kind]auth.Provider{auth.KindWebull: ip.prov}, ip.clock)
	real := ip.deps.Open
	ip.deps.Open = func(sandbox bool) (cli.Parts, error) {
		if sandbox {
			return cli.Parts{Service: service.Local{Eng: seng}, Dir: sst.Dir(), Prefs: sst}, nil
		}
		return real(false)
	}
	ip.deps.ProfileDir = func(sandbox bool) (string, error) {
		if sandbox {
			return sst.Dir(), nil
		}
		return ip.eng.Store().Dir(), nil
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"stauts"}, cli.ExitUsage, `tokentray: "stauts" is not a tokentray command; did you mean status? Run: tokentray help` + "\n"},
		{[]string{"help", "logni"}, cli.ExitUsage, `tokentray: "logni" is not a tokentray command; did you mean login? Run: tokentray help` + "\n"},
		{[]string{"token", "webull-su"}, cli.ExitError, `tokentray: no credential is named "webull-su"; did you mean webull-us? See every name with: tokentray status` + "\n"},
		{[]string{"status", "Webull-usa"}, cli.ExitError, `tokentray: no credential is named "Webull-usa"; did you mean webull-us? See every name with: tokentray status` + "\n"},
		{[]string{"window", "webull-su"}, cli.ExitError, `tokentray: no credential is named "webull-su"; did you mean webull-us? See every name with: tokentray status` + "\n"},
		{[]string{"login", "futu-main"}, cli.ExitError, `tokentray: no credential is named "futu-main"; see the names of your credentials with: tokentray status` + "\n"},
		// The sandbox profile has none of them: the real one has.
		{[]string{"--sandbox", "login", "webull-us"}, cli.ExitError, `tokentray: no credential is named "webull-us" here; your real profile has one (without --sandbox): tokentray status webull-us` + "\n"},
		{[]string{"--sandbox", "status", "webull-su"}, cli.ExitError, `tokentray: no credential is named "webull-su"; see the names of your credentials with: tokentray --sandbox status` + "\n"},
	}
	for _, c := range cases {
		ip.stderr.Reset()
		code := ip.run(c.args...)
		if code != c.code || (c.want != "" && ip.stderr.String() != c.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d, %q", c.args, code, ip.stderr.String(), c.code, c.want)
		}
	}
}

// Ctrl-C at a confirmation stops the command at once and changes
// nothing; Ctrl-D answers no.
func TestCtrlCAtAConfirmationStopsAtOnce(t *testing.T) {
	for _, c := range []struct {
		err  error
		code int
	}{{cli.ErrInterrupted, cli.ExitInterrupted}, {io.EOF, cli.ExitError}} {
		r := newTerminalRun(t)
		r.deps.ReadLine = func(prompt string) (string, error) {
			if !strings.Contains(prompt, "[y/N]") {
				t.Errorf("asked %q", prompt)
			}
			return "", c.err
		}
		if code := r.run("", "remove", "wb"); code != c.code {
			t.Errorf("%v: exit %d, want %d; stderr %q", c.err, code, c.code, r.stderr.String())
		}
		if !r.exists(t) {
			t.Errorf("%v: wb was removed", c.err)
		}
	}
}
