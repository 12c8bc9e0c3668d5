package webullsim

import (
	"net/url"
	"strings"
	"testing"
)

// The broker's published example (PROTOCOLS.md).
const (
	vecPath      = "/trade/place_order"
	vecQuery     = "a1=webull&a2=123&a3=xxx&q1=yyy"
	vecAppKey    = "776da210ab4a452795d74e726ebd74b6"
	vecTimestamp = "2022-01-04T03:55:31Z"
	vecNonce     = "48ef5afed43d4d91ae514aaeafbc29ba"
	vecHost      = "api.webull.com"
	vecBody      = `{"k1":123,"k2":"this is the api request body","k3":true,"k4":{"foo":[1,2]}}`
	vecSecret    = "0f50a2e853334a9aae1a783bee120c1f"
	vecBodyMD5   = "E296C96787E1A309691CEF3692F5EEDD"
	vecSignature = "kvlS6opdZDhEBo5jq40nHYXaLvM="
)

func vectorInput(t *testing.T) signInput {
	t.Helper()
	q, err := url.ParseQuery(vecQuery)
	if err != nil {
		t.Fatal(err)
	}
	return signInput{
		path: vecPath, query: q, appKey: vecAppKey, algorithm: AlgorithmSHA1, version: "1.0",
		nonce: vecNonce, timestamp: vecTimestamp, host: vecHost, body: []byte(vecBody),
	}
}

func TestPublishedVectorVerifies(t *testing.T) {
	in := vectorInput(t)
	ok, err := verifySignature(vecSecret, in, vecSignature)
	if err != nil || !ok {
		t.Fatalf("published vector rejected: ok=%v err=%v", ok, err)
	}
	// The body digest is part of the string to sign, upper-case hex.
	_, digest, _ := algorithmFuncs(AlgorithmSHA1)
	if s := stringToSign(in, digest); !strings.HasSuffix(s, "%26"+vecBodyMD5) {
		t.Errorf("string to sign %q does not end with the body MD5 %s", s, vecBodyMD5)
	}
}

func TestPublishedVectorRejectsAnyChange(t *testing.T) {
	cases := map[string]func(*signInput){
		"secret":    nil,
		"body":      func(in *signInput) { in.body = []byte(strings.Replace(vecBody, "123", "124", 1)) },
		"query":     func(in *signInput) { in.query.Set("a2", "124") },
		"path":      func(in *signInput) { in.path = "/trade/cancel_order" },
		"host":      func(in *signInput) { in.host = "api.webull.hk" },
		"nonce":     func(in *signInput) { in.nonce = "48ef5afed43d4d91ae514aaeafbc29bb" },
		"timestamp": func(in *signInput) { in.timestamp = "2022-01-04T03:55:32Z" },
		"algorithm": func(in *signInput) { in.algorithm = AlgorithmSHA256 },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			in := vectorInput(t)
			secret := vecSecret
			if change == nil {
				secret = "test-app-secret-0001"
			} else {
				change(&in)
			}
			if ok, _ := verifySignature(secret, in, vecSignature); ok {
				t.Fatal("signature still verifies after the change")
			}
		})
	}
}

// Next to the published vector: an upper-case query key keeps its case,
// and a key sent twice signs its values sorted and joined with "&", in
// whatever order they came. The expected signatures were computed outside
// Go from that rule.
func TestVectorMixedCaseAndRepeatedKeys(t *testing.T) {
	for _, c := range []struct{ query, sig string }{
		{"a1=webull&A2=123&a3=xxx&q1=yyy", "0U0viJ0X6AmFvg9YV7HVphMkTrA="},
		{"a1=webull&a2=123&a3=xxx&q1=yyy&a3=abc", "jPGO7DmnHgzznlD8r3ri1RnuJW8="},
		{"q1=yyy&a3=abc&a1=webull&a3=xxx&a2=123", "jPGO7DmnHgzznlD8r3ri1RnuJW8="},
		// A query key named like a signed header is joined after its value
		// (computed by auth/webull/testdata/sign_vectors.py).
		{"a1=webull&host=other.example&q1=yyy", "G6X6zy5kr8mCJs+u0U8uvu69FyI="},
		{"a1=webull&x-app-key=k2&x-timestamp=t2", "USz+/l20NXiNheINOrkng9vTZxc="},
	} {
		in := vectorInput(t)
		q, err := url.ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		in.query = q
		if ok, err := verifySignature(vecSecret, in, c.sig); err != nil || !ok {
			t.Errorf("%s: signature %s rejected (err %v)", c.query, c.sig, err)
		}
		h := map[string]string{
			"x-app-key": vecAppKey, "x-timestamp": vecTimestamp, "x-signature-version": "1.0",
			"x-signature-algorithm": AlgorithmSHA1, "x-signature-nonce": vecNonce,
		}
		if got := testSign(vecSecret, vecPath, c.query, vecHost, h, []byte(vecBody)); got != c.sig {
			t.Errorf("%s: test signer gives %s, want %s", c.query, got, c.sig)
		}
	}
	// Lower-casing the key, or signing each value as its own pair, is refused.
	in := vectorInput(t)
	in.query, _ = url.ParseQuery("a1=webull&a2=123&a3=xxx&q1=yyy")
	if ok, _ := verifySignature(vecSecret, in, "0U0viJ0X6AmFvg9YV7HVphMkTrA="); ok {
		t.Error("a lower-cased key verifies as the upper-case one")
	}
}

func TestUnknownAlgorithmIsAnError(t *testing.T) {
	in := vectorInput(t)
	in.algorithm = "HMAC-MD5"
	if _, err := verifySignature(vecSecret, in, vecSignature); err == nil {
		t.Fatal("HMAC-MD5 accepted")
	}
}

func TestTestSignerMatchesVector(t *testing.T) {
	// The tests' own signer must agree with the published vector too, or the
	// HTTP tests below would prove nothing.
	h := map[string]string{
		"x-app-key": vecAppKey, "x-timestamp": vecTimestamp, "x-signature-version": "1.0",
		"x-signature-algorithm": AlgorithmSHA1, "x-signature-nonce": vecNonce,
	}
	if got := testSign(vecSecret, vecPath, vecQuery, vecHost, h, []byte(vecBody)); got != vecSignature {
		t.Fatalf("test signer: got %s, want %s", got, vecSignature)
	}
}

func TestPercentEncode(t *testing.T) {
	got := percentEncode("a b+c/d=e&f~g_h.i-j*ü")
	want := "a%20b%2Bc%2Fd%3De%26f~g_h.i-j%2A%C3%BC"
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
