package futu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// Signer signs requests made with a legacy Futu API key, as Futu's
// "Request Signature" section states.
type Signer struct {
	AppKey      string
	AppSecret   string
	AccessToken string
}

// StringToSign is METHOD\nPATH\nTIMESTAMP\nBODY. PATH is the path alone,
// without the query string; BODY is the exact bytes sent.
func StringToSign(method, path string, timestamp int64, body []byte) string {
	return method + "\n" + path + "\n" + strconv.FormatInt(timestamp, 10) + "\n" + string(body)
}

// Signature is the hex HMAC-SHA256 of the string to sign, keyed with the app secret.
func Signature(appSecret, method, path string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte(StringToSign(method, path, timestamp, body)))
	return hex.EncodeToString(m.Sum(nil))
}

// Sign sets the API key headers on req, whose body is body (nil for a GET),
// for a request sent at now.
func (s Signer) Sign(req *http.Request, body []byte, now time.Time) {
	ts := now.Unix()
	req.Header.Set("X-Api-Key", s.AppKey)
	req.Header.Set("X-Api-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Api-Signature", Signature(s.AppSecret, req.Method, req.URL.Path, ts, body))
	req.Header.Set("Authorization", "Bearer "+s.AccessToken)
	req.Header.Set("Content-Type", "application/json")
}
