package futu

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/testutil"
)

func TestReadSDKTokenFormats(t *testing.T) {
	dir := t.TempDir()
	want := time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)
	for _, exp := range []string{`1772449200`, `1772449200000`, `"2026-03-02T11:00:00Z"`, `"1772449200"`, `"1772449200000"`, `"+1772449200000"`, `" 1772449200000 "`} {
		body := `{"client_id":"client-0001","access_token":"test-access-0001","refresh_token":"test-refresh-0001","expires_at":` + exp + `}`
		if err := os.WriteFile(filepath.Join(dir, "client-0001"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		tok, err := ReadSDKToken(dir, "client-0001")
		if err != nil {
			t.Fatal(err)
		}
		if !tok.ExpiresAt.Equal(want) || tok.AccessToken != "test-access-0001" || tok.RefreshToken != "test-refresh-0001" {
			t.Errorf("expires_at %s: got %+v", exp, tok.ExpiresAt)
		}
	}
	if _, err := ReadSDKToken(dir, "client-0002"); err == nil || !strings.Contains(err.Error(), "client-0002") {
		t.Errorf("missing file: err = %v", err)
	}
	if _, err := ReadSDKToken(dir, "../client-0001"); err == nil {
		t.Error("a client ID with a path separator was accepted")
	}
	os.WriteFile(filepath.Join(dir, "client-0003"), []byte(`{"client_id":"client-0009","access_token":"test-access-0003"}`), 0o600)
	if _, err := ReadSDKToken(dir, "client-0003"); err == nil {
		t.Error("a file of another client was accepted")
	}
}

// Tokens the SDK saved (here: by a login shared with the SDK) are
// adopted by a new credential, which can then refresh them.
func TestImportSDKTokenThenRefresh(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	f.c.ShareWithSDK = true
	if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	mem := testutil.NewMemorySecrets()
	c := auth.Credential{ID: auth.NewID(), Name: "imported", Kind: auth.KindFutuOAuth, Endpoint: f.base, AddedAt: f.clock.Now()}
	s := auth.Bind(mem, c.ID)
	h, err := f.p.ImportSDKToken(&c, s, f.c.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if h.State != auth.OK || c.ClientID != f.c.ClientID || !c.ExpiresAt.Equal(f.c.ExpiresAt) {
		t.Errorf("health %v, client %q, expires %v", h, c.ClientID, c.ExpiresAt)
	}
	if v, _ := s.Get(auth.FieldRefreshToken); v != f.get(auth.FieldRefreshToken) {
		t.Error("refresh token not imported")
	}
	if _, err := f.p.Refresh(testutil.Context(t, 10*time.Second), &c, s, auth.RefreshOptions{Force: true}); err != nil {
		t.Fatalf("refresh with imported tokens: %v", err)
	}
}

// failAccess refuses to store an access token, like a keychain that
// fails half-way.
type failAccess struct{ auth.Secrets }

func (f failAccess) Set(field, v string) error {
	if field == auth.FieldAccessToken {
		return errors.New("the keychain refused the item: unlock it and try again")
	}
	return f.Secrets.Set(field, v)
}

func TestRotatedRefreshTokenIsStoredFirst(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{RotateRefresh: true})
	if _, err := f.login(t, testutil.Context(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	h, err := f.p.Refresh(testutil.Context(t, 10*time.Second), &f.c, failAccess{f.s}, auth.RefreshOptions{Force: true})
	if err == nil || h.State != auth.Unknown {
		t.Fatalf("health = %v, err = %v; want Unknown with the keychain error", h, err)
	}
	// Futu has retired the old refresh token; only the stored new one can work.
	if _, err := f.refresh(t, true); err != nil {
		t.Fatalf("refresh after the half-stored rotation: %v", err)
	}
}
