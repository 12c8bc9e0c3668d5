package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth"
)

func envCommand(e *env) *cobra.Command {
	c := newCommand("env", "print shell export lines for a credential", "env NAME",
		`Prints "export VAR='value'" lines with the variables the broker's SDK
reads for NAME, renewed first when due; for example: eval "$(tokentray env NAME)".
Prefer "tokentray exec", which keeps the values out of your shell.

  futu-key  FUTU_APP_KEY, FUTU_APP_SECRET, FUTU_ACCESS_TOKEN (and FUTU_HTTP_URL
            for a custom endpoint)
  webull    WEBULL_APP_KEY_ID and WEBULL_APP_KEY_SECRET (as the Webull SDK
            reads them; also WEBULL_APP_KEY, WEBULL_APP_SECRET), and
            WEBULL_OPENAPI_TOKEN_DIR (the folder of the SDK's token.txt)
            when sharing is on; without sharing, a bot using the Webull SDK
            starts its own SMS verification (turn sharing on with:
            tokentray share NAME --dir DIR); an app with 2FA off needs
            no token, only the app key
  futu-oauth  the Futu SDK reads its OAuth token from its token file, not
            from the environment: turn sharing on (tokentray share NAME,
            or --share-sdk at add) so tokentray keeps that file current.

Exit code 3 when you must act first.`)
	c.Args = exactly(1, "one NAME")
	c.ValidArgsFunction = e.completeNames(1)
	c.RunE = func(_ *cobra.Command, args []string) error {
		vars, err := credentialEnv(e, args[0])
		if err != nil {
			return err
		}
		for _, k := range sortedKeys(vars) {
			fmt.Fprintf(e.Stdout, "export %s=%s\n", k, shellQuote(vars[k]))
		}
		return nil
	}
	return c
}

// credentialEnv returns the variables for name and prints the provider's
// note, and the token-file explanation for Futu OAuth, on stderr.
func credentialEnv(e *env, name string) (map[string]string, error) {
	eng, err := e.engine()
	if err != nil {
		return nil, err
	}
	vars, note, err := eng.Env(e.ctx, name)
	if err != nil {
		return nil, err
	}
	if c, err := eng.Get(name); err == nil {
		switch {
		case c.Kind == auth.KindFutuOAuth:
			if note == "" {
				note = "the Futu SDK reads its OAuth token from its token file, not from the environment"
			}
			if !c.ShareWithSDK {
				note = strings.TrimSuffix(note, ".") + " (to turn sharing on, run: " + e.cmdLine("share", name) + "; the same as --share-sdk at add)"
			}
		case c.Kind == auth.KindWebull && !c.ShareWithSDK && !c.TwoFactorOff:
			note = "token sharing is off for " + name + ", so bots using the Webull SDK with these keys start their own SMS verification (2FA); to let them use the token tokentray keeps verified, run: " + e.cmdLine("share", name, "--dir", "DIR")
		}
	}
	if note != "" {
		fmt.Fprintf(e.Stderr, "tokentray: %s\n", sentence(note))
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
