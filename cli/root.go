package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const overview = `tokentray keeps Futu and Webull OpenAPI credentials alive.

Usage:
  tokentray [--sandbox] [COMMAND] [ARGS]

With no command, tokentray runs the agent: the tray icon that keeps every
credential fresh (headless, with a line on stderr for each event, where
there is no display).

Commands:
%s
Global options:
  --sandbox   use the sandbox profile, for trying tokentray against the
              simulated brokers of "tokentray sandbox": settings in
              "<config dir>/tokentray-sandbox" (or the "sandbox" folder of
              TOKENTRAY_CONFIG_DIR), keychain service "tokentray-sandbox";
              never mixed with your real credentials; before or after the
              command
  -h, --help  show help; every command also takes --help
  --version   print tokentray's version

Environment:
  TOKENTRAY_CONFIG_DIR       settings directory (isolates a profile)
  TOKENTRAY_SANDBOX_FRESH=1  with --sandbox, the tray's own sandbox brokers
                             start over with new demo credentials
  TOKENTRAY_KEYCHAIN=file    keep secrets in the encrypted file keychain
                             (os: the system keychain; see: tokentray help
                             keychain)
  TOKENTRAY_KEY_FILE         the file keychain's key, when not in the
                             systemd credential tokentray.key or the
                             default place

Exit codes: 0 done, 1 failed, 2 wrong command line, 3 you must act (log in,
verify, extend). Run "tokentray help COMMAND" for one command, and
"tokentray completion bash|zsh|fish" for shell completion.
`

// usageKey is the annotation holding a command's synopsis lines (after
// "tokentray "), one a line.
const usageKey = "usage"

// newCommand is a subcommand with its synopsis and help text.
func newCommand(name, summary, usage, help string) *cobra.Command {
	return &cobra.Command{
		Use:         name,
		Short:       summary,
		Long:        help,
		Annotations: map[string]string{usageKey: usage},
	}
}

// newRoot builds the whole command line for one run.
func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "tokentray",
		Short:         "keeps Futu and Webull OpenAPI credentials alive",
		Version:       Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return notACommand(c, args[0])
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error { return runAgent(e, false) },
		// Completion is the command below, with this program's own help.
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetVersionTemplate("tokentray {{.Version}}\n")
	boolFlag(root.PersistentFlags(), &e.sandbox, "sandbox", "use the sandbox profile")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%s; run: %s", strings.TrimSuffix(err.Error(), "."), helpFor(c))
	})
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { printHelp(c) })
	root.SetHelpCommand(helpCommand())
	root.AddCommand(
		agentCommand(e), windowCommand(e), addCommand(e), loginCommand(e), logoutCommand(e),
		refreshCommand(e), extendCommand(e), statusCommand(e), tokenCommand(e), envCommand(e),
		execCommand(e), shareCommand(e), removeCommand(e), updateCommand(e), configCommand(e), keychainCommand(e), serviceCommand(e), sandboxCommand(e), completionCommand(e),
	)
	return root
}

// helpFor is the command that shows c's help.
func helpFor(c *cobra.Command) string {
	if !c.HasParent() {
		return "tokentray help"
	}
	return "tokentray help " + c.Name()
}

// printHelp prints the overview for the root, else a command's synopsis
// and help text.
func printHelp(c *cobra.Command) {
	w := c.OutOrStdout()
	if !c.HasParent() {
		var b strings.Builder
		for _, s := range c.Commands() {
			if s.Hidden || s.Name() == "help" {
				continue
			}
			fmt.Fprintf(&b, "  %-11s %s\n", s.Name(), s.Short)
		}
		fmt.Fprintf(&b, "  %-11s %s\n", "help", "show help for tokentray or one command")
		fmt.Fprintf(w, overview, b.String())
		return
	}
	fmt.Fprintf(w, "Usage:\n")
	for _, l := range strings.Split(strings.TrimSpace(c.Annotations[usageKey]), "\n") {
		fmt.Fprintf(w, "  tokentray %s\n", l)
	}
	fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Long))
}

func helpCommand() *cobra.Command {
	c := newCommand("help", "show help for tokentray or one command", "help [COMMAND]",
		"Shows what tokentray does, or the usage of one command.")
	c.Args = atMost(1, "one command name")
	c.ValidArgsFunction = func(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, s := range c.Root().Commands() {
			if !s.Hidden {
				names = append(names, s.Name()+"\t"+s.Short)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		root := c.Root()
		if len(args) == 0 {
			printHelp(root)
			return nil
		}
		for _, s := range root.Commands() {
			if s.Name() == args[0] {
				printHelp(s)
				return nil
			}
		}
		return notACommand(root, args[0])
	}
	return c
}

// boolValue is a switch: given alone it is on; a value other than a
// boolean is refused with a sentence.
type boolValue struct{ p *bool }

func (b boolValue) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("a switch is given alone (or as =false)")
	}
	*b.p = v
	return nil
}
func (b boolValue) String() string   { return strconv.FormatBool(*b.p) }
func (b boolValue) Type() string     { return "bool" }
func (b boolValue) IsBoolFlag() bool { return true }

func boolFlag(fs *pflag.FlagSet, p *bool, name, usage string) {
	fs.VarPF(boolValue{p}, name, "", usage).NoOptDefVal = "true"
}

// intValue is a whole number, refused with a sentence otherwise.
type intValue struct{ p *int }

func (v intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not a whole number")
	}
	*v.p = n
	return nil
}
func (v intValue) String() string { return strconv.Itoa(*v.p) }
func (v intValue) Type() string   { return "int" }

func intFlag(fs *pflag.FlagSet, p *int, name string, def int, usage string) {
	*p = def
	fs.Var(intValue{p}, name, usage)
}
