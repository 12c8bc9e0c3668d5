package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"tokentray/auth"
	"tokentray/auth/store"
	"tokentray/internal/msg"
)

// RevokeTimeout bounds the best-effort revocation at removal, so a broker
// that does not answer never keeps a credential from being removed.
const RevokeTimeout = 15 * time.Second

// Change edits the settings of the credential called name (never its
// secrets) under its locks, giving up with ErrBusy when they are not
// free within wait, and returns the credential as it was before.
func (e *Engine) Change(ctx context.Context, name string, wait time.Duration, edit func(c *auth.Credential)) (auth.Credential, error) {
	var before auth.Credential
	_, err := e.withCredentialWait(ctx, name, wait, func(c *auth.Credential, _ auth.Provider, _ auth.Secrets) (bool, error) {
		before = *c
		edit(c)
		return true, nil
	})
	if err == nil {
		e.changed(name)
	}
	return before, err
}

// CheckOptions say whether Add and Update ask the broker first.
type CheckOptions struct {
	// NoCheck stores the credential without asking the broker, marked
	// Unknown until the next check (a broker that cannot be reached now).
	NoCheck bool
}

// Add stores a new credential with its secrets after checking them with
// the broker (see AddWith).
func (e *Engine) Add(ctx context.Context, c auth.Credential, secrets map[string]string) (auth.Credential, error) {
	return e.AddWith(ctx, c, secrets, CheckOptions{})
}

// AddWith stores a new credential with its secrets. c.ID and c.AddedAt
// are set here; the name must be free, the kind known, and an app key
// not already held by another credential. Unless o.NoCheck, the broker
// checks the secrets first (a signed call for a Futu API key or a Webull
// app, the registration for Futu OAuth) and a refusal stores nothing: the
// error names the wrong field (auth.FieldOf) where the broker said which.
// A credential without an endpoint gets the profile's default one.
func (e *Engine) AddWith(ctx context.Context, c auth.Credential, secrets map[string]string, o CheckOptions) (auth.Credential, error) {
	if err := auth.ValidateName(c.Name); err != nil {
		return c, err
	}
	if !c.Kind.Valid() {
		return c, msg.Errorf("engine.kind_unknown", "Kind", fmt.Sprintf("%q", c.Kind))
	}
	p, err := e.Provider(c.Kind)
	if err != nil {
		return c, err
	}
	if _, err := e.st.Get(c.Name); err == nil {
		return c, msg.Errorf("engine.name_taken", "Name", c.Name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return c, err
	}
	// Endpoints are checked even when the broker is not asked: one with a
	// password in it must never reach the settings file.
	if err := c.CheckEndpoints(); err != nil {
		return c, err
	}
	if c.Endpoint == "" {
		if c.Endpoint, err = e.DefaultEndpoint(c.Kind); err != nil {
			return c, err
		}
	}
	if err := e.keychainReady(); err != nil {
		return c, msg.Wrap(err, "engine.add_keychain", "Name", c.Name, "Err", err)
	}
	if key := secrets[auth.FieldAppKey]; key != "" {
		if other, err := e.holderOf(c.Kind, key, ""); err != nil {
			return c, err
		} else if other != "" {
			return c, auth.WrongField(auth.FieldAppKey, auth.NeedsUserBecause(auth.Action{}, msg.New("engine.add_key_held", "Name", c.Name, "Broker", c.Kind.BrokerMessage(), "Other", other)))
		}
		c.KeyFingerprint = auth.KeyFingerprint(c.Kind.Broker(), key)
	}
	c.ID = auth.NewID()
	c.AddedAt = e.now()
	c.Health = auth.Health{}
	if o.NoCheck {
		c.Health = unchecked(c, e.now())
	} else {
		var h auth.Health
		h, secrets, err = e.check(ctx, &c, p, secrets)
		if err != nil {
			return c, refused(c, false, h, err)
		}
		c.Health = h
		c.LastChecked = h.CheckedAt
	}
	if err := e.st.Add(c, secrets); err != nil {
		return c, err
	}
	e.changed(c.Name)
	return c, nil
}

// unchecked is the health of a credential stored without a broker check.
func unchecked(c auth.Credential, now time.Time) auth.Health {
	return withNext(c, auth.Health{State: auth.Unknown, CheckedAt: now}.Because(msg.New("engine.not_checked_yet", "Broker", c.Kind.BrokerMessage())))
}

// DefaultEndpoint is the endpoint a credential of kind k gets when none
// is given: the profile's own (the sandbox's brokers in the sandbox
// profile), else "" for the broker's default.
func (e *Engine) DefaultEndpoint(k auth.Kind) (string, error) {
	if e.defaultEndpoints == nil {
		return "", nil
	}
	futu, webull, err := e.defaultEndpoints()
	if err != nil {
		return "", err
	}
	if k == auth.KindWebull {
		return webull, nil
	}
	return futu, nil
}

// holderOf returns the name of the credential of k's broker, other than
// the one with ID except, that holds appKey, by the fingerprints in the
// settings (the keychain is not searched).
func (e *Engine) holderOf(k auth.Kind, appKey, except string) (string, error) {
	cs, err := e.st.List()
	if err != nil {
		return "", err
	}
	for _, o := range cs {
		if o.ID != except && o.Kind.Broker() == k.Broker() && auth.SameKey(o.KeyFingerprint, k.Broker(), appKey) {
			return o.Name, nil
		}
	}
	return "", nil
}

// check asks the broker about c with the given secrets before anything
// is stored. It works on a scratch copy of the secrets and returns the
// health and the secrets to store (a check may add some, such as a
// client registration). A broker that refuses, or cannot be asked, is an
// error.
func (e *Engine) check(ctx context.Context, c *auth.Credential, p auth.Provider, secrets map[string]string) (auth.Health, map[string]string, error) {
	s := scratch{}
	for f, v := range secrets {
		if v == "" {
			continue
		}
		if err := s.Set(f, v); err != nil {
			return auth.Health{}, nil, auth.WrongField(f, err)
		}
	}
	now := e.now()
	var h auth.Health
	var err error
	if ch, ok := p.(auth.Checker); ok {
		h, err = ch.Check(ctx, c, s)
	} else {
		// The regular check on the scratch copy: a signed call for a Futu
		// API key, Webull's /openapi/config for an app without a token.
		h, err = p.Refresh(ctx, c, s, auth.RefreshOptions{Lead: e.Lead()})
	}
	if err := refusal(h, err); err != nil {
		return h, nil, err
	}
	if h.CheckedAt.IsZero() {
		h.CheckedAt = now
	}
	if h.ExpiresAt.IsZero() && h.State != auth.Unknown {
		h.ExpiresAt = c.ExpiresAt
	}
	out := map[string]string{}
	for _, f := range auth.SecretFields {
		if v, err := s.Get(f); err == nil && v != "" {
			out[f] = v
		}
	}
	return withNext(*c, h), out, nil
}

// refusal is the error of a check that did not accept the secrets: the
// broker refused them (Broken, a wrong field, a user error whose fix is
// new secrets), or could not be asked. A credential the broker did not
// refuse but that needs the user next (a login, a verification) is
// accepted.
func refusal(h auth.Health, err error) error {
	if _, ok := auth.FieldOf(err); ok {
		return err
	}
	if h.State == auth.Broken {
		if err == nil {
			err = auth.NeedsUserBecause(auth.Action{}, h.Cause())
		}
		var ue *auth.UserError
		if !errors.As(err, &ue) && !h.Cause().IsZero() {
			err = auth.NeedsUserBecause(auth.Action{}, h.Cause())
		}
		return err
	}
	if err == nil {
		return nil
	}
	var ue *auth.UserError
	if errors.As(err, &ue) {
		if a, _ := auth.ActionOf(err); a.Kind != auth.ActionUpdate {
			// Right, but a login or a verification comes next.
			return nil
		}
	}
	return err
}

// refused is a refused check as one sentence ("main was not added:
// Futu refused the app secret"), keeping whether the user must act and
// which field was wrong.
// changed says "was not changed" (an update) rather than "was not
// added".
func refused(c auth.Credential, changed bool, h auth.Health, err error) error {
	id := "engine.not_added_because"
	if changed {
		id = "engine.not_changed_because"
	}
	said := msg.New(id, "Name", c.Name, "Why", auth.Clause(err))
	var ue *auth.UserError
	isUser := errors.As(err, &ue)
	field, hasField := auth.FieldOf(err)
	switch {
	case hasField:
		return auth.WrongField(field, auth.NeedsUserBecause(auth.Action{}, said))
	case isUser:
		return auth.NeedsUserBecause(auth.Action{}, said)
	}
	// Not a refusal: the broker could not be asked. The provider's
	// sentence says why better than a transport error does.
	// Its note that the stored credential is unchanged and will be
	// checked again does not hold: nothing was stored.
	why := h.WithoutNote().Cause()
	if why.IsZero() {
		why = auth.Clause(err)
	}
	id = "engine.not_added_unchecked"
	if changed {
		id = "engine.not_changed_unchecked"
	}
	return msg.Wrap(err, id, "Name", c.Name, "Broker", c.Kind.BrokerMessage(), "Why", why)
}

// Update replaces secrets of the credential called name (empty values
// are left as they are) and, through edit (may be nil), its endpoints,
// region or scope, after checking the new values with the broker (see
// UpdateWith).
func (e *Engine) Update(ctx context.Context, name string, secrets map[string]string, edit func(c *auth.Credential)) (auth.Health, error) {
	return e.UpdateWith(ctx, name, secrets, edit, CheckOptions{})
}

// UpdateWith is Update; unless o.NoCheck the broker checks the new values
// first, and a refused update changes nothing. A new app key must not be
// held by another credential; a new Webull app key drops the old app's
// token. The health becomes what the check found (a diagnosis of the old
// values does not survive new ones).
func (e *Engine) UpdateWith(ctx context.Context, name string, secrets map[string]string, edit func(c *auth.Credential), o CheckOptions) (auth.Health, error) {
	var h auth.Health
	for f := range secrets {
		if !slices.Contains(auth.SecretFields, f) {
			return h, msg.Errorf("engine.field_unknown", "Field", fmt.Sprintf("%q", f))
		}
	}
	_, err := e.withCredentialWait(ctx, name, e.lockWait(name), func(c *auth.Credential, p auth.Provider, s auth.Secrets) (bool, error) {
		if err := e.keychainReady(); err != nil {
			return false, msg.Wrap(err, "engine.update_keychain", "Name", name, "Err", err)
		}
		next := *c
		if edit != nil {
			edit(&next)
			next.ID, next.Name, next.Kind, next.AddedAt = c.ID, c.Name, c.Kind, c.AddedAt
			if err := next.CheckEndpoints(); err != nil {
				return false, err
			}
		}
		old := map[string]string{}
		for _, f := range auth.SecretFields {
			v, err := s.Get(f)
			switch {
			case err == nil:
				old[f] = v
			case !errors.Is(err, auth.ErrSecretNotFound):
				return false, msg.Wrap(err, "engine.update_unreadable", "Name", name, "Field", auth.FieldMessage(f), "Err", err)
			}
		}
		merged := maps.Clone(old)
		for f, v := range secrets {
			if v != "" {
				merged[f] = v
			}
		}
		if key := merged[auth.FieldAppKey]; key != "" && key != old[auth.FieldAppKey] {
			other, err := e.holderOf(c.Kind, key, c.ID)
			if err != nil {
				return false, err
			}
			if other != "" {
				return false, auth.WrongField(auth.FieldAppKey, auth.NeedsUserBecause(auth.Action{}, msg.New("engine.update_key_held", "Name", name, "Broker", c.Kind.BrokerMessage(), "Other", other)))
			}
			next.KeyFingerprint = auth.KeyFingerprint(c.Kind.Broker(), key)
			if c.Kind == auth.KindWebull {
				// A token belongs to the app that created it.
				delete(merged, auth.FieldWebullToken)
				next.TokenStatus, next.ExpiresAt, next.RefreshedAt = "", time.Time{}, time.Time{}
			}
		}
		if o.NoCheck {
			h = unchecked(next, e.now())
		} else {
			var err error
			if h, merged, err = e.check(ctx, &next, p, merged); err != nil {
				return false, withUpdate(name, refused(next, true, h, err))
			}
		}
		if err := writeSecrets(s, old, merged); err != nil {
			return false, msg.Wrap(err, "engine.not_changed", "Name", name, "Err", err)
		}
		next.Health = h
		next.LastChecked = h.CheckedAt
		*c = next
		return true, nil
	})
	if err != nil {
		return h, err
	}
	return h, nil
}

// withUpdate gives a refused update its next action: update again.
func withUpdate(name string, err error) error {
	if _, ok := auth.ActionOf(err); ok {
		return err
	}
	return auth.WithAction(err, auth.Next(auth.ActionUpdate, name))
}

// writeSecrets makes the keychain hold want instead of old, and puts old
// back when a write fails, so a failed update changes nothing.
func writeSecrets(s auth.Secrets, old, want map[string]string) error {
	var done []string
	undo := func() {
		for _, f := range done {
			if v, ok := old[f]; ok {
				_ = s.Set(f, v)
			} else {
				_ = s.Delete(f)
			}
		}
	}
	for _, f := range auth.SecretFields {
		v, keep := want[f]
		ov, had := old[f]
		var err error
		switch {
		case keep && (!had || v != ov):
			err = s.Set(f, v)
		case !keep && had:
			if err = s.Delete(f); errors.Is(err, auth.ErrSecretNotFound) {
				err = nil
			}
		default:
			continue
		}
		if err != nil {
			undo()
			return msg.Wrap(err, "engine.write_failed", "Field", auth.FieldMessage(f), "Err", err)
		}
		done = append(done, f)
	}
	return nil
}

// Remove deletes the credential called name: the broker is told first
// (revoking OAuth tokens) on a best-effort basis, then the settings entry
// and every keychain item go. revokeErr says what was not revoked
// although the local removal succeeded. With the keychain unavailable
// nothing is revoked or removed.
func (e *Engine) Remove(ctx context.Context, name string) (revokeErr error, err error) {
	g, err := e.RemoveAndTell(ctx, name)
	return g.Revoke, err
}

// Gone is what removing or logging out a credential did beyond this
// computer.
type Gone struct {
	// Revoke says what the broker was not told (nil: it revoked the
	// tokens, or has nothing to revoke).
	Revoke error
	// Targets is what became of the file pushed to each share target.
	Targets []TargetOff
}

// RemoveAndTell is Remove saying also what became of the files pushed to
// the credential's share targets: once it is removed here, each is
// deleted where it still holds what tokentray pushed (as share --off
// does), within TargetsOffWait; a host that does not answer keeps its
// file and never holds up the removal.
func (e *Engine) RemoveAndTell(ctx context.Context, name string) (Gone, error) {
	var g Gone
	c, err := e.st.Get(name)
	if err != nil {
		return g, err
	}
	unlock, err := e.lockWithin(ctx, c, e.lockWait(name))
	if err != nil {
		return g, err
	}
	defer unlock()
	if err := e.keychainReady(); err != nil {
		return g, msg.Wrap(err, "engine.remove_keychain", "Name", name, "Err", err)
	}
	pushed := e.pushedNow(c) // before its secrets go
	if p, perr := e.Provider(c.Kind); perr == nil {
		g.Revoke = e.revoke(ctx, c, p, auth.Bind(e.st.Secrets(), c.ID))
	}
	if err := e.st.Remove(name); err != nil {
		return g, err
	}
	e.changed(name)
	g.Targets = e.targetsOff(ctx, c, pushed)
	return g, nil
}
