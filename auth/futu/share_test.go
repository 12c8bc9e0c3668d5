package futu_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/futu"
	"tokentray/internal/testutil"
)

// TestOAuthSharedFileHoldsNoRefreshToken: what a Futu OAuth login hands to
// share targets is the SDK token file with the access token and its
// expiry, and never the refresh token, so no bot elsewhere can rotate
// the login away.
func TestOAuthSharedFileHoldsNoRefreshToken(t *testing.T) {
	s := auth.Bind(testutil.NewMemorySecrets(), "c1")
	_ = s.Set(auth.FieldAccessToken, "test-access-token-0001")
	_ = s.Set(auth.FieldRefreshToken, "test-refresh-token-0001")
	exp := time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)
	c := auth.Credential{ID: "c1", Name: "futu-login", Kind: auth.KindFutuOAuth, ClientID: "client-0001", ExpiresAt: exp}
	f, err := futu.NewOAuthProvider(futu.Options{}).SharedFile(c, s)
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "client-0001" || strings.Contains(string(f.Content), "test-refresh-token-0001") {
		t.Fatalf("shared file %s: %s", f.Name, f.Content)
	}
	var j map[string]any
	if err := json.Unmarshal(f.Content, &j); err != nil {
		t.Fatal(err)
	}
	if j["access_token"] != "test-access-token-0001" || j["expires_at"] != float64(exp.Unix()) || j["refresh_token"] != "" {
		t.Fatalf("shared file %v", j)
	}
}

// TestKeySharedFileIsAnEnvFileABotSources: a Futu API key is handed out
// whole, as export lines with the expiry in a comment.
func TestKeySharedFileIsAnEnvFileABotSources(t *testing.T) {
	s := auth.Bind(testutil.NewMemorySecrets(), "k1")
	_ = s.Set(auth.FieldAppKey, "test-app-key-0001")
	_ = s.Set(auth.FieldAppSecret, "test-app-secret-'0001")
	_ = s.Set(auth.FieldAccessToken, "test-access-token-0001")
	c := auth.Credential{ID: "k1", Name: "futu-key1", Kind: auth.KindFutuKey, ExpiresAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	f, err := futu.NewKeyProvider(futu.Options{}).SharedFile(c, s)
	if err != nil {
		t.Fatal(err)
	}
	want := "# The Futu API key futu-key1, kept current by tokentray: source this file before a bot starts.\n" +
		"# Its access token expires at 2027-01-01T00:00:00Z.\n" +
		"export FUTU_ACCESS_TOKEN='test-access-token-0001'\n" +
		"export FUTU_APP_KEY='test-app-key-0001'\n" +
		"export FUTU_APP_SECRET='test-app-secret-'\\''0001'\n"
	if f.Name != "futu-key1.env" || string(f.Content) != want || !f.ReadOnce {
		t.Fatalf("shared file %s:\n%s\nwant:\n%s", f.Name, f.Content, want)
	}
}
