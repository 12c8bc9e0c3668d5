package testutil

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
)

// FakeProvider is a broker that renews its token to Life ahead (two
// hours unless set) and counts how often it was asked to. It implements
// auth.Provider, auth.Login, auth.Extender, auth.Remover and
// auth.Checker; Plain hides
// all but the Provider.
type FakeProvider struct {
	KindOf auth.Kind
	Clock  clockwork.Clock

	// Gate, when set, holds every Refresh until it is closed.
	Gate chan struct{}
	// Entered receives once per Refresh when set.
	Entered chan struct{}
	// Fail, when set, is the outcome of Refresh instead of a renewal.
	Fail func(c *auth.Credential) (auth.Health, error)
	// RevokeErr is the answer of Revoke.
	RevokeErr error
	// RevokeHangs makes Revoke wait for its context to end (a broker
	// that does not answer).
	RevokeHangs bool
	// Life, when set, is how long a renewed token lives.
	Life time.Duration
	// LoginFunc is the Login behaviour; nil answers Action needed.
	LoginFunc func(ctx context.Context, c *auth.Credential, s auth.Secrets, progress func(auth.LoginEvent)) (auth.Health, error)
	// CheckFunc is the Check behaviour; nil accepts and assesses.
	CheckFunc func(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error)
	// ExtendFunc is the Extend behaviour; nil renews to until.
	ExtendFunc func(ctx context.Context, c *auth.Credential, s auth.Secrets, until time.Time) (auth.Health, error)

	mu        sync.Mutex
	refreshes int
	revoked   int
	checks    int
	// revokedWith are the access and refresh tokens each Revoke saw.
	revokedWith []string
}

// NewFakeProvider returns a FakeProvider of kind k on clock.
func NewFakeProvider(k auth.Kind, clock clockwork.Clock) *FakeProvider {
	return &FakeProvider{KindOf: k, Clock: clock}
}

func (p *FakeProvider) Kind() auth.Kind { return p.KindOf }

// Assess: Unknown without an expiry, Broken once expired, Expiring in
// its last hour, else OK.
func (p *FakeProvider) Assess(c auth.Credential, now time.Time) auth.Health {
	h := auth.Health{ExpiresAt: c.ExpiresAt, CheckedAt: now}
	switch {
	case c.ExpiresAt.IsZero():
		h.State, h.Reason = auth.Unknown, "not checked yet"
	case !c.ExpiresAt.After(now):
		h.State, h.Reason = auth.Broken, "the token expired"
		h.Next = auth.Next(auth.ActionLogin, c.Name)
	case c.ExpiresAt.Sub(now) < time.Hour:
		h.State, h.Reason = auth.Expiring, "the token expires soon"
	default:
		h.State, h.Reason = auth.OK, "valid"
	}
	return h
}

func (p *FakeProvider) Refresh(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.RefreshOptions) (auth.Health, error) {
	if p.Entered != nil {
		p.Entered <- struct{}{}
	}
	if p.Gate != nil {
		select {
		case <-p.Gate:
		case <-ctx.Done():
			return auth.Health{}, ctx.Err()
		}
	}
	p.mu.Lock()
	p.refreshes++
	n := p.refreshes
	p.mu.Unlock()
	if p.Fail != nil {
		return p.Fail(c)
	}
	now := p.Clock.Now()
	if !opts.Force && !c.ExpiresAt.IsZero() && c.ExpiresAt.Sub(now) > opts.Lead {
		return p.Assess(*c, now), nil
	}
	if err := s.Set(auth.FieldAccessToken, fmt.Sprintf("test-token-%04d", n)); err != nil {
		return auth.Health{}, err
	}
	life := p.Life
	if life == 0 {
		life = 2 * time.Hour
	}
	c.ExpiresAt = now.Add(life)
	c.RefreshedAt = now
	h := p.Assess(*c, now)
	if life < time.Hour {
		h.State = auth.OK // a broker whose tokens are short-lived by design
	}
	return h, nil
}

func (p *FakeProvider) Token(c auth.Credential, s auth.Secrets) (string, error) {
	return s.Get(auth.FieldAccessToken)
}

func (p *FakeProvider) Env(c auth.Credential, s auth.Secrets) (map[string]string, string, error) {
	tok, err := s.Get(auth.FieldAccessToken)
	if err != nil {
		return nil, "", err
	}
	return map[string]string{"TEST_TOKEN": tok}, "", nil
}

func (p *FakeProvider) Revoke(ctx context.Context, c auth.Credential, s auth.Secrets) error {
	access, _ := s.Get(auth.FieldAccessToken)
	refresh, _ := s.Get(auth.FieldRefreshToken)
	p.mu.Lock()
	p.revoked++
	p.revokedWith = append(p.revokedWith, access+" "+refresh)
	hang, err := p.RevokeHangs, p.RevokeErr
	p.mu.Unlock()
	if hang {
		<-ctx.Done()
		return ctx.Err()
	}
	return err
}

// RevokedWith lists "ACCESS REFRESH" for each Revoke call: the tokens
// it was asked to revoke.
func (p *FakeProvider) RevokedWith() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.revokedWith...)
}

func (p *FakeProvider) Check(ctx context.Context, c *auth.Credential, s auth.Secrets) (auth.Health, error) {
	p.mu.Lock()
	p.checks++
	p.mu.Unlock()
	if p.CheckFunc != nil {
		return p.CheckFunc(ctx, c, s)
	}
	return p.Assess(*c, p.Clock.Now()), nil
}

// Checks is how many times Check was called.
func (p *FakeProvider) Checks() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.checks
}

func (p *FakeProvider) Login(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	if p.LoginFunc == nil {
		return auth.Health{State: auth.ActionNeeded, Reason: "this fake broker has no login"}, nil
	}
	return p.LoginFunc(ctx, c, s, progress)
}

func (p *FakeProvider) Extend(ctx context.Context, c *auth.Credential, s auth.Secrets, until time.Time) (auth.Health, error) {
	if p.ExtendFunc != nil {
		return p.ExtendFunc(ctx, c, s, until)
	}
	c.ExpiresAt = until
	c.RefreshedAt = p.Clock.Now()
	return p.Assess(*c, p.Clock.Now()), nil
}

// Refreshes is how many times Refresh was called.
func (p *FakeProvider) Refreshes() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refreshes
}

// Revoked is how many times Revoke was called.
func (p *FakeProvider) Revoked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.revoked
}

// Plain returns p as a bare auth.Provider: no login, extension or
// revocation.
func Plain(p *FakeProvider) auth.Provider { return plain{p} }

type plain struct{ p *FakeProvider }

func (x plain) Kind() auth.Kind { return x.p.Kind() }
func (x plain) Assess(c auth.Credential, now time.Time) auth.Health {
	return x.p.Assess(c, now)
}
func (x plain) Refresh(ctx context.Context, c *auth.Credential, s auth.Secrets, o auth.RefreshOptions) (auth.Health, error) {
	return x.p.Refresh(ctx, c, s, o)
}
func (x plain) Token(c auth.Credential, s auth.Secrets) (string, error) { return x.p.Token(c, s) }
func (x plain) Env(c auth.Credential, s auth.Secrets) (map[string]string, string, error) {
	return x.p.Env(c, s)
}
