package engine

import (
	"context"
	"errors"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// renewedGrace is how long a token renewed a moment ago is handed out
// as it is, even when its whole life is shorter than the lead time, so a
// burst of callers does not renew it once each. An expired token is
// never handed out, however recently it was renewed.
const renewedGrace = 30 * time.Second

func justRenewed(c auth.Credential, now time.Time) bool {
	return !c.RefreshedAt.IsZero() && now.Sub(c.RefreshedAt) < renewedGrace && c.Health.State == auth.OK && !expired(c, c.Health, now)
}

// expired reports whether the token of c has expired by now, as far as
// what is stored knows.
func expired(c auth.Credential, h auth.Health, now time.Time) bool {
	exp := h.ExpiresAt
	if exp.IsZero() {
		exp = c.ExpiresAt
	}
	return !exp.IsZero() && !now.Before(exp)
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
	lead, every := e.Lead(), e.CheckEvery()
	decided := e.now()
	before := e.assess(p, c)
	if !due(c, before, decided, lead) && !e.st.InFlight(c.ID) {
		return c, p, nil
	}
	if e.refusedRecently(c, every) {
		return c, p, needsUser(c, before)
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
		now, h := e.now(), e.assess(p, *c)
		checked := !c.LastChecked.Equal(stored.LastChecked) && !expired(*c, h, now)
		if (checked || justRenewed(*c, now) || !due(*c, h, now, lead)) && !e.st.InFlight(c.ID) {
			return false, nil
		}
		if e.refusedRecently(*c, every) {
			return false, nil
		}
		was := *c
		h, err := e.checkWithBroker(ctx, c, p, s, auth.RefreshOptions{Lead: lead})
		if cutShort(ctx, h) {
			keepStored(c, was)
			rerr = notChecked(ctx, c.Name)
			return true, nil
		}
		e.record(c, h, err)
		rerr = err
		return true, nil
	})
	if errors.Is(err, errBusy) {
		if before.State.NeedsUser() {
			return stored, p, needsUser(stored, before)
		}
		if !expired(stored, before, e.now()) {
			// Another process is renewing it; the stored token still works.
			return stored, p, nil
		}
		return stored, p, err
	}
	if err != nil {
		return c, p, err
	}
	h := e.assess(p, c)
	gone := expired(c, h, e.now())
	var ue *auth.UserError
	if rerr != nil && !errors.As(rerr, &ue) && (gone || h.State.NeedsUser()) {
		// The renewal failed for a reason that is not the user's (the
		// broker did not answer, the keychain refused): no reason to send
		// them to log in again, and a stale token would only fail in the
		// caller's hands.
		return c, p, auth.WithAction(msg.Errorf("engine.not_renewed", "Name", name, "Err", auth.Clause(rerr)), auth.Next(auth.ActionRetry, name))
	}
	if h.State.NeedsUser() {
		return c, p, needsUser(c, h)
	}
	if gone {
		// The broker answered, but what it gave has expired already.
		return c, p, auth.WithAction(msg.Errorf("engine.expired_no_new", "Name", name, "Broker", c.Kind.BrokerMessage()), auth.Next(auth.ActionRetry, name))
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
	if errors.Is(err, auth.ErrSecretNotFound) {
		tok, err = "", nil
	}
	if err != nil {
		return "", err
	}
	if tok == "" {
		return "", auth.NeedsUserBecause(auth.Next(signIn(c.Kind), name), msg.New("engine.no_token_yet", "Name", name))
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
