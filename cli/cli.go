// Package cli is tokentray's command line: the commands a person or a
// script runs (add, login, refresh, status, token, env, exec, ...), thin
// over the credential engine, plus starting the agent, the window and the
// sandbox brokers. It is built on spf13/cobra, one file per command.
// Secrets never travel on argv.
package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/jonboulle/clockwork"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"tokentray/auth"
	"tokentray/auth/keychain"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/userunit"
)

// Exit codes of every command.
const (
	ExitOK        = 0 // done
	ExitError     = 1 // something failed; the message says what to do
	ExitUsage     = 2 // the command line was wrong
	ExitNeedsUser = 3 // only the user can fix it: log in, verify, extend
)

// Deps is everything the command line touches outside itself. main wires
// the real parts (built by internal/system); tests wire fakes through the
// same door. Every field may be left nil: the commands that need a
// missing one say so.
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
	// Ctrl-C there ends with ErrInterrupted, Ctrl-D on an empty line
	// with io.EOF.
	ReadSecret func(prompt string) (string, error)
	// ReadLine reads one line from the terminal as it is typed (what is
	// not secret), after writing prompt to Stderr; nil: ReadSecret.
	ReadLine func(prompt string) (string, error)
	// Clock drives the login countdown; nil means the wall clock.
	Clock clockwork.Clock
	// Open opens the normal or the sandbox profile: its engine and the
	// parts beside it. It is called at most once a run, and only by the
	// commands that need it.
	Open func(sandbox bool) (Parts, error)
	// ProfileDir returns the settings directory of the normal or the
	// sandbox profile without opening anything (no keychain): shell
	// completion reads the credential names from it, and config reads
	// and writes the settings there.
	ProfileDir func(sandbox bool) (string, error)
	// RunAgent runs the agent until ctx ends or the user quits.
	RunAgent func(ctx context.Context, o AgentRun) error
	// RunWindow runs the window until it is closed, showing the
	// credential called focus when it is not empty.
	RunWindow func(ctx context.Context, sandbox bool, focus string) error
	// StartSandbox starts both simulated brokers.
	StartSandbox func(o SandboxOptions) (*SandboxBrokers, error)
	// Systemd is the user's service manager; nil means this machine's.
	Systemd userunit.Systemd
	// Executable is the absolute path of this tokentray; nil means the
	// running binary's, symlinks resolved.
	Executable func() (string, error)
	// Autostart switches starting the agent at login on and off; nil
	// means this build cannot.
	Autostart Autostart
	// Language is the language the command line speaks in the normal or
	// the sandbox profile (system.Door.Language: the profile's language
	// setting, then FUTU_LANGUAGE, the locale and the desktop); nil
	// means English.
	Language func(sandbox bool) msg.Lang
}

// AgentRun is how the agent is to run.
type AgentRun struct {
	Sandbox bool
	// Headless: no tray and no window, a line on stderr for each event,
	// even where a desktop is there.
	Headless bool
}

// Parts are the built parts of one opened profile.
type Parts struct {
	// Service runs every credential operation of the profile.
	Service service.Service
	// Dir is the profile's settings directory (where a running sandbox
	// records its addresses).
	Dir string
	// Prefs reads and writes the profile's settings.
	Prefs PrefsStore
	// CheckKeychain says, as one sentence, why the keychain cannot be
	// used now; nil when it can (or when it is not known to fail).
	CheckKeychain func() error
	// Keychain checks the profile's keychain and says which it is; ok is
	// false when the secrets are kept outside any keychain (tests).
	Keychain func() (r KeychainReport, ok bool)
	// MoveKeychainAside renames a damaged file keychain out of the way
	// and returns where it went; nil when the profile does not use the
	// file keychain.
	MoveKeychainAside func() (string, error)
	// CheckFileKeychain proves the file keychain's key is there and
	// opens the file, reading nothing but the key and the file (no
	// session bus); nil when the profile does not use the file keychain.
	CheckFileKeychain func() error
}

// SandboxOptions say how `tokentray sandbox` runs the simulated brokers.
type SandboxOptions struct {
	// FutuPort and WebullPort are the ports to listen on; 0: the saved
	// ones, else free ones.
	FutuPort, WebullPort int
	// Fresh forgets the saved state; Seed adds the demo credentials.
	Fresh, Seed bool
	// Logf reports what the brokers do.
	Logf func(format string, args ...any)
}

// SandboxBrokers are the simulated brokers running for the sandbox
// profile, their addresses recorded in it and its credentials pointed
// at them.
type SandboxBrokers struct {
	FutuURL, FutuAdminURL, WebullURL, PhoneURL string
	// Restored: they kept their saved state; Seeded: the demo
	// credentials (DemoNames) were added.
	Restored, Seeded bool
	DemoNames        []string
	// Notes are sentences to show (a saved port that was taken).
	Notes []string
	// Stop stops them and takes their record out of the profile.
	Stop func()
}

// PrefsStore reads and writes a profile's settings (*store.Store is one).
type PrefsStore interface {
	Prefs() (store.Prefs, error)
	SetPrefs(store.Prefs) error
}

// Autostart is the desktop's "start at login" entry of the agent.
type Autostart interface {
	// Enabled reports whether the agent starts at login.
	Enabled() bool
	// Set writes (on) or removes (off) the entry.
	Set(on bool) error
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

// usageError is a wrong command line (exit 2): its sentence as data.
type usageError struct{ m msg.Message }

func (e *usageError) Error() string { return e.m.String() }

// Message is the sentence as data (msg.Sayer).
func (e *usageError) Message() msg.Message { return e.m }

// usage is a wrong command line saying m.
func usage(m msg.Message) error { return &usageError{m} }

// needsUser is an error only the person can fix (exit 3), saying m.
func needsUser(m msg.Message) error {
	return &msg.Error{Msg: m, Err: &auth.UserError{Msg: m.String()}}
}

// usageOf is err, a refusal of what was typed, as a wrong command line.
func usageOf(err error) error { return &usageError{msg.Of(err)} }

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

// env is one run of the command line.
type env struct {
	Deps
	ctx     context.Context
	sandbox bool
	parts   *Parts
	// lang is the language every sentence is said in.
	lang msg.Lang
}

// open opens the profile once.
func (e *env) open() (*Parts, error) {
	if e.parts != nil {
		return e.parts, nil
	}
	if e.Open == nil {
		return nil, msg.Errorf("cli.cannot_open_settings")
	}
	p, err := e.Open(e.sandbox)
	if err != nil {
		return nil, err
	}
	if x, ok := p.Prefs.(interface{ Exposure() string }); ok {
		if why := x.Exposure(); why != "" {
			e.say(e.Stderr, "tokentray: "+e.tr(msg.New("cli.warning", "Sentence", why)))
		}
	}
	e.parts = &p
	return e.parts, nil
}

// svc is the opened profile's service.
func (e *env) svc() (service.Service, error) {
	p, err := e.open()
	if err != nil {
		return nil, err
	}
	if p.Service == nil {
		return nil, msg.Errorf("cli.cannot_reach_credentials")
	}
	return p.Service, nil
}

// Run runs the command line args (without the program name) and returns
// the process exit code: ExitOK, ExitError, ExitUsage or ExitNeedsUser
// (exec passes its child's code through). Every error is one sentence on
// Stderr.
func Run(ctx context.Context, args []string, d Deps) int {
	d.fill()
	e := &env{Deps: d, ctx: ctx, lang: msg.English}
	if d.Language != nil {
		// Chosen before the command line is read: help and the errors
		// of a wrong command line are said in it too.
		e.lang = d.Language(sandboxArg(args))
	}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(e.Stdin)
	root.SetOut(e.Stdout)
	root.SetErr(e.Stderr)
	return report(e, root.ExecuteContext(ctx))
}

// sandboxArg reports whether args ask for the sandbox profile, before
// the command line is read (--sandbox may come before or after the
// command; what follows "--" is another program's).
func sandboxArg(args []string) bool {
	for _, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--sandbox"); ok {
			if v == "" {
				return true
			}
			if b, err := strconv.ParseBool(strings.TrimPrefix(v, "=")); err == nil && strings.HasPrefix(v, "=") {
				return b
			}
		}
	}
	return false
}

// tr says m in the person's language.
func (e *env) tr(m msg.Message) string { return e.lang.Render(m) }

// report prints err as one sentence, with the command of its next action
// when it carries one, and returns its exit code.
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
	e.say(e.Stderr, "tokentray: "+e.errorSentence(err))
	return code
}

// errorSentence is err as one sentence, with the command of its next
// action when it carries one.
func (e *env) errorSentence(err error) string {
	s := sentence(e.lang.Err(err))
	if a, ok := auth.ActionOf(err); ok {
		s = e.withNext(s, e.command(a))
	} else if next := e.keychainNext(err); next != "" {
		s = e.withNext(s, next)
	} else if keychain.Missing(err) {
		s = e.serverHint(s)
	} else if name, ok := store.MissingName(err); ok {
		s = e.notFoundHint(s, name)
	} else if errors.Is(err, store.ErrNotFound) {
		s = e.tr(msg.New("cli.see_names", "Sentence", trimEnd(s), "Command", e.cmdLine("status")))
	}
	return s
}

// trimEnd is a sentence without its full stop, to be continued.
func trimEnd(s string) string { return strings.TrimRight(s, ". 。") }

// sentence keeps a message on one line, with no control character a
// broker's text may have brought.
func sentence(s string) string {
	s = strings.Join(strings.Fields(auth.Printable(s)), " ")
	if s == "" {
		return "failed"
	}
	return s
}

// interruptible returns ctx ended also by Ctrl-C, for commands that wait.
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt)
}

// exactly is the positional arguments of a command taking exactly n,
// described by what (as in "one NAME").
func exactly(n int, what msg.Message) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < n {
			return usage(msg.New("cli.args_missing", "Command", c.Name(), "What", what))
		}
		return atMost(n, what)(c, args)
	}
}

// noArgs is the positional arguments of a command that takes none.
var noArgs = exactly(0, msg.Message{})

// atMost accepts up to n positional arguments.
func atMost(n int, what msg.Message) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) <= n {
			return nil
		}
		extra := strconv.Quote(strings.Join(args[n:], " "))
		if n == 0 {
			return usage(msg.New("cli.args_none", "Command", c.Name(), "Extra", extra))
		}
		return usage(msg.New("cli.args_extra", "Command", c.Name(), "What", what, "Extra", extra))
	}
}
