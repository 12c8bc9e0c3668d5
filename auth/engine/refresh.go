package engine

import (
	"context"
	"errors"
	"sync"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

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
	r := e.RefreshNames(ctx, []string{name}, force)[0]
	return r.Health, r.Err
}

// Result is the outcome of refreshing one credential.
type Result struct {
	Name   string
	Health auth.Health
	Err    error
}

// RefreshAll refreshes every credential (see Refresh) side by side and
// returns the results in name order.
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

// checked is one credential of a batch, checked and waiting to be saved
// while its lock is still held.
type checked struct {
	i      int
	c      auth.Credential
	unlock func()
	saved  chan struct{}
}

// batch saves the credentials of one RefreshNames together without ever
// holding one credential's lock while waiting for another's: whenever
// none of its credentials is being locked or checked, those checked so
// far are written in one settings write and let go. A credential whose
// lock another process holds is not "being locked" while it waits for
// it, so the others are saved and let go meanwhile; when nothing is
// contended the whole batch is one write.
type batch struct {
	e   *Engine
	out []Result

	mu    sync.Mutex
	busy  int        // credentials being locked (not waiting) or checked
	ready []*checked // checked, not saved yet
	all   []*checked
}

// pause marks one credential as waiting for a lock held elsewhere.
func (b *batch) pause() { b.leave(nil) }

// resume marks a paused credential as locked and being checked.
func (b *batch) resume() {
	b.mu.Lock()
	b.busy++
	b.mu.Unlock()
}

// leave marks one credential as no longer locked-and-checking: checked
// (ch, to be saved) or given up (nil). The last to leave saves what is
// ready; a checked credential returns once it is saved and let go.
func (b *batch) leave(ch *checked) {
	b.mu.Lock()
	if ch != nil {
		ch.saved = make(chan struct{})
		b.ready = append(b.ready, ch)
		b.all = append(b.all, ch)
	}
	b.busy--
	var save []*checked
	if b.busy == 0 {
		save, b.ready = b.ready, nil
	}
	b.mu.Unlock()
	if len(save) > 0 {
		b.e.saveBatch(save, b.out)
	}
	if ch != nil {
		<-ch.saved
	}
}

// RefreshNames refreshes the named credentials side by side, within the
// engine's bounds per broker host, app key and Webull token, and returns
// the results in the order given. Each credential stays locked from its
// read until it is saved; credentials checked together are saved in one
// write of the settings (see batch). A credential whose lock is not free
// within the lock wait is reported busy, by name.
func (e *Engine) RefreshNames(ctx context.Context, names []string, force bool) []Result {
	out := make([]Result, len(names))
	lead, every := e.Lead(), e.CheckEvery()
	known := map[string]auth.Credential{}
	if cs, err := e.st.List(); err == nil {
		for _, c := range cs {
			known[c.Name] = c
		}
	}
	// One check per credential, however many names (or spellings) ask
	// for it: a second would only wait for the lock the first holds.
	firstOf := map[string]int{} // credential ID -> index of its first name
	sameAs := make([]int, len(names))
	creds := make([]auth.Credential, len(names))
	for i, n := range names {
		out[i].Name = n
		sameAs[i] = -1
		c, ok := known[n]
		if !ok {
			var err error
			if c, err = e.st.Get(n); err != nil {
				out[i].Err = err
				continue
			}
		}
		if j, dup := firstOf[c.ID]; dup {
			sameAs[i] = j
			continue
		}
		firstOf[c.ID] = i
		creds[i] = c
	}
	b := &batch{e: e, out: out}
	var todo []int
	for i := range names {
		if out[i].Err == nil && sameAs[i] < 0 {
			todo = append(todo, i)
		}
	}
	if len(todo) >= indexFrom && 2*len(todo) >= len(known) {
		e.prepareRead()
	}
	b.busy = len(todo)
	var wg sync.WaitGroup
	for _, i := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.refreshLocked(ctx, b, i, creds[i], force, lead, every)
		}()
	}
	wg.Wait()
	for _, ch := range b.all {
		r := &out[ch.i]
		r.Err = outcome(ch.c, r.Health, r.Err)
	}
	for i, j := range sameAs {
		if j >= 0 {
			out[i].Health, out[i].Err = out[j].Health, out[j].Err
		}
	}
	return out
}

// refusedRecently reports whether the broker refused c (Action needed
// or Broken) less than one check interval (every) ago. Such a credential
// is not asked about again before then, however many processes and
// callers ask, unless one forces it: a broker that refuses a login for
// days gets one call per check interval, and the person one
// notification, not a call for every `token` a bot runs. A login, a new
// secret or a forced refresh asks at once; a renewal a killed process
// left unfinished is always checked.
func (e *Engine) refusedRecently(c auth.Credential, every time.Duration) bool {
	h := c.Health
	if h.State != auth.ActionNeeded && h.State != auth.Broken || h.CheckedAt.IsZero() {
		return false
	}
	return e.now().Before(h.CheckedAt.Add(every)) && !e.st.InFlight(c.ID)
}

// refreshLocked takes c's lock, checks it with its broker and hands it,
// still locked, to b for saving; its result goes to b.out[i].
func (e *Engine) refreshLocked(ctx context.Context, b *batch, i int, c auth.Credential, force bool, lead, every time.Duration) {
	r := &b.out[i]
	p, err := e.Provider(c.Kind)
	if err != nil {
		r.Err = err
		b.leave(nil)
		return
	}
	before := e.assess(p, c)
	if !force && e.refusedRecently(c, every) {
		r.Health = before
		r.Err = outcome(c, before, nil)
		b.leave(nil)
		return
	}
	unlock, ok, err := e.tryLock(c.ID)
	if err != nil {
		r.Health, r.Err = before, err
		b.leave(nil)
		return
	}
	if !ok {
		// Held by another process (or batch): let the others be saved
		// and let go while this one waits.
		b.pause()
		var wait time.Duration
		if before.State.NeedsUser() {
			wait = e.busyWait
		}
		if unlock, err = e.lockWithin(ctx, c, wait); err != nil {
			r.Health, r.Err = before, err
			return
		}
		b.resume()
	}
	// Another process may have changed it while we waited for the lock.
	if c, err = e.st.GetByID(c.ID); err != nil {
		unlock()
		r.Err = err
		b.leave(nil)
		return
	}
	if !force && e.refusedRecently(c, every) {
		// Refused by the broker, meanwhile, at another process's call.
		unlock()
		r.Health = e.assess(p, c)
		r.Err = outcome(c, r.Health, nil)
		b.leave(nil)
		return
	}
	stored := c
	h, ferr := e.checkWithBroker(ctx, &c, p, e.st.BindFields(c.ID, checkFields(c.Kind)...), auth.RefreshOptions{Force: force, Lead: lead})
	if cutShort(ctx, h) {
		keepStored(&c, stored)
		r.Health, r.Err = e.assess(p, c), notChecked(ctx, c.Name)
	} else {
		r.Health, r.Err = e.record(&c, h, ferr), ferr
	}
	b.leave(&checked{i: i, c: c, unlock: unlock})
}

// cutShort reports whether a check ended because its caller stopped
// waiting (ctx ended: the agent told to stop, a cancel, the caller's
// deadline) before the broker said anything: nothing was learned, so
// the stored health stands. Only the broker's silence or its word
// changes a credential's health; a stop is neither.
func cutShort(ctx context.Context, h auth.Health) bool {
	return ctx.Err() != nil && h.State == auth.Unknown
}

// keepStored puts back into c the health and the time of the last check
// stored before a check that was cut short (see cutShort); anything else
// the provider changed is kept.
func keepStored(c *auth.Credential, stored auth.Credential) {
	c.Health, c.LastChecked = stored.Health, stored.LastChecked
}

// notChecked is the error of a check cut short: the credential was not
// checked, and why.
func notChecked(ctx context.Context, name string) error {
	return msg.Wrap(context.Cause(ctx), "engine.not_checked", "Name", name, "Err", context.Cause(ctx))
}

// checkFields are the secrets a check of a credential of kind k reads
// (the app key also for the per-app-key bound), fetched from the
// keychain together.
func checkFields(k auth.Kind) []string {
	switch k {
	case auth.KindFutuKey:
		return []string{auth.FieldAppKey, auth.FieldAppSecret, auth.FieldAccessToken}
	case auth.KindWebull:
		return []string{auth.FieldAppKey, auth.FieldAppSecret, auth.FieldWebullToken}
	case auth.KindFutuOAuth:
		return []string{auth.FieldAppKey, auth.FieldRefreshToken, auth.FieldAccessToken}
	}
	return nil
}

// saveBatch writes every checked credential with one settings write,
// then lets go of their locks. A credential that could not be saved
// (removed meanwhile) gets its own error.
func (e *Engine) saveBatch(held []*checked, out []Result) {
	cs := make([]auth.Credential, len(held))
	for i, ch := range held {
		cs[i] = ch.c
	}
	saved := make([]bool, len(held))
	if err := e.st.UpdateMany(cs); err == nil {
		for i := range saved {
			saved[i] = true
		}
	} else {
		// Find out which one failed by saving each on its own.
		for i, ch := range held {
			if err := e.st.Update(ch.c); err != nil {
				if out[ch.i].Err == nil {
					out[ch.i].Err = msg.Wrap(err, "engine.save_failed", "Name", ch.c.Name, "Err", err)
				}
				continue
			}
			saved[i] = true
		}
	}
	for _, ch := range held {
		ch.unlock()
	}
	for i, ch := range held {
		if saved[i] {
			e.changed(ch.c.Name)
		}
		close(ch.saved)
	}
}

// checkWithBroker runs the provider's Refresh within the engine's
// bounds, with the call marked in flight in the store so that a process
// killed before the new secrets reach the keychain is noticed. A mark
// left by such a process forces the check: the stored health says
// nothing about secrets the broker may have replaced. The caller holds
// c's lock.
func (e *Engine) checkWithBroker(ctx context.Context, c *auth.Credential, p auth.Provider, s auth.Secrets, opts auth.RefreshOptions) (auth.Health, error) {
	interrupted := e.st.InFlight(c.ID)
	if interrupted {
		opts.Force = true
	}
	release, err := e.limits.acquire(ctx, *c, s)
	if err != nil {
		return auth.Health{State: auth.Unknown}.Because(msg.New("engine.not_checked", "Name", c.Name, "Err", err)), err
	}
	defer release()
	e.prepareWrite()
	return e.inFlight(c, "refresh", interrupted, func() (auth.Health, error) {
		return p.Refresh(ctx, c, s, opts)
	})
}

// inFlight runs call under the store's in-flight mark, which only a
// process killed during the call leaves behind. The check of such a
// leftover keeps the mark when the broker cannot be reached, so the
// next check is forced again: the stored health says nothing until the
// broker has answered.
func (e *Engine) inFlight(c *auth.Credential, op string, interrupted bool, call func() (auth.Health, error)) (auth.Health, error) {
	clear, err := e.st.MarkInFlight(c.ID, op)
	if err != nil {
		return auth.Health{State: auth.Unknown}.Because(msg.Of(err)), err
	}
	h, err := call()
	var ue *auth.UserError
	if !interrupted || err == nil || errors.As(err, &ue) || h.State != auth.Unknown {
		clear()
		return h, err
	}
	h = h.Because(msg.New("engine.renewal_interrupted", "Name", c.Name, "Err", err))
	h.Next = auth.Next(auth.ActionRetry, c.Name)
	return h, err
}

// Extend renews the token of the credential called name until the given
// time (Futu API keys). It never shortens: see ExtendWith.
func (e *Engine) Extend(ctx context.Context, name string, until time.Time) (auth.Health, error) {
	h, _, err := e.ExtendWith(ctx, name, until, ExtendOptions{})
	return h, err
}

// ExtendOptions say how an extension may go.
type ExtendOptions struct {
	// Shorten allows a new expiry earlier than the current one.
	Shorten bool
}

// ShortenError is an extension refused because the new token would
// expire before the current one does.
type ShortenError struct {
	Name               string
	Current, Requested time.Time
}

func (e *ShortenError) Error() string { return e.Message().String() }

// Message is the error as data.
func (e *ShortenError) Message() msg.Message {
	return msg.New("engine.shorten", "Name", e.Name, "Current", e.Current.UTC().Format("2006-01-02"), "Requested", e.Requested.UTC().Format("2006-01-02"))
}

// Shortens returns the *ShortenError of extending c until then, nil when
// the new token would last at least as long as the current one (or the
// current one has expired, or its expiry is not known).
func Shortens(c auth.Credential, until, now time.Time) *ShortenError {
	cur := c.ExpiresAt
	if cur.IsZero() || !cur.After(now) || !until.Before(cur) {
		return nil
	}
	return &ShortenError{Name: c.Name, Current: cur, Requested: until}
}

// extendPushWait bounds how long an extend waits for its share targets:
// a host that does not answer is left to the agent's retries.
const extendPushWait = 20 * time.Second

// ExtendWith is Extend with options. An until earlier than the token's
// current expiry is refused with a *ShortenError (nothing is asked of
// the broker) unless o.Shorten. The Handover says which holders of the
// token (shared files, share targets) have the new one.
func (e *Engine) ExtendWith(ctx context.Context, name string, until time.Time, o ExtendOptions) (auth.Health, auth.Handover, error) {
	var h auth.Health
	var ho auth.Handover
	c, err := e.withCredential(ctx, name, func(c *auth.Credential, p auth.Provider, s auth.Secrets) (bool, error) {
		x, ok := p.(auth.Extender)
		if !ok {
			return false, msg.Errorf("engine.no_extend", "Name", name, "Kind", c.Kind.Message())
		}
		if se := Shortens(*c, until, e.now()); se != nil && !o.Shorten {
			h = e.assess(p, *c)
			return false, se
		}
		release, err := e.limits.acquire(ctx, *c, s)
		if err != nil {
			return false, err
		}
		defer release()
		e.prepareWrite()
		stored := *c
		h, err = e.inFlight(c, "extend", e.st.InFlight(c.ID), func() (auth.Health, error) {
			return x.Extend(ctx, c, s, until)
		})
		if cutShort(ctx, h) {
			keepStored(c, stored)
			h = e.assess(p, *c)
			return true, msg.Wrap(context.Cause(ctx), "engine.not_extended", "Name", c.Name, "Err", context.Cause(ctx))
		}
		h = e.record(c, h, err)
		if err == nil {
			ho.Updated = e.fileHandoffs(*c)
			c.Replaced = auth.Replacement{At: e.now(), Until: c.ExpiresAt, Handover: ho}
		}
		return true, err
	})
	var se *ShortenError
	if errors.As(err, &se) {
		return h, ho, err
	}
	if err == nil {
		// The share targets get the new token now, not at the agent's
		// next look, and the handover says which did.
		pctx, cancel := context.WithTimeout(ctx, extendPushWait)
		pr, perr := e.pushChanged(pctx, name)
		cancel()
		if perr != nil && pctx.Err() != nil && ctx.Err() == nil {
			if _, sh, err := e.Shared(name); err == nil {
				for _, t := range sh.Targets {
					ho.Failed = append(ho.Failed, auth.FailedBecause(auth.Handoff{Kind: auth.HandoffTarget, Where: t.String()},
						msg.New("engine.push_unfinished", "Wait", extendPushWait.String())))
				}
			}
		}
		if perr == nil {
			for _, p := range pr.Targets {
				hf := auth.Handoff{Kind: auth.HandoffTarget, Where: p.Target.String()}
				if p.Err != nil {
					ho.Failed = append(ho.Failed, auth.FailedBecause(hf, msg.Of(p.Err)))
				} else {
					ho.Updated = append(ho.Updated, hf)
				}
			}
		}
	}
	return h, ho, outcome(c, h, err)
}

// outcome is the error a caller gets for health h: a health only the
// user can fix becomes a *auth.UserError, and every error carries the
// next action of h unless it names its own.
func outcome(c auth.Credential, h auth.Health, err error) error {
	if err == nil {
		if h.State.NeedsUser() {
			return needsUser(c, h)
		}
		return nil
	}
	if _, ok := auth.ActionOf(err); ok {
		return err
	}
	h = withNext(c, h)
	if h.Next.IsZero() {
		return err
	}
	return auth.WithAction(err, h.Next)
}

// recoverEvery bounds how often Recover asks the brokers about
// interrupted calls again while they cannot be reached.
const recoverEvery = time.Minute

// RecoverWait bounds how long Recover waits for the brokers.
const RecoverWait = 30 * time.Second

// Recover checks at once, with their brokers, the credentials whose
// renewal a killed process left unfinished, so what Status shows next is
// the broker's word and not the health stored before the call. It
// returns when ctx ends or after RecoverWait at most; while the brokers
// cannot be reached it asks them again at most once a minute. Status
// itself only reads: the commands that show health, and the agent
// outside its event loop, call Recover first.
func (e *Engine) Recover(ctx context.Context) []Result {
	now := e.clock.Now()
	e.mu.Lock()
	if !e.recovered.IsZero() && now.Sub(e.recovered) < recoverEvery {
		e.mu.Unlock()
		return nil
	}
	e.recovered = now
	e.mu.Unlock()
	ids, err := e.st.Interrupted()
	if err != nil || len(ids) == 0 {
		if len(ids) == 0 {
			e.mu.Lock()
			e.recovered = time.Time{} // nothing to retry: look again next time
			e.mu.Unlock()
		}
		return nil
	}
	var names []string
	for _, id := range ids {
		if c, err := e.st.GetByID(id); err == nil {
			names = append(names, c.Name)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, RecoverWait)
	defer cancel()
	return e.RefreshNames(ctx, names, false)
}

// indexFrom is how many credentials a refresh checks (at least half of
// all) before the keychain learns where all their secrets are at once
// (see prepareRead) rather than field by field.
const indexFrom = 8

// prepareRead readies the keychain for reading the secrets of most
// credentials: one search finds every item, where a search per field
// has the keychain scan all its items three times per credential.
func (e *Engine) prepareRead() {
	if p, ok := e.st.Secrets().(interface{ Index() }); ok {
		p.Index()
	}
}

// prepareWrite readies the keychain for the secret a broker is about to
// issue, so the time between its answer and the keychain holding it is
// one keychain call.
func (e *Engine) prepareWrite() {
	if p, ok := e.st.Secrets().(interface{ PrepareWrite() }); ok {
		p.PrepareWrite()
	}
}
