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

func TestRenderShowsWorstStateAndWhatNeedsTheUser(t *testing.T) {
	entries := []Entry{
		{Name: "futu-main", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.OK, ExpiresAt: t0.Add(80 * 24 * time.Hour)}},
		{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.Pending, Reason: "enter the SMS code in the Webull app", Deadline: t0.Add(4*time.Minute + 5*time.Second)}},
		{Name: "futu-old", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.Expiring, Reason: "expires in 6 days: run `tokentray extend futu-old`", ExpiresAt: t0.Add(6 * 24 * time.Hour)}},
	}
	v := Render(entries, false, t0)
	if v.State != auth.Pending {
		t.Fatalf("state = %v, want the worst, pending", v.State)
	}
	if !bytes.Equal(v.Icon, icons.ForState(auth.Pending)) {
		t.Error("icon is not the pending icon")
	}
	for _, want := range []string{"1 pending", "1 expiring", "1 ok", "webull-us: Pending: Enter the SMS code", "futu-old: Expiring: Expires in 6 days: run tokentray extend futu-old"} {
		if !strings.Contains(v.Tooltip, want) {
			t.Errorf("tooltip %q lacks %q", v.Tooltip, want)
		}
	}
	if strings.Contains(v.Tooltip, "futu-main:") {
		t.Errorf("tooltip lists a healthy credential: %q", v.Tooltip)
	}
	if len(v.Items) != 3 {
		t.Fatalf("menu has %d credential items, want 3", len(v.Items))
	}
	if got := v.Items[1].Label; !strings.Contains(got, "4:05 left") {
		t.Errorf("pending item %q does not show the countdown", got)
	}
	if got := v.Items[0].Label; !strings.Contains(got, "expires in 80 days") {
		t.Errorf("ok item %q does not show the expiry", got)
	}
}

func TestRenderEmptyAndSandbox(t *testing.T) {
	v := Render(nil, true, t0)
	if v.State != auth.Unknown || !strings.Contains(v.Tooltip, "no credentials yet") {
		t.Errorf("empty view = %v %q", v.State, v.Tooltip)
	}
	if !strings.Contains(v.Title, "sandbox") || !strings.Contains(v.Tooltip, "sandbox") {
		t.Errorf("sandbox is not said: title %q tooltip %q", v.Title, v.Tooltip)
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
