package cli_test

import (
	"context"
	"strings"
	"testing"

	"tokentray/auth"
)

// The address to open is printed right under the step that asks to open
// it, also when a note comes first (the login moved to another port).
func TestLoginPrintsTheAddressUnderItsStep(t *testing.T) {
	f := newFakeRun(t)
	f.prov.LoginFunc = func(_ context.Context, c *auth.Credential, _ auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
		progress(auth.LoginEvent{URL: "http://127.0.0.1:1/authorize", URLStep: 1, Steps: []string{
			"Port 60355 is in use by another program, so this login listens on 127.0.0.1:40115 instead.",
			"Open the address below in a browser on this computer.",
			"Sign in to Futu and approve tokentray.",
		}})
		return auth.Health{State: auth.OK, Reason: "logged in"}, nil
	}
	f.run("login", "k1")
	out := f.stdout.String()
	if !strings.Contains(out, "2. Open the address below in a browser on this computer.\n   http://127.0.0.1:1/authorize\n3. Sign in") {
		t.Errorf("the address is not under the step that asks to open it:\n%s\nstderr %s", out, f.stderr.String())
	}
}
