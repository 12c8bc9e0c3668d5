package cli

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

func TestReadLineEndsOnEnterAndCancelsOnCtrlCAndCtrlD(t *testing.T) {
	cases := []struct {
		keys, want string
		err        error
		shown      string
	}{
		{"abc\r", "abc", nil, "abc"},
		{"ab\x7fc\r", "ac", nil, "ab\b \bc"},
		{"é\x7fe\n", "e", nil, "é\b \be"},
		{"abc\x15xy\r", "xy", nil, "abc\b \b\b \b\b \bxy"},
		{"a\x1b[Db\r", "ab", nil, "ab"},
		{"abc\x03never", "", ErrInterrupted, "abc"},
		{"\x03", "", ErrInterrupted, ""},
		{"\x04", "", io.EOF, ""},
		{"ab\x04c\r", "abc", nil, "abc"},
		{"", "", io.EOF, ""},
		{"tail", "tail", nil, "tail"},
	}
	for _, c := range cases {
		var shown bytes.Buffer
		got, err := readLine(strings.NewReader(c.keys), &shown)
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil && err != nil) {
			t.Errorf("keys %q: %q, %v; want %q, %v", c.keys, got, err, c.want, c.err)
		}
		if shown.String() != c.shown {
			t.Errorf("keys %q showed %q, want %q", c.keys, shown.String(), c.shown)
		}
	}
	// A secret shows nothing.
	if got, err := readLine(strings.NewReader("secret-typed\r"), nil); got != "secret-typed" || err != nil {
		t.Errorf("without echo: %q, %v", got, err)
	}
}

func TestCtrlCOrCtrlDAtAPromptAddsNothing(t *testing.T) {
	for _, c := range []struct {
		err  error
		code int
	}{{ErrInterrupted, ExitInterrupted}, {io.EOF, ExitError}} {
		st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
		if err != nil {
			t.Fatal(err)
		}
		eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: testutil.NewFakeProvider(auth.KindFutuKey, clockwork.NewFakeClock())}, clockwork.NewFakeClock())
		var out, errb bytes.Buffer
		var asked []string
		d := Deps{
			Stdout: &out, Stderr: &errb,
			IsTerminal: func(any) bool { return true },
			// The App Key is typed where it shows; the secret is not.
			ReadLine: func(prompt string) (string, error) {
				asked = append(asked, "shown "+prompt)
				return "test-app-key-0001", nil
			},
			ReadSecret: func(prompt string) (string, error) {
				asked = append(asked, "hidden "+prompt)
				return "", c.err
			},
			Open: func(bool) (Parts, error) {
				return Parts{Service: service.Local{Eng: eng}, Dir: st.Dir(), Prefs: st}, nil
			},
		}
		code := Run(t.Context(), []string{"add", "futu-key", "futu-key1"}, d)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d; stderr %q", c.err, code, c.code, errb.String())
		}
		if want := []string{"shown Futu App Key: ", "hidden Futu App Secret: "}; strings.Join(asked, "|") != strings.Join(want, "|") {
			t.Errorf("%v: prompts %q, want %q", c.err, asked, want)
		}
		// One sentence, word-wrapped at the terminal's width.
		if msg := strings.Join(strings.Fields(errb.String()), " "); !strings.Contains(msg, "nothing was changed") || strings.Count(errb.String(), "tokentray: ") != 1 || !strings.HasPrefix(errb.String(), "tokentray: ") {
			t.Errorf("%v: stderr %q, want one sentence saying nothing was changed", c.err, errb.String())
		}
		if cs, _ := eng.List(); len(cs) != 0 {
			t.Errorf("%v: a credential was added: %+v", c.err, cs)
		}
	}
}
