package tray

import (
	"strings"

	"tokentray/auth/service"
	"tokentray/auth/targets"
)

// sharePushed announces what a push of share targets changed: a target
// that starts failing, one that recovers (one notification each), and a
// new token string that bots already running do not read.
func (a *Agent) sharePushed(r service.PushResult) {
	ev := &Event{Credential: r.Credential, Sandbox: a.opts.Sandbox}
	for _, e := range a.snapshotEntries() {
		if e.Name == r.Credential {
			ev.Kind, ev.State = e.Kind, e.Health.State
		}
	}
	ns := shareNotifications(r, a.opts.Sandbox)
	for i := range ns {
		ns[i].Event = ev
	}
	a.announce(ns...)
}

func shareNotifications(r service.PushResult, sandbox bool) []Notification {
	suffix := ""
	if sandbox {
		suffix = " (sandbox)"
	}
	open := []NotifyAction{{Key: "open", Label: "Open", Command: Command{Kind: CmdDetails, Credential: r.Credential}}}
	var out []Notification
	for _, p := range r.Targets {
		switch p.Change {
		case targets.StartedFailing:
			out = append(out, Notification{
				Key:     shareKey(r.Credential, p.Target),
				Title:   "tokentray: " + r.Credential + " cannot be pushed to " + p.Target.Describe() + suffix,
				Body:    sentence(p.Target.State.Error) + " tokentray tries again, less and less often, until it works.",
				Actions: open,
			})
		case targets.Recovered:
			out = append(out, Notification{
				Key:   shareKey(r.Credential, p.Target),
				Title: "tokentray: " + r.Credential + " is pushed to " + p.Target.Describe() + " again" + suffix,
				Body:  "The push worked after failing; the file there is current.",
			})
		}
	}
	if r.NewToken && !r.TokenChangedAt.IsZero() {
		var where []string
		for _, p := range r.Targets {
			where = append(where, p.Target.Describe())
		}
		out = append(out, Notification{
			Title: "tokentray: " + r.Credential + " has a new token" + suffix,
			Body: "Pushed to " + strings.Join(where, ", ") + ". Bots started before " + r.TokenChangedAt.Local().Format("15:04") +
				" keep the old token until they are restarted.",
		})
	}
	return out
}

// shareKey ties the notifications about one target together: its
// recovery replaces its failure on screen.
func shareKey(name string, t targets.Target) string { return "share\x00" + name + "\x00" + t.Key() }

// sentence is s with a capital letter and a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
