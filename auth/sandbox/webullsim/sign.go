package webullsim

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"net/url"
	"sort"
	"strings"
)

// Signature algorithms a request may declare in x-signature-algorithm.
const (
	AlgorithmSHA1   = "HMAC-SHA1"   // legacy hosts: HMAC-SHA1 over an MD5 body digest
	AlgorithmSHA256 = "HMAC-SHA256" // newer hosts: HMAC-SHA256 over a SHA-256 body digest
)

// SignatureVersion is the only x-signature-version the broker defines.
const SignatureVersion = "1.0"

// signInput is everything a Webull signature covers.
type signInput struct {
	path      string
	query     url.Values
	appKey    string
	algorithm string
	version   string
	nonce     string
	timestamp string
	host      string
	body      []byte // nil or empty: the request has no body
}

// algorithmFuncs returns the HMAC hash and the body digest for a declared
// algorithm; the name is matched without regard to case.
func algorithmFuncs(algorithm string) (mac func() hash.Hash, digest func([]byte) []byte, err error) {
	switch strings.ToUpper(algorithm) {
	case AlgorithmSHA1:
		return sha1.New, func(b []byte) []byte { d := md5.Sum(b); return d[:] }, nil
	case AlgorithmSHA256:
		return sha256.New, func(b []byte) []byte { d := sha256.Sum256(b); return d[:] }, nil
	}
	return nil, nil, fmt.Errorf("unsupported x-signature-algorithm %q: use %s or %s", algorithm, AlgorithmSHA1, AlgorithmSHA256)
}

// stringToSign builds the percent-encoded string the HMAC runs over:
// path & sorted k=v pairs (query plus signing headers plus host) [& body digest].
func stringToSign(in signInput, digest func([]byte) []byte) string {
	// One entry per key: a query key keeps its case, and a key sent more
	// than once is signed as its values in ascending order joined by "&".
	signed := map[string]string{
		"x-app-key":             in.appKey,
		"x-signature-algorithm": in.algorithm,
		"x-signature-version":   in.version,
		"x-signature-nonce":     in.nonce,
		"x-timestamp":           in.timestamp,
		"host":                  in.host,
	}
	for k, vs := range in.query {
		vals := append([]string(nil), vs...)
		sort.Strings(vals)
		v := strings.Join(vals, "&")
		// A query parameter named like a signing header or the host is
		// joined after that header's value, as the official SDKs sign it.
		if h, ok := signed[k]; ok {
			v = h + "&" + v
		}
		signed[k] = v
	}
	keys := make([]string, 0, len(signed))
	for k := range signed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(in.path)
	for _, k := range keys {
		b.WriteByte('&')
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(signed[k])
	}
	if len(in.body) > 0 {
		b.WriteByte('&')
		b.WriteString(strings.ToUpper(hex.EncodeToString(digest(in.body))))
	}
	return percentEncode(b.String())
}

// percentEncode leaves only A-Za-z0-9-_.~ as is; everything else,
// space included, becomes %XX with upper-case hex.
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3 / 2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0x0f])
		}
	}
	return b.String()
}

// computeSignature is the base64 HMAC (key = app secret + "&") of the
// string to sign, with the algorithm the request declares.
func computeSignature(secret string, in signInput) (string, error) {
	mac, digest, err := algorithmFuncs(in.algorithm)
	if err != nil {
		return "", err
	}
	h := hmac.New(mac, []byte(secret+"&"))
	h.Write([]byte(stringToSign(in, digest)))
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// verifySignature reports whether got is the signature of in under secret.
func verifySignature(secret string, in signInput, got string) (bool, error) {
	want, err := computeSignature(secret, in)
	if err != nil {
		return false, err
	}
	return hmac.Equal([]byte(want), []byte(got)), nil
}
