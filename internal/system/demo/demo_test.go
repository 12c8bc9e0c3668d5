package demo_test

import (
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/sandbox"
	"tokentray/internal/system"
	"tokentray/internal/system/demo"
	"tokentray/internal/testutil"
)

// fakeDoor opens profiles in dir with secrets in memory and a fake
// broker for every kind but the demo's own.
func fakeDoor(t *testing.T, dir string) *system.Door {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	prov := testutil.NewFakeProvider(auth.KindFutuKey, clock)
	secrets := testutil.NewMemorySecrets()
	return system.NewDoor(system.Options{
		Getenv:  func(k string) string { return map[string]string{"TOKENTRAY_CONFIG_DIR": dir}[k] },
		Clock:   clock,
		Secrets: func(system.Profile) auth.SecretStore { return secrets },
		Providers: func(system.Profile, clockwork.Clock) map[auth.Kind]auth.Provider {
			return map[auth.Kind]auth.Provider{auth.KindFutuKey: prov}
		},
	})
}

func TestDemoKeepsItsStateAcrossStarts(t *testing.T) {
	door := fakeDoor(t, t.TempDir())
	p, err := door.Open(true)
	if err != nil {
		t.Fatal(err)
	}
	demoKey := func() string {
		t.Helper()
		c, err := p.Store.Get(sandbox.DemoFutuKey)
		if err != nil {
			t.Fatal(err)
		}
		v, err := auth.Bind(p.Store.Secrets(), c.ID).Get(auth.FieldAppKey)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first, err := demo.Start(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Seeded {
		t.Fatal("the first start added no demo credentials")
	}
	key := demoKey()
	mine := auth.Credential{ID: auth.NewID(), Name: "mine", Kind: auth.KindFutuKey, Endpoint: first.FutuURL}
	if err := p.Store.Add(mine, map[string]string{auth.FieldAppKey: "k", auth.FieldAppSecret: "s", auth.FieldAccessToken: "t"}); err != nil {
		t.Fatal(err)
	}
	first.Close()

	again, err := demo.Start(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if again.Seeded || again.FutuURL != first.FutuURL || again.WebullURL != first.WebullURL || demoKey() != key {
		t.Fatalf("restart: seeded %v, Futu %s Webull %s (were %s %s), demo key kept %v",
			again.Seeded, again.FutuURL, again.WebullURL, first.FutuURL, first.WebullURL, demoKey() == key)
	}
	again.Close()

	fresh, err := demo.Start(p, true)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if !fresh.Seeded || demoKey() == key {
		t.Fatalf("fresh start: seeded %v, demo key replaced %v", fresh.Seeded, demoKey() != key)
	}
	if _, err := p.Store.Get("mine"); err != nil {
		t.Errorf("the user's own credential is gone: %v", err)
	}
}

func TestDemoIsStartedOnceAndShared(t *testing.T) {
	dir := t.TempDir()
	door := fakeDoor(t, dir)
	normal, err := door.Open(false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Start(normal, false); err == nil {
		t.Fatal("the normal profile got simulated brokers")
	}
	sb, err := door.Open(true)
	if err != nil {
		t.Fatal(err)
	}
	first, err := demo.Start(sb, false)
	if err != nil {
		t.Fatal(err)
	}
	if first.Shared || first.PhoneURL != first.WebullURL+"/sandbox/phone" {
		t.Fatalf("first demo: %+v", first)
	}
	if cs, err := sb.Engine.List(); err != nil || len(cs) == 0 {
		t.Fatalf("no demo credentials seeded: %v %v", cs, err)
	}
	// Another process of the same profile uses the brokers running.
	other := fakeDoor(t, dir)
	if got := other.RunningPhone(); got != first.PhoneURL {
		t.Fatalf("RunningPhone %q, want %q", got, first.PhoneURL)
	}
	op, err := other.Open(true)
	if err != nil {
		t.Fatal(err)
	}
	shared, err := demo.Start(op, false)
	if err != nil {
		t.Fatal(err)
	}
	if !shared.Shared || shared.WebullURL != first.WebullURL || shared.FutuURL != first.FutuURL {
		t.Fatalf("second demo %+v, want the first one's brokers", shared)
	}
	shared.Close() // leaves the first one's brokers running
	if other.RunningPhone() != first.PhoneURL {
		t.Fatal("closing a shared demo stopped the brokers")
	}
	first.Close()
	if got := other.RunningPhone(); got != "" {
		t.Fatalf("RunningPhone %q after the brokers stopped", got)
	}
}
