package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// logoutOptions is what a logout command line asks for.
type logoutOptions struct {
	Name string
	// Yes skips the question asked on a terminal.
	Yes bool
}

// logoutCommand is the logout command; runF (nil: logout) gets the options its
// command line parsed.
func logoutCommand(e *env, runF func(logoutOptions) error) *cobra.Command {
	c := newCommand("logout", "forget a credential's tokens but keep the credential", "logout NAME [--yes]",
		`Logs NAME out: its tokens are deleted from the keychain, and the
credential stays so that "tokentray login NAME" signs in again. Scripts
asking for its token get exit code 3 until then.

  futu-oauth  the access and refresh tokens are revoked with Futu first
              when Futu offers revocation and answers; the app
              registration (client ID) is kept
  webull      the stored token is forgotten and the next login creates
              and verifies a new one; the token.txt shared with the SDKs
              is deleted when it holds that token; Webull offers no
              revocation, so the old token stays valid at Webull until it
              expires or goes unused for 15 days
  futu-key    refused: an API key is revoked in the Futu developer
              portal (tokentray remove NAME forgets it here)

Once logged out, the file pushed to each share target (share --ssh) is
deleted there while it still holds what tokentray pushed (a file someone
changed is kept), and each target's result is shown; the targets stay,
so the next login pushes again. A host that does not answer within 20
seconds keeps its file and does not hold up the logout.

On a terminal it first says what stops working (the shared token files
bots read, scripts that ask tokentray for the token, the days the token
had left) and asks; --yes skips the question. Without a terminal (a
script) it asks nothing.`)
	var yes bool
	yesFlag(c.Flags(), &yes)
	c.Args = exactly(1, msg.New("cli.what_one_name"))
	c.ValidArgsFunction = e.completeNames(1)
	run := func(o logoutOptions) error {
		name, yes := o.Name, o.Yes
		svc, err := e.svc()
		if err != nil {
			return err
		}
		if cred, err := svc.Get(e.ctx, name); err == nil && cred.Kind != auth.KindFutuKey && !yes && e.IsTerminal(e.Stdin) {
			ok, err := e.askGone(cred, true)
			if err != nil {
				return err
			}
			if !ok {
				return declined(msg.New("cli.not_logged_out", "Name", name))
			}
		}
		ctx, stop := interruptible(e.ctx)
		defer stop()
		gone, err := svc.Logout(ctx, name)
		if err != nil {
			return err
		}
		revokeErr := gone.Revoke
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.logged_out", "Name", name, "Command", e.cmdLine("login", name))))
		reportTargetsOff(e, gone.Targets)
		if revokeErr != nil {
			fmt.Fprintln(e.Stderr, "tokentray: "+e.tr(msg.New("cli.logged_out_not_revoked", "Name", name, "Why", trimEnd(sentence(e.lang.Err(revokeErr))))))
		}
		return nil
	}
	if runF == nil {
		runF = run
	}
	c.RunE = func(_ *cobra.Command, args []string) error { return runF(logoutOptions{Name: args[0], Yes: yes}) }
	return c
}
