package tray

import (
	"fmt"
	"sort"
	"time"

	"tokentray/auth"
)

// Notifier shows a desktop notification.
type Notifier interface {
	Notify(title, body string) error
}

// alerts decides which health changes deserve a notification: a
// credential that starts to need the user, that breaks, or that crosses
// one of the warning days before expiry (14, 7 and 1 by default). Each
// stage is announced once; a credential that gets better and worse again
// is announced again.
type alerts struct {
	warnDays []int
	sent     map[string]string // credential name -> stage announced
}

func newAlerts(warnDays []int) *alerts {
	days := append([]int(nil), warnDays...)
	sort.Ints(days)
	return &alerts{warnDays: days, sent: map[string]string{}}
}

// stage names what about e is worth telling the user, "" when nothing.
func (a *alerts) stage(e Entry, now time.Time) string {
	h := e.Health
	switch h.State {
	case auth.Pending, auth.ActionNeeded, auth.Broken:
		return h.State.String()
	case auth.Expiring:
		if len(a.warnDays) == 0 {
			return "" // the user asked for no expiry warnings
		}
		if h.ExpiresAt.IsZero() {
			return h.State.String()
		}
		left := h.ExpiresAt.Sub(now)
		for _, d := range a.warnDays {
			if left <= time.Duration(d)*24*time.Hour {
				return fmt.Sprintf("expiring-%d", d)
			}
		}
		return h.State.String()
	}
	return ""
}

// Due returns the notifications to send for entries now, as title and
// body, and remembers them as sent.
func (a *alerts) Due(entries []Entry, sandbox bool, now time.Time) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Name] = true
		st := a.stage(e, now)
		if st == a.sent[e.Name] {
			continue
		}
		a.sent[e.Name] = st
		if st == "" {
			continue
		}
		title := "tokentray: " + e.Name + " " + lowerTitle(e.Health.State)
		if sandbox {
			title += " (sandbox)"
		}
		out = append(out, [2]string{title, auth.Display(e.Health.Reason)})
	}
	for name := range a.sent {
		if !seen[name] {
			delete(a.sent, name)
		}
	}
	return out
}

func lowerTitle(s auth.State) string {
	switch s {
	case auth.ActionNeeded:
		return "needs you"
	case auth.Pending:
		return "is waiting for its 2FA code"
	case auth.Broken:
		return "is broken"
	case auth.Expiring:
		return "expires soon"
	}
	return s.Title()
}
