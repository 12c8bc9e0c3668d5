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
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/store"
	"tokentray/auth/targets"
	"tokentray/internal/msg"
)

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
	// PerHost bounds the calls in flight to one broker host; 0 means
	// DefaultPerHost.
	PerHost int
	// DefaultEndpoints, when set, gives the base URLs a credential added
	// without an endpoint uses (the sandbox profile's brokers); nil means
	// the brokers' own.
	DefaultEndpoints func() (futuURL, webullURL string, err error)
	// ShareRunner pushes to share targets; nil means ssh and sh as this
	// process's environment gives them (TOKENTRAY_SSH_COMMAND).
	ShareRunner *targets.Runner
	// TargetsOffWait, when set, bounds the wait for share hosts as a
	// credential is removed or logged out instead of the TargetsOffWait
	// constant. Only tests set it (the command line's, which show a host
	// that never answers without waiting 20 s); the programs keep the
	// constant.
	TargetsOffWait time.Duration
}

// Engine refreshes and persists credentials. It is safe for concurrent
// use, and it cooperates with other processes through the store's locks.
type Engine struct {
	st        *store.Store
	providers map[auth.Kind]auth.Provider
	clock     clockwork.Clock
	onChange  func(string)
	// The bounds of its waits: the constants, shortened only by the
	// package's tests (export_test.go).
	busyWait  time.Duration // NeedsUserLockWait
	lockBound time.Duration // LockWait

	limits *limits

	mu        sync.Mutex
	locks     map[string]chan struct{} // one per credential ID, in this process
	pushing   map[string]chan struct{} // one push of a credential's targets at a time, in this process
	recovered time.Time                // when Recover last looked for interrupted calls

	defaultEndpoints func() (string, string, error)
	revokeTimeout    time.Duration // RevokeTimeout
	shareRunner      *targets.Runner
	targetsOffWait   time.Duration // TargetsOffWait unless Options set it
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
	if o.TargetsOffWait <= 0 {
		o.TargetsOffWait = TargetsOffWait
	}
	return &Engine{st: o.Store, providers: p, clock: o.Clock, onChange: o.OnChange, busyWait: NeedsUserLockWait, lockBound: LockWait, limits: newLimits(o.Clock, o.PerHost), defaultEndpoints: o.DefaultEndpoints, revokeTimeout: RevokeTimeout, shareRunner: o.ShareRunner, targetsOffWait: o.TargetsOffWait, locks: map[string]chan struct{}{}}
}

// Store is the store the engine works on.
func (e *Engine) Store() *store.Store { return e.st }

// Clock is the engine's time source.
func (e *Engine) Clock() clockwork.Clock { return e.clock }

// Provider returns the provider of kind k.
func (e *Engine) Provider(k auth.Kind) (auth.Provider, error) {
	p, ok := e.providers[k]
	if !ok || p == nil {
		return nil, msg.Errorf("engine.no_provider", "Kind", string(k))
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

// CheckEvery is how often credentials are checked with their brokers
// (the user's setting, else store.DefaultCheckEvery).
func (e *Engine) CheckEvery() time.Duration {
	p, err := e.st.Prefs()
	if err != nil || p.CheckEvery <= 0 {
		return store.DefaultCheckEvery
	}
	return p.CheckEvery
}

// LockWait bounds how long an operation waits for a credential's lock
// that another process (or another goroutine) holds: longer than one
// broker call (30 s) with its keychain writes, so a busy credential is
// said after at most this long instead of waiting without end.
const LockWait = 45 * time.Second

// slot is the in-process lock of credential id.
func (e *Engine) slot(id string) chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	ch, ok := e.locks[id]
	if !ok {
		ch = make(chan struct{}, 1)
		e.locks[id] = ch
	}
	return ch
}

// lock takes the in-process lock and then the store's cross-process lock
// of one credential. The in-process lock keeps goroutines of this process
// in order whatever the file lock does within one process.
func (e *Engine) lock(ctx context.Context, id string) (func(), error) {
	ch := e.slot(id)
	select {
	case ch <- struct{}{}:
	case <-ctx.Done():
		return nil, msg.Wrap(ctx.Err(), "engine.lock_wait_cancelled", "Err", ctx.Err().Error())
	}
	unlock, err := e.st.Lock(ctx, id)
	if err != nil {
		<-ch
		return nil, err
	}
	return func() { unlock(); <-ch }, nil
}

// tryLock is lock when both locks are free now; ok is false at once when
// either is held.
func (e *Engine) tryLock(id string) (unlock func(), ok bool, err error) {
	ch := e.slot(id)
	select {
	case ch <- struct{}{}:
	default:
		return nil, false, nil
	}
	u, ok, err := e.st.TryLock(id)
	if err != nil || !ok {
		<-ch
		return nil, false, err
	}
	return func() { u(); <-ch }, true, nil
}

// lockWithin is lock of c giving up with a busy error naming c (its next
// action: check again) when the lock is not free within wait (0: the
// engine's LockWait).
func (e *Engine) lockWithin(ctx context.Context, c auth.Credential, wait time.Duration) (func(), error) {
	user := wait > 0 && wait == e.busyWait
	if wait <= 0 {
		wait = e.lockBound
	}
	lctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	unlock, err := e.lock(lctx, c.ID)
	if err != nil && lctx.Err() != nil && ctx.Err() == nil {
		return nil, auth.WithAction(&busyError{name: c.Name, user: user, wait: wait}, auth.Next(auth.ActionRetry, c.Name))
	}
	return unlock, err
}

// busyError is ErrBusy for one credential: its lock was not free in time.
type busyError struct {
	name string
	user bool // the short wait for a credential that needs the user
	wait time.Duration
}

func (b *busyError) Error() string { return b.Message().String() }

// Message is the error as data; its code is one of BusyCodes.
func (b *busyError) Message() msg.Message {
	if b.user {
		return msg.New("engine.busy_user", "Name", b.name)
	}
	return msg.New("engine.busy_long", "Name", b.name, "Wait", b.wait.String())
}

// BusyCodes are the message codes of a busy credential (ErrBusy): a face
// that reads an error's code (msg.Of(err).ID) knows it by them, as
// errors.Is(err, ErrBusy) does.
var BusyCodes = []string{"engine.busy", "engine.busy_user", "engine.busy_long"}

func (b *busyError) Is(target error) bool { return target == ErrBusy }

// withCredential runs fn on the freshest copy of the credential called
// name while holding its locks, and saves the credential afterwards,
// also when fn fails: a provider may already have written a new secret
// and changed the expiry.
func (e *Engine) withCredential(ctx context.Context, name string, fn func(c *auth.Credential, p auth.Provider, s auth.Secrets) (save bool, err error)) (auth.Credential, error) {
	return e.withCredentialWait(ctx, name, 0, fn)
}

// lockWait is how long to wait for a credential's lock: briefly when it
// needs the user (a login holding it may wait minutes for them), else
// the engine's LockWait.
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
var ErrBusy = msg.Errorf("engine.busy")

// errBusy is ErrBusy inside this package.
var errBusy = ErrBusy

// withCredentialWait is withCredential giving up with errBusy when the
// lock is not free within wait (0: the engine's LockWait).
func (e *Engine) withCredentialWait(ctx context.Context, name string, wait time.Duration, fn func(c *auth.Credential, p auth.Provider, s auth.Secrets) (save bool, err error)) (auth.Credential, error) {
	c, err := e.st.Get(name)
	if err != nil {
		return auth.Credential{}, err
	}
	p, err := e.Provider(c.Kind)
	if err != nil {
		return c, err
	}
	unlock, err := e.lockWithin(ctx, c, wait)
	if err != nil {
		return c, err
	}
	defer unlock()
	// Another process may have changed it while we waited for the lock.
	c, err = e.st.GetByID(c.ID)
	if err != nil {
		return c, err
	}
	save, ferr := fn(&c, p, e.st.Bind(c.ID))
	if !save {
		return c, ferr
	}
	if err := e.st.Update(c); err != nil {
		if ferr != nil {
			return c, ferr
		}
		return c, msg.Wrap(err, "engine.save_failed", "Name", c.Name, "Err", err)
	}
	e.changed(c.Name)
	return c, ferr
}

// record stores the health a provider call returned, filling what the
// provider left out (a sentence for a bare failure, the next action),
// and keeps a specific diagnosis that the new health does not improve
// on.
func (e *Engine) record(c *auth.Credential, h auth.Health, err error) auth.Health {
	now := e.now()
	if err != nil && h.State == auth.Unknown && h.Reason == "" && h.Why.IsZero() {
		h = h.Because(msg.Of(err))
	}
	var ue *auth.UserError
	if err != nil && errors.As(err, &ue) && !h.State.NeedsUser() {
		h.State = auth.ActionNeeded
		h = h.Because(ue.Message())
	}
	if _, ok := auth.FieldOf(err); ok && h.State.NeedsUser() {
		h.Specific = true
	}
	if h.State == auth.Broken && h.Next.Kind == auth.ActionUpdate {
		// The broker refused a secret: only a new one changes that.
		h.Specific = true
	}
	if a, ok := auth.ActionOf(err); ok && h.Next.IsZero() {
		h.Next = a
	}
	if h.CheckedAt.IsZero() {
		h.CheckedAt = now
	}
	if h.ExpiresAt.IsZero() && h.State != auth.Unknown {
		h.ExpiresAt = c.ExpiresAt
	}
	h = keepDiagnosis(c.Health, withNext(*c, h))
	c.Health = h
	c.LastChecked = now
	return h
}

// keepDiagnosis returns h, or the specific diagnosis last when h learned
// less: a broker that said "wrong signature" or "revoked" is believed
// until it accepts the credential again (OK, Expiring), a new
// verification starts, or the credential is changed (which clears last).
func keepDiagnosis(last, h auth.Health) auth.Health {
	if !last.Specific || h.Specific {
		return h
	}
	switch h.State {
	case auth.OK, auth.Expiring, auth.Pending:
		return h
	}
	last.CheckedAt = h.CheckedAt
	return last
}
