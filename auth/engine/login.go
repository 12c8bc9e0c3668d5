package engine

import (
	"context"
	"errors"
	"sync"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Login runs the interactive login or verification of the credential
// called name (a browser login for Futu OAuth, an SMS verification for
// Webull), calling progress as it goes (progress may be nil). It holds
// the credential's lock until done, so nothing else renews it meanwhile;
// every progress state is saved at once, so other processes show it.
//
// The keychain is checked before anything starts (no browser opens for a
// login that could not be stored), and tokens the broker issued that the
// keychain then refused are revoked.
//
// One login of a credential runs at a time: a second one, in this process
// or another, finds the lock held by the first (which waits for the user)
// and answers ErrBusy with the stored health after a brief wait.
func (e *Engine) Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	var h auth.Health
	c, err := e.withCredentialWait(ctx, name, e.lockWait(name), func(c *auth.Credential, p auth.Provider, s auth.Secrets) (bool, error) {
		l, ok := p.(auth.Login)
		if !ok {
			return false, msg.Errorf("engine.no_login", "Name", name, "Kind", c.Kind.Message())
		}
		if err := e.keychainReady(); err != nil {
			return false, msg.Wrap(err, "engine.login_keychain", "Name", name, "Err", err)
		}
		rs := &recordingSecrets{Secrets: s}
		var err error
		h, err = l.Login(ctx, c, rs, opts, func(ev auth.LoginEvent) {
			// What a face shows of a login in progress passes the same
			// filter as every health reason.
			ev.Health.Reason = auth.Printable(ev.Health.Reason)
			steps := make([]string, len(ev.Steps))
			for i, s := range ev.Steps {
				steps[i] = auth.Printable(s)
			}
			if ev.Steps != nil {
				ev.Steps = steps
			}
			e.saveProgress(*c, ev.Health)
			if progress != nil {
				progress(ev)
			}
		})
		if lost := rs.lostValues(); len(lost) > 0 {
			err = e.revokeLost(ctx, *c, p, s, lost, err)
		}
		h = e.record(c, h, err)
		return true, err
	})
	if errors.Is(err, errBusy) {
		return c.Health, err
	}
	return h, outcome(c, h, err)
}

// saveProgress records an intermediate state of a login (a pending
// verification with its deadline, the token it waits for) so that the
// agent and other processes see it within a second, while the login
// holds the credential's lock.
func (e *Engine) saveProgress(c auth.Credential, h auth.Health) {
	if h.CheckedAt.IsZero() {
		h.CheckedAt = e.now()
	}
	c.Health = withNext(c, h)
	if e.st.Update(c) == nil {
		e.changed(c.Name)
	}
}

// recordingSecrets keeps the values the keychain refused during a login:
// tokens the broker issued that exist nowhere else.
type recordingSecrets struct {
	auth.Secrets
	mu   sync.Mutex
	lost map[string]string
}

func (r *recordingSecrets) Set(field, value string) error {
	err := r.Secrets.Set(field, value)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.lost == nil {
			r.lost = map[string]string{}
		}
		r.lost[field] = value
	} else {
		delete(r.lost, field)
	}
	return err
}

func (r *recordingSecrets) lostValues() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]string, len(r.lost))
	for k, v := range r.lost {
		out[k] = v
	}
	return out
}

// overlaySecrets reads the given values first, then s: what a revocation
// needs of tokens the keychain refused.
type overlaySecrets struct {
	auth.Secrets
	values map[string]string
}

func (o overlaySecrets) Get(field string) (string, error) {
	if v, ok := o.values[field]; ok {
		return v, nil
	}
	return o.Secrets.Get(field)
}

// revokeLost asks the broker to revoke tokens it issued that could not be
// stored, and returns the login's error saying so.
func (e *Engine) revokeLost(ctx context.Context, c auth.Credential, p auth.Provider, s auth.Secrets, lost map[string]string, loginErr error) error {
	var fields []msg.Message
	for _, f := range tokenFields(c.Kind) {
		if _, ok := lost[f]; ok {
			fields = append(fields, auth.FieldMessage(f))
		}
	}
	var what any = msg.New("engine.tokens")
	if len(fields) > 0 {
		what = fields
	}
	cause := msg.New("engine.keychain_refused_them")
	if loginErr != nil {
		cause = auth.Clause(loginErr)
	}
	r, ok := p.(auth.Remover)
	if !ok {
		return msg.Errorf("engine.login_unstored", "Name", c.Name, "What", what, "Broker", c.Kind.BrokerMessage(), "Why", cause)
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.revokeTimeout)
	defer cancel()
	if err := r.Revoke(rctx, c, overlaySecrets{Secrets: s, values: lost}); err != nil {
		return msg.Errorf("engine.login_unstored_revoke_failed", "Name", c.Name, "What", what, "Broker", c.Kind.BrokerMessage(), "Why", cause, "Err", auth.Clause(err))
	}
	return msg.Errorf("engine.login_unstored_revoked", "Name", c.Name, "What", what, "Broker", c.Kind.BrokerMessage(), "Why", cause)
}

// keychainReady reports whether the keychain can store secrets now, when
// it can say (the system keychain and the test store can).
func (e *Engine) keychainReady() error {
	if k, ok := e.st.Secrets().(interface{ Check() error }); ok {
		return k.Check()
	}
	return nil
}

// tokenFields are the keychain items a login of kind k creates; Logout
// deletes them, the refresh token first because it outlives the access
// token.
func tokenFields(k auth.Kind) []string {
	switch k {
	case auth.KindFutuOAuth:
		return []string{auth.FieldRefreshToken, auth.FieldAccessToken}
	case auth.KindWebull:
		return []string{auth.FieldWebullToken}
	}
	return nil
}

// loggedOut is the reason of a credential after Logout.
func loggedOut() msg.Message { return msg.New("engine.logged_out") }

// Logout forgets the tokens of the credential called name but keeps the
// credential (its settings, app keys and OAuth client registration), so
// the user can log in again. The broker is asked to revoke the tokens
// first on a best-effort basis; revokeErr says what was not revoked
// although the tokens were deleted here. A Futu API key has no login to
// leave and is refused. Every error says what was and was not done.
func (e *Engine) Logout(ctx context.Context, name string) (revokeErr error, err error) {
	g, err := e.LogoutAndTell(ctx, name)
	return g.Revoke, err
}

// LogoutAndTell is Logout saying also what became of the files pushed to
// the credential's share targets. Once its tokens are deleted here, each
// such file is deleted where it still holds what tokentray pushed (the
// rule of share --off), within TargetsOffWait: its token is revoked, or
// no longer kept by tokentray. The targets stay, so the next login
// pushes again; a host that does not answer keeps its file and never
// holds up the logout.
func (e *Engine) LogoutAndTell(ctx context.Context, name string) (Gone, error) {
	var g Gone
	var pushed pushedFile
	done := false
	c, err := e.withCredential(ctx, name, func(c *auth.Credential, p auth.Provider, s auth.Secrets) (bool, error) {
		save, err := e.logout(ctx, name, c, p, s, &g.Revoke, &pushed)
		done = err == nil
		return save, err
	})
	if err == nil && done {
		g.Targets = e.targetsOff(ctx, c, pushed)
	}
	return g, err
}

// logout is the work of LogoutAndTell on the locked credential c.
func (e *Engine) logout(ctx context.Context, name string, c *auth.Credential, p auth.Provider, s auth.Secrets, revoked *error, pushed *pushedFile) (bool, error) {
	var revokeErr error
	defer func() { *revoked = revokeErr }()
	if _, ok := p.(auth.Login); !ok || c.Kind == auth.KindFutuKey {
		if c.Kind == auth.KindFutuKey {
			return false, msg.Errorf("engine.logout_key", "Name", name)
		}
		return false, msg.Errorf("engine.logout_no_login", "Name", name, "Kind", c.Kind.Message())
	}
	if err := e.keychainReady(); err != nil {
		return false, msg.Wrap(err, "engine.logout_keychain", "Name", name, "Err", err)
	}
	*pushed = e.pushedNow(*c) // before its tokens go
	revokeErr = e.revoke(ctx, *c, p, s)
	var deleted, failed []msg.Message
	var first error
	for _, f := range tokenFields(c.Kind) {
		switch err := s.Delete(f); {
		case err == nil:
			deleted = append(deleted, auth.FieldMessage(f))
		case errors.Is(err, auth.ErrSecretNotFound):
		default:
			failed = append(failed, auth.FieldMessage(f))
			if first == nil {
				first = err
			}
		}
	}
	now := e.now()
	c.LastChecked = now
	if first != nil {
		done := msg.New("engine.deleted_nothing")
		if len(deleted) > 0 {
			done = msg.New("engine.deleted_fields", "Fields", deleted)
		}
		c.Health = withNext(*c, auth.Health{State: auth.ActionNeeded, CheckedAt: now}.
			Because(msg.New("engine.logout_partial", "Fields", failed)))
		return true, msg.Errorf("engine.logout_partial_err", "Name", name, "Fields", failed, "Err", auth.Clause(first), "Done", done)
	}
	// Whatever is left in the keychain no longer counts as a login.
	c.ExpiresAt = time.Time{}
	c.TokenStatus = ""
	c.Health = withNext(*c, auth.Health{State: auth.ActionNeeded, CheckedAt: now, Asked: true}.Because(loggedOut()))
	return true, nil
}

// revoke asks the broker to revoke c's tokens, within RevokeTimeout, and
// says in a sentence what was not revoked.
func (e *Engine) revoke(ctx context.Context, c auth.Credential, p auth.Provider, s auth.Secrets) error {
	r, ok := p.(auth.Remover)
	if !ok {
		return nil
	}
	rctx, cancel := context.WithTimeout(ctx, e.revokeTimeout)
	defer cancel()
	err := r.Revoke(rctx, c, s)
	switch {
	case err == nil:
		return nil
	case rctx.Err() != nil && ctx.Err() == nil:
		return msg.Errorf("engine.revoke_timeout", "Broker", c.Kind.BrokerMessage(), "Wait", e.revokeTimeout.String())
	}
	return msg.Errorf("engine.revoke_failed", "Broker", c.Kind.BrokerMessage(), "Err", auth.Clause(err))
}
