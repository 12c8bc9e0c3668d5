package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/internal/msg"
)

// updateFlags are the options that apply to each kind on update.
var updateFlags = map[auth.Kind][]string{
	auth.KindFutuOAuth: {"endpoint", "scope", "no-check", "register-url", "authorize-url", "token-url"},
	auth.KindFutuKey:   {"endpoint", "no-check"},
	auth.KindWebull:    {"endpoint", "region", "share-dir", "no-check"},
}

func updateCommand(e *env) *cobra.Command {
	c := newCommand("update", "replace a credential's secrets or settings", "update NAME [--endpoint URL] [--region R] [--share-dir DIR] [--scope S] [--register-url URL] [--authorize-url URL] [--token-url URL] [--no-check]",
		`Replaces the secrets of NAME, and with the options its endpoint, region
or scope, after checking the new values with the broker: a refused update
changes nothing.

The secrets are read as "tokentray add" reads them: each from its
environment variable (FUTU_APP_KEY, FUTU_APP_SECRET, FUTU_ACCESS_TOKEN;
WEBULL_APP_KEY_ID or WEBULL_APP_KEY, WEBULL_APP_KEY_SECRET or
WEBULL_APP_SECRET), else a prompt that does not echo, else one line of
stdin each, in that order. A secret left empty keeps the stored one.
A Futu OAuth login has no secret to type: its tokens come from
"tokentray login NAME".

  --endpoint URL  the broker's API base URL
  --region R      the Webull region
  --share-dir DIR the folder where tokentray keeps the Webull SDK's
                  token.txt (turns sharing on; checked as share checks it)
  --scope S       the Futu OAuth scope (asked for at the next login)
  --register-url URL, --authorize-url URL, --token-url URL
                  one Futu OAuth endpoint each (an empty value goes back
                  to the host's metadata or Futu's CLI layout)
  --no-check      store it without asking the broker now

Exit code 3 when the broker refused the new values.`)
	var f addFlags
	fs := c.Flags()
	fs.StringVar(&f.endpoint, "endpoint", "", "the broker's API base URL")
	fs.StringVar(&f.region, "region", "", "the Webull region")
	fs.StringVar(&f.shareDir, "share-dir", "", "keep the Webull SDK's token.txt in this folder current")
	_ = c.MarkFlagDirname("share-dir")
	fs.StringVar(&f.scope, "scope", "", "the Futu OAuth scope")
	addOAuthURLFlags(fs, &f)
	boolFlag(fs, &f.noCheck, "no-check", "store it without asking the broker now")
	_ = c.RegisterFlagCompletionFunc("region", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return regionCompletions(e.Webull), cobra.ShellCompDirectiveNoFileComp
	})
	c.Args = exactly(1, msg.New("cli.what_one_name"))
	c.ValidArgsFunction = e.completeNames(1)
	c.RunE = func(c *cobra.Command, args []string) error { return runUpdate(e, c, args[0], f) }
	return c
}

func runUpdate(e *env, cmd *cobra.Command, name string, f addFlags) error {
	svc, err := e.svc()
	if err != nil {
		return err
	}
	cur, err := svc.Get(e.ctx, name)
	if err != nil {
		return err
	}
	if err := checkKindFlags(cmd, cur.Kind, updateFlags); err != nil {
		return err
	}
	if f.endpoint != "" {
		if err := checkEndpoint("--endpoint", f.endpoint); err != nil {
			return err
		}
	}
	if err := checkOAuthURLs(cmd, f); err != nil {
		return err
	}
	region := strings.ToLower(f.region)
	if region != "" && !slices.Contains(e.Webull.Regions, region) {
		return usagef("%q is not a Webull region; use %s", f.region, regionList(e.Webull.Regions))
	}
	shareDir := ""
	if cmd.Flags().Changed("share-dir") {
		dir, warning, err := e.shareDir("--share-dir", f.shareDir)
		if err != nil {
			return err
		}
		e.shareDirWarning(warning, dir)
		shareDir = dir
	}
	secrets, err := readSecretsFor(e, addSecrets[cur.Kind], true)
	if err != nil {
		return err
	}
	changed := cmd.Flags().Changed
	if len(secrets) == 0 && !changed("endpoint") && !changed("region") && !changed("scope") && shareDir == "" &&
		!slices.ContainsFunc(oauthURLFlags, changed) {
		return usagef("update %s changes nothing: give new secrets (see tokentray help update) or an option", name)
	}
	edit := func(c *auth.Credential) {
		if f.endpoint != "" {
			c.Endpoint = strings.TrimRight(f.endpoint, "/")
		}
		if region != "" {
			c.Region = region
		}
		if changed("scope") {
			c.Scope = f.scope
		}
		if shareDir != "" {
			c.ShareWithSDK = true
			c.SDKTokenDir = shareDir
		}
		setOAuthURLs(cmd, c, f)
	}
	ctx, stop := interruptible(e.ctx)
	defer stop()
	h, err := svc.Update(ctx, service.UpdateRequest{Name: name, Secrets: secrets, Edit: edit, NoCheck: f.noCheck})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "Updated %s: %s\n", name, e.health(h))
	return nil
}
