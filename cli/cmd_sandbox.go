package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth/sandbox"
)

func sandboxCommand(e *env) *cobra.Command {
	c := newCommand("sandbox", "run the simulated Futu and Webull brokers", "sandbox [--seed] [--futu-port N] [--webull-port N]",
		`Runs simulated Futu and Webull brokers on this machine until Ctrl-C, so
every flow can be tried with no brokerage account: OAuth login and refresh,
API keys, Webull tokens with a 5-minute SMS verification (confirmed on the
"phone" page), and injected failures. Futu OAuth tokens live a few minutes,
so refreshes happen while you watch.

  --seed           add the demo credentials to the sandbox profile (a
                   healthy Futu API key, one about to expire, a Webull
                   token waiting for its SMS code, and a Futu OAuth login
                   waiting for its first sign-in); demo credentials left
                   from an earlier run are replaced
  --futu-port N    listen on this port for Futu (default: a free one)
  --webull-port N  listen on this port for Webull (default: a free one)

Use the sandbox profile against it from another terminal with --sandbox:
"tokentray --sandbox status", "tokentray --sandbox window", or
"tokentray --sandbox" (the tray, which then uses these brokers). In the
sandbox profile, credentials added without --endpoint use these brokers.`)
	var seed bool
	var futuPort, webullPort int
	boolFlag(c.Flags(), &seed, "seed", "add the demo credentials to the sandbox profile")
	intFlag(c.Flags(), &futuPort, "futu-port", 0, "the port for Futu")
	intFlag(c.Flags(), &webullPort, "webull-port", 0, "the port for Webull")
	c.Args = exactly(0, "no arguments")
	c.RunE = func(*cobra.Command, []string) error { return runSandbox(e, seed, futuPort, webullPort) }
	return c
}

func runSandbox(e *env, seed bool, futuPort, webullPort int) error {
	for _, p := range []int{futuPort, webullPort} {
		if p < 0 || p > 65535 {
			return usagef("%d is not a port number", p)
		}
	}
	if e.StartSandbox == nil {
		return errors.New("this build of tokentray has no sandbox")
	}
	opts := sandbox.DemoOptions()
	opts.FutuPort, opts.WebullPort = futuPort, webullPort
	sb, err := e.StartSandbox(opts)
	if err != nil {
		return fmt.Errorf("could not start the sandbox brokers: %w", err)
	}
	defer sb.Close()
	ctx, stop := interruptible(e.ctx)
	defer stop()

	// Credentials added to the sandbox profile without --endpoint, and
	// an agent started with --sandbox, use these brokers.
	if !e.sandbox {
		e.sandbox, e.parts = true, nil
	}
	parts, err := e.open()
	if err != nil {
		return err
	}
	if f, w, err := sandbox.Running(parts.Dir); err == nil {
		return fmt.Errorf("sandbox brokers already serve the sandbox profile (Futu %s, Webull %s), started by another tokentray; use those, or stop it first", f, w)
	}
	unadvertise, err := sb.Advertise(parts.Dir)
	if err != nil {
		return fmt.Errorf("could not record the sandbox's addresses in the sandbox profile: %w", err)
	}
	defer unadvertise()

	w := e.Stdout
	fmt.Fprintf(w, "Futu sandbox:    %s\n", sb.FutuURL)
	fmt.Fprintf(w, "  admin page:    %s (OAuth clients, API keys, rotation, clock skew, faults)\n", sb.FutuAdminURL())
	fmt.Fprintf(w, "Webull sandbox:  %s\n", sb.WebullURL)
	fmt.Fprintf(w, "  phone page:    %s (confirm pending tokens with their SMS code)\n", sb.PhoneURL())
	fmt.Fprintf(w, "  faults:        %s/sandbox/faults and %s/sandbox/faults\n", sb.FutuURL, sb.WebullURL)
	if seed {
		if parts.SeedDemo == nil {
			return errors.New("this build of tokentray cannot add the demo credentials")
		}
		if err := parts.SeedDemo(sb); err != nil {
			return fmt.Errorf("could not add the demo credentials: %w", err)
		}
		fmt.Fprintf(w, "\nDemo credentials added to the sandbox profile: %s.\n", strings.Join(sandbox.DemoNames, ", "))
	} else {
		fmt.Fprintf(w, "\nAdd the demo credentials to the sandbox profile: tokentray sandbox --seed\n")
	}
	fmt.Fprintf(w, "Or add your own from another terminal, for example:\n")
	fmt.Fprintf(w, "  tokentray --sandbox add futu-oauth my-futu\n")
	fmt.Fprintf(w, "  tokentray --sandbox login my-futu\n")
	fmt.Fprintf(w, "(in the sandbox profile, credentials added without --endpoint use these brokers)\n")
	fmt.Fprintf(w, "Then: tokentray --sandbox status, tokentray --sandbox window, or tokentray --sandbox for the tray.\n")
	fmt.Fprintf(w, "Press Ctrl-C to stop.\n")
	<-ctx.Done()
	fmt.Fprintln(w, "Sandbox stopped.")
	return nil
}
