package system

import (
	"os"

	"github.com/jeandeaual/go-locale"

	"tokentray/auth/store"
	"tokentray/internal/msg"
)

// Language is the language every face speaks for the language setting
// (store.Prefs.Language): the setting when it names one, else
// FUTU_LANGUAGE, the locale variables and the desktop's language, in
// that order (msg.Choose). getenv nil reads the process environment.
func Language(setting string, getenv func(string) string) msg.Lang {
	if getenv == nil {
		getenv = os.Getenv
	}
	return msg.Choose(setting, getenv, desktopLocale)
}

// desktopLocale is the desktop's language as the operating system
// reports it ("" when it cannot say).
func desktopLocale() string {
	l, err := locale.GetLocale()
	if err != nil {
		return ""
	}
	return l
}

// Language is the language the faces of the normal or the sandbox
// profile speak: the profile's language setting, read from its settings
// file without opening the keychain, then the environment and the
// desktop (see Language).
func (d *Door) Language(sandbox bool) msg.Lang {
	setting := ""
	if p, err := d.Profile(sandbox); err == nil {
		if prefs, err := store.ReadPrefs(p.Dir); err == nil {
			setting = prefs.Language
		}
	}
	return Language(setting, d.opts.Getenv)
}
