package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/auth/targets"
	"tokentray/internal/agentrun"
	"tokentray/internal/msg"
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
//	    "why": {"code": "futu.key_valid", "params": {…}}, // the reason as data (its message code and parameters); null when not known
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
	Endpoint      string `json:"endpoint"`
	OAuthEndpoint string `json:"oauth_endpoint"`
	Kind          string `json:"kind"`
	Health        string `json:"health"`
	Reason        string `json:"reason"`
	// Why is the reason as data: its code and parameters, beside the
	// English sentence; null for a reason stored before reasons were
	// data.
	Why         *msg.Message `json:"why"`
	ExpiresAt   *time.Time   `json:"expires_at"`
	SecondsLeft int64        `json:"seconds_left"`
	LastChecked *time.Time   `json:"last_checked"`
	Next        *NextJSON    `json:"next"`
	Account     *AccountJSON `json:"account"`
	Access      *AccessJSON  `json:"access"`
	Layout      string       `json:"layout"`
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
                               (in English, whatever the language)
      "why":          object,  the reason as data, or null: {"code": the
                               message's code, "params": its parameters},
                               for tools that say it in another language
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

// statusOptions is what a status command line asks for.
type statusOptions struct {
	// Name is the one credential to show in full; "": every one.
	Name string
	// JSON prints the documented JSON; Wide one row a credential.
	JSON, Wide bool
}

// statusCommand is the status command; runF (nil: runStatus, or
// runStatusOne for one name) gets the options its command line parsed.
func statusCommand(e *env, runF func(statusOptions) error) *cobra.Command {
	if runF == nil {
		runF = func(o statusOptions) error {
			if o.Name != "" {
				return runStatusOne(e, o.Name)
			}
			return runStatus(e, o.JSON, o.Wide)
		}
	}
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
	c.Args = atMost(1, msg.New("cli.what_at_most_one_name"))
	c.ValidArgsFunction = e.completeNames(1)
	c.RunE = func(_ *cobra.Command, args []string) error {
		if len(args) == 1 {
			if asJSON || wide {
				return usage(msg.New("cli.status_name_no_json", "Command", e.cmdLine("status")+" --json"))
			}
			return runF(statusOptions{Name: args[0]})
		}
		return runF(statusOptions{JSON: asJSON, Wide: wide})
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
		e.say(e.Stdout, e.tr(msg.New("cli.status_none", "Command", e.cmdLine("add"))))
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
func (e *env) expiryCells(s service.Status, now time.Time) (exp, left string) {
	exp, left = "-", "-"
	if !s.ExpiresAt.IsZero() {
		exp = s.ExpiresAt.Local().Format("2006-01-02 15:04")
		if s.SecondsLeft > 0 {
			left = e.shortDuration(time.Duration(s.SecondsLeft) * time.Second)
		} else if !s.ExpiresAt.After(now) {
			left = e.tr(msg.New("dur.expired"))
		}
	}
	if s.Health.State == auth.Pending && s.SecondsLeft > 0 {
		left = e.shortDuration(time.Duration(s.SecondsLeft) * time.Second)
	}
	return exp, left
}

// brandName is a Futu brand's name in the person's language.
func (e *env) brandName(b string) string {
	switch b {
	case auth.BrandMoomoo:
		return e.tr(msg.New("brand.moomoo"))
	case auth.BrandFutu:
		return e.tr(msg.New("brand.futu"))
	}
	return auth.BrandName(b)
}

// brokerCell is the broker's name as the table shows it (moomoo for
// Futu's brand of that name).
func (e *env) brokerCell(s service.Status, c auth.Credential) string {
	switch {
	case c.FutuBrand() == auth.BrandMoomoo:
		return e.tr(msg.New("brand.moomoo"))
	case s.Broker == "Futu":
		return e.tr(msg.New("brand.futu"))
	case s.Broker == "Webull":
		return e.tr(msg.New("brand.webull"))
	}
	return s.Broker
}

// statusTable is the wide table: one row a credential, the reason last.
func statusTable(e *env, ss []service.Status, creds map[string]auth.Credential, shared map[string]targets.Shared) string {
	now := e.Clock.Now()
	rows := [][]string{{e.tr(msg.New("cli.col_name")), e.tr(msg.New("cli.col_broker")), e.tr(msg.New("cli.col_kind")),
		e.tr(msg.New("cli.col_health")), e.tr(msg.New("cli.col_expires")), e.tr(msg.New("cli.col_left")), e.tr(msg.New("cli.col_reason"))}}
	for _, s := range ss {
		exp, left := e.expiryCells(s, now)
		reason := e.withNext(e.explain(s.Health), e.command(s.Health.Next))
		rows = append(rows, []string{s.Name, e.brokerCell(s, creds[s.Name]), string(s.Kind), e.tr(s.Health.State.Message()), exp, left, reason})
		// Under the reason, as the last cell.
		if line := e.detailLine(creds[s.Name]); line != "" {
			rows = append(rows, []string{"", "", "", "", "", "", line})
		}
		for _, line := range e.shareLines(shared[s.Name]) {
			rows = append(rows, []string{"", "", "", "", "", "", line})
		}
	}
	return alignRows(rows)
}

// writeStatusRows is the layout for a terminal the wide table does not
// fit: the short cells in a row, then the reason and the details below
// it, wrapped to the width.
func writeStatusRows(e *env, ss []service.Status, creds map[string]auth.Credential, shared map[string]targets.Shared, width int) error {
	now := e.Clock.Now()
	// The rows are aligned together first, then each gets its lines below.
	cells := [][]string{{e.tr(msg.New("cli.col_name")), e.tr(msg.New("cli.col_kind")), e.tr(msg.New("cli.col_health")),
		e.tr(msg.New("cli.col_expires")), e.tr(msg.New("cli.col_left"))}}
	for _, s := range ss {
		exp, left := e.expiryCells(s, now)
		cells = append(cells, []string{s.Name, string(s.Kind), e.tr(s.Health.State.Message()), exp, left})
	}
	rows := strings.Split(strings.TrimSuffix(alignRows(cells), "\n"), "\n")
	var out strings.Builder
	out.WriteString(strings.TrimRight(rows[0], " ") + "\n")
	for i, s := range ss {
		out.WriteString(strings.TrimRight(rows[i+1], " ") + "\n")
		// The command to run next is never split across lines.
		lines := wrap(e.explain(s.Health), width-4)
		if cmd := e.command(s.Health.Next); cmd != "" {
			if n := len(lines); n > 0 && displayWidth(e.withNext(lines[n-1], cmd)) <= width-4 {
				lines[n-1] = e.withNext(lines[n-1], cmd)
			} else {
				lines = append(lines, e.withNext("", cmd))
			}
		}
		if line := e.detailLine(creds[s.Name]); line != "" {
			lines = append(lines, wrap(line, width-4)...)
		}
		for _, line := range e.shareLines(shared[s.Name]) {
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
		if displayWidth(l) > width {
			return false
		}
	}
	return true
}

// wrap breaks s into lines of at most width columns, at spaces and
// between Chinese characters (a word longer than width, such as an
// address, stays whole on its own line, and so does a command line: see
// words).
func wrap(s string, width int) []string {
	if width < 20 {
		width = 20
	}
	var lines []string
	line := ""
	for _, w := range words(s) {
		sep := " "
		if w.glue {
			sep = ""
		}
		switch {
		case line == "":
			line = w.text
		case displayWidth(line)+len(sep)+displayWidth(w.text) <= width:
			line += sep + w.text
		default:
			lines = append(lines, line)
			line = w.text
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
	add := func(k msg.Message, v string) {
		if v != "" {
			rows = append(rows, [2]string{e.tr(k), v})
		}
	}
	add(msg.New("cli.row_kind"), e.tr(msg.New("cli.kind_with_code", "Kind", e.kindTitle(c.Kind), "Code", string(c.Kind))))
	if b := c.FutuBrand(); b != "" {
		add(msg.New("cli.row_brand"), e.brandName(b))
	}
	add(msg.New("cli.row_health"), e.tr(s.Health.State.Message()))
	add(msg.New("cli.row_reason"), e.sentenceOf(s.Health))
	add(msg.New("cli.row_next"), e.command(s.Health.Next))
	exp, left := e.expiryCells(s, now)
	switch {
	case s.Health.State == auth.Pending && s.SecondsLeft > 0:
		add(msg.New("cli.row_verify_within"), left)
	case exp != "-":
		add(msg.New("cli.row_expires"), e.tr(msg.New("cli.expires_at_left", "At", exp, "Left", left)))
	case c.Kind == auth.KindWebull && c.TwoFactorOff:
		add(msg.New("cli.row_expires"), e.tr(msg.New("cli.expires_no_token")))
	default:
		add(msg.New("cli.row_expires"), e.tr(msg.New("cli.expires_not_known")))
	}
	add(msg.New("cli.row_account"), e.accountSummary(c.Account))
	if c.Access != nil {
		add(msg.New("cli.row_access"), e.accessSummary(*c.Access))
	}
	endpoint := s.Hosts.API
	switch {
	case endpoint == "" && e.sandbox:
		endpoint = e.tr(msg.New("cli.endpoint_sandbox"))
	case endpoint == "":
		endpoint = e.tr(msg.New("cli.endpoint_default"))
	case c.Endpoint == "":
		endpoint = e.tr(msg.New("cli.endpoint_is_default", "Endpoint", endpoint))
	}
	add(msg.New("cli.row_endpoint"), endpoint)
	if s.Hosts.OAuth != "" && s.Hosts.OAuth != s.Hosts.API {
		add(msg.New("cli.row_login_host"), s.Hosts.OAuth)
	}
	switch c.Layout {
	case auth.LayoutMetadata:
		add(msg.New("cli.row_endpoints"), e.tr(msg.New("cli.layout_metadata")))
	case auth.LayoutFutuCLI:
		add(msg.New("cli.row_endpoints"), e.tr(msg.New("cli.layout_futu_cli")))
	case auth.LayoutCustom:
		add(msg.New("cli.row_endpoints"), e.tr(msg.New("cli.layout_custom")))
	}
	if c.Kind == auth.KindWebull {
		add(msg.New("cli.row_region"), webullRegion(c))
		env := e.tr(msg.New("cli.env_production"))
		if c.TestEnv {
			env = e.tr(msg.New("cli.env_test"))
		}
		add(msg.New("cli.row_environment"), env)
	}
	if c.Kind == auth.KindFutuOAuth {
		add(msg.New("cli.row_client_id"), c.ClientID)
	} else {
		key, err := svc.AppKeyID(e.ctx, name)
		switch {
		case err != nil:
			add(msg.New("cli.row_app_key"), e.tr(msg.New("cli.app_key_unreadable", "Why", trimEnd(oneLine(e.lang.Err(err))))))
		case key == "":
			add(msg.New("cli.row_app_key"), e.tr(msg.New("cli.app_key_none")))
		default:
			add(msg.New("cli.row_app_key"), key)
		}
	}
	if line := strings.Join(e.notes(c), e.tr(msg.New("cli.sep"))); line != "" {
		add(msg.New("cli.row_notes"), line)
	}
	switch {
	case c.ShareWithSDK && c.Kind == auth.KindWebull && c.SDKTokenDir != "":
		add(msg.New("cli.row_shared"), e.tr(msg.New("cli.shared_webull_dir", "Dir", c.SDKTokenDir)))
	case c.ShareWithSDK && c.SDKTokenDir != "":
		add(msg.New("cli.row_shared"), e.tr(msg.New("cli.shared_futu_dir", "Dir", c.SDKTokenDir)))
	case c.ShareWithSDK:
		add(msg.New("cli.row_shared"), e.tr(msg.New("cli.shared_futu")))
	}
	if _, sh, err := svc.Shared(e.ctx, name); err == nil {
		for _, t := range sh.Targets {
			add(msg.New("cli.row_share_target"), e.targetLine(t))
		}
		if line := e.oldTokenLine(sh); line != "" {
			add(msg.New("cli.row_pushed"), line)
		}
	}
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Local().Format("2006-01-02 15:04")
	}
	add(msg.New("cli.row_added"), stamp(c.AddedAt))
	checked := stamp(c.LastChecked)
	if checked == "" {
		checked = e.tr(msg.New("cli.never_checked"))
	}
	add(msg.New("cli.row_last_check"), checked)
	add(msg.New("cli.row_renewed"), stamp(c.RefreshedAt))

	fmt.Fprintln(e.Stdout, c.Name)
	keyWidth := 15
	for _, r := range rows {
		keyWidth = max(keyWidth, displayWidth(r[0])+2)
	}
	for _, r := range rows {
		lines := wrap(r[1], width-keyWidth-2)
		for i, l := range lines {
			k := ""
			if i == 0 {
				k = e.tr(msg.New("cli.label", "Label", r[0]))
			}
			fmt.Fprintf(e.Stdout, "  %s%s\n", padTo(k, keyWidth), l)
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
		e.say(e.Stdout, "\n"+e.tr(msg.New("cli.secrets_unreadable", "Sentence", e.errorSentence(err))))
	}
}

// sentenceOf is a health's reason as a sentence: one line, a capital
// first letter.
func (e *env) sentenceOf(h auth.Health) string {
	return auth.Display(e.explain(h))
}

// printAgent says, under the table, that the profile's agent runs
// headless (on a desktop the tray icon shows it runs).
func (e *env) printAgent() {
	if e.parts == nil || e.parts.Dir == "" {
		return
	}
	if r, ok := agentrun.Running(e.parts.Dir); ok && r.Mode == agentrun.Headless {
		fmt.Fprintln(e.Stdout, "\n"+e.tr(msg.New("cli.agent_headless", "PID", r.PID, "Since", r.Since.Local().Format("2006-01-02 15:04"))))
	}
}

// detailLine says who a login belongs to, where its endpoints come from,
// and what of a Webull app the health sentence may not say.
func (e *env) detailLine(c auth.Credential) string {
	var parts []string
	if c.FutuBrand() == auth.BrandMoomoo {
		parts = append(parts, e.tr(msg.New("cli.detail_moomoo")))
	}
	parts = append(parts, e.notes(c)...)
	if s := e.accountSummary(c.Account); s != "" {
		parts = append(parts, e.tr(msg.New("cli.detail_account", "Account", s)))
	}
	if c.Access != nil {
		parts = append(parts, e.tr(msg.New("cli.detail_access", "Access", e.accessSummary(*c.Access))))
	}
	switch c.Layout {
	case auth.LayoutMetadata:
		parts = append(parts, e.tr(msg.New("cli.detail_layout_metadata")))
	case auth.LayoutFutuCLI:
		parts = append(parts, e.tr(msg.New("cli.detail_layout_futu_cli")))
	case auth.LayoutCustom:
		parts = append(parts, e.tr(msg.New("cli.detail_layout_custom")))
	}
	return strings.Join(parts, e.tr(msg.New("cli.sep")))
}

// notes are what of a Webull app the health sentence may not say; status
// NAME shows them in one row beside the rows of the other facts.
func (e *env) notes(c auth.Credential) []string {
	var parts []string
	if c.Kind == auth.KindWebull && c.TwoFactorOff {
		parts = append(parts, e.tr(msg.New("cli.note_two_factor_off")))
	}
	if c.Kind == auth.KindWebull && c.RenewUnavailable && !c.TwoFactorOff {
		parts = append(parts, e.tr(msg.New("cli.note_renew_unavailable")))
	}
	return parts
}

// accountSummary is who a login belongs to, in a few words ("" when
// the broker named nothing).
func (e *env) accountSummary(a auth.Account) string {
	var parts []string
	if a.Name != "" {
		parts = append(parts, a.Name)
	}
	if a.FutuID != "" {
		parts = append(parts, e.tr(msg.New("cli.account_futu_id", "ID", a.FutuID)))
	}
	switch {
	case a.AccountNo != "" && a.AccountType != "":
		parts = append(parts, e.tr(msg.New("cli.account_no_type", "No", a.AccountNo, "Type", a.AccountType)))
	case a.AccountNo != "":
		parts = append(parts, e.tr(msg.New("cli.account_no", "No", a.AccountNo)))
	case a.AccountType != "":
		parts = append(parts, e.tr(msg.New("cli.account_type", "Type", a.AccountType)))
	}
	if n := len(a.QuotePermissions); n > 0 && n <= 3 {
		parts = append(parts, e.tr(msg.New("cli.account_quotes", "List", strings.Join(a.QuotePermissions, ", "))))
	} else if n > 3 {
		parts = append(parts, e.tr(msg.New("cli.account_quotes_more", "List", strings.Join(a.QuotePermissions[:3], ", "))))
	}
	return strings.Join(parts, " · ")
}

// accessSummary is what a Futu OAuth login may do, in a few words:
// the login's own summary, said in the person's language.
func (e *env) accessSummary(a auth.Access) string { return e.tr(a.SummaryMsg()) }

// statusExit is status's exit code, with one sentence naming the
// credentials behind it: 3 when any needs the user or the file
// keychain's secrets cannot be read, else 1 when any could not be
// checked, else 0.
func statusExit(e *env, ss []service.Status, secrets error) error {
	var act, unknown, never []string
	if secrets != nil {
		act = append(act, e.tr(msg.New("cli.exit_file_keychain")))
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
	var parts []msg.Message
	if len(act) > 0 {
		parts = append(parts, msg.New("cli.exit_act", "Names", e.names(act)))
	}
	if len(never) > 0 {
		parts = append(parts, msg.New("cli.exit_never", "Names", e.names(never)))
	}
	if len(unknown) > 0 {
		parts = append(parts, msg.New("cli.exit_unknown", "Names", e.names(unknown)))
	}
	var said msg.Message
	for _, p := range parts {
		said = msg.Join(said, p)
	}
	unknown = append(never, unknown...)
	switch {
	case len(act) > 0:
		return &exitError{code: ExitNeedsUser, err: &msg.Error{Msg: said}}
	case len(unknown) > 0:
		return &exitError{code: ExitError, err: msg.Errorf("cli.exit_run", "Sentence", said, "Command", e.cmdLine("refresh"))}
	}
	return nil
}

// shareLines are a credential's share targets for the status table, and
// the bots that keep an old token.
func (e *env) shareLines(sh targets.Shared) []string {
	var out []string
	for _, t := range sh.Targets {
		out = append(out, e.tr(msg.New("cli.share_target_line", "Line", e.targetLine(t))))
	}
	if line := e.oldTokenLine(sh); line != "" {
		out = append(out, line)
	}
	return out
}

// targetLine is a share target and how its pushes go.
func (e *env) targetLine(t targets.Target) string {
	st := t.State
	switch {
	case !st.Pushed():
		return e.tr(msg.New("cli.target_not_pushed", "Target", t.Describe()))
	case st.Failing():
		return e.tr(msg.New("cli.target_failing", "Target", t.Describe(), "Error", oneLine(st.Error), "Next", clock(st.NextAttempt)))
	}
	return e.tr(msg.New("cli.target_ok", "Target", t.Describe(), "At", clock(st.LastSuccess)))
}

// oldTokenLine says which bots keep an old token after a push carried
// a new one ("" when none).
func (e *env) oldTokenLine(sh targets.Shared) string {
	if note := e.oldTokenNote(sh.TokenChangedAt); note != "" && len(sh.Targets) > 0 {
		return e.tr(msg.New("cli.new_token_at", "At", clock(sh.TokenChangedAt), "Note", note))
	}
	return ""
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
		// English, as every sentence of the JSON.
		out.KeychainError = new(english(e).errorSentence(secrets))
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
			Why:           why(s.Health),
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

// names lists names with the language's comma ("a, b", "a、b").
func (e *env) names(names []string) string {
	return strings.Join(names, e.tr(msg.New("cli.comma")))
}

// why is a health's reason as data for JSON, nil when it has none.
func why(h auth.Health) *msg.Message {
	if h.Why.IsZero() {
		return nil
	}
	w := h.Why
	return &w
}

// english is e speaking English (for JSON, which is never translated).
func english(e *env) *env {
	en := *e
	en.lang = msg.English
	return &en
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// shortDuration is a short "time left": 89d, 5h12m, 4m59s.
func (e *env) shortDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return e.tr(msg.New("cli.left_days", "Days", int(d/(24*time.Hour))))
	case d >= time.Hour:
		return e.tr(msg.New("cli.left_hours", "Hours", int(d/time.Hour), "Minutes", fmt.Sprintf("%02d", int(d%time.Hour/time.Minute))))
	case d >= time.Minute:
		return e.tr(msg.New("cli.left_minutes", "Minutes", int(d/time.Minute), "Seconds", fmt.Sprintf("%02d", int(d%time.Minute/time.Second))))
	}
	return e.tr(msg.New("cli.left_seconds", "Seconds", int(d/time.Second)))
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
		return &exitError{code: ExitInterrupted, err: msg.Errorf("cli.status_cancelled")}
	}
	return nil
}
