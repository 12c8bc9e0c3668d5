package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"tokentray/auth"
)

// Login runs the interactive login or verification of the credential
// called name (a browser login for Futu OAuth, an SMS verification for
// Webull), calling progress as it goes (progress may be nil). It holds
// the credential's lock until done, so nothing else renews it meanwhile;
// every progress state is saved, so other processes show it.
func (e *Engine) Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	var h auth.Health
	_, err := e.withCredential(ctx, name, func(c *auth.Credential, p auth.Provider, s auth.Secrets) (bool, error) {
		l, ok := p.(auth.Login)
		if !ok {
			return false, fmt.Errorf("%s (%s) has no login; run: tokentray refresh %s", name, c.Kind.Title(), name)
		}
		id := c.ID
		var err error
		h, err = l.Login(ctx, c, s, opts, func(ev auth.LoginEvent) {
			e.saveHealth(id, ev.Health)
			if progress != nil {
				progress(ev)
			}
		})
		h = e.record(c, h, err)
		return true, err
	})
	if err == nil && h.State.NeedsUser() {
		err = needsUser(name, h)
	}
	return h, err
}

// saveHealth records an intermediate health (a pending verification) so
// that the tray and other processes see it while a login waits.
func (e *Engine) saveHealth(id string, h auth.Health) {
	c, err := e.st.GetByID(id)
	if err != nil {
		return
	}
	if h.CheckedAt.IsZero() {
		h.CheckedAt = e.now()
	}
	c.Health = h
	if e.st.Update(c) == nil {
		e.changed(c.Name)
	}
}

// tokenFields are the keychain items a login creates; Logout deletes
// them, the refresh token first because it outlives the access token.
var tokenFields = []string{auth.FieldRefreshToken, auth.FieldAccessToken, auth.FieldWebullToken}

// LoggedOutReason is the health reason of a credential after Logout.
func LoggedOutReason(name string) string {
	return fmt.Sprintf("logged out: log in again with tokentray login %s", name)
}

// Logout forgets the tokens of the credential called name but keeps the
// credential (its settings, app keys and OAuth client registration), so
// the user can log in again. The broker is asked to revoke the tokens
// first on a best-effort basis; revokeErr reports a revocation that
// failed although the tokens were deleted here. A Futu API key has no
// login to leave and is refused.
func (e *Engine) Logout(ctx context.Context, name string) (revokeErr error, err error) {
	_, err = e.withCredential(ctx, name, func(c *auth.Credential, p auth.Provider, s auth.Secrets) (bool, error) {
		if _, ok := p.(auth.Login); !ok || c.Kind == auth.KindFutuKey {
			if c.Kind == auth.KindFutuKey {
				return false, fmt.Errorf("%s is a Futu API key, which has no login to log out of: revoke the key in the Futu developer portal, or forget it here with tokentray remove %s", name, name)
			}
			return false, fmt.Errorf("%s (%s) has no login to log out of; to forget it, run: tokentray remove %s", name, c.Kind.Title(), name)
		}
		if r, ok := p.(auth.Remover); ok {
			rctx, cancel := context.WithTimeout(ctx, RevokeTimeout)
			revokeErr = r.Revoke(rctx, *c, s)
			cancel()
		}
		var failed []string
		var first error
		for _, f := range tokenFields {
			if err := s.Delete(f); err != nil && !errors.Is(err, auth.ErrSecretNotFound) {
				failed = append(failed, strings.ReplaceAll(f, "_", " "))
				if first == nil {
					first = err
				}
			}
		}
		// Whatever is left in the keychain no longer counts as a login.
		now := e.now()
		c.ExpiresAt = time.Time{}
		c.TokenStatus = ""
		c.LastChecked = now
		c.Health = auth.Health{State: auth.ActionNeeded, Reason: LoggedOutReason(name), CheckedAt: now}
		if first != nil {
			return true, fmt.Errorf("%s is logged out, but its %s could not be deleted from the keychain (%s); run tokentray logout %s again", name, strings.Join(failed, " and "), strings.TrimSuffix(first.Error(), "."), name)
		}
		return true, nil
	})
	return revokeErr, err
}
