package cli_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/cli"
	"tokentray/internal/testutil"
)

// pasteProvider is a Futu-OAuth-like broker whose login waits for a
// pasted address: "wrong" is refused and the login keeps waiting, "right"
// finishes it.
type pasteProvider struct{ *phoneProvider }

func (p pasteProvider) Kind() auth.Kind { return auth.KindFutuOAuth }
func (p pasteProvider) Login(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	pending := auth.Health{State: auth.Pending, Reason: "waiting for you to approve tokentray in the browser", Deadline: p.clock.Now().Add(5 * time.Minute)}
	progress(auth.LoginEvent{Health: pending, URL: "http://127.0.0.1:1/authorize", Steps: []string{"Open the address below.", "Paste the address the browser landed on."}})
	for {
		select {
		case line := <-opts.Pasted:
			if line == "right" {
				c.ExpiresAt = p.clock.Now().Add(time.Hour)
				return p.Assess(*c, p.clock.Now()), nil
			}
			refused := pending
			refused.Reason = "that address belongs to another login: paste the address from the login started now"
			progress(auth.LoginEvent{Health: refused})
		case <-ctx.Done():
			return pending, ctx.Err()
		}
	}
}

// On a terminal the countdown of a Futu login says what it waits for, and
// a refused paste is shown, not hidden behind the countdown.
func TestLoginOnATerminalShowsARefusedPasteAndWaitsForTheLogin(t *testing.T) {
	ip := newInProcess(t, true)
	st, err := store.Open(t.TempDir(), ip.secrets)
	if err != nil {
		t.Fatal(err)
	}
	ip.eng = engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuOAuth: pasteProvider{ip.prov}}, ip.clock)
	ip.deps.Open = func(bool) (cli.Parts, error) {
		return cli.Parts{Service: service.Local{Eng: ip.eng}, Dir: st.Dir(), Prefs: st}, nil
	}
	if _, err := ip.eng.Add(context.Background(), auth.Credential{Name: "fo", Kind: auth.KindFutuOAuth}, nil); err != nil {
		t.Fatal(err)
	}
	in, paste := io.Pipe()
	ip.deps.Stdin = in
	done := make(chan int, 1)
	go func() { done <- ip.run("login", "fo", "--no-browser") }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ip.clock.BlockUntilContext(ctx, 1); err != nil { // the countdown ticker
		t.Fatalf("no countdown started: %v; output %q", err, ip.stdout.String())
	}
	if _, err := io.WriteString(paste, "wrong\n"); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the refusal of a wrong paste", func() bool {
		return strings.Contains(ip.stdout.String(), "belongs to another login")
	})
	ip.clock.Advance(time.Second)
	testutil.Eventually(t, "the countdown after the refusal", func() bool {
		out := ip.stdout.String()
		return strings.Contains(out[strings.Index(out, "belongs to another login"):], "\rWaiting for the login: 4:59 left")
	})
	if _, err := io.WriteString(paste, "right\n"); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != 0 {
		t.Fatalf("login: exit %d, stderr %q", code, ip.stderr.String())
	}
	out := ip.stdout.String()
	if strings.Contains(out, "Waiting for the verification") || strings.Count(out, "Open the address below") != 1 {
		t.Errorf("a Futu login's output:\n%q", out)
	}
	_ = paste.Close()
}

// A login with a browser also reads a pasted address on a terminal: the
// page may have been opened on another device.
func TestALoginWithABrowserTakesAPastedAddressOnATerminal(t *testing.T) {
	ip := newInProcess(t, true)
	st, err := store.Open(t.TempDir(), ip.secrets)
	if err != nil {
		t.Fatal(err)
	}
	ip.eng = engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuOAuth: pasteProvider{ip.prov}}, ip.clock)
	ip.deps.Open = func(bool) (cli.Parts, error) {
		return cli.Parts{Service: service.Local{Eng: ip.eng}, Dir: st.Dir(), Prefs: st}, nil
	}
	if _, err := ip.eng.Add(context.Background(), auth.Credential{Name: "fo", Kind: auth.KindFutuOAuth}, nil); err != nil {
		t.Fatal(err)
	}
	ip.deps.Stdin = strings.NewReader("right\n")
	done := make(chan int, 1)
	go func() { done <- ip.run("login", "fo") }()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("login: exit %d, stderr %q", code, ip.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the pasted address was not read; output %q", ip.stdout.String())
	}
}
