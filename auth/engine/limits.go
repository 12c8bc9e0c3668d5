package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
)

// How hard the engine leans on a broker. Brokers limit each app key
// (Webull: 10 token checks per 30 s per token) rather than each client
// address, so credentials with distinct keys are checked side by side,
// one call at a time per key, and at most PerHost calls at once per host.
const (
	// DefaultPerHost bounds the calls in flight to one broker host.
	DefaultPerHost = 64
	// WebullChecks token checks are allowed per WebullWindow per token.
	WebullChecks = 10
	WebullWindow = 30 * time.Second
)

// limits are the engine's bounds on broker calls, shared by every
// refresh of this process.
type limits struct {
	clock   clockwork.Clock
	perHost int

	mu     sync.Mutex
	hosts  map[string]chan struct{}
	keys   map[string]chan struct{}
	checks map[string][]time.Time // Webull check times per credential (token)
}

func newLimits(clock clockwork.Clock, perHost int) *limits {
	if perHost <= 0 {
		perHost = DefaultPerHost
	}
	return &limits{clock: clock, perHost: perHost, hosts: map[string]chan struct{}{}, keys: map[string]chan struct{}{}, checks: map[string][]time.Time{}}
}

func (l *limits) slot(m map[string]chan struct{}, key string, n int) chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch, ok := m[key]
	if !ok {
		ch = make(chan struct{}, n)
		m[key] = ch
	}
	return ch
}

// acquire waits until a call for c may go to its broker: its app key is
// free, its host has room and, for Webull, the token has checks left in
// the window. release gives the key and the host slot back.
func (l *limits) acquire(ctx context.Context, c auth.Credential, s auth.Secrets) (release func(), err error) {
	// The window first: a token out of checks holds no slot while it waits.
	if c.Kind == auth.KindWebull {
		if err := l.webullCheck(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	key := l.slot(l.keys, appKeyOf(c, s), 1)
	select {
	case key <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	host := l.slot(l.hosts, hostOf(c), l.perHost)
	select {
	case host <- struct{}{}:
	case <-ctx.Done():
		<-key
		return nil, ctx.Err()
	}
	return func() { <-host; <-key }, nil
}

// webullCheck takes one of the token's checks in the sliding window,
// waiting for the oldest to leave it when all are used.
func (l *limits) webullCheck(ctx context.Context, id string) error {
	for {
		now := l.clock.Now()
		l.mu.Lock()
		ts := l.checks[id]
		for len(ts) > 0 && !now.Before(ts[0].Add(WebullWindow)) {
			ts = ts[1:]
		}
		if len(ts) < WebullChecks {
			l.checks[id] = append(ts, now)
			l.mu.Unlock()
			return nil
		}
		l.checks[id] = ts
		wait := ts[0].Add(WebullWindow).Sub(now)
		l.mu.Unlock()
		select {
		case <-l.clock.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// appKeyOf names the broker-side client of c without holding its
// secret: the OAuth client ID, or a digest of the app key. s remembers
// what it read, so the provider's own read costs no second keychain call.
func appKeyOf(c auth.Credential, s auth.Secrets) string {
	if c.Kind == auth.KindFutuOAuth && c.ClientID != "" {
		return "client:" + c.ClientID
	}
	if k, err := s.Get(auth.FieldAppKey); err == nil && k != "" {
		sum := sha256.Sum256([]byte(string(c.Kind) + "\x00" + k))
		return "key:" + hex.EncodeToString(sum[:8])
	}
	return "id:" + c.ID
}

// hostOf is the broker host c talks to: its endpoint's, or the broker's
// default (the providers fill that in).
func hostOf(c auth.Credential) string {
	if u, err := url.Parse(c.Endpoint); err == nil && u.Host != "" {
		return strings.ToLower(u.Host)
	}
	return strings.ToLower(c.Kind.Broker() + ":" + c.Region)
}
