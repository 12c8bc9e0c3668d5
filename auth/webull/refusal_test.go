package webull

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

// answer is a handler that answers status with body.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// A 401 or 403 that is not Webull's own refusal of the credentials is
// decided from error_code, not from the status: Unknown with the status
// and what the answer said, the stored token kept, and the next clean
// check restores OK.
func TestARefusalThatIsNotWebullsVerdictIsUnknown(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		want       []string
	}{
		{"an unknown error_code on a 403", `{"error_code":"REQUEST_BLOCKED","message":"blocked by the edge"}`, 403, []string{"HTTP 403 with REQUEST_BLOCKED", "not its refusal of the app key"}},
		{"a server error body on a 401", `{"error_code":"SYSTEM_ERROR","message":"oops"}`, 401, []string{"HTTP 401 with SYSTEM_ERROR"}},
		{"a proxy page on a 401", "<html><title>401 Authorization Required</title></html>", 401, []string{"HTTP 401 without its usual error", `"401 Authorization Required"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := verified(t)
			tok := e.token()
			sim := e.sim.Handler()
			e.front(map[string]http.HandlerFunc{checkPath: answer(tc.status, tc.body)})
			h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
			if h.State != auth.Unknown || err == nil {
				t.Fatalf("%v / %v, want Unknown", h, err)
			}
			for _, want := range tc.want {
				if !strings.Contains(h.Reason, want) {
					t.Errorf("reason %q lacks %q", h.Reason, want)
				}
			}
			if has(h.Why, "webull.bad_signature") {
				t.Errorf("a refusal that is not Webull's verdict advises replacing the key: %q", h.Reason)
			}
			if e.token() != tok {
				t.Error("the stored token changed")
			}
			e.c.Health = h
			e.front(map[string]http.HandlerFunc{"/nothing": sim.ServeHTTP})
			if h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{}); err != nil || h.State != auth.OK {
				t.Errorf("the next clean check: %v / %v, want OK", h, err)
			}
		})
	}
}

// SERVICE_NOT_AVAILABLE, GATEWAY_TIMEOUT and INTERNAL_ERROR are
// temporary whatever the status, as the SDKs' retry list has them;
// NO_AVAILABLE_DEVICE needs the person, with the sentence that says how.
func TestWebullsNamedErrors(t *testing.T) {
	for _, code := range []string{"SERVICE_NOT_AVAILABLE", "GATEWAY_TIMEOUT", "INTERNAL_ERROR"} {
		e := verified(t)
		e.front(map[string]http.HandlerFunc{checkPath: answer(400, `{"error_code":"`+code+`","message":"try later"}`)})
		h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
		if h.State != auth.Unknown || !IsTemporary(err) {
			t.Errorf("%s on a 400: %v / %v, want Unknown and temporary", code, h, err)
		}
	}
	e := verified(t)
	e.front(map[string]http.HandlerFunc{checkPath: answer(400, `{"error_code":"NO_AVAILABLE_DEVICE","message":"no device"}`)})
	h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	var ae *APIError
	if h.State != auth.ActionNeeded || !has(h.Why, "webull.no_device") || IsTemporary(err) || !errors.As(err, &ae) {
		t.Errorf("NO_AVAILABLE_DEVICE: %v / %v, want Action needed with the sentence", h, err)
	}
}

// An account with no phone registered for 2FA: the verification says how
// to register one and stops; nothing asks Webull again on its own.
func TestNoAvailableDeviceAsksThePersonToRegisterAPhone(t *testing.T) {
	e := newEnv(t, false)
	if err := e.sim.SetNoDevice(e.appKey, true); err != nil {
		t.Fatal(err)
	}
	_, done := e.login(testutil.Context(t, 20*time.Second))
	r := <-done
	var ue *auth.UserError
	if r.h.State != auth.ActionNeeded || !errors.As(r.err, &ue) || !errSays(r.err, "webull.no_device") || r.h.Next != auth.Next(auth.ActionVerify, e.c.Name) {
		t.Fatalf("login without a registered phone: %v (next %v) / %v", r.h, r.h.Next, r.err)
	}
	if n := e.sim.Count(createPath); n != 1 {
		t.Errorf("%d token creations, want 1 (no retry loop)", n)
	}
	if h, _ := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{}); h.State == auth.Broken || e.sim.Count(createPath) != 1 {
		t.Errorf("a refresh after it: %v, %d creations", h, e.sim.Count(createPath))
	}
	var logged bool
	for _, l := range e.sim.Log() {
		logged = logged || strings.Contains(l, "NO_AVAILABLE_DEVICE")
	}
	if !logged {
		t.Errorf("the sandbox did not log the refusal: %v", e.sim.Log())
	}
}
