package service

import (
	"context"
	"strings"
	"testing"

	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

type fakeAutostart struct{ on bool }

func (f *fakeAutostart) Enabled() bool     { return f.on }
func (f *fakeAutostart) Set(on bool) error { f.on = on; return nil }

// fakePrefs keeps settings in memory, as the profile's settings file
// would.
type fakePrefs struct{ p store.Prefs }

func (f *fakePrefs) Prefs() (store.Prefs, error) { return f.p, nil }
func (f *fakePrefs) SetPrefs(p store.Prefs) error {
	if err := p.Validate(); err != nil {
		return err
	}
	f.p = p
	return nil
}

func TestEngineSettingsRoundTrip(t *testing.T) {
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	auto := &fakeAutostart{}
	prefs := &fakePrefs{p: store.DefaultPrefs()}
	b := Local{Eng: engine.New(st, nil, nil), Autostart: auto, Prefs: prefs,
		Dir: "/home/u/.config/tokentray", SettingsFile: "/home/u/.config/tokentray/settings.json", KeychainService: "tokentray-test"}
	ctx := context.Background()
	ss, err := b.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]Setting{}
	for _, s := range ss {
		keys[s.Key] = s
	}
	for _, k := range []string{"lead-time", "check-every", "warn-days", "extend-days", "clipboard-clear", "notifications", "autostart"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("the window has no %s setting", k)
		}
	}
	if err := b.SetSetting(ctx, "lead-time", "2s"); err == nil || !strings.Contains(err.Error(), "range") {
		t.Errorf("a 2 s lead time: %v", err)
	}
	if err := b.SetSetting(ctx, "lead-time", "10m"); err != nil {
		t.Fatal(err)
	}
	if p := prefs.p; p.LeadTime.String() != "10m0s" {
		t.Errorf("lead time saved as %v", p.LeadTime)
	}
	if p, _ := st.Prefs(); p.LeadTime.String() == "10m0s" {
		t.Errorf("the setting went to the engine's store, not to the settings the window was given")
	}
	if err := b.SetSetting(ctx, "autostart", "on"); err != nil || !auto.on {
		t.Errorf("autostart on: %v, %v", err, auto.on)
	}
	w := b.Where()
	if w.Dir != b.Dir || w.Settings != b.SettingsFile || !strings.Contains(w.Keychain, `service "tokentray-test"`) {
		t.Errorf("where = %+v", w)
	}
	b.KeychainService = ""
	if w := b.Where(); strings.Contains(w.Keychain, "service") || w.Keychain == "" {
		t.Errorf("secrets outside the OS keychain: where = %+v", w)
	}
}

func TestEngineSettingsWithoutPrefsSaySo(t *testing.T) {
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	b := Local{Eng: engine.New(st, nil, nil), Autostart: &fakeAutostart{}}
	if _, err := b.Settings(context.Background()); err == nil {
		t.Error("settings without a settings reader: no error")
	}
	if err := b.Watch(context.Background(), func() {}); err == nil {
		t.Error("watching without a settings file: no error")
	}
}
