package futu

import (
	"context"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
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
func timeLeft(d time.Duration) msg.Message {
	if d < time.Minute {
		return msg.New("futu.within_the_minute")
	}
	return msg.New("futu.in_time", "Left", msg.Approx(d))
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

// shortErr is err without the URL a *url.Error adds.
func shortErr(err error) string { return auth.NetworkWhy(err) }

// futuBrand is "Futu" as a message, for a sentence about Futu's servers.
func futuBrand() msg.Message { return msg.New("brand.futu") }

// brandOf is the credential's brand (Futu or moomoo) as a message.
func brandOf(c auth.Credential) msg.Message {
	if c.FutuBrand() == auth.BrandMoomoo {
		return msg.New("brand.moomoo")
	}
	return msg.New("brand.futu")
}

// networkHealth is the Unknown health of a call that did not get an answer.
func networkHealth(now time.Time, c auth.Credential, err error) auth.Health {
	return auth.NoAnswerHealth(futuBrand(), err, c.ExpiresAt, now)
}

// nextCheckNote says that nothing was changed and the next check asks
// again.
func nextCheckNote() msg.Message { return msg.New("futu.note_next_check") }

// configHealth is the health of a credential whose settings stop every
// call (an endpoint tokentray refuses): the user must change them.
func configHealth(c auth.Credential, now time.Time, err error) auth.Health {
	return auth.Health{State: auth.ActionNeeded, ExpiresAt: c.ExpiresAt, CheckedAt: now}.Because(msg.Of(err))
}

// scrub returns the broker's text without control characters, or
// auth.Withheld when it shows one of the call's secrets: reasons are
// saved and shown, on terminals too.
func scrub(text string, secrets ...string) string {
	if auth.Exposes(text, secrets...) {
		return auth.Withheld
	}
	return auth.Printable(text)
}

// brokerText is the broker's own words as a message: as they are, or
// the note that they were withheld, said in the person's language.
func brokerText(s string) msg.Message {
	if s == auth.Withheld {
		return msg.New("auth.withheld")
	}
	return msg.Plain(s)
}

// brokerTimeout bounds a call that replaces a token, which runs on after
// its caller gives up so that a token Futu has issued is never dropped.
var brokerTimeout = 30 * time.Second

// detached is ctx without its cancellation, ending after brokerTimeout.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), brokerTimeout)
}
