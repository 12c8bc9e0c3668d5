package auth

import (
	"encoding/json"
	"testing"
	"time"

	"tokentray/internal/msg"
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

// A health's reason is data: it renders in every language, survives the
// settings file, and its note comes off by code, not by cutting text.
func TestAHealthsReasonIsData(t *testing.T) {
	h := Health{State: Unknown}.Because(msg.New("dur.days", "Count", 3)).Note(RetryNoteMsg())
	if h.Reason != "3 days; nothing was changed and tokentray will check again" {
		t.Errorf("English reason %q", h.Reason)
	}
	if got := h.Explain(msg.SimplifiedChinese); got != "3 天；未做任何更改，tokentray 稍后会再次检查" {
		t.Errorf("zh-CN %q", got)
	}
	data, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var back Health
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Explain(msg.HongKongChinese) != h.Explain(msg.HongKongChinese) {
		t.Errorf("after the file: %q", back.Explain(msg.HongKongChinese))
	}
	bare := back.WithoutNote()
	if bare.Why.ID != "dur.days" || bare.Reason != "3 days" {
		t.Errorf("WithoutNote: %+v", bare)
	}
	old := Health{State: Unknown, Reason: "Futu did not answer; " + RetryNote}
	if got := old.WithoutNote().Reason; got != "Futu did not answer" {
		t.Errorf("a stored English reason: %q", got)
	}
	if old.Explain(msg.SimplifiedChinese) != old.Reason {
		t.Error("a health without Why says its stored reason")
	}
}

// The English titles of states and actions are the catalogue's.
func TestStateAndActionTitlesAreTheCatalogues(t *testing.T) {
	for _, s := range States {
		if got := msg.English.Render(s.Message()); got != s.Title() {
			t.Errorf("%s: catalogue %q, Title %q", s, got, s.Title())
		}
		if zh := msg.SimplifiedChinese.Render(s.Message()); zh == s.Title() || zh == "" {
			t.Errorf("%s has no Chinese title: %q", s, zh)
		}
	}
	for _, k := range ActionKinds {
		a := Next(k, "x")
		if got := msg.English.Render(a.Message()); got != a.Title() {
			t.Errorf("%s: catalogue %q, Title %q", k, got, a.Title())
		}
	}
}
