package futusim

import (
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The expected values were computed outside Go:
//
//	printf 'GET\n/v1/auth/verify\n1714032000\n' | openssl dgst -sha256 -hmac test-app-secret-0001
//	printf 'POST\n/v1/quote/snapshot\n1714032000\n{"security_list":["HK.00700"]}' | openssl dgst -sha256 -hmac test-app-secret-0001
func TestSignatureMatchesOpenSSL(t *testing.T) {
	cases := []struct{ method, path, body, want string }{
		{"GET", "/v1/auth/verify", "", "d781d624ad0c6aeb38897050c46fb29af56290dc8f2c5265a0e1b0e860b21094"},
		{"POST", "/v1/quote/snapshot", `{"security_list":["HK.00700"]}`, "14aa3e94bde987e2f0ccee6e66a82ffb49286fb715fbc616429815f6d55adcc6"},
	}
	for _, c := range cases {
		got := hex.EncodeToString(expectedSignature("test-app-secret-0001", c.method, c.path, "1714032000", []byte(c.body)))
		if got != c.want {
			t.Errorf("%s %s: server expects %s, openssl computed %s", c.method, c.path, got, c.want)
		}
		if own := sign("test-app-secret-0001", c.method, c.path, "1714032000", c.body); own != c.want {
			t.Errorf("the test's signer disagrees with openssl: %s", own)
		}
	}
}

func TestLegacyVerifyGoodSignature(t *testing.T) {
	e := newEnv(t, Options{})
	exp := epoch.Add(90 * 24 * time.Hour)
	k := e.addKey(exp)
	r := e.signed("GET", "/v1/auth/verify", "", k, epoch)
	m := wantAPICode(t, r, http.StatusOK, 0)
	data := m["data"].(map[string]any)
	if data["app_key"] != k.appKey || data["expired_at"] != exp.Format(time.RFC3339) {
		t.Errorf("data %v", data)
	}
	if m["message"] != "" {
		t.Errorf("message %v", m["message"])
	}
	// The query string is not part of the signed path.
	wantAPICode(t, e.signed("GET", "/v1/auth/verify?lang=en", "", k, epoch), http.StatusOK, 0)
}

func TestLegacySignatureErrors(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.addKey(epoch.Add(time.Hour))

	bad := k
	bad.secret = "test-wrong-secret"
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", bad, epoch), http.StatusUnauthorized, CodeBadSignature)

	unknown := k
	unknown.appKey = "0000feedfacecafe0000feedfacecafe"
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", unknown, epoch), http.StatusUnauthorized, CodeUnknownKey)

	wrongTok := k
	wrongTok.token = "test-not-the-token"
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", wrongTok, epoch), http.StatusUnauthorized, CodeBadToken)

	// Signed over a different method, or with the query in the path: refused.
	req, _ := http.NewRequest("GET", e.ts.URL+"/v1/auth/verify?a=1", nil)
	req.Header.Set("X-Api-Key", k.appKey)
	req.Header.Set("X-Api-Timestamp", "1773309600")
	req.Header.Set("X-Api-Signature", sign(k.secret, "GET", "/v1/auth/verify?a=1", "1773309600", ""))
	req.Header.Set("Authorization", "Bearer "+k.token)
	if epoch.Unix() != 1773309600 {
		t.Fatal("epoch moved; fix the literal timestamp")
	}
	wantAPICode(t, e.do(req), http.StatusUnauthorized, CodeBadSignature)
	req.Header.Set("X-Api-Signature", sign(k.secret, "POST", "/v1/auth/verify", "1773309600", ""))
	wantAPICode(t, e.do(req), http.StatusUnauthorized, CodeBadSignature)
	req.Header.Set("X-Api-Signature", "not hex")
	wantAPICode(t, e.do(req), http.StatusUnauthorized, CodeBadSignature)
	req.Header.Set("X-Api-Timestamp", "yesterday")
	wantAPICode(t, e.do(req), http.StatusUnauthorized, CodeTimestamp)

	// No credentials at all.
	wantAPICode(t, e.get("/v1/auth/verify"), http.StatusUnauthorized, CodeUnknownKey)
}

func TestLegacyTimestampWindow(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.addKey(epoch.Add(time.Hour))
	r := e.signed("GET", "/v1/auth/verify", "", k, epoch.Add(-61*time.Second))
	m := wantAPICode(t, r, http.StatusUnauthorized, CodeTimestamp)
	if msg := m["message"].(string); !strings.Contains(msg, "outside the 60 s window") {
		t.Errorf("message %q", msg)
	}
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", k, epoch.Add(-59*time.Second)), http.StatusOK, 0)
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", k, epoch.Add(59*time.Second)), http.StatusOK, 0)
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", k, epoch.Add(61*time.Second)), http.StatusUnauthorized, CodeTimestamp)
}

func TestLegacyRevokedKey(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.addKey(epoch.Add(time.Hour))
	other := e.addKey(epoch.Add(time.Hour))
	if !e.srv.RevokeAPIKey(k.appKey) {
		t.Fatal("key unknown")
	}
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", k, epoch), http.StatusUnauthorized, CodeUnknownKey)
	wantAPICode(t, e.signed("GET", "/v1/token/refresh", "", k, epoch), http.StatusUnauthorized, CodeUnknownKey)
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", other, epoch), http.StatusOK, 0)
	if e.srv.RevokeAPIKey("no-such-key") {
		t.Error("revoking an unknown key reported success")
	}
}

func TestLegacyTokenExpires(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.addKey(epoch.Add(time.Hour))
	e.fc.Advance(time.Hour + time.Second)
	m := wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", k, e.fc.Now()), http.StatusUnauthorized, CodeBadToken)
	if !strings.Contains(m["message"].(string), "expired") {
		t.Errorf("message %v", m["message"])
	}
	// An expired token cannot be refreshed either: the user needs a new key.
	wantAPICode(t, e.signed("GET", "/v1/token/refresh", "", k, e.fc.Now()), http.StatusUnauthorized, CodeBadToken)
}

func TestLegacyRefresh(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.addKey(epoch.Add(24 * time.Hour))
	until := epoch.AddDate(3, 0, 0)
	r := e.signed("GET", "/v1/token/refresh?expired_at="+until.Format(time.RFC3339), "", k, epoch)
	data := wantAPICode(t, r, http.StatusOK, 0)["data"].(map[string]any)
	newTok, _ := data["token"].(string)
	if newTok == "" || newTok == k.token {
		t.Fatalf("token %q", newTok)
	}
	if data["expired_at"] != until.Format(time.RFC3339) {
		t.Errorf("expired_at %v, want %s", data["expired_at"], until.Format(time.RFC3339))
	}
	if got, _ := e.srv.APIKeyExpiry(k.appKey); !got.Equal(until) {
		t.Errorf("APIKeyExpiry %v", got)
	}
	// The old token stops working at once; the new one works.
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", k, epoch), http.StatusUnauthorized, CodeBadToken)
	fresh := k
	fresh.token = newTok
	got := wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", fresh, epoch), http.StatusOK, 0)
	if got["data"].(map[string]any)["expired_at"] != until.Format(time.RFC3339) {
		t.Errorf("verify after refresh: %v", got)
	}

	// No expired_at: 90 days from now, as the seed says.
	r = e.signed("GET", "/v1/token/refresh", "", fresh, epoch)
	data = wantAPICode(t, r, http.StatusOK, 0)["data"].(map[string]any)
	if data["expired_at"] != epoch.Add(90*24*time.Hour).Format(time.RFC3339) {
		t.Errorf("default expiry %v", data["expired_at"])
	}
}

func TestLegacyRefreshRejectsBadExpiry(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.addKey(epoch.Add(24 * time.Hour))
	for name, v := range map[string]string{
		"past":                  epoch.Add(-time.Minute).Format(time.RFC3339),
		"four years":            epoch.AddDate(4, 0, 0).Format(time.RFC3339),
		"three years and a day": epoch.AddDate(3, 0, 1).Format(time.RFC3339),
		"not rfc3339":           "2029-01-01 10:00:00",
	} {
		r := e.signed("GET", "/v1/token/refresh?expired_at="+strings.ReplaceAll(v, " ", "%20"), "", k, epoch)
		if r.status != http.StatusBadRequest || r.json(t)["code"] != float64(CodeInvalidParameter) {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	// Nothing changed: the token still works.
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", k, epoch), http.StatusOK, 0)
}

func TestSkewMovesTheServerClock(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.addKey(epoch.Add(time.Hour))
	e.srv.SetSkew(2 * time.Minute)
	r := e.signed("GET", "/v1/auth/verify", "", k, epoch)
	wantAPICode(t, r, http.StatusUnauthorized, CodeTimestamp)
	date, err := http.ParseTime(r.header.Get("Date"))
	if err != nil || !date.Equal(epoch.Add(2*time.Minute)) {
		t.Errorf("Date %q, want the skewed time %s", r.header.Get("Date"), epoch.Add(2*time.Minute))
	}
	// A client that corrects for the Date header gets through.
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", k, date), http.StatusOK, 0)
	e.srv.SetSkew(0)
	wantAPICode(t, e.signed("GET", "/v1/auth/verify", "", k, epoch), http.StatusOK, 0)
}

func TestSignedBodyCall(t *testing.T) {
	e := newEnv(t, Options{})
	k := e.addKey(epoch.Add(time.Hour))
	body := `{"security_list":["HK.00700"]}`
	wantAPICode(t, e.signed("POST", "/v1/quote/snapshot", body, k, epoch), http.StatusOK, 0)

	// A body changed after signing is caught.
	req, _ := http.NewRequest("POST", e.ts.URL+"/v1/quote/snapshot", strings.NewReader(body+" "))
	req.Header.Set("X-Api-Key", k.appKey)
	req.Header.Set("X-Api-Timestamp", "1773309600")
	req.Header.Set("X-Api-Signature", sign(k.secret, "POST", "/v1/quote/snapshot", "1773309600", body))
	req.Header.Set("Authorization", "Bearer "+k.token)
	req.Header.Set("Content-Type", "application/json")
	wantAPICode(t, e.do(req), http.StatusUnauthorized, CodeBadSignature)
}

func TestKeySecretsAreRandom(t *testing.T) {
	e := newEnv(t, Options{})
	a, b := e.addKey(epoch), e.addKey(epoch)
	if a.appKey == b.appKey || a.secret == b.secret || a.token == b.token || len(a.secret) < 32 {
		t.Errorf("keys not random: %v %v", a, b)
	}
}
