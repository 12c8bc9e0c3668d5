package tray

import (
	"time"

	"tokentray/auth"
)

// PollEvery is how often a pending verification is asked about: Webull
// allows 10 checks of a token per 30 s, so every 5 s stays well within it
// and a phone confirmation shows within about 5 s.
const PollEvery = 5 * time.Second

// minCheckGap keeps a token whose whole life is shorter than the lead
// time from being checked in a tight loop.
const minCheckGap = 10 * time.Second

// schedule decides when the agent next has something to do. The agent
// sleeps on one timer to the earliest of these deadlines; with none due
// it does not wake at all.
type schedule struct {
	every time.Duration // the longest between two checks of everything
	lead  time.Duration // how long before expiry a token is renewed
	poll  time.Duration // the cadence of asking about a pending verification

	lastCheck time.Time // the end of the last check of everything
	retryAt   time.Time // a broker that did not answer is asked again then
	// polled: when each pending verification was last asked about (or
	// first seen).
	polled map[string]time.Time
}

// wake is one kind of work the agent does when a deadline comes.
type wake struct {
	at      time.Time
	check   bool     // check credentials with their brokers
	full    bool     // every credential (else only those the brokers did not answer)
	polls   []string // ask about these pending verifications
	reload  bool     // read the store again (a verification ran out)
	redraw  bool     // the view's text changes (a countdown, an expiry)
	nothing bool     // nothing is due, ever: no timer
}

// nextCheck is when every credential is next checked: CheckEvery after
// the last check, or sooner when a token comes within the lead time of
// its expiry (for a token that lives less than the lead, half its life).
func (s *schedule) nextCheck(entries []Entry) time.Time {
	next := s.lastCheck.Add(s.every)
	for _, e := range entries {
		h := e.Health
		exp := h.ExpiresAt
		if exp.IsZero() || !exp.After(s.lastCheck) || h.State.NeedsUser() {
			continue
		}
		t := exp.Add(-s.lead)
		if !t.After(s.lastCheck) {
			t = s.lastCheck.Add(exp.Sub(s.lastCheck) / 2)
		}
		if min := s.lastCheck.Add(minCheckGap); t.Before(min) {
			t = min
		}
		if t.Before(next) {
			next = t
		}
	}
	return next
}

// track notes the pending verifications of entries, seen at now, and
// forgets those that ended.
func (s *schedule) track(entries []Entry, now time.Time) {
	if s.polled == nil {
		s.polled = map[string]time.Time{}
	}
	live := map[string]bool{}
	for _, e := range entries {
		if pendingAt(e, now) {
			live[e.Name] = true
			if _, ok := s.polled[e.Name]; !ok {
				s.polled[e.Name] = now
			}
		}
	}
	for n := range s.polled {
		if !live[n] {
			delete(s.polled, n)
		}
	}
}

func pendingAt(e Entry, now time.Time) bool {
	return e.Health.State == auth.Pending && (e.Health.Deadline.IsZero() || e.Health.Deadline.After(now))
}

// next is the earliest deadline after the work done so far, with
// everything due at that moment. viewUntil is when the drawn view's text
// next changes on its own; checking says a check of everything is
// running (its end reschedules).
func (s *schedule) next(entries []Entry, viewUntil time.Time, checking bool, now time.Time) wake {
	var w wake
	consider := func(t time.Time, mark func(*wake)) {
		if t.IsZero() {
			return
		}
		if t.Before(now) {
			t = now
		}
		switch {
		case w.at.IsZero() || t.Before(w.at):
			w = wake{at: t}
			mark(&w)
		case t.Equal(w.at):
			mark(&w)
		}
	}
	if !checking {
		consider(s.nextCheck(entries), func(w *wake) { w.check, w.full = true, true })
		consider(s.retryAt, func(w *wake) { w.check = true })
	}
	for _, e := range entries {
		last, ok := s.polled[e.Name]
		if !ok {
			continue
		}
		name := e.Name
		consider(last.Add(s.poll), func(w *wake) { w.polls = append(w.polls, name) })
		if d := e.Health.Deadline; !d.IsZero() {
			consider(d, func(w *wake) { w.reload = true })
		}
	}
	consider(viewUntil, func(w *wake) { w.redraw = true })
	if w.at.IsZero() {
		w.nothing = true
	}
	return w
}

// atStart splits the credentials when the agent starts into those whose
// check is due now and the time of the last check of the others, which
// keeps the rhythm of the checks across a restart: the next round of
// every credential comes CheckEvery after the oldest of those last
// checks. A restart asks the brokers nothing they were asked within the
// interval; with a thousand credentials a start is not a thousand calls.
// last is zero when every credential is due.
func (s *schedule) atStart(entries []Entry, now time.Time) (due []string, last time.Time) {
	for _, e := range entries {
		if s.dueAtStart(e, now) {
			due = append(due, e.Name)
		} else if last.IsZero() || e.Checked.Before(last) {
			last = e.Checked
		}
	}
	return due, last
}

// dueAtStart reports whether e is checked as the agent starts: never
// checked, last checked CheckEvery ago or more, its token within the
// lead time of its expiry, a verification waiting, a broker that did
// not answer at the last check (Unknown), or a health whose next action
// is a check (a token in its renewal window).
func (s *schedule) dueAtStart(e Entry, now time.Time) bool {
	h := e.Health
	switch {
	case e.Checked.IsZero() || !now.Before(e.Checked.Add(s.every)):
		return true
	case h.State == auth.Pending || h.State == auth.Unknown:
		return true
	case h.Next.Kind == auth.ActionRetry:
		return true // the next check does something about it (a renewal)
	case !h.ExpiresAt.IsZero() && !h.State.NeedsUser() && !now.Before(h.ExpiresAt.Add(-s.lead)):
		return true
	}
	return false
}

// unanswered are the credentials a retry asks about: those whose broker
// did not answer at their last check (Unknown). A broker that is down
// for a while is asked about its own credentials, not about all.
func unanswered(entries []Entry) []string {
	var out []string
	for _, e := range entries {
		if e.Health.State == auth.Unknown {
			out = append(out, e.Name)
		}
	}
	return out
}
