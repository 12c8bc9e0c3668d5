package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"tokentray/auth"
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
