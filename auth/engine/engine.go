// Package engine keeps credentials current: it refreshes, logs in,
// extends and removes them through their broker's provider, and it owns
// the locking and saving around every change so that two windows, two
// command-line calls or the agent never renew the same token twice. The
// agent, the tray, the window and the command line all use this one
// engine; it has no user interface of its own.
package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/store"
)

// RevokeTimeout bounds the best-effort revocation at removal, so a broker
// that does not answer never keeps a credential from being removed.
const RevokeTimeout = 15 * time.Second

// NeedsUserLockWait is how long Token waits for the lock of a credential
// that needs the user before saying so: a login holds that lock while it
// waits for the user.
const NeedsUserLockWait = 3 * time.Second

// Options configures an Engine.
type Options struct {
	Store     *store.Store
	Providers map[auth.Kind]auth.Provider
	// Clock is the engine's time source; nil means the wall clock.
	Clock clockwork.Clock
	// OnChange, when set, is called after a credential was saved or
	// removed (the tray redraws from Status). It must not block.
	OnChange func(name string)
	// BusyWait overrides NeedsUserLockWait (tests).
	BusyWait time.Duration
}

// Engine refreshes and persists credentials. It is safe for concurrent
// use, and it cooperates with other processes through the store's locks.
type Engine struct {
	st        *store.Store
	providers map[auth.Kind]auth.Provider
	clock     clockwork.Clock
	onChange  func(string)
	busyWait  time.Duration

	mu    sync.Mutex
	locks map[string]chan struct{} // one per credential ID, in this process
}

// New returns an engine over st with the given providers; a nil clock
// means the wall clock.
func New(st *store.Store, providers map[auth.Kind]auth.Provider, clock clockwork.Clock) *Engine {
	return NewWithOptions(Options{Store: st, Providers: providers, Clock: clock})
}

// NewWithOptions is New with every option.
func NewWithOptions(o Options) *Engine {
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	p := make(map[auth.Kind]auth.Provider, len(o.Providers))
	for k, v := range o.Providers {
		p[k] = v
	}
	if o.BusyWait <= 0 {
		o.BusyWait = NeedsUserLockWait
	}
	return &Engine{st: o.Store, providers: p, clock: o.Clock, onChange: o.OnChange, busyWait: o.BusyWait, locks: map[string]chan struct{}{}}
}

// Store is the store the engine works on.
func (e *Engine) Store() *store.Store { return e.st }

// Clock is the engine's time source.
func (e *Engine) Clock() clockwork.Clock { return e.clock }

// Provider returns the provider of kind k.
func (e *Engine) Provider(k auth.Kind) (auth.Provider, error) {
	p, ok := e.providers[k]
	if !ok || p == nil {
		return nil, fmt.Errorf("this build of tokentray cannot handle %s credentials", k)
	}
	return p, nil
}

// Providers returns the engine's providers by kind.
func (e *Engine) Providers() map[auth.Kind]auth.Provider {
	out := make(map[auth.Kind]auth.Provider, len(e.providers))
	for k, v := range e.providers {
		out[k] = v
	}
	return out
}

// Get returns the stored credential called name (never its secrets).
func (e *Engine) Get(name string) (auth.Credential, error) { return e.st.Get(name) }

// List returns every stored credential, sorted by name.
func (e *Engine) List() ([]auth.Credential, error) { return e.st.List() }

func (e *Engine) now() time.Time { return e.clock.Now().UTC() }

func (e *Engine) changed(name string) {
	if e.onChange != nil {
		e.onChange(name)
	}
}

// Lead is how long before expiry a token is renewed (the user's
// setting, else auth.DefaultLead).
func (e *Engine) Lead() time.Duration {
	p, err := e.st.Prefs()
	if err != nil || p.LeadTime <= 0 {
		return auth.DefaultLead
	}
	return p.LeadTime
}

// lock takes the in-process lock and then the store's cross-process lock
// of one credential. The in-process lock keeps goroutines of this process
// in order whatever the file lock does within one process.
func (e *Engine) lock(ctx context.Context, id string) (func(), error) {
	e.mu.Lock()
	ch, ok := e.locks[id]
	if !ok {
		ch = make(chan struct{}, 1)
		e.locks[id] = ch
	}
	e.mu.Unlock()
	select {
	case ch <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for another tokentray to finish with this credential: %w", ctx.Err())
	}
	unlock, err := e.st.Lock(ctx, id)
	if err != nil {
		<-ch
		return nil, err
	}
	return func() { unlock(); <-ch }, nil
}

// lockWithin is lock giving up with errBusy when the lock is not free
// within wait (0: wait as long as ctx lasts).
func (e *Engine) lockWithin(ctx context.Context, id string, wait time.Duration) (func(), error) {
	lctx := ctx
	if wait > 0 {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	unlock, err := e.lock(lctx, id)
	if err != nil && lctx.Err() != nil && ctx.Err() == nil {
		return nil, errBusy
	}
	return unlock, err
}

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

// withCredential runs fn on the freshest copy of the credential called
// name while holding its locks, and saves the credential afterwards,
// also when fn fails: a provider may already have written a new secret
// and changed the expiry.
func (e *Engine) withCredential(ctx context.Context, name string, fn func(c *auth.Credential, p auth.Provider, s auth.Secrets) (save bool, err error)) (auth.Credential, error) {
	return e.withCredentialWait(ctx, name, 0, fn)
}

// lockWait is how long to wait for a credential's lock: briefly when it
// needs the user (a login holding it may wait minutes for them), else as
// long as the caller's context allows.
func (e *Engine) lockWait(name string) time.Duration {
	c, err := e.st.Get(name)
	if err != nil {
		return 0
	}
	p, err := e.Provider(c.Kind)
	if err != nil || !e.assess(p, c).State.NeedsUser() {
		return 0
	}
	return e.busyWait
}

// ErrBusy means the credential's lock was not free within the wait: a
// login or verification is most likely waiting for the user.
var ErrBusy = errors.New("another tokentray is working on this credential (a login or verification may be waiting for you): try again when it is done")

// errBusy is ErrBusy inside this package.
var errBusy = ErrBusy

// withCredentialWait is withCredential giving up with errBusy when the
// lock is not free within wait (0: wait as long as ctx lasts).
func (e *Engine) withCredentialWait(ctx context.Context, name string, wait time.Duration, fn func(c *auth.Credential, p auth.Provider, s auth.Secrets) (save bool, err error)) (auth.Credential, error) {
	c, err := e.st.Get(name)
	if err != nil {
		return auth.Credential{}, err
	}
	p, err := e.Provider(c.Kind)
	if err != nil {
		return c, err
	}
	unlock, err := e.lockWithin(ctx, c.ID, wait)
	if err != nil {
		return c, err
	}
	defer unlock()
	// Another process may have changed it while we waited for the lock.
	c, err = e.st.GetByID(c.ID)
	if err != nil {
		return c, err
	}
	save, ferr := fn(&c, p, auth.Bind(e.st.Secrets(), c.ID))
	if !save {
		return c, ferr
	}
	if err := e.st.Update(c); err != nil {
		if ferr != nil {
			return c, ferr
		}
		return c, fmt.Errorf("save %s: %w", c.Name, err)
	}
	e.changed(c.Name)
	return c, ferr
}

// record stores the health a provider call returned, filling what the
// provider left out, and turns a bare failure into a sentence.
func (e *Engine) record(c *auth.Credential, h auth.Health, err error) auth.Health {
	now := e.now()
	if err != nil && h.State == auth.Unknown && h.Reason == "" {
		h.Reason = err.Error()
	}
	var ue *auth.UserError
	if err != nil && errors.As(err, &ue) && !h.State.NeedsUser() {
		h.State = auth.ActionNeeded
		h.Reason = ue.Msg
	}
	if h.CheckedAt.IsZero() {
		h.CheckedAt = now
	}
	if h.ExpiresAt.IsZero() && h.State != auth.Unknown {
		h.ExpiresAt = c.ExpiresAt
	}
	c.Health = h
	c.LastChecked = now
	return h
}

// Refresh checks the credential called name with its broker and renews
// its token when it is due, or always when force is set. The result is
// saved before Refresh returns. An error wrapping *auth.UserError means
// the user must act; a network failure leaves the stored secrets as they
// were and yields Health Unknown.
//
// A credential that needs the user is most likely locked by a login
// waiting for them: after a short wait Refresh returns its stored health
// with ErrBusy instead of waiting minutes.
func (e *Engine) Refresh(ctx context.Context, name string, force bool) (auth.Health, error) {
	lead := e.Lead()
	var h auth.Health
	c, err := e.withCredentialWait(ctx, name, e.lockWait(name), func(c *auth.Credential, p auth.Provider, s auth.Secrets) (bool, error) {
		var err error
		h, err = p.Refresh(ctx, c, s, auth.RefreshOptions{Force: force, Lead: lead})
		h = e.record(c, h, err)
		return true, err
	})
	if errors.Is(err, errBusy) {
		if p, perr := e.Provider(c.Kind); perr == nil {
			h = e.assess(p, c)
		}
		return h, err
	}
	if err == nil && h.State.NeedsUser() {
		err = needsUser(name, h)
	}
	return h, err
}

// Result is the outcome of refreshing one credential.
type Result struct {
	Name   string
	Health auth.Health
	Err    error
}

// refreshParallel bounds concurrent broker calls of RefreshAll.
const refreshParallel = 4

// RefreshAll refreshes every credential (see Refresh), a few at a time,
// and returns the results in name order.
func (e *Engine) RefreshAll(ctx context.Context, force bool) ([]Result, error) {
	cs, err := e.st.List()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return e.RefreshNames(ctx, names, force), nil
}

// RefreshNames refreshes the named credentials, a few at a time, and
// returns the results in the order given.
func (e *Engine) RefreshNames(ctx context.Context, names []string, force bool) []Result {
	out := make([]Result, len(names))
	sem := make(chan struct{}, refreshParallel)
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			h, err := e.Refresh(ctx, n, force)
			out[i] = Result{Name: n, Health: h, Err: err}
		}()
	}
	wg.Wait()
	return out
}

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
	if !due(c, before, decided, lead) {
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
		if !c.LastChecked.Equal(stored.LastChecked) || justRenewed(*c, e.now()) || !due(*c, e.assess(p, *c), e.now(), lead) {
			return false, nil
		}
		h, err := p.Refresh(ctx, c, s, auth.RefreshOptions{Lead: lead})
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

// Extend renews the token of the credential called name until the given
// time (Futu API keys).
func (e *Engine) Extend(ctx context.Context, name string, until time.Time) (auth.Health, error) {
	var h auth.Health
	_, err := e.withCredential(ctx, name, func(c *auth.Credential, p auth.Provider, s auth.Secrets) (bool, error) {
		x, ok := p.(auth.Extender)
		if !ok {
			return false, fmt.Errorf("%s (%s) cannot be extended to a chosen date; run: tokentray refresh %s", name, c.Kind.Title(), name)
		}
		var err error
		h, err = x.Extend(ctx, c, s, until)
		h = e.record(c, h, err)
		return true, err
	})
	if err == nil && h.State.NeedsUser() {
		err = needsUser(name, h)
	}
	return h, err
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

// Status is what is known of one credential now, without the network.
type Status struct {
	Name   string
	Kind   auth.Kind
	Broker string
	// Health combines the provider's assessment of what is stored with
	// the last health a broker check returned.
	Health      auth.Health
	ExpiresAt   time.Time
	SecondsLeft int64
	LastChecked time.Time
}

// assess is the provider's offline judgement combined with the last
// known health: a broker that said "revoked" is believed until the next
// check even though the stored expiry looks fine.
func (e *Engine) assess(p auth.Provider, c auth.Credential) auth.Health {
	now := e.now()
	a := p.Assess(c, now)
	last := c.Health
	if last.State == auth.Unknown && last.CheckedAt.IsZero() {
		return a
	}
	// A pending verification whose deadline passed says nothing more.
	if last.State == auth.Pending && !last.Deadline.IsZero() && !now.Before(last.Deadline) {
		return a
	}
	return auth.Worst(a, last)
}

// Status returns every credential's status, sorted by name.
func (e *Engine) Status() ([]Status, error) {
	cs, err := e.st.List()
	if err != nil {
		return nil, err
	}
	now := e.now()
	out := make([]Status, 0, len(cs))
	for _, c := range cs {
		s := Status{Name: c.Name, Kind: c.Kind, Broker: c.Kind.Broker(), LastChecked: c.LastChecked}
		if p, err := e.Provider(c.Kind); err == nil {
			s.Health = e.assess(p, c)
		} else {
			s.Health = auth.Health{State: auth.Unknown, Reason: err.Error()}
		}
		s.ExpiresAt = s.Health.ExpiresAt
		if s.ExpiresAt.IsZero() {
			s.ExpiresAt = c.ExpiresAt
		}
		h := s.Health
		h.ExpiresAt = s.ExpiresAt
		s.SecondsLeft = h.SecondsLeft(now)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Worst is the health the tray shows: the worst of all credentials.
func Worst(ss []Status) auth.Health {
	hs := make([]auth.Health, len(ss))
	for i, s := range ss {
		hs[i] = s.Health
	}
	return auth.Worst(hs...)
}

// needsUser turns a health only the user can fix into a *auth.UserError.
func needsUser(name string, h auth.Health) error {
	msg := h.Reason
	if msg == "" {
		switch h.State {
		case auth.Pending:
			msg = fmt.Sprintf("%s is waiting for its verification; finish it with: tokentray login %s", name, name)
		default:
			msg = fmt.Sprintf("%s needs you to act (%s); run: tokentray login %s", name, h.State.Title(), name)
		}
	}
	return auth.NeedsUser(msg)
}
