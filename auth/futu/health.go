package futu

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"tokentray/auth"
)

// ExpiryWarnDays are the days before expiry at which a legacy API key
// warns; the engine can notify once per stage (see ExpiryStage).
var ExpiryWarnDays = []int{14, 7, 1}

// ExpiryStage is the smallest of ExpiryWarnDays that the time left until
// expires is within, or 0 when none is reached yet or it has expired.
func ExpiryStage(expires, now time.Time) int {
	if expires.IsZero() || !expires.After(now) {
		return 0
	}
	left := expires.Sub(now)
	stage := 0
	for _, d := range ExpiryWarnDays {
		if left <= time.Duration(d)*24*time.Hour {
			stage = d
		}
	}
	return stage
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// timeLeft says "in 12 days", "in 47 hours", "in 30 min" or "within
// the minute": rounded down, never more than is left.
func timeLeft(d time.Duration) string {
	if d < time.Minute {
		return "within the minute"
	}
	return "in " + auth.Approx(d)
}

// stickyHealth is the stored health when it came from the broker after
// the last renewal and needs the user: only the user can clear it.
func stickyHealth(c auth.Credential) (auth.Health, bool) {
	h := c.Health
	if h.State == auth.Broken || h.State == auth.ActionNeeded {
		if !h.CheckedAt.IsZero() && !h.CheckedAt.Before(c.RefreshedAt) && !h.CheckedAt.Before(c.AddedAt) {
			return h, true
		}
	}
	return auth.Health{}, false
}

// networkHealth is the Unknown health of a call that did not get an answer.
func networkHealth(now time.Time, c auth.Credential, err error) auth.Health {
	var ue *url.Error
	short := err
	if errors.As(err, &ue) {
		short = ue.Err
	}
	return auth.Health{
		State:     auth.Unknown,
		Reason:    fmt.Sprintf("Futu did not answer (%v); nothing was changed and tokentray will check again", short),
		ExpiresAt: c.ExpiresAt,
		CheckedAt: now,
	}
}
