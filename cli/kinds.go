package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// The command line's flags, help and completion of each kind's options
// are built from the kinds' own descriptions (auth.Describe), so a kind
// added or changed in its broker package shows here without a second
// list.

// kindOptions holds the values of every kind's options, by name, as the
// flags of add (or update) set them.
type kindOptions struct {
	strs  map[string]*string
	bools map[string]*bool
}

// kindOptionFlags defines a flag on c for each option of every kind
// (with update, each option update takes), its completion and, for a
// folder, folder completion.
func kindOptionFlags(c *cobra.Command, update bool) *kindOptions {
	k := &kindOptions{strs: map[string]*string{}, bools: map[string]*bool{}}
	fs := c.Flags()
	for _, o := range allOptions(update) {
		if o.Switch() {
			b := new(bool)
			boolFlag(fs, b, o.Name, o.Usage)
			k.bools[o.Name] = b
		} else {
			s := new(string)
			fs.StringVar(s, o.Name, "", o.Usage)
			k.strs[o.Name] = s
		}
		if len(o.Choices) > 0 {
			choices := o.Choices
			_ = c.RegisterFlagCompletionFunc(o.Name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				out := make([]string, len(choices))
				for i, ch := range choices {
					out[i] = ch.Value + "\t" + ch.Help
				}
				return out, cobra.ShellCompDirectiveNoFileComp
			})
		}
		if o.Dir {
			_ = c.MarkFlagDirname(o.Name)
		}
	}
	return k
}

// allOptions is every kind's options (with update, those update takes),
// each name once, in the order the kinds list them.
func allOptions(update bool) []auth.Option {
	var out []auth.Option
	seen := map[string]bool{}
	for _, i := range auth.Described() {
		for _, o := range i.Options {
			if !seen[o.Name] && (!update || o.Update) {
				seen[o.Name] = true
				out = append(out, o)
			}
		}
	}
	return out
}

// given is the options given on the command line, by name (a switch as
// "true" or "false").
func (k *kindOptions) given(c *cobra.Command) map[string]string {
	out := map[string]string{}
	c.Flags().Visit(func(f *pflag.Flag) {
		if s, ok := k.strs[f.Name]; ok {
			out[f.Name] = *s
		} else if b, ok := k.bools[f.Name]; ok {
			out[f.Name] = fmt.Sprint(*b)
		}
	})
	return out
}

// checkKindFlags refuses a flag that does not apply to a credential of
// the kind i describes; common are the flags every kind takes.
func checkKindFlags(c *cobra.Command, i auth.KindInfo, update bool, common ...string) error {
	var err error
	c.Flags().Visit(func(fl *pflag.Flag) {
		if err != nil || fl.Name == "sandbox" || slices.Contains(common, fl.Name) {
			return
		}
		if o, ok := i.Option(fl.Name); !ok || (update && !o.Update) {
			err = usage(msg.New("cli.flag_not_for_kind", "Flag", "--"+fl.Name, "Kind", string(i.Kind), "Command", c.Name()))
		}
	})
	return err
}

// kindNames are the kinds add takes, for its completion and its errors.
func kindNames() []string {
	var out []string
	for _, i := range auth.Described() {
		out = append(out, string(i.Kind))
	}
	return out
}

// orList is "a, b or c".
func orList(vs []string) string {
	if len(vs) < 2 {
		return strings.Join(vs, "")
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}

// optionUsage is "--name ARG", as help and the usage lines show it.
func optionUsage(o auth.Option) string {
	if o.Switch() {
		return "--" + o.Name
	}
	return "--" + o.Name + " " + o.Arg
}

// addUsage is add's usage lines, one a kind.
func addUsage() string {
	var lines []string
	for _, i := range auth.Described() {
		parts := []string{"add", string(i.Kind), "NAME"}
		for _, o := range i.Options {
			if o.Required {
				parts = append(parts, optionUsage(o))
			}
		}
		for _, o := range i.Options {
			if !o.Required {
				parts = append(parts, "["+optionUsage(o)+"]")
			}
		}
		parts = append(parts, "[--endpoint URL]", "[--no-check]")
		lines = append(lines, strings.Join(parts, " "))
	}
	return strings.Join(lines, "\n")
}

// kindsHelp describes each kind and its options for add's help: the
// kind's summary, then each option it alone takes, and after the last
// kind that shares an option with others, that option once.
func kindsHelp() string {
	infos := auth.Described()
	takers := map[string][]string{}
	for _, i := range infos {
		for _, o := range i.Options {
			takers[o.Name] = append(takers[o.Name], string(i.Kind))
		}
	}
	var b strings.Builder
	done := map[string]bool{}
	for _, i := range infos {
		writeHang(&b, 2, 14, string(i.Kind), i.Summary)
		for _, o := range i.Options {
			if len(takers[o.Name]) == 1 {
				writeHang(&b, 14, 28, optionUsage(o), o.Help)
			}
		}
		// Options shared with kinds listed before: once, after the last.
		for _, o := range i.Options {
			ks := takers[o.Name]
			if len(ks) < 2 || done[o.Name] || ks[len(ks)-1] != string(i.Kind) {
				continue
			}
			done[o.Name] = true
			fmt.Fprintf(&b, "  %s also take\n", strings.Join(ks[:len(ks)-1], ", ")+" and "+ks[len(ks)-1])
			writeHang(&b, 14, 28, optionUsage(o), o.Help)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// choicesHelp lists the values of every option with more than two, each
// wrapped under its value ("" when none has).
func choicesHelp() string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, i := range auth.Described() {
		for _, o := range i.Options {
			if len(o.Choices) <= 2 || seen[o.Name] {
				continue
			}
			seen[o.Name] = true
			fmt.Fprintf(&b, "\n\n%s %ss (%s):\n", i.Kind.Broker(), o.Name, optionUsage(o))
			for _, ch := range o.Choices {
				for n, l := range wrapWords(ch.Help, 66) {
					v := ""
					if n == 0 {
						v = ch.Value
					}
					fmt.Fprintf(&b, "  %-4s  %s\n", v, l)
				}
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// writeHang writes a labelled paragraph: label at column indent, the
// text from column at (on the next line when the label reaches it),
// wrapped to 76 columns with its continuation under the text.
func writeHang(b *strings.Builder, indent, at int, label, text string) {
	lines := wrapWords(text, 76-at)
	first := strings.Repeat(" ", indent) + label
	if len(first)+2 > at {
		// A long label keeps two spaces and the text follows it.
		lines = wrapWords(text, 76-len(first)-2)
		if len(lines) > 0 {
			rest := wrapWords(strings.Join(lines[1:], " "), 76-at)
			fmt.Fprintf(b, "%s  %s\n", first, lines[0])
			for _, l := range rest {
				fmt.Fprintf(b, "%s%s\n", strings.Repeat(" ", at), l)
			}
			return
		}
	}
	for n, l := range lines {
		if n == 0 {
			fmt.Fprintf(b, "%-*s%s\n", at, first, l)
			continue
		}
		fmt.Fprintf(b, "%s%s\n", strings.Repeat(" ", at), l)
	}
	if len(lines) == 0 {
		fmt.Fprintln(b, first)
	}
}

// secretInputs is what add (and update) read for kind i: each field,
// from its variables, a prompt or stdin.
func (e *env) secretInputs(i auth.KindInfo) []secretInput {
	out := make([]secretInput, len(i.Fields))
	for n, f := range i.Fields {
		out[n] = secretInput{envs: f.Env, field: f.Name, label: e.fieldPrompt(i.Kind, f), shown: !f.Secret}
	}
	return out
}

// fieldPrompt names a field at its prompt and in sentences about it: the
// broker's name (in the person's language) and the field's own, as
// "Futu App Key" says it in English.
func (e *env) fieldPrompt(k auth.Kind, f auth.Field) string {
	m := msg.New("cli.field_prompt", "Broker", k.BrokerMessage(), "Label", f.Label)
	if msg.English.Render(m) != f.Prompt {
		return f.Prompt // a prompt of its own: said as the kind says it
	}
	return e.tr(m)
}

// fieldVariables lists every kind's variables of its fields, for help:
// "FUTU_APP_KEY, FUTU_APP_SECRET, FUTU_ACCESS_TOKEN; WEBULL_APP_KEY_ID or
// WEBULL_APP_KEY, ...".
func fieldVariables() string {
	var kinds []string
	for _, i := range auth.Described() {
		var fs []string
		for _, f := range i.Fields {
			fs = append(fs, strings.Join(f.Env, " or "))
		}
		if len(fs) > 0 {
			kinds = append(kinds, strings.Join(fs, ", "))
		}
	}
	return strings.Join(kinds, "; ")
}
