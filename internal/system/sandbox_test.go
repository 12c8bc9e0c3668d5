package system_test

import (
	"testing"

	"tokentray/auth"
	"tokentray/auth/sandbox"
)

func TestDemoKeepsItsStateAcrossStarts(t *testing.T) {
	door, _, _ := fakeDoor(t, t.TempDir())
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
	first, err := p.StartDemo(false)
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

	again, err := p.StartDemo(false)
	if err != nil {
		t.Fatal(err)
	}
	if again.Seeded || again.FutuURL != first.FutuURL || again.WebullURL != first.WebullURL || demoKey() != key {
		t.Fatalf("restart: seeded %v, Futu %s Webull %s (were %s %s), demo key kept %v",
			again.Seeded, again.FutuURL, again.WebullURL, first.FutuURL, first.WebullURL, demoKey() == key)
	}
	again.Close()

	fresh, err := p.StartDemo(true)
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
