package webull

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzStringToSign: any path, query and body sign to a string of only the
// unreserved characters and %XX, the same whatever order a repeated
// key's values came in.
func FuzzStringToSign(f *testing.F) {
	f.Add("/trade/place_order", "a1=webull&a2=123&a3=xxx&q1=yyy", `{"k1":123}`)
	f.Add("/openapi/config", "A=1&a=2&a=1", "")
	f.Add("/p q", "x=%26&x=%3D&Y=%20", "é<>&")
	f.Fuzz(func(t *testing.T, path, rawQuery, body string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			t.Skip()
		}
		in := SignInput{Path: path, Query: q, AppKey: "test-app-key", Timestamp: "2026-03-02T09:00:00Z",
			Nonce: "n", Algorithm: HMACSHA256, Host: "api.example.test", Body: []byte(body)}
		enc, _ := StringToSign(in)
		for i := 0; i < len(enc); i++ {
			c := enc[i]
			if c == '%' {
				if i+2 >= len(enc) || !strings.ContainsRune("0123456789ABCDEF", rune(enc[i+1])) || !strings.ContainsRune("0123456789ABCDEF", rune(enc[i+2])) {
					t.Fatalf("bad escape at %d in %q", i, enc)
				}
				continue
			}
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0) {
				t.Fatalf("unescaped %q in %q", c, enc)
			}
		}
		rev := url.Values{}
		for k, vs := range q {
			for i := len(vs) - 1; i >= 0; i-- {
				rev.Add(k, vs[i])
			}
		}
		in.Query = rev
		if again, _ := StringToSign(in); again != enc {
			t.Fatalf("the order of repeated values changed the signature: %q vs %q", enc, again)
		}
	})
}

// FuzzParseTokenInfo: a broker answer never panics, and a token that is
// accepted is one that can be stored and sent in a header.
func FuzzParseTokenInfo(f *testing.F) {
	f.Add(`{"token":"0123456789abcdef0123456789abcdef","expires":1772442000000,"status":"NORMAL"}`)
	f.Add(`{"data":{"token":"t","expires_at":"2026-03-02T09:00:00Z","status":1}}`)
	f.Add(`{"token":"a b","status":"PENDING"}`)
	f.Add(`null`)
	f.Add(`{"token":"t\u0001x","status":"NORMAL"}`)
	f.Add(`{"token":"tökén","status":"NORMAL"}`)
	f.Add(`{"token":"t","expires":-1,"status":"NORMAL"}`)
	f.Fuzz(func(t *testing.T, raw string) {
		ti, err := parseTokenInfo([]byte(raw))
		if err != nil {
			return
		}
		if ti.Token == "" || len(ti.Token) > 512 || strings.IndexFunc(ti.Token, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
			t.Fatalf("accepted token %q", ti.Token)
		}
		switch ti.Status {
		case StatusPending, StatusNormal, StatusInvalid, StatusExpired:
		default:
			t.Fatalf("accepted status %q", ti.Status)
		}
	})
}
