package webull

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The broker's own published example.
func TestPublishedVector(t *testing.T) {
	q, _ := url.ParseQuery("a1=webull&a2=123&a3=xxx&q1=yyy")
	in := SignInput{
		Path:      "/trade/place_order",
		Query:     q,
		AppKey:    "776da210ab4a452795d74e726ebd74b6",
		Timestamp: "2022-01-04T03:55:31Z",
		Nonce:     "48ef5afed43d4d91ae514aaeafbc29ba",
		Algorithm: HMACSHA1,
		Host:      "api.webull.com",
		Body:      []byte(`{"k1":123,"k2":"this is the api request body","k3":true,"k4":{"foo":[1,2]}}`),
	}
	encoded, str2 := StringToSign(in)
	if str2 != "E296C96787E1A309691CEF3692F5EEDD" {
		t.Errorf("str2 = %s", str2)
	}
	if got := Sign(HMACSHA1, "0f50a2e853334a9aae1a783bee120c1f", encoded); got != "kvlS6opdZDhEBo5jq40nHYXaLvM=" {
		t.Errorf("signature = %s, want kvlS6opdZDhEBo5jq40nHYXaLvM=", got)
	}
}

// The published vector with an upper-case query key, and with a key sent
// twice (in either order). Expected signatures were computed outside Go
// from the rule: keys keep their case; a repeated key's values are sorted
// and joined with "&".
func TestVectorMixedCaseAndRepeatedKeys(t *testing.T) {
	for _, c := range []struct{ query, signed, sig string }{
		{"a1=webull&A2=123&a3=xxx&q1=yyy", "A2=123&a1=webull&a3=xxx&host", "0U0viJ0X6AmFvg9YV7HVphMkTrA="},
		{"a1=webull&a2=123&a3=xxx&q1=yyy&a3=abc", "a2=123&a3=abc&xxx&host", "jPGO7DmnHgzznlD8r3ri1RnuJW8="},
		{"q1=yyy&a3=abc&a1=webull&a3=xxx&a2=123", "a2=123&a3=abc&xxx&host", "jPGO7DmnHgzznlD8r3ri1RnuJW8="},
	} {
		q, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		in := SignInput{
			Path: "/trade/place_order", Query: q, AppKey: "776da210ab4a452795d74e726ebd74b6",
			Timestamp: "2022-01-04T03:55:31Z", Nonce: "48ef5afed43d4d91ae514aaeafbc29ba",
			Algorithm: HMACSHA1, Host: "api.webull.com",
			Body: []byte(`{"k1":123,"k2":"this is the api request body","k3":true,"k4":{"foo":[1,2]}}`),
		}
		encoded, _ := StringToSign(in)
		if !strings.Contains(encoded, PercentEncode(c.signed)) {
			t.Errorf("%s: string to sign %s lacks %s", c.query, encoded, c.signed)
		}
		if got := Sign(HMACSHA1, "0f50a2e853334a9aae1a783bee120c1f", encoded); got != c.sig {
			t.Errorf("%s: signature = %s, want %s", c.query, got, c.sig)
		}
	}
}

// A query key equal to a signed value's name is joined to that value with
// "&" (the value first), as both SDKs do; the header does not simply win.
// The expected signatures were computed outside Go by
// testdata/sign_vectors.py, which also reproduces the published vector.
func TestVectorQueryKeyNamedLikeASignedHeader(t *testing.T) {
	for _, c := range []struct{ query, signed, sig string }{
		{"a1=webull&host=other.example&q1=yyy", "host=api.webull.com&other.example&q1", "G6X6zy5kr8mCJs+u0U8uvu69FyI="},
		{"a1=webull&x-app-key=k2&x-timestamp=t2", "x-app-key=776da210ab4a452795d74e726ebd74b6&k2&", "USz+/l20NXiNheINOrkng9vTZxc="},
		// A key in another case is another key.
		{"a1=webull&Host=other.example", "Host=other.example&a1=webull&host=api.webull.com", "wnuZAJlsEvll2qH0QVHVZXFJDkE="},
	} {
		q, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		in := SignInput{
			Path: "/trade/place_order", Query: q, AppKey: "776da210ab4a452795d74e726ebd74b6",
			Timestamp: "2022-01-04T03:55:31Z", Nonce: "48ef5afed43d4d91ae514aaeafbc29ba",
			Algorithm: HMACSHA1, Host: "api.webull.com",
			Body: []byte(`{"k1":123,"k2":"this is the api request body","k3":true,"k4":{"foo":[1,2]}}`),
		}
		encoded, _ := StringToSign(in)
		if !strings.Contains(encoded, PercentEncode(c.signed)) {
			t.Errorf("%s: string to sign %s lacks %s", c.query, encoded, c.signed)
		}
		if got := Sign(HMACSHA1, "0f50a2e853334a9aae1a783bee120c1f", encoded); got != c.sig {
			t.Errorf("%s: signature = %s, want %s", c.query, got, c.sig)
		}
	}
}

func TestEncodeJSONKeepsBytesAsSent(t *testing.T) {
	b, err := EncodeJSON(map[string]string{"token": "a<b>&c"})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"token":"a<b>&c"}` {
		t.Errorf("got %q", b)
	}
}

func TestPercentEncode(t *testing.T) {
	if got := PercentEncode("a b/~_.-Z9é"); got != "a%20b%2F~_.-Z9%C3%A9" {
		t.Errorf("got %s", got)
	}
}

func TestSignRequestHeaders(t *testing.T) {
	req, _ := http.NewRequest("POST", "http://127.0.0.1:8080/openapi/auth/token/check?x=1", nil)
	n := 0
	s := Signer{AppKey: "test-app-key", AppSecret: "test-app-secret-0001", Algorithm: HMACSHA256,
		Nonce: func() string { n++; return strings.Repeat("n", n) }}
	now := time.Date(2025, 11, 13, 9, 37, 20, 0, time.FixedZone("X", 8*3600))
	s.SignRequest(req, []byte(`{}`), now)
	if got := req.Header.Get(HeaderTimestamp); got != "2025-11-13T01:37:20Z" {
		t.Errorf("timestamp %s is not UTC", got)
	}
	first := req.Header.Get(HeaderSignature)
	s.SignRequest(req, []byte(`{}`), now)
	if req.Header.Get(HeaderNonce) == "n" || req.Header.Get(HeaderSignature) == first {
		t.Error("second request reused the nonce")
	}
	if req.Header.Get(HeaderVersion) != "v2" || req.Header.Get(HeaderSignAlgorithm) != "HMAC-SHA256" {
		t.Errorf("headers %v", req.Header)
	}
	// The signed host is host:port as sent.
	encoded, _ := StringToSign(SignInput{Path: "/p", AppKey: "k", Timestamp: "t", Nonce: "n", Algorithm: HMACSHA256, Host: req.URL.Host})
	if !strings.Contains(encoded, "host%3D127.0.0.1%3A8080") {
		t.Errorf("host not signed with its port: %s", encoded)
	}
}

func TestAlgorithmByHost(t *testing.T) {
	for host, want := range map[string]Algorithm{
		"api.webull.com": HMACSHA1, "api.webull.hk": HMACSHA1, "events-api.webull.com": HMACSHA1,
		"hk-openapi.uat.webullbroker.com": HMACSHA1, "api.webull.co.jp": HMACSHA256,
		"api.webull.com.sg": HMACSHA256, "127.0.0.1:9000": HMACSHA256,
	} {
		if IsLegacyHost(host) != (want == HMACSHA1) {
			t.Errorf("%s: legacy = %v", host, IsLegacyHost(host))
		}
	}
}

func TestRegionsOfTheSDK(t *testing.T) {
	want := map[string]string{"us": "api.webull.com", "hk": "api.webull.hk", "jp": "api.webull.co.jp",
		"sg": "api.webull.com.sg", "th": "api.webull.co.th", "au": "api.webull.com.au", "my": "api.webull.com.my",
		"uk": "api.webull-uk.com", "br": "api.webull.com", "mx": "api.webull.com", "za": "api.webull.com.au"}
	for code, host := range want {
		h, ok := RegionHosts(code)
		if !ok || h.Production != host {
			t.Errorf("%s: %+v, want %s", code, h, host)
		}
	}
	if h, _ := RegionHosts("hk"); h.Sandbox != "api.sandbox.webull.hk" || !IsLegacyHost(h.Sandbox) {
		t.Errorf("hk sandbox %+v must be signed with HMAC-SHA1", h)
	}
	for _, r := range AllRegions() {
		if d := r.Description(); !strings.Contains(d, r.Production) || strings.Contains(d, "\n") {
			t.Errorf("%s: description %q", r.Code, d)
		}
	}
}
