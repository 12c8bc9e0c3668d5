package tray

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/icons"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// demo is one credential of each interesting state, checked at t0.
func demo() []Entry {
	checked := func(h auth.Health) auth.Health { h.CheckedAt = t0; return h }
	return []Entry{
		{Name: "futu-expiring", Kind: auth.KindFutuKey, Health: checked(auth.Health{State: auth.Expiring, Reason: "the access token expires in 6 days", ExpiresAt: t0.Add(6*24*time.Hour + 3*time.Hour)})},
		{Name: "futu-login", Kind: auth.KindFutuOAuth, Account: "Futu ID 1234 · account 5678", Health: checked(auth.Health{State: auth.OK, ExpiresAt: t0.Add(time.Hour + 52*time.Minute + 30*time.Second)})},
		{Name: "futu-revoked", Kind: auth.KindFutuKey, Health: checked(auth.Health{State: auth.Broken, Reason: "the broker refused the app secret", ExpiresAt: t0.Add(89 * 24 * time.Hour), Next: auth.Next(auth.ActionUpdate, "futu-revoked")})},
		{Name: "futu-new", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.Unknown}},
		{Name: "webull-demo", Kind: auth.KindWebull, Health: checked(auth.Health{State: auth.Pending, Reason: "waiting for the SMS code to be confirmed in the Webull app", Deadline: t0.Add(3*time.Minute + 41*time.Second)})},
	}
}

func TestRenderSnapshot(t *testing.T) {
	v := Render(demo(), ViewOptions{Sandbox: true}, t0)
	want := strings.Join([]string{
		"tokentray (sandbox): 1 broken, 1 pending, 1 expiring, 1 unknown, 1 ok",
		"futu-expiring: Expiring, extend within 6 days",
		"futu-login: OK, expires in 1 h 52 min · Futu ID 1234 · account 5678",
		"futu-revoked: Broken",
		"futu-new: Unknown, not checked yet",
		"webull-demo: Pending, 3:41 left to verify",
	}, "\n")
	if v.Tooltip != want {
		t.Errorf("tooltip:\n%s\nwant:\n%s", v.Tooltip, want)
	}
	if v.State != auth.Broken || !bytes.Equal(v.Icon(), icons.ForState(auth.Broken)) {
		t.Errorf("state %v: the icon is not the worst state's", v.State)
	}
	if strings.Contains(v.Tooltip, "89 days") {
		t.Error("a broken credential shows days left")
	}
	if got, want := menuText(v.Menu), strings.Join([]string{
		"Refresh all",
		"---",
		"⌛ futu-expiring: Expiring, extend within 6 days [The access token expires in 6 days (off) | --- | Copy token | Refresh | Extend… | Details…]",
		"✓ futu-login: OK, expires in 1 h 52 min · Futu ID 1234 · account 5678 [Copy token | Refresh | Details…]",
		"✗ futu-revoked: Broken [The broker refused the app secret (off) | --- | Refresh | Update the secret… | Details…]",
		"? futu-new: Unknown, not checked yet [Refresh | Details…]",
		"… webull-demo: Pending, 3:41 left to verify [Waiting for the SMS code to be confirmed in the Webull app (off) | --- | Refresh | Verify 2FA… | Details…]",
		"---",
		"Open tokentray…", "Add a credential…", "Settings…", "[ ] Start at login", "---", "Quit",
	}, "\n"); got != want {
		t.Errorf("menu:\n%s\nwant:\n%s", got, want)
	}
	// The countdown is the first text to change, at the next whole second.
	if want := t0.Add(time.Second); !v.Until.Equal(want) {
		t.Errorf("Until = %v, want %v", v.Until, want)
	}
}

func TestRenderNumbersFollowTheClock(t *testing.T) {
	e := demo()
	v := Render(e, ViewOptions{}, t0.Add(1500*time.Millisecond))
	if !strings.Contains(v.Tooltip, "webull-demo: Pending, 3:40 left to verify") {
		t.Errorf("countdown 1.5 s later: %q", v.Tooltip)
	}
	v = Render(e, ViewOptions{}, t0.Add(5*time.Minute))
	if !strings.Contains(v.Tooltip, "webull-demo: Pending, 0:00 left to verify") || !strings.Contains(v.Tooltip, "expires in 1 h 47 min") {
		t.Errorf("5 min later: %q", v.Tooltip)
	}
	if v.Title != "tokentray" || strings.Contains(v.Tooltip, "sandbox") {
		t.Errorf("not the sandbox, but title %q", v.Title)
	}
}

func TestApproxLeftSaysWhenItChanges(t *testing.T) {
	for _, c := range []struct {
		left   time.Duration
		text   string
		change time.Duration // from now
	}{
		{6*24*time.Hour + 3*time.Hour, "6 days", 3 * time.Hour},
		{48*time.Hour + time.Minute, "2 days", time.Minute},
		{48 * time.Hour, "47 h", time.Hour},
		{6*time.Hour + 30*time.Minute, "6 h", 30 * time.Minute},
		{6 * time.Hour, "5 h 59 min", time.Minute},
		{time.Hour + 52*time.Minute + 30*time.Second, "1 h 52 min", 30 * time.Second},
		{12 * time.Minute, "11 min", time.Minute},
		{40 * time.Second, "less than a minute", 40 * time.Second},
	} {
		text, at := approxLeft(t0.Add(c.left), t0)
		if text != c.text || !at.Equal(t0.Add(c.change)) {
			t.Errorf("%v left: %q changing in %v, want %q in %v", c.left, text, at.Sub(t0), c.text, c.change)
		}
	}
}

func TestRenderEmpty(t *testing.T) {
	v := Render(nil, ViewOptions{Sandbox: true, Autostart: true}, t0)
	if !v.Empty || !strings.Contains(v.Tooltip, "no credentials yet") || !strings.Contains(v.Tooltip, "sandbox") {
		t.Errorf("empty view = %+v", v)
	}
	if got := menuText(v.Menu); !strings.HasPrefix(got, "Add a credential…\n---\nOpen tokentray…") || !strings.Contains(got, "[x] Start at login") || strings.Contains(got, "Refresh all") {
		t.Errorf("empty menu:\n%s", got)
	}
	if icon := v.Icon(); bytes.Equal(icon, icons.ForState(auth.Unknown)) || !bytes.HasPrefix(icon, []byte("\x89PNG")) {
		t.Error("no credentials shows the Unknown icon, not a neutral one")
	}
}

func TestBusyHasItsOwnLook(t *testing.T) {
	e := demo()[1:2]
	idle := Render(e, ViewOptions{}, t0)
	e[0].Busy = true
	busy := Render(e, ViewOptions{}, t0)
	if bytes.Equal(idle.Icon(), busy.Icon()) || !bytes.HasPrefix(busy.Icon(), []byte("\x89PNG")) {
		t.Error("a running refresh does not change the icon")
	}
	if !strings.Contains(busy.Tooltip, "checking…") {
		t.Errorf("busy tooltip %q", busy.Tooltip)
	}
}

func TestEveryStateHasItsOwnIcon(t *testing.T) {
	seen := map[string]auth.State{}
	for _, s := range auth.States {
		b := icons.ForState(s)
		if len(b) < 100 || !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Fatalf("icon for %v is not a PNG", s)
		}
		if prev, dup := seen[string(b)]; dup {
			t.Errorf("%v and %v share an icon", s, prev)
		}
		seen[string(b)] = s
	}
}

// menuText is a menu as lines: "label [child | child]", "---" for a
// separator, "(off)" for a disabled line, "[x]" for a checked box.
func menuText(items []MenuItem) string {
	var lines []string
	for _, it := range items {
		lines = append(lines, itemText(it))
	}
	return strings.Join(lines, "\n")
}

func itemText(it MenuItem) string {
	if it.Separator {
		return "---"
	}
	s := it.Label
	if it.Checkable {
		box := "[ ] "
		if it.Checked {
			box = "[x] "
		}
		s = box + s
	}
	if it.Disabled {
		s += " (off)"
	}
	if len(it.Children) > 0 {
		var kids []string
		for _, c := range it.Children {
			kids = append(kids, itemText(c))
		}
		s += " [" + strings.Join(kids, " | ") + "]"
	}
	return s
}

func TestAFutuLoginCountsDownToALoginNotA2FACode(t *testing.T) {
	e := Entry{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.Pending, Deadline: t0.Add(4 * time.Minute)}}
	if line, _ := StateLine(e, t0); line != "futu-main: Pending, 4:00 left to log in" {
		t.Errorf("a Futu browser login reads %q", line)
	}
}

// An action needed names the action as its button does, the product's
// spelling kept ("2FA", never "2fa"), and without a second "needed".
func TestActionNeededNamesTheAction(t *testing.T) {
	for _, c := range []struct {
		kind auth.ActionKind
		want string
	}{
		{auth.ActionVerify, "wb: Action needed, verify 2FA"},
		{auth.ActionLogin, "wb: Action needed, log in"},
		{auth.ActionUpdate, "wb: Action needed, update the secret"},
	} {
		e := Entry{Name: "wb", Kind: auth.KindWebull, Health: auth.Health{State: auth.ActionNeeded, Next: auth.Next(c.kind, "wb")}}
		if line, _ := StateLine(e, t0); line != c.want {
			t.Errorf("%s: %q, want %q", c.kind, line, c.want)
		}
	}
}
