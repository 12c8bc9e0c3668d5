package cli

import (
	"github.com/spf13/cobra"

	"tokentray/internal/msg"
)

func agentCommand(e *env) *cobra.Command {
	c := newCommand("agent", "run the agent (the default)", "[--sandbox]\n[--sandbox] agent [--headless]",
		`Runs the agent: the tray icon that shows the health of every credential
and renews tokens before they expire. It is what "tokentray" with no
command does.

Where there is no display (a server, an SSH session, a systemd service)
it runs headless: no tray and no window; it renews tokens, asks about
pending 2FA verifications, keeps shared token files current, hands every
notification to the notify command (see: tokentray help config), and
writes one line to stderr for each event.

  --headless   run headless even where a display is there (the systemd
               unit of "tokentray service install" does)`)
	c.Hidden = true // it is the default, shown in the overview's text
	var headless bool
	boolFlag(c.Flags(), &headless, "headless", "run with no tray and no window")
	c.Args = noArgs
	c.RunE = func(*cobra.Command, []string) error { return runAgent(e, headless) }
	return c
}

func runAgent(e *env, headless bool) error {
	if e.RunAgent == nil {
		return msg.Errorf("cli.no_agent")
	}
	return e.RunAgent(e.ctx, AgentRun{Sandbox: e.sandbox, Headless: headless})
}
