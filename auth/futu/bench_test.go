package futu

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkSign is the cost tokentray adds to every signed Futu call.
func BenchmarkSign(b *testing.B) {
	s := Signer{AppKey: "test-app-key-0001", AppSecret: "test-app-secret-0001", AccessToken: "test-access-token-0001"}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, "https://openapi.futunn.com/v1/auth/verify", nil)
		s.Sign(req, nil, now)
	}
}
