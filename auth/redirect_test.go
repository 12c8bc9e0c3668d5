package auth

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A broker call follows a redirect within its origin and no other: the
// body (a refresh token) and the headers (an access token, an app key)
// of a 307 never reach another port or host, and the refusal names both.
func TestSameOriginClientRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	defer other.Close()
	_, otherPort, _ := net.SplitHostPort(other.Listener.Addr().String())

	var target string
	broker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/landed" {
			b, _ := io.ReadAll(r.Body)
			_, _ = w.Write([]byte("landed " + string(b) + " " + r.Header.Get("X-Access-Token")))
			return
		}
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	}))
	defer broker.Close()
	_, brokerPort, _ := net.SplitHostPort(broker.Listener.Addr().String())

	client := SameOriginClient(&http.Client{})
	post := func() (string, error) {
		req, _ := http.NewRequest(http.MethodPost, broker.URL+"/oauth2/token", strings.NewReader("refresh_token=rt-fake"))
		req.Header.Set("X-Access-Token", "at-fake")
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), nil
	}

	target = broker.URL + "/landed"
	if got, err := post(); err != nil || got != "landed refresh_token=rt-fake at-fake" {
		t.Fatalf("same origin: %q, %v; want the redirect followed with body and header", got, err)
	}

	for _, c := range []struct{ name, to, from, want string }{
		{"other port", "http://127.0.0.1:" + otherPort + "/landed", "127.0.0.1:" + brokerPort, "127.0.0.1:" + otherPort},
		{"other host", "http://localhost:" + otherPort + "/landed", "127.0.0.1:" + brokerPort, "localhost:" + otherPort},
		{"other scheme", "https://127.0.0.1:" + brokerPort + "/landed", "http://127.0.0.1:" + brokerPort, "https://127.0.0.1:" + brokerPort},
	} {
		target = c.to
		got, err := post()
		var re *RedirectError
		if !errors.As(err, &re) {
			t.Fatalf("%s: %q, %v; want a refused redirect", c.name, got, err)
		}
		why := NetworkWhy(err)
		if !strings.Contains(why, c.from+" redirected the call") || !strings.Contains(why, c.want) {
			t.Errorf("%s: %q does not name %s and %s", c.name, why, c.from, c.want)
		}
		if strings.Contains(why, "rt-fake") || strings.Contains(why, "at-fake") || strings.Contains(why, "\"") {
			t.Errorf("%s: %q shows a secret or Go's error chain", c.name, why)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("%d requests reached the other origin", n)
	}
}

// Origin writes the default port out and ignores case.
func TestOrigin(t *testing.T) {
	for _, c := range [][2]string{
		{"https://API.example/x", "https://api.example:443"},
		{"https://api.example:443/y", "https://api.example:443"},
		{"http://127.0.0.1/", "http://127.0.0.1:80"},
		{"http://[::1]:8080/", "http://[::1]:8080"},
	} {
		u, _ := http.NewRequest("GET", c[0], nil)
		if got := Origin(u.URL); got != c[1] {
			t.Errorf("Origin(%s) = %s, want %s", c[0], got, c[1])
		}
	}
}
