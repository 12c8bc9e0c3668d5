package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

var keySecrets = map[string]string{
	auth.FieldAppKey:      "test-app-key-0001",
	auth.FieldAppSecret:   "test-app-secret-0001",
	auth.FieldAccessToken: "test-token-old",
}

func TestAddRefusedByTheBrokerStoresNothingAndNamesTheField(t *testing.T) {
	f := newFixture(t)
	f.p.CheckFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
		return auth.Health{State: auth.Broken}, auth.WrongField(auth.FieldAppSecret, auth.NeedsUser("Futu says the signature is wrong: the app secret does not belong to this app key"))
	}
	_, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "main", Kind: auth.KindFutuKey}, keySecrets)
	var ue *auth.UserError
	if m := said(err); !errors.As(err, &ue) || !m.Is("engine.not_added_because") || m.Arg("Name") != "main" || !strings.Contains(m.Arg("Why"), "app secret") {
		t.Fatalf("add of a refused key: %v, want a user error saying main was not added and why", err)
	}
	if field, ok := auth.FieldOf(err); !ok || field != auth.FieldAppSecret {
		t.Fatalf("wrong field %q (%v), want app_secret", field, ok)
	}
	if cs, _ := f.st.List(); len(cs) != 0 {
		t.Fatalf("a refused add stored %d credentials", len(cs))
	}
	if v := f.secrets.Values(); len(v) != 0 {
		t.Fatalf("a refused add left %d secrets in the keychain", len(v))
	}
}

func TestAddOfAKindTheBrokerCannotReachStoresNothing(t *testing.T) {
	f := newFixture(t)
	f.p.CheckFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
		return auth.Health{State: auth.Unknown, Reason: "nothing answered at 127.0.0.1:9"}, errors.New("futu check: dial tcp: connection refused")
	}
	_, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "main", Kind: auth.KindFutuKey}, keySecrets)
	var ue *auth.UserError
	if m := said(err); err == nil || errors.As(err, &ue) || !m.Is("engine.not_added_unchecked") || m.Arg("Name") != "main" || !param(m, "Broker").Is("brand.futu") || m.Arg("Why") != "nothing answered at 127.0.0.1:9" {
		t.Fatalf("add while the broker is down: %v, want a failure that is not the user's", err)
	}
	if cs, _ := f.st.List(); len(cs) != 0 {
		t.Fatal("an unchecked credential was stored without being asked to")
	}
}

func TestAddRefusalWhileTheBrokerIsDownSaysNothingOfCheckingAgain(t *testing.T) {
	f := newFixture(t)
	f.p.CheckFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
		return auth.Health{State: auth.Unknown, Reason: "Futu did not answer (connection refused); " + auth.RetryNote}, errors.New("futu check: dial tcp: connection refused")
	}
	_, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "main", Kind: auth.KindFutuKey}, keySecrets)
	want := "main was not added, because Futu could not check it: Futu did not answer (connection refused)"
	if err == nil || err.Error() != want {
		t.Fatalf("add while the broker is down: %q, want %q", err, want)
	}
	// The same with the reason as data: the note goes by its code.
	f.p.CheckFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
		return auth.NoAnswerHealth(msg.New("brand.futu"), syscall.ECONNREFUSED, time.Time{}, f.clock.Now()), errors.New("futu check: dial tcp: connection refused")
	}
	_, err = f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "main", Kind: auth.KindFutuKey}, keySecrets)
	if m := said(err); !m.Is("engine.not_added_unchecked") || !param(m, "Why").Is("auth.no_answer") {
		t.Fatalf("add while the broker is down: %v, want the broker's no-answer without its note", m)
	}
}

func TestAddUncheckedIsStoredAsUnknown(t *testing.T) {
	f := newFixture(t)
	f.p.CheckFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
		t.Error("the broker was asked although the add was not to be checked")
		return auth.Health{}, nil
	}
	c, err := f.eng.AddWith(testutil.Context(t, 20*time.Second), auth.Credential{Name: "main", Kind: auth.KindFutuKey}, keySecrets, engine.CheckOptions{NoCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.st.Get("main")
	if got.ID != c.ID || got.Health.State != auth.Unknown || got.Health.Next.Kind != auth.ActionRetry {
		t.Fatalf("stored %v (next %v), want Unknown with a check as next action", got.Health, got.Health.Next)
	}
}

func TestAddKeepsWhatTheCheckLearned(t *testing.T) {
	f := newFixture(t)
	f.p.CheckFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
		c.ExpiresAt = t0.Add(80 * 24 * time.Hour)
		return auth.Health{State: auth.OK, Reason: "valid"}, s.Set(auth.FieldRegistrationToken, "test-registration-0001")
	}
	c, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "main", Kind: auth.KindFutuKey}, keySecrets)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.st.Get("main")
	if got.Health.State != auth.OK || !got.ExpiresAt.Equal(t0.Add(80*24*time.Hour)) || got.LastChecked.IsZero() {
		t.Fatalf("stored %v expiring %v checked %v, want the check's answer", got.Health, got.ExpiresAt, got.LastChecked)
	}
	if v, err := f.secrets.Get(c.ID, auth.FieldRegistrationToken); err != nil || v != "test-registration-0001" {
		t.Fatalf("a secret the check wrote was not stored: %q, %v", v, err)
	}
}

func TestAnAppKeyHasOneName(t *testing.T) {
	f := newFixture(t)
	if _, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "first", Kind: auth.KindFutuKey}, keySecrets); err != nil {
		t.Fatal(err)
	}
	_, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "second", Kind: auth.KindFutuKey}, map[string]string{
		auth.FieldAppKey: " test-app-key-0001", auth.FieldAppSecret: "test-app-secret-0002", auth.FieldAccessToken: "test-token-0002",
	})
	if m := said(err); err == nil || !m.Is("engine.add_key_held") || m.Arg("Other") != "first" || m.Arg("Name") != "second" {
		t.Fatalf("a second name for one app key: %v, want a refusal naming first", err)
	}
	if field, _ := auth.FieldOf(err); field != auth.FieldAppKey {
		t.Fatalf("wrong field %q, want app_key", field)
	}
	if _, err := f.st.Get("second"); err == nil {
		t.Fatal("the second credential was stored")
	}
	settings, err := os.ReadFile(filepath.Join(f.dir, "settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(settings), "test-app-key-0001") || !strings.Contains(string(settings), "key_fingerprint") {
		t.Fatalf("the settings must keep a fingerprint of the app key, never the key:\n%s", settings)
	}
	// Another key is welcome.
	if _, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "second", Kind: auth.KindFutuKey}, map[string]string{
		auth.FieldAppKey: "test-app-key-0002", auth.FieldAppSecret: "test-app-secret-0002", auth.FieldAccessToken: "test-token-0002",
	}); err != nil {
		t.Fatalf("a different app key was refused: %v", err)
	}
}

func TestUpdateChecksFirstAndARefusalChangesNothing(t *testing.T) {
	f := newFixture(t)
	c, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "main", Kind: auth.KindFutuKey, Endpoint: "https://old.example"}, keySecrets)
	if err != nil {
		t.Fatal(err)
	}
	var checkedWith string
	f.p.CheckFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
		checkedWith, _ = s.Get(auth.FieldAppSecret)
		return auth.Health{State: auth.Broken}, auth.WrongField(auth.FieldAppSecret, auth.NeedsUser("Futu says the signature is wrong"))
	}
	edit := func(c *auth.Credential) { c.Endpoint = "https://new.example" }
	_, err = f.eng.Update(testutil.Context(t, 20*time.Second), "main", map[string]string{auth.FieldAppSecret: "test-app-secret-0009"}, edit)
	if field, _ := auth.FieldOf(err); err == nil || field != auth.FieldAppSecret || !said(err).Is("engine.not_changed_because") || said(err).Arg("Name") != "main" {
		t.Fatalf("refused update: %v (field %q)", err, field)
	}
	if a, _ := auth.ActionOf(err); a != auth.Next(auth.ActionUpdate, "main") {
		t.Fatalf("refused update's next action %v, want update main", a)
	}
	if checkedWith != "test-app-secret-0009" {
		t.Fatalf("the broker checked %q, want the new secret", checkedWith)
	}
	got, _ := f.st.Get("main")
	if v, _ := f.secrets.Get(c.ID, auth.FieldAppSecret); v != "test-app-secret-0001" || got.Endpoint != "https://old.example" {
		t.Fatalf("a refused update changed the secret (%q) or the endpoint (%q)", v, got.Endpoint)
	}

	f.p.CheckFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
		c.ExpiresAt = t0.Add(60 * 24 * time.Hour)
		return auth.Health{State: auth.OK, Reason: "valid"}, nil
	}
	h, err := f.eng.Update(testutil.Context(t, 20*time.Second), "main", map[string]string{auth.FieldAppSecret: "test-app-secret-0009"}, edit)
	if err != nil || h.State != auth.OK {
		t.Fatalf("accepted update: %v, %v", h, err)
	}
	got, _ = f.st.Get("main")
	if v, _ := f.secrets.Get(c.ID, auth.FieldAppSecret); v != "test-app-secret-0009" || got.Endpoint != "https://new.example" || got.Health.State != auth.OK {
		t.Fatalf("after the update: secret %q endpoint %q health %v", v, got.Endpoint, got.Health)
	}
	if v, _ := f.secrets.Get(c.ID, auth.FieldAccessToken); v != "test-token-old" {
		t.Fatalf("a secret the update did not name changed: %q", v)
	}
}

func TestUpdateRefusesAnAppKeyAnotherCredentialHolds(t *testing.T) {
	f := newFixture(t)
	if _, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "first", Kind: auth.KindFutuKey}, keySecrets); err != nil {
		t.Fatal(err)
	}
	c, err := f.eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "second", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppKey: "test-app-key-0002", auth.FieldAccessToken: "x"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.eng.Update(testutil.Context(t, 20*time.Second), "second", map[string]string{auth.FieldAppKey: "test-app-key-0001"}, nil)
	if m := said(err); err == nil || !m.Is("engine.update_key_held") || m.Arg("Other") != "first" {
		t.Fatalf("update to another credential's key: %v", err)
	}
	if v, _ := f.secrets.Get(c.ID, auth.FieldAppKey); v != "test-app-key-0002" {
		t.Fatalf("the refused key was stored: %q", v)
	}
}

func TestASpecificDiagnosisSurvivesAVaguerCheck(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(30*24*time.Hour))
	const signature = "Futu says the signature is wrong: the app secret does not belong to this app key"
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		return auth.Health{State: auth.Broken, Reason: signature, Specific: true}, auth.NeedsUser(signature)
	}
	if _, err := f.eng.Refresh(testutil.Context(t, 20*time.Second), "main", true); err == nil {
		t.Fatal("refresh of a refused key succeeded")
	}
	for _, vaguer := range []func(c *auth.Credential) (auth.Health, error){
		func(c *auth.Credential) (auth.Health, error) {
			return auth.Health{State: auth.Unknown, Reason: "Futu did not answer"}, errors.New("futu check: connection refused")
		},
		func(c *auth.Credential) (auth.Health, error) {
			return auth.Health{State: auth.ActionNeeded, Reason: "no verified token yet"}, nil
		},
	} {
		f.p.Fail = vaguer
		f.clock.Advance(time.Hour)
		_, _ = f.eng.Refresh(testutil.Context(t, 20*time.Second), "main", false)
		ss, _ := f.eng.Status()
		if ss[0].Health.Reason != signature || ss[0].Health.State != auth.Broken {
			t.Fatalf("after a vaguer check the status says %v, want the signature diagnosis", ss[0].Health)
		}
	}
	// Accepted again: the diagnosis goes.
	f.p.Fail = nil
	if _, err := f.eng.Refresh(testutil.Context(t, 20*time.Second), "main", true); err != nil {
		t.Fatal(err)
	}
	if ss, _ := f.eng.Status(); ss[0].Health.State != auth.OK {
		t.Fatalf("after an accepted check: %v, want OK", ss[0].Health)
	}
}

func TestAddWithoutAnEndpointUsesTheProfilesDefault(t *testing.T) {
	f := newFixture(t)
	eng := engine.NewWithOptions(engine.Options{Store: f.st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuKey: f.p}, Clock: f.clock,
		DefaultEndpoints: func() (string, string, error) { return "http://127.0.0.1:7001", "http://127.0.0.1:7002", nil }})
	c, err := eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "sim", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAccessToken: "x"})
	if err != nil || c.Endpoint != "http://127.0.0.1:7001" {
		t.Fatalf("endpoint %q, %v; want the profile's Futu endpoint", c.Endpoint, err)
	}
	c, err = eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "own", Kind: auth.KindFutuKey, Endpoint: "https://openapi.example"}, map[string]string{auth.FieldAccessToken: "y"})
	if err != nil || c.Endpoint != "https://openapi.example" {
		t.Fatalf("endpoint %q, %v; want the one given", c.Endpoint, err)
	}
	down := engine.NewWithOptions(engine.Options{Store: f.st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuKey: f.p}, Clock: f.clock,
		DefaultEndpoints: func() (string, string, error) { return "", "", errors.New("the sandbox is not running") }})
	if _, err := down.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "lost", Kind: auth.KindFutuKey}, map[string]string{auth.FieldAccessToken: "z"}); err == nil {
		t.Fatal("a credential was added to the real broker because the sandbox was not running")
	}
}

// A Webull app whose secret the broker refused (Broken, update the
// secret) keeps that diagnosis when a later check only finds that it has
// no verified token.
func TestARefusedSecretIsNotReplacedByNoTokenYet(t *testing.T) {
	f := newFixture(t)
	f.add(t, "main", t0.Add(30*24*time.Hour))
	const refused = "Webull refused the signature: the app secret does not match the app key"
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		return auth.Health{State: auth.Broken, Reason: refused, Next: auth.Next(auth.ActionUpdate, c.Name)}, errors.New("webull config: INCORRECT_SIGN")
	}
	_, _ = f.eng.Refresh(testutil.Context(t, 20*time.Second), "main", true)
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		h := auth.Health{State: auth.ActionNeeded, Reason: "No verified Webull token yet", Next: auth.Next(auth.ActionVerify, c.Name)}
		return h, auth.NeedsUserTo(h.Next, "%s", h.Reason)
	}
	f.clock.Advance(time.Hour)
	_, _ = f.eng.Refresh(testutil.Context(t, 20*time.Second), "main", false)
	ss, _ := f.eng.Status()
	if ss[0].Health.Reason != refused || ss[0].Health.Next.Kind != auth.ActionUpdate {
		t.Fatalf("after a check that found no token: %v (next %v), want the refused secret and its update", ss[0].Health, ss[0].Health.Next)
	}
}

// A new Webull app key drops the old app's token: it belongs to the app
// that created it.
func TestANewWebullAppKeyDropsTheOldToken(t *testing.T) {
	f := newFixture(t)
	webull := testutil.NewFakeProvider(auth.KindWebull, f.clock)
	eng := engine.New(f.st, map[auth.Kind]auth.Provider{auth.KindWebull: webull}, f.clock)
	c, err := eng.Add(testutil.Context(t, 20*time.Second), auth.Credential{Name: "wb", Kind: auth.KindWebull}, map[string]string{
		auth.FieldAppKey: "test-app-key-0001", auth.FieldAppSecret: "test-app-secret-0001", auth.FieldWebullToken: "test-webull-token-0001",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Update(testutil.Context(t, 20*time.Second), "wb", map[string]string{auth.FieldAppSecret: "test-app-secret-0002"}, nil); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.secrets.Get(c.ID, auth.FieldWebullToken); v != "test-webull-token-0001" {
		t.Fatalf("a new secret for the same app dropped its token: %q", v)
	}
	if _, err := eng.Update(testutil.Context(t, 20*time.Second), "wb", map[string]string{auth.FieldAppKey: "test-app-key-0002", auth.FieldAppSecret: "test-app-secret-0003"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.secrets.Get(c.ID, auth.FieldWebullToken); !errors.Is(err, auth.ErrSecretNotFound) {
		t.Fatalf("the old app's token is still stored: %v", err)
	}
	if v, _ := f.secrets.Get(c.ID, auth.FieldAppKey); v != "test-app-key-0002" {
		t.Fatalf("app key %q after the update", v)
	}
}

// An update whose keychain write fails puts back what was there.
func TestAnUpdateTheKeychainRefusesChangesNothing(t *testing.T) {
	f := newFixture(t)
	c := f.add(t, "main", t0.Add(30*24*time.Hour))
	st, err := store.Open(f.dir, failingSet{f.secrets, auth.FieldAccessToken})
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: f.p}, f.clock)
	_, err = eng.Update(testutil.Context(t, 20*time.Second), "main", map[string]string{auth.FieldAppSecret: "test-app-secret-0009", auth.FieldAccessToken: "test-token-0009"}, nil)
	if m := said(err); err == nil || !m.Is("engine.not_changed") || !param(m, "Err").Is("engine.write_failed") || !param(param(m, "Err"), "Field").Is("auth.field_access_token") {
		t.Fatalf("update with a refusing keychain: %v", err)
	}
	if v, _ := f.secrets.Get(c.ID, auth.FieldAppSecret); v != "test-app-secret-0001" {
		t.Fatalf("the app secret was left changed: %q", v)
	}
}

// failingSet is a keychain that cannot write one field.
type failingSet struct {
	*testutil.MemorySecrets
	field string
}

func (f failingSet) Set(id, field, v string) error {
	if field == f.field {
		return errors.New("the keychain refused the item")
	}
	return f.MemorySecrets.Set(id, field, v)
}
