package futu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// refusal is what kind of "no" an answer is, read as Futu's CLI reads
// it (internal/errors/errors.go at de25420): the body's code first,
// then the HTTP status.
type refusal int

const (
	refusedNot        refusal = iota // not a refusal
	refusedExpired                   // code 1001: the access token expired; renew, then log in
	refusedAuth                      // codes 1000–1099, or 401 in Futu's words
	refusedPermission                // codes 1100–1199, or 403 in Futu's words
	refusedNotFound                  // codes 2000–2099, or 404
	refusedRateLimit                 // codes 3000–3099, or 429: back off, never Broken
	refusedTemporary                 // 408 and 5xx: try again later
	refusedForeign                   // 401 or 403 whose body is not Futu's: a proxy's page, a server error
	refusedOther                     // anything else
)

// Futu's error code ranges (Futu's CLI, seen).
const (
	codeTokenExpired   = 1001
	codeAuthFirst      = 1000
	codeAuthLast       = 1099
	codePermFirst      = 1100
	codePermLast       = 1199
	codeNotFoundFirst  = 2000
	codeNotFoundLast   = 2099
	codeRateLimitFirst = 3000
	codeRateLimitLast  = 3099
)

// apiError is an error answer: Futu's {"code": N, "message": …} (or the
// account API's {"errcode", "errmsg"}), or a body that is not Futu's.
type apiError struct {
	status  int
	code    int
	message string
	// futu: the body is Futu's own JSON error (or, for a bearer token, an
	// RFC 6750 WWW-Authenticate challenge).
	futu bool
	// firstLine is the start of a body that is not Futu's, for the reason.
	firstLine string
}

// readAPIError reads an answer's body as Futu's error.
func readAPIError(status int, h http.Header, body []byte) apiError {
	e := apiError{status: status}
	var j struct {
		Code    *int   `json:"code"`
		Message string `json:"message"`
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.Unmarshal(body, &j) == nil {
		switch {
		case j.Code != nil:
			e.code, e.message, e.futu = *j.Code, j.Message, true
		case j.ErrCode != nil:
			e.code, e.message, e.futu = *j.ErrCode, j.ErrMsg, true
		case j.Message != "" || j.ErrMsg != "":
			e.message, e.futu = j.Message+j.ErrMsg, true
		}
	}
	if !e.futu && status == http.StatusUnauthorized && strings.Contains(strings.ToLower(h.Get("WWW-Authenticate")), "invalid_token") {
		e.futu = true
	}
	if !e.futu {
		e.firstLine = auth.FirstLine(body)
	}
	return e
}

// kind is the refusal the answer is.
func (e apiError) kind() refusal {
	switch c := e.code; {
	case c == codeTokenExpired:
		return refusedExpired
	case c >= codeAuthFirst && c <= codeAuthLast:
		return refusedAuth
	case c >= codePermFirst && c <= codePermLast:
		return refusedPermission
	case c >= codeNotFoundFirst && c <= codeNotFoundLast:
		return refusedNotFound
	case c >= codeRateLimitFirst && c <= codeRateLimitLast:
		return refusedRateLimit
	}
	switch s := e.status; {
	case s < 400:
		return refusedNot
	case s == http.StatusUnauthorized && e.futu:
		return refusedAuth
	case s == http.StatusForbidden && e.futu:
		return refusedPermission
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return refusedForeign
	case s == http.StatusNotFound:
		return refusedNotFound
	case s == http.StatusTooManyRequests:
		return refusedRateLimit
	case s == http.StatusRequestTimeout || s >= 500:
		return refusedTemporary
	}
	return refusedOther
}

// what says the answer in a phrase: "HTTP 403, code 1100: no trade
// permission", or "HTTP 401 with a page that is not Futu's (first line:
// …)". secrets are withheld from Futu's message.
func (e apiError) what(secrets ...string) string { return e.said(secrets...).String() }

// said is what as a message; Futu's own words stay as Futu wrote them.
func (e apiError) said(secrets ...string) msg.Message {
	switch {
	case e.futu && e.code != 0 && e.message != "":
		return msg.New("futu.answer_code_text", "Status", e.status, "Code", e.code, "Text", brokerText(clip(scrub(e.message, secrets...))))
	case e.futu && e.code != 0:
		return msg.New("futu.answer_code", "Status", e.status, "Code", e.code)
	case e.futu && e.message != "":
		return msg.New("futu.answer_text", "Status", e.status, "Text", brokerText(clip(scrub(e.message, secrets...))))
	case e.firstLine != "":
		return msg.New("futu.answer_foreign", "Status", e.status, "Start", fmt.Sprintf("%q", scrub(e.firstLine, secrets...)))
	}
	return msg.New("futu.answer_foreign_empty", "Status", e.status)
}

// clip is a broker's phrase on one line, without control characters, at
// most 100 characters.
func clip(s string) string {
	s = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)), " ")
	if r := []rune(s); len(r) > 100 {
		return string(r[:100]) + "…"
	}
	return s
}
