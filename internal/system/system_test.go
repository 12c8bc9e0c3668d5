package system_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/internal/system"
	"tokentray/internal/testutil"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestProfiles(t *testing.T) {
	p, err := system.ProfileFor(true, env(map[string]string{"TOKENTRAY_CONFIG_DIR": "/tmp/x"}))
	if err != nil || p.Dir != filepath.Join("/tmp/x", "sandbox") || p.Service != "tokentray-sandbox" {
		t.Fatalf("sandbox with TOKENTRAY_CONFIG_DIR: %+v %v", p, err)
	}
	n, err1 := system.ProfileFor(false, env(nil))
	s, err2 := system.ProfileFor(true, env(nil))
	if err1 != nil || err2 != nil {
		t.Skip("no user config dir here")
	}
	if s.Dir != n.Dir+"-sandbox" || n.Service != "tokentray" {
		t.Fatalf("profiles %+v and %+v", n, s)
	}
}

// fakeDoor opens profiles in dir over in-memory secrets and one fake
// Futu key provider.
func fakeDoor(t *testing.T, dir string) (*system.Door, *testutil.FakeProvider, *clockwork.FakeClock) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	prov := testutil.NewFakeProvider(auth.KindFutuKey, clock)
	secrets := testutil.NewMemorySecrets()
	door := system.NewDoor(system.Options{
		Getenv:  env(map[string]string{"TOKENTRAY_CONFIG_DIR": dir}),
		Clock:   clock,
		Secrets: func(system.Profile) auth.SecretStore { return secrets },
		Providers: func(system.Profile, clockwork.Clock) map[auth.Kind]auth.Provider {
			return map[auth.Kind]auth.Provider{auth.KindFutuKey: prov}
		},
	})
	return door, prov, clock
}

func TestDoorBuildsEachProfileOnce(t *testing.T) {
	dir := t.TempDir()
	door, _, clock := fakeDoor(t, dir)
	a, err := door.Open(false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := door.Open(false)
	if err != nil {
		t.Fatal(err)
	}
	if a != b || a.Engine != b.Engine || a.Store != b.Store {
		t.Fatal("a second Open built the parts again")
	}
	s, err := door.Open(true)
	if err != nil {
		t.Fatal(err)
	}
	if s == a || s.Profile.Dir != filepath.Join(dir, "sandbox") || a.Profile.Dir != dir {
		t.Fatalf("profiles: normal %q, sandbox %q", a.Profile.Dir, s.Profile.Dir)
	}
	if a.Clock != clock || a.Engine.Clock() != clock || door.Clock() != clock {
		t.Fatal("the parts do not share the door's clock")
	}
	// Secrets that are not the OS keychain have nothing to check.
	if err := a.CheckKeychain(); err != nil {
		t.Fatalf("CheckKeychain over fake secrets: %v", err)
	}
	if svc := a.KeychainService(); svc != "" {
		t.Fatalf("fake secrets named as the keychain service %q", svc)
	}
	if got := a.SettingsFile(); filepath.Dir(got) != dir {
		t.Fatalf("the settings file %q is not in the profile's folder %q", got, dir)
	}
}

func TestOSKeychainIsNamedByItsService(t *testing.T) {
	// Opening talks to no keychain: only a check or a secret would.
	door := system.NewDoor(system.Options{Getenv: env(map[string]string{"TOKENTRAY_CONFIG_DIR": t.TempDir()})})
	p, err := door.Open(true)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.KeychainService(); got != system.SandboxService {
		t.Fatalf("the OS keychain's service is %q, want %q", got, system.SandboxService)
	}
}

func TestEngineChangesReachChanged(t *testing.T) {
	door, _, _ := fakeDoor(t, t.TempDir())
	p, err := door.Open(false)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Changed():
		t.Fatal("Changed fired before anything was saved")
	default:
	}
	c := auth.Credential{Name: "futu-key", Kind: auth.KindFutuKey}
	if _, err := p.Engine.Add(context.Background(), c, map[string]string{auth.FieldAppKey: "fake-key", auth.FieldAppSecret: "fake-secret"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Changed():
	default:
		t.Fatal("adding a credential did not signal Changed")
	}
}
