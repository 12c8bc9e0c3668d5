package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// maxExtendDays is the longest extension Futu grants (3 years).
const maxExtendDays = 1095

func extendCommand(e *env) *cobra.Command {
	c := newCommand("extend", "extend a Futu API key's access token", "extend NAME [--days N]",
		`Asks Futu for a new access token for the API key NAME, valid for N days
(default: the extend-days setting, 90 unless changed with "tokentray config
extend-days N"; at most 1095). Without --days, a token already valid for
longer is left as it is. The old token stops working: scripts that read
it from the environment must be restarted (tokentray env/exec give them the
new one).`)
	var days int
	intFlag(c.Flags(), &days, "days", 90, "days the new token is valid (default: the extend-days setting)")
	c.Args = exactly(1, "one NAME")
	c.ValidArgsFunction = e.completeNames(1)
	c.RunE = func(_ *cobra.Command, args []string) error {
		if days < 1 || days > maxExtendDays {
			return usagef("--days must be between 1 and %d (3 years), not %d", maxExtendDays, days)
		}
		eng, err := e.engine()
		if err != nil {
			return err
		}
		if !c.Flags().Changed("days") {
			ps, err := e.prefs()
			if err != nil {
				return err
			}
			p, err := ps.Prefs()
			if err != nil {
				return err
			}
			days = p.ExtendDays
		}
		until := e.Clock.Now().UTC().Add(time.Duration(days) * 24 * time.Hour)
		// Without --days, a token that lasts longer than the default
		// would be cut short: most likely not what was meant.
		if cred, err := eng.Get(args[0]); err == nil && !c.Flags().Changed("days") && cred.ExpiresAt.After(until) {
			return usagef("%s's access token is valid until %s, later than the %d days of the extend-days setting (%s): nothing was changed; to replace it with a token valid for fewer days anyway, give --days N",
				args[0], cred.ExpiresAt.UTC().Format("2006-01-02"), days, until.Format("2006-01-02"))
		}
		h, err := eng.Extend(e.ctx, args[0], until)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "%s: %s\n", args[0], e.health(h))
		return nil
	}
	return c
}
