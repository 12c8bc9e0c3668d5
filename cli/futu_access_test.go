package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"tokentray/auth/sandbox/futusim"
)

// statusOf is one credential of "status --json".
func statusOf(t *testing.T, x runner, name string) map[string]any {
	t.Helper()
	r := x.run(nil, "", "status", "--json")
	var out struct {
		Credentials []map[string]any `json:"credentials"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	for _, c := range out.Credentials {
		if c["name"] == name {
			return c
		}
	}
	t.Fatalf("status --json has no %s: %s", name, r.stdout)
	return nil
}

// A broker laid out like Futu's answers no "verify" for an OAuth login:
// the check must be the one Futu's own CLI makes, so a revoked access
// token is renewed by refresh and never handed out by token.
func TestRefreshRenewsARevokedFutuAccessTokenBeforeTokenHandsItOut(t *testing.T) {
	sb := startSandbox(t)
	sb.Futu.SetLayout(futusim.LayoutCLI)
	x := newITT(t)
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "oauth", "--endpoint", sb.FutuURL), 0, "add futu-oauth")
	o := newOAuthSession(t, x)
	c, revoked, _ := o.login(t, x, "oauth")

	sb.Futu.RevokeAccessTokens(c.ClientID)
	wantCode(t, x.run(nil, "", "refresh", "oauth"), 0, "refresh of a login whose access token was revoked")
	tk := x.run(nil, "", "token", "oauth")
	wantCode(t, tk, 0, "token")
	got := strings.TrimSpace(tk.stdout)
	x.secret(got)
	if got == revoked {
		t.Fatal("token printed the access token Futu had revoked")
	}
	if n := sb.Futu.Count(futusim.PathAccounts); n == 0 {
		t.Error("refresh never asked Futu's account API")
	}

	// Quote and trade access, as Futu's CLI shows them.
	st := statusOf(t, x, "oauth")
	if st["health"] != "ok" {
		t.Errorf("health %v (%v), want ok", st["health"], st["reason"])
	}
	if a, _ := st["access"].(map[string]any); a["quote"] != true || a["trade"] != true {
		t.Errorf("access = %v, want quote and trade", st["access"])
	}

	// Without trade permission the login still works, for quotes only.
	sb.Futu.SetTradePermission(false)
	wantCode(t, x.run(nil, "", "refresh", "oauth"), 0, "refresh of a login without trade permission")
	st = statusOf(t, x, "oauth")
	if a, _ := st["access"].(map[string]any); st["health"] != "ok" || a["quote"] != true || a["trade"] != false {
		t.Errorf("without trade permission: health %v, access %v", st["health"], st["access"])
	}
	table := x.run(nil, "", "status")
	if !strings.Contains(table.stdout, "quotes only, no trading") {
		t.Errorf("status does not say the login may not trade:\n%s", table.stdout)
	}
}

func TestAddTakesFutusBrandAndStatusShowsIt(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "mm", "--brand", "moomoo", "--endpoint", sb.FutuURL, "--no-check"), 0, "add futu-oauth --brand moomoo")
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "ft", "--endpoint", sb.FutuURL, "--no-check"), 0, "add futu-oauth")
	if st := statusOf(t, x, "mm"); st["brand"] != "moomoo" || st["broker"] != "Futu" {
		t.Errorf("moomoo login: brand %v, broker %v", st["brand"], st["broker"])
	}
	if st := statusOf(t, x, "ft"); st["brand"] != "futu" {
		t.Errorf("a login without --brand: brand %v, want futu", st["brand"])
	}
	if table := x.run(nil, "", "status"); strings.Count(table.stdout, "brand: moomoo") != 1 {
		t.Errorf("status does not say which login is moomoo's:\n%s", table.stdout)
	}
	if one := x.run(nil, "", "status", "mm"); !regexp.MustCompile(`brand:\s+moomoo`).MatchString(one.stdout) {
		t.Errorf("status mm does not name the brand:\n%s", one.stdout)
	}
	r := x.run(nil, "", "add", "futu-key", "k", "--brand", "webull", "--no-check")
	if r.code != 2 || !strings.Contains(r.stderr, `"webull" is not a Futu brand; use futu or moomoo`) {
		t.Errorf("an unknown brand: exit %d, %q", r.code, r.stderr)
	}
	if r := x.run(nil, "", "add", "webull", "w", "--region", "us", "--brand", "moomoo", "--no-check"); r.code != 2 || !strings.Contains(r.stderr, "--brand does not apply to webull") {
		t.Errorf("--brand on webull: exit %d, %q", r.code, r.stderr)
	}
	if h := x.run(nil, "", "help", "add"); !strings.Contains(h.stdout, "--brand B") || !strings.Contains(h.stdout, "moomoo") {
		t.Errorf("help add does not explain --brand:\n%s", h.stdout)
	}
	if c := x.run(nil, "", "__complete", "add", "futu-oauth", "x", "--brand", ""); !strings.Contains(c.stdout, "moomoo") {
		t.Errorf("--brand does not complete: %q", c.stdout)
	}
}

// status --json and status NAME say which host each credential talks to,
// and a Webull credential's region and environment.
func TestStatusSaysWhichHostEachCredentialTalksTo(t *testing.T) {
	sb := startSandbox(t)
	x := newITT(t)
	addTestEnvWebull(t, x, sb, "wb", "hk")
	wantCode(t, x.run(nil, "", "add", "futu-oauth", "mm", "--brand", "moomoo", "--endpoint", sb.FutuURL, "--no-check"), 0, "add futu-oauth")
	wb := statusOf(t, x, "wb")
	if wb["region"] != "hk" || wb["environment"] != "test" || wb["endpoint"] != sb.WebullURL || wb["oauth_endpoint"] != "" || wb["brand"] != "" {
		t.Errorf("webull: region %v, environment %v, endpoint %v, oauth %v, brand %v", wb["region"], wb["environment"], wb["endpoint"], wb["oauth_endpoint"], wb["brand"])
	}
	mm := statusOf(t, x, "mm")
	if mm["brand"] != "moomoo" || mm["endpoint"] != sb.FutuURL || mm["oauth_endpoint"] != sb.FutuURL || mm["region"] != "" || mm["environment"] != "" {
		t.Errorf("futu: brand %v, endpoint %v, oauth %v, region %v, environment %v", mm["brand"], mm["endpoint"], mm["oauth_endpoint"], mm["region"], mm["environment"])
	}
	one := x.run(nil, "", "status", "wb")
	for _, re := range []string{`region:\s+hk`, `environment:\s+test`, `endpoint:\s+` + regexp.QuoteMeta(sb.WebullURL)} {
		if !regexp.MustCompile(re).MatchString(one.stdout) {
			t.Errorf("status wb lacks %s:\n%s", re, one.stdout)
		}
	}
}
