package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/system"
	"tokentray/internal/testutil"
)

// The kinds describe themselves through the registry the wiring fills.
func init() { system.RegisterKinds() }

// Every face offers the next action the engine gives: for each kind and
// state, a health that names no next action gets the same one from the
// engine (which status, notifications and the command line show) as
// from auth.NextKind (which the tray's menu and the window's buttons
// use), both from the kind's own description. (A Futu API key that
// needs action was "Extend" in the window and "Update" everywhere else.)
func TestTheFacesOfferTheNextActionTheEngineGives(t *testing.T) {
	for _, k := range auth.Kinds {
		if _, ok := auth.Describe(k); !ok {
			t.Fatalf("%s has no description", k)
		}
		for _, s := range auth.States {
			clock := clockwork.NewFakeClockAt(t0)
			st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
			if err != nil {
				t.Fatal(err)
			}
			p := testutil.NewFakeProvider(k, clock)
			eng := engine.New(st, map[auth.Kind]auth.Provider{k: p}, clock)
			if _, err := eng.AddWith(context.Background(), auth.Credential{Name: "c", Kind: k}, nil, engine.CheckOptions{NoCheck: true}); err != nil {
				t.Fatal(err)
			}
			p.Fail = func(*auth.Credential) (auth.Health, error) {
				return auth.Health{State: s, Reason: "the broker said so"}, nil
			}
			h, _ := eng.Refresh(context.Background(), "c", true)
			if h.State != s {
				t.Fatalf("%s %s: the engine returned %s", k, s, h.State)
			}
			if face := auth.NextKind(k, auth.Health{State: s}); face != h.Next.Kind {
				t.Errorf("%s %s: the faces offer %q, the engine names %q", k, s, face, h.Next.Kind)
			}
		}
	}
}

// Sharing with the broker's SDK follows the kind's description: a Futu
// API key has no SDK file and is refused with nothing changed; a Futu
// OAuth login's file is written only at a renewal, so turning sharing on
// renews at once; turning it off keeps the token.
func TestShareSDKFollowsTheKindsDescription(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.add(t, "key", t0.Add(90*time.Minute))
	if _, err := f.eng.ShareSDK(ctx, "key", time.Second, engine.SDKShare{}); err == nil {
		t.Error("a Futu API key was shared with an SDK")
	}
	if c, _ := f.st.Get("key"); c.ShareWithSDK {
		t.Error("a refused share was stored")
	}

	p := testutil.NewFakeProvider(auth.KindFutuOAuth, f.clock)
	eng := engine.New(f.st, map[auth.Kind]auth.Provider{auth.KindFutuOAuth: p}, f.clock)
	if _, err := eng.AddWith(ctx, auth.Credential{Name: "login", Kind: auth.KindFutuOAuth, ExpiresAt: t0.Add(90 * time.Minute)},
		map[string]string{auth.FieldAccessToken: "test-token-old"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	on, err := eng.ShareSDK(ctx, "login", time.Second, engine.SDKShare{AccessOnly: true})
	if err != nil || !on.Written || on.Before.ShareWithSDK || !on.After.ShareWithSDK || !on.After.ShareAccessOnly {
		t.Fatalf("share on: %+v, %v", on, err)
	}
	if p.Refreshes() != 1 || on.After.RefreshedAt.IsZero() {
		t.Errorf("sharing on renewed %d times (refreshed at %v), want once now", p.Refreshes(), on.After.RefreshedAt)
	}
	off, err := eng.ShareSDK(ctx, "login", time.Second, engine.SDKShare{Off: true})
	if err != nil || off.After.ShareWithSDK || !off.Before.ShareWithSDK || p.Refreshes() != 1 {
		t.Errorf("share off: %+v, %v, %d renewals", off, err, p.Refreshes())
	}
}
