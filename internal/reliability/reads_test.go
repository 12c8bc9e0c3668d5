package reliability

import (
	"context"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox"
	"tokentray/auth/store"
	"tokentray/auth/webull"
	"tokentray/internal/testutil"
)

// A check with the broker reads each secret of the credential from the
// keychain once, and `token` reads only the token.
func TestEachSecretIsReadOncePerCheck(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	sec := testutil.NewCountingSecrets(testutil.NewMemorySecrets())
	st, err := store.Open(t.TempDir(), sec)
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{
		auth.KindFutuKey: futu.NewKeyProvider(futu.Options{}),
		auth.KindWebull:  webull.NewProvider(webull.Options{SDKTokenBase: t.TempDir()}),
	}, nil)
	ctx := testutil.Context(t, 30*time.Second)
	exp := time.Now().Add(90 * 24 * time.Hour)
	k, s, tok := sb.Futu.AddAPIKey(exp)
	if _, err := eng.Add(ctx, auth.Credential{Name: "key", Kind: auth.KindFutuKey, Endpoint: sb.FutuURL, ExpiresAt: exp},
		map[string]string{auth.FieldAppKey: k, auth.FieldAppSecret: s, auth.FieldAccessToken: tok}); err != nil {
		t.Fatal(err)
	}
	wk, ws := sb.Webull.AddApp(false)
	ti, err := sb.Webull.IssueToken(wk)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := sb.Webull.SMSCode(ti.Token)
	if err := sb.Webull.Verify(ti.Token, code); err != nil {
		t.Fatal(err)
	}
	ti, _ = sb.Webull.Token(ti.Token)
	if _, err := eng.Add(ctx, auth.Credential{Name: "webull", Kind: auth.KindWebull, Endpoint: sb.WebullURL, Region: "us", TokenStatus: string(ti.Status), ExpiresAt: ti.Expires.UTC()},
		map[string]string{auth.FieldAppKey: wk, auth.FieldAppSecret: ws, auth.FieldWebullToken: ti.Token}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"key", "webull"} {
		for _, force := range []bool{false, true} {
			sec.Reset()
			if h, err := eng.Refresh(ctx, name, force); err != nil || h.State != auth.OK {
				t.Fatalf("refresh %s: %v, %v", name, h, err)
			}
			for f, n := range sec.Gets() {
				if n > 1 {
					t.Errorf("a check of %s (forced %v) read its %s %d times", name, force, f, n)
				}
			}
		}
		sec.Reset()
		if _, err := eng.Token(context.Background(), name); err != nil {
			t.Fatal(err)
		}
		if got := sec.Gets(); len(got) != 1 || sumOf(got) != 1 {
			t.Errorf("token %s read %v from the keychain, want its one token field once", name, got)
		}
	}
}

func sumOf(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
