// Package sandbox runs the simulated Futu and Webull brokers side by side
// on the loopback interface, and seeds a settings store with demo
// credentials against them, so every flow of tokentray can be tried with
// no brokerage account.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/webullsim"
	"tokentray/auth/store"
)

// Names of the credentials Seed adds.
const (
	DemoFutuKey      = "futu-demo"
	DemoFutuExpiring = "futu-expiring"
	DemoWebull       = "webull-demo"
	// DemoWebullNo2FA is a Webull app with 2FA off: OK with no token.
	DemoWebullNo2FA = "webull-no2fa"
	// DemoFutuLogin is a Futu OAuth login not yet made: one click in the
	// window (or tokentray login) opens the sandbox's authorize page.
	DemoFutuLogin = "futu-login"
)

// DemoNames lists every credential Seed adds, in the order it adds them.
var DemoNames = []string{DemoFutuKey, DemoFutuExpiring, DemoWebull, DemoWebullNo2FA, DemoFutuLogin}

// Lifetimes of the seeded Futu keys.
const (
	demoKeyTTL      = 90 * 24 * time.Hour // the broker's default
	demoExpiringTTL = 2 * 24 * time.Hour  // inside every warning window
)

// Options configure Start. The zero value starts both servers on free
// loopback ports with the brokers' real lifetimes.
type Options struct {
	// Clock drives both servers; nil means the wall clock.
	Clock clockwork.Clock
	// FutuPort and WebullPort are fixed ports; 0 picks a free one.
	FutuPort, WebullPort int
	// Futu and Webull are passed to the simulators; Start sets their
	// Clock and BaseURL.
	Futu   futusim.Options
	Webull webullsim.Options
}

// DemoOptions are the options for `make run`: Futu OAuth tokens live a
// few minutes, so the tray shows refreshes happening.
func DemoOptions() Options {
	return Options{
		Futu: futusim.Options{
			AccessTTL:     3 * time.Minute,
			RefreshTTL:    time.Hour,
			RotateRefresh: true,
		},
		// A Webull token dies at its expires unless renewed, so the demo
		// shows what happens when renewal is missed.
		Webull: webullsim.Options{StrictExpires: true},
	}
}

// Sandbox is both simulated brokers, listening.
type Sandbox struct {
	FutuURL   string
	WebullURL string
	Futu      *futusim.Server
	Webull    *webullsim.Server
	Clock     clockwork.Clock

	servers   []*http.Server
	listeners []net.Listener
	closeOnce sync.Once
}

// Start listens on 127.0.0.1 and serves both simulators until Close.
func Start(opts Options) (*Sandbox, error) {
	clock := opts.Clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	futuLn, err := listen(opts.FutuPort)
	if err != nil {
		return nil, fmt.Errorf("start the Futu sandbox: %w", err)
	}
	webullLn, err := listen(opts.WebullPort)
	if err != nil {
		futuLn.Close()
		return nil, fmt.Errorf("start the Webull sandbox: %w", err)
	}
	sb := &Sandbox{
		FutuURL:   "http://" + futuLn.Addr().String(),
		WebullURL: "http://" + webullLn.Addr().String(),
		Clock:     clock,
	}
	fo := opts.Futu
	fo.Clock, fo.BaseURL = clock, sb.FutuURL
	sb.Futu = futusim.New(fo)
	wo := opts.Webull
	wo.Clock, wo.BaseURL = clock, sb.WebullURL
	sb.Webull = webullsim.New(wo)

	for _, s := range []struct {
		ln net.Listener
		h  http.Handler
	}{{futuLn, sb.Futu.Handler()}, {webullLn, sb.Webull.Handler()}} {
		srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 10 * time.Second}
		sb.servers = append(sb.servers, srv)
		sb.listeners = append(sb.listeners, s.ln)
		go func(ln net.Listener) { _ = srv.Serve(ln) }(s.ln)
	}
	return sb, nil
}

func listen(port int) (net.Listener, error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("port %d is not a TCP port; use 0 for any free one", port)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1 port %d (is another sandbox running?): %w", port, err)
	}
	return ln, nil
}

// Close stops both servers, waiting briefly for requests in flight.
func (sb *Sandbox) Close() {
	sb.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, srv := range sb.servers {
			if srv.Shutdown(ctx) != nil {
				_ = srv.Close()
			}
		}
		// A server whose Serve had not started yet does not know its listener.
		for _, ln := range sb.listeners {
			_ = ln.Close()
		}
	})
}

// PhoneURL is the Webull "phone" page where pending tokens are confirmed.
func (sb *Sandbox) PhoneURL() string { return sb.WebullURL + "/sandbox/phone" }

// FutuAdminURL is the Futu admin page (clients, keys, rotation, skew).
func (sb *Sandbox) FutuAdminURL() string { return sb.FutuURL + "/sandbox/" }

// Seed adds the demo credentials against this sandbox: a healthy Futu API
// key, a Futu API key about to expire, a Webull token waiting for its
// SMS code, a Webull app with 2FA off (signed with its app key alone),
// and a Futu OAuth login waiting for its first sign-in. Credentials of
// those names left from an earlier sandbox are replaced: their secrets
// belonged to servers that are gone.
func (sb *Sandbox) Seed(st *store.Store) error {
	now := sb.Clock.Now().UTC()
	var errs []error
	add := func(c auth.Credential, secrets map[string]string) {
		if len(errs) > 0 {
			return // the same cause (a locked keychain, say) would repeat
		}
		if err := st.Remove(c.Name); err != nil && !errors.Is(err, store.ErrNotFound) {
			errs = append(errs, fmt.Errorf("replace sandbox credential %s: %w", c.Name, err))
			return
		}
		c.ID = auth.NewID()
		c.AddedAt = now
		// The fingerprint the engine's Add keeps, so the demo's key cannot
		// be added again under another name.
		if key := secrets[auth.FieldAppKey]; key != "" {
			c.KeyFingerprint = auth.KeyFingerprint(c.Kind.Broker(), key)
		}
		if err := st.Add(c, secrets); err != nil {
			errs = append(errs, fmt.Errorf("add sandbox credential %s: %w", c.Name, err))
		}
	}
	for _, k := range []struct {
		name string
		ttl  time.Duration
	}{{DemoFutuKey, demoKeyTTL}, {DemoFutuExpiring, demoExpiringTTL}} {
		exp := now.Add(k.ttl)
		appKey, appSecret, token := sb.Futu.AddAPIKey(exp)
		add(auth.Credential{Name: k.name, Kind: auth.KindFutuKey, Endpoint: sb.FutuURL, ExpiresAt: exp},
			map[string]string{auth.FieldAppKey: appKey, auth.FieldAppSecret: appSecret, auth.FieldAccessToken: token})
	}

	appKey, appSecret := sb.Webull.AddApp(false)
	ti, err := sb.Webull.IssueToken(appKey)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("create the sandbox Webull token: %w", err))...)
	}
	add(auth.Credential{Name: DemoWebull, Kind: auth.KindWebull, Endpoint: sb.WebullURL,
		TokenStatus: string(ti.Status), ExpiresAt: ti.Expires.UTC()},
		map[string]string{auth.FieldAppKey: appKey, auth.FieldAppSecret: appSecret, auth.FieldWebullToken: ti.Token})
	// An app whose owner turned 2FA off: the broker says so at /openapi/config,
	// and each check asks again.
	plainKey, plainSecret := sb.Webull.AddApp(false)
	if err := sb.Webull.SetTwoFactor(plainKey, false); err != nil {
		return errors.Join(append(errs, fmt.Errorf("turn 2FA off for the sandbox Webull app: %w", err))...)
	}
	add(auth.Credential{Name: DemoWebullNo2FA, Kind: auth.KindWebull, Endpoint: sb.WebullURL, Region: "us", TwoFactorOff: true},
		map[string]string{auth.FieldAppKey: plainKey, auth.FieldAppSecret: plainSecret})
	// The client is registered at the first login, as for a real account.
	add(auth.Credential{Name: DemoFutuLogin, Kind: auth.KindFutuOAuth, Endpoint: sb.FutuURL}, nil)
	return errors.Join(errs...)
}
