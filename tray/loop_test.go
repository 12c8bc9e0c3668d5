package tray

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
)

// recorder is the machine's effects, written down in order.
type recorder struct {
	did         []string
	list        []Entry
	every, lead time.Duration
	reread      []Entry // what a reload reads
}

func (r *recorder) reload() {
	r.did = append(r.did, "reload")
	if r.reread != nil {
		r.list = r.reread
	}
}
func (r *recorder) draw()            { r.did = append(r.did, "draw") }
func (r *recorder) entries() []Entry { return r.list }
func (r *recorder) settle()          { r.did = append(r.did, "settle") }
func (r *recorder) readSettings()    { r.did = append(r.did, "read settings"); r.every = 2 * time.Hour }
func (r *recorder) settings() (time.Duration, time.Duration) {
	return r.every, r.lead
}
func (r *recorder) check(names []string, all bool, start time.Time) {
	s := fmt.Sprintf("check %v", names)
	if names == nil {
		s = "check every"
	}
	if all {
		s += " as a round"
	}
	if !start.IsZero() {
		s += " from " + start.Format("15:04")
	}
	r.did = append(r.did, s)
}
func (r *recorder) poll(name string) { r.did = append(r.did, "poll "+name) }

// TestEachEventOfTheLoopDoesWhatItsNameSays pins what each named event
// does to the loop's state and what it has the agent do, in order.
func TestEachEventOfTheLoopDoesWhatItsNameSays(t *testing.T) {
	now := t0.Add(time.Hour)
	unknown := Entry{Name: "wb", Health: auth.Health{State: auth.Unknown}}
	ok := Entry{Name: "futu", Health: auth.Health{State: auth.OK}}
	pending := Entry{Name: "wb", Health: auth.Health{State: auth.Pending, Deadline: now.Add(time.Minute)}}
	type state struct {
		checking bool
		polling  []string
		backoff  time.Duration
		retryAt  time.Time
		last     time.Time
		every    time.Duration
	}
	cases := []struct {
		name    string
		before  state
		entries []Entry
		ev      event
		did     []string
		after   state
	}{
		{name: "a round is due: every credential is checked",
			ev: event{kind: evDue, due: wake{check: true, full: true}}, did: []string{"check every as a round"},
			after: state{checking: true}},
		{name: "a retry is due: only the credentials whose broker did not answer",
			before: state{retryAt: now, last: t0}, entries: []Entry{ok, unknown},
			ev: event{kind: evDue, due: wake{check: true}}, did: []string{"check [wb] as a round from 09:00"},
			after: state{checking: true, last: t0}},
		{name: "a retry is due and every broker answered meanwhile: the backoff ends",
			before: state{backoff: time.Minute, retryAt: now}, entries: []Entry{ok},
			ev: event{kind: evDue, due: wake{check: true}}, did: []string{"draw"}},
		{name: "a poll is due",
			entries: []Entry{pending},
			ev:      event{kind: evDue, due: wake{polls: []string{"wb"}}}, did: []string{"poll wb", "draw"},
			after: state{polling: []string{"wb"}}},
		{name: "a poll is due while the last one is still asked",
			before: state{polling: []string{"wb"}}, entries: []Entry{pending},
			ev: event{kind: evDue, due: wake{polls: []string{"wb"}}}, did: []string{"draw"},
			after: state{polling: []string{"wb"}}},
		{name: "a verification ran out: the store is read again",
			ev: event{kind: evDue, due: wake{reload: true}}, did: []string{"reload", "draw"}},
		{name: "a countdown's second: a redraw",
			ev: event{kind: evDue, due: wake{redraw: true}}, did: []string{"draw"}},
		{name: "a round ended with every broker answering",
			before: state{checking: true, backoff: time.Minute, retryAt: now},
			ev:     event{kind: evRoundDone, result: result{all: true}}, did: []string{"reload", "draw", "settle"},
			after: state{last: now}},
		{name: "a round ended with a broker not answering: retried after the first backoff",
			before: state{checking: true},
			ev:     event{kind: evRoundDone, result: result{all: true, unanswered: true}}, did: []string{"reload", "draw", "settle"},
			after: state{last: now, backoff: FirstRetry, retryAt: now.Add(FirstRetry)}},
		{name: "a broker still not answering: the backoff doubles",
			before: state{checking: true, backoff: FirstRetry},
			ev:     event{kind: evRoundDone, result: result{all: true, unanswered: true}}, did: []string{"reload", "draw", "settle"},
			after: state{last: now, backoff: 2 * FirstRetry, retryAt: now.Add(2 * FirstRetry)}},
		{name: "the round at start ended: the round keeps the rhythm of the last checks",
			before: state{checking: true},
			ev:     event{kind: evRoundDone, result: result{all: true, names: []string{"wb"}, start: t0}}, did: []string{"reload", "draw", "settle"},
			after: state{last: t0}},
		{name: "a round ended while a poll is asked: no settling yet",
			before: state{checking: true, polling: []string{"wb"}},
			ev:     event{kind: evRoundDone, result: result{all: true}}, did: []string{"reload", "draw"},
			after: state{last: now, polling: []string{"wb"}}},
		{name: "a poll ended",
			before: state{polling: []string{"wb"}},
			ev:     event{kind: evPolled, result: result{names: []string{"wb"}, poll: true}}, did: []string{"reload", "draw", "settle"}},
		{name: "a poll ended while a round runs",
			before: state{checking: true, polling: []string{"wb"}},
			ev:     event{kind: evPolled, result: result{names: []string{"wb"}, poll: true}}, did: []string{"reload", "draw"},
			after: state{checking: true}},
		{name: "a check the person asked for ended",
			ev: event{kind: evChecked, result: result{names: []string{"wb"}}}, did: []string{"reload", "draw"}},
		{name: "recovered renewals",
			ev: event{kind: evRecovered}, did: []string{"reload", "draw"}},
		{name: "the person asks to check everything",
			ev: event{kind: evRefresh}, did: []string{"check every as a round"},
			after: state{checking: true}},
		{name: "the person asks to check everything while a round runs",
			before: state{checking: true},
			ev:     event{kind: evRefresh},
			after:  state{checking: true}},
		{name: "the person asks to check one credential, also while a round runs",
			before: state{checking: true},
			ev:     event{kind: evRefresh, names: []string{"wb"}}, did: []string{"check [wb]"},
			after: state{checking: true}},
		{name: "a redraw",
			ev: event{kind: evRedraw}, did: []string{"draw"}},
		{name: "the engine saved",
			ev: event{kind: evStoreChanged}, did: []string{"reload", "draw"}},
		{name: "the settings changed",
			ev: event{kind: evSettingsChanged}, did: []string{"read settings", "reload", "draw"},
			after: state{every: 2 * time.Hour}},
	}
	kinds := map[eventKind]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kinds[c.ev.kind] = true
			fx := &recorder{list: c.entries, every: time.Hour, lead: 5 * time.Minute}
			m := newMachine(fx)
			m.checking, m.backoff = c.before.checking, c.before.backoff
			m.s.retryAt, m.s.lastCheck = c.before.retryAt, c.before.last
			for _, n := range c.before.polling {
				m.polling[n] = true
			}
			m.s.track(c.entries, t0)
			m.handle(c.ev, now)
			if c.after.every == 0 {
				c.after.every = time.Hour
			}
			var polling []string
			for n := range m.polling {
				polling = append(polling, n)
			}
			got := state{checking: m.checking, polling: polling, backoff: m.backoff, retryAt: m.s.retryAt, last: m.s.lastCheck, every: m.s.every}
			if !reflect.DeepEqual(got, c.after) {
				t.Errorf("after %v the loop is %+v; want %+v", c.ev.kind, got, c.after)
			}
			if !reflect.DeepEqual(fx.did, c.did) {
				t.Errorf("%v did %q; want %q", c.ev.kind, fx.did, c.did)
			}
		})
	}
	for k := range eventNames {
		if !kinds[k] {
			t.Errorf("no case shows what %q does", k)
		}
	}
}

// TestTheLoopStartsWithTheCredentialsDue: at start the store is read and
// drawn, then only what is due is checked; with nothing due, the rhythm
// of the last checks goes on.
func TestTheLoopStartsWithTheCredentialsDue(t *testing.T) {
	now := t0.Add(time.Hour)
	fresh := Entry{Name: "futu", Health: auth.Health{State: auth.OK}, Checked: now.Add(-10 * time.Minute)}
	never := Entry{Name: "wb", Health: auth.Health{State: auth.OK}}

	fx := &recorder{list: []Entry{fresh, never}, every: time.Hour}
	m := newMachine(fx)
	m.start(now)
	if want := []string{"reload", "draw", "check [wb] as a round from 09:50"}; !reflect.DeepEqual(fx.did, want) {
		t.Errorf("the start did %q; want %q", fx.did, want)
	}
	if !m.checking {
		t.Error("the round at start is not marked as running")
	}

	fx = &recorder{list: []Entry{fresh}, every: time.Hour}
	m = newMachine(fx)
	m.start(now)
	if want := []string{"reload", "draw", "settle"}; !reflect.DeepEqual(fx.did, want) {
		t.Errorf("the start with nothing due did %q; want %q", fx.did, want)
	}
	if !m.s.lastCheck.Equal(fresh.Checked) || m.checking {
		t.Errorf("last check %v (checking %v); want %v", m.s.lastCheck, m.checking, fresh.Checked)
	}
}

// TestCommandsAndResultsAreNamedEvents: what the person asks for and the
// end of each kind of check come to the loop as named events.
func TestCommandsAndResultsAreNamedEvents(t *testing.T) {
	for _, c := range []struct {
		cmd  Command
		want event
	}{
		{Command{Kind: CmdRefreshAll}, event{kind: evRefresh}},
		{Command{Kind: CmdRefresh, Credential: "wb"}, event{kind: evRefresh, names: []string{"wb"}}},
		{Command{Kind: "something new"}, event{kind: evRedraw}},
	} {
		if got := commandEvent(c.cmd); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v is the event %+v; want %+v", c.cmd, got, c.want)
		}
	}
	for _, c := range []struct {
		r    result
		want eventKind
	}{
		{result{all: true}, evRoundDone},
		{result{all: true, names: []string{"wb"}}, evRoundDone},
		{result{names: []string{"wb"}, poll: true}, evPolled},
		{result{names: []string{"wb"}}, evChecked},
		{result{}, evRecovered},
	} {
		if got := resultEvent(c.r).kind; got != c.want {
			t.Errorf("the result %+v is %v; want %v", c.r, got, c.want)
		}
	}
	// The start-at-login switch redraws through the loop.
	a := &Agent{events: make(chan event, 1)}
	a.Do(Command{Kind: CmdAutostart})
	if ev := <-a.events; ev.kind != evRedraw {
		t.Errorf("the switch sent %v; want a redraw", ev.kind)
	}
	for k, n := range eventNames {
		if strings.TrimSpace(n) == "" || k.String() != n {
			t.Errorf("event %d has no name", k)
		}
	}
}
