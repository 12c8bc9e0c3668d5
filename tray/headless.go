package tray

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"tokentray/auth"
)

// RunHeadless keeps credentials current as Run does, with no tray and no
// window: it renews tokens, asks about pending verifications, keeps the
// shared token files current and hands notifications to the notifier,
// and writes every change of a credential to log as one line (plain
// text, no colours, for journald or a file). It returns when ctx ends or
// the agent is told to quit.
func (a *Agent) RunHeadless(ctx context.Context, log *EventLog) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.quit = cancel
	a.out = func(View) {}
	if log != nil {
		a.observe = log.Entries
	}
	stopped := make(chan struct{})
	go func() { a.loop(ctx); close(stopped) }()
	<-ctx.Done()
	// Let a check in flight store what the broker answered.
	select {
	case <-stopped:
	case <-time.After(StopWait):
	}
	a.endLife()
	a.winWG.Wait()
}

// EventLog writes what happens to the credentials, one line an event:
// the state each has when the agent starts, and after that each change
// of state, each renewal, each credential added or removed.
type EventLog struct {
	w     io.Writer
	stamp func() string

	mu   sync.Mutex
	last map[string]Entry
}

// NewEventLog writes to w; now, when not nil, starts each line with the
// time (journald adds its own, so under systemd pass nil).
func NewEventLog(w io.Writer, now func() time.Time) *EventLog {
	l := &EventLog{w: w}
	if now != nil {
		l.stamp = func() string { return now().UTC().Format(time.RFC3339) + " " }
	}
	return l
}

// Printf writes one line.
func (l *EventLog) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.printf(format, args...)
}

func (l *EventLog) printf(format string, args ...any) {
	line := strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")
	if l.stamp != nil {
		line = l.stamp() + line
	}
	fmt.Fprintln(l.w, line)
}

// Entries writes what changed since the last call.
func (l *EventLog) Entries(entries []Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := l.last == nil
	seen := map[string]Entry{}
	for _, e := range entries {
		seen[e.Name] = e
		prev, known := l.last[e.Name]
		renewed := known && !prev.Health.ExpiresAt.IsZero() && e.Health.ExpiresAt.After(prev.Health.ExpiresAt)
		switch {
		case first:
			l.printf("%s (%s): %s", e.Name, e.Kind.Title(), describe(e))
		case !known:
			l.printf("%s (%s) added: %s", e.Name, e.Kind.Title(), describe(e))
		case prev.Health.State != e.Health.State && renewed:
			l.printf("%s: renewed; %s -> %s", e.Name, prev.Health.State.Title(), describe(e))
		case prev.Health.State != e.Health.State:
			l.printf("%s: %s -> %s", e.Name, prev.Health.State.Title(), describe(e))
		case renewed:
			l.printf("%s: renewed; %s", e.Name, describe(e))
		}
		if !first && strings.Join(prev.ShareFailing, "\n") != strings.Join(e.ShareFailing, "\n") {
			if len(e.ShareFailing) == 0 {
				l.printf("%s: every share target is pushed again", e.Name)
			}
			for _, f := range e.ShareFailing {
				l.printf("%s: %s", e.Name, f)
			}
		}
	}
	for name := range l.last {
		if _, ok := seen[name]; !ok {
			l.printf("%s removed", name)
		}
	}
	l.last = seen
}

// describe is an entry's state, expiry and reason on one line.
func describe(e Entry) string {
	s := e.Health.State.Title()
	if !e.Health.ExpiresAt.IsZero() {
		s += ", expires " + e.Health.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	if r := auth.Display(e.Health.Reason); r != "" && e.Health.State != auth.OK {
		s += ": " + r
	}
	return s
}
