package tray

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
)

// fleet is n credentials sorted by name: demo's five (a 2FA countdown,
// a broken key, an expiring key, one never checked, a login), the rest
// healthy API keys.
func fleet(n int) []Entry {
	out := demo()
	if n < len(out) {
		return out[:n]
	}
	for i := len(out); i < n; i++ {
		out = append(out, Entry{Name: fmt.Sprintf("bot-%04d", i), Kind: auth.KindFutuKey,
			Health: auth.Health{State: auth.OK, CheckedAt: t0, ExpiresAt: t0.Add(time.Duration(60+i%30) * 24 * time.Hour)}})
	}
	// By name, as the store lists them.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Name < out[j-1].Name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestTheTrayStaysUsableAtAThousandCredentials(t *testing.T) {
	v := Render(fleet(1000), ViewOptions{}, t0)
	var creds []MenuItem
	var more *MenuItem
	for i, it := range v.Menu {
		switch {
		case strings.HasPrefix(it.Key, "cred:"):
			creds = append(creds, it)
		case it.Key == "more":
			more = &v.Menu[i]
		}
	}
	if len(v.Menu) > MenuCap+10 || len(creds) != MenuCap {
		t.Fatalf("%d top-level menu items, %d of them credentials; want at most %d credentials", len(v.Menu), len(creds), MenuCap)
	}
	// Worst first: the broken key, the countdown, the expiring key, the
	// one never checked, then the healthy tokens nearest their expiry.
	for i, want := range []string{"futu-revoked", "webull-demo", "futu-expiring", "futu-new", "futu-login"} {
		if got := creds[i].Key; got != "cred:"+want+":" {
			t.Errorf("menu line %d is %s, want %s", i+1, got, want)
		}
	}
	if more == nil || more.Label != "and 980 more — open tokentray…" || more.Command.Kind != CmdOpen {
		t.Fatalf("the line after the capped list: %+v, want \"and 980 more — open tokentray…\" opening the window", more)
	}
	lines := strings.Split(v.Tooltip, "\n")
	if len(lines) != TooltipCap+2 {
		t.Fatalf("a tooltip of %d lines at 1000 credentials, want %d:\n%s", len(lines), TooltipCap+2, v.Tooltip)
	}
	if lines[0] != "tokentray: 1 broken, 1 pending, 1 expiring, 1 unknown, 996 ok" {
		t.Errorf("the tooltip's summary still counts them all: %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "futu-revoked: Broken") || lines[len(lines)-1] != "and 990 more — open tokentray…" {
		t.Errorf("tooltip:\n%s", v.Tooltip)
	}
	// Up to the cap every credential is listed, by name.
	if v := Render(fleet(MenuCap), ViewOptions{}, t0); !strings.Contains(v.Menu[2].Label, "bot-0005") || v.Menu[2+MenuCap].Key != "sep-tail" {
		t.Errorf("%d credentials: the menu starts %q, and after them %q", MenuCap, v.Menu[2].Label, v.Menu[2+MenuCap].Key)
	}
	if v := Render(fleet(TooltipCap), ViewOptions{}, t0); strings.Contains(v.Tooltip, "more") || !strings.Contains(v.Tooltip, "\nbot-0005") {
		t.Errorf("%d credentials: tooltip:\n%s", TooltipCap, v.Tooltip)
	}
}

// textPanel is a fakePanel that also counts the text it is sent: what
// the panel then reads over the bus.
type textPanel struct {
	*fakePanel
	text int
}

func (p *textPanel) SetTooltip(tip string) { p.text += len(tip); p.fakePanel.SetTooltip(tip) }
func (p *textPanel) UpdateItem(h any, old, it MenuItem) {
	p.text += len(it.Label)
	p.fakePanel.UpdateItem(h, old, it)
}
func (p *textPanel) AddItem(parent any, it MenuItem, onClick func()) any {
	p.text += len(it.Label)
	return p.fakePanel.AddItem(parent, it, onClick)
}

// countdownSecond is what one second of a 2FA countdown sends the panel
// over n credentials: messages, and bytes of text.
func countdownSecond(t *testing.T, n int) (calls, text int) {
	t.Helper()
	p := &textPanel{fakePanel: newFakePanel()}
	s := newShown(p, nil)
	e := fleet(n)
	s.apply(Render(e, ViewOptions{}, t0))
	calls0, text0 := p.calls(), p.text
	v := Render(e, ViewOptions{}, t0.Add(time.Second))
	s.apply(v)
	if !strings.Contains(v.Tooltip, "3:40 left to verify") {
		t.Fatalf("%d credentials: the countdown is not in the tooltip:\n%s", n, v.Tooltip)
	}
	return p.calls() - calls0, p.text - text0
}

func TestACountdownSecondCostsTheSameAtAnyNumberOfCredentials(t *testing.T) {
	c4, b4 := countdownSecond(t, 4+1) // demo's four and the countdown
	c20, b20 := countdownSecond(t, MenuCap)
	c1000, b1000 := countdownSecond(t, 1000)
	t.Logf("a countdown second: %d messages, %d bytes at 5 credentials; %d, %d at %d; %d, %d at 1000", c4, b4, c20, b20, MenuCap, c1000, b1000)
	if c4 == 0 || float64(c1000) > 1.2*float64(c4) {
		t.Errorf("a countdown second at 1000 credentials sent %d messages, at 5 %d: want at most 1.2 times", c1000, c4)
	}
	// The text grows with the lines shown, up to the caps, and no more.
	if float64(b1000) > 1.2*float64(b20) {
		t.Errorf("a countdown second at 1000 credentials sent %d bytes, at %d %d: want at most 1.2 times", b1000, MenuCap, b20)
	}
}

// TestHiddenCredentialsDoNotWakeTheTray: a line that is not shown
// changing its text ("expires in 12 min" to "11 min") is no reason to
// redraw.
func TestHiddenCredentialsDoNotWakeTheTray(t *testing.T) {
	e := fleet(1000)
	for i := range e {
		if e[i].Name == "bot-0999" {
			// Healthy, expiring in 30 min: the minutes count down, but
			// twenty worse ones fill the menu.
			e[i].Health.ExpiresAt = t0.Add(30 * time.Minute)
		}
	}
	for i := 0; i < MenuCap; i++ {
		e[5+i].Health = auth.Health{State: auth.Broken, CheckedAt: t0}
	}
	v := Render(e, ViewOptions{}, t0)
	if strings.Contains(v.Tooltip, "bot-0999") || !v.Until.IsZero() {
		t.Errorf("the view changes on its own at %v (tooltip:\n%s)", v.Until, v.Tooltip)
	}
}
