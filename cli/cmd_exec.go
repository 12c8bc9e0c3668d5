package cli

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func execCommand(e *env) *cobra.Command {
	c := newCommand("exec", "run a command with a credential's variables in its environment", "exec NAME -- CMD [ARG...]",
		`Runs CMD with the variables of "tokentray env NAME" added to its
environment (never to its arguments), renewing the token first when due,
and exits with CMD's exit code (128+N when CMD is killed by signal N, 127
when CMD cannot be started).`)
	c.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("exec needs one NAME; run: tokentray help exec")
		}
		if dash := c.ArgsLenAtDash(); dash > 1 {
			return usagef("exec takes one NAME before --, not %q; run: tokentray help exec", strings.Join(args[1:dash], " "))
		}
		if len(args) < 2 {
			return usagef("exec needs a command after --; run: tokentray help exec")
		}
		return nil
	}
	// An option after the command is most often the command's own.
	c.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%s; if it is an option of the command to run, put -- before the command: %s; run: tokentray help exec",
			strings.TrimSuffix(err.Error(), "."), e.cmdLine("exec", "NAME", "--", "CMD", "[ARG...]"))
	})
	c.ValidArgsFunction = func(c *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return e.completeNames(1)(c, args, prefix)
		}
		return nil, cobra.ShellCompDirectiveDefault
	}
	// "exec NAME CMD ARG..." without "--" works too: CMD's own options
	// would be refused as tokentray's.
	c.RunE = func(_ *cobra.Command, args []string) error { return runExec(e, args[0], args[1:]) }
	return c
}

func runExec(e *env, name string, argv []string) error {
	vars, err := credentialEnv(e, name)
	if err != nil {
		return err
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return &exitError{code: 127, err: fmt.Errorf("cannot run %s: it was not found or is not executable", argv[0])}
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
	return &exitError{code: 127, err: fmt.Errorf("cannot run %s: %v", argv[0], err)}
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
