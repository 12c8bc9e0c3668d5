package fault

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// backend counts the requests that got through to the real handler.
type backend struct{ hits atomic.Int32 }

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.hits.Add(1)
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"ok":true}`)
}

func serve(t *testing.T, in *Injector) (*httptest.Server, *backend) {
	t.Helper()
	b := &backend{}
	ts := httptest.NewServer(in.Wrap(b))
	t.Cleanup(ts.Close)
	return ts, b
}

func call(t *testing.T, ctx context.Context, u string) (int, string, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func mustCall(t *testing.T, u string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	code, body, err := call(t, ctx, u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return code, body
}

func TestNoRulePassesThrough(t *testing.T) {
	in := New(nil)
	ts, b := serve(t, in)
	in.Set("/other", Rule{Status: 500})
	if code, body := mustCall(t, ts.URL+"/token"); code != 200 || body != `{"ok":true}` {
		t.Errorf("%d %s", code, body)
	}
	if b.hits.Load() != 1 {
		t.Errorf("backend hits %d", b.hits.Load())
	}
}

func TestStatusRule(t *testing.T) {
	in := New(nil)
	ts, b := serve(t, in)
	in.Set("/token", Rule{Status: 503})
	for i := 0; i < 2; i++ {
		code, body := mustCall(t, ts.URL+"/token")
		if code != 503 || !strings.Contains(body, "sandbox fault") {
			t.Errorf("call %d: %d %q", i, code, body)
		}
	}
	if b.hits.Load() != 0 {
		t.Errorf("a faulted request reached the handler")
	}
	// The query string does not hide the path from its rule.
	if code, _ := mustCall(t, ts.URL+"/token?x=1"); code != 503 {
		t.Errorf("with a query: %d", code)
	}
}

func TestMalformedRule(t *testing.T) {
	in := New(nil)
	ts, _ := serve(t, in)
	in.Set("/token", Rule{Malformed: true})
	code, body := mustCall(t, ts.URL+"/token")
	var v any
	if code != 200 || json.Unmarshal([]byte(body), &v) == nil {
		t.Errorf("%d %q is not a 200 with broken JSON", code, body)
	}
}

func TestResetRule(t *testing.T) {
	in := New(nil)
	ts, b := serve(t, in)
	in.Set("/token", Rule{Reset: true, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := call(t, ctx, ts.URL+"/token")
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a connection error at once, got %v", err)
	}
	if code, _ := mustCall(t, ts.URL+"/token"); code != 200 || b.hits.Load() != 1 {
		t.Errorf("after the one reset: %d, hits %d", code, b.hits.Load())
	}
}

func TestTimesCountsDown(t *testing.T) {
	in := New(nil)
	ts, b := serve(t, in)
	in.Set("/token", Rule{Status: 500, Times: 2})
	if code, _ := mustCall(t, ts.URL+"/token"); code != 500 {
		t.Fatalf("first: %d", code)
	}
	if r := in.Rules()["/token"]; r.Times != 1 {
		t.Errorf("Times left %d, want 1", r.Times)
	}
	if code, _ := mustCall(t, ts.URL+"/token"); code != 500 {
		t.Fatalf("second: %d", code)
	}
	if _, ok := in.Rules()["/token"]; ok {
		t.Error("the spent rule was kept")
	}
	if code, _ := mustCall(t, ts.URL+"/token"); code != 200 || b.hits.Load() != 1 {
		t.Errorf("third: %d, hits %d", code, b.hits.Load())
	}
}

func TestTimesUnderConcurrency(t *testing.T) {
	in := New(nil)
	ts, b := serve(t, in)
	in.Set("/token", Rule{Status: 500, Times: 5})
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if code, _, err := call(t, ctx, ts.URL+"/token"); err == nil && code == 500 {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 5 || b.hits.Load() != 15 {
		t.Errorf("%d faulted and %d passed, want 5 and 15", failed.Load(), b.hits.Load())
	}
}

func TestLatencyWaitsOnTheInjectedClock(t *testing.T) {
	fc := clockwork.NewFakeClock()
	in := New(fc)
	ts, b := serve(t, in)
	in.Set("/token", Rule{Latency: time.Minute, Status: 502})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	type answer struct {
		code int
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		code, _, err := call(t, ctx, ts.URL+"/token")
		done <- answer{code, err}
	}()
	if err := fc.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal("the request never waited on the clock")
	}
	fc.Advance(59 * time.Second)
	select {
	case a := <-done:
		t.Fatalf("answered %d before the latency passed", a.code)
	case <-time.After(50 * time.Millisecond):
	}
	fc.Advance(time.Second)
	select {
	case a := <-done:
		if a.err != nil || a.code != 502 {
			t.Errorf("after the latency: %d %v", a.code, a.err)
		}
	case <-ctx.Done():
		t.Fatal("no answer after the latency passed")
	}
	if b.hits.Load() != 0 {
		t.Error("a status rule with latency reached the handler")
	}
}

func TestLatencyAloneThenHandler(t *testing.T) {
	fc := clockwork.NewFakeClock()
	in := New(fc)
	ts, b := serve(t, in)
	in.Set("/token", Rule{Latency: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan int, 1)
	go func() {
		code, _, _ := call(t, ctx, ts.URL+"/token")
		done <- code
	}()
	if err := fc.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	fc.Advance(time.Second)
	select {
	case code := <-done:
		if code != 200 || b.hits.Load() != 1 {
			t.Errorf("%d, hits %d", code, b.hits.Load())
		}
	case <-ctx.Done():
		t.Fatal("no answer")
	}
}

func TestLatencyGivesUpWhenTheClientDoes(t *testing.T) {
	fc := clockwork.NewFakeClock()
	in := New(fc)
	b := &backend{}
	returned := make(chan struct{}, 1)
	wrapped := in.Wrap(b)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wrapped.ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	defer ts.Close()
	in.Set("/token", Rule{Latency: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, _, err := call(t, ctx, ts.URL+"/token")
		errc <- err
	}()
	wait, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	if err := fc.BlockUntilContext(wait, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("client error %v", err)
		}
	case <-wait.Done():
		t.Fatal("the client's cancel did not end the request")
	}
	// The server gives up too, without waiting out the hour.
	select {
	case <-returned:
	case <-wait.Done():
		t.Fatal("the handler still waits after the client left")
	}
	if b.hits.Load() != 0 {
		t.Error("a cancelled request reached the handler")
	}
}

func TestSetClearRulesPaths(t *testing.T) {
	in := New(nil)
	in.Set("/b", Rule{Status: 500})
	in.Set("/a", Rule{Malformed: true, Times: 3})
	if got := in.Paths(); len(got) != 2 || got[0] != "/a" || got[1] != "/b" {
		t.Errorf("Paths %v", got)
	}
	rules := in.Rules()
	rules["/c"] = Rule{Status: 1}
	if len(in.Rules()) != 2 {
		t.Error("Rules returned the live map")
	}
	in.Set("/a", Rule{Times: 4}) // no effect left: clears
	if _, ok := in.Rules()["/a"]; ok {
		t.Error("an empty rule did not clear the path")
	}
	in.Clear()
	if len(in.Paths()) != 0 {
		t.Error("Clear left rules")
	}
}

func admin(t *testing.T, h http.Handler, method, body string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, "/sandbox/faults", strings.NewReader(body)))
	return rec
}

func TestAdminJSON(t *testing.T) {
	in := New(nil)
	if rec := admin(t, in, http.MethodPut, `{"path":"/oauth2/token","rule":{"status":500,"times":2}}`); rec.Code != http.StatusNoContent {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	if rec := admin(t, in, http.MethodPost, `{"path":"/v1/auth/verify","rule":{"latency":2000000000}}`); rec.Code != http.StatusNoContent {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	rec := admin(t, in, http.MethodGet, "")
	var got map[string]Rule
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("GET is not JSON: %s", rec.Body)
	}
	if got["/oauth2/token"] != (Rule{Status: 500, Times: 2}) || got["/v1/auth/verify"] != (Rule{Latency: 2 * time.Second}) {
		t.Errorf("rules %+v", got)
	}
	for _, bad := range []string{`not json`, `{"rule":{"status":500}}`} {
		if rec := admin(t, in, http.MethodPut, bad); rec.Code != http.StatusBadRequest {
			t.Errorf("PUT %s: %d", bad, rec.Code)
		}
	}
	if rec := admin(t, in, http.MethodPatch, ""); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("PATCH: %d", rec.Code)
	}
	if rec := admin(t, in, http.MethodDelete, ""); rec.Code != http.StatusNoContent || len(in.Rules()) != 0 {
		t.Errorf("DELETE: %d, %d rules left", rec.Code, len(in.Rules()))
	}
}

func TestAdminAcceptsDurationStringsAndRefusesOtherOrigins(t *testing.T) {
	in := New(nil)
	put := func(body, origin string) int {
		req := httptest.NewRequest(http.MethodPut, "http://127.0.0.1:9/sandbox/faults", strings.NewReader(body))
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		rec := httptest.NewRecorder()
		in.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := put(`{"path":"/a","rule":{"latency":"2s","status":503}}`, ""); code != http.StatusNoContent {
		t.Fatalf("duration string refused: %d", code)
	}
	if got := in.Rules()["/a"]; got.Latency != 2*time.Second || got.Status != 503 {
		t.Errorf("rule = %+v", got)
	}
	if code := put(`{"path":"/b","rule":{"latency":"soon"}}`, ""); code != http.StatusBadRequest {
		t.Errorf("bad duration: %d", code)
	}
	if code := put(`{"path":"/c","rule":{"status":500}}`, "http://evil.example"); code != http.StatusForbidden {
		t.Errorf("cross-origin change: %d", code)
	}
	if _, ok := in.Rules()["/c"]; ok {
		t.Error("a cross-origin request installed a rule")
	}
	if code := put(`{"path":"/d","rule":{"status":500}}`, "http://127.0.0.1:9"); code != http.StatusNoContent {
		t.Errorf("same-origin change: %d", code)
	}
}

// A redirect rule answers 307 to its origin with the request's path and
// query, so a client that follows it sends the same request there.
func TestRedirectRule(t *testing.T) {
	in := New(nil)
	ts, b := serve(t, in)
	in.Set("/token", Rule{Redirect: "http://127.0.0.1:9/", Times: 1})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(ts.URL + "/token?a=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != "http://127.0.0.1:9/token?a=1" {
		t.Errorf("got %d to %q, want 307 to http://127.0.0.1:9/token?a=1", resp.StatusCode, resp.Header.Get("Location"))
	}
	if b.hits.Load() != 0 {
		t.Errorf("the handler ran under a redirect rule")
	}
}
