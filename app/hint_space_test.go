package app

import (
	"regexp"
	"testing"

	"fyne.io/fyne/v2/lang"

	"tokentray/internal/msg"
)

// A setting's default said in Chinese ("自動（跟隨系統）") is not set
// apart from the Chinese before it by a space, as a Latin value ("5m")
// would be.
func TestASettingsChineseDefaultReadsAsChinese(t *testing.T) {
	cjkSpace := regexp.MustCompile(`\p{Han} +[\p{Han}（]`)
	for _, l := range []msg.Lang{msg.SimplifiedChinese, msg.HongKongChinese} {
		if err := UseLanguage(l); err != nil {
			t.Fatal(err)
		}
		for _, hint := range []string{
			lang.L("app.setting_default", kv("Default", settingValue(languageKey, "auto"))),
			lang.L("app.setting_hint", kv("Allowed", "on, off", "Default", settingValue("notifications", "on"))),
		} {
			if cjkSpace.MatchString(hint) {
				t.Errorf("%s: %q has a space between Chinese words", l, hint)
			}
		}
	}
	_ = UseLanguage(msg.English)
}
