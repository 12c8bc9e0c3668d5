package auth

import "time"

// MaxTokenLife is the longest lifetime of a token a broker is believed
// to mean. Futu's OAuth access tokens live hours, its API key tokens up
// to a year at a time, Webull's tokens weeks: an answer past this is a
// broker's mistake (or a unit mix-up), not a token to rely on.
const MaxTokenLife = 2 * 366 * 24 * time.Hour

// LifetimeExpiry is when a token issued at issued with a lifetime of
// seconds (an OAuth expires_in) expires, or false when the lifetime is
// one a broker cannot mean: zero, negative, or past MaxTokenLife. It is
// the one rule for such answers: what a renewal stores and what a
// status shows both follow it (see PlausibleExpiry).
func LifetimeExpiry(issued time.Time, seconds int64) (time.Time, bool) {
	if seconds <= 0 || seconds > int64(MaxTokenLife/time.Second) {
		return time.Time{}, false
	}
	return issued.Add(time.Duration(seconds) * time.Second).UTC(), true
}

// PlausibleExpiry reports whether exp, for a token issued at issued, is
// an expiry a broker can mean: after issued, and within MaxTokenLife of
// it. A stored expiry that is not (written before this rule, or read
// from a token's own claims) is treated as unknown.
func PlausibleExpiry(issued, exp time.Time) bool {
	return !exp.IsZero() && exp.After(issued) && exp.Sub(issued) <= MaxTokenLife
}
