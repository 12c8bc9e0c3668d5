// Package tray is the agent's system tray: an icon, tooltip and menu
// drawn from a health snapshot of every credential. Render is pure, so
// what the tray shows is tested without a desktop; Run puts it on the
// panel through fyne.io/systray (StatusNotifierItem over D-Bus on Linux).
package tray

import (
	"fmt"
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/icons"
)

// Entry is one credential as the tray sees it.
type Entry struct {
	Name   string
	Kind   auth.Kind
	Health auth.Health
}

// Item is one credential's line in the menu.
type Item struct {
	Name  string
	Label string
}

// View is everything the tray shows at one moment.
type View struct {
	State   auth.State
	Icon    []byte
	Title   string
	Tooltip string
	Items   []Item
}

// Render computes the tray's view: the worst health wins the icon, the
// tooltip counts states and names what needs the user first.
func Render(entries []Entry, sandbox bool, now time.Time) View {
	title := "tokentray"
	if sandbox {
		title = "tokentray (sandbox)"
	}
	v := View{State: auth.OK, Title: title}
	if len(entries) == 0 {
		v.State = auth.Unknown
		v.Icon = icons.ForState(v.State)
		v.Tooltip = title + ": no credentials yet. Open tokentray to add one."
		return v
	}
	hs := make([]auth.Health, len(entries))
	counts := map[auth.State]int{}
	for i, e := range entries {
		hs[i] = e.Health
		counts[e.Health.State]++
		v.Items = append(v.Items, Item{Name: e.Name, Label: itemLabel(e, now)})
	}
	worst := auth.Worst(hs...)
	v.State = worst.State
	v.Icon = icons.ForState(v.State)

	var parts []string
	for i := len(auth.States) - 1; i >= 0; i-- {
		s := auth.States[i]
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(s.Title())))
		}
	}
	lines := []string{title + ": " + strings.Join(parts, ", ")}
	for _, e := range entries {
		if e.Health.State != auth.OK {
			line := e.Name + ": " + e.Health.State.Title()
			if e.Health.Reason != "" {
				line += ": " + auth.Display(e.Health.Reason)
			}
			lines = append(lines, line)
		}
	}
	v.Tooltip = strings.Join(lines, "\n")
	return v
}

var stateMarks = map[auth.State]string{
	auth.OK: "✓", auth.Unknown: "?", auth.Expiring: "⌛",
	auth.Pending: "…", auth.ActionNeeded: "!", auth.Broken: "✗",
}

func itemLabel(e Entry, now time.Time) string {
	h := e.Health
	label := fmt.Sprintf("%s %s: %s", stateMarks[h.State], e.Name, h.State.Title())
	switch {
	case h.State == auth.Pending && !h.Deadline.IsZero():
		label += ", " + auth.Countdown(h.Deadline.Sub(now)) + " left"
	case !h.ExpiresAt.IsZero() && h.ExpiresAt.After(now):
		label += ", expires in " + auth.Approx(h.ExpiresAt.Sub(now))
	}
	return label
}
