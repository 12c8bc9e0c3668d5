package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"tokentray/internal/msg"
)

// removeOptions is what a remove command line asks for.
type removeOptions struct {
	Name string
	// Yes skips the question asked on a terminal.
	Yes bool
}

// removeCommand is the remove command; runF (nil: remove) gets the options its
// command line parsed.
func removeCommand(e *env, runF func(removeOptions) error) *cobra.Command {
	c := newCommand("remove", "remove a credential and its secrets", "remove NAME [--yes]",
		`Removes NAME: its settings entry and every keychain item. Futu OAuth
tokens are revoked with Futu first when Futu answers; the local removal
happens either way. The file pushed to each share target (share --ssh)
is then deleted there while it still holds what tokentray pushed (a file
someone changed is kept), and each target's result is shown; a host that
does not answer within 20 seconds keeps its file and does not hold up
the removal.

On a terminal it first says what stops working (the shared token files
bots read, scripts that ask tokentray for the token, the days the token
had left) and asks; --yes skips the question. Without a terminal (a
script) it asks nothing.`)
	var yes bool
	yesFlag(c.Flags(), &yes)
	c.Args = exactly(1, msg.New("cli.what_one_name"))
	c.ValidArgsFunction = e.completeNames(1)
	run := func(o removeOptions) error {
		name, yes := o.Name, o.Yes
		svc, err := e.svc()
		if err != nil {
			return err
		}
		if cred, err := svc.Get(e.ctx, name); err == nil && !yes && e.IsTerminal(e.Stdin) {
			ok, err := e.askGone(cred, false)
			if err != nil {
				return err
			}
			if !ok {
				return declined(msg.New("cli.not_removed", "Name", name))
			}
		}
		gone, err := svc.Remove(e.ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.removed", "Name", name)))
		reportTargetsOff(e, gone.Targets)
		if revokeErr := gone.Revoke; revokeErr != nil {
			fmt.Fprintln(e.Stderr, "tokentray: "+e.tr(msg.New("cli.removed_not_revoked", "Name", name, "Why", sentence(e.lang.Err(revokeErr)))))
		}
		return nil
	}
	if runF == nil {
		runF = run
	}
	c.RunE = func(_ *cobra.Command, args []string) error { return runF(removeOptions{Name: args[0], Yes: yes}) }
	return c
}
