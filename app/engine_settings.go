package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tokentray/auth/store"
)

// prefField maps one setting of store.Prefs to its text form.
type prefField struct {
	key, title, allowed string
	get                 func(store.Prefs) string
	set                 func(*store.Prefs, string) error
}

var prefFields = []prefField{
	{"lead-time", "Renew tokens this long before they expire", "1m to 168h",
		func(p store.Prefs) string { return p.LeadTime.String() },
		func(p *store.Prefs, v string) (err error) { p.LeadTime, err = parseDuration(v); return }},
	{"check-every", "Check every credential with its broker every", "1m to 24h",
		func(p store.Prefs) string { return p.CheckEvery.String() },
		func(p *store.Prefs, v string) (err error) { p.CheckEvery, err = parseDuration(v); return }},
	{"warn-days", "Warn this many days before a Futu API key expires", "whole days from 1 to 365, comma separated; empty for never",
		func(p store.Prefs) string { return joinDays(p.WarnDays) },
		func(p *store.Prefs, v string) (err error) { p.WarnDays, err = parseDays(v); return }},
	{"extend-days", "Extend a Futu API key by this many days", "1 to 1095",
		func(p store.Prefs) string { return strconv.Itoa(p.ExtendDays) },
		func(p *store.Prefs, v string) (err error) {
			p.ExtendDays, err = strconv.Atoi(strings.TrimSpace(v))
			return
		}},
}

func parseDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write it like 5m, 2h or 1h30m", v)
	}
	return d, nil
}

func joinDays(days []int) string {
	s := make([]string, len(days))
	for i, d := range days {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, ",")
}

func parseDays(v string) ([]int, error) {
	out := []int{}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		d, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number of days: write whole days like 14,7,1", f)
		}
		out = append(out, d)
	}
	return out, nil
}

func (b EngineBackend) Settings(context.Context) ([]Setting, error) {
	p, err := b.Eng.Store().Prefs()
	if err != nil {
		return nil, err
	}
	d := store.DefaultPrefs()
	out := make([]Setting, len(prefFields))
	for i, f := range prefFields {
		out[i] = Setting{Key: f.key, Title: f.title, Value: f.get(p), Default: f.get(d), Allowed: f.allowed}
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
	for _, f := range prefFields {
		if f.key != key {
			continue
		}
		p, err := b.Eng.Store().Prefs()
		if err != nil {
			return err
		}
		if err := f.set(&p, value); err != nil {
			return err
		}
		return b.Eng.Store().SetPrefs(p)
	}
	return fmt.Errorf("%q is not a setting", key)
}
