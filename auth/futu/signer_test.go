package futu

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth/sandbox/futusim"
)

// Expected signatures were computed with
// printf 'METHOD\nPATH\nTS\nBODY' | openssl dgst -sha256 -hmac SECRET
func TestSignatureVectors(t *testing.T) {
	cases := []struct {
		secret, method, path string
		ts                   int64
		body                 string
		want                 string
	}{
		{"test-app-secret-0001", "POST", "/v1/quote/snapshot", 1714032000, `{"security_list":["HK.00700"]}`,
			"14aa3e94bde987e2f0ccee6e66a82ffb49286fb715fbc616429815f6d55adcc6"},
		{"test-app-secret-0001", "GET", "/v1/auth/verify", 1714032000, "",
			"d781d624ad0c6aeb38897050c46fb29af56290dc8f2c5265a0e1b0e860b21094"},
		{"test-app-secret-0002", "GET", "/v1/token/refresh", 1772442000, "",
			"8832e2f54135456526c1d30bc1d5f1a5fb021c2fd2e35f6cb2543aa1cebfc2e2"},
	}
	for _, c := range cases {
		if got := Signature(c.secret, c.method, c.path, c.ts, []byte(c.body)); got != c.want {
			t.Errorf("Signature(%s %s) = %s, want %s", c.method, c.path, got, c.want)
		}
	}
}

func TestSignSetsHeadersAndSignsPathWithoutQuery(t *testing.T) {
	req, _ := http.NewRequest("GET", "https://openapi.futunn.com/v1/token/refresh?expired_at=2026-06-01T00:00:00Z", nil)
	Signer{AppKey: "test-app-key-0002", AppSecret: "test-app-secret-0002", AccessToken: "test-access-token-0002"}.
		Sign(req, nil, time.Unix(1772442000, 0))
	want := map[string]string{
		"X-Api-Key":       "test-app-key-0002",
		"X-Api-Timestamp": "1772442000",
		"X-Api-Signature": "8832e2f54135456526c1d30bc1d5f1a5fb021c2fd2e35f6cb2543aa1cebfc2e2",
		"Authorization":   "Bearer test-access-token-0002",
		"Content-Type":    "application/json",
	}
	for k, v := range want {
		if got := req.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if strings.Contains(req.Header.Get("X-Api-Signature"), "test-app-secret") {
		t.Error("the app secret was sent")
	}
}

// A signed POST with a body is accepted by the sandbox, which checks the
// signature independently.
func TestSignedPostAcceptedBySandbox(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	s, base := sim(t, clock, futusim.Options{})
	key, secret, token := s.AddAPIKey(t0.Add(30 * 24 * time.Hour))
	body := []byte(`{"security_list":["HK.00700"]}`)
	send := func(sg Signer) int {
		req, _ := http.NewRequest("POST", base+"/v1/quote/snapshot", bytes.NewReader(body))
		sg.Sign(req, body, clock.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := send(Signer{key, secret, token}); got != 200 {
		t.Fatalf("signed POST answered %d, want 200", got)
	}
	if got := send(Signer{key, "test-wrong-secret-0001", token}); got != 401 {
		t.Fatalf("POST signed with the wrong secret answered %d, want 401", got)
	}
}
