package webull

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

func TestRevokeForgetsTheSharedTokenFileOnlyWhenItIsOurs(t *testing.T) {
	p := NewProvider(Options{})
	secrets := testutil.NewMemorySecrets()
	s := auth.Bind(secrets, "cred-1")
	if err := s.Set(auth.FieldWebullToken, "0123456789abcdef0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := auth.Credential{ID: "cred-1", Name: "wb", Kind: auth.KindWebull, ShareWithSDK: true, SDKTokenDir: dir}
	file := filepath.Join(dir, TokenFileName)

	// A bot's own token in the folder is left alone.
	if err := WriteTokenFile(dir, TokenInfo{Token: "fedcba9876543210fedcba9876543210", Status: StatusNormal}); err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(context.Background(), c, s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("someone else's token file was removed: %v", err)
	}

	// Ours goes, so bots stop using a token the user logged out of.
	if err := WriteTokenFile(dir, TokenInfo{Token: "0123456789abcdef0123456789abcdef", Status: StatusNormal}); err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(context.Background(), c, s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the shared token file is still there after logout: %v", err)
	}
}
