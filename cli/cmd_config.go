package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth/store"
	"tokentray/internal/msg"
)

// autostartKey is the setting kept by the desktop (its autostart entry),
// not in the settings file.
const autostartKey = "autostart"

func configCommand(e *env) *cobra.Command {
	var b strings.Builder
	for _, s := range store.AllSettings() {
		fmt.Fprintf(&b, "  %-16s %s\n  %-16s %s; default %s\n", s.Key, s.Title, "", s.Allowed, s.Default())
	}
	fmt.Fprintf(&b, "  %-16s %s\n  %-16s %s\n", autostartKey, "Start the agent (the tray) when you log in", "", "on or off; default off")
	c := newCommand("config", "show or change a setting", "config\nconfig KEY\nconfig KEY VALUE",
		`With no argument, lists every setting with its value and its default;
with KEY, prints that setting's value; with KEY VALUE, changes it. A value
that is not allowed is refused with the allowed range, and nothing changes.
The agent and the window pick changes up without a restart.

`+b.String()+`
Durations are written like 45s, 5m, 2h or 1h30m. A value in the settings
file that is out of range is reported here, and its default is used.

keychain file keeps this profile's secrets in the encrypted file keychain
(see: tokentray help keychain); TOKENTRAY_KEYCHAIN, when set, takes
precedence. tokentray does not move secrets from one keychain to the
other, so the keychain is changed only while the profile holds no
credentials.

language is the language of the command line, the tray, the
notifications and the window: zh-CN (Simplified Chinese), zh-HK
(Traditional Chinese as written in Hong Kong) or en; auto follows
FUTU_LANGUAGE, then LC_ALL, LC_MESSAGES and LANG, then the desktop's
language. LANG=C keeps the English output scripts parse; status --json
is never translated.

notify-command runs through sh -c for every event a desktop notification
announces, on the desktop too: the event as JSON on its input, its title
and sentence in TOKENTRAY_EVENT_TITLE and TOKENTRAY_EVENT_TEXT. It never
gets a secret. For example, to a phone with ntfy:
  tokentray config notify-command 'curl -s -H "Title: $TOKENTRAY_EVENT_TITLE" -d "$TOKENTRAY_EVENT_TEXT" https://ntfy.sh/YOUR-TOPIC'`)
	c.Args = atMost(2, msg.New("cli.what_key_value"))
	c.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		switch {
		case len(args) == 0:
			return append(store.SettingKeys(), autostartKey), cobra.ShellCompDirectiveNoFileComp
		case len(args) == 1 && (args[0] == autostartKey || args[0] == "notifications"):
			return []string{"on", "off"}, cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c.RunE = func(_ *cobra.Command, args []string) error {
		switch len(args) {
		case 0:
			return listConfig(e)
		case 1:
			return showConfig(e, args[0])
		}
		return setConfig(e, args[0], args[1])
	}
	return c
}

func (e *env) prefs() (PrefsStore, error) {
	p, err := e.open()
	if err != nil {
		return nil, err
	}
	if p.Prefs == nil {
		return nil, msg.Errorf("cli.cannot_read_settings")
	}
	return p.Prefs, nil
}

func unknownKey(e *env, key string) error {
	return usage(msg.New("cli.not_a_setting", "Key", strconv.Quote(key), "Keys", strings.Join(append(store.SettingKeys(), autostartKey), e.tr(msg.New("cli.comma")))))
}

// autostartValue is "on" or "off", or why it cannot be known.
func (e *env) autostartValue() (string, error) {
	if e.Autostart == nil {
		return "", msg.Errorf("cli.no_autostart")
	}
	if e.Autostart.Enabled() {
		return "on", nil
	}
	return "off", nil
}

func listConfig(e *env) error {
	ps, err := e.prefs()
	if err != nil {
		return err
	}
	p, err := ps.Prefs()
	if err != nil {
		return err
	}
	rows := [][]string{{e.tr(msg.New("cli.col_key")), e.tr(msg.New("cli.col_value")), e.tr(msg.New("cli.col_default")), e.tr(msg.New("cli.col_allowed"))}}
	for _, s := range store.AllSettings() {
		allowed := s.Allowed
		if !s.Range.IsZero() {
			allowed = e.tr(s.Range)
		}
		rows = append(rows, []string{s.Key, s.Get(p), s.Default(), allowed})
	}
	v, aerr := e.autostartValue()
	if aerr != nil {
		v = "-"
	}
	rows = append(rows, []string{autostartKey, v, "off", e.tr(msg.New("store.allowed_on_off"))})
	if _, err := io.WriteString(e.Stdout, alignRows(rows)); err != nil {
		return err
	}
	for i, problem := range p.Problems {
		if i < len(p.Issues) {
			problem = e.tr(p.Issues[i])
		}
		fmt.Fprintf(e.Stderr, "tokentray: %s\n", sentence(problem))
	}
	return nil
}

func showConfig(e *env, key string) error {
	if key == autostartKey {
		v, err := e.autostartValue()
		if err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout, v)
		return nil
	}
	s, ok := store.LookupSetting(key)
	if !ok {
		return unknownKey(e, key)
	}
	ps, err := e.prefs()
	if err != nil {
		return err
	}
	p, err := ps.Prefs()
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, s.Get(p))
	return nil
}

func setConfig(e *env, key, value string) error {
	if key == autostartKey {
		return setAutostart(e, value)
	}
	s, ok := store.LookupSetting(key)
	if !ok {
		return unknownKey(e, key)
	}
	// Checked before anything is opened: a wrong value is a wrong
	// command line.
	check := store.DefaultPrefs()
	if err := s.Set(&check, value); err != nil {
		return usageOf(err)
	}
	ps, err := e.prefs()
	if err != nil {
		return err
	}
	p, err := ps.Prefs()
	if err != nil {
		return err
	}
	was := s.Get(p)
	if err := s.Set(&p, value); err != nil {
		return usageOf(err)
	}
	if key == "keychain" && s.Get(p) != was {
		if err := e.keychainSwitchable(was, s.Get(p)); err != nil {
			return err
		}
	}
	if err := ps.SetPrefs(p); err != nil {
		return err
	}
	if key == "language" && e.Language != nil {
		// Said in the language just chosen.
		e.lang = e.Language(e.sandbox)
	}
	fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.config_set", "Key", key, "Value", s.Get(p))))
	if key == "keychain" {
		if v := e.Getenv("TOKENTRAY_KEYCHAIN"); v != "" && !strings.EqualFold(v, s.Get(p)) {
			fmt.Fprintln(e.Stderr, "tokentray: "+e.tr(msg.New("cli.config_keychain_env", "Value", v)))
		}
	}
	return nil
}

// keychainSwitchable refuses to change the keychain under credentials
// whose secrets are in the other one: they would be left without them.
func (e *env) keychainSwitchable(from, to string) error {
	p, err := e.open()
	if err != nil {
		return err
	}
	if p.Keychain != nil {
		if r, ok := p.Keychain(); ok {
			if r.Kind == to {
				return nil // already in use (TOKENTRAY_KEYCHAIN chose it)
			}
			from = r.Kind
		}
	}
	svc := p.Service
	cs, err := svc.Credentials(e.ctx)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return nil
	}
	return msg.Errorf("cli.keychain_stays", "Count", len(cs), "From", from, "To", to)
}

func setAutostart(e *env, value string) error {
	var on bool
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "on":
		on = true
	case "off":
	default:
		return usage(msg.New("cli.autostart_bad", "Value", strconv.Quote(value)))
	}
	if e.Autostart == nil {
		return msg.Errorf("cli.no_autostart")
	}
	if e.sandbox {
		return usage(msg.New("cli.autostart_sandbox"))
	}
	if err := e.Autostart.Set(on); err != nil {
		return err
	}
	if on {
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.autostart_on")))
	} else {
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.autostart_off")))
	}
	return nil
}
