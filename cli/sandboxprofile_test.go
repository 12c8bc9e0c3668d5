package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// In the sandbox profile a credential added without --endpoint goes to
// the running sandbox brokers; with none running it is refused rather
// than sent to a real broker.
func TestSandboxProfileNeverDefaultsToARealBroker(t *testing.T) {
	x := newITT(t)
	appKey, appSecret, token := "test-app-key-0001", "test-app-secret-0001", "test-access-token-0001"
	x.secret(appSecret, token)
	env := map[string]string{"FUTU_APP_KEY": appKey, "FUTU_APP_SECRET": appSecret, "FUTU_ACCESS_TOKEN": token}

	r := x.run(env, "", "add", "futu-key", "k0")
	wantCode(t, r, 1, "add with no sandbox running")
	if !strings.Contains(r.stderr, "sandbox brokers are not running") {
		t.Errorf("stderr = %q", r.stderr)
	}

	sb := startSandbox(t)
	done, err := sb.Advertise(filepath.Join(x.dir, "sandbox"))
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	appKey, appSecret, token = sb.Futu.AddAPIKey(time.Now().Add(90 * 24 * time.Hour))
	x.secret(appSecret, token)
	env = map[string]string{"FUTU_APP_KEY": appKey, "FUTU_APP_SECRET": appSecret, "FUTU_ACCESS_TOKEN": token}
	wantCode(t, x.run(env, "", "add", "futu-key", "k1"), 0, "add against the running sandbox")
	r = x.run(nil, "", "status", "--json")
	wantCode(t, r, 0, "status")
	if !strings.Contains(r.stdout, `"health": "ok"`) {
		t.Errorf("the key added without --endpoint is not healthy against the sandbox: %s", r.stdout)
	}
	if sb.Futu.Count("/v1/auth/verify") == 0 {
		t.Error("the sandbox was never asked: the key went elsewhere")
	}
}
