package fault

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// site is a sandbox-like server: the admin page beside a faulted API.
type site struct {
	t  *testing.T
	in *Injector
	ts *httptest.Server
	b  *backend
}

func newSite(t *testing.T) *site {
	t.Helper()
	in := New(nil)
	in.SetPaths([]string{"/v1/token", "/oauth2/token"})
	in.SetBackLink("/sandbox/", "Sandbox home")
	b := &backend{}
	api := in.Wrap(b)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sandbox/faults" {
			in.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	return &site{t: t, in: in, ts: ts, b: b}
}

type answer struct {
	code   int
	header http.Header
	body   string
}

// do sends req without following redirects.
func (s *site) do(req *http.Request) answer {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req.WithContext(ctx))
	if err != nil {
		s.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(b)}
}

func (s *site) submit(form url.Values, header map[string]string) answer {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.ts.URL+"/sandbox/faults", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return s.do(req)
}

func (s *site) page() answer {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/sandbox/faults", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	a := s.do(req)
	if a.code != http.StatusOK || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
		s.t.Fatalf("faults page: %d %q", a.code, a.header.Get("Content-Type"))
	}
	return a
}

func (s *site) api(path string) answer {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.ts.URL+path, nil)
	return s.do(req)
}

func TestFormInstalledFaultBreaksTheNextRequest(t *testing.T) {
	s := newSite(t)
	page := s.page().body
	for _, want := range []string{`<option value="/oauth2/token"`, `<option value="/v1/token"`, `href="/sandbox/"`, "No fault installed"} {
		if !strings.Contains(page, want) {
			t.Errorf("empty page lacks %q", want)
		}
	}

	a := s.submit(url.Values{"op": {"set"}, "path": {"/v1/token"}, "status": {"503"}, "times": {"1"}}, map[string]string{"Origin": s.ts.URL})
	if a.code != http.StatusSeeOther || a.header.Get("Location") != "/sandbox/faults" {
		t.Fatalf("form POST: %d %q %s", a.code, a.header.Get("Location"), a.body)
	}
	if got := s.page().body; !strings.Contains(got, "<code>/v1/token</code>") || !strings.Contains(got, "503") || !strings.Contains(got, "next 1") {
		t.Errorf("page does not list the fault:\n%s", got)
	}
	if r := s.api("/v1/token"); r.code != http.StatusServiceUnavailable {
		t.Errorf("faulted request: %d %s", r.code, r.body)
	}
	if r := s.api("/v1/token"); r.code != http.StatusOK {
		t.Errorf("after its one time: %d", r.code)
	}
	if n := s.b.hits.Load(); n != 1 {
		t.Errorf("backend reached %d times, want 1", n)
	}
}

func TestFormLatencyMalformedResetAndFreePath(t *testing.T) {
	s := newSite(t)
	// The free-text path wins over the list, for endpoints the list lacks.
	s.submit(url.Values{"path": {"/v1/token"}, "path_other": {" /custom/one "}, "malformed": {"1"}}, nil)
	if r := s.api("/custom/one"); r.code != 200 || json.Valid([]byte(r.body)) {
		t.Errorf("malformed: %d %q", r.code, r.body)
	}
	if _, ok := s.in.Rules()["/v1/token"]; ok {
		t.Error("the listed path was used although another path was typed")
	}
	s.submit(url.Values{"path": {"/oauth2/token"}, "reset": {"1"}}, nil)
	req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/oauth2/token", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if res, err := http.DefaultClient.Do(req.WithContext(ctx)); err == nil {
		res.Body.Close()
		t.Errorf("reset: got an answer %d", res.StatusCode)
	}
	s.submit(url.Values{"path": {"/v1/token"}, "latency": {"1500ms"}}, nil)
	if got := s.in.Rules()["/v1/token"]; got.Latency != 1500*time.Millisecond || got.Status != 0 {
		t.Errorf("latency rule %+v", got)
	}
	if !strings.Contains(s.page().body, "1.5s") {
		t.Error("page does not show the latency")
	}
}

func TestFormRemoveAndClearAll(t *testing.T) {
	s := newSite(t)
	s.in.Set("/a", Rule{Status: 500})
	s.in.Set("/b", Rule{Status: 503})
	s.in.Set("/c", Rule{Malformed: true})
	if page := s.page().body; !strings.Contains(page, "Clear all faults") {
		t.Error("no clear-all form")
	}
	if a := s.submit(url.Values{"op": {"remove"}, "path": {"/b"}}, nil); a.code != http.StatusSeeOther {
		t.Fatalf("remove: %d", a.code)
	}
	if got := s.in.Paths(); len(got) != 2 || got[0] != "/a" || got[1] != "/c" {
		t.Errorf("after remove: %v", got)
	}
	if a := s.submit(url.Values{"op": {"clear"}}, nil); a.code != http.StatusSeeOther || len(s.in.Rules()) != 0 {
		t.Errorf("clear all: %d, %d rules left", a.code, len(s.in.Rules()))
	}
	if r := s.api("/a"); r.code != 200 {
		t.Errorf("cleared path still faulted: %d", r.code)
	}
}

func TestFormRefusesBadInputAndKeepsWhatWasTyped(t *testing.T) {
	s := newSite(t)
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"path": {"/v1/token"}, "latency": {"soon"}, "times": {"3"}}, "Latency must be"},
		{url.Values{"path": {"/v1/token"}, "status": {"200"}}, "error status"},
		{url.Values{"path": {"/v1/token"}, "status": {"500"}, "times": {"-1"}}, "Times must be"},
		{url.Values{"path": {"/v1/token"}}, "at least one fault"},
		{url.Values{"path_other": {"v1/token"}, "status": {"500"}}, "must start with /"},
		{url.Values{"op": {"explode"}}, "Unknown action"},
	} {
		a := s.submit(c.form, nil)
		if a.code != http.StatusBadRequest || !strings.Contains(a.body, c.want) {
			t.Errorf("%v: %d, want 400 with %q", c.form, a.code, c.want)
		}
	}
	if len(s.in.Rules()) != 0 {
		t.Errorf("bad forms installed rules: %v", s.in.Rules())
	}
	a := s.submit(url.Values{"path": {"/oauth2/token"}, "latency": {"soon"}, "times": {"3"}, "reset": {"1"}}, nil)
	for _, want := range []string{`value="soon"`, `value="3"`, `<option value="/oauth2/token" selected>`, `name="reset" value="1" checked`} {
		if !strings.Contains(a.body, want) {
			t.Errorf("error page lost %q", want)
		}
	}
}

func TestPageEscapesHostilePaths(t *testing.T) {
	s := newSite(t)
	s.in.SetPaths([]string{`/known"><script>alert(2)</script>`})
	s.in.SetBackLink(`javascript:alert(3)`, `<b>home</b>`)
	a := s.submit(url.Values{"path_other": {`/x"><script>alert(1)</script>`}, "status": {"500"}}, nil)
	if a.code != http.StatusSeeOther {
		t.Fatalf("hostile path refused: %d %s", a.code, a.body)
	}
	page := s.page().body
	for _, raw := range []string{"<script>alert", "<b>home", `href="javascript:`} {
		if strings.Contains(page, raw) {
			t.Errorf("page contains unescaped %q", raw)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)") {
		t.Error("the hostile rule is not listed (escaped)")
	}
}

func TestFormFromAnotherOriginIsRefused(t *testing.T) {
	s := newSite(t)
	form := url.Values{"path": {"/v1/token"}, "status": {"500"}}
	for _, h := range []map[string]string{
		{"Origin": "http://evil.example"},
		{"Origin": "null"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
	} {
		if a := s.submit(form, h); a.code != http.StatusForbidden {
			t.Errorf("%v: %d", h, a.code)
		}
		if a := s.submit(url.Values{"op": {"clear"}}, h); a.code != http.StatusForbidden {
			t.Errorf("clear %v: %d", h, a.code)
		}
	}
	if len(s.in.Rules()) != 0 {
		t.Fatal("a cross-origin form installed a rule")
	}
	if a := s.submit(form, map[string]string{"Origin": s.ts.URL, "Sec-Fetch-Site": "same-origin"}); a.code != http.StatusSeeOther {
		t.Errorf("same-origin form: %d", a.code)
	}
}

func TestJSONStaysJSON(t *testing.T) {
	s := newSite(t)
	// curl -d labels its body as a form; a JSON object is still read as JSON.
	req, _ := http.NewRequest(http.MethodPost, s.ts.URL+"/sandbox/faults", strings.NewReader(`{"path":"/v1/token","rule":{"status":500}}`))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if a := s.do(req); a.code != http.StatusNoContent || s.in.Rules()["/v1/token"].Status != 500 {
		t.Fatalf("curl-style JSON: %d %s", a.code, a.body)
	}
	req, _ = http.NewRequest(http.MethodGet, s.ts.URL+"/sandbox/faults", nil)
	req.Header.Set("Accept", "application/json")
	a := s.do(req)
	var got map[string]Rule
	if err := json.Unmarshal([]byte(a.body), &got); err != nil || got["/v1/token"].Status != 500 {
		t.Errorf("GET without text/html: %q", a.body)
	}
}
