package cli

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

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
		return nil, errors.New("this build of tokentray cannot read its settings")
	}
	return p.Prefs, nil
}

func unknownKey(key string) error {
	return usagef("%q is not a setting; the settings are %s", key, strings.Join(append(store.SettingKeys(), autostartKey), ", "))
}

// autostartValue is "on" or "off", or why it cannot be known.
func (e *env) autostartValue() (string, error) {
	if e.Autostart == nil {
		return "", errors.New("this build of tokentray cannot start at login")
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
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tDEFAULT\tALLOWED")
	for _, s := range store.AllSettings() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Key, s.Get(p), s.Default(), s.Allowed)
	}
	v, aerr := e.autostartValue()
	if aerr != nil {
		v = "-"
	}
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", autostartKey, v, "off", "on or off")
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, problem := range p.Problems {
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
		return unknownKey(key)
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
		return unknownKey(key)
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
			fmt.Fprintf(e.Stderr, "tokentray: TOKENTRAY_KEYCHAIN=%s is set here and takes precedence over this setting.\n", v)
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
	return fmt.Errorf("this profile holds %d %s whose secrets are in the %s keychain, and tokentray does not move secrets between keychains, so the keychain stays %s; remove them, set keychain %s, and add them again", len(cs), plural(len(cs), "credential", "credentials"), from, from, to)
}

func setAutostart(e *env, value string) error {
	var on bool
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "on":
		on = true
	case "off":
	default:
		return usagef("autostart: %q is not on or off", value)
	}
	if e.Autostart == nil {
		return errors.New("this build of tokentray cannot start at login")
	}
	if e.sandbox {
		return usagef("autostart starts the agent of your real profile at login, not the sandbox's; run it without --sandbox")
	}
	if err := e.Autostart.Set(on); err != nil {
		return err
	}
	if on {
		fmt.Fprintln(e.Stdout, "autostart is now on: the agent starts when you log in.")
	} else {
		fmt.Fprintln(e.Stdout, "autostart is now off: the agent no longer starts when you log in.")
	}
	return nil
}
