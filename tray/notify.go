package tray

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"tokentray/auth"
	"tokentray/auth/store"
)

// Notifier shows a desktop notification.
type Notifier interface {
	Notify(title, body string) error
}

// ActionNotifier shows a notification with buttons; a click on one runs
// onAction with the button's command.
type ActionNotifier interface {
	NotifyActions(n Notification, onAction func(Command)) error
}

// Notification is one desktop notification.
type Notification struct {
	Title, Body string
	Actions     []NotifyAction
}

// NotifyAction is one button of a notification.
type NotifyAction struct {
	Key, Label string
	Command    Command
}

// actionButton is the button that does a credential's next action.
func actionButton(k auth.ActionKind, name string) NotifyAction {
	c := Command{Kind: CmdAct, Credential: name, Action: k}
	switch k {
	case auth.ActionVerify:
		return NotifyAction{Key: "verify", Label: "Verify now", Command: c}
	case auth.ActionLogin:
		return NotifyAction{Key: "login", Label: "Log in", Command: c}
	case auth.ActionExtend:
		return NotifyAction{Key: "extend", Label: "Extend", Command: c}
	}
	return NotifyAction{Key: "open", Label: "Open", Command: Command{Kind: CmdDetails, Credential: name}}
}

// alertsFile keeps, beside the settings, what was announced already, so
// a restart does not announce again a state the person saw.
const alertsFile = "notified.json"

// alerts decides which health changes deserve a notification: a
// credential that starts to need the user, that breaks, or that crosses
// one of the warning days before expiry (14, 7 and 1 by default). Each
// stage is announced once; a credential that gets better and worse again
// is announced again.
type alerts struct {
	warnDays []int
	sent     map[string]string // credential name -> stage announced
	path     string            // where sent is kept; "" keeps it in memory
}

func newAlerts(warnDays []int, path string) *alerts {
	a := &alerts{sent: map[string]string{}, path: path}
	a.setWarnDays(warnDays)
	if path != "" {
		if b, err := os.ReadFile(path); err == nil {
			_ = json.Unmarshal(b, &a.sent)
			if a.sent == nil {
				a.sent = map[string]string{}
			}
		}
	}
	return a
}

func (a *alerts) setWarnDays(warnDays []int) {
	days := append([]int(nil), warnDays...)
	sort.Ints(days)
	a.warnDays = days
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

// Due returns the notifications to send for entries now and remembers
// them as sent.
func (a *alerts) Due(entries []Entry, sandbox bool, now time.Time) []Notification {
	var out []Notification
	seen := map[string]bool{}
	changed := false
	for _, e := range entries {
		seen[e.Name] = true
		st := a.stage(e, now)
		if st == a.sent[e.Name] {
			continue
		}
		changed = true
		if st == "" {
			delete(a.sent, e.Name)
			continue
		}
		a.sent[e.Name] = st
		title := "tokentray: " + e.Name + " " + lowerTitle(e.Health.State)
		if sandbox {
			title += " (sandbox)"
		}
		n := Notification{Title: title, Body: auth.Display(e.Health.Reason)}
		n.Actions = []NotifyAction{actionButton(nextAction(e), e.Name)}
		out = append(out, n)
	}
	for name := range a.sent {
		if !seen[name] {
			delete(a.sent, name)
			changed = true
		}
	}
	if changed {
		a.save()
	}
	return out
}

func (a *alerts) save() {
	if a.path == "" {
		return
	}
	b, err := json.Marshal(a.sent)
	if err != nil {
		return
	}
	tmp := a.path + ".tmp"
	if os.WriteFile(tmp, b, 0o600) == nil {
		_ = os.Rename(tmp, a.path)
	}
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

// prefsOf is what the agent takes from the settings.
func prefsOf(p store.Prefs) agentPrefs {
	ap := agentPrefs{every: p.CheckEvery, lead: p.LeadTime, warnDays: p.WarnDays, clipClear: p.ClipboardClear, notify: !p.Quiet}
	if ap.clipClear <= 0 {
		ap.clipClear = store.DefaultClipboardClear
	}
	if ap.every <= 0 {
		ap.every = store.DefaultCheckEvery
	}
	if ap.warnDays == nil {
		ap.warnDays = store.DefaultWarnDays
	}
	return ap
}
