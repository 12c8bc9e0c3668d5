package cli_test

import (
	"strings"
	"testing"
	"time"
)

// update replaces a key's secrets after the broker accepted them; a
// refused update changes nothing.
func TestUpdateReplacesSecretsCheckedFirst(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	k1, s1, a1 := sb.Futu.AddAPIKey(time.Now().Add(30 * 24 * time.Hour))
	k2, s2, a2 := sb.Futu.AddAPIKey(time.Now().Add(60 * 24 * time.Hour))
	x.secret(k1, s1, a1, k2, s2, a2)
	wantCode(t, x.run(map[string]string{"FUTU_APP_KEY": k1, "FUTU_APP_SECRET": s1, "FUTU_ACCESS_TOKEN": a1}, "", "add", "futu-key", "main", "--endpoint", sb.FutuURL), 0, "add")

	// A token Futu does not know: refused, the old one kept.
	x.secret("test-access-token-9999")
	r := x.run(map[string]string{"FUTU_ACCESS_TOKEN": "test-access-token-9999"}, "\n\n", "update", "main")
	if r.code != 3 || !strings.Contains(r.stderr, "main") {
		t.Fatalf("update with a bad token: exit %d, %q", r.code, r.stderr)
	}
	if tok := x.run(nil, "", "token", "main"); tok.stdout != a1+"\n" {
		t.Fatalf("a refused update changed the token: %q", tok.stdout)
	}
	// Nothing to change is a wrong command line.
	wantCode(t, x.run(nil, "", "update", "main"), 2, "update with nothing")
	wantCode(t, x.run(nil, "", "update", "main", "--region", "us"), 2, "update futu-key --region")

	// Another key Futu accepts, read from stdin like add.
	r = x.run(nil, k2+"\n"+s2+"\n"+a2+"\n", "update", "main")
	wantCode(t, r, 0, "update")
	if !strings.HasPrefix(r.stdout, "Updated main: OK") {
		t.Errorf("update said %q", r.stdout)
	}
	if tok := x.run(nil, "", "token", "main"); tok.stdout != a2+"\n" {
		t.Fatalf("token after update %q, want the new one", tok.stdout)
	}
}
