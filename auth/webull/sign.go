package webull

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Algorithm is a value of the x-signature-algorithm header.
type Algorithm string

const (
	// HMACSHA1 signs with HMAC-SHA1 and hashes bodies with MD5 (legacy hosts).
	HMACSHA1 Algorithm = "HMAC-SHA1"
	// HMACSHA256 signs with HMAC-SHA256 and hashes bodies with SHA-256.
	HMACSHA256 Algorithm = "HMAC-SHA256"
)

// SignatureVersion is the only x-signature-version Webull defines.
const SignatureVersion = "1.0"

// APIVersion is the x-version header the token endpoints expect.
const APIVersion = "v2"

// TimestampLayout is the x-timestamp format, always in UTC.
const TimestampLayout = "2006-01-02T15:04:05Z"

// Header names.
const (
	HeaderAppKey           = "x-app-key"
	HeaderTimestamp        = "x-timestamp"
	HeaderSignVersion      = "x-signature-version"
	HeaderSignAlgorithm    = "x-signature-algorithm"
	HeaderNonce            = "x-signature-nonce"
	HeaderVersion          = "x-version"
	HeaderSignature        = "x-signature"
	HeaderAccessToken      = "x-access-token"
	signedHostKey          = "host"
	signatureSecretTrailer = "&"
)

// ParseAlgorithm accepts "HMAC-SHA1"/"HMAC-SHA256" in any case, with or
// without the "HMAC-" prefix.
func ParseAlgorithm(s string) (Algorithm, error) {
	switch strings.ToUpper(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "HMAC-")) {
	case "SHA1", "SHA-1":
		return HMACSHA1, nil
	case "SHA256", "SHA-256":
		return HMACSHA256, nil
	}
	return "", auth.NeedsUserBecause(auth.Action{}, msg.New("webull.algorithm_unknown", "Algorithm", strconv.Quote(s)))
}

func (a Algorithm) newHash() func() hash.Hash {
	if a == HMACSHA1 {
		return sha1.New
	}
	return sha256.New
}

// BodyHash is str2: the uppercase hex digest of the body bytes exactly as
// sent (MD5 for HMAC-SHA1, SHA-256 for HMAC-SHA256).
func (a Algorithm) BodyHash(body []byte) string {
	if a == HMACSHA1 {
		sum := md5.Sum(body)
		return strings.ToUpper(hex.EncodeToString(sum[:]))
	}
	sum := sha256.Sum256(body)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// SignInput is everything a signature covers.
type SignInput struct {
	Path      string
	Query     url.Values // decoded values; a key's several values are sorted and joined with "&"
	AppKey    string
	Timestamp string
	Nonce     string
	Algorithm Algorithm
	Host      string // as sent, host:port when the URL has a port
	Body      []byte // nil or empty: no body hash
}

// StringToSign returns the percent-encoded string that is signed (str3
// after encoding) and str2, the body hash ("" without a body).
func StringToSign(in SignInput) (encoded, bodyHash string) {
	params := map[string]string{
		HeaderAppKey:        in.AppKey,
		HeaderSignAlgorithm: string(in.Algorithm),
		HeaderSignVersion:   SignatureVersion,
		HeaderNonce:         in.Nonce,
		HeaderTimestamp:     in.Timestamp,
		signedHostKey:       in.Host,
	}
	for k, vs := range in.Query {
		// Query keys keep their case; a repeated key signs its values in
		// ascending order, whatever order they were sent in.
		sorted := append([]string(nil), vs...)
		sort.Strings(sorted)
		v := strings.Join(sorted, "&")
		if signed, ok := params[k]; ok {
			// A query key named like a signed value (exactly, case and
			// all) is joined after it, as both official SDKs do.
			v = signed + "&" + v
		}
		params[k] = v
	}

	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(in.Path)
	for _, k := range keys {
		b.WriteByte('&')
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params[k])
	}
	if len(in.Body) > 0 {
		bodyHash = in.Algorithm.BodyHash(in.Body)
		b.WriteByte('&')
		b.WriteString(bodyHash)
	}
	return PercentEncode(b.String()), bodyHash
}

// Sign returns the base64 HMAC of the encoded string keyed by secret+"&".
func Sign(alg Algorithm, appSecret, encoded string) string {
	m := hmac.New(alg.newHash(), []byte(appSecret+signatureSecretTrailer))
	m.Write([]byte(encoded))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// PercentEncode escapes every byte except A-Za-z0-9 - _ . ~ as %XX
// (uppercase hex), so a space is %20 and "/" is %2F.
func PercentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3 / 2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// EncodeJSON encodes v compactly without escaping <, > and &, and without
// the trailing newline: the bytes that are both hashed and sent.
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// NewNonce returns 32 random hex characters.
func NewNonce() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// Signer signs requests for one app key.
type Signer struct {
	AppKey    string
	AppSecret string
	Algorithm Algorithm
	// Nonce returns a fresh nonce per request; nil means NewNonce.
	Nonce func() string
}

// SignRequest sets the signature headers on req, whose body (if any) must
// be exactly body. The host signed is req.Host when set, else req.URL.Host.
func (s Signer) SignRequest(req *http.Request, body []byte, now time.Time) {
	nonce := NewNonce
	if s.Nonce != nil {
		nonce = s.Nonce
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	in := SignInput{
		Path:      req.URL.Path,
		Query:     req.URL.Query(),
		AppKey:    s.AppKey,
		Timestamp: now.UTC().Format(TimestampLayout),
		Nonce:     nonce(),
		Algorithm: s.Algorithm,
		Host:      host,
		Body:      body,
	}
	encoded, _ := StringToSign(in)
	h := req.Header
	h.Set(HeaderAppKey, in.AppKey)
	h.Set(HeaderTimestamp, in.Timestamp)
	h.Set(HeaderSignVersion, SignatureVersion)
	h.Set(HeaderSignAlgorithm, string(in.Algorithm))
	h.Set(HeaderNonce, in.Nonce)
	h.Set(HeaderVersion, APIVersion)
	h.Set(HeaderSignature, Sign(in.Algorithm, s.AppSecret, encoded))
}
