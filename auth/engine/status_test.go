package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
)

func TestStatusReportsTimeLeftAndOrder(t *testing.T) {
	f := newFixture(t)
	f.add(t, "zeta", t0.Add(90*time.Minute))
	f.add(t, "alpha", t0.Add(-time.Minute))
	ss, err := f.eng.Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].Name != "alpha" || ss[1].Name != "zeta" {
		t.Fatalf("status %+v, want alpha then zeta", ss)
	}
	if ss[0].Health.State != auth.Broken || ss[0].SecondsLeft != 0 {
		t.Fatalf("expired credential: %+v", ss[0])
	}
	if ss[1].SecondsLeft != 90*60 || ss[1].Broker != "Futu" {
		t.Fatalf("valid credential: %+v", ss[1])
	}
}

// A broker's text with an escape sequence in it reaches no face: the
// health a refresh returns, saves and Status shows has no control
// character, even when a settings file was written with one.
func TestHealthReasonsAreShownWithoutControlCharacters(t *testing.T) {
	f := newFixture(t)
	f.add(t, "key", t0.Add(90*time.Minute))
	f.p.Fail = func(c *auth.Credential) (auth.Health, error) {
		return auth.Health{State: auth.Unknown, Reason: "Futu said \x1b]0;pwned\x07\x1b[2Jhi\u202e"}, errors.New("no")
	}
	h, _ := f.eng.Refresh(context.Background(), "key", true)
	ss, err := f.eng.Status()
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.st.Get("key")
	for what, r := range map[string]string{"refresh": h.Reason, "status": ss[0].Health.Reason} {
		if strings.ContainsAny(r, "\x1b\x07\u202e") || !strings.Contains(r, "Futu said") {
			t.Errorf("%s shows %q", what, r)
		}
	}
	c.Health.Reason = "written by hand \x1b[31m"
	if err := f.st.Update(c); err != nil {
		t.Fatal(err)
	}
	if ss, _ = f.eng.Status(); strings.Contains(ss[0].Health.Reason, "\x1b") || !strings.Contains(ss[0].Health.Reason, "written by hand") {
		t.Errorf("status shows %q", ss[0].Health.Reason)
	}
}

// A login's progress reaches the face without control characters too.
func TestLoginProgressIsShownWithoutControlCharacters(t *testing.T) {
	f := newFixture(t)
	f.add(t, "key", t0.Add(90*time.Minute))
	f.p.LoginFunc = func(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error) {
		progress(auth.LoginEvent{Health: auth.Health{State: auth.Pending, Reason: "wait \x1b[2J"}, Steps: []string{"step \x1b]0;x\x07one"}})
		return auth.Health{State: auth.ActionNeeded, Reason: "denied"}, errors.New("denied")
	}
	var seen []string
	_, _ = f.eng.Login(context.Background(), "key", auth.LoginOptions{}, func(ev auth.LoginEvent) {
		seen = append(append(seen, ev.Health.Reason), ev.Steps...)
	})
	if len(seen) != 2 || seen[0] != "wait [2J" || seen[1] != "step ]0;xone" {
		t.Errorf("progress shown as %q", seen)
	}
}
