package cli

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/sandbox"
)

var cmdAgent = &command{
	name:    "agent",
	summary: "run the tray agent (the default)",
	usage:   "[--sandbox]\n[--sandbox] agent",
	help: `Runs the agent: the tray icon that shows the health of every credential
and renews tokens before they expire. It is what "tokentray" with no
command does.`,
	run: func(e *env, self *command, args []string) error {
		f := newFlags(e, self)
		pos, _, err := f.parse(args)
		if err != nil {
			return handled(err)
		}
		if err := f.want(pos, 0, "no arguments"); err != nil {
			return err
		}
		if e.RunAgent == nil {
			return errors.New("this build of tokentray has no tray; use its commands instead (tokentray help)")
		}
		return e.RunAgent(e.ctx, e.sandbox)
	},
}

var cmdWindow = &command{
	name:    "window",
	summary: "open the tokentray window",
	usage:   "window [NAME]\n--sandbox window [NAME]",
	help: `Opens the window: credentials and their health, adding credentials,
the 2FA countdown, settings; with NAME, at that credential. The agent
opens it when you click a credential in the tray menu. Like every global
option, --sandbox goes before the command.`,
	run: func(e *env, self *command, args []string) error {
		f := newFlags(e, self)
		pos, _, err := f.parse(args)
		if err != nil {
			return handled(err)
		}
		if len(pos) > 1 {
			return f.want(pos, 1, "at most one credential name")
		}
		focus := ""
		if len(pos) == 1 {
			focus = pos[0]
		}
		if e.RunWindow == nil {
			return errors.New("this build of tokentray has no window; use its commands instead (tokentray help)")
		}
		return e.RunWindow(e.ctx, e.sandbox, focus)
	},
}

var cmdAdd = &command{
	name:    "add",
	summary: "add a credential",
	usage: `add futu-oauth NAME [--endpoint URL] [--scope S] [--share-sdk] [--import-sdk CLIENT_ID]
add futu-key NAME [--endpoint URL]
add webull NAME --region R [--test-env] [--endpoint URL] [--share-dir DIR]`,
	help: `Adds a credential called NAME (letters, digits, dots, dashes, underscores).

  futu-oauth  a Futu OAuth 2.0 login; no secret is needed now: run
              "tokentray login NAME" next to sign in in the browser.
              --scope S     the OAuth scope to ask for (default: none)
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
  futu-key    a Futu legacy API key: FUTU_APP_KEY, FUTU_APP_SECRET and
              FUTU_ACCESS_TOKEN from the developer portal; checked with
              Futu at once
  webull      a Webull OpenAPI app: WEBULL_APP_KEY and WEBULL_APP_SECRET;
              run "tokentray login NAME" next to create a token and verify
              it in the Webull app
              --region R    us, hk, jp, sg, th, au, my, uk or eu
              --test-env    the app is in Webull's test environment
              --share-dir DIR  keep the Webull SDK's token.txt in DIR current

  --endpoint URL  the broker's API base URL (default: the broker's own);
                  for Futu, FUTU_HTTP_URL when it is set, saved with the
                  credential so the agent uses it even when started
                  without that variable

Secrets are never taken from the command line. Each one is read, in this
order, from: its environment variable; a prompt that does not echo, when
stdin is a terminal; otherwise one line of stdin, in the order listed
above (for example: printf '%s\n' "$KEY" "$SECRET" | tokentray add webull
NAME --region us).`,
	run: runAdd,
}

// secretInput is one secret a kind needs at add time.
type secretInput struct {
	env   string
	field string
	label string
}

var addSecrets = map[auth.Kind][]secretInput{
	auth.KindFutuKey: {
		{"FUTU_APP_KEY", auth.FieldAppKey, "Futu App Key"},
		{"FUTU_APP_SECRET", auth.FieldAppSecret, "Futu App Secret"},
		{"FUTU_ACCESS_TOKEN", auth.FieldAccessToken, "Futu Access Token"},
	},
	auth.KindWebull: {
		{"WEBULL_APP_KEY", auth.FieldAppKey, "Webull App Key"},
		{"WEBULL_APP_SECRET", auth.FieldAppSecret, "Webull App Secret"},
	},
}

func runAdd(e *env, self *command, args []string) error {
	f := newFlags(e, self)
	endpoint := f.String("endpoint", "", "")
	scope := f.String("scope", "", "")
	shareSDK := f.Bool("share-sdk", false, "")
	importSDK := f.String("import-sdk", "", "")
	region := f.String("region", "", "")
	testEnv := f.Bool("test-env", false, "")
	shareDir := f.String("share-dir", "", "")
	pos, _, err := f.parse(args)
	if err != nil {
		return handled(err)
	}
	if len(pos) == 0 {
		return usagef("add needs a kind (futu-oauth, futu-key or webull) and a name; run: tokentray help add")
	}
	kind := auth.Kind(pos[0])
	if !kind.Valid() {
		return usagef("%q is not a credential kind; use futu-oauth, futu-key or webull", pos[0])
	}
	if err := f.want(pos[1:], 1, "one NAME after the kind"); err != nil {
		return err
	}
	name := pos[1]
	if err := auth.ValidateName(name); err != nil {
		return &usageError{err.Error()}
	}
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	allowed := map[auth.Kind][]string{
		auth.KindFutuOAuth: {"endpoint", "scope", "share-sdk", "import-sdk"},
		auth.KindFutuKey:   {"endpoint"},
		auth.KindWebull:    {"endpoint", "region", "test-env", "share-dir"},
	}[kind]
	for n := range set {
		if n != "sandbox" && !contains(allowed, n) {
			return usagef("--%s does not apply to %s credentials; run: tokentray help add", n, kind)
		}
	}
	if *endpoint != "" {
		if !httpURL(*endpoint) {
			return usagef("--endpoint %q is not an http(s) URL", *endpoint)
		}
		if !privateEnough(*endpoint) {
			return usagef("--endpoint %q uses plain http, which would send tokens in the clear: use https (http is only for this computer, e.g. the sandbox)", *endpoint)
		}
	} else if kind == auth.KindFutuOAuth || kind == auth.KindFutuKey {
		// Saved, so an agent started without the variable uses it too.
		if v := strings.TrimSpace(e.Getenv("FUTU_HTTP_URL")); v != "" {
			if !httpURL(v) {
				return usagef("FUTU_HTTP_URL %q is not an http(s) URL; correct it, or unset it and give --endpoint", v)
			}
			if !privateEnough(v) {
				return usagef("FUTU_HTTP_URL %q uses plain http, which would send tokens in the clear: use https (http is only for this computer, e.g. the sandbox)", v)
			}
			*endpoint = v
		}
	}
	if set["import-sdk"] && strings.TrimSpace(*importSDK) == "" {
		return usagef("--import-sdk needs the OAuth client ID whose Futu SDK token to adopt")
	}
	c := auth.Credential{Name: name, Kind: kind, Endpoint: strings.TrimRight(*endpoint, "/")}
	switch kind {
	case auth.KindFutuOAuth:
		c.Scope = *scope
		c.ShareWithSDK = *shareSDK
	case auth.KindWebull:
		if *region == "" {
			return usagef("add webull needs --region (one of %s)", strings.Join(e.Webull.Regions, ", "))
		}
		r := strings.ToLower(*region)
		if !contains(e.Webull.Regions, r) {
			return usagef("%q is not a Webull region; use one of %s", *region, strings.Join(e.Webull.Regions, ", "))
		}
		c.Region = r
		c.TestEnv = *testEnv
		if *shareDir != "" {
			// Absolute, so the agent finds it whatever its working folder.
			dir, err := filepath.Abs(*shareDir)
			if err != nil {
				return usagef("--share-dir %q is not a usable folder: %v", *shareDir, err)
			}
			c.ShareWithSDK = true
			c.SDKTokenDir = dir
		}
	}
	parts, err := e.open()
	if err != nil {
		return err
	}
	eng := parts.Engine
	if c.Endpoint == "" && e.sandbox {
		// In the sandbox profile the default broker is the sandbox's,
		// never the real one.
		futuURL, webullURL, err := sandbox.Running(parts.Dir)
		if err != nil {
			return err
		}
		c.Endpoint = futuURL
		if kind == auth.KindWebull {
			c.Endpoint = webullURL
		}
	}
	secrets, err := readSecrets(e, addSecrets[kind])
	if err != nil {
		return err
	}
	if *importSDK != "" {
		if c, secrets, err = importSDKToken(eng, c, strings.TrimSpace(*importSDK)); err != nil {
			return err
		}
	}
	c, err = eng.Add(e.ctx, c, secrets)
	if err != nil {
		return err
	}
	switch {
	case *importSDK != "":
		return checkImported(e, eng, c)
	case kind == auth.KindFutuKey:
		// Check the key now, so a typo shows here and not in a script.
		h, err := eng.Refresh(e.ctx, name, false)
		var ue *auth.UserError
		if errors.As(err, &ue) {
			if _, rerr := eng.Remove(e.ctx, name); rerr == nil {
				return auth.NeedsUser(fmt.Sprintf("Futu did not accept this key (%s), so %s was not added", strings.TrimSuffix(ue.Msg, "."), name))
			}
			return err
		}
		if err != nil {
			fmt.Fprintf(e.Stdout, "Added %s (%s), but it could not be checked yet because %s; tokentray will check it again.\n", name, kind.Title(), shortReason(err, h))
			return nil
		}
		fmt.Fprintf(e.Stdout, "Added %s (%s): %s\n", name, kind.Title(), h)
	default:
		fmt.Fprintf(e.Stdout, "Added %s (%s). Next: tokentray login %s\n", name, kind.Title(), name)
	}
	return nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// privateEnough reports whether an endpoint keeps tokens off the wire in
// clear text: https, or http to this computer (the sandbox brokers).
func privateEnough(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// sdkImporter is the Futu OAuth provider's adoption of an SDK login.
type sdkImporter interface {
	ImportSDKToken(c *auth.Credential, s auth.Secrets, clientID string) (auth.Health, error)
}

// importSDKToken reads the Futu SDK's token file for clientID into c and
// the secrets to store with it. It reads into memory first so that the
// credential is added whole or not at all.
func importSDKToken(eng *engine.Engine, c auth.Credential, clientID string) (auth.Credential, map[string]string, error) {
	p, err := eng.Provider(c.Kind)
	if err != nil {
		return c, nil, err
	}
	imp, ok := p.(sdkImporter)
	if !ok {
		return c, nil, fmt.Errorf("this build of tokentray cannot import Futu SDK tokens; log in with tokentray login %s after adding it", c.Name)
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
func checkImported(e *env, eng *engine.Engine, c auth.Credential) error {
	h, err := eng.Refresh(e.ctx, c.Name, false)
	var ue *auth.UserError
	if errors.As(err, &ue) {
		return auth.NeedsUser(fmt.Sprintf("Added %s with the Futu SDK's client %s, but Futu no longer accepts the SDK's saved login (%s)", c.Name, c.ClientID, strings.TrimSuffix(ue.Msg, ".")))
	}
	if err != nil {
		fmt.Fprintf(e.Stdout, "Added %s (%s) with the Futu SDK's login for client %s, but it could not be checked with Futu yet because %s; tokentray will check it again.\n", c.Name, c.Kind.Title(), c.ClientID, shortReason(err, h))
		return nil
	}
	fmt.Fprintf(e.Stdout, "Added %s (%s) with the Futu SDK's login for client %s: %s\n", c.Name, c.Kind.Title(), c.ClientID, h)
	return nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

var cmdRefresh = &command{
	name:    "refresh",
	summary: "check credentials with the brokers and renew tokens that are due",
	usage:   "refresh [--force] [NAME...]",
	help: `Checks the named credentials (all when none is named) with their brokers
and renews every token that expires within the lead time.

  --force   renew tokens even when they are not due

Prints one line per credential. Exit code 3 when any needs you to act, 1
when any could not be checked.`,
	run: func(e *env, self *command, args []string) error {
		f := newFlags(e, self)
		force := f.Bool("force", false, "")
		pos, _, err := f.parse(args)
		if err != nil {
			return handled(err)
		}
		eng, err := e.engine()
		if err != nil {
			return err
		}
		var rs []engine.Result
		if len(pos) == 0 {
			if rs, err = eng.RefreshAll(e.ctx, *force); err != nil {
				return err
			}
			if len(rs) == 0 {
				fmt.Fprintln(e.Stdout, "No credentials yet; add one with: tokentray add")
				return nil
			}
		} else {
			rs = eng.RefreshNames(e.ctx, pos, *force)
		}
		code := ExitOK
		for _, r := range rs {
			var ue *auth.UserError
			switch {
			case r.Err == nil:
				fmt.Fprintf(e.Stdout, "%s: %s\n", r.Name, r.Health)
			case errors.As(r.Err, &ue):
				fmt.Fprintf(e.Stdout, "%s: %s\n", r.Name, auth.Health{State: needsState(r.Health), Reason: ue.Msg})
				if code == ExitOK {
					code = ExitNeedsUser
				}
			default:
				msg := sentence(r.Err.Error())
				if r.Health.State == auth.Unknown && r.Health.Reason != "" {
					// The health's sentence says it for a person; the error
					// chain is for logs.
					msg = r.Health.Reason
				}
				if !mentions(msg, r.Name) {
					msg = r.Name + ": " + msg
				}
				fmt.Fprintf(e.Stderr, "tokentray: %s\n", msg)
				code = ExitError
			}
		}
		if code != ExitOK {
			return &exitError{code: code}
		}
		return nil
	},
}

func needsState(h auth.Health) auth.State {
	if h.State.NeedsUser() {
		return h.State
	}
	return auth.ActionNeeded
}

var cmdExtend = &command{
	name:    "extend",
	summary: "extend a Futu API key's access token",
	usage:   "extend NAME [--days N]",
	help: `Asks Futu for a new access token for the API key NAME, valid for N days
(default 90, at most 1095). The old token stops working: scripts that read
it from the environment must be restarted (tokentray env/exec give them the
new one).`,
	run: func(e *env, self *command, args []string) error {
		f := newFlags(e, self)
		days := f.Int("days", 90, "days")
		pos, _, err := f.parse(args)
		if err != nil {
			return handled(err)
		}
		if err := f.want(pos, 1, "one NAME"); err != nil {
			return err
		}
		if *days < 1 || *days > 1095 {
			return usagef("--days must be between 1 and 1095 (3 years), not %d", *days)
		}
		eng, err := e.engine()
		if err != nil {
			return err
		}
		until := e.Clock.Now().UTC().Add(time.Duration(*days) * 24 * time.Hour)
		h, err := eng.Extend(e.ctx, pos[0], until)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "%s: %s\n", pos[0], h)
		return nil
	},
}

var cmdToken = &command{
	name:    "token",
	summary: "print a credential's current token",
	usage:   "token NAME",
	help: `Prints the current token of NAME and a newline on stdout, and nothing
else, renewing it first when it expires within the lead time; for scripts:
TOKEN=$(tokentray token NAME).

  futu-key    the access token (FUTU_ACCESS_TOKEN)
  futu-oauth  the OAuth access token (a Bearer token)
  webull      the verified token (the x-access-token header)

When you must act first (log in, verify, extend) it prints nothing on
stdout, one sentence on stderr, and exits with code 3.`,
	run: func(e *env, self *command, args []string) error {
		f := newFlags(e, self)
		name, eng, done, err := e.nameArg(f, args)
		if done || err != nil {
			return err
		}
		tok, err := eng.Token(e.ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout, tok)
		return nil
	},
}

var cmdEnv = &command{
	name:    "env",
	summary: "print shell export lines for a credential",
	usage:   "env NAME",
	help: `Prints "export VAR='value'" lines with the variables the broker's SDK
reads for NAME, renewed first when due; for example: eval "$(tokentray env NAME)".
Prefer "tokentray exec", which keeps the values out of your shell.

  futu-key  FUTU_APP_KEY, FUTU_APP_SECRET, FUTU_ACCESS_TOKEN (and FUTU_HTTP_URL
            for a custom endpoint)
  webull    WEBULL_APP_KEY, WEBULL_APP_SECRET, and WEBULL_OPENAPI_TOKEN_DIR
            (the folder of the SDK's token.txt) when sharing is on; without
            sharing, a bot using the Webull SDK starts its own SMS
            verification (turn sharing on with: tokentray share NAME --dir DIR)
  futu-oauth  the Futu SDK reads its OAuth token from its token file, not
            from the environment: turn sharing on (tokentray share NAME,
            or --share-sdk at add) so tokentray keeps that file current.

Exit code 3 when you must act first.`,
	run: func(e *env, self *command, args []string) error {
		f := newFlags(e, self)
		pos, _, err := f.parse(args)
		if err != nil {
			return handled(err)
		}
		if err := f.want(pos, 1, "one NAME"); err != nil {
			return err
		}
		vars, err := credentialEnv(e, pos[0])
		if err != nil {
			return err
		}
		keys := sortedKeys(vars)
		for _, k := range keys {
			fmt.Fprintf(e.Stdout, "export %s=%s\n", k, shellQuote(vars[k]))
		}
		return nil
	},
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
				note = strings.TrimSuffix(note, ".") + " (to turn sharing on, run: tokentray share " + name + "; the same as --share-sdk at add)"
			}
		case c.Kind == auth.KindWebull && !c.ShareWithSDK:
			note = "token sharing is off for " + name + ", so bots using the Webull SDK with these keys start their own SMS verification (2FA); to let them use the token tokentray keeps verified, run: tokentray share " + name + " --dir DIR"
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

var cmdExec = &command{
	name:    "exec",
	summary: "run a command with a credential's variables in its environment",
	usage:   "exec NAME -- CMD [ARG...]",
	help: `Runs CMD with the variables of "tokentray env NAME" added to its
environment (never to its arguments), renewing the token first when due,
and exits with CMD's exit code (128+N when CMD is killed by signal N, 127
when CMD cannot be started).`,
	run: runExec,
}

func runExec(e *env, self *command, args []string) error {
	f := newFlags(e, self)
	pos, rest, err := f.parse(args)
	if err != nil {
		return handled(err)
	}
	if len(pos) > 1 && rest == nil {
		// "exec NAME CMD ARG..." without "--": accept it, CMD's own flags
		// would have been refused above.
		pos, rest = pos[:1], pos[1:]
	}
	if err := f.want(pos, 1, "one NAME"); err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("exec needs a command after --; run: tokentray help exec")
	}
	vars, err := credentialEnv(e, pos[0])
	if err != nil {
		return err
	}
	path, err := exec.LookPath(rest[0])
	if err != nil {
		return &exitError{code: 127, err: fmt.Errorf("cannot run %s: it was not found or is not executable", rest[0])}
	}
	cmd := exec.Command(path, rest[1:]...)
	cmd.Args[0] = rest[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.Stdin, e.Stdout, e.Stderr
	cmd.Env = mergeEnv(e.Environ(), vars)
	// The child gets Ctrl-C from the terminal itself; tokentray waits for
	// it and passes its exit code on.
	stop := ignoreInterrupt()
	defer stop()
	err = cmd.Run()
	var xe *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &xe):
		if ws, ok := xe.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &exitError{code: 128 + int(ws.Signal())}
		}
		return &exitError{code: xe.ExitCode()}
	}
	return &exitError{code: 127, err: fmt.Errorf("cannot run %s: %v", rest[0], err)}
}

// mergeEnv returns base with vars set, replacing earlier values.
func mergeEnv(base []string, vars map[string]string) []string {
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := vars[k]; !ok {
			out = append(out, kv)
		}
	}
	for _, k := range sortedKeys(vars) {
		out = append(out, k+"="+vars[k])
	}
	return out
}

var cmdLogout = &command{
	name:    "logout",
	summary: "forget a credential's tokens but keep the credential",
	usage:   "logout NAME",
	help: `Logs NAME out: its tokens are deleted from the keychain, and the
credential stays so that "tokentray login NAME" signs in again. Scripts
asking for its token get exit code 3 until then.

  futu-oauth  the access and refresh tokens are revoked with Futu first
              when Futu offers revocation and answers; the app
              registration (client ID) is kept
  webull      the stored token is forgotten and the next login creates
              and verifies a new one; the token.txt shared with the SDKs
              is deleted when it holds that token; Webull offers no
              revocation, so the old token stays valid at Webull until it
              expires or goes unused for 15 days
  futu-key    refused: an API key is revoked in the Futu developer
              portal (tokentray remove NAME forgets it here)`,
	run: func(e *env, self *command, args []string) error {
		f := newFlags(e, self)
		name, eng, done, err := e.nameArg(f, args)
		if done || err != nil {
			return err
		}
		ctx, stop := interruptible(e.ctx)
		defer stop()
		revokeErr, err := eng.Logout(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "Logged out %s; log in again with: tokentray login %s\n", name, name)
		if revokeErr != nil {
			fmt.Fprintf(e.Stderr, "tokentray: %s was logged out here, but the broker could not be told to revoke its tokens (%s); revoke them in the broker's portal if they leaked.\n", name, sentence(strings.TrimSuffix(revokeErr.Error(), ".")))
		}
		return nil
	},
}

var cmdRemove = &command{
	name:    "remove",
	summary: "remove a credential and its secrets",
	usage:   "remove NAME",
	help: `Removes NAME: its settings entry and every keychain item. Futu OAuth
tokens are revoked with Futu first when Futu answers; the local removal
happens either way.`,
	run: func(e *env, self *command, args []string) error {
		f := newFlags(e, self)
		name, eng, done, err := e.nameArg(f, args)
		if done || err != nil {
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
	},
}
