package cli

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/internal/msg"
)

// settingsFile is the name of a profile's settings file.
const settingsFile = "settings.json"

// maxSettingsRead bounds what completion reads of the settings file.
const maxSettingsRead = 4 << 20

// credentialNames is each credential of the profile as completion
// offers it, "NAME\tKIND", from its settings file alone (listedIn).
func (e *env) credentialNames() []string {
	var names []string
	for _, c := range e.listedIn(e.sandbox) {
		names = append(names, c.Name+"\t"+c.Kind)
	}
	return names
}

// completeNames completes up to max credential names (0: any number),
// never one already given.
func (e *env) completeNames(max int) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(c *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		if max > 0 && len(args) >= max {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		given := map[string]bool{}
		for _, a := range args {
			given[a] = true
		}
		var out []string
		for _, n := range e.credentialNames() {
			name, _, _ := strings.Cut(n, "\t")
			if !given[name] && strings.HasPrefix(name, prefix) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func completionCommand(e *env) *cobra.Command {
	c := newCommand("completion", "print a shell completion script", "completion bash|zsh|fish",
		`Prints the script that makes your shell complete tokentray's commands,
options and credential names (read from the settings file; the keychain is
never opened for it).

  bash  source <(tokentray completion bash)    e.g. in ~/.bashrc (needs
        the bash-completion package)
  zsh   tokentray completion zsh > "${fpath[1]}/_tokentray"
  fish  tokentray completion fish > ~/.config/fish/completions/tokentray.fish`)
	c.ValidArgs = []string{"bash", "zsh", "fish"}
	c.Args = exactly(1, msg.New("cli.what_shell"))
	c.RunE = func(c *cobra.Command, args []string) error {
		root, w := c.Root(), c.OutOrStdout()
		switch args[0] {
		case "bash":
			return root.GenBashCompletionV2(w, true)
		case "zsh":
			return root.GenZshCompletion(w)
		case "fish":
			return root.GenFishCompletion(w, true)
		}
		return usage(msg.New("cli.not_a_shell", "Shell", strconv.Quote(args[0])))
	}
	return c
}
