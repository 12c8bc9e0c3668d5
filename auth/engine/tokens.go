package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"tokentray/auth"
)

// renewedGrace is how long a token renewed a moment ago is handed out
// as it is, even when its whole life is shorter than the lead time, so a
// burst of callers does not renew it once each.
const renewedGrace = 30 * time.Second

func justRenewed(c auth.Credential, now time.Time) bool {
	return !c.RefreshedAt.IsZero() && now.Sub(c.RefreshedAt) < renewedGrace && c.Health.State == auth.OK
}

// due reports whether c must be checked with the broker before its token
// is handed out: it expires within lead, or what is stored does not say
// that it is usable.
func due(c auth.Credential, h auth.Health, now time.Time, lead time.Duration) bool {
	exp := h.ExpiresAt
	if exp.IsZero() {
		exp = c.ExpiresAt
	}
	if !exp.IsZero() && !now.Add(lead).Before(exp) {
		return true
	}
	switch h.State {
	case auth.OK, auth.Expiring:
		return false
	case auth.Unknown:
		// Known to be valid for longer than the lead: a broker that did
		// not answer last time is no reason to withhold the token.
		return exp.IsZero()
	}
	return true
}

// ensureFresh renews the credential when it is due and returns its
// freshest stored copy. Of several callers at once (goroutines or
// processes) only the first renews; the others find it fresh under the
// lock and do not call the broker again.
func (e *Engine) ensureFresh(ctx context.Context, name string) (auth.Credential, auth.Provider, error) {
	c, err := e.st.Get(name)
	if err != nil {
		return c, nil, err
	}
	p, err := e.Provider(c.Kind)
	if err != nil {
		return c, nil, err
	}
	lead := e.Lead()
	decided := e.now()
	before := e.assess(p, c)
	if !due(c, before, decided, lead) && !e.st.InFlight(c.ID) {
		return c, p, nil
	}
	// A credential that needs the user is most likely locked by a login
	// waiting for them (up to minutes): say so instead of waiting as long.
	var wait time.Duration
	if before.State.NeedsUser() {
		wait = e.busyWait
	}
	var rerr error
	stored := c
	c, err = e.withCredentialWait(ctx, name, wait, func(c *auth.Credential, p auth.Provider, s auth.Secrets) (bool, error) {
		// Checked by someone else since we read it: their answer is as
		// fresh as ours would be. (Comparing with what we read, not with
		// the time we decided, also covers a check saved just after our
		// read: its time can be earlier than our decision.)
		// A renewal a killed process left unfinished is checked whatever
		// the stored health says.
		if (!c.LastChecked.Equal(stored.LastChecked) || justRenewed(*c, e.now()) || !due(*c, e.assess(p, *c), e.now(), lead)) && !e.st.InFlight(c.ID) {
			return false, nil
		}
		h, err := e.checkWithBroker(ctx, c, p, s, auth.RefreshOptions{Lead: lead})
		e.record(c, h, err)
		rerr = err
		return true, nil
	})
	if errors.Is(err, errBusy) {
		return stored, p, needsUser(name, before)
	}
	if err != nil {
		return c, p, err
	}
	h := e.assess(p, c)
	now := e.now()
	exp := h.ExpiresAt
	if exp.IsZero() {
		exp = c.ExpiresAt
	}
	expired := !exp.IsZero() && !now.Before(exp)
	var ue *auth.UserError
	if rerr != nil && !errors.As(rerr, &ue) && (expired || h.State.NeedsUser()) {
		// The broker did not answer: that is no reason to send the user to
		// log in again, and a stale token would only fail in the caller's
		// hands.
		return c, p, fmt.Errorf("%s could not be renewed (%s); try again when the broker can be reached", name, strings.TrimSuffix(rerr.Error(), "."))
	}
	if h.State.NeedsUser() {
		return c, p, needsUser(name, h)
	}
	if expired {
		// Expired, and the last word (ours or another caller's) is that
		// the broker did not answer: not the user's to fix.
		reason := h.Reason
		if reason == "" {
			reason = "the token has expired"
		}
		return c, p, fmt.Errorf("%s could not be renewed (%s); try again when the broker can be reached", name, strings.TrimSuffix(reason, "."))
	}
	return c, p, nil
}

// Token returns the current token of the credential called name for
// another app to use. It renews the token first when it expires within
// the lead time, so it never hands out a stale one. An error wrapping
// *auth.UserError means the user must act (log in, verify, extend).
func (e *Engine) Token(ctx context.Context, name string) (string, error) {
	c, p, err := e.ensureFresh(ctx, name)
	if err != nil {
		return "", err
	}
	tok, err := p.Token(c, auth.Bind(e.st.Secrets(), c.ID))
	if err != nil {
		return "", err
	}
	if tok == "" {
		return "", auth.NeedsUser(fmt.Sprintf("%s has no token yet; run: tokentray login %s", name, name))
	}
	return tok, nil
}

// Env returns the environment variables the broker's SDK reads for the
// credential called name, renewed first like Token, and a note for the
// user (may be empty).
func (e *Engine) Env(ctx context.Context, name string) (map[string]string, string, error) {
	c, p, err := e.ensureFresh(ctx, name)
	if err != nil {
		return nil, "", err
	}
	return p.Env(c, auth.Bind(e.st.Secrets(), c.ID))
}
