package futusim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestFaultsPageFromTheAdminPage(t *testing.T) {
	e := newEnv(t, Options{})
	if !strings.Contains(e.get("/sandbox/").body, `href="/sandbox/faults"`) {
		t.Fatal("the admin page does not link the faults page")
	}
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/sandbox/faults", nil)
	req.Header.Set("Accept", "text/html")
	page := e.do(req)
	if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("faults page: %d %q", page.status, page.header.Get("Content-Type"))
	}
	for _, p := range []string{"/oauth2/token", "/oauth2/register", "/v1/auth/verify", "/v1/token/refresh", "/.well-known/oauth-authorization-server"} {
		if !strings.Contains(page.body, `<option value="`+p+`"`) {
			t.Errorf("faults page does not offer %s", p)
		}
	}
	if strings.Contains(page.body, "{id}") {
		t.Error("faults page offers a pattern, which no request path can match")
	}
	if !strings.Contains(page.body, `href="/sandbox/"`) {
		t.Error("faults page does not link back to the admin page")
	}

	r := e.postForm("/sandbox/faults", url.Values{"path": {"/.well-known/oauth-authorization-server"}, "status": {"500"}, "times": {"1"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/sandbox/faults" {
		t.Fatalf("form: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	if !strings.Contains(e.get("/sandbox/").body, "status 500") {
		t.Error("the admin page does not list the fault")
	}
	if r := e.get("/.well-known/oauth-authorization-server"); r.status != http.StatusInternalServerError {
		t.Errorf("faulted request: %d", r.status)
	}
	if r := e.get("/.well-known/oauth-authorization-server"); r.status != http.StatusOK {
		t.Errorf("after its one time: %d", r.status)
	}
}

func TestFaultsFormFromAnotherOriginIsRefused(t *testing.T) {
	e := newEnv(t, Options{})
	for _, h := range [][2]string{{"Origin", "http://evil.example"}, {"Sec-Fetch-Site", "cross-site"}} {
		req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/sandbox/faults", strings.NewReader("path=%2Foauth2%2Ftoken&status=500"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(h[0], h[1])
		if r := e.do(req); r.status != http.StatusForbidden {
			t.Errorf("%s: %d", h, r.status)
		}
	}
	if len(e.srv.Faults().Rules()) != 0 {
		t.Error("a cross-origin form installed a fault")
	}
}
