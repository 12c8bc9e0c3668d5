package targets

import (
	"fmt"
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// State is one target's record of pushes: what the last one did and when
// the next is due. It holds sentences and times, never a secret.
type State struct {
	// LastAttempt is when a push last ran, whatever its result.
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	// LastSuccess is when a push last succeeded.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// Error is the last push's failure as a sentence in English; "" after
	// a success. Why is the same as data (a code and its parameters), for
	// a face to say in the person's language (Cause).
	Error string      `json:"error,omitempty"`
	Why   msg.Message `json:"why,omitzero"`
	// Failures counts the pushes that failed since the last success.
	Failures int `json:"failures,omitempty"`
	// NextAttempt is when the target is pushed again even if nothing
	// changes: after a success, every share-every; after a failure,
	// sooner, backing off.
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	// Holds is a salted fingerprint of the file the last successful push
	// delivered (see Fingerprint): a change need not be pushed again to
	// a target that already holds it. It never holds the file.
	Holds string `json:"holds,omitempty"`
}

// Fingerprint is a salted fingerprint of p's file, for State.Holds.
func Fingerprint(p Payload) string { return auth.KeyFingerprint("share:"+p.Name, string(p.Content)) }

// HoldsNow reports whether the last successful push delivered p's file.
func (s State) HoldsNow(p Payload) bool {
	return s.Holds != "" && auth.SameKey(s.Holds, "share:"+p.Name, string(p.Content))
}

// Cause is the last push's failure as a message: Why, or the stored
// English Error of a state kept before failures were data; zero after a
// success.
func (s State) Cause() msg.Message {
	if !s.Why.IsZero() || s.Error == "" {
		return s.Why
	}
	return msg.Plain(s.Error)
}

// Failing reports whether the last push failed.
func (s State) Failing() bool { return s.Error != "" }

// Pushed reports whether the target was pushed at all.
func (s State) Pushed() bool { return !s.LastAttempt.IsZero() }

// Due reports whether the target should be pushed at now even though
// nothing changed.
func (s State) Due(now time.Time) bool { return s.NextAttempt.IsZero() || !now.Before(s.NextAttempt) }

// FirstRetry is the wait before a failed push is tried again; each
// further failure doubles it, up to the interval between regular pushes.
const FirstRetry = time.Minute

// Change is what a push did to a target's health, for the one
// notification a change deserves.
type Change int

const (
	// Unchanged: it was and stays working, or was and stays failing.
	Unchanged Change = iota
	// StartedFailing: it worked (or never ran) and now fails.
	StartedFailing
	// Recovered: it failed and now works.
	Recovered
)

// Record returns s after a push at now that ended with err (nil: it
// worked), with the next attempt set: every after a success, and after a
// failure FirstRetry doubled for each failure before it, never later
// than every.
func (s State) Record(now time.Time, err error, every time.Duration) (State, Change) {
	was := s.Failing()
	s.LastAttempt = now
	if err == nil {
		s.LastSuccess, s.Error, s.Why, s.Failures = now, "", msg.Message{}, 0
		s.NextAttempt = now.Add(every)
		if was {
			return s, Recovered
		}
		return s, Unchanged
	}
	s.Error, s.Why = err.Error(), msg.Of(err)
	s.Failures++
	wait := FirstRetry
	for i := 1; i < s.Failures && wait < every; i++ {
		wait *= 2
	}
	if every > 0 && wait > every {
		wait = every
	}
	s.NextAttempt = now.Add(wait)
	if was {
		return s, Unchanged
	}
	return s, StartedFailing
}

// Shared is one credential's share targets, as the settings keep them.
type Shared struct {
	Targets []Target `json:"targets,omitempty"`
	// Fingerprint tells the token string last pushed from another one
	// without keeping it (auth.KeyFingerprint).
	Fingerprint string `json:"token_fingerprint,omitempty"`
	// TokenChangedAt is when a push first carried a token string other
	// than the one before: a bot that reads the file once, when it
	// starts, and started before then keeps the old token.
	TokenChangedAt time.Time `json:"token_changed_at,omitzero"`
}

// Find returns the index of the target that is the same place as t, or -1.
func (s Shared) Find(t Target) int {
	for i, x := range s.Targets {
		if x.Same(t) {
			return i
		}
	}
	return -1
}

// Report is the target and how its pushes go, on one line for a face:
// "bot@vps:conf: pushed 2 Mar 14:02", "…: failing (3 times): SENTENCE;
// next attempt 14:10", "…: not pushed yet".
func (t Target) Report() string { return t.ReportIn(msg.English) }

// ReportIn is Report in the language l.
func (t Target) ReportIn(l msg.Lang) string { return l.Render(t.Reported()) }

// Reported is Report as a message.
func (t Target) Reported() msg.Message {
	s := t.State
	switch {
	case !s.Pushed():
		return msg.New("targets.report_not_pushed", "Target", t.Described())
	case s.Failing():
		why := s.Cause()
		if e := why.String(); strings.HasSuffix(e, ".") {
			why = msg.Plain(strings.TrimSuffix(e, "."))
		}
		if s.Failures > 1 {
			return msg.New("targets.report_failing_times", "Target", t.Described(), "Count", s.Failures, "Error", why, "Next", dayTime(s.NextAttempt))
		}
		return msg.New("targets.report_failing", "Target", t.Described(), "Error", why, "Next", dayTime(s.NextAttempt))
	}
	return msg.New("targets.report_pushed", "Target", t.Described(), "At", dayTime(s.LastSuccess))
}

// dayTime is a local time as a report says it ("2 Jan 15:04").
func dayTime(t time.Time) msg.Message {
	t = t.Local()
	return msg.New("targets.day_time", "Day", t.Day(), "Month", msg.New(fmt.Sprintf("webull.month_%d", int(t.Month()))), "Clock", t.Format("15:04"))
}
