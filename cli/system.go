package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/jonboulle/clockwork"
	"golang.org/x/term"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/keychain"
	"tokentray/auth/sandbox"
	"tokentray/auth/store"
	"tokentray/auth/webull"
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

// Providers returns every broker's provider, wired to the real world
// except for the clock (nil means the wall clock). The sandbox profile
// keeps the SDK token files it shares inside its own directory, so a demo
// never overwrites a real SDK's token.
func Providers(p Profile, clock clockwork.Clock) map[auth.Kind]auth.Provider {
	fo := futu.Options{Clock: clock}
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

// OpenParts opens profile p over the OS keychain: the engine and the
// parts the command line needs beside it.
func OpenParts(p Profile, clock clockwork.Clock) (Parts, error) {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	k := keychain.New(p.Service, keychain.DefaultTimeout)
	st, err := store.Open(p.Dir, k, store.WithClock(clock))
	if err != nil {
		return Parts{}, err
	}
	parts := Parts{
		Engine:        engine.New(st, Providers(p, clock), clock),
		Dir:           st.Dir(),
		Prefs:         st,
		CheckKeychain: k.Check,
	}
	if p.Sandbox {
		parts.SeedDemo = func(sb *sandbox.Sandbox) error { return sb.Seed(st) }
	}
	return parts, nil
}

// SystemDeps returns the real dependencies of the command line: the
// process's streams and environment, the OS keychain and the brokers.
// RunAgent and RunWindow are left for main to set.
func SystemDeps() Deps {
	return Deps{
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Getenv:     os.Getenv,
		Environ:    os.Environ,
		IsTerminal: IsTerminal,
		ReadSecret: func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			b, err := term.ReadPassword(int(os.Stdin.Fd()))
			fmt.Fprintln(os.Stderr)
			return string(b), err
		},
		Clock: clockwork.NewRealClock(),
		Open: func(sandboxed bool) (Parts, error) {
			p, err := ProfileFor(sandboxed, os.Getenv)
			if err != nil {
				return Parts{}, err
			}
			return OpenParts(p, nil)
		},
		ProfileDir: func(sandboxed bool) (string, error) {
			p, err := ProfileFor(sandboxed, os.Getenv)
			return p.Dir, err
		},
		StartSandbox: sandbox.Start,
		Webull: WebullFacts{
			Regions:     webull.Regions(),
			TokenDirEnv: webull.TokenDirEnv,
			TokenFile:   webull.TokenFileName,
		},
	}
}
