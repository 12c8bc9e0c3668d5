package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tokentray/auth"
	"tokentray/auth/store"
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

// Add stores a new credential with its secrets. c.ID and c.AddedAt are
// set here; the name must be free and the kind known.
func (e *Engine) Add(ctx context.Context, c auth.Credential, secrets map[string]string) (auth.Credential, error) {
	if err := auth.ValidateName(c.Name); err != nil {
		return c, err
	}
	if !c.Kind.Valid() {
		return c, fmt.Errorf("%q is not a credential kind; use one of futu-oauth, futu-key or webull", c.Kind)
	}
	if _, err := e.Provider(c.Kind); err != nil {
		return c, err
	}
	if _, err := e.st.Get(c.Name); err == nil {
		return c, fmt.Errorf("a credential called %s already exists; choose another name or remove it first", c.Name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return c, err
	}
	c.ID = auth.NewID()
	c.AddedAt = e.now()
	c.Health = auth.Health{}
	if err := e.st.Add(c, secrets); err != nil {
		return c, err
	}
	e.changed(c.Name)
	return c, nil
}

// Remove deletes the credential called name: the broker is told first
// (revoking OAuth tokens) on a best-effort basis, then the settings entry
// and every keychain item go. revokeErr reports a revocation that failed
// although the local removal succeeded.
func (e *Engine) Remove(ctx context.Context, name string) (revokeErr error, err error) {
	c, err := e.st.Get(name)
	if err != nil {
		return nil, err
	}
	unlock, err := e.lockWithin(ctx, c.ID, e.lockWait(name))
	if err != nil {
		return nil, err
	}
	defer unlock()
	if p, perr := e.Provider(c.Kind); perr == nil {
		if r, ok := p.(auth.Remover); ok {
			rctx, cancel := context.WithTimeout(ctx, RevokeTimeout)
			revokeErr = r.Revoke(rctx, c, auth.Bind(e.st.Secrets(), c.ID))
			cancel()
		}
	}
	if err := e.st.Remove(name); err != nil {
		return revokeErr, err
	}
	e.changed(name)
	return revokeErr, nil
}
