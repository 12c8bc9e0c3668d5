package cli

import (
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"tokentray/internal/msg"

	"github.com/spf13/cobra"
)

// execOptions is what an exec command line asks for.
type execOptions struct {
	// Names are the credentials whose variables CMD gets.
	Names []string
	// Prefixes are put before each variable of a credential, by name.
	Prefixes map[string]string
	// Argv is CMD and its arguments.
	Argv []string
}

// execCommand is the exec command; runF (nil: runExec) gets the options
// its command line parsed.
func execCommand(e *env, runF func(execOptions) error) *cobra.Command {
	if runF == nil {
		runF = func(o execOptions) error { return runExec(e, o.Names, o.Prefixes, o.Argv) }
	}
	c := newCommand("exec", "run a command with credentials' variables in its environment", "exec NAME [NAME...] [--prefix NAME=PREFIX]... -- CMD [ARG...]\nexec NAME CMD [ARG...]",
		`Runs CMD with the variables of "tokentray env NAME" of every NAME added
to its environment (never to its arguments), renewing each token first
when due, and exits with CMD's exit code (128+N when CMD is killed by
signal N, 127 when CMD cannot be started). For example:

  tokentray exec futu-main webull-us -- python bot.py

Two credentials that set the same variable to different values (two
Futu API keys, say) are refused, naming the variable, unless one of them
gets a prefix: --prefix NAME=PREFIX puts PREFIX before each variable of
NAME (--prefix futu-hk=HK_ gives HK_FUTU_ACCESS_TOKEN). Give it once per
credential that needs one.

CMD keeps the values it was started with: a renewal or an extension later
does not reach it, so use exec for jobs that end well within the token's
life, and have long-running bots call "tokentray token NAME" or read a
shared SDK token file ("tokentray share"). With a single NAME, the -- may
be left out when CMD takes no options of its own.`)
	var prefixes []string
	c.Flags().StringArrayVar(&prefixes, "prefix", nil, "NAME=PREFIX: put PREFIX before each variable of NAME")
	c.Args = func(c *cobra.Command, args []string) error {
		dash := c.ArgsLenAtDash()
		switch {
		case len(args) == 0 || dash == 0:
			return usage(msg.New("cli.exec_needs_name"))
		case dash < 0 && len(args) < 2, dash == len(args):
			return usage(msg.New("cli.exec_needs_command"))
		}
		return nil
	}
	// An option after the command is most often the command's own.
	c.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usage(msg.New("cli.exec_flag_error", "Error", flagError(err), "Command", e.cmdLine("exec", "NAME", "--", "CMD", "[ARG...]")))
	})
	c.ValidArgsFunction = func(c *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		if c.ArgsLenAtDash() < 0 {
			return e.completeNames(-1)(c, args, prefix)
		}
		return nil, cobra.ShellCompDirectiveDefault
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		// "exec NAME CMD ARG..." without "--" works too: CMD's own options
		// would be refused as tokentray's.
		names, argv := args[:1], args[1:]
		if dash := c.ArgsLenAtDash(); dash >= 0 {
			names, argv = args[:dash], args[dash:]
		}
		pre, err := parsePrefixes(prefixes, names)
		if err != nil {
			return err
		}
		return runF(execOptions{Names: names, Prefixes: pre, Argv: argv})
	}
	return c
}

// parsePrefixes reads the --prefix values: each NAME=PREFIX, NAME one of
// names, PREFIX usable at the start of a variable's name.
func parsePrefixes(flags, names []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		name, pre, ok := strings.Cut(f, "=")
		if !ok || name == "" {
			return nil, usage(msg.New("cli.prefix_form", "Value", strconv.Quote(f)))
		}
		known := false
		for _, n := range names {
			known = known || n == name
		}
		if !known {
			return nil, usage(msg.New("cli.prefix_unknown", "Name", name, "Names", strings.Join(names, ", ")))
		}
		if !varNameOK(pre) {
			return nil, usage(msg.New("cli.prefix_bad", "Name", name, "Prefix", strconv.Quote(pre)))
		}
		if _, dup := out[name]; dup {
			return nil, usage(msg.New("cli.prefix_twice", "Name", name))
		}
		out[name] = pre
	}
	return out, nil
}

// varNameOK reports whether s can begin an environment variable's name.
func varNameOK(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// execVars gathers the variables of every credential in names, each
// with its prefix, refusing two that set one variable to two values.
func execVars(e *env, names []string, prefixes map[string]string) (map[string]string, error) {
	vars := map[string]string{}
	from := map[string]string{} // variable -> the credential that set it
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			return nil, usage(msg.New("cli.exec_twice", "Name", name))
		}
		seen[name] = true
		vs, err := credentialEnv(e, name)
		var none *noEnvError
		if errors.As(err, &none) {
			// Not an error for a command that needs no variable from it:
			// the note says where its SDK reads the token.
			fmt.Fprintf(e.Stderr, "tokentray: %s\n", none.msg)
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(vs) {
			v := prefixes[name] + k
			if other, ok := from[v]; ok && vars[v] != vs[k] {
				return nil, usage(msg.New("cli.exec_clash", "Other", other, "Name", name, "Var", v, "Prefix", name+"="+suggestPrefix(name)))
			}
			vars[v], from[v] = vs[k], name
		}
	}
	return vars, nil
}

// suggestPrefix is a prefix made from a credential's name (futu-hk: FUTU_HK_).
func suggestPrefix(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "C" + s
	}
	return s + "_"
}

func runExec(e *env, names []string, prefixes map[string]string, argv []string) error {
	vars, err := execVars(e, names, prefixes)
	if err != nil {
		return err
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return &exitError{code: 127, err: msg.Errorf("cli.exec_not_found", "Command", argv[0])}
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.Stdin, e.Stdout, e.Stderr
	cmd.Env = mergeEnv(e.Environ(), vars)
	// The child gets Ctrl-C from the terminal itself; tokentray waits for
	// it and passes its exit code on.
	stop := ignoreInterrupt()
	defer stop()
	err = cmd.Run()
	var xe *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &xe):
		if ws, ok := xe.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &exitError{code: 128 + int(ws.Signal())}
		}
		return &exitError{code: xe.ExitCode()}
	}
	return &exitError{code: 127, err: msg.Wrap(err, "cli.exec_cannot_run", "Command", argv[0], "Err", err)}
}

// mergeEnv returns base with vars set, replacing earlier values.
func mergeEnv(base []string, vars map[string]string) []string {
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := vars[k]; !ok {
			out = append(out, kv)
		}
	}
	for _, k := range sortedKeys(vars) {
		out = append(out, k+"="+vars[k])
	}
	return out
}
