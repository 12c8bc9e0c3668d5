package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"tokentray/internal/msg"
)

// The overview (the message cli.overview) lists the commands and their
// summaries, each said in the person's language (cli.short_COMMAND).

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
				return e.notACommand(c, args[0])
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
		return usage(msg.New("cli.flag_error", "Error", flagError(err), "Help", helpFor(c)))
	})
	root.SetHelpFunc(func(c *cobra.Command, _ []string) { printHelp(e, c) })
	root.SetHelpCommand(helpCommand(e))
	root.AddCommand(
		agentCommand(e), windowCommand(e), addCommand(e), loginCommand(e, nil), logoutCommand(e, nil),
		refreshCommand(e, nil), extendCommand(e, nil), statusCommand(e, nil), tokenCommand(e, nil), envCommand(e, nil),
		execCommand(e, nil), shareCommand(e), removeCommand(e, nil), updateCommand(e), configCommand(e), keychainCommand(e), serviceCommand(e), sandboxCommand(e), completionCommand(e),
	)
	summaries(e, root)
	return root
}

// summaries says every command's summary line in the person's language:
// the message cli.short_COMMAND (cli.short_PARENT_COMMAND for a
// subcommand; every one is there in every language, as the tests check).
func summaries(e *env, c *cobra.Command) {
	for _, s := range c.Commands() {
		if e.lang != msg.English {
			s.Short = e.tr(msg.Message{ID: summaryID(s)})
		}
		summaries(e, s)
	}
}

// summaryID is the code of a command's summary line.
func summaryID(c *cobra.Command) string {
	id := c.Name()
	for p := c.Parent(); p != nil && p.HasParent(); p = p.Parent() {
		id = p.Name() + "_" + id
	}
	return "cli.short_" + strings.ReplaceAll(id, "-", "_")
}

// flagError is pflag's refusal of a flag as a message.
func flagError(err error) msg.Message {
	var ne *pflag.NotExistError
	var vr *pflag.ValueRequiredError
	var iv *pflag.InvalidValueError
	var is *pflag.InvalidSyntaxError
	switch {
	case errors.As(err, &ne) && ne.GetSpecifiedShortnames() != "":
		return msg.New("cli.flag_unknown_short", "Flag", strconv.QuoteRune(rune(ne.GetSpecifiedName()[0])), "Group", ne.GetSpecifiedShortnames())
	case errors.As(err, &ne):
		return msg.New("cli.flag_unknown", "Flag", "--"+ne.GetSpecifiedName())
	case errors.As(err, &vr) && vr.GetSpecifiedShortnames() != "":
		return msg.New("cli.flag_needs_value_short", "Flag", strconv.QuoteRune(rune(vr.GetSpecifiedName()[0])), "Group", vr.GetSpecifiedShortnames())
	case errors.As(err, &vr):
		return msg.New("cli.flag_needs_value", "Flag", "--"+vr.GetSpecifiedName())
	case errors.As(err, &iv):
		f := iv.GetFlag()
		name := "--" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			name = "-" + f.Shorthand + ", --" + f.Name
		}
		return msg.New("cli.flag_bad_value", "Value", strconv.Quote(iv.GetValue()), "Flag", strconv.Quote(name), "Why", msg.Of(errors.Unwrap(iv)))
	case errors.As(err, &is):
		return msg.New("cli.flag_bad_syntax", "Flag", is.GetSpecifiedFlag())
	}
	return msg.Plain(strings.TrimSuffix(err.Error(), "."))
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
func printHelp(e *env, c *cobra.Command) {
	w := c.OutOrStdout()
	if !c.HasParent() {
		var b strings.Builder
		for _, s := range c.Commands() {
			if s.Hidden || s.Name() == "help" {
				continue
			}
			fmt.Fprintf(&b, "  %-11s %s\n", s.Name(), s.Short)
		}
		fmt.Fprintf(&b, "  %-11s %s\n", "help", e.tr(msg.New("cli.short_help")))
		io.WriteString(w, e.tr(msg.New("cli.overview", "Commands", b.String())))
		return
	}
	fmt.Fprintln(w, e.tr(msg.New("cli.help_usage")))
	for _, l := range strings.Split(strings.TrimSpace(c.Annotations[usageKey]), "\n") {
		fmt.Fprintf(w, "  tokentray %s\n", l)
	}
	if e.lang != msg.English {
		// The summary in the person's language; the long text is English.
		fmt.Fprintf(w, "\n%s\n\n%s\n", c.Short, e.tr(msg.New("cli.help_in_english")))
	}
	fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.Long))
}

func helpCommand(e *env) *cobra.Command {
	c := newCommand("help", "show help for tokentray or one command", "help [COMMAND]",
		"Shows what tokentray does, or the usage of one command.")
	c.Args = atMost(1, msg.New("cli.what_command"))
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
			printHelp(e, root)
			return nil
		}
		for _, s := range root.Commands() {
			if s.Name() == args[0] {
				printHelp(e, s)
				return nil
			}
		}
		return e.notACommand(root, args[0])
	}
	return c
}

// boolValue is a switch: given alone it is on; a value other than a
// boolean is refused with a sentence.
type boolValue struct{ p *bool }

func (b boolValue) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return msg.Errorf("cli.switch_value")
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
		return msg.Errorf("cli.not_whole_number")
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
