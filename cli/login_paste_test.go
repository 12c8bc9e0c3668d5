package cli_test

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/testutil"
)

// login --no-browser prints the address to open on another device and
// finishes when the person pastes the address the browser landed on; a
// wrong one is refused and the login keeps waiting.
func TestFutuOAuthLoginByPasting(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "pasted", "--endpoint", sb.FutuURL), 0, "add futu-oauth")

	t.Setenv("PATH", t.TempDir()) // no browser to find
	paste, stdin := io.Pipe()
	login := x.startReading(nil, paste, "login", "pasted", "--no-browser")
	defer func() { login.kill(); stdin.Close() }()
	stdout, stderr := login.stdout, login.stderr
	done := make(chan error, 1)
	go func() {
		<-login.done
		if login.res.code != 0 {
			done <- fmt.Errorf("exit %d", login.res.code)
		}
		close(done)
	}()

	waitOut := func(what string, ok func(string) bool) {
		t.Helper()
		if !testutil.Poll(30*time.Second, 20*time.Millisecond, func() bool { return ok(stdout.String()) }) {
			t.Fatalf("no %s; stdout %q stderr %q", what, stdout.String(), stderr.String())
		}
	}
	var page string
	waitOut("address to open", func(out string) bool {
		for _, l := range strings.Split(out, "\n") {
			if s := strings.TrimSpace(l); strings.HasPrefix(s, "http") {
				page = s
			}
		}
		return page != ""
	})
	landed, err := (futusimtest.Browser{Approve: true}).Landing(page)
	if err != nil {
		t.Fatal(err)
	}
	x.secret(landed)
	// A pasted address with the wrong state: refused, still waiting. It
	// is the landing address with its state changed, so it names the
	// port this login listens on (60355, or another when that is busy).
	wrong, err := url.Parse(landed)
	if err != nil {
		t.Fatal(err)
	}
	wrong.RawQuery = url.Values{"code": {"test-code-0001"}, "state": {"wrong"}}.Encode()
	before := stdout.String()
	if _, err := io.WriteString(stdin, wrong.String()+"\n"); err != nil {
		t.Fatal(err)
	}
	waitOut("refusal of a wrong address", func(out string) bool {
		return strings.Contains(out[len(before):], "belongs to another login")
	})
	select {
	case err := <-done:
		t.Fatalf("login ended on a wrong address: %v; stdout %q", err, stdout.String())
	default:
	}
	if _, err := io.WriteString(stdin, landed+"\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("login: %v; stdout %q stderr %q", err, stdout.String(), stderr.String())
		}
		x.checkOutput([]string{"login"}, login.res)
	case <-time.After(30 * time.Second):
		t.Fatalf("login did not finish after the paste; stdout %q", stdout.String())
	}
	if !strings.Contains(stdout.String(), "pasted: OK") {
		t.Errorf("login said %q", stdout.String())
	}
	tok := x.run(nil, "", "token", "pasted")
	wantCode(t, tok, 0, "token after the pasted login")
	x.secret(strings.TrimSpace(tok.stdout))
}
