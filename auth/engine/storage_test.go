package engine_test

import (
	"errors"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

func TestRemoveRevokesBestEffortThenDeletesEverything(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "main", t0.Add(time.Hour))
	f.p.RevokeErr = errors.New("futu revoke: connection refused")
	revokeErr, err := f.eng.Remove(testutil.Context(t, 20*time.Second), "main")
	if err != nil {
		t.Fatal(err)
	}
	if revokeErr == nil || f.p.Revoked() != 1 {
		t.Fatalf("revoke called %d times, reported %v; want one failed attempt reported", f.p.Revoked(), revokeErr)
	}
	if _, err := f.st.Get("main"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("credential still stored: %v", err)
	}
	if _, err := f.secrets.Get(c.ID, auth.FieldAccessToken); !errors.Is(err, auth.ErrSecretNotFound) {
		t.Fatalf("secret still in the keychain: %v", err)
	}
}

func TestAddRefusesDuplicatesAndUnknownKinds(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", time.Time{})
	if _, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "main", Kind: auth.KindFutuKey}, nil); err == nil {
		t.Fatal("a second credential called main was added")
	}
	if _, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "other", Kind: auth.KindWebull}, nil); err == nil {
		t.Fatal("a credential of a kind without provider was added")
	}
	if _, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "bad name", Kind: auth.KindFutuKey}, nil); err == nil {
		t.Fatal("a credential with a space in its name was added")
	}
}
