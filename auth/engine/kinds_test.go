package engine_test

import (
	"context"
	"testing"

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
