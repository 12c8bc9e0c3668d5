package engine_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// indexingSecrets is a keychain that counts how often it is told that
// most credentials' secrets are about to be read (keychain.Keyring.Index).
type indexingSecrets struct {
	*testutil.MemorySecrets
	indexed atomic.Int64
}

func (s *indexingSecrets) Index() { s.indexed.Add(1) }

// TestARefreshOfManyCredentialsLooksUpTheirSecretsAtOnce: refreshing
// every credential readies the keychain once for reading them all; one
// credential's refresh does not (a search per field costs less there).
func TestARefreshOfManyCredentialsLooksUpTheirSecretsAtOnce(t *testing.T) {
	secrets := &indexingSecrets{MemorySecrets: testutil.NewMemorySecrets()}
	st, err := store.Open(t.TempDir(), secrets)
	if err != nil {
		t.Fatal(err)
	}
	p := testutil.NewFakeProvider(auth.KindFutuKey, nil)
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: p}, nil)
	p.Clock = eng.Clock()
	for i := range 10 {
		if _, err := eng.AddWith(context.Background(), auth.Credential{Name: fmt.Sprintf("key%02d", i), Kind: auth.KindFutuKey},
			map[string]string{auth.FieldAppSecret: "test-app-secret-0001", auth.FieldAccessToken: "test-token-old"}, engine.CheckOptions{NoCheck: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := eng.RefreshAll(testutil.Context(t, 20*time.Second), false); err != nil {
		t.Fatal(err)
	}
	if got := secrets.indexed.Load(); got != 1 {
		t.Errorf("a refresh of every credential readied the keychain %d times, want once", got)
	}
	secrets.indexed.Store(0)
	if _, err := eng.Refresh(testutil.Context(t, 20*time.Second), "key03", true); err != nil {
		t.Fatal(err)
	}
	if got := secrets.indexed.Load(); got != 0 {
		t.Errorf("a refresh of one credential of ten readied the keychain for all (%d)", got)
	}
}
