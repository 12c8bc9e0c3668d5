package tray

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
)

func TestAlertsAnnounceEachStageOnce(t *testing.T) {
	a := newAlerts([]int{14, 7, 1}, "")
	day := 24 * time.Hour
	key := func(left time.Duration, s auth.State) []Entry {
		return []Entry{{Name: "futu-main", Health: auth.Health{State: s, Reason: "run `tokentray extend futu-main`", ExpiresAt: t0.Add(left)}}}
	}
	steps := []struct {
		left  time.Duration
		state auth.State
		want  int
	}{
		{30 * day, auth.OK, 0},
		{13 * day, auth.Expiring, 1}, // crossed 14 days
		{12 * day, auth.Expiring, 0}, // same stage
		{6 * day, auth.Expiring, 1},  // crossed 7 days
		{20 * time.Hour, auth.Expiring, 1},
		{20 * time.Hour, auth.Expiring, 0},
		{-time.Hour, auth.Broken, 1},
		{89 * day, auth.OK, 0}, // extended
		{13 * day, auth.Expiring, 1},
	}
	for i, s := range steps {
		got := a.Due(key(s.left, s.state), false, t0)
		if len(got) != s.want {
			t.Fatalf("step %d (%v, %v left): %d notifications, want %d", i, s.state, s.left, len(got), s.want)
		}
		if len(got) == 1 && (!strings.Contains(got[0].Title, "futu-main") || strings.Contains(got[0].Body, "`")) {
			t.Errorf("step %d: %q", i, got[0])
		}
	}
}

func TestAlertsForTheUserAndNoneForNetworkTrouble(t *testing.T) {
	a := newAlerts(nil, "")
	got := a.Due([]Entry{
		{Name: "webull-us", Health: auth.Health{State: auth.Pending, Reason: "enter the SMS code"}},
		{Name: "futu-oauth", Health: auth.Health{State: auth.ActionNeeded, Reason: "log in again"}},
		{Name: "futu-key", Health: auth.Health{State: auth.Unknown, Reason: "Futu did not answer"}},
		{Name: "futu-old", Health: auth.Health{State: auth.Expiring, ExpiresAt: t0.Add(time.Hour)}},
	}, true, t0)
	if len(got) != 2 {
		t.Fatalf("notifications = %q, want the pending and the action-needed ones", got)
	}
	for _, n := range got {
		if !strings.Contains(n.Title, "(sandbox)") {
			t.Errorf("a sandbox notification does not say so: %q", n.Title)
		}
	}
}

func TestAlertsAreRememberedAcrossRestartsAndCarryTheNextAction(t *testing.T) {
	path := filepath.Join(t.TempDir(), alertsFile)
	pending := []Entry{{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.Pending, Reason: "confirm the SMS code"}}}
	got := newAlerts(nil, path).Due(pending, false, t0)
	if len(got) != 1 || len(got[0].Actions) != 1 || got[0].Actions[0].Label != "Verify now" {
		t.Fatalf("first sight = %+v, want one notification with a Verify now button", got)
	}
	if c := got[0].Actions[0].Command; c.Kind != CmdAct || c.Action != auth.ActionVerify || c.Credential != "webull-us" {
		t.Errorf("Verify now does %+v", c)
	}
	// A new agent over the same profile: the person saw it already.
	if again := newAlerts(nil, path).Due(pending, false, t0); len(again) != 0 {
		t.Errorf("a restart announced again: %+v", again)
	}
	login := []Entry{{Name: "futu", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.ActionNeeded, Next: auth.Next(auth.ActionLogin, "futu")}}}
	if got := newAlerts(nil, path).Due(login, false, t0); len(got) != 1 || got[0].Actions[0].Label != "Log in" {
		t.Errorf("login notification = %+v", got)
	}
}
