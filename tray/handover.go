package tray

import (
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// replacements announces a token that was swapped for a new one while
// the old one stopped working (an extension), made by any face: what got
// the new token, and that processes started with the old one must be
// restarted. Each swap is announced once; one made before the agent
// started is not announced (whoever made it was told).
type replacements struct {
	seen map[string]time.Time // credential name -> last swap seen
	// lang is the language notifications are said in.
	lang msg.Lang
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
		out = append(out, Notification{
			Code:    "notify.new_token",
			Title:   titled(r.lang, msg.New("notify.new_token", "Name", e.Name), sandbox),
			Body:    ReplacementSentence(r.lang, e.Name, e.Replaced),
			Key:     e.Name,
			Actions: []NotifyAction{openButton(r.lang, e.Name)},
		})
	}
	return out
}

// ReplacementSentence says, in the language, what a token swap reached
// and what it did not.
func ReplacementSentence(l msg.Lang, name string, r auth.Replacement) string {
	say := []msg.Message{msg.New("notify.replaced_old_dead")}
	if !r.Until.IsZero() {
		say[0] = msg.New("notify.replaced_extended", "Until", r.Until.UTC().Format(l.Text("notify.date_layout")))
	}
	var parts []string
	for _, h := range r.Handover.Updated {
		parts = append(parts, l.Render(handoff(h)))
	}
	if len(parts) > 0 {
		say = append(say, msg.New("notify.replaced_updated", "Places", strings.Join(parts, l.Text("list.sep"))))
	} else {
		say = append(say, msg.New("notify.replaced_nothing_shared", "Name", name))
	}
	for _, f := range r.Handover.Failed {
		say = append(say, msg.New("notify.replaced_not_updated", "Place", handoff(f.Handoff)))
	}
	say = append(say, msg.New("notify.replaced_restart"))
	return sentences(l, say...)
}

// handoff names a holder of a token: a shared file or a share target.
func handoff(h auth.Handoff) msg.Message {
	if h.Kind == auth.HandoffTarget {
		return msg.New("notify.handoff_target", "Where", h.Where)
	}
	return msg.New("notify.handoff_file", "Where", h.Where)
}

// sentences says several sentences one after the other, as the language
// puts them together (a space between English ones, none in Chinese).
func sentences(l msg.Lang, ms ...msg.Message) string {
	if len(ms) == 0 {
		return ""
	}
	out := l.Render(ms[0])
	for _, m := range ms[1:] {
		out = l.Text("notify.sentences", "First", out, "Then", m)
	}
	return out
}
