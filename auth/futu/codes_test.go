package futu

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox/fault"
)

func TestFutuErrorCodesReadAsFutusCLIReadsThem(t *testing.T) {
	bearer := http.Header{"Www-Authenticate": {`Bearer error="invalid_token"`}}
	for _, tc := range []struct {
		status int
		h      http.Header
		body   string
		want   refusal
	}{
		{401, nil, `{"code":1001,"message":"expired"}`, refusedExpired},
		{200, nil, `{"code":1001,"message":"expired"}`, refusedExpired},
		{401, nil, `{"code":1042,"message":"bad token"}`, refusedAuth},
		{400, nil, `{"code":1100,"message":"PERMISSION_DENIED"}`, refusedPermission},
		{400, nil, `{"code":2001,"message":"no such account"}`, refusedNotFound},
		{400, nil, `{"code":3000,"message":"slow down"}`, refusedRateLimit},
		{403, nil, `{"code":3099,"message":"slow down"}`, refusedRateLimit},
		// No code: the status, when the body is Futu's.
		{401, nil, `{"message":"AUTH_INVALID"}`, refusedAuth},
		{403, nil, `{"message":"PERMISSION_DENIED"}`, refusedPermission},
		{401, bearer, ``, refusedAuth},
		{429, nil, `Too Many Requests`, refusedRateLimit},
		{404, nil, `<html>Not Found</html>`, refusedNotFound},
		{502, nil, `<html>Bad Gateway</html>`, refusedTemporary},
		{408, nil, ``, refusedTemporary},
		// A 401 or 403 that is not Futu's says nothing about the login.
		{401, nil, "<html><title>401 Authorization Required</title></html>", refusedForeign},
		{403, nil, `{"error":"forbidden by policy"}`, refusedForeign},
		{401, nil, ``, refusedForeign},
		{418, nil, `teapot`, refusedOther},
	} {
		e := readAPIError(tc.status, tc.h, []byte(tc.body))
		if got := e.kind(); got != tc.want {
			t.Errorf("HTTP %d %q: kind %d, want %d", tc.status, tc.body, got, tc.want)
		}
	}
	e := readAPIError(401, nil, []byte("<html><title>401 Authorization Required</title></html>"))
	if w := e.what(); !strings.Contains(w, "HTTP 401") || !strings.Contains(w, `"401 Authorization Required"`) {
		t.Errorf("what() = %q, want the status and the first line", w)
	}
}

// A proxy's 401 or 403 in front of Futu is no verdict on a working key:
// Unknown with the status and the first line, never Broken or "create a
// new token", and the next clean check restores OK.
func TestKeyRefusedByAForeignAnswerIsUnknownNotBroken(t *testing.T) {
	for _, status := range []int{401, 403} {
		f := newKeyFixture(t, t0.Add(60*24*time.Hour))
		f.sim.Faults().Set(VerifyPath, fault.Rule{Status: status})
		h, err := f.refresh(t)
		if h.State != auth.Unknown || err == nil || !h.Why.Is("futu.refused_foreign") {
			t.Fatalf("HTTP %d from a proxy: %v (%v), want Unknown without advice to replace the key", status, h, err)
		}
		if answer := sub(h.Why, "Answer"); !answer.Is("futu.answer_foreign") || answer.Args["Status"] != status || !strings.Contains(answer.Arg("Start"), "(sandbox fault)") {
			t.Errorf("HTTP %d: reason %v, want the status and the proxy's first line", status, h.Why)
		}
		if got, _ := f.s.Get(auth.FieldAccessToken); got != f.token {
			t.Errorf("HTTP %d: the stored token changed", status)
		}
		f.sim.Faults().Clear()
		if h, err := f.refresh(t); err != nil || h.State != auth.OK {
			t.Errorf("HTTP %d: the next clean check: %v, %v, want OK", status, h, err)
		}
	}
}
