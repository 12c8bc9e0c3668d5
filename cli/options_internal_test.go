package cli

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// The commands' command lines, parsed without running anything: each
// command is built with a runF that keeps the options it was given, so a
// flag and its errors are tested apart from what the command does (which
// the tests over a fake service run).

// parse runs the command c on args and returns the error, with the
// options its runF kept in *got.
func parse(t *testing.T, c *cobra.Command, args ...string) error {
	t.Helper()
	c.SetArgs(args)
	c.SetOut(io.Discard)
	c.SetErr(io.Discard)
	c.SilenceErrors, c.SilenceUsage = true, true
	return c.ExecuteContext(context.Background())
}

func testEnv() *env {
	e := &env{ctx: context.Background()}
	e.fill()
	return e
}

// optionsCase is one command line and the options it must parse to, or
// the usage error (a part of its sentence) it must be refused with.
type optionsCase[O any] struct {
	args  []string
	want  O
	usage string
}

func checkOptions[O any](t *testing.T, build func(e *env, runF func(O) error) *cobra.Command, cases []optionsCase[O]) {
	t.Helper()
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var got *O
			cmd := build(testEnv(), func(o O) error { got = &o; return nil })
			err := parse(t, cmd, c.args...)
			if c.usage != "" {
				var ue *usageError
				if !errors.As(err, &ue) && (err == nil || !strings.Contains(err.Error(), "flag")) {
					t.Fatalf("%q: err %v, want a usage error", c.args, err)
				}
				if !strings.Contains(err.Error(), c.usage) {
					t.Errorf("%q: %q does not say %q", c.args, err, c.usage)
				}
				if got != nil {
					t.Errorf("%q ran with %+v", c.args, *got)
				}
				return
			}
			if err != nil {
				t.Fatalf("%q: %v", c.args, err)
			}
			if got == nil {
				t.Fatalf("%q did not run", c.args)
			}
			if !reflect.DeepEqual(*got, c.want) {
				t.Errorf("%q parsed to %+v, want %+v", c.args, *got, c.want)
			}
		})
	}
}

func TestRefreshOptions(t *testing.T) {
	checkOptions(t, refreshCommand, []optionsCase[refreshOptions]{
		{args: []string{}, want: refreshOptions{Names: []string{}}},
		{args: []string{"a", "b"}, want: refreshOptions{Names: []string{"a", "b"}}},
		{args: []string{"--force", "a"}, want: refreshOptions{Names: []string{"a"}, Force: true}},
		{args: []string{"a", "--force=false"}, want: refreshOptions{Names: []string{"a"}}},
		{args: []string{"--all"}, usage: "unknown flag: --all"},
	})
}

func TestLoginOptions(t *testing.T) {
	checkOptions(t, loginCommand, []optionsCase[loginOptions]{
		{args: []string{"o1"}, want: loginOptions{Name: "o1"}},
		{args: []string{"o1", "--no-browser"}, want: loginOptions{Name: "o1", NoBrowser: true}},
		{args: []string{}, usage: "login needs"},
		{args: []string{"a", "b"}, usage: `"b"`},
		{args: []string{"o1", "--browser"}, usage: "unknown flag: --browser"},
	})
}

func TestStatusOptions(t *testing.T) {
	checkOptions(t, statusCommand, []optionsCase[statusOptions]{
		{args: []string{}, want: statusOptions{}},
		{args: []string{"--json"}, want: statusOptions{JSON: true}},
		{args: []string{"--wide"}, want: statusOptions{Wide: true}},
		{args: []string{"k1"}, want: statusOptions{Name: "k1"}},
		{args: []string{"k1", "--json"}, usage: "--json"},
		{args: []string{"a", "b"}, usage: `"b"`},
	})
}

func TestExecOptions(t *testing.T) {
	checkOptions(t, execCommand, []optionsCase[execOptions]{
		{args: []string{"k1", "bot"}, want: execOptions{Names: []string{"k1"}, Prefixes: map[string]string{}, Argv: []string{"bot"}}},
		{args: []string{"k1", "k2", "--prefix", "k2=HK_", "--", "python", "bot.py", "--live"},
			want: execOptions{Names: []string{"k1", "k2"}, Prefixes: map[string]string{"k2": "HK_"}, Argv: []string{"python", "bot.py", "--live"}}},
		{args: []string{}, usage: "exec needs a NAME"},
		{args: []string{"k1"}, usage: "exec needs a command after --"},
		{args: []string{"k1", "--"}, usage: "exec needs a command after --"},
		{args: []string{"k1", "--prefix", "k3=X_", "--", "bot"}, usage: "not one of the credentials given to exec"},
		{args: []string{"k1", "--prefix", "k1", "--", "bot"}, usage: "NAME=PREFIX"},
	})
}

func TestTokenOptions(t *testing.T) {
	checkOptions(t, tokenCommand, []optionsCase[tokenOptions]{
		{args: []string{"k1"}, want: tokenOptions{Name: "k1"}},
		{args: []string{}, usage: "token needs"},
		{args: []string{"k1", "k2"}, usage: `"k2"`},
		{args: []string{"k1", "--raw"}, usage: "unknown flag: --raw"},
	})
}

func TestRemoveAndLogoutOptions(t *testing.T) {
	checkOptions(t, removeCommand, []optionsCase[removeOptions]{
		{args: []string{"k1"}, want: removeOptions{Name: "k1"}},
		{args: []string{"k1", "--yes"}, want: removeOptions{Name: "k1", Yes: true}},
		{args: []string{}, usage: "remove needs"},
		{args: []string{"k1", "k2"}, usage: `"k2"`},
	})
	checkOptions(t, logoutCommand, []optionsCase[logoutOptions]{
		{args: []string{"o1"}, want: logoutOptions{Name: "o1"}},
		{args: []string{"--yes", "o1"}, want: logoutOptions{Name: "o1", Yes: true}},
		{args: []string{}, usage: "logout needs"},
		{args: []string{"o1", "w1"}, usage: `"w1"`},
	})
}

func TestExtendOptions(t *testing.T) {
	checkOptions(t, extendCommand, []optionsCase[extendOptions]{
		{args: []string{"k1"}, want: extendOptions{Name: "k1"}},
		{args: []string{"k1", "--days", "180"}, want: extendOptions{Name: "k1", Days: 180}},
		{args: []string{"k1", "--days", "30", "--shorten", "--yes"}, want: extendOptions{Name: "k1", Days: 30, Shorten: true, Yes: true}},
		{args: []string{"k1", "--days", "1095"}, want: extendOptions{Name: "k1", Days: 1095}},
		{args: []string{"k1", "--days", "0"}, usage: "--days must be between 1 and 1095"},
		{args: []string{"k1", "--days", "1096"}, usage: "--days must be between 1 and 1095"},
		{args: []string{"k1", "--days", "abc"}, usage: "--days"},
		{args: []string{}, usage: "extend needs"},
	})
}

func TestEnvOptions(t *testing.T) {
	checkOptions(t, envCommand, []optionsCase[envOptions]{
		{args: []string{"k1"}, want: envOptions{Name: "k1", Format: formatShell}},
		{args: []string{"k1", "--format", "dotenv"}, want: envOptions{Name: "k1", Format: formatDotenv}},
		{args: []string{"k1", "--format=json"}, want: envOptions{Name: "k1", Format: formatJSON}},
		{args: []string{"k1", "--format", "yaml"}, usage: `--format "yaml" is not a format env knows`},
		{args: []string{}, usage: "env needs"},
	})
}
