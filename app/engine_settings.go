package app

import (
	"context"
	"fmt"
	"strings"

	"tokentray/auth/store"
)

// Settings are the settings of store.Settings, the one table the command
// line's `tokentray config` shows too, and start at login.
func (b EngineBackend) Settings(context.Context) ([]Setting, error) {
	p, err := b.Eng.Store().Prefs()
	if err != nil {
		return nil, err
	}
	out := make([]Setting, len(store.Settings))
	for i, s := range store.Settings {
		out[i] = Setting{Key: s.Key, Title: s.Title, Value: s.Get(p), Default: s.Default(), Allowed: s.Allowed, Switch: s.Switch}
	}
	return append(out, Setting{
		Key: autostartKey, Title: "Start tokentray at login", Value: onOff(b.autostart().Enabled()),
		Default: "off", Allowed: "on or off", Switch: true,
	}), nil
}

// autostartKey is the start-at-login switch, an entry outside the
// settings file.
const autostartKey = "autostart"

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// SetSetting checks value as `tokentray config KEY VALUE` does and saves it.
func (b EngineBackend) SetSetting(_ context.Context, key, value string) error {
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
	p, err := b.Eng.Store().Prefs()
	if err != nil {
		return err
	}
	if err := s.Set(&p, value); err != nil {
		return err
	}
	return b.Eng.Store().SetPrefs(p)
}
