package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/internal/msg"
)

// refreshOptions is what a refresh command line asks for.
type refreshOptions struct {
	// Names are the credentials to check; none: every one.
	Names []string
	// Force renews tokens that are not due yet.
	Force bool
}

// refreshCommand is the refresh command; runF (nil: runRefresh) gets
// the options its command line parsed.
func refreshCommand(e *env, runF func(refreshOptions) error) *cobra.Command {
	if runF == nil {
		runF = func(o refreshOptions) error { return runRefresh(e, o) }
	}
	c := newCommand("refresh", "check credentials with the brokers and renew tokens that are due", "refresh [--force] [NAME...]",
		`Checks the named credentials (all when none is named) with their brokers
and renews every token that expires within the lead time.

  --force   renew tokens even when they are not due, and ask again
            about a credential its broker refused

A credential its broker refused (it needs you: log in, verify, a new
secret) is asked about again at the next check interval (check-every),
not at every command, unless you log in, change it, or use --force.

Prints one line per credential. Exit code 3 when any needs you to act, 1
when any could not be checked.`)
	var force bool
	boolFlag(c.Flags(), &force, "force", "renew tokens even when they are not due")
	c.ValidArgsFunction = e.completeNames(0)
	c.RunE = func(_ *cobra.Command, names []string) error { return runF(refreshOptions{Names: names, Force: force}) }
	return c
}

func runRefresh(e *env, o refreshOptions) error {
	names, force := o.Names, o.Force
	svc, err := e.svc()
	if err != nil {
		return err
	}
	var rs []service.Result
	if len(names) == 0 {
		if rs, err = svc.RefreshAll(e.ctx, force); err != nil {
			return err
		}
		if len(rs) == 0 {
			e.say(e.Stdout, e.tr(msg.New("cli.refresh_none", "Command", e.cmdLine("add"))))
			return nil
		}
	} else {
		rs = svc.RefreshNames(e.ctx, names, force)
	}
	code := ExitOK
	for _, r := range rs {
		var ue *auth.UserError
		switch {
		case r.Err == nil:
			e.say(e.Stdout, r.Name+": "+e.health(r.Health))
		case errors.As(r.Err, &ue):
			h := auth.Health{State: needsState(r.Health), Next: ue.Action}.Because(ue.Message())
			if h.Next.IsZero() {
				h.Next = r.Health.Next
			}
			e.say(e.Stdout, r.Name+": "+e.health(h))
			if code == ExitOK {
				code = ExitNeedsUser
			}
		default:
			said := msg.Of(r.Err)
			if r.Health.State == auth.Unknown && !r.Health.Cause().IsZero() && !errors.Is(r.Err, service.ErrBusy) {
				// The health's sentence says it for a person; the error
				// chain is for logs. (A busy credential was not checked:
				// its stored health is not what happened now.)
				said = r.Health.Cause()
			}
			line := sentence(e.tr(said))
			if !namedIn(said, r.Name) {
				line = r.Name + ": " + line
			}
			e.say(e.Stderr, "tokentray: "+e.withNext(line, e.command(r.Health.Next)))
			code = ExitError
		}
	}
	if code != ExitOK {
		return &exitError{code: code}
	}
	return nil
}

func needsState(h auth.Health) auth.State {
	if h.State.NeedsUser() {
		return h.State
	}
	return auth.ActionNeeded
}
