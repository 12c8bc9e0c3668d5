package cli_test

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// addNoCheck adds a Webull app without checking it, on a terminal or not,
// and returns what add printed.
func addNoCheck(t *testing.T, terminal bool, name string) string {
	t.Helper()
	ip := newInProcess(t, terminal)
	ip.deps.Getenv = func(k string) string {
		return map[string]string{"WEBULL_APP_KEY": "test-app-key-0001", "WEBULL_APP_SECRET": "test-app-secret-0001"}[k]
	}
	if code := ip.run("add", "webull", name, "--region", "us", "--no-check"); code != 0 {
		t.Fatalf("add: exit %d, stderr %q", code, ip.stderr.String())
	}
	return ip.stdout.String()
}

func TestAddNextLineWrapsAtWordsOnAnEightyColumnTerminal(t *testing.T) {
	const name = "webull-production-account"
	out := addNoCheck(t, true, name)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("add's message %q is one line on an 80-column terminal", out)
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("line %q is %d columns, wider than the terminal", l, n)
		}
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "  ") {
			t.Errorf("continuation line %q is not indented", l)
		}
	}
	var cmd bool
	for _, l := range lines {
		if strings.Contains(l, "tokentray login "+name) {
			cmd = true
		}
	}
	if !cmd {
		t.Errorf("the command line is broken across lines:\n%s", out)
	}
	if got := strings.Join(strings.Fields(out), " "); got != strings.Join(strings.Fields(addNoCheck(t, false, name)), " ") {
		t.Errorf("wrapped text %q differs from the one-line text in more than its spaces", got)
	}
}

func TestAddNextLineIsOneLineWhenNotATerminal(t *testing.T) {
	const name = "webull-production-account"
	out := addNoCheck(t, false, name)
	want := "Added " + name + " (Webull token) without checking it with the broker; it shows as Unknown until tokentray checks it. Next: tokentray login " + name + "\n"
	if out != want {
		t.Fatalf("add printed %q, want %q byte for byte", out, want)
	}
}

func TestErrorSentenceWrapsOnATerminalWithItsCommandWhole(t *testing.T) {
	ip := newInProcess(t, true)
	ip.deps.Getenv = func(k string) string { return map[string]string{"COLUMNS": "60"}[k] }
	if code := ip.run("token", "no-such-credential-with-a-long-name"); code == 0 {
		t.Fatal("token of a missing credential succeeded")
	}
	out := ip.stderr.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("error %q is one line on a 60-column terminal", out)
	}
	for _, l := range lines {
		if n := utf8.RuneCountInString(l); n > 60 {
			t.Errorf("line %q is %d columns, wider than the terminal", l, n)
		}
		if strings.HasSuffix(l, " tokentray") {
			t.Errorf("line %q breaks a command line", l)
		}
	}
	if !strings.HasPrefix(out, "tokentray: ") {
		t.Errorf("error %q lost its prefix", out)
	}
}
