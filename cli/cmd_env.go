package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Formats of "tokentray env".
const (
	formatShell  = "shell"
	formatDotenv = "dotenv"
	formatJSON   = "json"
)

// envOptions is what an env command line asks for.
type envOptions struct {
	Name string
	// Format is shell, dotenv or json.
	Format string
}

// envCommand is the env command; runF (nil: print the variables) gets
// the options its command line parsed.
func envCommand(e *env, runF func(envOptions) error) *cobra.Command {
	c := newCommand("env", "print a credential's variables for a shell, a .env file or JSON", "env NAME [--format shell|dotenv|json]",
		`Prints the variables the broker's SDK reads for NAME, renewed first when
due. The format:

  shell   (default) "export VAR='value'" lines, for: eval "$(tokentray env NAME)"
  dotenv  VAR=value lines for tools that read a .env file
  json    one JSON object of the variables

Prefer "tokentray exec", which keeps the values out of your shell and files.
The values are those of this moment: a process started with them keeps
them when tokentray later renews or extends the token, so a bot that runs
for days is better served by "tokentray token NAME" from the bot, or by a
shared SDK token file ("tokentray share").

  futu-key  FUTU_APP_KEY, FUTU_APP_SECRET, FUTU_ACCESS_TOKEN (and FUTU_HTTP_URL
            for a custom endpoint)
  webull    WEBULL_APP_KEY_ID and WEBULL_APP_KEY_SECRET (as the Webull SDK
            reads them; also WEBULL_APP_KEY, WEBULL_APP_SECRET), and
            WEBULL_OPENAPI_TOKEN_DIR (the folder of the SDK's token.txt)
            when sharing is on; without sharing, a bot using the Webull SDK
            starts its own SMS verification (turn sharing on with:
            tokentray share NAME --dir DIR); an app with 2FA off needs
            no token, only the app key
  futu-oauth  none: the Futu SDK reads its OAuth token from its token file,
            not from the environment, so env prints nothing, says so on
            stderr and exits with code 2; turn sharing on (tokentray share
            NAME, or --share-sdk at add) so tokentray keeps that file
            current.

Exit code 3 when you must act first.`)
	format := formatShell
	c.Flags().StringVar(&format, "format", formatShell, "shell, dotenv or json")
	_ = c.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{formatShell, formatDotenv, formatJSON}, cobra.ShellCompDirectiveNoFileComp
	})
	c.Args = exactly(1, msg.New("cli.what_one_name"))
	c.ValidArgsFunction = e.completeNames(1)
	run := func(o envOptions) error {
		vars, err := credentialEnv(e, o.Name)
		var none *noEnvError
		if errors.As(err, &none) {
			// Nothing on stdout and a code a script notices:
			// eval "$(tokentray env NAME)" || ...
			return &exitError{code: ExitUsage, err: err}
		}
		if err != nil {
			return err
		}
		return writeEnv(e, vars, o.Format)
	}
	if runF == nil {
		runF = run
	}
	c.RunE = func(_ *cobra.Command, args []string) error {
		switch format {
		case formatShell, formatDotenv, formatJSON:
		default:
			return usage(msg.New("cli.env_bad_format", "Format", strconv.Quote(format)))
		}
		return runF(envOptions{Name: args[0], Format: format})
	}
	return c
}

// writeEnv prints vars in format.
func writeEnv(e *env, vars map[string]string, format string) error {
	switch format {
	case formatJSON:
		b, err := json.MarshalIndent(vars, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(e.Stdout, "%s\n", b)
		return err
	case formatDotenv:
		for _, k := range sortedKeys(vars) {
			fmt.Fprintf(e.Stdout, "%s=%s\n", k, dotenvQuote(vars[k]))
		}
		return nil
	}
	for _, k := range sortedKeys(vars) {
		fmt.Fprintf(e.Stdout, "export %s=%s\n", k, shellQuote(vars[k]))
	}
	return nil
}

// noEnvError is a credential whose SDK reads nothing from the
// environment (a Futu OAuth login): the sentence says where it reads.
type noEnvError struct{ msg string }

func (n *noEnvError) Error() string { return n.msg }

// credentialEnv returns the variables for name and prints the provider's
// note on stderr. A Futu OAuth login, which has no variables, is a
// *noEnvError carrying the note instead.
func credentialEnv(e *env, name string) (map[string]string, error) {
	svc, err := e.svc()
	if err != nil {
		return nil, err
	}
	vars, note, err := svc.Env(e.ctx, name)
	if err != nil {
		return nil, err
	}
	if c, err := svc.Get(e.ctx, name); err == nil {
		switch {
		case c.Kind == auth.KindFutuOAuth:
			if note == "" {
				note = e.tr(msg.New("cli.env_futu_oauth"))
			}
			if !c.ShareWithSDK {
				note = e.tr(msg.New("cli.env_turn_sharing_on", "Sentence", trimEnd(note), "Command", e.cmdLine("share", name)))
			}
			if len(vars) == 0 {
				return nil, &noEnvError{msg: sentence(note)}
			}
		case c.Kind == auth.KindWebull && !c.ShareWithSDK && !c.TwoFactorOff:
			note = e.tr(msg.New("cli.env_webull_sharing_off", "Name", name, "Command", e.cmdLine("share", name, "--dir", "DIR")))
		}
	}
	if note != "" {
		e.say(e.Stderr, "tokentray: "+sentence(note))
	}
	return vars, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// shellQuote quotes s for POSIX shells: single quotes, with every single
// quote written as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dotenvQuote writes s as a .env value: bare when it holds only
// characters every .env reader takes as they are; else in single quotes,
// which python-dotenv, node's dotenv and Docker Compose all read without
// expanding anything; a value holding a quote, a backslash or a line
// break in double quotes with those escaped.
func dotenvQuote(s string) string {
	bare := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:+@,", r)) {
			bare = false
			break
		}
	}
	switch {
	case bare:
		return s
	case !strings.ContainsAny(s, "'\\\n\r"):
		return "'" + s + "'"
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}
