package app

import (
	"context"
	"strings"
	"testing"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
)

type fakeAutostart struct{ on bool }

func (f *fakeAutostart) Enabled() bool     { return f.on }
func (f *fakeAutostart) Set(on bool) error { f.on = on; return nil }

func TestEngineSettingsRoundTrip(t *testing.T) {
	st, err := store.Open(t.TempDir(), auth.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	auto := &fakeAutostart{}
	b := EngineBackend{Eng: engine.New(st, nil, nil), Autostart: auto}
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
	if p, _ := st.Prefs(); p.LeadTime.String() != "10m0s" {
		t.Errorf("lead time saved as %v", p.LeadTime)
	}
	if err := b.SetSetting(ctx, "autostart", "on"); err != nil || !auto.on {
		t.Errorf("autostart on: %v, %v", err, auto.on)
	}
	if w := b.Where(); w.Settings != st.Path() || w.Keychain == "" {
		t.Errorf("where = %+v", w)
	}
}
