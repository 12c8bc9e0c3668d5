package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

func agentCommand(e *env) *cobra.Command {
	c := newCommand("agent", "run the tray agent (the default)", "[--sandbox]\n[--sandbox] agent",
		`Runs the agent: the tray icon that shows the health of every credential
and renews tokens before they expire. It is what "tokentray" with no
command does.`)
	c.Hidden = true // it is the default, shown in the overview's text
	c.Args = exactly(0, "no arguments")
	c.RunE = func(*cobra.Command, []string) error { return runAgent(e) }
	return c
}

func runAgent(e *env) error {
	if e.RunAgent == nil {
		return errors.New("this build of tokentray has no tray; use its commands instead (tokentray help)")
	}
	return e.RunAgent(e.ctx, e.sandbox)
}
