package system_test

import (
	"testing"

	"tokentray/auth"
	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/system"
	"tokentray/internal/testutil"
)

// A profile's language setting is read from its settings file, without
// opening the keychain; each profile has its own, and auto follows the
// environment.
func TestDoorLanguageReadsTheProfilesSetting(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir, testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	p := store.DefaultPrefs()
	p.Language = "zh-HK"
	if err := st.SetPrefs(p); err != nil {
		t.Fatal(err)
	}
	door := system.NewDoor(system.Options{
		Getenv:  env(map[string]string{"TOKENTRAY_CONFIG_DIR": dir, "LANG": "zh_CN.UTF-8"}),
		Secrets: func(system.Profile) auth.SecretStore { t.Error("the language opened the keychain"); return nil },
	})
	if got := door.Language(false); got != msg.HongKongChinese {
		t.Errorf("the profile's setting zh-HK: %s", got)
	}
	if got := door.Language(true); got != msg.SimplifiedChinese {
		t.Errorf("the sandbox profile (auto) under LANG=zh_CN: %s", got)
	}
}
