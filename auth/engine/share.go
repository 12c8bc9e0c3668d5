package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"tokentray/auth"
	"tokentray/auth/store"
	"tokentray/auth/targets"
	"tokentray/internal/msg"
)

// ShareEvery is the share-every setting: the longest between two pushes
// of one target.
func (e *Engine) ShareEvery() time.Duration {
	p, err := e.st.Prefs()
	if err != nil || p.ShareEvery <= 0 {
		return store.DefaultShareEvery
	}
	return p.ShareEvery
}

func (e *Engine) runner() targets.Runner {
	if e.shareRunner != nil {
		return *e.shareRunner
	}
	return targets.RunnerFromEnv()
}

// sharer is the credential's broker as one that hands a file to share
// targets, or a sentence saying it has none.
func (e *Engine) sharer(c auth.Credential) (auth.TargetSharer, error) {
	p, err := e.Provider(c.Kind)
	if err != nil {
		return nil, err
	}
	s, ok := p.(auth.TargetSharer)
	if !ok {
		return nil, auth.NeedsUserBecause(auth.Action{}, msg.New("engine.share_none", "Name", c.Name, "Kind", c.Kind.Message()))
	}
	return s, nil
}

// Shared returns the credential called name and its share targets.
func (e *Engine) Shared(name string) (auth.Credential, targets.Shared, error) {
	c, err := e.st.Get(name)
	if err != nil {
		return c, targets.Shared{}, err
	}
	sh, err := e.st.Shared(c.ID)
	return c, sh, err
}

// AllShared returns every credential's share targets, by name.
func (e *Engine) AllShared() (map[string]targets.Shared, error) {
	cs, err := e.st.List()
	if err != nil {
		return nil, err
	}
	byID, err := e.st.AllShared()
	if err != nil {
		return nil, err
	}
	out := map[string]targets.Shared{}
	for _, c := range cs {
		if sh, ok := byID[c.ID]; ok {
			out[c.Name] = sh
		}
	}
	return out, nil
}

// AddTarget adds t to the share targets of the credential called name.
// It refuses a credential with nothing to share, the same place twice,
// and a command whose program does not exist. It does not push: Push
// does, the agent at once.
func (e *Engine) AddTarget(ctx context.Context, name string, t targets.Target) error {
	c, err := e.st.Get(name)
	if err != nil {
		return err
	}
	if _, err := e.sharer(c); err != nil {
		return err
	}
	r := e.runner()
	if t.Kind == targets.Exec {
		if err := targets.CheckCommand(ctx, t.Command, r.Env); err != nil {
			return auth.NeedsUserBecause(auth.Action{}, msg.New("engine.command_cannot_run", "Command", auth.ShownInputMsg(t.Command), "Err", err))
		}
	}
	if err := r.CheckSSH(ctx, t); err != nil {
		return auth.NeedsUserBecause(auth.Action{}, msg.New("engine.target_unreachable", "Target", t.Describe(), "Err", err))
	}
	t.State = targets.State{}
	err = e.st.ChangeShared(c.ID, func(sh *targets.Shared) error {
		if sh.Find(t) >= 0 {
			return auth.NeedsUserBecause(auth.Action{}, msg.New("engine.target_exists", "Name", name, "Target", t.Describe()))
		}
		sh.Targets = append(sh.Targets, t)
		return nil
	})
	if err == nil {
		e.changed(name)
	}
	return err
}

// TargetOff is what removing a target did.
type TargetOff struct {
	Target targets.Target
	// Removal is what became of the file it wrote there.
	Removal targets.Removal
	// Problem says why the file could not be looked at (the host did not
	// answer, the credential has no token now); "" when it was. Why is
	// the same as data, for the faces to say in the person's language.
	Problem string
	Why     msg.Message
}

// because sets Problem and Why to m.
func (o *TargetOff) because(m msg.Message) { o.Problem, o.Why = m.String(), m }

// Explain is Problem in the language.
func (o TargetOff) Explain(l msg.Lang) string {
	if !o.Why.IsZero() {
		return l.Render(o.Why)
	}
	return o.Problem
}

// RemoveTarget stops pushing to the place of t and deletes the file it
// wrote there while that still holds what tokentray pushes. The target
// is removed even when the file cannot be looked at (Problem says why).
func (e *Engine) RemoveTarget(ctx context.Context, name string, t targets.Target) (TargetOff, error) {
	c, sh, err := e.Shared(name)
	if err != nil {
		return TargetOff{}, err
	}
	i := sh.Find(t)
	if i < 0 {
		return TargetOff{}, auth.NeedsUserBecause(auth.Action{}, msg.New("engine.target_missing", "Name", name, "Target", t.Describe()))
	}
	off := TargetOff{Target: sh.Targets[i], Removal: targets.Kept}
	if t.Kind == targets.Exec {
		off.Removal = targets.NotKnown
	} else if f, err := e.sharedFile(c); err != nil {
		off.because(msg.Of(err))
	} else if off.Removal, err = e.runner().Remove(ctx, off.Target, payload(c, f)); err != nil {
		off.because(msg.Of(err))
	}
	err = e.st.ChangeShared(c.ID, func(sh *targets.Shared) error {
		if i := sh.Find(t); i >= 0 {
			sh.Targets = append(sh.Targets[:i], sh.Targets[i+1:]...)
		}
		return nil
	})
	if err == nil {
		e.changed(name)
	}
	return off, err
}

// TargetsOffWait bounds how long removing or logging out a credential
// waits for its share targets to delete the files pushed there: a host
// that does not answer by then keeps its file, and is reported as such.
const TargetsOffWait = 20 * time.Second

// pushedFile is what c's share targets hold, read before its secrets go,
// with the reason there is none.
type pushedFile struct {
	file    auth.SharedFile
	problem error
	targets []targets.Target
}

// pushedNow reads c's share targets and the file they were given.
func (e *Engine) pushedNow(c auth.Credential) pushedFile {
	sh, err := e.st.Shared(c.ID)
	if err != nil || len(sh.Targets) == 0 {
		return pushedFile{}
	}
	pf := pushedFile{targets: sh.Targets}
	pf.file, pf.problem = e.sharedFile(c)
	return pf
}

// targetsOff deletes, on each of the targets in pf, the file pushed there
// while it still holds what tokentray pushed (the rule of RemoveTarget),
// all at once and within TargetsOffWait, and says what became of each.
func (e *Engine) targetsOff(ctx context.Context, c auth.Credential, pf pushedFile) []TargetOff {
	out := make([]TargetOff, len(pf.targets))
	wait := e.targetsOffWait
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	// A push of this process still running would write the file again
	// after it was deleted: wait for it to end, within the bound.
	var busy msg.Message
	if release, err := e.pushSlot(wctx, c.ID); err != nil {
		busy = msg.New("engine.push_still_running", "Wait", msg.Approx(wait))
	} else {
		defer release()
	}
	r := e.runner()
	var wg sync.WaitGroup
	for i, t := range pf.targets {
		out[i] = TargetOff{Target: t, Removal: targets.Kept}
		switch {
		case t.Kind == targets.Exec:
			out[i].Removal = targets.NotKnown
			continue
		case !busy.IsZero():
			out[i].because(busy)
			continue
		case pf.problem != nil:
			out[i].because(msg.New("engine.no_file_to_compare", "Err", auth.Clause(pf.problem)))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rm, err := r.Remove(wctx, t, payload(c, pf.file))
			switch {
			case err != nil && wctx.Err() != nil && ctx.Err() == nil:
				out[i].because(msg.New("engine.host_no_answer", "Host", t.Host, "Wait", msg.Approx(wait)))
			case err != nil:
				out[i].because(msg.Of(err))
			default:
				out[i].Removal = rm
			}
		}()
	}
	wg.Wait()
	return out
}

func (e *Engine) sharedFile(c auth.Credential) (auth.SharedFile, error) {
	s, err := e.sharer(c)
	if err != nil {
		return auth.SharedFile{}, err
	}
	return s.SharedFile(c, e.st.Bind(c.ID))
}

func payload(c auth.Credential, f auth.SharedFile) targets.Payload {
	return targets.Payload{Credential: c.Name, Name: f.Name, Content: f.Content, ExpiresAt: f.ExpiresAt, Secrets: f.Secrets}
}

// Pushed is the result of one push to one target.
type Pushed struct {
	Credential string
	// Target is the target with its state after the push.
	Target targets.Target
	Err    error
	// Change is what the push did to the target's health: the one
	// notification a change deserves.
	Change targets.Change
	// Current: the target was not pushed, since its last push delivered
	// this very file.
	Current bool
}

// PushResult is one credential's push.
type PushResult struct {
	Credential string
	Targets    []Pushed
	// Nothing is why nothing was pushed (the credential has no token to
	// hand out now); nil when the targets were pushed.
	Nothing error
	// TokenChangedAt is when the token string last changed; NewToken is
	// set when this push carried the new one first. Bots that read the
	// file once and started before then keep the old token.
	TokenChangedAt time.Time
	NewToken       bool
}

// Failed counts the targets whose push failed.
func (r PushResult) Failed() int {
	n := 0
	for _, p := range r.Targets {
		if p.Err != nil {
			n++
		}
	}
	return n
}

// Push pushes the credential's file to its targets now, each at once and
// each within its own time limit, and records how each went: all of
// them, or those pick (when not nil) picks.
func (e *Engine) Push(ctx context.Context, name string, pick func(targets.Target) bool) (PushResult, error) {
	c, err := e.st.Get(name)
	if err != nil {
		return PushResult{Credential: name}, err
	}
	return e.push(ctx, c, pick, false)
}

// pushChanged is Push after the token changed: a target whose last
// push delivered the current file already (the agent was quicker) is
// not pushed again, and is reported as Current.
func (e *Engine) pushChanged(ctx context.Context, name string) (PushResult, error) {
	c, err := e.st.Get(name)
	if err != nil {
		return PushResult{Credential: name}, err
	}
	return e.push(ctx, c, nil, true)
}

// pushSlot takes the in-process turn to push c's targets: one push of a
// credential at a time, so the second finds what the first delivered
// (an extend and the agent both see the same change) instead of
// delivering it again beside it.
func (e *Engine) pushSlot(ctx context.Context, id string) (func(), error) {
	e.mu.Lock()
	if e.pushing == nil {
		e.pushing = map[string]chan struct{}{}
	}
	ch, ok := e.pushing[id]
	if !ok {
		ch = make(chan struct{}, 1)
		e.pushing[id] = ch
	}
	e.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Only picks the target at the place of t.
func Only(t targets.Target) func(targets.Target) bool {
	return func(x targets.Target) bool { return x.Same(t) }
}

// push pushes c's file to its targets (those pick picks, all when nil).
// It reads the credential, its file and its targets afresh once its turn
// comes, so what it delivers is what is stored then, not what a caller
// read before. With changed, a target that is not due and whose last
// push delivered this very file is left alone (Pushed.Current).
func (e *Engine) push(ctx context.Context, c auth.Credential, pick func(targets.Target) bool, changed bool) (PushResult, error) {
	res := PushResult{Credential: c.Name}
	release, err := e.pushSlot(ctx, c.ID)
	if err != nil {
		return res, err
	}
	defer release()
	if c, err = e.st.GetByID(c.ID); err != nil {
		return res, err
	}
	sh, err := e.st.Shared(c.ID)
	if err != nil {
		return res, err
	}
	res = PushResult{Credential: c.Name, TokenChangedAt: sh.TokenChangedAt}
	var picked []targets.Target
	for _, t := range sh.Targets {
		if pick == nil || pick(t) {
			picked = append(picked, t)
		}
	}
	if len(picked) == 0 {
		return res, nil
	}
	f, err := e.sharedFile(c)
	if err != nil {
		res.Nothing = err
		return res, nil
	}
	p := payload(c, f)
	holds := targets.Fingerprint(p)
	now := e.now()
	var todo []targets.Target
	for _, t := range picked {
		if changed && !t.State.Due(now) && !t.State.Failing() && t.State.HoldsNow(p) {
			res.Targets = append(res.Targets, Pushed{Credential: c.Name, Target: t, Current: true})
			continue
		}
		todo = append(todo, t)
	}
	if len(todo) == 0 {
		return res, nil
	}
	r := e.runner()
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	for i, t := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.Push(ctx, t, p)
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		// Stopped, not failed: nothing is recorded against the targets.
		return res, ctx.Err()
	}
	every := e.ShareEvery()
	end := e.now()
	current := len(res.Targets)
	err = e.st.ChangeShared(c.ID, func(sh *targets.Shared) error {
		res.Targets = res.Targets[:current]
		for i, t := range todo {
			j := sh.Find(t)
			if j < 0 {
				continue // removed meanwhile
			}
			st, ch := sh.Targets[j].State.Record(end, errs[i], every)
			if errs[i] == nil {
				st.Holds = holds
			}
			sh.Targets[j].State = st
			res.Targets = append(res.Targets, Pushed{Credential: c.Name, Target: sh.Targets[j], Err: errs[i], Change: ch})
		}
		if f.Token != "" && f.ReadOnce {
			if sh.Fingerprint != "" && !auth.SameKey(sh.Fingerprint, string(c.Kind), f.Token) {
				sh.TokenChangedAt = end
				res.NewToken = true
			}
			if sh.Fingerprint == "" || res.NewToken {
				sh.Fingerprint = auth.KeyFingerprint(string(c.Kind), f.Token)
			}
		}
		res.TokenChangedAt = sh.TokenChangedAt
		return nil
	})
	if err == nil {
		e.changed(c.Name)
	}
	return res, err
}

// ShareKeeper keeps every credential's share targets pushed, for the
// agent: a credential's targets are pushed when its token changes
// (renewal, login, verification, extend, whichever process did it), and
// each target again when it is due (share-every, or a retry backing off
// after a failure). It runs on its own, so a slow or failing target
// never holds up a renewal or the tray.
type ShareKeeper struct {
	e      *Engine
	notify func(PushResult)
	poke   chan struct{}

	mu sync.Mutex
	// stamps: what each credential's token looked like (by ID) when its
	// targets were last pushed; a different one means a change to push.
	stamps map[string]string
	// stuck: credentials with nothing to push (by ID, with their stamp),
	// left alone until they change.
	stuck map[string]string
	// failing: whether each target (by credential ID and target key) was
	// failing when last seen, and changed: each credential's
	// TokenChangedAt when last seen. Whoever pushed (this agent, a command
	// line run, an extend), a change seen here is told once.
	failing map[string]bool
	changed map[string]time.Time

	// asked counts the calls of Changed, done the last of them a round
	// has finished with; wake is closed when done moves (Settle).
	asked, done uint64
	wake        chan struct{}
}

// NewShareKeeper returns a keeper over e. notify, when set, gets each
// credential's push that changed something worth telling: a target that
// started failing or recovered, or a new token string.
func (e *Engine) NewShareKeeper(notify func(PushResult)) *ShareKeeper {
	return &ShareKeeper{e: e, notify: notify, poke: make(chan struct{}, 1), stamps: map[string]string{}, stuck: map[string]string{},
		failing: map[string]bool{}, changed: map[string]time.Time{}, wake: make(chan struct{})}
}

// Changed tells the keeper that credentials or targets may have changed.
// It never blocks.
func (k *ShareKeeper) Changed() {
	k.mu.Lock()
	k.asked++
	k.mu.Unlock()
	select {
	case k.poke <- struct{}{}:
	default:
	}
}

// stamp is what changes when a credential gets a new token or expiry.
func stamp(c auth.Credential) string {
	return fmt.Sprint(c.ExpiresAt.UnixNano(), c.RefreshedAt.UnixNano(), c.TokenStatus, c.TwoFactorOff, c.ClientID)
}

// Run pushes until ctx ends: at once what was never pushed by this
// keeper, then on every change and whenever a target is due.
func (k *ShareKeeper) Run(ctx context.Context) {
	for {
		k.mu.Lock()
		seen := k.asked
		k.mu.Unlock()
		next := k.Round(ctx)
		k.mu.Lock()
		if seen > k.done {
			k.done = seen
			close(k.wake)
			k.wake = make(chan struct{})
		}
		k.mu.Unlock()
		var wait <-chan time.Time
		var timer interface{ Stop() bool }
		if !next.IsZero() {
			t := k.e.clock.NewTimer(next.Sub(k.e.now()))
			timer, wait = t, t.Chan()
		}
		select {
		case <-ctx.Done():
		case <-k.poke:
		case <-wait:
		}
		if timer != nil {
			timer.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// Settle has the running keeper look at the credentials now and returns
// once that look is over: whatever changed before the call has been
// pushed, found current or found failing by then.
func (k *ShareKeeper) Settle(ctx context.Context) error {
	k.Changed()
	k.mu.Lock()
	want := k.asked
	k.mu.Unlock()
	for {
		k.mu.Lock()
		done, wake := k.done, k.wake
		k.mu.Unlock()
		if done >= want {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// minKeeperWait keeps a target whose result could not be recorded (the
// settings were busy) from being pushed in a tight loop.
const minKeeperWait = 5 * time.Second

// Round pushes what is due now and returns when the next target falls
// due (zero: none has a time).
func (k *ShareKeeper) Round(ctx context.Context) time.Time {
	cs, err := k.e.st.List()
	if err != nil {
		return time.Time{}
	}
	all, err := k.e.st.AllShared()
	if err != nil {
		return time.Time{}
	}
	// What changed meanwhile (another process pushed), and the targets
	// new since the last look, before pushing them.
	k.tell(cs, all)
	now := k.e.now()
	var wg sync.WaitGroup
	for _, c := range cs {
		sh := all[c.ID]
		if len(sh.Targets) == 0 {
			continue
		}
		st := stamp(c)
		k.mu.Lock()
		changed := k.stamps[c.ID] != st
		stuck := k.stuck[c.ID] == st
		k.mu.Unlock()
		if stuck {
			continue
		}
		due := changed
		for _, t := range sh.Targets {
			due = due || t.State.Due(now)
		}
		if !due {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var pick func(targets.Target) bool
			if !changed {
				pick = func(t targets.Target) bool { return t.State.Due(now) }
			}
			res, err := k.e.push(ctx, c, pick, changed)
			if err != nil {
				return
			}
			k.mu.Lock()
			k.stamps[c.ID] = st
			if res.Nothing != nil {
				k.stuck[c.ID] = st
			} else {
				delete(k.stuck, c.ID)
			}
			k.mu.Unlock()
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return time.Time{}
	}
	// What was just pushed has its next attempt now.
	if all, err = k.e.st.AllShared(); err != nil {
		return now.Add(minKeeperWait)
	}
	k.tell(cs, all)
	var next time.Time
	for _, c := range cs {
		k.mu.Lock()
		stuck := k.stuck[c.ID] == stamp(c)
		k.mu.Unlock()
		if stuck {
			continue
		}
		for _, t := range all[c.ID].Targets {
			if next.IsZero() || t.State.NextAttempt.Before(next) {
				next = t.State.NextAttempt
			}
		}
	}
	if min := k.e.now().Add(minKeeperWait); !next.IsZero() && next.Before(min) {
		next = min
	}
	return next
}

// tell hands notify what changed since the keeper last looked: targets
// that started failing or recovered, and new token strings. What it
// sees first is taken as it is, not announced.
func (k *ShareKeeper) tell(cs []auth.Credential, all map[string]targets.Shared) {
	k.mu.Lock()
	var out []PushResult
	for _, c := range cs {
		sh := all[c.ID]
		r := PushResult{Credential: c.Name, TokenChangedAt: sh.TokenChangedAt}
		for _, t := range sh.Targets {
			key := c.ID + "\x00" + t.Key()
			if !t.State.Pushed() {
				k.failing[key] = false // a new target: its first failure is told
				continue
			}
			was, known := k.failing[key]
			now := t.State.Failing()
			k.failing[key] = now
			switch {
			case !known || was == now:
			case now:
				r.Targets = append(r.Targets, Pushed{Credential: c.Name, Target: t, Err: errors.New(t.State.Error), Change: targets.StartedFailing})
			default:
				r.Targets = append(r.Targets, Pushed{Credential: c.Name, Target: t, Change: targets.Recovered})
			}
		}
		last, known := k.changed[c.ID]
		k.changed[c.ID] = sh.TokenChangedAt
		if known && !sh.TokenChangedAt.Equal(last) && !sh.TokenChangedAt.IsZero() {
			r.NewToken = true
			for _, t := range sh.Targets {
				if !t.State.Failing() && !containsTarget(r.Targets, t) {
					r.Targets = append(r.Targets, Pushed{Credential: c.Name, Target: t})
				}
			}
		}
		if worthTelling(r) {
			out = append(out, r)
		}
	}
	k.mu.Unlock()
	if k.notify != nil {
		for _, r := range out {
			k.notify(r)
		}
	}
}

func containsTarget(ps []Pushed, t targets.Target) bool {
	for _, p := range ps {
		if p.Target.Same(t) {
			return true
		}
	}
	return false
}

func worthTelling(r PushResult) bool {
	if r.NewToken {
		return true
	}
	for _, p := range r.Targets {
		if p.Change != targets.Unchanged {
			return true
		}
	}
	return false
}
