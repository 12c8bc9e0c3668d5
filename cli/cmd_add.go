package cli

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/internal/msg"
)

const addHelp = `Adds a credential called NAME (letters, digits, dots, dashes, underscores).

  futu-oauth  a Futu OAuth 2.0 login; no secret is needed now: run
              "tokentray login NAME" next to sign in in the browser.
              --scope S     the OAuth scope to ask for (default: what
                            Futu's own command line asks, "quote:read
                            quote:write trade:read trade:write accid:*")
              --share-sdk   keep the Futu SDK's token file
                            (~/.futu/openapi/tokens/<client_id>) current, so
                            scripts using the SDK need no environment (the
                            file's format is inferred from public Futu SDKs,
                            not documented by Futu)
              --import-sdk CLIENT_ID  adopt the login the Futu SDK saved in
                            ~/.futu/openapi/tokens/CLIENT_ID instead of
                            logging in again (the format is inferred from
                            public Futu SDKs); add --share-sdk too, so the
                            SDK keeps working after tokentray renews it
              --register-url URL, --authorize-url URL, --token-url URL
                            one OAuth endpoint each, for a Futu that moved
                            one (default: the host's metadata, else the
                            layout of Futu's own command line)
  futu-key    a Futu legacy API key: FUTU_APP_KEY, FUTU_APP_SECRET and
              FUTU_ACCESS_TOKEN from the developer portal; checked with
              Futu at once
  futu-oauth and futu-key also take
              --brand B     futu (the default) or moomoo, Futu's brand in
                            the US, Singapore, Australia, Canada, Japan and
                            Malaysia: every default host follows it
                            (moomoo: webapi.moomoo.com for the login,
                            openapi.moomoo.com for the API)
  webull      a Webull OpenAPI app: WEBULL_APP_KEY_ID and
              WEBULL_APP_KEY_SECRET (as the Webull SDK names them; also
              WEBULL_APP_KEY and WEBULL_APP_SECRET); run
              "tokentray login NAME" next to create a token and verify it
              in the Webull app
              --region R    %s
              --test-env    the app is in Webull's test environment
              --share-dir DIR  keep the Webull SDK's token.txt in DIR current

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
above (for example: printf '%%s\n' "$KEY" "$SECRET" | tokentray add webull
NAME --region us).`

// secretInput is one secret a kind needs at add time.
type secretInput struct {
	envs  []string // the variables it is read from, the first set wins
	field string
	label string
	// shown: not a secret (an app key's ID), so the prompt echoes it.
	shown bool
}

var addSecrets = map[auth.Kind][]secretInput{
	auth.KindFutuKey: {
		{[]string{"FUTU_APP_KEY"}, auth.FieldAppKey, "Futu App Key", true},
		{[]string{"FUTU_APP_SECRET"}, auth.FieldAppSecret, "Futu App Secret", false},
		{[]string{"FUTU_ACCESS_TOKEN"}, auth.FieldAccessToken, "Futu Access Token", false},
	},
	auth.KindWebull: {
		{[]string{"WEBULL_APP_KEY_ID", "WEBULL_APP_KEY"}, auth.FieldAppKey, "Webull App Key", true},
		{[]string{"WEBULL_APP_KEY_SECRET", "WEBULL_APP_SECRET"}, auth.FieldAppSecret, "Webull App Secret", false},
	},
}

// addFlags are the options of add (and of update, which takes a subset).
type addFlags struct {
	endpoint, scope, importSDK, region, shareDir string
	brand                                        string
	registerURL, authorizeURL, tokenURL          string
	shareSDK, testEnv, noCheck                   bool
}

// oauthURLFlags are the per-endpoint overrides of a Futu OAuth login.
var oauthURLFlags = []string{"register-url", "authorize-url", "token-url"}

// addOAuthURLFlags defines the per-endpoint overrides on fs.
func addOAuthURLFlags(fs *pflag.FlagSet, f *addFlags) {
	fs.StringVar(&f.registerURL, "register-url", "", "Futu's OAuth client registration endpoint")
	fs.StringVar(&f.authorizeURL, "authorize-url", "", "Futu's OAuth authorization page")
	fs.StringVar(&f.tokenURL, "token-url", "", "Futu's OAuth token endpoint")
}

// checkOAuthURLs checks each per-endpoint override that was given.
func checkOAuthURLs(cmd *cobra.Command, f addFlags) error {
	for _, o := range []struct{ flag, v string }{{"register-url", f.registerURL}, {"authorize-url", f.authorizeURL}, {"token-url", f.tokenURL}} {
		if cmd.Flags().Changed(o.flag) && strings.TrimSpace(o.v) != "" {
			if err := checkEndpoint("--"+o.flag, strings.TrimSpace(o.v)); err != nil {
				return err
			}
		}
	}
	return nil
}

// setOAuthURLs copies the per-endpoint overrides that were given into c.
func setOAuthURLs(cmd *cobra.Command, c *auth.Credential, f addFlags) {
	for _, o := range []struct {
		flag string
		dst  *string
		v    string
	}{{"register-url", &c.RegisterURL, f.registerURL}, {"authorize-url", &c.AuthorizeURL, f.authorizeURL}, {"token-url", &c.TokenURL, f.tokenURL}} {
		if cmd.Flags().Changed(o.flag) {
			*o.dst = strings.TrimSpace(o.v)
		}
	}
}

// kindFlags are the options that apply to each kind.
var kindFlags = map[auth.Kind][]string{
	auth.KindFutuOAuth: {"endpoint", "brand", "scope", "share-sdk", "import-sdk", "no-check", "register-url", "authorize-url", "token-url"},
	auth.KindFutuKey:   {"endpoint", "brand", "no-check"},
	auth.KindWebull:    {"endpoint", "region", "test-env", "share-dir", "no-check"},
}

var kinds = []string{string(auth.KindFutuOAuth), string(auth.KindFutuKey), string(auth.KindWebull)}

func addCommand(e *env) *cobra.Command {
	c := newCommand("add", "add a credential",
		`add futu-oauth NAME [--brand futu|moomoo] [--endpoint URL] [--scope S] [--share-sdk] [--import-sdk CLIENT_ID] [--register-url URL] [--authorize-url URL] [--token-url URL]
add futu-key NAME [--brand futu|moomoo] [--endpoint URL] [--no-check]
add webull NAME --region R [--test-env] [--endpoint URL] [--share-dir DIR] [--no-check]`,
		fmt.Sprintf(addHelp, regionFlagHelp(e.Webull))+regionsHelp(e.Webull.RegionHelp))
	var f addFlags
	fs := c.Flags()
	fs.StringVar(&f.endpoint, "endpoint", "", "the broker's API base URL")
	fs.StringVar(&f.brand, "brand", "", "Futu's brand: futu (default) or moomoo")
	fs.StringVar(&f.scope, "scope", "", "the OAuth scope to ask for")
	addOAuthURLFlags(fs, &f)
	boolFlag(fs, &f.shareSDK, "share-sdk", "keep the Futu SDK's token file current")
	fs.StringVar(&f.importSDK, "import-sdk", "", "adopt the Futu SDK's saved login of this client ID")
	fs.StringVar(&f.region, "region", "", "the Webull region")
	boolFlag(fs, &f.testEnv, "test-env", "the app is in Webull's test environment")
	fs.StringVar(&f.shareDir, "share-dir", "", "keep the Webull SDK's token.txt in this folder current")
	boolFlag(fs, &f.noCheck, "no-check", "store it without asking the broker now")
	_ = c.RegisterFlagCompletionFunc("region", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return regionCompletions(e.Webull), cobra.ShellCompDirectiveNoFileComp
	})
	_ = c.RegisterFlagCompletionFunc("brand", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{auth.BrandFutu + "\tFutu (the default)", auth.BrandMoomoo + "\tmoomoo, Futu's international brand"}, cobra.ShellCompDirectiveNoFileComp
	})
	_ = c.MarkFlagDirname("share-dir")
	c.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return kinds, cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("add needs a kind (futu-oauth, futu-key or webull) and a name; run: tokentray help add")
		}
		if !auth.Kind(args[0]).Valid() {
			return usagef("%q is not a credential kind; use futu-oauth, futu-key or webull", args[0])
		}
		return exactly(1, msg.New("cli.what_name_after_kind"))(c, args[1:])
	}
	c.RunE = func(c *cobra.Command, args []string) error { return runAdd(e, c, auth.Kind(args[0]), args[1], f) }
	return c
}

// regionFlagHelp is the line of help after "--region R".
func regionFlagHelp(f WebullFacts) string {
	if len(f.RegionHelp) == 0 {
		return regionList(f.Regions)
	}
	return "the app's region, one of the Webull regions below"
}

// regionsHelp lists every Webull region with its description, each
// wrapped under its code; "" when none is known.
func regionsHelp(rs []WebullRegion) string {
	if len(rs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\nWebull regions (--region R), with the hosts each one uses:\n")
	for _, r := range rs {
		lines := wrapWords(r.Description, 66)
		for i, l := range lines {
			code := ""
			if i == 0 {
				code = r.Code
			}
			fmt.Fprintf(&b, "  %-4s  %s\n", code, l)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// regionCompletions are the region codes, each with its description.
func regionCompletions(f WebullFacts) []string {
	if len(f.RegionHelp) == 0 {
		return f.Regions
	}
	out := make([]string, 0, len(f.RegionHelp))
	for _, r := range f.RegionHelp {
		out = append(out, r.Code+"\t"+r.Description)
	}
	return out
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

func regionList(rs []string) string {
	if len(rs) == 0 {
		return "the Webull region"
	}
	return "one of " + strings.Join(rs, ", ")
}

// checkKindFlags refuses an option that does not apply to kind.
func checkKindFlags(c *cobra.Command, kind auth.Kind, allowed map[auth.Kind][]string) error {
	var err error
	c.Flags().Visit(func(fl *pflag.Flag) {
		if err == nil && fl.Name != "sandbox" && !slices.Contains(allowed[kind], fl.Name) {
			err = usagef("--%s does not apply to %s credentials; run: tokentray help %s", fl.Name, kind, c.Name())
		}
	})
	return err
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

func runAdd(e *env, cmd *cobra.Command, kind auth.Kind, name string, f addFlags) error {
	if err := auth.ValidateName(name); err != nil {
		return usageOf(err)
	}
	if err := checkKindFlags(cmd, kind, kindFlags); err != nil {
		return err
	}
	if f.endpoint != "" {
		if err := checkEndpoint("--endpoint", f.endpoint); err != nil {
			return err
		}
	} else if kind == auth.KindFutuOAuth || kind == auth.KindFutuKey {
		// Saved, so an agent started without the variable uses it too.
		if v := strings.TrimSpace(e.Getenv("FUTU_HTTP_URL")); v != "" {
			if !httpURL(v) {
				return usagef("FUTU_HTTP_URL %q is not an http(s) URL; correct it, or unset it and give --endpoint", v)
			}
			if err := checkEndpoint("FUTU_HTTP_URL", v); err != nil {
				return err
			}
			f.endpoint = v
		}
	}
	if err := checkOAuthURLs(cmd, f); err != nil {
		return err
	}
	if cmd.Flags().Changed("import-sdk") && strings.TrimSpace(f.importSDK) == "" {
		return usagef("--import-sdk needs the OAuth client ID whose Futu SDK token to adopt")
	}
	c := auth.Credential{Name: name, Kind: kind, Endpoint: strings.TrimRight(f.endpoint, "/")}
	if cmd.Flags().Changed("brand") {
		b := strings.ToLower(strings.TrimSpace(f.brand))
		if !slices.Contains(auth.FutuBrands, b) {
			return usagef("%s is not a Futu brand; use %s", auth.ShownInput(f.brand), strings.Join(auth.FutuBrands, " or "))
		}
		c.Brand = b
	}
	switch kind {
	case auth.KindFutuOAuth:
		c.Scope = f.scope
		setOAuthURLs(cmd, &c, f)
		c.ShareWithSDK = f.shareSDK
	case auth.KindWebull:
		if f.region == "" {
			return usagef("add webull needs --region (%s)", regionList(e.Webull.Regions))
		}
		r := strings.ToLower(f.region)
		if !slices.Contains(e.Webull.Regions, r) {
			return usagef("%q is not a Webull region; use %s", f.region, regionList(e.Webull.Regions))
		}
		c.Region = r
		c.TestEnv = f.testEnv
		if f.shareDir != "" {
			// Absolute, so the agent finds it whatever its working folder;
			// checked as share checks it, before anything is stored.
			dir, warning, err := e.shareDir("--share-dir", f.shareDir)
			if err != nil {
				return err
			}
			e.shareDirWarning(warning, dir)
			c.ShareWithSDK = true
			c.SDKTokenDir = dir
		}
	}
	// Without an endpoint the engine gives the profile's default (the
	// sandbox's brokers in the sandbox profile, never a real one).
	svc, err := e.svc()
	if err != nil {
		return err
	}
	secrets, err := readSecrets(e, addSecrets[kind])
	if err != nil {
		return err
	}
	if f.importSDK != "" {
		if c, secrets, err = importSDKToken(e, svc, c, strings.TrimSpace(f.importSDK)); err != nil {
			return err
		}
	}
	c, err = svc.Add(e.ctx, service.AddRequest{Credential: c, Secrets: secrets, NoCheck: f.noCheck})
	if err != nil {
		return err
	}
	switch {
	case f.noCheck:
		e.say(e.Stdout, strings.TrimSpace(fmt.Sprintf("Added %s (%s) without checking it with the broker; it shows as Unknown until tokentray checks it. %s", name, kind.Title(), next(e, kind, name))))
	case f.importSDK != "":
		return checkImported(e, svc, c)
	default:
		// The broker checked it before it was stored.
		h := c.Health
		line := fmt.Sprintf("Added %s (%s)", name, kind.Title())
		if h.State != auth.Unknown || h.Reason != "" {
			line += ": " + h.String()
		}
		cmd := e.command(h.Next)
		if cmd == "" && kind != auth.KindFutuKey {
			cmd = e.cmdLine("login", name)
		}
		e.say(e.Stdout, e.withNext(line, cmd))
	}
	return nil
}

// next is what to do after adding a credential of kind.
func next(e *env, kind auth.Kind, name string) string {
	if kind == auth.KindFutuKey {
		return ""
	}
	return "Next: " + e.cmdLine("login", name)
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// sdkImporter is the Futu OAuth provider's adoption of an SDK login.
type sdkImporter interface {
	ImportSDKToken(c *auth.Credential, s auth.Secrets, clientID string) (auth.Health, error)
}

// importSDKToken reads the Futu SDK's token file for clientID into c and
// the secrets to store with it. It reads into memory first so that the
// credential is added whole or not at all.
func importSDKToken(e *env, svc service.Service, c auth.Credential, clientID string) (auth.Credential, map[string]string, error) {
	p, err := svc.Provider(c.Kind)
	if err != nil {
		return c, nil, err
	}
	imp, ok := p.(sdkImporter)
	if !ok {
		return c, nil, fmt.Errorf("this build of tokentray cannot import Futu SDK tokens; after adding it, log in with: %s", e.cmdLine("login", c.Name))
	}
	mem := auth.NewMemorySecrets()
	if _, err := imp.ImportSDKToken(&c, auth.Bind(mem, "import"), clientID); err != nil {
		return c, nil, fmt.Errorf("%s was not added: %w", c.Name, err)
	}
	secrets := map[string]string{}
	for _, f := range []string{auth.FieldAccessToken, auth.FieldRefreshToken} {
		if v, err := mem.Get("import", f); err == nil {
			secrets[f] = v
		}
	}
	return c, secrets, nil
}

// checkImported checks an adopted SDK login with Futu at once, so a stale
// token file shows here and not in a script.
func checkImported(e *env, svc service.Service, c auth.Credential) error {
	h, err := svc.Refresh(e.ctx, c.Name, false)
	var ue *auth.UserError
	if errors.As(err, &ue) {
		return &auth.UserError{
			Msg:    fmt.Sprintf("Added %s with the Futu SDK's client %s, but Futu no longer accepts the SDK's saved login (%s)", c.Name, c.ClientID, strings.TrimSuffix(ue.Msg, ".")),
			Action: ue.Action,
		}
	}
	if err != nil {
		e.say(e.Stdout, fmt.Sprintf("Added %s (%s) with the Futu SDK's login for client %s, but it could not be checked with Futu yet because %s; tokentray will check it again.", c.Name, c.Kind.Title(), c.ClientID, e.shortReason(err, h)))
		return nil
	}
	e.say(e.Stdout, fmt.Sprintf("Added %s (%s) with the Futu SDK's login for client %s: %s", c.Name, c.Kind.Title(), c.ClientID, e.health(h)))
	return nil
}
