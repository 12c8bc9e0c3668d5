package app

import (
	"embed"
	"os"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"tokentray/internal/msg"
)

// The window speaks through Fyne's lang package (lang.L, lang.N), which
// reads the same message files as the rest of tokentray (msg.Files: the
// window's sentences are the app area's messages), plus Fyne's own words
// in Chinese as tokentray writes them (fyneWords).
//
// Fyne ships its own words (the Yes and No of a confirmation, OK, the
// text fields' Cut, Copy and Paste) in Simplified Chinese only, as zh-Hans;
// fyneWords has them for zh-CN and zh-HK, so a dialog's buttons speak the
// language of the rest of the window.
//
//go:embed locales/*.json
var fyneWords embed.FS

var (
	langMu     sync.Mutex
	langLoaded bool
	langNow    msg.Lang
)

// UseLanguage makes Fyne's lang package, and so every window, speak l.
// Fyne chooses its language from the locale variables whenever
// translations are added: UseLanguage points them at l for that moment
// and puts them back, so programs the window starts (the browser of a
// login) keep the person's own locale.
func UseLanguage(l msg.Lang) error {
	if l == "" {
		l = msg.English
	}
	langMu.Lock()
	defer langMu.Unlock()
	if langLoaded && langNow == l {
		return nil
	}
	restore := pointLocaleAt(l)
	defer restore()
	var err error
	if !langLoaded {
		err = lang.AddTranslationsFS(msg.Files, msg.FilesDir)
		if e := lang.AddTranslationsFS(fyneWords, "locales"); err == nil {
			err = e
		}
		langLoaded = true
	} else {
		// Adding nothing makes Fyne choose its language again.
		err = lang.AddTranslationsForLocale([]byte("{}"), fyne.Locale(l))
	}
	langNow = l
	return err
}

// speaking is the language Fyne's lang package speaks now.
func speaking() msg.Lang {
	langMu.Lock()
	defer langMu.Unlock()
	if langNow == "" {
		return msg.English
	}
	return langNow
}

// pointLocaleAt sets the locale variables Fyne reads to l and returns
// what puts them back.
func pointLocaleAt(l msg.Lang) (restore func()) {
	posix := map[msg.Lang]string{msg.English: "en_US.UTF-8", msg.SimplifiedChinese: "zh_CN.UTF-8", msg.HongKongChinese: "zh_HK.UTF-8"}[l]
	keys := []string{"LANGUAGE", "LC_ALL"}
	old := map[string]*string{}
	for _, k := range keys {
		if v, ok := os.LookupEnv(k); ok {
			old[k] = &v
		} else {
			old[k] = nil
		}
	}
	_ = os.Setenv("LANGUAGE", posix)
	_ = os.Setenv("LC_ALL", posix)
	return func() {
		for _, k := range keys {
			if v := old[k]; v != nil {
				_ = os.Setenv(k, *v)
			} else {
				_ = os.Unsetenv(k)
			}
		}
	}
}

// kv is a message's parameters from name, value pairs, for lang.L:
// lang.L("app.checking", kv("Name", name)).
func kv(pairs ...any) map[string]any {
	m := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		if k, ok := pairs[i].(string); ok {
			m[k] = pairs[i+1]
		}
	}
	return m
}
