package tray

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
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
	if log != nil {
		log.SetLang(a.Lang)
	}
	v := &verifier{eng: a.eng, log: log, ctx: ctx, started: map[string]bool{}, announce: a.announce, sandbox: a.opts.Sandbox, lang: a.Lang}
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
	// lang is the language the agent speaks now.
	lang func() msg.Lang

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
				v.log.Say(msg.New("tray.log_verification_started", "Name", name))
			}
			if v.announce != nil {
				v.announce(verificationStarted(v.lang(), name, ev.Health.Deadline, v.sandbox))
			}
			stop(auth.ErrStopped)
		}
	})
	if err != nil && !pending && v.log != nil {
		v.log.Say(msg.New("tray.log_verification_failed", "Name", name, "Error", display(v.lang(), v.lang().Err(err), "")))
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
	lang func() msg.Lang
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

// SetLang has the log speak the language lang returns, asked at each
// line (the agent's, which follows the language setting); English until
// it is set.
func (l *EventLog) SetLang(lang func() msg.Lang) {
	l.mu.Lock()
	l.lang = lang
	l.mu.Unlock()
}

// Lang is the language the log speaks now.
func (l *EventLog) Lang() msg.Lang {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.langNow()
}

func (l *EventLog) langNow() msg.Lang {
	if l.lang == nil {
		return msg.English
	}
	return l.lang()
}

// Say writes one line saying m in the log's language.
func (l *EventLog) Say(m msg.Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.line(l.langNow().Render(m))
}

// Printf writes one line as it is (text already said in the language).
func (l *EventLog) Printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.line(fmt.Sprintf(format, args...))
}

func (l *EventLog) say(lang msg.Lang, id string, kv ...any) { l.line(lang.Text(id, kv...)) }

func (l *EventLog) line(s string) {
	line := strings.Join(strings.Fields(s), " ")
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
	lang := l.langNow()
	seen := map[string]Entry{}
	for _, e := range entries {
		seen[e.Name] = e
		prev, known := l.last[e.Name]
		// A pending verification's expiry is its deadline: the token it
		// turns into is verified, not renewed.
		renewed := known && prev.Health.State != auth.Pending && !prev.Health.ExpiresAt.IsZero() && e.Health.ExpiresAt.After(prev.Health.ExpiresAt)
		switch {
		case first:
			l.say(lang, "tray.log_first", "Name", e.Name, "Kind", e.Kind.Message(), "What", describe(lang, e))
		case !known:
			l.say(lang, "tray.log_added", "Name", e.Name, "Kind", e.Kind.Message(), "What", describe(lang, e))
		case prev.Health.State != e.Health.State && renewed:
			l.say(lang, "tray.log_renewed_to", "Name", e.Name, "From", prev.Health.State.Message(), "What", describe(lang, e))
		case prev.Health.State != e.Health.State:
			l.say(lang, "tray.log_changed", "Name", e.Name, "From", prev.Health.State.Message(), "What", describe(lang, e))
		case renewed:
			l.say(lang, "tray.log_renewed", "Name", e.Name, "What", describe(lang, e))
		}
		if !first && !slices.EqualFunc(prev.ShareFailing, e.ShareFailing, sameMessage) {
			if len(e.ShareFailing) == 0 {
				l.say(lang, "tray.log_shares_back", "Name", e.Name)
			}
			for _, f := range e.ShareFailing {
				l.say(lang, "tray.log_share_failing", "Name", e.Name, "Failure", f)
			}
		}
	}
	for name := range l.last {
		if _, ok := seen[name]; !ok {
			l.say(lang, "tray.log_removed", "Name", name)
		}
	}
	l.last = seen
}

// sameMessage reports whether two messages say the same (their English
// sentences are equal).
func sameMessage(a, b msg.Message) bool { return a.ID == b.ID && a.String() == b.String() }

// describe is an entry's state, expiry and reason on one line.
func describe(l msg.Lang, e Entry) string {
	s := l.Render(e.Health.State.Message())
	if !e.Health.ExpiresAt.IsZero() {
		s = l.Text("tray.log_expires", "State", s, "At", e.Health.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if r := display(l, e.Health.Explain(l), ""); r != "" && e.Health.State != auth.OK {
		s = l.Text("tray.log_reason", "What", s, "Reason", r)
	}
	return s
}

// verificationStarted tells the person that the agent asked Webull for a
// new token and the prompt waits in the Webull app: the alert before it
// (the token needs a verification) asked for what is now under way. It
// replaces that alert on a desktop (same key).
func verificationStarted(l msg.Lang, name string, deadline time.Time, sandbox bool) Notification {
	return Notification{
		Key:   name,
		Code:  "notify.verification_started",
		Title: titled(l, msg.New("notify.verification_started", "Name", name), sandbox),
		Body:  l.Text("notify.verification_started_body", "Time", deadline.Local().Format("15:04 MST")),
		Event: &Event{Credential: name, Kind: auth.KindWebull, State: auth.Pending, Next: auth.Next(auth.ActionVerify, name), Sandbox: sandbox},
	}
}
