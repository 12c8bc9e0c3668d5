package webull

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Verification timing as Webull documents it.
const (
	// VerifyWindow is how long a PENDING token waits for its SMS code.
	VerifyWindow = 5 * time.Minute
	// PollInterval is how often the official SDKs check a PENDING token.
	PollInterval = 5 * time.Second
	// CheckLimit checks are allowed per CheckPeriod.
	CheckLimit  = 10
	CheckPeriod = 30 * time.Second
	// maxBackoff bounds the wait after a 429 or a server error, so a
	// short outage does not eat the whole 5 minutes.
	maxBackoff = 30 * time.Second
	// deadlineGrace is how long past the deadline a token still reported
	// PENDING is polled before tokentray calls it expired itself.
	deadlineGrace = 30 * time.Second
)

// VerifyStepMessages are what the user does in the Webull app, in
// order, as messages.
var VerifyStepMessages = []msg.Message{
	msg.New("webull.step_open_app"),
	msg.New("webull.step_notifications"),
	msg.New("webull.step_latest"),
	msg.New("webull.step_check_now"),
	msg.New("webull.step_enter_code"),
	msg.New("webull.step_confirm"),
}

// VerifySteps are VerifyStepMessages in English. They are said when
// asked for, not when the program starts: saying a message reads the
// message files, which every command would otherwise pay for at start.
func VerifySteps() []string { return english(VerifyStepMessages) }

func english(ms []msg.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return out
}

// Phase is where a verification stands.
type Phase string

const (
	PhaseStarting  Phase = "starting"  // asking Webull for a token
	PhasePending   Phase = "pending"   // waiting for the SMS code to be confirmed
	PhaseVerified  Phase = "verified"  // the token is NORMAL
	PhaseExpired   Phase = "expired"   // the 5 minutes ran out
	PhaseInvalid   Phase = "invalid"   // Webull does not accept the token
	PhaseFailed    Phase = "failed"    // an error stopped the verification
	PhaseCancelled Phase = "cancelled" // the caller gave up
)

// Done reports whether the phase is final for one Run.
func (p Phase) Done() bool { return p != PhaseStarting && p != PhasePending }

// CanRetry reports whether one action (Run again) gets a new token.
func (p Phase) CanRetry() bool {
	return p == PhaseExpired || p == PhaseInvalid || p == PhaseFailed || p == PhaseCancelled
}

// Status is a snapshot of a verification; it holds no secret.
type Status struct {
	Phase Phase
	// Deadline is when a PENDING token runs out (zero otherwise).
	Deadline time.Time
	// SecondsLeft is the time to Deadline when the snapshot was taken.
	SecondsLeft int
	// Steps are the instructions while pending, nil otherwise, in
	// English; StepMessages are the same as messages.
	Steps        []string
	StepMessages []msg.Message
	// Why is one sentence as data: what is happening and what to do.
	// Message is its English text.
	Why     msg.Message
	Message string
	// TestEnv is set when the token was NORMAL at once (no SMS needed).
	TestEnv bool
	// Expires is the verified token's expiry.
	Expires time.Time
	// Checks counts the status checks made so far.
	Checks int
	// NextCheck is when the next check is due while pending.
	NextCheck time.Time
	// Err is the error behind PhaseFailed, or the last transient error
	// while still pending.
	Err error
}

// Verification creates a token and waits, on its clock, until the user
// confirms the SMS code in the Webull app or the 5 minutes run out. Run it
// again after it ends to start over with a new token.
type Verification struct {
	Client *Client
	Clock  clockwork.Clock
	// Stored is a token to reuse: create returns it as is while it is
	// NORMAL or PENDING. Cleared once Webull reports it dead.
	Stored string
	// TestEnv says the app is in Webull's test environment.
	TestEnv bool
	// LastUsed is when the stored token was last used, to explain INVALID.
	LastUsed time.Time
	// Interval between checks; 0 means PollInterval.
	Interval time.Duration
	// OnChange is called, on Run's goroutine, at every change and poll.
	OnChange func(Status)
	// OnToken is called when Webull hands out or confirms a token, so it
	// can be stored before the wait starts (a restart then reuses it).
	OnToken func(TokenInfo) error

	mu     sync.Mutex
	st     Status
	token  TokenInfo
	checks []time.Time
}

// Status returns the current snapshot; safe from any goroutine.
func (v *Verification) Status() Status {
	v.mu.Lock()
	defer v.mu.Unlock()
	st := v.st
	if st.Phase == PhasePending && !st.Deadline.IsZero() {
		st.SecondsLeft = secondsUntil(v.clock().Now(), st.Deadline)
	}
	return st
}

// Token is the token Webull handed out in the last Run.
func (v *Verification) Token() TokenInfo {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.token
}

func secondsUntil(now, t time.Time) int {
	if !t.After(now) {
		return 0
	}
	return int(t.Sub(now) / time.Second)
}

func (v *Verification) clock() clockwork.Clock {
	if v.Clock == nil {
		return clockwork.NewRealClock()
	}
	return v.Clock
}

func (v *Verification) interval() time.Duration {
	if v.Interval <= 0 {
		return PollInterval
	}
	return v.Interval
}

// set records a new status and reports it.
func (v *Verification) set(st Status) {
	now := v.clock().Now()
	if st.Phase == PhasePending {
		st.Steps, st.StepMessages = VerifySteps(), VerifyStepMessages
		st.SecondsLeft = secondsUntil(now, st.Deadline)
	}
	st.Message = st.Why.String()
	v.mu.Lock()
	st.Checks = len(v.checks)
	v.st = st
	v.mu.Unlock()
	if v.OnChange != nil {
		v.OnChange(st)
	}
}

// Run creates (or reuses) a token and waits for it to become NORMAL. It
// returns the NORMAL token, or an error when the verification ended any
// other way; Status then says why and whether to try again.
func (v *Verification) Run(ctx context.Context) (TokenInfo, error) {
	v.mu.Lock()
	v.checks = nil
	v.token = TokenInfo{}
	v.mu.Unlock()
	v.set(Status{Phase: PhaseStarting, Why: msg.New("webull.asking")})

	ti, err := v.Client.Create(ctx, v.Stored)
	if err == nil && v.Stored != "" && (ti.Status == StatusExpired || ti.Status == StatusInvalid) {
		// The stored token is dead; ask for a fresh one.
		v.Stored = ""
		ti, err = v.Client.Create(ctx, "")
	}
	if err != nil {
		return TokenInfo{}, v.fail(ctx, err)
	}
	if err := v.gotToken(ti); err != nil {
		return TokenInfo{}, v.fail(ctx, err)
	}
	now := v.clock().Now()
	switch ti.Status {
	case StatusNormal:
		return v.verified(ti, true)
	case StatusExpired, StatusInvalid:
		return TokenInfo{}, v.dead(ti.Status)
	}

	deadline := now.Add(VerifyWindow)
	// Trust the server's deadline (a reused PENDING token has less left),
	// unless it is implausible for a 5-minute window.
	if !ti.Expires.IsZero() && ti.Expires.Before(now.Add(VerifyWindow+time.Minute)) {
		deadline = ti.Expires
	}
	st := Status{Phase: PhasePending, Deadline: deadline, Why: msg.New("webull.confirm_within")}
	backoff := time.Duration(0)
	for {
		wait := v.nextWait(backoff, deadline)
		st.NextCheck = v.clock().Now().Add(wait)
		v.set(st)
		timer := v.clock().NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return TokenInfo{}, v.fail(ctx, ctx.Err())
		case <-timer.Chan():
		}
		v.mu.Lock()
		v.checks = append(v.checks, v.clock().Now())
		v.mu.Unlock()
		ci, err := v.Client.Check(ctx, ti.Token)
		now := v.clock().Now()
		if err != nil {
			if ctx.Err() != nil || !IsTemporary(err) {
				return TokenInfo{}, v.fail(ctx, err)
			}
			if !now.Before(deadline.Add(deadlineGrace)) {
				return TokenInfo{}, v.fail(ctx, err)
			}
			backoff = nextBackoff(backoff, err)
			st.Err = err
			st.Why = msg.New("webull.check_again", "Err", sentence(err), "Wait", backoff)
			continue
		}
		backoff, st.Err = 0, nil
		switch ci.Status {
		case StatusNormal:
			if ci.Token == "" {
				ci.Token = ti.Token
			}
			return v.verified(ci, false)
		case StatusExpired, StatusInvalid:
			return TokenInfo{}, v.dead(ci.Status)
		}
		if !now.Before(deadline.Add(deadlineGrace)) {
			return TokenInfo{}, v.dead(StatusExpired)
		}
		st.Why = msg.New("webull.confirm_before")
	}
}

// nextWait is the pause before the next check: the poll interval or the
// back-off, never past the deadline (the check at 5:00 sees EXPIRED), and
// never more than CheckLimit checks in any CheckPeriod.
func (v *Verification) nextWait(backoff time.Duration, deadline time.Time) time.Duration {
	now := v.clock().Now()
	wait := v.interval()
	if backoff > wait {
		wait = backoff
	}
	if left := deadline.Sub(now); left > 0 && left < wait && backoff == 0 {
		wait = left
	}
	v.mu.Lock()
	if n := len(v.checks); n >= CheckLimit {
		if earliest := v.checks[n-CheckLimit].Add(CheckPeriod); earliest.Sub(now) > wait {
			wait = earliest.Sub(now)
		}
	}
	v.mu.Unlock()
	return wait
}

// nextBackoff doubles the wait after a 429 or 5xx, starting at 10 s, up to
// maxBackoff, or follows the server's Retry-After when longer.
func nextBackoff(prev time.Duration, err error) time.Duration {
	next := 2 * prev
	if next < 10*time.Second {
		next = 10 * time.Second
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter > next {
		next = ae.RetryAfter
	}
	return min(next, maxBackoff)
}

func (v *Verification) gotToken(ti TokenInfo) error {
	v.mu.Lock()
	v.token = ti
	v.mu.Unlock()
	if v.OnToken != nil {
		return v.OnToken(ti)
	}
	return nil
}

func (v *Verification) verified(ti TokenInfo, atOnce bool) (TokenInfo, error) {
	if !atOnce {
		if err := v.gotToken(ti); err != nil {
			return TokenInfo{}, v.fail(context.Background(), err)
		}
	}
	v.Stored = ti.Token
	st := Status{Phase: PhaseVerified, Expires: ti.Expires}
	until := !ti.Expires.IsZero()
	switch {
	case atOnce && v.TestEnv && until:
		st.TestEnv = true
		st.Why = msg.New("webull.test_env_at_once_until", "Until", When(ti.Expires))
	case atOnce && v.TestEnv:
		st.TestEnv = true
		st.Why = msg.New("webull.test_env_at_once")
	case atOnce && until:
		st.Why = msg.New("webull.still_verified_until", "Until", When(ti.Expires))
	case atOnce:
		st.Why = msg.New("webull.still_verified")
	case until:
		// Read after the state ("OK: Verified with …"), as status reads.
		st.Why = msg.New("webull.verified_sms_until", "Until", When(ti.Expires))
	default:
		st.Why = msg.New("webull.verified_sms")
	}
	v.set(st)
	return ti, nil
}

// dead ends the run on EXPIRED or INVALID; Run again creates a new token.
func (v *Verification) dead(status string) error {
	v.Stored = ""
	v.mu.Lock()
	v.token.Status = status
	v.mu.Unlock()
	var st Status
	if status == StatusExpired {
		st = Status{Phase: PhaseExpired, Why: msg.New("webull.window_ran_out")}
	} else {
		st = Status{Phase: PhaseInvalid, Why: InvalidWhy(v.LastUsed, time.Time{}, v.clock().Now())}
	}
	v.set(st)
	// A new token is what fixes it; the caller names the credential.
	return auth.NeedsUserBecause(auth.Action{Kind: auth.ActionVerify}, st.Why)
}

func (v *Verification) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) && auth.Stopped(ctx) {
		// The process was told to stop, not cancelled: the verification
		// goes on at Webull, and its status stays as it was (pending) for
		// whoever asks next.
		return err
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		v.set(Status{Phase: PhaseCancelled, Why: msg.New("webull.cancelled")})
		return err
	}
	v.set(Status{Phase: PhaseFailed, Why: sentence(err), Err: err})
	return err
}

// MsgExpired says the 5-minute verification window ran out, in English
// (webull.window_ran_out).
const MsgExpired = "The 5 minutes ran out before the SMS code was confirmed: request a new token and confirm the new code."

// InvalidMessage explains an INVALID token in English (see InvalidWhy).
func InvalidMessage(lastUsed, expires, now time.Time) string {
	return InvalidWhy(lastUsed, expires, now).String()
}

// InvalidWhy explains an INVALID token: idle for 15 days, past its
// expiry, or unknown to Webull.
func InvalidWhy(lastUsed, expires, now time.Time) msg.Message {
	switch {
	case !lastUsed.IsZero() && now.Sub(lastUsed) >= IdleLimit:
		return msg.New("webull.invalid_idle", "LastUsed", When(lastUsed))
	case !expires.IsZero() && !now.Before(expires):
		return msg.New("webull.invalid_expired", "Expires", When(expires))
	}
	return msg.New("webull.invalid")
}

// IdleLimit is how long a token may go unused before Webull makes it INVALID.
const IdleLimit = 15 * 24 * time.Hour

// FormatTime is how times appear in English messages: UTC, to the minute.
func FormatTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

// When is a time as messages say it: UTC, to the minute ("2 Jan 2006
// 15:04 UTC", "2006 年 1 月 2 日 15:04 UTC").
func When(t time.Time) msg.Message {
	t = t.UTC()
	return msg.New("webull.time", "Year", t.Year(), "Month", msg.New(fmt.Sprintf("webull.month_%d", int(t.Month()))),
		"Day", t.Day(), "Clock", t.Format("15:04"))
}

// why is what an error says to a person, as data, without the context
// a call adds for the logs ("webull check token: ...").
func why(err error) msg.Message {
	var ae *APIError
	var ne *NetworkError
	var me *MalformedError
	var se *StoppedError
	var ue *auth.UserError
	switch {
	case errors.As(err, &ae):
		return ae.Message()
	case errors.As(err, &se):
		return se.Message()
	case errors.As(err, &ne):
		return ne.Message()
	case errors.As(err, &me):
		return me.Message()
	case errors.As(err, &ue):
		return ue.Message()
	}
	return msg.Of(err)
}

// sentence is why(err) as a sentence: with a full stop unless it has one.
func sentence(err error) msg.Message {
	m := why(err)
	if strings.HasSuffix(m.String(), ".") {
		return m
	}
	return msg.New("webull.sentence", "Text", m)
}

// clause is why(err) to go inside a sentence, without a full stop (the
// errors that come here have none; one that does is said as its
// English words).
func clause(err error) msg.Message {
	m := why(err)
	if s := m.String(); strings.HasSuffix(s, ".") {
		return msg.Plain(strings.TrimSuffix(s, "."))
	}
	return m
}
