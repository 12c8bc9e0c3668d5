package futusim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tokentray/auth/sandbox/fault"
)

func TestFaultStatusAndTimes(t *testing.T) {
	e := newEnv(t, Options{})
	e.srv.Faults().Set("/.well-known/oauth-authorization-server", fault.Rule{Status: 500, Times: 1})
	if r := e.get("/.well-known/oauth-authorization-server"); r.status != 500 {
		t.Errorf("faulted: %d", r.status)
	}
	if r := e.get("/.well-known/oauth-authorization-server"); r.status != 200 {
		t.Errorf("after Times ran out: %d", r.status)
	}
	if n := e.srv.Count("/.well-known/oauth-authorization-server"); n != 2 {
		t.Errorf("Count = %d, want 2 (faulted requests count too)", n)
	}
}

func TestFaultMalformedJSON(t *testing.T) {
	e := newEnv(t, Options{})
	id, tok := e.login()
	e.srv.Faults().Set("/oauth2/token", fault.Rule{Malformed: true})
	r := e.refreshWith(id, tok["refresh_token"].(string))
	var v any
	if r.status != 200 || json.Unmarshal([]byte(r.body), &v) == nil {
		t.Errorf("malformed fault answered %d %q", r.status, r.body)
	}
	e.srv.Faults().Clear()
	if r := e.refreshWith(id, tok["refresh_token"].(string)); r.status != 200 {
		t.Errorf("after clearing: %s", r.body)
	}
}

func TestFaultReset(t *testing.T) {
	e := newEnv(t, Options{})
	e.srv.Faults().Set("/v1/auth/verify", fault.Rule{Reset: true, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+"/v1/auth/verify", nil)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a reset connection answered %s", resp.Status)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reset hung: %v", err)
	}
}

func TestFaultLatencyOnFakeClock(t *testing.T) {
	e := newEnv(t, Options{})
	e.srv.Faults().Set("/.well-known/oauth-authorization-server", fault.Rule{Latency: 30 * time.Second})
	done := make(chan result, 1)
	go func() { done <- e.get("/.well-known/oauth-authorization-server") }()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.fc.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal("the request never waited on the clock")
	}
	select {
	case r := <-done:
		t.Fatalf("answered before the latency passed: %d", r.status)
	case <-time.After(50 * time.Millisecond):
	}
	e.fc.Advance(30 * time.Second)
	select {
	case r := <-done:
		if r.status != 200 {
			t.Errorf("after latency: %d", r.status)
		}
	case <-ctx.Done():
		t.Fatal("no answer after advancing the clock")
	}
}

func TestAdminIsNeverFaulted(t *testing.T) {
	e := newEnv(t, Options{})
	for _, p := range []string{"/sandbox/", "/sandbox/faults"} {
		e.srv.Faults().Set(p, fault.Rule{Status: 503})
	}
	if r := e.get("/sandbox/"); r.status != 200 {
		t.Errorf("admin page faulted: %d", r.status)
	}
	// The JSON admin clears faults even when a rule targets it.
	req, _ := http.NewRequest(http.MethodDelete, e.ts.URL+"/sandbox/faults", nil)
	if r := e.do(req); r.status != http.StatusNoContent {
		t.Errorf("DELETE /sandbox/faults: %d", r.status)
	}
	if len(e.srv.Faults().Rules()) != 0 {
		t.Error("rules left after DELETE")
	}
	body := `{"path":"/oauth2/token","rule":{"status":502,"times":1}}`
	req, _ = http.NewRequest(http.MethodPut, e.ts.URL+"/sandbox/faults", strings.NewReader(body))
	if r := e.do(req); r.status != http.StatusNoContent {
		t.Fatalf("PUT: %d", r.status)
	}
	if r := e.postForm("/oauth2/token", url.Values{}); r.status != 502 {
		t.Errorf("installed fault: %d", r.status)
	}
}

func TestAdminPageMasksSecrets(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.addKey(epoch.Add(time.Hour))
	_, tok := e.login()
	resp, err := http.Get(e.ts.URL + "/sandbox/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	if !strings.Contains(page, k.appKey) || !strings.Contains(page, "tokentray test") {
		t.Errorf("page does not list the key and the client")
	}
	for name, secret := range map[string]string{
		"app secret": k.secret, "access token": k.token,
		"oauth access": tok["access_token"].(string), "oauth refresh": tok["refresh_token"].(string),
	} {
		if strings.Contains(page, secret) {
			t.Errorf("the admin page shows the %s in full", name)
		}
	}
	if !strings.Contains(page, k.secret[:4]+"…") {
		t.Errorf("the app secret is not shown masked")
	}
}

func TestAdminActions(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.addKey(epoch.Add(time.Hour))

	if r := e.postForm("/sandbox/rotate", url.Values{"on": {"1"}}); r.status != http.StatusSeeOther || r.header.Get("Location") != "/sandbox/" {
		t.Errorf("rotate: %d %q", r.status, r.header.Get("Location"))
	}
	if !e.srv.RotateRefresh() {
		t.Error("rotation not switched on")
	}
	e.postForm("/sandbox/rotate", url.Values{"on": {"0"}})
	if e.srv.RotateRefresh() {
		t.Error("rotation not switched off")
	}

	e.postForm("/sandbox/skew", url.Values{"seconds": {"-90"}})
	if e.srv.Skew() != -90*time.Second {
		t.Errorf("skew %v", e.srv.Skew())
	}
	if r := e.postForm("/sandbox/skew", url.Values{"seconds": {"ninety"}}); r.status != http.StatusBadRequest {
		t.Errorf("bad skew: %d", r.status)
	}
	e.srv.SetSkew(0)

	e.postForm("/sandbox/revoke-key", url.Values{"app_key": {k.appKey}})
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", k, epoch), http.StatusUnauthorized, CodeUnknownKey)
	if r := e.postForm("/sandbox/revoke-key", url.Values{"app_key": {"nope"}}); r.status != http.StatusNotFound {
		t.Errorf("unknown key: %d", r.status)
	}

	id, tok := e.login()
	e.postForm("/sandbox/revoke-client", url.Values{"client_id": {id}})
	wantOAuthError(t, e.refreshWith(id, tok["refresh_token"].(string)), "invalid_grant")

	page := e.get("/sandbox/").body
	if !strings.Contains(page, "revoked") || !strings.Contains(page, "Turn rotation on") {
		t.Errorf("page does not show the new state")
	}
}

func TestAdminRefusesCrossOriginPosts(t *testing.T) {
	e := newEnv(t, Options{})
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/sandbox/rotate", strings.NewReader("on=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	if r := e.do(req); r.status != http.StatusForbidden || e.srv.RotateRefresh() {
		t.Errorf("cross-origin rotate: %d, rotation %v", r.status, e.srv.RotateRefresh())
	}
	req, _ = http.NewRequest(http.MethodPost, e.ts.URL+"/sandbox/faults", strings.NewReader(`{"path":"/oauth2/token","rule":{"status":500}}`))
	req.Header.Set("Origin", "http://evil.example")
	if r := e.do(req); r.status != http.StatusForbidden || len(e.srv.Faults().Rules()) != 0 {
		t.Errorf("cross-origin fault: %d", r.status)
	}
	req, _ = http.NewRequest(http.MethodPost, e.ts.URL+"/sandbox/rotate", strings.NewReader("on=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.ts.URL)
	if r := e.do(req); r.status != http.StatusSeeOther || !e.srv.RotateRefresh() {
		t.Errorf("same-origin rotate: %d", r.status)
	}
}

func TestDateHeaderOnEveryAnswer(t *testing.T) {
	e := newEnv(t, Options{})
	e.srv.SetSkew(-time.Hour)
	for _, p := range []string{"/.well-known/oauth-authorization-server", "/sandbox/", "/v1/auth/verify", "/nowhere"} {
		r := e.get(p)
		d, err := http.ParseTime(r.header.Get("Date"))
		if err != nil || !d.Equal(epoch.Add(-time.Hour)) {
			t.Errorf("%s: Date %q", p, r.header.Get("Date"))
		}
	}
}
