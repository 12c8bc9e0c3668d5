package cli

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/internal/msg"
)

// addHelp is add's help after the kinds and their options.
const addHelp = `

  --endpoint URL  the broker's API base URL (default: the broker's own);
                  for Futu, FUTU_HTTP_URL when it is set, saved with the
                  credential so the agent uses it even when started
                  without that variable
  --no-check      store it without asking the broker now (for a broker
                  that cannot be reached); it shows as Unknown until the
                  next check

Secrets are never taken from the command line. Each one is read, in this
order, from: its environment variable; a prompt when stdin is a terminal
(it does not echo, but for the App Key, which is not secret; Ctrl-C or
Ctrl-D stops there and adds nothing); otherwise one line of stdin, in the order listed
above (for example: printf '%s\n' "$KEY" "$SECRET" | tokentray add webull
NAME --region us).`

// secretInput is one secret a kind needs at add time.
type secretInput struct {
	envs  []string // the variables it is read from, the first set wins
	field string
	label string
	// shown: not a secret (an app key's ID), so the prompt echoes it.
	shown bool
}

// addFlags are the options of add (and of update) every kind takes.
type addFlags struct {
	endpoint string
	noCheck  bool
}

func addCommand(e *env) *cobra.Command {
	c := newCommand("add", "add a credential", addUsage(),
		"Adds a credential called NAME (letters, digits, dots, dashes, underscores).\n\n"+kindsHelp()+addHelp+choicesHelp())
	var f addFlags
	fs := c.Flags()
	fs.StringVar(&f.endpoint, "endpoint", "", "the broker's API base URL")
	opts := kindOptionFlags(c, false)
	boolFlag(fs, &f.noCheck, "no-check", "store it without asking the broker now")
	c.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return kindNames(), cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usage(msg.New("cli.add_needs_kind", "Kinds", e.choices(kindNames())))
		}
		if _, ok := auth.Describe(auth.Kind(args[0])); !ok {
			return usage(msg.New("cli.add_not_a_kind", "Word", strconv.Quote(args[0]), "Kinds", e.choices(kindNames())))
		}
		return exactly(1, msg.New("cli.what_name_after_kind"))(c, args[1:])
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		return runAdd(e, c, auth.Kind(args[0]), args[1], f, opts.given(c))
	}
	return c
}

// wrapWords breaks s into lines of at most width columns, at spaces; a
// word longer than width gets a line of its own.
func wrapWords(s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// checkEndpoint refuses an endpoint the engine would refuse (not an
// http(s) URL, plain http off this computer, a user name or password in
// it, a bad port, too long), as a wrong command line.
func checkEndpoint(what, v string) error {
	if _, err := auth.CheckEndpoint(what, v); err != nil {
		return usageOf(err)
	}
	return nil
}

func runAdd(e *env, cmd *cobra.Command, kind auth.Kind, name string, f addFlags, opts map[string]string) error {
	info, _ := auth.Describe(kind)
	if err := auth.ValidateName(name); err != nil {
		return usageOf(err)
	}
	if err := checkKindFlags(cmd, info, false, "endpoint", "no-check"); err != nil {
		return err
	}
	if f.endpoint != "" {
		if err := checkEndpoint("--endpoint", f.endpoint); err != nil {
			return err
		}
	} else if env := info.EnvFromEndpoint; env != "" {
		// Saved, so an agent started without the variable uses it too.
		if v := strings.TrimSpace(e.Getenv(env)); v != "" {
			if !httpURL(v) {
				return usage(msg.New("cli.add_env_not_url", "Var", env, "Value", strconv.Quote(v)))
			}
			if err := checkEndpoint(env, v); err != nil {
				return err
			}
			f.endpoint = v
		}
	}
	for _, o := range info.Options {
		if _, given := opts[o.Name]; o.Required && !given {
			return usage(msg.New("cli.add_needs_option", "Kind", string(kind), "Option", optionUsage(o), "Choices", auth.ChoiceList(o.Choices)))
		}
	}
	importSDK, importing := opts["import-sdk"]
	importSDK = strings.TrimSpace(importSDK)
	if importing && importSDK == "" {
		return usage(msg.New("cli.add_import_needs_id"))
	}
	if dir, ok := opts["share-dir"]; ok {
		// Checked as share checks it, before anything is stored.
		dir, warning, err := e.shareDir(info, "--share-dir", dir)
		if err != nil {
			return err
		}
		e.shareDirWarning(warning, dir)
		opts["share-dir"] = dir
	}
	c := auth.Credential{Name: name, Kind: kind, Endpoint: strings.TrimRight(f.endpoint, "/")}
	if err := info.Apply(&c, opts, false); err != nil {
		return usageOf(err)
	}
	// Without an endpoint the engine gives the profile's default (the
	// sandbox's brokers in the sandbox profile, never a real one).
	svc, err := e.svc()
	if err != nil {
		return err
	}
	secrets, err := readSecrets(e, e.secretInputs(info))
	if err != nil {
		return err
	}
	c, err = svc.Add(e.ctx, service.AddRequest{Credential: c, Secrets: secrets, NoCheck: f.noCheck, ImportSDK: importSDK})
	if err != nil {
		return err
	}
	switch {
	case f.noCheck:
		line := e.tr(msg.New("cli.added_unchecked", "Name", name, "Kind", e.kindTitle(kind)))
		if signsInAfterAdd(info) {
			line = e.sentences(line, e.withNext("", e.cmdLine("login", name)))
		}
		e.say(e.Stdout, line)
	case importing:
		return checkImported(e, svc, c)
	default:
		// The broker checked it before it was stored.
		h := c.Health
		line := e.tr(msg.New("cli.added", "Name", name, "Kind", e.kindTitle(kind)))
		if h.State != auth.Unknown || !h.Cause().IsZero() {
			line = e.tr(msg.New("cli.added_health", "Name", name, "Kind", e.kindTitle(kind), "Health", e.healthLine(h)))
		}
		cmd := e.command(h.Next)
		if cmd == "" && signsInAfterAdd(info) {
			cmd = e.cmdLine("login", name)
		}
		e.say(e.Stdout, e.withNext(line, cmd))
	}
	return nil
}

// signsInAfterAdd: a credential of the kind gets its token by a login or
// a verification after it is added (a key came with its token).
func signsInAfterAdd(i auth.KindInfo) bool {
	return i.SignIn == auth.ActionLogin || i.SignIn == auth.ActionVerify
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkImported checks an adopted SDK login with Futu at once, so a stale
// token file shows here and not in a script.
func checkImported(e *env, svc service.Service, c auth.Credential) error {
	h, err := svc.Refresh(e.ctx, c.Name, false)
	var ue *auth.UserError
	if errors.As(err, &ue) {
		m := msg.New("cli.import_refused", "Name", c.Name, "Client", c.ClientID, "Why", auth.Clause(ue))
		return &auth.UserError{Msg: m.String(), Why: m, Action: ue.Action}
	}
	if err != nil {
		e.say(e.Stdout, e.tr(msg.New("cli.import_unchecked", "Name", c.Name, "Kind", e.kindTitle(c.Kind), "Client", c.ClientID, "Why", e.shortReason(err, h))))
		return nil
	}
	e.say(e.Stdout, e.tr(msg.New("cli.imported", "Name", c.Name, "Kind", e.kindTitle(c.Kind), "Client", c.ClientID, "Health", e.health(h))))
	return nil
}
