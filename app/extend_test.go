package app

import (
	"strings"
	"testing"
	"time"

	"tokentray/auth"
)

// The Extend dialog offers only lengths that end after the current
// token, shows the date the new one ends, and says before the person
// confirms that the old token stops working.
func TestExtendOffersOnlyLengthsThatExtend(t *testing.T) {
	long := t0.Add(364 * 24 * time.Hour)
	// What the extension's record will say once it is made.
	handover := auth.Replacement{At: t0, Handover: auth.Handover{Updated: []auth.Handoff{{Kind: auth.HandoffTarget, Where: "vps:/srv/bot"}}}}
	b := &memBackend{rows: []Row{
		{Name: "futu-key1", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.OK, ExpiresAt: long}, Credential: auth.Credential{Name: "futu-key1", Kind: auth.KindFutuKey, ExpiresAt: long, Replaced: handover}},
		{Name: "futu-key2", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.Expiring, ExpiresAt: t0.Add(6 * 24 * time.Hour)}, Credential: auth.Credential{Name: "futu-key2", Kind: auth.KindFutuKey, ExpiresAt: t0.Add(6 * 24 * time.Hour)}},
	}}
	u, _ := newTestUI(t, b, nil)

	r, _ := u.row("futu-key1")
	d := u.ShowExtend(r)
	for _, o := range d.Choice.Options {
		if strings.HasPrefix(o, "90 days") || strings.HasPrefix(o, "180 days") {
			t.Fatalf("a token valid for 364 more days is offered %q, which would cut it short", o)
		}
	}
	year := t0.Add(365 * 24 * time.Hour)
	if len(d.Choice.Options) != 3 || !strings.HasPrefix(d.Choice.Selected, "1 year") {
		t.Fatalf("offered %q with %q chosen, want 1, 2 and 3 years with 1 year chosen", d.Choice.Options, d.Choice.Selected)
	}
	if !strings.Contains(d.Until.Text, u.day(year)) {
		t.Fatalf("the dialog says %q, want the date the new token ends (%s)", d.Until.Text, u.day(year))
	}
	for _, want := range []string{"stops working", "exec", u.day(long)} {
		if !strings.Contains(d.Note.Text, want) {
			t.Fatalf("the dialog's note %q does not say %q", d.Note.Text, want)
		}
	}
	d.Choice.SetSelected(d.Choice.Options[1])
	if !strings.Contains(d.Until.Text, u.day(t0.Add(730*24*time.Hour))) {
		t.Fatalf("after choosing 2 years the dialog says %q", d.Until.Text)
	}
	d.Confirm()
	if len(b.extended) != 1 || !b.extended[0].Equal(t0.Add(730*24*time.Hour)) {
		t.Fatalf("extended to %v, want 2 years from now", b.extended)
	}
	// Afterwards it names what got the new token and what did not.
	for _, want := range []string{"Updated with the new token: the share target vps:/srv/bot", "tokentray exec", "restart them"} {
		if !strings.Contains(u.Status.Text, want) {
			t.Fatalf("after extending the window says %q, want %q", u.Status.Text, want)
		}
	}
	u.Escape()

	r, _ = u.row("futu-key2")
	if d := u.ShowExtend(r); len(d.Choice.Options) != len(ExtendChoices) || !strings.HasPrefix(d.Choice.Selected, "90 days") {
		t.Fatalf("a token with 6 days left is offered %q with %q chosen, want every length with 90 days chosen", d.Choice.Options, d.Choice.Selected)
	}
}
