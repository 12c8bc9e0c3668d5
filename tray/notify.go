package tray

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"tokentray/auth"
	"tokentray/auth/store"
	"tokentray/internal/atomicfile"
	"tokentray/internal/msg"
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

// Notification is one desktop notification, its title and body said in
// the agent's language.
type Notification struct {
	Title, Body string
	// Code is the message code of its title: what happened
	// ("notify.title_needs_you"), the same in every language, for the
	// sinks beside the desktop.
	Code string
	// Why is the reason its body gives, as data (a code and its
	// parameters), when it has one.
	Why     msg.Message
	Actions []NotifyAction
	// Key names what the notification is about (a credential's name): a
	// notifier that can replaces the one it showed for the same key
	// instead of adding another. Empty: not tied to anything.
	Key string
	// Withdraw asks to take down what is shown for Key (the credential
	// is OK again, or the person is acting on it); no new notification.
	Withdraw bool
	// Event, when set, is the credential the notification is about, for
	// the sinks beside the desktop (the notify command).
	Event *Event
}

// Event is what a notification says about a credential.
type Event struct {
	Credential string
	Kind       auth.Kind
	State      auth.State
	// Next is what the person does about it (none: nothing).
	Next    auth.Action
	Sandbox bool
}

// Withdrawer is a notifier that can take down what it showed for a key.
type Withdrawer interface {
	Withdraw(key string) error
}

// NotifyAction is one button of a notification.
type NotifyAction struct {
	Key, Label string
	Command    Command
}

// actionButton is the button that does a credential's next action, in
// English (see button).
func actionButton(k auth.ActionKind, name string) NotifyAction { return button(msg.English, k, name) }

// button is the button that does a credential's next action, labelled
// in the language; Open (the credential in the window) when the action
// has no button of its own.
func button(l msg.Lang, k auth.ActionKind, name string) NotifyAction {
	c := Command{Kind: CmdAct, Credential: name, Action: k}
	switch k {
	case auth.ActionVerify:
		return NotifyAction{Key: "verify", Label: l.Text("notify.button_verify"), Command: c}
	case auth.ActionLogin:
		return NotifyAction{Key: "login", Label: l.Text("notify.button_login"), Command: c}
	case auth.ActionExtend:
		return NotifyAction{Key: "extend", Label: l.Text("notify.button_extend"), Command: c}
	}
	return openButton(l, name)
}

// openButton shows the credential in the window.
func openButton(l msg.Lang, name string) NotifyAction {
	return NotifyAction{Key: "open", Label: l.Text("notify.button_open"), Command: Command{Kind: CmdDetails, Credential: name}}
}

// alertsFile keeps, beside the settings, what was announced already, so
// a restart does not announce again a state the person saw.
const alertsFile = "notified.json"

// alerts decides which health changes deserve a notification: a
// credential that starts to need the user, that breaks, or that crosses
// one of the warning days before expiry (14, 7 and 1 by default). Each
// stage is announced once: a check the broker did not answer, or a login
// or verification that was started and cancelled, does not announce it
// again; only a credential that became OK in between is announced anew.
// Each credential has at most one notification on screen: a new stage
// replaces it, and it is withdrawn when the credential is OK again or
// while a login or verification of it runs (the person is on it).
// Nothing is announced for what the person just did: a credential they
// added while the agent runs, a logout they asked for.
type alerts struct {
	warnDays []int
	sent     map[string]string // credential name -> stage announced
	path     string            // where sent is kept; "" keeps it in memory
	// shown: a notification of this agent may be on screen for the name.
	shown map[string]bool
	// known: the names seen so far; nil before the first snapshot.
	known map[string]bool
	// acting: a login or verification of the name runs; its outcome is
	// shown to the person by whatever started it.
	acting map[string]bool
	// lang is the language notifications are said in.
	lang msg.Lang
}

func newAlerts(warnDays []int, path string) *alerts {
	a := &alerts{sent: map[string]string{}, path: path, shown: map[string]bool{}, acting: map[string]bool{}}
	a.setWarnDays(warnDays)
	if path != "" {
		if b, err := auth.ReadRegular(path, 1<<20); err == nil {
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

// keep is the stage of a health that changes nothing about what was
// announced: the broker did not answer, or a login or verification runs.
const keep = "="

// stage names what about e is worth telling the user, "" when nothing,
// keep when what was announced still stands.
func (a *alerts) stage(e Entry, now time.Time) string {
	h := e.Health
	switch h.State {
	case auth.Unknown, auth.Pending:
		return keep
	case auth.ActionNeeded, auth.Broken:
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

// Due returns the notifications to send for entries now (new ones, and
// withdrawals of ones shown before) and remembers what was announced.
func (a *alerts) Due(entries []Entry, sandbox bool, now time.Time) []Notification {
	var out []Notification
	seen := map[string]bool{}
	changed := false
	first := a.known == nil
	if first {
		a.known = map[string]bool{}
	}
	withdraw := func(name string) {
		if a.shown[name] {
			delete(a.shown, name)
			out = append(out, Notification{Key: name, Withdraw: true})
		}
	}
	for _, e := range entries {
		seen[e.Name] = true
		added := !first && !a.known[e.Name]
		a.known[e.Name] = true
		st := a.stage(e, now)
		if st == keep {
			if e.Health.State == auth.Pending {
				withdraw(e.Name)
				a.acting[e.Name] = true
			}
			continue
		}
		outcome := a.acting[e.Name]
		delete(a.acting, e.Name)
		if st == a.sent[e.Name] {
			continue
		}
		changed = true
		if st == "" {
			delete(a.sent, e.Name)
			withdraw(e.Name)
			continue
		}
		a.sent[e.Name] = st
		if added || e.Health.Asked || outcome {
			// The person is looking at it: they just added it, asked for
			// this state, or see the end of the login or verification
			// they started where they started it.
			withdraw(e.Name)
			continue
		}
		code := titleCode(e)
		title := titled(a.lang, msg.New(code, "Name", e.Name, "State", e.Health.State.Message()), sandbox)
		n := Notification{Code: code, Title: title, Body: display(a.lang, e.Health.Explain(a.lang), e.Name), Why: e.Health.Cause(), Key: e.Name}
		n.Actions = []NotifyAction{button(a.lang, nextAction(e), e.Name)}
		n.Event = &Event{Credential: e.Name, Kind: e.Kind, State: e.Health.State, Next: auth.Next(nextAction(e), e.Name), Sandbox: sandbox}
		a.shown[e.Name] = true
		out = append(out, n)
	}
	for name := range a.sent {
		if !seen[name] {
			delete(a.sent, name)
			changed = true
		}
	}
	for name := range a.known {
		if !seen[name] {
			delete(a.known, name)
			delete(a.acting, name)
			withdraw(name)
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
	_ = atomicfile.Write(a.path, b, 0o600)
}

// titleCode is the message of a notification's title: what the
// credential's state means for the person.
func titleCode(e Entry) string {
	switch e.Health.State {
	case auth.ActionNeeded:
		return "notify.title_needs_you"
	case auth.Pending:
		if e.Kind == auth.KindWebull {
			return "notify.title_waiting_2fa"
		}
		return "notify.title_waiting_login"
	case auth.Broken:
		return "notify.title_broken"
	case auth.Expiring:
		return "notify.title_expires_soon"
	}
	return "notify.title_state"
}

// titled is a notification's title in the language, marked as the
// sandbox's when it is.
func titled(l msg.Lang, title msg.Message, sandbox bool) string {
	if sandbox {
		return l.Text("notify.sandbox", "Title", title)
	}
	return l.Render(title)
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
