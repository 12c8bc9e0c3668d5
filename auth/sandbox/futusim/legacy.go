package futusim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Legacy API error codes (the "code" field of a JSON error).
const (
	CodeUnknownKey       = 40100
	CodeBadSignature     = 40101
	CodeTimestamp        = 40102
	CodeBadToken         = 40103
	CodeInvalidParameter = 40001
)

type apiResponse struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func writeAPIError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, apiResponse{Code: code, Message: msg})
}

// expectedSignature is the seed's signature: hex HMAC-SHA256 keyed with
// the app secret over METHOD\nPATH\nTIMESTAMP\nBODY, PATH without query.
func expectedSignature(secret, method, path, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(method + "\n" + path + "\n" + timestamp + "\n"))
	m.Write(body)
	return m.Sum(nil)
}

// caller is who a verified request came from.
type caller struct {
	key      *apiKey // legacy key, or nil for an OAuth token
	clientID string
	expires  time.Time
}

// authenticate checks a legacy signed request, or an OAuth Bearer token
// when allowOAuth and no X-Api-Key is sent. It writes the error itself
// and returns false when the request is refused.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, allowOAuth bool) (caller, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, CodeInvalidParameter, "the request body could not be read")
		return caller{}, false
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	token, hasBearer := bearer(r)
	appKey := r.Header.Get("X-Api-Key")

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()

	if appKey == "" {
		if allowOAuth && hasBearer {
			tok, ok := s.access[token]
			if !ok || now.After(tok.ExpiresAt) {
				writeAPIError(w, http.StatusUnauthorized, CodeBadToken, "the access token is unknown, revoked or expired")
				return caller{}, false
			}
			return caller{clientID: tok.ClientID, expires: tok.ExpiresAt}, true
		}
		writeAPIError(w, http.StatusUnauthorized, CodeUnknownKey, "X-Api-Key is missing")
		return caller{}, false
	}
	k, ok := s.keys[appKey]
	if !ok {
		writeAPIError(w, http.StatusUnauthorized, CodeUnknownKey, "the app key is unknown")
		return caller{}, false
	}
	if k.Revoked {
		writeAPIError(w, http.StatusUnauthorized, CodeUnknownKey, "the app key has been revoked")
		return caller{}, false
	}
	tsHeader := r.Header.Get("X-Api-Timestamp")
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		writeAPIError(w, http.StatusUnauthorized, CodeTimestamp,
			"timestamp "+strconv.Quote(tsHeader)+" is not unix seconds, so it is outside the 60 s window")
		return caller{}, false
	}
	if d := now.Sub(time.Unix(ts, 0)); d > TimestampWindow || d < -TimestampWindow {
		writeAPIError(w, http.StatusUnauthorized, CodeTimestamp, fmt.Sprintf(
			"timestamp %d is %d s away from the server time %d, outside the 60 s window; check the computer's clock",
			ts, int64(d.Abs()/time.Second), now.Unix()))
		return caller{}, false
	}
	got, err := hex.DecodeString(r.Header.Get("X-Api-Signature"))
	want := expectedSignature(k.Secret, r.Method, r.URL.Path, tsHeader, body)
	if err != nil || !hmac.Equal(got, want) {
		writeAPIError(w, http.StatusUnauthorized, CodeBadSignature, "the signature does not match; check the app secret")
		return caller{}, false
	}
	switch {
	case !hasBearer || token != k.Token:
		writeAPIError(w, http.StatusUnauthorized, CodeBadToken, "the access token is unknown or was replaced")
		return caller{}, false
	case now.After(k.ExpiresAt):
		writeAPIError(w, http.StatusUnauthorized, CodeBadToken,
			"the access token expired at "+k.ExpiresAt.UTC().Format(time.RFC3339))
		return caller{}, false
	}
	return caller{key: k, expires: k.ExpiresAt}, true
}

// handleVerify is the legacy key's health check: who am I and until
// when. It is no check of an OAuth login: no first-party client asks it
// with a bearer token alone, and Futu's host answers that with 404.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	if _, hasBearer := bearer(r); hasBearer && r.Header.Get("X-Api-Key") == "" {
		writeAPIError(w, http.StatusNotFound, CodeNotFound, "NOT_FOUND: no such API for an OAuth access token; Futu's own clients ask "+PathAccounts)
		return
	}
	who, ok := s.authenticate(w, r, false)
	if !ok {
		return
	}
	data := map[string]string{"expired_at": who.expires.UTC().Format(time.RFC3339)}
	if who.key != nil {
		data["app_key"] = who.key.AppKey
	} else {
		data["client_id"] = who.clientID
	}
	writeJSON(w, http.StatusOK, apiResponse{Code: 0, Message: "", Data: data})
}

// handleKeyRefresh replaces a legacy access token with a new one that
// expires at the requested time; the old one stops working at once.
func (s *Server) handleKeyRefresh(w http.ResponseWriter, r *http.Request) {
	who, ok := s.authenticate(w, r, false)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	exp := now.Add(DefaultKeyTTL)
	if raw := r.URL.Query().Get("expired_at"); raw != "" {
		t, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, CodeInvalidParameter,
				"expired_at must be an RFC 3339 time such as 2030-01-02T15:04:05Z")
			return
		}
		exp = t
	}
	// The same 60 s tolerance as signatures, so "3 years from now" on a
	// slightly fast client clock is still accepted.
	limit := now.AddDate(MaxRefreshAhead, 0, 0).Add(TimestampWindow)
	if !exp.After(now) || exp.After(limit) {
		writeAPIError(w, http.StatusBadRequest, CodeInvalidParameter,
			"expired_at must be in the future and at most 3 years away")
		return
	}
	k := who.key
	// A concurrent refresh may have replaced the token since it was checked.
	if tok, _ := bearer(r); k.Revoked || tok != k.Token {
		writeAPIError(w, http.StatusUnauthorized, CodeBadToken, "the access token is unknown or was replaced")
		return
	}
	k.Token = randToken()
	k.ExpiresAt = exp.UTC()
	writeJSON(w, http.StatusOK, apiResponse{Data: map[string]string{
		"token":      k.Token,
		"expired_at": k.ExpiresAt.Format(time.RFC3339),
	}})
}

// handleSnapshot stands in for a bot's signed business call, so a
// client's signing of a request body can be tested.
func (s *Server) handleSnapshot(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authenticate(w, r, true); !ok {
		return
	}
	body, _ := io.ReadAll(r.Body)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeAPIError(w, http.StatusBadRequest, CodeInvalidParameter, "Content-Type must be application/json")
		return
	}
	writeJSON(w, http.StatusOK, apiResponse{Data: map[string]any{
		"request_bytes": len(body),
		"snapshots":     []map[string]any{{"code": "HK.00700", "last_price": 388.2}},
	}})
}
