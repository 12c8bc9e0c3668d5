package webull

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox/fault"
	"tokentray/internal/testutil"
)

// Every fault of the config call, for an app known to have 2FA off and
// for a first verification: the health, the next action, and proof that
// nothing stored changed and no token (no SMS) was created.
func TestConfigFaults(t *testing.T) {
	faults := map[string]fault.Rule{
		"500":       {Status: http.StatusInternalServerError},
		"503":       {Status: http.StatusServiceUnavailable},
		"429":       {Status: http.StatusTooManyRequests},
		"malformed": {Malformed: true},
		"reset":     {Reset: true},
		"latency":   {Latency: time.Hour},
	}
	for name, rule := range faults {
		t.Run(name, func(t *testing.T) {
			for _, known := range []bool{true, false} {
				e := newEnv(t, false)
				_ = e.sim.SetTwoFactor(e.appKey, !known)
				e.c.TwoFactorOff = known
				before := e.mem.Values()
				e.sim.Faults().Set(ConfigPath, rule)
				ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
				var h auth.Health
				if known {
					h, _ = e.p.Refresh(ctx, &e.c, e.s, auth.RefreshOptions{})
				} else {
					h, _ = e.p.Login(ctx, &e.c, e.s, auth.LoginOptions{}, nil)
				}
				cancel()
				if h.State != auth.Unknown || h.Next.Kind != auth.ActionRetry {
					t.Errorf("2FA off known %v: %v %+v, want Unknown and retry", known, h, h.Next)
				}
				if e.c.TwoFactorOff != known {
					t.Errorf("a fault changed what is known of 2FA: %v", e.c.TwoFactorOff)
				}
				if n := e.sim.Count(createPath); n != 0 {
					t.Errorf("a fault of the config call led to %d token creations", n)
				}
				if !slices.Equal(before, e.mem.Values()) {
					t.Error("a fault changed the stored secrets")
				}
			}
		})
	}
	// Webull's own refusal of the key is a bad key, not a fault.
	e := newEnv(t, false)
	e.c.TwoFactorOff = true
	e.front(map[string]http.HandlerFunc{ConfigPath: func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error_code":"INCORRECT_SIGN","message":"signature does not match"}`))
	}})
	if h, _ := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{}); h.State != auth.Broken || h.Next.Kind != auth.ActionUpdate {
		t.Errorf("rejected key at config: %v %+v", h, h.Next)
	}
}
