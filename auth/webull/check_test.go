package webull

import (
	"errors"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// addThroughEngine adds e's app under name with the given secret through
// an engine over a fresh store, and returns the store.
func addThroughEngine(t *testing.T, e *env, name, secret string) (*store.Store, auth.Credential, error) {
	t.Helper()
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.NewWithOptions(engine.Options{Store: st, Providers: map[auth.Kind]auth.Provider{auth.KindWebull: e.p}, Clock: e.clock})
	c, err := eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: name, Kind: auth.KindWebull, Endpoint: e.srv.URL, Region: "hk"},
		map[string]string{auth.FieldAppKey: e.appKey, auth.FieldAppSecret: secret})
	return st, c, err
}

func TestHongKongAppIsCheckedAtAddWithoutCreatingAToken(t *testing.T) {
	e := newEnv(t, false)
	_, c, err := addThroughEngine(t, e, "wb-hk", e.appSecr)
	if err != nil {
		t.Fatalf("add of a right hk app: %v", err)
	}
	// hk asks /openapi/config as every region does (Webull's SDKs since 2026-06).
	if e.sim.Count(createPath) != 0 || e.sim.Count(ConfigPath) != 1 {
		t.Errorf("the add made %d creations (SMS) and %d config calls; want one config call and no token",
			e.sim.Count(createPath), e.sim.Count(ConfigPath))
	}
	if c.Health.Next != auth.Next(auth.ActionVerify, "wb-hk") || !c.Health.Why.Is("webull.no_token") {
		t.Errorf("added with %v (next %v), want a verification next", c.Health, c.Health.Next)
	}

	st, _, err := addThroughEngine(t, e, "wb-hk-bad", "test-app-secret-wrong")
	var ue *auth.UserError
	if field, _ := auth.FieldOf(err); !errors.As(err, &ue) || field != auth.FieldAppSecret {
		t.Fatalf("add of an hk app with a wrong secret: %v (field %q), want the app secret refused", err, field)
	}
	if cs, _ := st.List(); len(cs) != 0 {
		t.Errorf("a refused add stored %d credentials", len(cs))
	}
	if e.sim.Count(createPath) != 0 {
		t.Error("a check at add created a token")
	}
}
