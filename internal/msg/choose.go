package msg

import (
	"fmt"
	"strings"
)

// SettingAuto is the language setting that follows the environment.
const SettingAuto = "auto"

// ParseSetting reads the language setting: "auto" (or empty), "en",
// "zh-CN" or "zh-HK", in any case and with _ for -.
func ParseSetting(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" || strings.EqualFold(t, SettingAuto) {
		return SettingAuto, nil
	}
	for _, l := range Langs {
		if strings.EqualFold(strings.ReplaceAll(t, "_", "-"), string(l)) {
			return string(l), nil
		}
	}
	return "", Errorf("lang.setting_bad", "Value", s)
}

// Choose picks the language to speak: the setting when it names one;
// else FUTU_LANGUAGE (the broker's own variable), else the first of
// LC_ALL, LC_MESSAGES and LANG that is set, else the desktop's language
// (desktop may be nil), else English. A locale of "C" or "POSIX" in
// LC_ALL, LC_MESSAGES or LANG asks for untranslated output, so it wins
// over FUTU_LANGUAGE: scripts that parse English set LANG=C.
func Choose(setting string, getenv func(string) string, desktop func() string) Lang {
	if s, err := ParseSetting(setting); err == nil && s != SettingAuto {
		return Lang(s)
	}
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	posix := ""
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			posix = v
			break
		}
	}
	if isC(posix) {
		return English
	}
	if l, ok := FromLocale(getenv("FUTU_LANGUAGE")); ok {
		return l
	}
	if l, ok := FromLocale(posix); ok {
		return l
	}
	if posix != "" {
		return English
	}
	if desktop != nil {
		if l, ok := FromLocale(desktop()); ok {
			return l
		}
	}
	return English
}

func isC(locale string) bool {
	base, _, _ := strings.Cut(locale, ".")
	return base == "C" || base == "POSIX"
}

// FromLocale maps a locale name ("zh_CN.UTF-8", "zh-HK", "zh_TW",
// "zh-Hant", "en_US") to the language tokentray speaks for it; ok is
// false for an empty or unreadable name.
func FromLocale(locale string) (Lang, bool) {
	s := strings.TrimSpace(locale)
	if s == "" || isC(s) {
		return "", false
	}
	s, _, _ = strings.Cut(s, ".")
	s, _, _ = strings.Cut(s, "@")
	s = strings.ToLower(strings.ReplaceAll(s, "_", "-"))
	parts := strings.Split(s, "-")
	if parts[0] != "zh" {
		if len(parts[0]) < 2 {
			return "", false
		}
		return English, true
	}
	for _, p := range parts[1:] {
		switch p {
		case "hk", "tw", "mo", "hant":
			return HongKongChinese, true
		case "cn", "sg", "hans", "my":
			return SimplifiedChinese, true
		}
	}
	return SimplifiedChinese, true
}

// Name is the language's own name for itself ("简体中文").
func (l Lang) Name() string {
	switch l {
	case SimplifiedChinese:
		return "简体中文"
	case HongKongChinese:
		return "繁體中文（香港）"
	}
	return "English"
}

// String is the tag.
func (l Lang) String() string { return string(l) }

var _ fmt.Stringer = English
