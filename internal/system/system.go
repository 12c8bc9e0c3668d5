// Package system builds tokentray's real parts: the OS keychain, the
// settings store, the brokers' providers, the clock, the browser opener,
// the desktop notifier and the engine over them. The command line, the
// agent and the window all get their parts from one Door, so each
// process builds them once, in one place; tests open a Door with fakes.
package system

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/auth/webull"
	"tokentray/internal/browser"
	"tokentray/internal/sandboxaddr"
)

// Keychain service names of the two profiles.
const (
	Service        = "tokentray"
	SandboxService = "tokentray-sandbox"
)

// Profile is where one profile keeps its settings and its secrets.
type Profile struct {
	Sandbox bool
	// Dir is the settings directory: TOKENTRAY_CONFIG_DIR when set (its
	// "sandbox" folder for the sandbox profile), else the user config
	// dir's "tokentray" ("tokentray-sandbox" for the sandbox profile).
	Dir string
	// Service is the keychain service name of every secret.
	Service string
}

// ProfileFor returns the normal or the sandbox profile. getenv nil means
// os.Getenv.
func ProfileFor(sandbox bool, getenv func(string) string) (Profile, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	p := Profile{Sandbox: sandbox, Service: Service}
	if sandbox {
		p.Service = SandboxService
	}
	if d := getenv("TOKENTRAY_CONFIG_DIR"); d != "" {
		p.Dir = d
		if sandbox {
			// Never share a folder with real credentials: a fresh demo
			// replaces what the sandbox profile holds.
			p.Dir = filepath.Join(d, "sandbox")
		}
		return p, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return p, fmt.Errorf("cannot find your settings directory (%v); set TOKENTRAY_CONFIG_DIR", err)
	}
	p.Dir = filepath.Join(base, "tokentray")
	if sandbox {
		p.Dir += "-sandbox"
	}
	return p, nil
}

// Notifier shows a notification on the desktop (tray.Notifier).
type Notifier interface {
	Notify(title, body string) error
}

// nowhere drops notifications: a program that shows none (the window's).
type nowhere struct{}

func (nowhere) Notify(title, body string) error { return nil }

// Options replace real parts with others; each zero value means the
// real part.
type Options struct {
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Clock is every part's time source; nil means the wall clock.
	Clock clockwork.Clock
	// Secrets holds every secret; nil means the keychain the profile
	// chose (ChooseKeychain): the OS keychain of the profile's service,
	// or the file keychain.
	Secrets func(p Profile) auth.SecretStore
	// Providers are the brokers; nil means the real ones (Providers).
	Providers func(p Profile, clock clockwork.Clock) map[auth.Kind]auth.Provider
	// Browser opens web pages (Futu's login page); nil means the
	// desktop's browser, given the address without putting it in argv.
	Browser futu.Browser
	// Notifier announces changes on the desktop (the tray's program
	// gives the desktop's notification service); nil drops them. The
	// wiring imports no face: the faces hand it what they show with.
	Notifier Notifier
}

// Parts are one profile's parts, built once.
type Parts struct {
	Profile Profile
	Clock   clockwork.Clock
	Store   *store.Store
	Engine  *engine.Engine
	// Notifier announces changes on the desktop (Options.Notifier).
	Notifier Notifier
	// Browser opens web pages.
	Browser futu.Browser

	keychain Keychain // nil when the secrets are kept elsewhere (tests)
	choice   KeychainChoice
	changed  chan struct{}
}

// Service is the profile's service over its engine, as every face takes
// it (its start-at-login switch is the entry that starts the tokentray
// agent installed beside this program).
func (p *Parts) Service() service.Local {
	return service.Local{
		Eng: p.Engine, Sandbox: p.Profile.Sandbox,
		Dir: p.Profile.Dir, SettingsFile: p.SettingsFile(), Prefs: p.Store,
		KeychainService: p.KeychainService(),
	}
}

// Changed receives a value after the engine saved or removed a
// credential (several saves in a row may arrive as one).
func (p *Parts) Changed() <-chan struct{} { return p.changed }

// CheckKeychain says, as one sentence, why the keychain (the OS keychain
// or the file keychain) cannot be used now; nil when it can, or when the
// secrets are kept elsewhere.
func (p *Parts) CheckKeychain() error {
	if p.keychain == nil {
		return nil
	}
	return p.keychain.Check()
}

// KeychainService is the keychain's service name of every secret; empty
// when the secrets are kept elsewhere.
func (p *Parts) KeychainService() string {
	if p.keychain == nil {
		return ""
	}
	return p.keychain.Service()
}

// SettingsFile is the profile's settings file, in Profile.Dir.
func (p *Parts) SettingsFile() string { return p.Store.Path() }

// Providers returns every broker's provider, wired to the real world
// except for the clock (nil means the wall clock) and the browser (nil
// means Futu's default, internal/browser). The sandbox profile keeps the SDK token files it
// shares inside its own directory, so a demo never overwrites a real
// SDK's token.
func Providers(p Profile, clock clockwork.Clock, browser futu.Browser) map[auth.Kind]auth.Provider {
	fo := futu.Options{Clock: clock, Browser: browser}
	wo := webull.Options{Clock: clock}
	if p.Sandbox {
		fo.SDKTokenDir = filepath.Join(p.Dir, "futu-sdk-tokens")
		wo.SDKTokenBase = filepath.Join(p.Dir, "webull-sdk")
	}
	return map[auth.Kind]auth.Provider{
		auth.KindFutuOAuth: futu.NewOAuthProvider(fo),
		auth.KindFutuKey:   futu.NewKeyProvider(fo),
		auth.KindWebull:    webull.NewProvider(wo),
	}
}

// RegisterKinds makes every broker's description of its kinds known
// (auth.Register), so the faces build their flags, forms and actions
// from them without importing a broker. NewDoor calls it.
func RegisterKinds() {
	auth.Register(futu.Kinds()...)
	auth.Register(webull.Kinds()...)
}

// Door opens profiles, each at most once a process.
type Door struct {
	opts Options

	mu     sync.Mutex
	opened map[bool]*Parts
}

// NewDoor returns a door that builds parts as o says.
func NewDoor(o Options) *Door {
	RegisterKinds()
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	if o.Notifier == nil {
		o.Notifier = nowhere{}
	}
	if o.Browser == nil {
		o.Browser = browser.New()
	}
	return &Door{opts: o, opened: map[bool]*Parts{}}
}

// Clock is the time source of every part the door builds.
func (d *Door) Clock() clockwork.Clock { return d.opts.Clock }

// Profile returns the normal or the sandbox profile without opening
// anything.
func (d *Door) Profile(sandbox bool) (Profile, error) {
	return ProfileFor(sandbox, d.opts.Getenv)
}

// Open builds the parts of the normal or the sandbox profile, the first
// time it is asked, and returns the same parts every later time.
func (d *Door) Open(sandbox bool) (*Parts, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := d.opened[sandbox]; p != nil {
		return p, nil
	}
	prof, err := d.Profile(sandbox)
	if err != nil {
		return nil, err
	}
	parts := &Parts{Profile: prof, Clock: d.opts.Clock, Notifier: d.opts.Notifier, Browser: d.opts.Browser, changed: make(chan struct{}, 1)}
	var secrets auth.SecretStore
	if d.opts.Secrets != nil {
		secrets = d.opts.Secrets(prof)
	} else {
		choice, err := ChooseKeychain(prof, d.opts.Getenv)
		if err != nil {
			return nil, err
		}
		kc, err := openKeychain(prof, choice, d.opts.Getenv)
		if err != nil {
			return nil, err
		}
		parts.keychain, parts.choice, secrets = kc, choice, kc
	}
	st, err := store.Open(prof.Dir, secrets, store.WithClock(d.opts.Clock))
	if err != nil {
		return nil, err
	}
	var providers map[auth.Kind]auth.Provider
	if d.opts.Providers != nil {
		providers = d.opts.Providers(prof, d.opts.Clock)
	} else {
		providers = Providers(prof, d.opts.Clock, d.opts.Browser)
	}
	parts.Store = st
	var defaults func() (string, string, error)
	if prof.Sandbox {
		// A credential added without an endpoint in the sandbox profile
		// goes to the sandbox's brokers, never the real ones.
		defaults = func() (string, string, error) { return sandboxaddr.Running(prof.Dir) }
	}
	parts.Engine = engine.NewWithOptions(engine.Options{
		Store: st, Providers: providers, Clock: d.opts.Clock,
		OnChange: func(string) {
			select {
			case parts.changed <- struct{}{}:
			default:
			}
		},
		DefaultEndpoints: defaults,
	})
	d.opened[sandbox] = parts
	return parts, nil
}
