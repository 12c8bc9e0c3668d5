package cli_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/cli"
)

// escapingProvider is a broker whose login ends with the text a hostile
// callback page chose, escape sequences included.
type escapingProvider struct{ phoneProvider }

func (p *escapingProvider) Login(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	why := "the login ended with an error (\x1b]0;pwned\x07\x1b[2J\u009b31mdenied): start the login again"
	return auth.Health{State: auth.ActionNeeded, Reason: why}, errors.New(why)
}

// No escape sequence from a broker or the login callback reaches the
// terminal: the command's sentence and the status both lose them.
func TestBrokerTextReachesTheTerminalWithoutEscapes(t *testing.T) {
	ip := newInProcess(t, true)
	st, err := store.Open(t.TempDir(), ip.secrets)
	if err != nil {
		t.Fatal(err)
	}
	ip.eng = engine.New(st, map[auth.Kind]auth.Provider{auth.KindWebull: &escapingProvider{phoneProvider{clock: ip.clock}}}, ip.clock)
	ip.deps.Open = func(bool) (cli.Parts, error) {
		return cli.Parts{Service: service.Local{Eng: ip.eng}, Dir: st.Dir(), Prefs: st}, nil
	}
	if _, err := ip.eng.AddWith(context.Background(), auth.Credential{Name: "wb", Kind: auth.KindWebull, Region: "us"},
		map[string]string{auth.FieldAppKey: "test-app-key-0001", auth.FieldAppSecret: "test-app-secret-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	if code := ip.run("login", "wb"); code == 0 {
		t.Fatal("login succeeded")
	}
	ip.run("status")
	out := ip.stdout.String() + ip.stderr.String()
	if !strings.Contains(ip.stderr.String(), "denied") {
		t.Fatalf("the refusal is not shown: %q", out)
	}
	if strings.ContainsAny(out, "\x1b\x07\u009b") {
		t.Errorf("an escape sequence reached the terminal: %q", out)
	}
}
