package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type fixture struct {
	dir     string
	secrets *testutil.MemorySecrets
	st      *store.Store
	clock   *clockwork.FakeClock
	p       *testutil.FakeProvider
	eng     *engine.Engine
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), secrets: testutil.NewMemorySecrets(), clock: clockwork.NewFakeClockAt(t0)}
	var err error
	if f.st, err = store.Open(f.dir, f.secrets); err != nil {
		t.Fatal(err)
	}
	f.p = testutil.NewFakeProvider(auth.KindFutuKey, f.clock)
	f.eng = engine.New(f.st, map[auth.Kind]auth.Provider{auth.KindFutuKey: f.p}, f.clock)
	return f
}

// add stores a credential whose token expires at exp.
func (f *fixture) add(t *testing.T, name string, exp time.Time) auth.Credential {
	t.Helper()
	c, err := f.eng.Add(context.Background(), auth.Credential{Name: name, Kind: auth.KindFutuKey}, map[string]string{
		auth.FieldAccessToken: "test-token-old",
		auth.FieldAppSecret:   "test-app-secret-0001",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !exp.IsZero() {
		c.ExpiresAt = exp
		c.Health = f.p.Assess(c, f.clock.Now())
		c.LastChecked = f.clock.Now()
		if err := f.st.Update(c); err != nil {
			t.Fatal(err)
		}
	}
	return c
}
