package webull

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// BenchmarkSignRequest is the cost tokentray adds to every Webull call.
func BenchmarkSignRequest(b *testing.B) {
	s := Signer{AppKey: "test-app-key-0001", AppSecret: "test-app-secret-0001", Algorithm: "HMAC-SHA256"}
	body := []byte(`{"token":"0123456789abcdef0123456789abcdef"}`)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, "https://api.webull.com/openapi/auth/token/check", strings.NewReader(string(body)))
		s.SignRequest(req, body, now)
	}
}
