package tray

import (
	"strings"
	"time"

	"tokentray/auth"
)

// replacements announces a token that was swapped for a new one while
// the old one stopped working (an extension), made by any face: what got
// the new token, and that processes started with the old one must be
// restarted. Each swap is announced once; one made before the agent
// started is not announced (whoever made it was told).
type replacements struct {
	seen map[string]time.Time // credential name -> last swap seen
}

// Due returns the notifications for swaps not seen before.
func (r *replacements) Due(entries []Entry, sandbox bool) []Notification {
	first := r.seen == nil
	if first {
		r.seen = map[string]time.Time{}
	}
	var out []Notification
	for _, e := range entries {
		at := e.Replaced.At
		last, known := r.seen[e.Name]
		r.seen[e.Name] = at
		if first || at.IsZero() || (known && !at.After(last)) {
			continue
		}
		title := "tokentray: " + e.Name + " has a new token"
		if sandbox {
			title += " (sandbox)"
		}
		out = append(out, Notification{Title: title, Body: ReplacementSentence(e.Name, e.Replaced), Key: e.Name,
			Actions: []NotifyAction{{Key: "open", Label: "Open", Command: Command{Kind: CmdDetails, Credential: e.Name}}}})
	}
	return out
}

// ReplacementSentence says what a token swap reached and what it did not.
func ReplacementSentence(name string, r auth.Replacement) string {
	msg := "The old token no longer works."
	if !r.Until.IsZero() {
		msg = "It was extended until " + r.Until.UTC().Format("2 Jan 2006") + ", and the old token no longer works."
	}
	var parts []string
	for _, h := range r.Handover.Updated {
		parts = append(parts, h.String())
	}
	if len(parts) > 0 {
		msg += " Updated with the new token: " + strings.Join(parts, ", ") + "."
	} else {
		msg += " No shared file or share target holds " + name + "'s token."
	}
	for _, f := range r.Handover.Failed {
		msg += " Not updated: " + f.String() + "."
	}
	return msg + " Processes started by tokentray exec or with tokentray env still hold the old token: restart them."
}
