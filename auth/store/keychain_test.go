package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/keychain"
	"tokentray/internal/testutil"
)

// TestWithTheRealKeychain runs Add, a crash and Remove against the
// session's Secret Service, as the agent does.
func TestWithTheRealKeychain(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("DBUS_SESSION_BUS_ADDRESS is unset: run under dbus-run-session with an unlocked gnome-keyring (make test does)")
	}
	kc := keychain.New("tokentray-test", 10*time.Second)
	dir := t.TempDir()
	s := openAt(t, dir, kc)
	var ids []string
	t.Cleanup(func() {
		for _, id := range ids {
			for _, f := range auth.SecretFields {
				_ = kc.Delete(id, f)
			}
		}
	})
	for _, k := range auth.Kinds {
		c := newCred("real-"+string(k), k)
		ids = append(ids, c.ID)
		if err := s.Add(c, map[string]string{auth.FieldAccessToken: fmt.Sprintf("test-%s-access-token", k)}); err != nil {
			t.Fatal(err)
		}
		if v, err := kc.Get(c.ID, auth.FieldAccessToken); err != nil || v != fmt.Sprintf("test-%s-access-token", k) {
			t.Fatalf("%s: keychain holds %q, %v", k, v, err)
		}
	}
	b, _ := os.ReadFile(s.Path())
	if strings.Contains(string(b), "access-token") {
		t.Fatal("a secret reached settings.json")
	}

	orphan := newCred("orphan", auth.KindFutuOAuth)
	ids = append(ids, orphan.ID)
	crashAt(t, &hookAfterAddSecrets, func() error {
		return s.Add(orphan, map[string]string{auth.FieldRefreshToken: "test-refresh-token-orphan"})
	})
	openAt(t, dir, kc)
	if _, err := kc.Get(orphan.ID, auth.FieldRefreshToken); !errors.Is(err, auth.ErrSecretNotFound) {
		t.Fatalf("the orphan survived Open: %v", err)
	}

	if err := s.Remove("real-webull"); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.Get(ids[2], auth.FieldAccessToken); !errors.Is(err, auth.ErrSecretNotFound) {
		t.Fatalf("Remove left the secret in the keychain: %v", err)
	}
	if _, err := kc.Get(ids[0], auth.FieldAccessToken); err != nil {
		t.Fatalf("Remove touched another credential's secret: %v", err)
	}
}

// batchSecrets counts the reads of a memory store that can also read
// several fields at once.
type batchSecrets struct {
	*testutil.MemorySecrets
	gets, batches int
	fail          bool
}

func (b *batchSecrets) Get(id, field string) (string, error) {
	b.gets++
	return b.MemorySecrets.Get(id, field)
}

func (b *batchSecrets) GetFields(id string, fields []string) (map[string]string, []string, error) {
	b.batches++
	if b.fail {
		return nil, nil, errors.New("test: the batch failed")
	}
	values := map[string]string{}
	var missing []string
	for _, f := range fields {
		if v, err := b.MemorySecrets.Get(id, f); err == nil {
			values[f] = v
		} else {
			missing = append(missing, f)
		}
	}
	return values, missing, nil
}

func TestBindFieldsReadsTheFieldsTogetherOnce(t *testing.T) {
	for _, fail := range []bool{false, true} {
		sec := &batchSecrets{MemorySecrets: testutil.NewMemorySecrets(), fail: fail}
		s := openAt(t, t.TempDir(), sec)
		_ = sec.Set("c1", auth.FieldAppKey, "test-app-key")
		_ = sec.Set("c1", auth.FieldAppSecret, "test-app-secret")
		b := s.BindFields("c1", auth.FieldAppKey, auth.FieldAppSecret, auth.FieldAccessToken)
		for range 2 {
			if v, err := b.Get(auth.FieldAppSecret); err != nil || v != "test-app-secret" {
				t.Fatalf("app secret: %q, %v", v, err)
			}
			if v, err := b.Get(auth.FieldAppKey); err != nil || v != "test-app-key" {
				t.Fatalf("app key: %q, %v", v, err)
			}
			if _, err := b.Get(auth.FieldAccessToken); !errors.Is(err, auth.ErrSecretNotFound) {
				t.Fatalf("access token: %v, want not found", err)
			}
		}
		switch {
		case !fail && (sec.batches != 1 || sec.gets != 0):
			t.Fatalf("%d batches and %d single reads, want one batch and nothing else", sec.batches, sec.gets)
		case fail && (sec.batches != 1 || sec.gets != 3):
			t.Fatalf("after a failed batch: %d batches and %d single reads, want 1 and one per field", sec.batches, sec.gets)
		}
	}
}
