package tray

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// The agent's loop is a small state machine. It sleeps on one timer of
// the agent's clock, set to the schedule's next deadline, and on the
// channels that bring the other events; each event it wakes for is one
// of the kinds below, and what each does is one method of machine.

// eventKind names what wakes the agent's loop.
type eventKind int

const (
	// evDue: the schedule's deadline came (event.due says what is due):
	// a check, a poll of a pending verification, a verification that ran
	// out, or a countdown's next second.
	evDue eventKind = iota + 1
	// evRoundDone: a check of every credential (or, at start, of those
	// due, or a retry of those a broker did not answer) ended.
	evRoundDone
	// evChecked: a check of one credential the person asked for ended.
	evChecked
	// evPolled: a poll of a pending verification ended.
	evPolled
	// evRecovered: renewals a killed process left unfinished were settled.
	evRecovered
	// evRefresh: the person asked for a check (event.names; nil: every
	// credential).
	evRefresh
	// evRedraw: something the view shows outside the store changed (the
	// start-at-login switch).
	evRedraw
	// evStoreChanged: the engine saved something.
	evStoreChanged
	// evSettingsChanged: the settings file changed (another process).
	evSettingsChanged
)

var eventNames = map[eventKind]string{
	evDue: "due", evRoundDone: "round done", evChecked: "checked", evPolled: "polled",
	evRecovered: "recovered", evRefresh: "refresh", evRedraw: "redraw",
	evStoreChanged: "store changed", evSettingsChanged: "settings changed",
}

func (k eventKind) String() string { return eventNames[k] }

// event is one thing the loop reacts to.
type event struct {
	kind eventKind
	// due is what the deadline brought (evDue).
	due wake
	// names are the credentials to check (evRefresh; nil: every one).
	names []string
	// result is the end of a check (evRoundDone, evChecked, evPolled).
	result result
}

// resultEvent names the end of a check by what was asked.
func resultEvent(r result) event {
	switch {
	case r.all:
		return event{kind: evRoundDone, result: r}
	case r.poll:
		return event{kind: evPolled, result: r}
	case len(r.names) > 0:
		return event{kind: evChecked, result: r}
	}
	return event{kind: evRecovered, result: r}
}

// commandEvent is the loop's event for a command the agent hands it.
func commandEvent(c Command) event {
	switch c.Kind {
	case CmdRefreshAll:
		return event{kind: evRefresh}
	case CmdRefresh:
		return event{kind: evRefresh, names: []string{c.Credential}}
	}
	return event{kind: evRedraw}
}

// effects is what the loop's events do outside the machine's own state
// (the agent, or a test's recorder).
type effects interface {
	// reload reads every credential from the store again.
	reload()
	// draw sends the view to the tray.
	draw()
	// entries are the credentials as last read.
	entries() []Entry
	// check asks the brokers about names (nil: every credential) in the
	// background; its end comes back as an event. start is the round at
	// start's last check of the credentials it left out.
	check(names []string, all bool, start time.Time)
	// poll asks about a pending verification in the background.
	poll(name string)
	// settle hands memory back once work has ended.
	settle()
	// readSettings reads the settings file again.
	readSettings()
	// settings are the settings as last read: every is CheckEvery, lead
	// the renewal lead.
	settings() (every, lead time.Duration)
}

// machine is the loop's state: the schedule, the checks in flight and
// the retry's backoff.
type machine struct {
	fx       effects
	s        *schedule
	checking bool            // a check of every credential is running
	polling  map[string]bool // pending verifications being asked about
	backoff  time.Duration   // the wait before the next retry of a broker that did not answer
}

func newMachine(fx effects) *machine {
	m := &machine{fx: fx, s: &schedule{poll: PollEvery}, polling: map[string]bool{}}
	m.s.every, m.s.lead = fx.settings()
	return m
}

// start is the loop's first step: at start only the credentials whose
// check is due are asked about; the others keep the rhythm of their last
// checks (see atStart).
func (m *machine) start(now time.Time) {
	m.fx.reload()
	m.fx.draw()
	m.s.track(m.fx.entries(), now)
	if due, last := m.s.atStart(m.fx.entries(), now); len(due) > 0 {
		m.launch(due, true, last)
	} else {
		m.s.lastCheck = last
		if last.IsZero() {
			m.s.lastCheck = now // nothing stored yet
		}
		m.fx.settle()
	}
}

// next is the next deadline (nothing: none, ever).
func (m *machine) next(viewUntil, now time.Time) wake {
	return m.s.next(m.fx.entries(), viewUntil, m.checking, now)
}

// busy reports whether a check or a poll is in flight.
func (m *machine) busy() bool { return m.checking || len(m.polling) > 0 }

// handle does what ev means, at now.
func (m *machine) handle(ev event, now time.Time) {
	switch ev.kind {
	case evDue:
		m.due(ev.due, now)
	case evRoundDone:
		m.checking = false
		m.s.lastCheck = now
		if !ev.result.start.IsZero() {
			m.s.lastCheck = ev.result.start // the round at start checked only what was due
		}
		if ev.result.unanswered {
			m.backoff = min(max(2*m.backoff, FirstRetry), m.s.every)
			m.s.retryAt = now.Add(m.backoff)
		} else {
			m.backoff, m.s.retryAt = 0, time.Time{}
		}
		m.refreshed(now)
		m.settleIfIdle()
	case evPolled:
		delete(m.polling, ev.result.names[0])
		m.refreshed(now)
		m.settleIfIdle()
	case evChecked, evRecovered, evStoreChanged:
		m.refreshed(now)
	case evRefresh:
		m.launch(ev.names, ev.names == nil, time.Time{})
	case evRedraw:
		m.fx.draw()
	case evSettingsChanged:
		m.fx.readSettings()
		m.s.every, m.s.lead = m.fx.settings()
		m.refreshed(now)
	}
}

// due does the work a deadline brought.
func (m *machine) due(w wake, now time.Time) {
	if w.reload {
		m.fx.reload()
		m.s.track(m.fx.entries(), now)
	}
	for _, n := range w.polls {
		m.s.polled[n] = now
		if !m.polling[n] {
			m.polling[n] = true
			m.fx.poll(n)
		}
	}
	if !w.check {
		m.fx.draw()
		return
	}
	m.s.retryAt = time.Time{}
	if w.full {
		m.launch(nil, true, time.Time{})
	} else if retry := unanswered(m.fx.entries()); len(retry) > 0 {
		// The round keeps its place: the others were not asked.
		m.launch(retry, true, m.s.lastCheck)
	} else {
		m.backoff = 0
		m.fx.draw()
	}
}

// launch checks the named credentials (nil: every one); a round (all)
// is the periodic check, after which the schedule starts over, and only
// one runs at a time.
func (m *machine) launch(names []string, all bool, start time.Time) {
	if all && m.checking {
		return
	}
	if all {
		m.checking = true
	}
	m.fx.check(names, all, start)
}

// refreshed reads the store again and redraws.
func (m *machine) refreshed(now time.Time) {
	m.fx.reload()
	m.s.track(m.fx.entries(), now)
	m.fx.draw()
}

func (m *machine) settleIfIdle() {
	if !m.busy() {
		m.fx.settle()
	}
}

// stopped takes the end of a check in flight while the loop stops.
func (m *machine) stopped(ev event) {
	switch ev.kind {
	case evRoundDone:
		m.checking = false
	case evPolled:
		delete(m.polling, ev.result.names[0])
	}
}

// loop keeps credentials current until ctx ends: it runs the machine on
// the events it waits for.
func (a *Agent) loop(ctx context.Context) {
	fx := &agentEffects{a: a, ctx: ctx}
	m := newMachine(fx)

	var watch <-chan fsnotify.Event
	if a.opts.SettingsFile != "" {
		if w, err := fsnotify.NewWatcher(); err == nil {
			// The store replaces the settings file by renaming a new one over
			// it: watch the folder, and only that file's name.
			if err := w.Add(filepath.Dir(a.opts.SettingsFile)); err == nil {
				watch = w.Events
			}
			defer w.Close()
		}
	}
	settings := filepath.Base(a.opts.SettingsFile)

	// Share targets are pushed beside the checks, never in their way.
	keeper := a.eng.NewShareKeeper(a.sharePushed)
	a.mu.Lock()
	a.keeper = keeper
	a.mu.Unlock()
	go keeper.Run(ctx)

	// What commands killed before the agent started left in the keychain
	// (also when no check is due at start).
	go func() { _ = a.eng.Tidy(ctx); a.settle() }()
	// Renewals a killed process left unfinished are asked about at once,
	// beside the loop: a broker that stalls never holds up the tray.
	go func() {
		if len(a.eng.Recover(ctx)) > 0 {
			select {
			case a.results <- result{}:
			case <-ctx.Done():
			}
		}
		a.settle()
	}()
	m.start(a.c.Now())

	timer := a.c.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		now := a.c.Now()
		next := m.next(a.viewUntil(), now)
		var tick <-chan time.Time
		if !next.nothing {
			timer.Reset(next.at.Sub(now))
			tick = timer.Chan()
		}
		var ev event
		select {
		case <-ctx.Done():
			timer.Stop()
			defer a.unsettle()
			// Let a check in flight finish saving.
			for m.busy() {
				m.stopped(resultEvent(<-a.results))
			}
			return
		case <-tick:
			if a.c.Now().Before(next.at) {
				continue // a timer value left from before the last reset
			}
			ev = event{kind: evDue, due: next}
		case r := <-a.results:
			ev = resultEvent(r)
		case ev = <-a.events:
		case <-a.opts.Changed:
			ev = event{kind: evStoreChanged}
		case fe := <-watch:
			if filepath.Base(fe.Name) != settings || fe.Op == fsnotify.Chmod {
				continue
			}
			ev = event{kind: evSettingsChanged}
		}
		m.handle(ev, a.c.Now())
		if a.handled != nil {
			a.handled(ev.kind, len(m.polling))
		}
	}
}

// agentEffects are the machine's effects on the agent.
type agentEffects struct {
	a   *Agent
	ctx context.Context
}

func (fx *agentEffects) reload()          { fx.a.reload() }
func (fx *agentEffects) draw()            { fx.a.draw() }
func (fx *agentEffects) entries() []Entry { return fx.a.snapshotEntries() }
func (fx *agentEffects) settle()          { fx.a.settle() }

func (fx *agentEffects) readSettings() {
	a := fx.a
	a.mu.Lock()
	defer a.mu.Unlock()
	a.prefs = a.readPrefs()
	a.alerts.setWarnDays(a.prefs.warnDays)
}

func (fx *agentEffects) settings() (every, lead time.Duration) {
	a := fx.a
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.prefs.every, a.eng.Lead()
}

func (fx *agentEffects) check(names []string, all bool, start time.Time) {
	a, ctx := fx.a, fx.ctx
	a.setBusy(names, true)
	a.draw()
	go func() {
		if all {
			// What a command killed meanwhile left in the keychain.
			_ = a.eng.Tidy(ctx)
		}
		r := result{all: all, names: names, start: start, unanswered: a.check(ctx, names)}
		a.setBusy(names, false)
		a.results <- r
	}()
}

func (fx *agentEffects) poll(name string) {
	a, ctx := fx.a, fx.ctx
	go func() {
		a.check(ctx, []string{name})
		a.results <- result{names: []string{name}, poll: true}
	}()
}
