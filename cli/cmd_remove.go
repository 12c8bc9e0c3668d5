package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func removeCommand(e *env) *cobra.Command {
	c := newCommand("remove", "remove a credential and its secrets", "remove NAME",
		`Removes NAME: its settings entry and every keychain item. Futu OAuth
tokens are revoked with Futu first when Futu answers; the local removal
happens either way.`)
	c.Args = exactly(1, "one NAME")
	c.ValidArgsFunction = e.completeNames(1)
	c.RunE = func(_ *cobra.Command, args []string) error {
		name := args[0]
		eng, err := e.engine()
		if err != nil {
			return err
		}
		revokeErr, err := eng.Remove(e.ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "Removed %s.\n", name)
		if revokeErr != nil {
			fmt.Fprintf(e.Stderr, "tokentray: %s was removed here, but the broker could not be told to revoke its tokens (%s); revoke them in the broker's portal if they leaked.\n", name, sentence(revokeErr.Error()))
		}
		return nil
	}
	return c
}
