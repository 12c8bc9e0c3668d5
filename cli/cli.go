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
	"regexp"
	"strings"

	"github.com/jonboulle/clockwork"
	"golang.org/x/term"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/sandbox"
	"tokentray/auth/store"
)

// Exit codes of every command.
const (
	ExitOK        = 0 // done
	ExitError     = 1 // something failed; the message says what to do
	ExitUsage     = 2 // the command line was wrong
	ExitNeedsUser = 3 // only the user can fix it: log in, verify, extend
)

// Deps is everything the command line touches outside itself. main wires
// the real ones (from internal/system); tests wire their own.
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
	// Open opens the normal or the sandbox profile: its engine and the
	// parts beside it. It is called at most once a run, and only by the
	// commands that need it.
	Open func(sandbox bool) (Parts, error)
	// ProfileDir returns the settings directory of the normal or the
	// sandbox profile without opening anything (no keychain): shell
	// completion reads the credential names from it.
	ProfileDir func(sandbox bool) (string, error)
	// RunAgent runs the tray agent until ctx ends or the user quits.
	RunAgent func(ctx context.Context, sandbox bool) error
	// RunWindow runs the window until it is closed, showing the
	// credential called focus when it is not empty.
	RunWindow func(ctx context.Context, sandbox bool, focus string) error
	// StartSandbox starts both simulated brokers.
	StartSandbox func(opts sandbox.Options) (*sandbox.Sandbox, error)
	// CanOpenBrowser reports whether a web browser can be opened here (a
	// desktop session, or $BROWSER); nil means it can.
	CanOpenBrowser func() bool
	// Autostart switches starting the agent at login on and off; nil
	// means this build cannot.
	Autostart Autostart
	// Webull holds the facts of Webull's SDK the command line names.
	Webull WebullFacts
}

// Parts are the built parts of one opened profile.
type Parts struct {
	// Engine runs every credential operation of the profile.
	Engine *engine.Engine
	// Dir is the profile's settings directory (where a running sandbox
	// records its addresses).
	Dir string
	// Prefs reads and writes the profile's settings.
	Prefs PrefsStore
	// CheckKeychain says, as one sentence, why the keychain cannot be
	// used now; nil when it can (or when it is not known to fail).
	CheckKeychain func() error
	// SeedDemo replaces the demo credentials of the sandbox profile with
	// ones served by sb's brokers (nil outside the sandbox profile).
	SeedDemo func(sb *sandbox.Sandbox) error
}

// PrefsStore reads and writes a profile's settings (*store.Store is one).
type PrefsStore interface {
	Prefs() (store.Prefs, error)
	SetPrefs(store.Prefs) error
}

// Autostart is the desktop's "start at login" entry of the agent.
type Autostart interface {
	// Enabled reports whether the agent starts at login.
	Enabled() (bool, error)
	// SetEnabled writes (on) or removes (off) the entry.
	SetEnabled(on bool) error
}

// WebullFacts are what Webull's SDK reads, as the command line names them.
type WebullFacts struct {
	// Regions are the region codes "add webull --region" accepts.
	Regions []string
	// TokenDirEnv is the variable naming the folder of the SDK's token
	// file; TokenFile is that file's name.
	TokenDirEnv, TokenFile string
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
	parts   *Parts
	// stdout is Deps.Stdout as given: for asking whether it is a
	// terminal, and for help, which shows commands as they are typed.
	stdout io.Writer
}

// open opens the profile once.
func (e *env) open() (*Parts, error) {
	if e.parts != nil {
		return e.parts, nil
	}
	if e.Open == nil {
		return nil, errors.New("this build of tokentray cannot open its settings")
	}
	p, err := e.Open(e.sandbox)
	if err != nil {
		return nil, err
	}
	e.parts = &p
	return e.parts, nil
}

func (e *env) engine() (*engine.Engine, error) {
	p, err := e.open()
	if err != nil {
		return nil, err
	}
	return p.Engine, nil
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
		cmdToken, cmdEnv, cmdExec, cmdShare, cmdRemove, cmdSandbox, cmdHelp,
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
	// In the sandbox profile, every command tokentray suggests must carry
	// --sandbox too, or copying it would act on the real profile. exec's
	// child writes to the streams itself and is left alone.
	e.stdout = e.Stdout
	if c != cmdExec {
		e.Stdout = sandboxHints{e, e.Stdout}
		e.Stderr = sandboxHints{e, e.Stderr}
	}
	return report(e, c.run(e, c, args))
}

// suggested matches a tokentray command a message suggests.
var suggested = regexp.MustCompile(`\btokentray (add|login|logout|refresh|extend|status|token|env|exec|share|remove|window)\b`)

// sandboxHints adds --sandbox to the commands a message suggests while
// the sandbox profile is in use.
type sandboxHints struct {
	e *env
	w io.Writer
}

func (h sandboxHints) Write(p []byte) (int, error) {
	if !h.e.sandbox || !suggested.Match(p) {
		return h.w.Write(p)
	}
	if _, err := h.w.Write(suggested.ReplaceAll(p, []byte("tokentray --sandbox $1"))); err != nil {
		return 0, err
	}
	return len(p), nil
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
				printHelp(f.e.stdout, f.cmd)
				return nil, nil, errHelp
			}
			return nil, nil, f.flagError(err, args)
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

// Messages of the flag package, matched to say the same in a sentence.
var (
	reNotDefined = regexp.MustCompile(`^flag provided but not defined: -+(.+)$`)
	reNeedsValue = regexp.MustCompile(`^flag needs an argument: -+(.+)$`)
	reBadValue   = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]+): (.*)$`)
	reBadSyntax  = regexp.MustCompile(`^bad flag syntax: (.*)$`)
)

// flagError turns a flag package error into one sentence naming the
// option as the user typed it (one dash or two).
func (f *flags) flagError(err error, args []string) error {
	name := f.cmd.name
	hint := "; run: tokentray help " + name
	msg := err.Error()
	if m := reNotDefined.FindStringSubmatch(msg); m != nil {
		return usagef("%s has no option %s%s", name, f.typed(m[1], args), hint)
	}
	if m := reNeedsValue.FindStringSubmatch(msg); m != nil {
		return usagef("%s needs a value%s", f.typed(m[1], args), hint)
	}
	if m := reBadValue.FindStringSubmatch(msg); m != nil {
		opt := f.typed(m[2], args)
		fl := f.Lookup(m[2])
		var v any
		if fl != nil {
			if g, ok := fl.Value.(flag.Getter); ok {
				v = g.Get()
			}
		}
		switch v.(type) {
		case bool:
			return usagef("%s is given alone (or as %s=false), not with %q%s", opt, opt, m[1], hint)
		case int, int64, uint, uint64:
			if strings.Contains(m[3], "range") {
				return usagef("%s %q is too large%s", opt, m[1], hint)
			}
			what := "a whole number"
			if fl != nil && fl.Usage != "" {
				what += " of " + fl.Usage
			}
			return usagef("%s %q is not %s%s", opt, m[1], what, hint)
		}
		return usagef("%s %q is not a valid value%s", opt, m[1], hint)
	}
	if m := reBadSyntax.FindStringSubmatch(msg); m != nil {
		return usagef("%s is not an option of %s%s", m[1], name, hint)
	}
	return usagef("%s: %s%s", name, strings.TrimSuffix(msg, "."), hint)
}

// typed is the option called name as it appears in args ("--days" or
// "-days"), else with two dashes.
func (f *flags) typed(name string, args []string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		opt, _, _ := strings.Cut(a, "=")
		if strings.TrimLeft(opt, "-") == name {
			return opt
		}
	}
	return "--" + name
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

// nameArg parses the arguments of a command that takes its flags f and
// exactly one credential NAME, and opens the engine. With --help it
// returns done and a nil error: the help was printed.
func (e *env) nameArg(f *flags, args []string) (name string, eng *engine.Engine, done bool, err error) {
	pos, _, err := f.parse(args)
	if err != nil {
		return "", nil, true, handled(err)
	}
	if err := f.want(pos, 1, "one NAME"); err != nil {
		return "", nil, true, err
	}
	eng, err = e.engine()
	if err != nil {
		return "", nil, true, err
	}
	return pos[0], eng, false, nil
}
