package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// extend on a terminal says that the old token stops working and what
// keeps it, and asks; no changes nothing, yes and --yes extend and name
// what got the new token and what did not.
func TestExtendAsksBeforeReplacingTheToken(t *testing.T) {
	f := newFakeRun(t)
	var extended []time.Time
	f.prov.ExtendFunc = func(_ context.Context, c *auth.Credential, _ auth.Secrets, until time.Time) (auth.Health, error) {
		extended = append(extended, until)
		c.ExpiresAt = until
		return auth.Health{State: auth.OK, Reason: "extended", ExpiresAt: until}, nil
	}
	f.deps.IsTerminal = func(any) bool { return true }
	f.deps.Stdin = strings.NewReader("n\n")
	if code := f.run("extend", "k1", "--days", "90"); code != 1 || len(extended) != 0 {
		t.Fatalf("extend answered no: exit %d, %d extensions; stderr %q", code, len(extended), f.stderr.String())
	}
	// The question wraps on a terminal: read it as one line.
	q := strings.Join(strings.Fields(f.stderr.String()), " ")
	for _, want := range []string{"retires the old token", "stops working. Processes started by tokentray exec", "must be restarted", "2027-02-21", "[y/N]"} {
		if !strings.Contains(q, want) {
			t.Fatalf("extend asked %q, want it to say %q", q, want)
		}
	}
	f.deps.Stdin = strings.NewReader("y\n")
	if code := f.run("extend", "k1", "--days", "90"); code != 0 || len(extended) != 1 {
		t.Fatalf("extend answered yes: exit %d, %d extensions; stderr %q", code, len(extended), f.stderr.String())
	}
	out := f.stdout.String()
	for _, want := range []string{"No shared file or share target holds k1's token", "Processes started by tokentray exec or with tokentray env still hold the old token", "restart them"} {
		if !strings.Contains(out, want) {
			t.Fatalf("after extending it said %q, want %q", out, want)
		}
	}
	f.deps.Stdin = strings.NewReader("")
	if code := f.run("extend", "k1", "--days", "200", "--yes"); code != 0 || len(extended) != 2 || strings.Contains(f.stderr.String(), "[y/N]") {
		t.Fatalf("extend --yes: exit %d, %d extensions; stderr %q", code, len(extended), f.stderr.String())
	}
}

// An extension that would end before the current token is refused with
// both dates, and nothing is asked of the broker, unless --shorten.
func TestExtendNeverShortensUnlessAsked(t *testing.T) {
	f := newFakeRun(t)
	calls := 0
	f.prov.ExtendFunc = func(_ context.Context, c *auth.Credential, _ auth.Secrets, until time.Time) (auth.Health, error) {
		calls++
		c.ExpiresAt = until
		return auth.Health{State: auth.OK, Reason: "extended", ExpiresAt: until}, nil
	}
	if code := f.run("extend", "k1", "--days", "100"); code != 0 {
		t.Fatalf("first extend: %d %q", code, f.stderr.String())
	}
	for _, args := range [][]string{{"extend", "k1", "--days", "30"}, {"extend", "k1"}} {
		code := f.run(args...)
		msg := f.stderr.String()
		if code != 2 || calls != 1 || !strings.Contains(msg, "2027-03-03") || !strings.Contains(msg, "nothing was changed") || !strings.Contains(msg, "--shorten") {
			t.Fatalf("%v on a token valid 100 more days: exit %d, %d extensions, said %q; want it refused with both dates", args, code, calls, msg)
		}
	}
	if !strings.Contains(f.stderr.String(), "2027-02-21") {
		t.Fatalf("extend with the default 90 days on a token with 100 left said %q, want the date 90 days would end on", f.stderr.String())
	}
	if code := f.run("extend", "k1", "--days", "30", "--shorten"); code != 0 || calls != 2 {
		t.Fatalf("extend --shorten: exit %d, %d extensions; %q", code, calls, f.stderr.String())
	}
}

// An extension pushes the new token to the key's share targets at once
// and names each that got it; the old token no longer works anywhere.
func TestExtendUpdatesShareTargetsAndSaysSo(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	old := addFutuKey(t, x, sb, "key", 30)
	got := filepath.Join(t.TempDir(), "key.env")
	cmd := "cat > " + got
	wantCode(t, x.run(nil, "", "share", "key", "--exec", cmd), 0, "share --exec")

	ext := x.run(nil, "", "extend", "key", "--days", "100", "--yes")
	x.checkOutput([]string{"extend"}, ext)
	wantCode(t, ext, 0, "extend")
	tok := x.run(nil, "", "token", "key")
	fresh := strings.TrimSpace(tok.stdout)
	x.secret(fresh)
	if fresh == old || fresh == "" {
		t.Fatal("extend did not store a new token")
	}
	if !strings.Contains(ext.stdout, "Updated with the new token: the share target "+cmd) || !strings.Contains(ext.stdout, "restart them") {
		t.Fatalf("extend said %q, want the share target named as updated and the processes that are not", ext.stdout)
	}
	if b, _ := os.ReadFile(got); !strings.Contains(string(b), "FUTU_ACCESS_TOKEN='"+fresh+"'") {
		t.Fatal("the share target did not get the new token")
	}
}

// On a terminal the question wraps at the terminal's width between
// words (Chinese between characters), never inside a command, and the
// answer is typed after its last line.
func TestExtendQuestionWrapsOnATerminal(t *testing.T) {
	for _, lang := range []msg.Lang{msg.English, msg.HongKongChinese} {
		f := newFakeRun(t)
		f.deps.IsTerminal = func(any) bool { return true }
		f.deps.Getenv = func(k string) string { return map[string]string{"COLUMNS": "80"}[k] }
		f.deps.Language = func(bool) msg.Lang { return lang }
		f.deps.Stdin = strings.NewReader("n\n")
		if code := f.run("extend", "k1", "--days", "90"); code != 1 {
			t.Fatalf("%s: extend answered no: exit %d; stderr %q", lang, code, f.stderr.String())
		}
		// The question, up to where the answer is typed (not echoed here).
		q, _, ok := strings.Cut(f.stderr.String(), "[y/N] ")
		if !ok {
			t.Fatalf("%s: no [y/N] to answer after: %q", lang, f.stderr.String())
		}
		lines := strings.Split(q, "\n")
		if len(lines) < 3 {
			t.Fatalf("%s: the question is not wrapped: %q", lang, q)
		}
		for _, l := range lines {
			if w := columns(l); w > 80 {
				t.Errorf("%s: a line of %d columns: %q", lang, w, l)
			}
		}
		for _, cmd := range []string{"tokentray exec", "tokentray env"} {
			if !strings.Contains(q, cmd) {
				t.Errorf("%s: %q is broken apart or missing: %q", lang, cmd, q)
			}
		}
	}
}

// columns is how many terminal columns s takes: two for a Chinese
// character or full-width mark.
func columns(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) {
			n += 2
		} else {
			n++
		}
	}
	return n
}
