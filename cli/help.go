package cli

import (
	"fmt"
	"io"
	"strings"
)

const overview = `tokentray keeps Futu and Webull OpenAPI credentials alive.

Usage:
  tokentray [--sandbox] [COMMAND] [ARGS]

With no command, tokentray runs the agent: the tray icon that keeps every
credential fresh.

Commands:
%s
Global options:
  --sandbox   use the sandbox profile, for trying tokentray against the
              simulated brokers of "tokentray sandbox": settings in
              "<config dir>/tokentray-sandbox" (or the "sandbox" folder of
              TOKENTRAY_CONFIG_DIR), keychain service "tokentray-sandbox";
              never mixed with your real credentials
  -h, --help  show help; every command also takes --help

Environment:
  TOKENTRAY_CONFIG_DIR   settings directory (isolates a profile)

Exit codes: 0 done, 1 failed, 2 wrong command line, 3 you must act (log in,
verify, extend). Run "tokentray help COMMAND" for one command.
`

func printHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "Usage:\n")
	for _, l := range strings.Split(strings.TrimSpace(c.usage), "\n") {
		fmt.Fprintf(w, "  tokentray %s\n", l)
	}
	fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(c.help))
}

func printOverview(w io.Writer) {
	var b strings.Builder
	for _, c := range commands {
		if c.name == "agent" {
			continue
		}
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, overview, b.String())
}

var cmdHelp = &command{
	name:    "help",
	summary: "show help for tokentray or one command",
	usage:   "help [COMMAND]",
	help:    "Shows what tokentray does, or the usage of one command.",
	run: func(e *env, self *command, args []string) error {
		f := newFlags(e, self)
		pos, _, err := f.parse(args)
		if err != nil {
			return handled(err)
		}
		if len(pos) == 0 {
			printOverview(e.stdout)
			return nil
		}
		if len(pos) > 1 {
			return usagef("help takes one command name; run: tokentray help")
		}
		c := lookup(pos[0])
		if c == nil {
			return usagef("%q is not a tokentray command; run: tokentray help", pos[0])
		}
		printHelp(e.stdout, c)
		return nil
	},
}
