package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/internal/msg"
)

func updateCommand(e *env) *cobra.Command {
	var usage []string
	for _, o := range allOptions(true) {
		usage = append(usage, "["+optionUsage(o)+"]")
	}
	var opts strings.Builder
	writeHang(&opts, 2, 18, "--endpoint URL", "the broker's API base URL")
	for _, o := range allOptions(true) {
		help := o.Help
		if len(o.Choices) > 2 {
			help = o.Usage + ": " + auth.ChoiceList(o.Choices)
		}
		writeHang(&opts, 2, 18, optionUsage(o), help)
	}
	writeHang(&opts, 2, 18, "--no-check", "store it without asking the broker now")
	c := newCommand("update", "replace a credential's secrets or settings", "update NAME [--endpoint URL] "+strings.Join(usage, " ")+" [--no-check]",
		`Replaces the secrets of NAME, and with the options its settings, after
checking the new values with the broker: a refused update changes nothing.

`+strings.Join(wrapWords(`The secrets are read as "tokentray add" reads them: each from its
environment variable (`+fieldVariables()+`), else a prompt that does not echo, else one line of
stdin each, in that order. A secret left empty keeps the stored one.
A Futu OAuth login has no secret to type: its tokens come from
"tokentray login NAME".`, 72), "\n")+`

`+opts.String()+`
Exit code 3 when the broker refused the new values.`)
	var f addFlags
	fs := c.Flags()
	fs.StringVar(&f.endpoint, "endpoint", "", "the broker's API base URL")
	kopts := kindOptionFlags(c, true)
	boolFlag(fs, &f.noCheck, "no-check", "store it without asking the broker now")
	c.Args = exactly(1, msg.New("cli.what_one_name"))
	c.ValidArgsFunction = e.completeNames(1)
	c.RunE = func(c *cobra.Command, args []string) error { return runUpdate(e, c, args[0], f, kopts.given(c)) }
	return c
}

func runUpdate(e *env, cmd *cobra.Command, name string, f addFlags, opts map[string]string) error {
	svc, err := e.svc()
	if err != nil {
		return err
	}
	cur, err := svc.Get(e.ctx, name)
	if err != nil {
		return err
	}
	info, _ := auth.Describe(cur.Kind)
	if err := checkKindFlags(cmd, info, true, "endpoint", "no-check"); err != nil {
		return err
	}
	if f.endpoint != "" {
		if err := checkEndpoint("--endpoint", f.endpoint); err != nil {
			return err
		}
	}
	if dir, ok := opts["share-dir"]; ok {
		dir, warning, err := e.shareDir(info, "--share-dir", dir)
		if err != nil {
			return err
		}
		e.shareDirWarning(warning, dir)
		opts["share-dir"] = dir
	}
	// Checked on a copy first, so a wrong option is refused before a
	// secret is asked for.
	probe := cur
	if err := info.Apply(&probe, opts, true); err != nil {
		return usageOf(err)
	}
	secrets, err := readSecretsFor(e, e.secretInputs(info), true)
	if err != nil {
		return err
	}
	if len(secrets) == 0 && f.endpoint == "" && len(opts) == 0 {
		return usage(msg.New("cli.update_nothing", "Name", name))
	}
	edit := func(c *auth.Credential) {
		if f.endpoint != "" {
			c.Endpoint = strings.TrimRight(f.endpoint, "/")
		}
		_ = info.Apply(c, opts, true) // the same options passed on probe
	}
	ctx, stop := interruptible(e.ctx)
	defer stop()
	h, err := svc.Update(ctx, service.UpdateRequest{Name: name, Secrets: secrets, Edit: edit, NoCheck: f.noCheck})
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.updated", "Name", name, "Health", e.health(h))))
	return nil
}
