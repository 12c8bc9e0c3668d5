package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/auth/targets"
	"tokentray/internal/agentrun"
)

// StatusJSON is the stable output of "tokentray status --json". Fields
// are never renamed or removed; new ones may be added. No secret is ever
// part of it.
//
//	{"credentials": [
//	  {
//	    "name": "futu-main",                     // the credential's name
//	    "broker": "Futu",                        // "Futu" or "Webull"
//	    "brand": "moomoo",                       // Futu kinds: "futu" or "moomoo"; "" for Webull
//	    "region": "us", "environment": "prod",   // Webull: its region, and "prod" or "test"; "" for Futu
//	    "endpoint": "https://api.webull.com",    // the API host it talks to
//	    "oauth_endpoint": "https://webapi.futunn.com", // a Futu OAuth login's OAuth host; "" otherwise
//	    "kind": "futu-key",                      // "futu-oauth", "futu-key" or "webull"
//	    "health": "ok",                          // "ok", "unknown", "expiring", "pending", "action-needed" or "broken"
//	    "reason": "the access token is valid …", // one sentence: what happened, what to do ("" when none)
//	    "expires_at": "2027-02-21T09:00:00Z",    // RFC 3339 UTC; null when not known
//	    "seconds_left": 7776000,                 // to the 2FA deadline when pending, else to expires_at; 0 when past or unknown
//	    "last_checked": "2026-11-23T09:00:00Z",  // RFC 3339 UTC of the last check with the broker; null when never
//	    "next": {"action": "login", "command": "tokentray login futu-main"}, // what to do now; null when nothing
//	    "account": {"futu_id": "…", "account_no": "…", "name": "…", "account_type": "…", "quote_permissions": ["…"]}, // who logged in (Futu OAuth); null when not known
//	    "access": {"quote": true, "trade": false}, // what a Futu OAuth login may do; null when not known
//	    "layout": "futu-cli",                    // where a Futu OAuth login's endpoints come from: "metadata", "futu-cli", "custom"; "" otherwise or before first use
//	    "two_factor_off": false,                 // Webull: the broker said the app needs no token (2FA off); false otherwise
//	    "renew_unavailable": false               // Webull: the broker refused to renew the token, which lasts until expires_at; false otherwise
//	  }
//	],
//	"keychain_error": "…"}                       // only when the file keychain's secrets cannot be read: why, and what to do (never for the OS keychain)
//
// Credentials are sorted by name; "credentials" is [] when there are none.
type StatusJSON struct {
	Credentials []CredentialStatusJSON `json:"credentials"`
	// KeychainError says why the file keychain's secrets cannot be read
	// and what to do; absent when they can, and always absent for the OS
	// keychain, which status does not ask.
	KeychainError *string `json:"keychain_error,omitempty"`
}

// CredentialStatusJSON is one credential in StatusJSON.
type CredentialStatusJSON struct {
	Name   string `json:"name"`
	Broker string `json:"broker"`
	Brand  string `json:"brand"`
	// Region and Environment ("prod" or "test") of a Webull credential.
	Region      string `json:"region"`
	Environment string `json:"environment"`
	// Endpoint is the API host it talks to; OAuthEndpoint a Futu OAuth
	// login's OAuth host.
	Endpoint      string       `json:"endpoint"`
	OAuthEndpoint string       `json:"oauth_endpoint"`
	Kind          string       `json:"kind"`
	Health        string       `json:"health"`
	Reason        string       `json:"reason"`
	ExpiresAt     *time.Time   `json:"expires_at"`
	SecondsLeft   int64        `json:"seconds_left"`
	LastChecked   *time.Time   `json:"last_checked"`
	Next          *NextJSON    `json:"next"`
	Account       *AccountJSON `json:"account"`
	Access        *AccessJSON  `json:"access"`
	Layout        string       `json:"layout"`
	// TwoFactorOff: a Webull app the broker said needs no token.
	TwoFactorOff bool `json:"two_factor_off"`
	// RenewUnavailable: a Webull token the broker refused to renew.
	RenewUnavailable bool `json:"renew_unavailable"`
	// ShareTargets are the credential's share targets and how their
	// pushes went; [] when it has none.
	ShareTargets []ShareTargetJSON `json:"share_targets"`
	// TokenChangedAt: when a push first carried a new token string (bots
	// that read the file once and started before keep the old one).
	TokenChangedAt *time.Time `json:"token_changed_at"`
}

// ShareTargetJSON is one share target in StatusJSON.
type ShareTargetJSON struct {
	// Kind is "ssh" or "exec".
	Kind string `json:"kind"`
	// Target is HOST:DIR, ssh://… or the command.
	Target string `json:"target"`
	// Result is "ok", "failing" or "not-pushed".
	Result      string     `json:"result"`
	Error       string     `json:"error"`
	Failures    int        `json:"failures"`
	LastPush    *time.Time `json:"last_push"`
	LastSuccess *time.Time `json:"last_success"`
	NextAttempt *time.Time `json:"next_attempt"`
}

// NextJSON is a credential's next action in StatusJSON.
type NextJSON struct {
	// Action is "login", "verify", "extend", "update" or "retry".
	Action string `json:"action"`
	// Command is the command line that does it.
	Command string `json:"command"`
}

// AccountJSON is who a login belongs to, in StatusJSON; fields the
// broker did not name are left out.
type AccountJSON = auth.Account

// AccessJSON is what a Futu OAuth login may do, in StatusJSON: market
// data (quote) and trading (trade), as Futu's own CLI shows them.
type AccessJSON struct {
	Quote bool `json:"quote"`
	Trade bool `json:"trade"`
}

const statusSchema = `With --json it prints one JSON object with a stable schema (fields are
never renamed or removed; new ones may be added; no secret is ever in it):

  {"credentials": [{
      "name":         string,  the credential's name
      "broker":       string,  "Futu" or "Webull"
      "brand":        string,  for Futu credentials "futu" or "moomoo"
                               (Futu's international brand, on its own
                               hosts); "" for Webull
      "region":       string,  a Webull credential's region ("us", "hk",
                               ...); "" for Futu
      "environment":  string,  a Webull credential's environment: "prod" or
                               "test"; "" for Futu
      "endpoint":     string,  the API host it talks to (its own endpoint,
                               else the broker's default for its brand or
                               region)
      "oauth_endpoint": string, a Futu OAuth login's OAuth host (where it
                               logs in and renews); "" for other kinds
      "kind":         string,  "futu-oauth", "futu-key" or "webull"
      "health":       string,  "ok", "unknown", "expiring", "pending",
                               "action-needed" or "broken"
      "reason":       string,  one sentence: what happened, what to do
      "expires_at":   string,  RFC 3339 UTC, or null when not known
      "seconds_left": number,  to the 2FA deadline when pending, else to
                               expires_at; 0 when past or not known
      "last_checked": string,  RFC 3339 UTC of the last check with the
                               broker, or null when never
      "next":         object,  what to do now, or null when nothing:
                               {"action": "login", "verify", "extend",
                               "update" or "retry", "command": the command
                               line that does it}
      "account":      object,  who logged in (Futu OAuth), or null when not
                               known: "futu_id", "account_no", "name",
                               "account_type", "quote_permissions" (a list),
                               each left out when the broker named none
      "access":       object,  what a Futu OAuth login may do, or null when
                               not known: {"quote": boolean (market data),
                               "trade": boolean (Futu's account check lists
                               accounts it may trade)}
      "layout":       string,  where a Futu OAuth login's endpoints come
                               from: "metadata" (the host's RFC 8414
                               metadata), "futu-cli" (the paths of Futu's
                               own command line) or "custom" (set by hand);
                               "" for other kinds or before the first use
      "two_factor_off": boolean, true for a Webull app with 2FA off: the
                               broker said it needs no token, so requests
                               are signed with the app key alone and
                               "token" has none to print
      "renew_unavailable": boolean, true when Webull refused to renew the
                               token: it is kept, lasts until expires_at,
                               and a warning comes before then
      "share_targets": list,   each share target ([] when none): {"kind":
                               "ssh" or "exec", "target": HOST:DIR or the
                               command, "result": "ok", "failing" or
                               "not-pushed", "error": the last failure's
                               sentence ("" when none), "failures": failed
                               pushes in a row, "last_push", "last_success",
                               "next_attempt": RFC 3339 UTC or null}
      "token_changed_at": string, RFC 3339 UTC of the last push that
                               carried a new token string (bots that read
                               the file once and started before it keep the
                               old token), or null
  }],
   "keychain_error": string, only when the file keychain's secrets
                               cannot be read: why, and what to do (exit
                               code 3); never for the system keychain,
                               which status does not ask}

Credentials are sorted by name; "credentials" is [] when there are none.`

func statusCommand(e *env) *cobra.Command {
	c := newCommand("status", "show the health of every credential", "status [--wide] [--json]\nstatus NAME",
		`Shows every credential's health from what is stored, without calling the
brokers (run "tokentray refresh" to check with them): name, kind, health,
expiry and time left, and under each row the reason and what to do next;
the account a Futu login belongs to, and for Webull whether the app has
2FA off (no token needed) or its token cannot be renewed. One exception:
a renewal that a killed process left unfinished is checked with its
broker first, so what is shown is the broker's word (at most 30 seconds;
Ctrl-C stops it, exit 130).

  --wide  one row a credential, the reason in the last column (the table
          of earlier versions); without it that table is used only where
          it fits the terminal's width (80 columns when not known)
  NAME    one credential in full: everything above, where its calls go,
          which app key it uses (the key's ID, never its secret; read from
          the keychain), sharing, and when it was added, checked and
          renewed

With the file keychain, status also opens its key and its file (nothing
else): when the secrets cannot be read, a line under the table says why
and what to do, as "tokentray keychain status" does.

Exit code 0 when every credential is OK or Expiring, 3 when any needs you
to act (log in, verify, extend, or a broken key) or the file keychain's
secrets cannot be read, else 1 when any could not be checked (Unknown:
never checked, or the broker did not answer).

`+statusSchema)
	var asJSON, wide bool
	boolFlag(c.Flags(), &asJSON, "json", "print JSON")
	boolFlag(c.Flags(), &wide, "wide", "one row a credential, the reason in the last column")
	c.Args = atMost(1, "at most one NAME")
	c.ValidArgsFunction = e.completeNames(1)
	c.RunE = func(_ *cobra.Command, args []string) error {
		if len(args) == 1 {
			if asJSON || wide {
				return usagef("status NAME shows one credential in full and takes no --json or --wide; for JSON run: %s --json", e.cmdLine("status"))
			}
			return runStatusOne(e, args[0])
		}
		return runStatus(e, asJSON, wide)
	}
	return c
}

func runStatus(e *env, asJSON, wide bool) error {
	svc, err := e.svc()
	if err != nil {
		return err
	}
	if err := recoverFirst(e, svc); err != nil {
		return err
	}
	ss, err := svc.Status(e.ctx)
	if err != nil {
		return err
	}
	creds := map[string]auth.Credential{}
	if cs, err := svc.Credentials(e.ctx); err == nil {
		for _, c := range cs {
			creds[c.Name] = c
		}
	}
	shared, _ := svc.AllShared(e.ctx)
	secrets := e.fileKeychainProblem()
	if asJSON {
		if err := writeStatusJSON(e, ss, creds, shared, secrets); err != nil {
			return err
		}
		return statusExit(e, ss, secrets)
	}
	if len(ss) == 0 {
		e.say(e.Stdout, "No credentials yet; add one with: "+e.cmdLine("add")+" (see tokentray help add)")
		e.printSecrets(secrets)
		e.printAgent()
		return statusExit(e, ss, secrets)
	}
	table := statusTable(e, ss, creds, shared)
	if wide || fits(table, e.width(e.Stdout)) {
		if _, err := io.WriteString(e.Stdout, table); err != nil {
			return err
		}
	} else if err := writeStatusRows(e, ss, creds, shared, e.width(e.Stdout)); err != nil {
		return err
	}
	e.printSecrets(secrets)
	e.printAgent()
	return statusExit(e, ss, secrets)
}

// expiryCells are a credential's EXPIRES and LEFT cells.
func expiryCells(s service.Status, now time.Time) (exp, left string) {
	exp, left = "-", "-"
	if !s.ExpiresAt.IsZero() {
		exp = s.ExpiresAt.Local().Format("2006-01-02 15:04")
		if s.SecondsLeft > 0 {
			left = humanDuration(time.Duration(s.SecondsLeft) * time.Second)
		} else if !s.ExpiresAt.After(now) {
			left = "expired"
		}
	}
	if s.Health.State == auth.Pending && s.SecondsLeft > 0 {
		left = humanDuration(time.Duration(s.SecondsLeft) * time.Second)
	}
	return exp, left
}

// statusTable is the wide table: one row a credential, the reason last.
func statusTable(e *env, ss []service.Status, creds map[string]auth.Credential, shared map[string]targets.Shared) string {
	var b strings.Builder
	now := e.Clock.Now()
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tBROKER\tKIND\tHEALTH\tEXPIRES\tLEFT\tREASON")
	for _, s := range ss {
		exp, left := expiryCells(s, now)
		reason := withNext(oneLine(s.Health.Reason), e.command(s.Health.Next))
		broker := s.Broker
		if creds[s.Name].FutuBrand() == auth.BrandMoomoo {
			broker = auth.BrandName(auth.BrandMoomoo)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, broker, s.Kind, s.Health.State.Title(), exp, left, reason)
		if line := detailLine(creds[s.Name]); line != "" {
			// Under the reason, as the last cell: a line with fewer cells
			// would end the columns above it and misalign the rows below.
			fmt.Fprintf(tw, "\t\t\t\t\t\t%s\n", line)
		}
		for _, line := range shareLines(shared[s.Name]) {
			fmt.Fprintf(tw, "\t\t\t\t\t\t%s\n", line)
		}
	}
	_ = tw.Flush()
	return b.String()
}

// writeStatusRows is the layout for a terminal the wide table does not
// fit: the short cells in a row, then the reason and the details below
// it, wrapped to the width.
func writeStatusRows(e *env, ss []service.Status, creds map[string]auth.Credential, shared map[string]targets.Shared, width int) error {
	now := e.Clock.Now()
	// The rows are aligned together first, then each gets its lines below.
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tHEALTH\tEXPIRES\tLEFT")
	for _, s := range ss {
		exp, left := expiryCells(s, now)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, s.Kind, s.Health.State.Title(), exp, left)
	}
	_ = tw.Flush()
	rows := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	var out strings.Builder
	out.WriteString(strings.TrimRight(rows[0], " ") + "\n")
	for i, s := range ss {
		out.WriteString(strings.TrimRight(rows[i+1], " ") + "\n")
		// The command to run next is never split across lines.
		lines := wrap(oneLine(s.Health.Reason), width-4)
		if cmd := e.command(s.Health.Next); cmd != "" {
			next := "Next: " + cmd
			if n := len(lines); n > 0 && utf8.RuneCountInString(lines[n-1])+len(". "+next) <= width-4 {
				lines[n-1] = strings.TrimRight(lines[n-1], ". ") + ". " + next
			} else {
				lines = append(lines, next)
			}
		}
		if line := detailLine(creds[s.Name]); line != "" {
			lines = append(lines, wrap(line, width-4)...)
		}
		for _, line := range shareLines(shared[s.Name]) {
			lines = append(lines, wrap(line, width-4)...)
		}
		for _, l := range lines {
			out.WriteString("    " + l + "\n")
		}
	}
	_, err := io.WriteString(e.Stdout, out.String())
	return err
}

// width is the terminal's width in columns for w, else COLUMNS, else 80.
func (e *env) width(w any) int {
	if f, ok := w.(interface{ Fd() uintptr }); ok && e.IsTerminal(w) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if n, err := strconv.Atoi(e.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}

// fits reports whether every line of text is at most width columns.
func fits(text string, width int) bool {
	for _, l := range strings.Split(text, "\n") {
		if utf8.RuneCountInString(l) > width {
			return false
		}
	}
	return true
}

// wrap breaks s into lines of at most width columns, at spaces (a word
// longer than width, such as an address, stays whole on its own line,
// and so does a command line: see words).
func wrap(s string, width int) []string {
	if width < 20 {
		width = 20
	}
	var lines []string
	line := ""
	for _, w := range words(s) {
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= width:
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

// runStatusOne is status NAME: one credential in full.
func runStatusOne(e *env, name string) error {
	svc, err := e.svc()
	if err != nil {
		return err
	}
	c, err := svc.Get(e.ctx, name)
	if err != nil {
		return err
	}
	if err := recoverFirst(e, svc); err != nil {
		return err
	}
	ss, err := svc.Status(e.ctx)
	if err != nil {
		return err
	}
	var s service.Status
	for _, x := range ss {
		if x.Name == c.Name {
			s = x
		}
	}
	now := e.Clock.Now()
	width := e.width(e.Stdout)
	var rows [][2]string
	add := func(k, v string) {
		if v != "" {
			rows = append(rows, [2]string{k, v})
		}
	}
	add("kind", c.Kind.Title()+" ("+string(c.Kind)+")")
	if b := c.FutuBrand(); b != "" {
		add("brand", auth.BrandName(b))
	}
	add("health", s.Health.State.Title())
	add("reason", sentenceOf(s.Health.Reason))
	add("next", e.command(s.Health.Next))
	exp, left := expiryCells(s, now)
	switch {
	case s.Health.State == auth.Pending && s.SecondsLeft > 0:
		add("verify within", left)
	case exp != "-":
		add("expires", exp+" ("+left+")")
	case c.Kind == auth.KindWebull && c.TwoFactorOff:
		add("expires", "no token: 2FA is off for this app")
	default:
		add("expires", "not known yet")
	}
	add("account", c.Account.Summary())
	if c.Access != nil {
		add("access", c.Access.Summary())
	}
	endpoint := s.Hosts.API
	switch {
	case endpoint == "" && e.sandbox:
		endpoint = "the running sandbox brokers"
	case endpoint == "":
		endpoint = "the broker's default"
	case c.Endpoint == "":
		endpoint += " (the broker's default)"
	}
	add("endpoint", endpoint)
	if s.Hosts.OAuth != "" && s.Hosts.OAuth != s.Hosts.API {
		add("login host", s.Hosts.OAuth)
	}
	switch c.Layout {
	case auth.LayoutMetadata:
		add("endpoints", "from the host's OAuth metadata")
	case auth.LayoutFutuCLI:
		add("endpoints", "at the paths of Futu's own command line")
	case auth.LayoutCustom:
		add("endpoints", "set by hand")
	}
	if c.Kind == auth.KindWebull {
		add("region", webullRegion(c))
		env := "production"
		if c.TestEnv {
			env = "test"
		}
		add("environment", env)
	}
	if c.Kind == auth.KindFutuOAuth {
		add("client ID", c.ClientID)
	} else {
		key, err := svc.AppKeyID(e.ctx, name)
		switch {
		case err != nil:
			add("app key", "not readable now ("+strings.TrimSuffix(oneLine(err.Error()), ".")+")")
		case key == "":
			add("app key", "none in the keychain")
		default:
			add("app key", key)
		}
	}
	if line := strings.Join(notes(c), "; "); line != "" {
		add("notes", line)
	}
	switch {
	case c.ShareWithSDK && c.Kind == auth.KindWebull && c.SDKTokenDir != "":
		add("shared", "token.txt in "+c.SDKTokenDir+", for the Webull SDK")
	case c.ShareWithSDK && c.SDKTokenDir != "":
		add("shared", "with the Futu SDK in "+c.SDKTokenDir)
	case c.ShareWithSDK:
		add("shared", "with the Futu SDK")
	}
	if _, sh, err := svc.Shared(e.ctx, name); err == nil {
		for _, line := range shareLines(sh) {
			if t, ok := strings.CutPrefix(line, "share target "); ok {
				add("share target", t)
			} else {
				add("pushed", line)
			}
		}
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("2006-01-02 15:04")
	}
	add("added", stamp(c.AddedAt))
	checked := stamp(c.LastChecked)
	if checked == "" {
		checked = "never checked with the broker"
	}
	add("last check", checked)
	add("renewed", stamp(c.RefreshedAt))

	fmt.Fprintln(e.Stdout, c.Name)
	const keyWidth = 15
	for _, r := range rows {
		lines := wrap(r[1], width-keyWidth-2)
		for i, l := range lines {
			k := ""
			if i == 0 {
				k = r[0] + ":"
			}
			fmt.Fprintf(e.Stdout, "  %-*s%s\n", keyWidth, k, l)
		}
	}
	secrets := e.fileKeychainProblem()
	e.printSecrets(secrets)
	return statusExit(e, []service.Status{s}, secrets)
}

// fileKeychainProblem says why the file keychain's secrets cannot be
// read, from the key and the file alone; nil when they can, and always
// nil for the OS keychain, which status does not ask (it never talks to
// the session bus).
func (e *env) fileKeychainProblem() error {
	if e.parts == nil || e.parts.CheckFileKeychain == nil {
		return nil
	}
	return e.parts.CheckFileKeychain()
}

// printSecrets says, under the table, that the secrets cannot be read,
// with the sentence keychain status gives.
func (e *env) printSecrets(err error) {
	if err != nil {
		e.say(e.Stdout, "\nThe secrets cannot be read, so no token can be renewed or handed out: "+e.errorSentence(err))
	}
}

// sentenceOf is a reason as a sentence: one line, a capital first letter.
func sentenceOf(reason string) string {
	return auth.Display(oneLine(reason))
}

// printAgent says, under the table, that the profile's agent runs
// headless (on a desktop the tray icon shows it runs).
func (e *env) printAgent() {
	if e.parts == nil || e.parts.Dir == "" {
		return
	}
	if r, ok := agentrun.Running(e.parts.Dir); ok && r.Mode == agentrun.Headless {
		fmt.Fprintf(e.Stdout, "\nThe agent runs headless (process %d, since %s): it renews tokens and asks about pending verifications.\n",
			r.PID, r.Since.Local().Format("2006-01-02 15:04"))
	}
}

// detailLine says who a login belongs to, where its endpoints come from,
// and what of a Webull app the health sentence may not say.
func detailLine(c auth.Credential) string {
	var parts []string
	if c.FutuBrand() == auth.BrandMoomoo {
		parts = append(parts, "brand: moomoo, on moomoo's hosts")
	}
	parts = append(parts, notes(c)...)
	if s := c.Account.Summary(); s != "" {
		parts = append(parts, "account: "+s)
	}
	if c.Access != nil {
		parts = append(parts, "access: "+c.Access.Summary())
	}
	switch c.Layout {
	case auth.LayoutMetadata:
		parts = append(parts, "endpoints: the host's OAuth metadata")
	case auth.LayoutFutuCLI:
		parts = append(parts, "endpoints: the layout of Futu's own command line")
	case auth.LayoutCustom:
		parts = append(parts, "endpoints: set by hand")
	}
	return strings.Join(parts, "; ")
}

// notes are what of a Webull app the health sentence may not say; status
// NAME shows them in one row beside the rows of the other facts.
func notes(c auth.Credential) []string {
	var parts []string
	if c.Kind == auth.KindWebull && c.TwoFactorOff {
		parts = append(parts, "2FA off: no token (token prints none); env and exec give bots the app key")
	}
	if c.Kind == auth.KindWebull && c.RenewUnavailable && !c.TwoFactorOff {
		parts = append(parts, "renewal unavailable: Webull refused to renew the token, so it lasts until it expires (a warning comes before then)")
	}
	return parts
}

// statusExit is status's exit code, with one sentence naming the
// credentials behind it: 3 when any needs the user or the file
// keychain's secrets cannot be read, else 1 when any could not be
// checked, else 0.
func statusExit(e *env, ss []service.Status, secrets error) error {
	var act, unknown, never []string
	if secrets != nil {
		act = append(act, "the file keychain, whose secrets cannot be read")
	}
	for _, s := range ss {
		switch {
		case s.Health.State.NeedsUser():
			act = append(act, s.Name)
		case s.Health.State == auth.Unknown && s.LastChecked.IsZero():
			never = append(never, s.Name)
		case s.Health.State == auth.Unknown:
			// Checked before: the broker did not answer, or the token
			// ran out since and the next check renews it.
			unknown = append(unknown, s.Name)
		}
	}
	var msg []string
	if len(act) > 0 {
		msg = append(msg, "you must act on "+strings.Join(act, ", "))
	}
	if len(never) > 0 {
		msg = append(msg, "not checked yet with the broker: "+strings.Join(never, ", "))
	}
	if len(unknown) > 0 {
		msg = append(msg, "not known until the next check with the broker: "+strings.Join(unknown, ", "))
	}
	unknown = append(never, unknown...)
	switch {
	case len(act) > 0:
		return &exitError{code: ExitNeedsUser, err: fmt.Errorf("%s", strings.Join(msg, "; "))}
	case len(unknown) > 0:
		return &exitError{code: ExitError, err: fmt.Errorf("%s (run: %s)", strings.Join(msg, "; "), e.cmdLine("refresh"))}
	}
	return nil
}

// shareLines are a credential's share targets for the status table, and
// the bots that keep an old token.
func shareLines(sh targets.Shared) []string {
	var out []string
	for _, t := range sh.Targets {
		st := t.State
		switch {
		case !st.Pushed():
			out = append(out, "share target "+t.Describe()+": not pushed yet")
		case st.Failing():
			out = append(out, fmt.Sprintf("share target %s: failing: %s (next attempt %s)", t.Describe(), oneLine(st.Error), clock(st.NextAttempt)))
		default:
			out = append(out, "share target "+t.Describe()+": ok, pushed "+clock(st.LastSuccess))
		}
	}
	if note := oldTokenNote(sh.TokenChangedAt); note != "" && len(sh.Targets) > 0 {
		out = append(out, "new token at "+clock(sh.TokenChangedAt)+": "+note)
	}
	return out
}

func utcOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC().Truncate(time.Second)
	return &u
}

func writeStatusJSON(e *env, ss []service.Status, creds map[string]auth.Credential, shared map[string]targets.Shared, secrets error) error {
	out := StatusJSON{Credentials: []CredentialStatusJSON{}}
	if secrets != nil {
		msg := e.errorSentence(secrets)
		out.KeychainError = &msg
	}
	for _, s := range ss {
		j := CredentialStatusJSON{
			Name:          s.Name,
			Broker:        s.Broker,
			Brand:         creds[s.Name].FutuBrand(),
			Endpoint:      s.Hosts.API,
			OAuthEndpoint: s.Hosts.OAuth,
			Kind:          string(s.Kind),
			Health:        s.Health.State.String(),
			Reason:        oneLine(s.Health.Reason),
			SecondsLeft:   s.SecondsLeft,
		}
		j.ExpiresAt, j.LastChecked = utcOrNil(s.ExpiresAt), utcOrNil(s.LastChecked)
		if cmd := e.command(s.Health.Next); cmd != "" {
			j.Next = &NextJSON{Action: string(s.Health.Next.Kind), Command: cmd}
		}
		if c := creds[s.Name]; !c.Account.IsZero() {
			a := c.Account
			j.Account = &a
		}
		if a := creds[s.Name].Access; a != nil {
			j.Access = &AccessJSON{Quote: a.Quote, Trade: a.Trade}
		}
		j.Layout = creds[s.Name].Layout
		if c := creds[s.Name]; c.Kind == auth.KindWebull {
			j.Region, j.Environment = webullRegion(c), "prod"
			if c.TestEnv {
				j.Environment = "test"
			}
			j.TwoFactorOff = c.TwoFactorOff
			j.RenewUnavailable = c.RenewUnavailable && !c.TwoFactorOff
		}
		sh := shared[s.Name]
		j.ShareTargets = []ShareTargetJSON{}
		for _, t := range sh.Targets {
			st := t.State
			r := "ok"
			switch {
			case !st.Pushed():
				r = "not-pushed"
			case st.Failing():
				r = "failing"
			}
			j.ShareTargets = append(j.ShareTargets, ShareTargetJSON{
				Kind: string(t.Kind), Target: t.String(), Result: r, Error: oneLine(st.Error), Failures: st.Failures,
				LastPush: utcOrNil(st.LastAttempt), LastSuccess: utcOrNil(st.LastSuccess), NextAttempt: utcOrNil(st.NextAttempt),
			})
		}
		j.TokenChangedAt = utcOrNil(sh.TokenChangedAt)
		out.Credentials = append(out.Credentials, j)
	}
	enc := json.NewEncoder(e.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// humanDuration is a short "time left": 89d, 5h12m, 4m59s.
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%ds", int(d/time.Second))
}

// webullRegion is a Webull credential's region code, "us" when it names
// none (the broker's default).
func webullRegion(c auth.Credential) string {
	if r := strings.ToLower(strings.TrimSpace(c.Region)); r != "" {
		return r
	}
	return "us"
}

// recoverFirst asks the brokers about renewals a killed process left
// unfinished, so status shows their word; Ctrl-C stops it at once.
func recoverFirst(e *env, svc service.Service) error {
	svc.Recover(e.ctx)
	if e.ctx.Err() != nil {
		return &exitError{code: ExitInterrupted, err: errors.New("cancelled while a broker was asked about a renewal that was interrupted; no status was shown")}
	}
	return nil
}
