package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/internal/msg"
	"tokentray/internal/sandboxaddr"
)

func sandboxCommand(e *env) *cobra.Command {
	c := newCommand("sandbox", "run the simulated Futu and Webull brokers", "sandbox [--seed] [--fresh] [--futu-port N] [--webull-port N]",
		`Runs simulated Futu and Webull brokers on this machine until Ctrl-C, so
every flow can be tried with no brokerage account: OAuth login and refresh,
API keys, Webull tokens with a 5-minute SMS verification (confirmed on the
"phone" page), and injected failures. Futu OAuth tokens live a few minutes,
so refreshes happen while you watch.

The brokers keep their state (keys, tokens, registered clients, Webull
apps) and their ports in the sandbox profile (sandbox-state.json, fake
secrets only), so the sandbox credentials keep working after a restart.
When a saved port is taken, another is used and the profile's credentials
are pointed there. A damaged state file is moved aside and the sandbox
starts fresh.

  --seed           add the demo credentials to the sandbox profile (a
                   healthy Futu API key, one about to expire, a Webull
                   token waiting for its SMS code, and a Futu OAuth login
                   waiting for its first sign-in); demo credentials left
                   from an earlier run are replaced
  --fresh          forget the saved state and start over: new brokers on
                   new ports, and new demo credentials (your own sandbox
                   credentials stay, but the new brokers do not know them)
  --futu-port N    listen on this port for Futu (default: the saved one,
                   else a free one)
  --webull-port N  listen on this port for Webull (default: the saved one,
                   else a free one)

Use the sandbox profile against it from another terminal with --sandbox:
"tokentray --sandbox status", "tokentray --sandbox window", or
"tokentray --sandbox" (the tray, which then uses these brokers). In the
sandbox profile, credentials added without --endpoint use these brokers.
The tray started with --sandbox runs its own brokers, from the same saved
state, when these are not running; TOKENTRAY_SANDBOX_FRESH=1 makes it
start over.`)
	var seed, fresh bool
	var futuPort, webullPort int
	boolFlag(c.Flags(), &seed, "seed", "add the demo credentials to the sandbox profile")
	boolFlag(c.Flags(), &fresh, "fresh", "forget the saved state and start over with new demo credentials")
	intFlag(c.Flags(), &futuPort, "futu-port", 0, "the port for Futu")
	intFlag(c.Flags(), &webullPort, "webull-port", 0, "the port for Webull")
	c.Args = noArgs
	c.RunE = func(*cobra.Command, []string) error { return runSandbox(e, seed, fresh, futuPort, webullPort) }
	return c
}

func runSandbox(e *env, seed, fresh bool, futuPort, webullPort int) error {
	for _, p := range []int{futuPort, webullPort} {
		if p < 0 || p > 65535 {
			return usage(msg.New("cli.not_a_port", "Port", p))
		}
	}
	if e.StartSandbox == nil {
		return msg.Errorf("cli.no_sandbox")
	}
	// Credentials added to the sandbox profile without --endpoint, and
	// an agent started with --sandbox, use these brokers.
	if !e.sandbox {
		e.sandbox, e.parts = true, nil
	}
	parts, err := e.open()
	if err != nil {
		return err
	}
	if f, w, err := sandboxaddr.Running(parts.Dir); err == nil {
		return msg.Errorf("cli.sandbox_running", "Futu", f, "Webull", w)
	}
	sb, err := e.StartSandbox(SandboxOptions{FutuPort: futuPort, WebullPort: webullPort, Fresh: fresh, Seed: seed,
		Logf: func(format string, args ...any) { e.say(e.Stderr, fmt.Sprintf(format, args...)) }})
	if sb != nil {
		for _, n := range sb.Notes {
			e.say(e.Stderr, n)
		}
	}
	if err != nil {
		return msg.Wrap(err, "cli.sandbox_start_failed", "Err", err)
	}
	defer sb.Stop()
	ctx, stop := interruptible(e.ctx)
	defer stop()

	w := &strings.Builder{}
	fmt.Fprintln(w, e.tr(msg.New("cli.sandbox_banner", "Futu", sb.FutuURL, "Admin", sb.FutuAdminURL, "Webull", sb.WebullURL, "Phone", sb.PhoneURL)))
	addYours := msg.New("cli.sandbox_add_yours")
	switch {
	case sb.Seeded:
		fmt.Fprintln(w, "\n"+e.tr(msg.New("cli.sandbox_seeded", "Names", strings.Join(sb.DemoNames, ", "))))
	case sb.Restored:
		fmt.Fprintln(w, "\n"+e.tr(msg.New("cli.sandbox_restored")))
	default:
		fmt.Fprintln(w, "\n"+e.tr(msg.New("cli.sandbox_seed_hint")))
		addYours = msg.New("cli.sandbox_or_add_yours")
	}
	fmt.Fprint(w, e.tr(msg.New("cli.sandbox_how", "AddYours", addYours)))
	e.say(e.Stdout, w.String())
	<-ctx.Done()
	fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.sandbox_stopped")))
	return nil
}
