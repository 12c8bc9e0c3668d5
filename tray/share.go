package tray

import (
	"strings"

	"tokentray/auth/service"
	"tokentray/auth/targets"
	"tokentray/internal/msg"
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
	ns := shareNotifications(a.Lang(), r, a.opts.Sandbox)
	for i := range ns {
		ns[i].Event = ev
	}
	a.announce(ns...)
}

func shareNotifications(l msg.Lang, r service.PushResult, sandbox bool) []Notification {
	open := []NotifyAction{openButton(l, r.Credential)}
	var out []Notification
	for _, p := range r.Targets {
		switch p.Change {
		case targets.StartedFailing:
			out = append(out, Notification{
				Key:     shareKey(r.Credential, p.Target),
				Code:    "notify.share_failing",
				Title:   titled(l, msg.New("notify.share_failing", "Name", r.Credential, "Target", p.Target.Describe()), sandbox),
				Body:    l.Text("notify.share_failing_body", "Error", sentence(p.Target.State.Error)),
				Why:     msg.Plain(p.Target.State.Error),
				Actions: open,
			})
		case targets.Recovered:
			out = append(out, Notification{
				Key:   shareKey(r.Credential, p.Target),
				Code:  "notify.share_recovered",
				Title: titled(l, msg.New("notify.share_recovered", "Name", r.Credential, "Target", p.Target.Describe()), sandbox),
				Body:  l.Text("notify.share_recovered_body"),
			})
		}
	}
	if r.NewToken && !r.TokenChangedAt.IsZero() {
		var where []string
		for _, p := range r.Targets {
			where = append(where, p.Target.Describe())
		}
		out = append(out, Notification{
			Code:  "notify.new_token",
			Title: titled(l, msg.New("notify.new_token", "Name", r.Credential), sandbox),
			Body:  l.Text("notify.share_new_token_body", "Targets", strings.Join(where, l.Text("list.sep")), "Time", r.TokenChangedAt.Local().Format("15:04")),
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
