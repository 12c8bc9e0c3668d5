package cli

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/internal/msg"
)

func windowCommand(e *env) *cobra.Command {
	c := newCommand("window", "open the tokentray window", "window [NAME]\n--sandbox window [NAME]",
		`Opens the window: credentials and their health, adding credentials,
the 2FA countdown, settings; with NAME, at that credential. The agent
opens it when you click a credential in the tray menu.`)
	c.Args = atMost(1, msg.New("cli.what_at_most_one_credential"))
	c.ValidArgsFunction = e.completeNames(1)
	c.RunE = func(_ *cobra.Command, args []string) error {
		focus := ""
		if len(args) == 1 {
			focus = args[0]
		}
		// An unknown name is said here, with the names close to it, before
		// a window starts (read from the settings, without the keychain).
		if names := e.namesIn(e.sandbox); focus != "" && names != nil && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, focus) }) {
			return errors.New(e.notFoundHint(e.tr(msg.New("cli.no_such_credential", "Name", strconv.Quote(focus))), focus))
		}
		if e.RunWindow == nil {
			return msg.Errorf("cli.no_window")
		}
		return e.RunWindow(e.ctx, e.sandbox, focus)
	}
	return c
}
