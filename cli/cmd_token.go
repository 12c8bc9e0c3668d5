package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// tokenOptions is what a token command line asks for.
type tokenOptions struct {
	Name string
}

// tokenCommand is the token command; runF (nil: print the token) gets
// the options its command line parsed.
func tokenCommand(e *env, runF func(tokenOptions) error) *cobra.Command {
	c := newCommand("token", "print a credential's current token", "token NAME",
		`Prints the current token of NAME and a newline on stdout, and nothing
else, renewing it first when it expires within the lead time; for scripts:
TOKEN=$(tokentray token NAME).

  futu-key    the access token (FUTU_ACCESS_TOKEN)
  futu-oauth  the OAuth access token (a Bearer token)
  webull      the verified token (the x-access-token header); an app
              with 2FA off has none and needs none (exit code 1): env
              and exec give bots its app key

When you must act first (log in, verify, extend) it prints nothing on
stdout, one sentence on stderr, and exits with code 3. A token that is
fine is printed even when its shared SDK token file could not be
written: a warning on stderr says why, and the exit code is 0.`)
	c.Args = exactly(1, msg.New("cli.what_one_name"))
	c.ValidArgsFunction = e.completeNames(1)
	run := func(o tokenOptions) error {
		name := o.Name
		svc, err := e.svc()
		if err != nil {
			return err
		}
		tok, err := svc.Token(e.ctx, name)
		if err != nil {
			if c, gerr := svc.Get(e.ctx, name); gerr == nil && c.Kind == auth.KindWebull && c.TwoFactorOff {
				return msg.Errorf("cli.token_two_factor_off", "Name", c.Name, "Env", e.cmdLine("env", c.Name), "Exec", e.cmdLine("exec", c.Name)+" -- CMD")
			}
			return err
		}
		fmt.Fprintln(e.Stdout, tok)
		// The token is fine; a shared file that could not be written is
		// said beside it, without failing the script that asked.
		if cur, err := svc.Get(e.ctx, name); err == nil && cur.Health.Next.Kind == auth.ActionShare {
			e.say(e.Stderr, "tokentray: "+e.tr(msg.New("cli.warning", "Sentence", e.withNext(name+": "+sentence(e.explain(cur.Health)), e.command(cur.Health.Next)))))
		}
		return nil
	}
	if runF == nil {
		runF = run
	}
	c.RunE = func(_ *cobra.Command, args []string) error { return runF(tokenOptions{Name: args[0]}) }
	return c
}
