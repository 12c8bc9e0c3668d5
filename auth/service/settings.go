package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"tokentray/auth/store"
)

// autostartKey is the start-at-login switch: an entry the desktop keeps,
// outside the settings file, listed last as `tokentray config` does.
const autostartKey = "autostart"

// Settings lists store.Settings, the one table `tokentray config` reads
// too, and the start-at-login switch.
func (b Local) Settings(context.Context) ([]Setting, error) {
	p, err := b.prefs()
	if err != nil {
		return nil, err
	}
	out := make([]Setting, 0, len(store.Settings)+1)
	for _, s := range store.Settings {
		out = append(out, Setting{Key: s.Key, Title: s.Title, Value: s.Get(p), Default: s.Default(), Allowed: s.Allowed, Switch: s.Switch})
	}
	return append(out, Setting{
		Key: autostartKey, Title: "Start tokentray at login", Value: onOff(b.autostart().Enabled()),
		Default: "off", Allowed: "on or off", Switch: true,
	}), nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// SetSetting sets one setting through the table, which refuses a value
// out of range with the allowed values.
func (b Local) SetSetting(_ context.Context, key, value string) error {
	if key == autostartKey {
		switch strings.TrimSpace(value) {
		case "on":
			return b.autostart().Set(true)
		case "off":
			return b.autostart().Set(false)
		}
		return fmt.Errorf("start at login is on or off, not %q", value)
	}
	s, ok := store.LookupSetting(key)
	if !ok {
		return fmt.Errorf("%q is not a setting", key)
	}
	p, err := b.prefs()
	if err != nil {
		return err
	}
	if err := s.Set(&p, value); err != nil {
		return err
	}
	return b.Prefs.SetPrefs(p)
}

// prefs reads the profile's settings.
func (b Local) prefs() (store.Prefs, error) {
	if b.Prefs == nil {
		return store.Prefs{}, errors.New("the window cannot read the settings: it was not given them")
	}
	return b.Prefs.Prefs()
}
