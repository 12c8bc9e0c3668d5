package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"tokentray/auth"
	"tokentray/auth/store"
	"tokentray/cli"
	"tokentray/internal/testutil"
)

// completeRun runs "tokentray __complete args..." (what the shell
// scripts call) over two profiles whose settings were written by the
// store; the keychain is never to be opened.
func completeRun(t *testing.T, args ...string) []string {
	t.Helper()
	base := t.TempDir()
	dirs := map[bool]string{false: base, true: filepath.Join(base, "sandbox")}
	for sb, names := range map[bool][]string{false: {"futu-main", "wb-us"}, true: {"demo-key"}} {
		st, err := store.Open(dirs[sb], testutil.NewMemorySecrets())
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if err := st.Add(auth.Credential{ID: "id-" + n, Name: n, Kind: auth.KindFutuKey}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	out := &testutil.LockedBuffer{}
	d := cli.Deps{
		Stdout: out,
		Open: func(bool) (cli.Parts, error) {
			t.Error("completion opened the profile (and so the keychain)")
			return cli.Parts{}, context.Canceled
		},
		ProfileDir: func(sb bool) (string, error) { return dirs[sb], nil },
	}
	if code := cli.Run(context.Background(), append([]string{"__complete"}, args...), d); code != 0 {
		t.Fatalf("__complete %v: exit %d", args, code)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(l, ":") { // the directive line
			name, _, _ := strings.Cut(l, "\t")
			got = append(got, name)
		}
	}
	return got
}

func TestCompletion(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{""}, "add completion config env exec extend help keychain login logout refresh remove sandbox service share status token update window"},
		{[]string{"service", ""}, "install status uninstall"},
		{[]string{"keychain", ""}, "init move-aside status"},
		{[]string{"tok"}, "token"},
		{[]string{"token", ""}, "futu-main wb-us"},
		{[]string{"token", "w"}, "wb-us"},
		{[]string{"token", "futu-main", ""}, ""},
		{[]string{"--sandbox", "token", ""}, "demo-key"},
		{[]string{"refresh", "--sandbox", ""}, "demo-key"},
		{[]string{"refresh", "futu-main", ""}, "wb-us"},
		{[]string{"add", ""}, "futu-oauth futu-key webull"},
		{[]string{"add", "webull", "w", "--region", ""}, "us hk jp sg th au my uk br mx za eu"},
		{[]string{"add", "futu-key", "k", "--brand", ""}, "futu moomoo"},
		{[]string{"update", "wb-us", "--region", ""}, "us hk jp sg th au my uk br mx za eu"},
		{[]string{"extend", "futu-main", "--d"}, "--days"},
		{[]string{"completion", ""}, "bash zsh fish"},
	} {
		if got := strings.Join(completeRun(t, c.args...), " "); got != c.want {
			t.Errorf("completing %q: %q, want %q", c.args, got, c.want)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		out := &testutil.LockedBuffer{}
		if code := cli.Run(context.Background(), []string{"completion", sh}, cli.Deps{Stdout: out}); code != 0 {
			t.Fatalf("completion %s: exit %d", sh, code)
		}
		if s := out.String(); !strings.Contains(s, "__complete") || !strings.Contains(s, "tokentray") {
			t.Errorf("completion %s is not a script calling tokentray __complete:\n%.300s", sh, s)
		}
	}
	if code := cli.Run(context.Background(), []string{"completion", "tcsh"}, cli.Deps{}); code != cli.ExitUsage {
		t.Errorf("completion tcsh: exit %d, want %d", code, cli.ExitUsage)
	}
}

// The version printed is FyneApp.toml's: the generated copy is current.
func TestVersionIsFyneAppTomls(t *testing.T) {
	var app struct{ Details struct{ Version string } }
	if _, err := toml.DecodeFile(filepath.Join("..", "FyneApp.toml"), &app); err != nil {
		t.Fatal(err)
	}
	if app.Details.Version == "" || cli.Version != app.Details.Version {
		t.Fatalf("cli.Version %q, FyneApp.toml says %q: run go generate ./cli", cli.Version, app.Details.Version)
	}
	out := &testutil.LockedBuffer{}
	if code := cli.Run(context.Background(), []string{"--version"}, cli.Deps{Stdout: out}); code != 0 || out.String() != "tokentray "+app.Details.Version+"\n" {
		t.Fatalf("--version: exit %d, %q", code, out.String())
	}
}
