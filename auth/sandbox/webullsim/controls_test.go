package webullsim

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// control posts a form from the phone page without following the redirect.
func (e *env) control(path string, form url.Values, header map[string]string) resp {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, raw: string(raw)}
}

func wantBackToPhone(t *testing.T, r resp) {
	t.Helper()
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sandbox/phone" {
		t.Fatalf("control: %d %q %s", r.status, r.header.Get("Location"), r.raw)
	}
}

func TestSkewControl(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(true)
	page := e.get("/sandbox/phone").raw
	for _, want := range []string{"Sandbox controls", `action="/sandbox/controls/skew"`, `href="/sandbox/faults"`} {
		if !strings.Contains(page, want) {
			t.Errorf("phone page lacks %q", want)
		}
	}

	wantBackToPhone(t, e.control("/sandbox/controls/skew", url.Values{"seconds": {"-400"}}, map[string]string{"Origin": e.srv.URL}))
	r := a.do(sreq{path: pCreate, body: "{}"})
	wantError(t, r, http.StatusUnauthorized, "CLOCK_SKEW_EXCEEDED")
	if d, err := http.ParseTime(r.header.Get("Date")); err != nil || !d.Equal(start.Add(-400*time.Second)) {
		t.Errorf("Date %q, want the server clock 400 s behind", r.header.Get("Date"))
	}
	if !strings.Contains(e.get("/sandbox/phone").raw, `name="seconds" inputmode="numeric" value="-400"`) {
		t.Error("phone page does not show the skew")
	}

	bad := e.control("/sandbox/controls/skew", url.Values{"seconds": {"soon"}}, nil)
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.raw, "whole number of seconds") {
		t.Errorf("bad skew: %d", bad.status)
	}
	if e.sim.Skew() != -400*time.Second {
		t.Errorf("a bad form changed the skew to %v", e.sim.Skew())
	}

	wantBackToPhone(t, e.control("/sandbox/controls/skew", url.Values{"seconds": {"0"}}, nil))
	if r := a.do(sreq{path: pCreate, body: "{}"}); r.status != http.StatusOK {
		t.Errorf("after skew 0: %d %s", r.status, r.raw)
	}
}

func TestInvalidateControl(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(true)
	tk := a.create("")
	wantStatus(t, a.check(tk.Token), StatusNormal)
	if !strings.Contains(e.get("/sandbox/phone").raw, `name="token" value="`+tk.Token+`"`) {
		t.Fatal("the controls do not offer the NORMAL token")
	}

	wantBackToPhone(t, e.control("/sandbox/controls/invalidate", url.Values{"token": {tk.Token}}, nil))
	wantStatus(t, a.check(tk.Token), StatusInvalid)
	wantError(t, a.list(tk.Token), http.StatusUnauthorized, "INVALID_TOKEN")
	if strings.Contains(e.get("/sandbox/phone").raw, `name="token" value="`+tk.Token+`"`) {
		t.Error("an INVALID token is still offered for invalidation")
	}
	if r := e.control("/sandbox/controls/invalidate", url.Values{"token": {"nope"}}, nil); r.status != http.StatusNotFound || !strings.Contains(r.raw, "No such token") {
		t.Errorf("unknown token: %d", r.status)
	}
}

func TestRenewNewTokenControl(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(true)
	tk := a.create("")
	if got := a.refresh(tk.Token); got.Token != tk.Token {
		t.Fatal("refresh issued a new token before the switch")
	}

	wantBackToPhone(t, e.control("/sandbox/controls/renew-new-token", url.Values{"on": {"1"}}, nil))
	if !strings.Contains(e.get("/sandbox/phone").raw, "Keep the same token on refresh") {
		t.Error("phone page does not show the switch on")
	}
	nt := a.refresh(tk.Token)
	if nt.Token == tk.Token || nt.Status != string(StatusNormal) {
		t.Fatalf("refresh with the switch on: %+v", nt)
	}
	wantStatus(t, a.check(tk.Token), StatusInvalid)

	wantBackToPhone(t, e.control("/sandbox/controls/renew-new-token", url.Values{"on": {"0"}}, nil))
	if got := a.refresh(nt.Token); got.Token != nt.Token {
		t.Error("refresh still issues new tokens after the switch went off")
	}
}

func TestControlsRefuseOtherOrigins(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(false)
	tk := a.create("")
	code, _ := e.sim.SMSCode(tk.Token)
	for _, h := range []map[string]string{{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}} {
		for path, form := range map[string]url.Values{
			"/sandbox/controls/skew":            {"seconds": {"900"}},
			"/sandbox/controls/invalidate":      {"token": {tk.Token}},
			"/sandbox/controls/renew-new-token": {"on": {"1"}},
			"/sandbox/phone/verify":             {"token": {tk.Token}, "code": {code}},
			"/sandbox/faults":                   {"path": {pCheck}, "status": {"500"}},
		} {
			if r := e.control(path, form, h); r.status != http.StatusForbidden {
				t.Errorf("%s from %v: %d", path, h, r.status)
			}
		}
	}
	if e.sim.Skew() != 0 || e.sim.RenewNewToken() || len(e.sim.Faults().Rules()) != 0 {
		t.Error("a cross-origin form changed the server")
	}
	if info, _ := e.sim.Token(tk.Token); info.Status != StatusPending {
		t.Errorf("a cross-origin form changed the token to %s", info.Status)
	}
}

func TestFaultsPageForWebull(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.app(true)
	tk := a.create("")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/sandbox/faults", nil)
	req.Header.Set("Accept", "text/html")
	page := e.send(req)
	if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("faults page: %d %q", page.status, page.header.Get("Content-Type"))
	}
	for _, p := range []string{pCreate, pCheck, pRefresh, pList, "/auth/tokens/check"} {
		if !strings.Contains(page.raw, `<option value="`+p+`"`) {
			t.Errorf("faults page does not offer %s", p)
		}
	}
	if !strings.Contains(page.raw, `href="/sandbox/phone"`) {
		t.Error("faults page does not link back to the phone")
	}

	r := e.control("/sandbox/faults", url.Values{"path": {pCheck}, "status": {"503"}, "times": {"1"}}, map[string]string{"Origin": e.srv.URL})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sandbox/faults" {
		t.Fatalf("fault form: %d %q %s", r.status, r.header.Get("Location"), r.raw)
	}
	if r := a.do(sreq{path: pCheck, body: `{"token":"` + tk.Token + `"}`}); r.status != http.StatusServiceUnavailable {
		t.Fatalf("fault set through the form not applied: %d %s", r.status, r.raw)
	}
	wantStatus(t, a.check(tk.Token), StatusNormal)
}
