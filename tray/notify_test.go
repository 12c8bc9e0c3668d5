package tray

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
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
		got := shownOnly(a.Due(key(s.left, s.state), false, t0))
		if len(got) != s.want {
			t.Fatalf("step %d (%v, %v left): %d notifications, want %d", i, s.state, s.left, len(got), s.want)
		}
		if len(got) == 1 && (!strings.Contains(got[0].Title, "futu-main") || strings.Contains(got[0].Body, "`")) {
			t.Errorf("step %d: %+v", i, got[0])
		}
	}
}

func TestAlertsForTheUserAndNoneForNetworkTrouble(t *testing.T) {
	a := newAlerts(nil, "")
	got := a.Due([]Entry{
		{Name: "webull-us", Health: auth.Health{State: auth.ActionNeeded, Reason: "verify a new token"}},
		{Name: "futu-oauth", Health: auth.Health{State: auth.Broken, Reason: "log in again"}},
		{Name: "futu-key", Health: auth.Health{State: auth.Unknown, Reason: "Futu did not answer"}},
		{Name: "futu-old", Health: auth.Health{State: auth.Expiring, ExpiresAt: t0.Add(time.Hour)}},
	}, true, t0)
	if len(got) != 2 {
		t.Fatalf("notifications = %+v, want the action-needed and the broken ones", got)
	}
	for _, n := range got {
		if !strings.Contains(n.Title, "(sandbox)") {
			t.Errorf("a sandbox notification does not say so: %q", n.Title)
		}
	}
}

func TestAlertsAreRememberedAcrossRestartsAndCarryTheNextAction(t *testing.T) {
	path := filepath.Join(t.TempDir(), alertsFile)
	pending := []Entry{{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.ActionNeeded, Reason: "verify a new token"}}}
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

// shownOnly drops the withdrawals from ns.
func shownOnly(ns []Notification) []Notification {
	var out []Notification
	for _, n := range ns {
		if !n.Withdraw {
			out = append(out, n)
		}
	}
	return out
}

// alertStep is one snapshot of one credential and what it should do on
// the desktop: "show" a notification, "withdraw" the one shown, or "".
type alertStep struct {
	state auth.State
	want  string
}

func runAlertSteps(t *testing.T, a *alerts, kind auth.Kind, steps []alertStep) {
	t.Helper()
	for i, s := range steps {
		got := a.Due([]Entry{{Name: "cred", Kind: kind, Health: auth.Health{State: s.state, Reason: "reason"}}}, false, t0)
		did := ""
		switch {
		case len(got) > 1:
			t.Fatalf("step %d (%v): %d notifications at once for one credential: %+v", i, s.state, len(got), got)
		case len(got) == 1 && got[0].Withdraw:
			did = "withdraw"
		case len(got) == 1:
			did = "show"
		}
		if did != s.want {
			t.Fatalf("step %d (%v): did %q, want %q (%+v)", i, s.state, did, s.want, got)
		}
		for _, n := range got {
			if n.Key != "cred" {
				t.Errorf("step %d: notification keyed %q, want the credential's name", i, n.Key)
			}
		}
	}
}

func TestACancelledLoginOrAnOutageDoesNotAnnounceAgain(t *testing.T) {
	runAlertSteps(t, newAlerts(nil, ""), auth.KindFutuOAuth, []alertStep{
		{auth.ActionNeeded, "show"},
		{auth.Pending, "withdraw"}, // the person started a login: they are on it
		{auth.Pending, ""},
		{auth.ActionNeeded, ""}, // cancelled: announced already
		{auth.Unknown, ""},      // the broker did not answer
		{auth.ActionNeeded, ""}, // and answers again: nothing new
		{auth.Broken, "show"},   // a new stage replaces the one shown
		{auth.Unknown, ""},
		{auth.Broken, ""},
		{auth.OK, "withdraw"}, // fixed: the notification goes
		{auth.Unknown, ""},
		{auth.OK, ""},
		{auth.Broken, "show"}, // broken again after being OK: news
	})
}

func TestAVerificationTheUserStartedIsNotAnnounced(t *testing.T) {
	runAlertSteps(t, newAlerts(nil, ""), auth.KindWebull, []alertStep{
		{auth.OK, ""},
		{auth.Pending, ""},
		{auth.OK, ""},
		// One that fails or runs out: whatever started it says so.
		{auth.Pending, ""},
		{auth.Unknown, ""},
		{auth.ActionNeeded, ""},
		{auth.ActionNeeded, ""},
		// What happens after is news again.
		{auth.Broken, "show"},
	})
}

func TestNothingIsAnnouncedForWhatThePersonJustDid(t *testing.T) {
	a := newAlerts(nil, "")
	ok := Entry{Name: "futu-key", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.OK}}
	if got := a.Due([]Entry{ok}, false, t0); len(got) != 0 {
		t.Fatalf("first snapshot: %+v", got)
	}
	// Added while the agent runs: a login waiting for its first sign-in.
	added := Entry{Name: "futu-new", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.ActionNeeded, Reason: "not logged in yet"}}
	if got := a.Due([]Entry{ok, added}, false, t0); len(got) != 0 {
		t.Errorf("a credential the person just added was announced: %+v", got)
	}
	// Logged in, then logged out on request.
	added.Health = auth.Health{State: auth.OK}
	a.Due([]Entry{ok, added}, false, t0)
	added.Health = auth.Health{State: auth.ActionNeeded, Reason: "logged out", Asked: true}
	if got := a.Due([]Entry{ok, added}, false, t0); len(got) != 0 {
		t.Errorf("a logout the person asked for was announced: %+v", got)
	}
	// The next check learns the same without the mark: still nothing.
	added.Health = auth.Health{State: auth.ActionNeeded, Reason: "not logged in"}
	if got := a.Due([]Entry{ok, added}, false, t0); len(got) != 0 {
		t.Errorf("the logged-out state was announced at the next check: %+v", got)
	}
	// Something the person did not do is news.
	added.Health = auth.Health{State: auth.Broken, Reason: "revoked"}
	if got := shownOnly(a.Due([]Entry{ok, added}, false, t0)); len(got) != 1 {
		t.Errorf("a credential that broke was not announced: %+v", got)
	}
}

func TestAFutuLoginIsNotWaitingForA2FACode(t *testing.T) {
	futu := Entry{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.Pending}}
	if got := lowerTitle(futu); strings.Contains(got, "2FA") {
		t.Errorf("a Futu browser login reads %q", got)
	}
	webull := Entry{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.Pending}}
	if got := lowerTitle(webull); !strings.Contains(got, "2FA") {
		t.Errorf("a Webull verification reads %q", got)
	}
}

// lowerTitle is a notification's title about e, in English.
func lowerTitle(e Entry) string {
	return msg.English.Render(msg.New(titleCode(e), "Name", e.Name, "State", e.Health.State.Message()))
}
