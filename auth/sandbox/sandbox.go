// Package sandbox runs the simulated Futu and Webull brokers side by side
// on the loopback interface, and seeds a settings store with demo
// credentials against them, so every flow of tokentray can be tried with
// no brokerage account.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/webullsim"
	"tokentray/auth/store"
	"tokentray/internal/sandboxaddr"
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
	// StateDir, when set, is the sandbox profile's folder: the brokers
	// start from the state saved there (StateFile) on its saved ports
	// (unless FutuPort or WebullPort name others), and save their state
	// there whenever it changes. Empty keeps nothing.
	StateDir string
	// Fresh ignores the saved state: new brokers with nothing in them,
	// saved over the old state.
	Fresh bool
	// Logf receives the sentences of problems met while running (a state
	// that could not be saved); nil means the standard logger.
	Logf func(format string, args ...any)
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
	// Restored is true when the brokers started from a saved state.
	Restored bool
	// Moves lists the brokers that listen on another port than the saved
	// state recorded; Adopt points the profile's credentials there.
	Moves []Move

	notes       []string // sentences for Adopt to pass on
	stateDir    string
	lock        *flock.Flock
	logf        func(format string, args ...any)
	saveMu      sync.Mutex
	saved       []byte // the state file's content as last written
	lastSaveErr string

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
	sb := &Sandbox{Clock: clock, stateDir: opts.StateDir, logf: opts.Logf}
	if sb.logf == nil {
		sb.logf = log.Printf
	}
	var saved *savedState
	if opts.StateDir != "" {
		if err := os.MkdirAll(opts.StateDir, 0o700); err != nil {
			return nil, fmt.Errorf("create the sandbox profile's folder: %w", err)
		}
		// One sandbox a profile: two would each save their own state over the other's.
		sb.lock = flock.New(filepath.Join(opts.StateDir, StateFile+".lock"))
		if ok, err := sb.lock.TryLock(); err != nil {
			return nil, fmt.Errorf("lock the sandbox's state: %w", err)
		} else if !ok {
			return nil, errors.New("another tokentray already runs the sandbox brokers for this profile; use those, or stop it first")
		}
		if !opts.Fresh {
			st, note, err := loadState(opts.StateDir, clock)
			if err != nil {
				sb.lock.Unlock()
				return nil, err
			}
			saved = st
			if note != "" {
				sb.notes = append(sb.notes, note)
			}
		}
	}
	savedFutu, savedWebull := 0, 0
	if saved != nil {
		savedFutu, savedWebull = saved.FutuPort, saved.WebullPort
	}
	futuLn, err := sb.listenKept("Futu", opts.FutuPort, savedFutu)
	if err != nil {
		sb.unlock()
		return nil, fmt.Errorf("start the Futu sandbox: %w", err)
	}
	webullLn, err := sb.listenKept("Webull", opts.WebullPort, savedWebull)
	if err != nil {
		futuLn.Close()
		sb.unlock()
		return nil, fmt.Errorf("start the Webull sandbox: %w", err)
	}
	sb.FutuURL = "http://" + futuLn.Addr().String()
	sb.WebullURL = "http://" + webullLn.Addr().String()
	for i := range sb.Moves {
		if sb.Moves[i].Broker == "Futu" {
			sb.Moves[i].NewURL = sb.FutuURL
		} else {
			sb.Moves[i].NewURL = sb.WebullURL
		}
	}
	fo := opts.Futu
	fo.Clock, fo.BaseURL = clock, sb.FutuURL
	sb.Futu = futusim.New(fo)
	wo := opts.Webull
	wo.Clock, wo.BaseURL = clock, sb.WebullURL
	sb.Webull = webullsim.New(wo)
	if saved != nil {
		sb.Futu.Restore(saved.Futu)
		sb.Webull.Restore(saved.Webull)
		sb.Restored = true
	}
	if opts.StateDir != "" {
		// The ports are part of the state: save them at once.
		if err := sb.save(); err != nil {
			futuLn.Close()
			webullLn.Close()
			sb.unlock()
			return nil, err
		}
	}

	for _, s := range []struct {
		ln net.Listener
		h  http.Handler
	}{{futuLn, sb.Futu.Handler()}, {webullLn, sb.Webull.Handler()}} {
		h := s.h
		if opts.StateDir != "" {
			h = sb.savingAfter(h)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		sb.servers = append(sb.servers, srv)
		sb.listeners = append(sb.listeners, s.ln)
		go func(ln net.Listener) { _ = srv.Serve(ln) }(s.ln)
	}
	return sb, nil
}

// listenKept listens on the port asked for, else on the saved one (a
// free one when it is taken), else on any free port.
func (sb *Sandbox) listenKept(broker string, asked, saved int) (net.Listener, error) {
	if asked != 0 || saved == 0 {
		ln, err := listen(asked)
		if err == nil && saved != 0 && asked != saved {
			sb.Moves = append(sb.Moves, Move{Broker: broker, OldURL: loopbackURL(saved)})
		}
		return ln, err
	}
	if ln, err := listen(saved); err == nil {
		return ln, nil
	}
	ln, err := listen(0)
	if err == nil {
		sb.Moves = append(sb.Moves, Move{Broker: broker, OldURL: loopbackURL(saved), Taken: true})
	}
	return ln, err
}

func loopbackURL(port int) string {
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// savingAfter saves the state after each request h serves.
func (sb *Sandbox) savingAfter(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer sb.saveLogged()
		h.ServeHTTP(w, r)
	})
}

func (sb *Sandbox) unlock() {
	if sb.lock != nil {
		_ = sb.lock.Unlock()
	}
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
		sb.saveLogged()
		sb.unlock()
	})
}

// PhoneURL is the Webull "phone" page where pending tokens are confirmed.
func (sb *Sandbox) PhoneURL() string { return sandboxaddr.Phone(sb.WebullURL) }

// FutuAdminURL is the Futu admin page (clients, keys, rotation, skew).
func (sb *Sandbox) FutuAdminURL() string { return sb.FutuURL + "/sandbox/" }

// Seed adds the demo credentials against this sandbox: a healthy Futu API
// key, a Futu API key about to expire, a Webull token waiting for its
// SMS code, a Webull app with 2FA off (signed with its app key alone),
// and a Futu OAuth login waiting for its first sign-in. Credentials of
// those names left from an earlier sandbox are replaced: their secrets
// belonged to servers that are gone.
func (sb *Sandbox) Seed(st *store.Store) error {
	defer sb.saveLogged() // the keys and apps made here are state
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
