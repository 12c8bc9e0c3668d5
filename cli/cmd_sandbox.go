package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

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
			return usagef("%d is not a port number", p)
		}
	}
	if e.StartSandbox == nil {
		return errors.New("this build of tokentray has no sandbox")
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
		return fmt.Errorf("sandbox brokers already serve the sandbox profile (Futu %s, Webull %s), started by another tokentray; use those, or stop it first", f, w)
	}
	sb, err := e.StartSandbox(SandboxOptions{FutuPort: futuPort, WebullPort: webullPort, Fresh: fresh, Seed: seed,
		Logf: func(format string, args ...any) { e.say(e.Stderr, fmt.Sprintf(format, args...)) }})
	if sb != nil {
		for _, n := range sb.Notes {
			e.say(e.Stderr, n)
		}
	}
	if err != nil {
		return fmt.Errorf("could not start the sandbox brokers: %w", err)
	}
	defer sb.Stop()
	ctx, stop := interruptible(e.ctx)
	defer stop()

	w := &strings.Builder{}
	fmt.Fprintf(w, "Futu sandbox:    %s\n", sb.FutuURL)
	fmt.Fprintf(w, "  admin page:    %s (OAuth clients, API keys, rotation, clock skew, faults)\n", sb.FutuAdminURL)
	fmt.Fprintf(w, "Webull sandbox:  %s\n", sb.WebullURL)
	fmt.Fprintf(w, "  phone page:    %s (confirm pending tokens with their SMS code)\n", sb.PhoneURL)
	fmt.Fprintf(w, "  faults:        %s/sandbox/faults and %s/sandbox/faults\n", sb.FutuURL, sb.WebullURL)
	addYours := "Add your own"
	switch {
	case sb.Seeded:
		fmt.Fprintf(w, "\nDemo credentials added to the sandbox profile: %s.\n", strings.Join(sb.DemoNames, ", "))
	case sb.Restored:
		fmt.Fprintf(w, "\nThe brokers kept their saved state: the sandbox profile's credentials work as before.\n")
	default:
		fmt.Fprintf(w, "\nAdd the demo credentials to the sandbox profile: tokentray sandbox --seed\n")
		addYours = "Or add your own"
	}
	fmt.Fprintf(w, "%s from another terminal, for example:\n", addYours)
	fmt.Fprintf(w, "  tokentray --sandbox add futu-oauth my-futu\n")
	fmt.Fprintf(w, "  tokentray --sandbox login my-futu\n")
	fmt.Fprintf(w, "(in the sandbox profile, credentials added without --endpoint use these brokers)\n")
	fmt.Fprintf(w, "Then: tokentray --sandbox status, tokentray --sandbox window, or tokentray --sandbox for the tray.\n")
	fmt.Fprintf(w, "Press Ctrl-C to stop.")
	e.say(e.Stdout, w.String())
	<-ctx.Done()
	fmt.Fprintln(e.Stdout, "Sandbox stopped.")
	return nil
}
