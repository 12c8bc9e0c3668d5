package auth

import (
	"encoding/json"
	"testing"
	"time"
)

func TestWorstOrdersBySeverity(t *testing.T) {
	h := func(s State) Health { return Health{State: s} }
	cases := []struct {
		in   []Health
		want State
	}{
		{[]Health{h(OK), h(Unknown)}, Unknown},
		{[]Health{h(Unknown), h(Expiring)}, Expiring},
		{[]Health{h(Pending), h(Expiring), h(OK)}, Pending},
		{[]Health{h(ActionNeeded), h(Pending)}, ActionNeeded},
		{[]Health{h(OK), h(Broken), h(ActionNeeded)}, Broken},
		{nil, OK},
	}
	for _, c := range cases {
		if got := Worst(c.in...).State; got != c.want {
			t.Errorf("Worst(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestZeroHealthIsUnknownAndJSONIsStable(t *testing.T) {
	var h Health
	if h.State != Unknown {
		t.Fatalf("zero health is %v, want unknown", h.State)
	}
	b, err := json.Marshal(Health{State: ActionNeeded, Reason: "log in again"})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"state":"action-needed","reason":"log in again"}` {
		t.Errorf("json = %s", b)
	}
	var back Health
	if err := json.Unmarshal(b, &back); err != nil || back.State != ActionNeeded {
		t.Errorf("round trip = %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"state":"fine"}`), &back); err == nil {
		t.Error("an unknown state name was accepted")
	}
}

func TestSecondsLeft(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := Health{State: Pending, Deadline: now.Add(299500 * time.Millisecond), ExpiresAt: now.Add(time.Hour)}
	if got := p.SecondsLeft(now); got != 299 {
		t.Errorf("pending seconds left = %d, want 299 (the deadline, not the expiry)", got)
	}
	if got := (Health{State: OK, ExpiresAt: now.Add(-time.Second)}).SecondsLeft(now); got != 0 {
		t.Errorf("expired seconds left = %d", got)
	}
}

func TestFormatting(t *testing.T) {
	cases := map[time.Duration]string{
		3 * 24 * time.Hour: "3 days", 5 * time.Hour: "5 hours", 12 * time.Minute: "12 min",
		40 * time.Second: "40 s", -time.Second: "expired",
	}
	for d, want := range cases {
		if got := Approx(d); got != want {
			t.Errorf("Approx(%v) = %q, want %q", d, got, want)
		}
	}
	if got := Countdown(299 * time.Second); got != "4:59" {
		t.Errorf("Countdown = %q", got)
	}
	if got := Countdown(-time.Second); got != "0:00" {
		t.Errorf("Countdown of the past = %q", got)
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"futu-main", "webull_us.2", "A"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("%q rejected: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-x", "has space", "semi;colon", string(make([]byte, 65))} {
		if err := ValidateName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDisplay(t *testing.T) {
	if got := Display("the key expires in 6 days: run `tokentray extend k`"); got != "The key expires in 6 days: run tokentray extend k" {
		t.Errorf("Display = %q", got)
	}
	if got := Display("élan"); got != "Élan" {
		t.Errorf("Display of a non-ASCII start = %q", got)
	}
	// A credential's name is never re-capitalised.
	if got := DisplayAbout("bot needs a new token", "bot"); got != "bot needs a new token" {
		t.Errorf("DisplayAbout = %q", got)
	}
	if got := DisplayAbout("needs a new token", "bot"); got != "Needs a new token" {
		t.Errorf("DisplayAbout = %q", got)
	}
	for _, reason := range []string{"webull-no2fa needs no token", "futu-main: logged out", "api.webull.com did not answer"} {
		if got := Display(reason); got != reason {
			t.Errorf("Display(%q) = %q", reason, got)
		}
	}
}

func TestExposesIgnoresCaseAndEmptySecrets(t *testing.T) {
	if !Exposes("token ABCDEF123 is invalid", "abcdef123") {
		t.Error("a secret in another case was not found")
	}
	if Exposes("no such object", "", "test-app-secret-0001") {
		t.Error("an empty secret or an absent one matched")
	}
}
