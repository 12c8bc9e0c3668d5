// Package cli is tokentray's command line: the commands a person or a
// script runs (add, login, refresh, status, token, env, exec, ...), thin
// over the credential engine, plus starting the agent, the window and the
// sandbox brokers. Secrets never travel on argv.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/jonboulle/clockwork"
	"golang.org/x/term"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/sandbox"
)

// Exit codes of every command.
const (
	ExitOK        = 0 // done
	ExitError     = 1 // something failed; the message says what to do
	ExitUsage     = 2 // the command line was wrong
	ExitNeedsUser = 3 // only the user can fix it: log in, verify, extend
)

// Deps is everything the command line touches outside itself. main wires
// the real ones (see SystemDeps); tests wire their own.
type Deps struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv and Environ read the process environment.
	Getenv  func(string) string
	Environ func() []string
	// IsTerminal reports whether a stream (one of Stdin, Stdout, Stderr)
	// is an interactive terminal.
	IsTerminal func(stream any) bool
	// ReadSecret reads one line from the terminal without echoing it,
	// after writing prompt to Stderr.
	ReadSecret func(prompt string) (string, error)
	// Clock drives the login countdown; nil means the wall clock.
	Clock clockwork.Clock
	// OpenEngine opens the engine of the normal or the sandbox profile.
	OpenEngine func(sandbox bool) (*engine.Engine, error)
	// RunAgent runs the tray agent until ctx ends or the user quits.
	RunAgent func(ctx context.Context, sandbox bool) error
	// RunWindow runs the window until it is closed, showing the
	// credential called focus when it is not empty.
	RunWindow func(ctx context.Context, sandbox bool, focus string) error
	// StartSandbox starts both simulated brokers.
	StartSandbox func(opts sandbox.Options) (*sandbox.Sandbox, error)
}

func (d *Deps) fill() {
	if d.Stdin == nil {
		d.Stdin = strings.NewReader("")
	}
	if d.Stdout == nil {
		d.Stdout = io.Discard
	}
	if d.Stderr == nil {
		d.Stderr = io.Discard
	}
	if d.Getenv == nil {
		d.Getenv = func(string) string { return "" }
	}
	if d.Environ == nil {
		d.Environ = func() []string { return nil }
	}
	if d.IsTerminal == nil {
		d.IsTerminal = func(any) bool { return false }
	}
	if d.Clock == nil {
		d.Clock = clockwork.NewRealClock()
	}
}

// IsTerminal is the real Deps.IsTerminal: true for an *os.File (or any
// stream with a file descriptor) that is a terminal.
func IsTerminal(stream any) bool {
	f, ok := stream.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// usageError is a wrong command line (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// exitError carries an exit code already decided (a child's, or 3 after
// output was printed).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// env is one run of a command.
type env struct {
	Deps
	ctx     context.Context
	sandbox bool
	eng     *engine.Engine
}

func (e *env) engine() (*engine.Engine, error) {
	if e.eng != nil {
		return e.eng, nil
	}
	if e.OpenEngine == nil {
		return nil, errors.New("this build of tokentray cannot open its settings")
	}
	eng, err := e.OpenEngine(e.sandbox)
	if err != nil {
		return nil, err
	}
	e.eng = eng
	return eng, nil
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string // the synopsis lines after "tokentray "
	help    string // the rest of the help text
	run     func(e *env, self *command, args []string) error
}

var commands []*command

func init() {
	commands = []*command{
		cmdAgent, cmdWindow, cmdAdd, cmdLogin, cmdLogout, cmdRefresh, cmdExtend, cmdStatus,
		cmdToken, cmdEnv, cmdExec, cmdRemove, cmdSandbox, cmdHelp,
	}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Run runs the command line args (without the program name) and returns
// the process exit code: ExitOK, ExitError, ExitUsage or ExitNeedsUser
// (exec passes its child's code through). Every error is one sentence on
// Stderr.
func Run(ctx context.Context, args []string, d Deps) int {
	d.fill()
	e := &env{Deps: d, ctx: ctx}
	// Global flags come before the command.
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "--sandbox", "-sandbox":
			e.sandbox = true
		case "-h", "-help", "--help":
			args = []string{"help"}
			continue
		case "--":
			args = args[1:]
			goto done
		default:
			return report(e, usagef("%s is not a tokentray option; run: tokentray help", args[0]))
		}
		args = args[1:]
	}
done:
	name := "agent"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	c := lookup(name)
	if c == nil {
		return report(e, usagef("%q is not a tokentray command; run: tokentray help", name))
	}
	return report(e, c.run(e, c, args))
}

// report prints err as one sentence and returns its exit code.
func report(e *env, err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitError
	var ue *auth.UserError
	var us *usageError
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
		if ee.err == nil {
			return code
		}
	case errors.As(err, &us):
		code = ExitUsage
	case errors.As(err, &ue):
		code = ExitNeedsUser
	}
	fmt.Fprintln(e.Stderr, "tokentray: "+sentence(err.Error()))
	return code
}

// sentence keeps a message on one line.
func sentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "failed"
	}
	return s
}

// flags is a command's flag set, with --sandbox accepted after the
// command too and -h/--help answered with the command's help.
type flags struct {
	*flag.FlagSet
	cmd *command
	e   *env
}

func newFlags(e *env, c *command) *flags {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&e.sandbox, "sandbox", e.sandbox, "use the sandbox profile")
	return &flags{FlagSet: fs, cmd: c, e: e}
}

// errHelp means the command's help was printed.
var errHelp = errors.New("help shown")

// parse reads flags anywhere among the arguments, up to a "--", and
// returns the positional arguments and those after "--".
func (f *flags) parse(args []string) (pos, rest []string, err error) {
	rest = nil
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printHelp(f.e.Stdout, f.cmd)
				return nil, nil, errHelp
			}
			return nil, nil, usagef("%s: %s; run: tokentray help %s", f.cmd.name, flagMessage(err), f.cmd.name)
		}
		used := len(args) - len(f.Args())
		if used > 0 && args[used-1] == "--" {
			return pos, f.Args(), nil
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func flagMessage(err error) string {
	return strings.TrimSuffix(err.Error(), ".")
}

// names checks the count of positional arguments.
func (f *flags) want(pos []string, n int, what string) error {
	if len(pos) < n {
		return usagef("%s needs %s; run: tokentray help %s", f.cmd.name, what, f.cmd.name)
	}
	if len(pos) > n {
		return usagef("%s takes %s, not %q; run: tokentray help %s", f.cmd.name, what, strings.Join(pos[n:], " "), f.cmd.name)
	}
	return nil
}

// handled turns errHelp into success.
func handled(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// interruptible returns ctx ended also by Ctrl-C, for commands that wait.
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt)
}
