package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// localOverSandbox is the service over a real engine and store, whose
// Futu API keys go to the sandbox's Futu, the profile's default broker
// (as in the sandbox profile).
func localOverSandbox(t *testing.T) (service.Local, *sandbox.Sandbox) {
	t.Helper()
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.NewWithOptions(engine.Options{
		Store:            st,
		Providers:        map[auth.Kind]auth.Provider{auth.KindFutuKey: futu.NewKeyProvider(futu.Options{})},
		DefaultEndpoints: func() (string, string, error) { return sb.FutuURL, sb.WebullURL, nil },
	})
	return service.Local{Eng: eng, Dir: st.Dir(), SettingsFile: st.Path(), Prefs: st}, sb
}

// The add form's request without an endpoint goes to the profile's
// broker, checked first; the edit form's update with the endpoint left
// empty keeps it there, and new secrets the broker refuses change
// nothing.
func TestAddAndFormUpdateKeepTheProfilesEndpoint(t *testing.T) {
	svc, sb := localOverSandbox(t)
	ctx := context.Background()
	key, secret, token := sb.Futu.AddAPIKey(time.Now().Add(30 * 24 * time.Hour))
	secrets := map[string]string{auth.FieldAppKey: key, auth.FieldAppSecret: secret, auth.FieldAccessToken: token}
	c, err := svc.Add(ctx, service.AddRequest{Credential: auth.Credential{Name: "k1", Kind: auth.KindFutuKey}, Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint != sb.FutuURL || c.Health.State != auth.OK {
		t.Fatalf("added %q %v, want the sandbox's Futu and OK", c.Endpoint, c.Health)
	}

	form := service.AddRequest{Credential: auth.Credential{Name: "k1", Kind: auth.KindFutuKey}, Secrets: map[string]string{}}
	if _, err := svc.Update(ctx, service.FormUpdate(form)); err != nil {
		t.Fatal(err)
	}
	rows, err := svc.Rows(ctx)
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	if rows[0].Credential.Endpoint != sb.FutuURL {
		t.Errorf("after an edit with no endpoint it talks to %q, want the profile's %q", rows[0].Credential.Endpoint, sb.FutuURL)
	}

	form.Secrets = map[string]string{auth.FieldAccessToken: "test-access-token-unknown"}
	var ue *auth.UserError
	if _, err := svc.Update(ctx, service.FormUpdate(form)); !errors.As(err, &ue) {
		t.Fatalf("an access token Futu does not know: %v, want a refusal the person acts on", err)
	}
	if got, err := svc.Token(ctx, "k1"); err != nil || got != token {
		t.Errorf("after a refused update the token is %q (%v), want the old one", got, err)
	}
}

// An edit of a credential that is not there says so with its name.
func TestFormUpdateOfAnUnknownName(t *testing.T) {
	svc, _ := localOverSandbox(t)
	_, err := svc.Update(context.Background(), service.FormUpdate(service.AddRequest{Credential: auth.Credential{Name: "nope", Kind: auth.KindFutuKey}}))
	if name, ok := store.MissingName(err); !ok || name != "nope" {
		t.Fatalf("update of an unknown name: %v", err)
	}
}
