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
// starts a new Webull verification when a token needs one (see
// verifier), and writes every change of a credential to log as one line
// (plain text, no colours, for journald or a file). It returns when ctx
// ends or the agent is told to quit.
func (a *Agent) RunHeadless(ctx context.Context, log *EventLog) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.quit = cancel
	a.out = func(View) {}
	v := &verifier{eng: a.eng, log: log, ctx: ctx, started: map[string]bool{}, announce: a.announce, sandbox: a.opts.Sandbox}
	a.verifier = v
	a.observe = func(es []Entry) {
		if log != nil {
			log.Entries(es)
		}
		v.entries(es)
	}
	stopped := make(chan struct{})
	go func() { a.loop(ctx); close(stopped) }()
	<-ctx.Done()
	// Let a check in flight store what the broker answered.
	select {
	case <-stopped:
	case <-time.After(StopWait):
	}
	v.wg.Wait()
	a.endLife()
	a.winWG.Wait()
}

// verifier starts a Webull verification, where nobody at a desktop
// could click Verify, when a token that was verified before needs a new
// one: Webull sends the SMS and the prompt to the phone, the person
// confirms there (after the notify command's alert), and the agent,
// asking about the pending verification every PollEvery, turns the
// token OK. It starts one for each time a credential comes to need it,
// never again until that credential was fine, so an unanswered prompt
// does not become an SMS every five minutes.
type verifier struct {
	eng Credentials
	log *EventLog
	ctx context.Context
	wg  sync.WaitGroup
	// announce, when set, tells the person (the notify command) that a
	// verification waits for them in the Webull app.
	announce func(...Notification)
	sandbox  bool

	mu      sync.Mutex
	started map[string]bool
}

func (v *verifier) entries(es []Entry) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, e := range es {
		h := e.Health
		switch {
		case h.State == auth.OK || h.State == auth.Expiring:
			delete(v.started, e.Name)
		case e.Kind == auth.KindWebull && h.State == auth.ActionNeeded && nextAction(e) == auth.ActionVerify &&
			!h.Asked && !h.ExpiresAt.IsZero() && !v.started[e.Name] && v.ctx.Err() == nil:
			v.started[e.Name] = true
			v.wg.Add(1)
			go v.start(e.Name)
		}
	}
}

// start asks Webull for a new token and lets go as soon as it is
// pending: the verification goes on at Webull, and the agent's polls
// finish it.
func (v *verifier) start(name string) {
	defer v.wg.Done()
	ctx, stop := context.WithCancelCause(context.WithoutCancel(v.ctx))
	defer stop(nil)
	go func() {
		select {
		case <-v.ctx.Done():
			stop(auth.ErrStopped) // leave it pending, never abandon it
		case <-ctx.Done():
		}
	}()
	pending := false
	_, err := v.eng.Login(ctx, name, auth.LoginOptions{}, func(ev auth.LoginEvent) {
		// Pending with a deadline: Webull has handed out the token and
		// sent the prompt (before that, stopping would abandon nothing).
		if ev.Health.State == auth.Pending && !ev.Health.Deadline.IsZero() && !pending {
			pending = true
			if v.log != nil {
				v.log.Printf("%s: started a new verification: confirm it in the Webull app within 5 minutes", name)
			}
			if v.announce != nil {
				v.announce(verificationStarted(name, ev.Health.Deadline, v.sandbox))
			}
			stop(auth.ErrStopped)
		}
	})
	if err != nil && !pending && v.log != nil {
		v.log.Printf("%s: a new verification could not be started: %s", name, auth.Display(err.Error()))
	}
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
		// A pending verification's expiry is its deadline: the token it
		// turns into is verified, not renewed.
		renewed := known && prev.Health.State != auth.Pending && !prev.Health.ExpiresAt.IsZero() && e.Health.ExpiresAt.After(prev.Health.ExpiresAt)
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

// verificationStarted tells the person that the agent asked Webull for a
// new token and the prompt waits in the Webull app: the alert before it
// (the token needs a verification) asked for what is now under way. It
// replaces that alert on a desktop (same key).
func verificationStarted(name string, deadline time.Time, sandbox bool) Notification {
	suffix := ""
	if sandbox {
		suffix = " (sandbox)"
	}
	return Notification{
		Key:   name,
		Title: "tokentray: " + name + " is waiting for you in the Webull app" + suffix,
		Body: "tokentray asked Webull for a new token: confirm it in the Webull app before " + deadline.Local().Format("15:04 MST") +
			". The agent sees the confirmation within seconds.",
		Event: &Event{Credential: name, Kind: auth.KindWebull, State: auth.Pending, Next: auth.Next(auth.ActionVerify, name), Sandbox: sandbox},
	}
}
