package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/fsnotify/fsnotify"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/autostart"
)

// EngineBackend serves the window from a credential engine in this
// process, over the same store and locks the agent and the command line
// use, so the three never renew one token twice.
type EngineBackend struct {
	Eng *engine.Engine
	// Sandbox is set for the sandbox profile (its start-at-login entry
	// starts the sandbox agent).
	Sandbox bool
	// Autostart is the start-at-login switch; nil means the XDG entry
	// that starts the tokentray agent installed beside this program.
	Autostart Autostart
	// Dir is the profile's settings folder; SettingsFile the settings file
	// in it, which the window follows for changes.
	Dir, SettingsFile string
	// Prefs reads and writes the profile's settings.
	Prefs Prefs
	// KeychainService is the OS keychain's service name of every secret;
	// empty when the secrets are kept elsewhere.
	KeychainService string
}

// Prefs reads and writes a profile's settings (*store.Store is one).
type Prefs interface {
	Prefs() (store.Prefs, error)
	SetPrefs(store.Prefs) error
}

func (b EngineBackend) autostart() Autostart {
	if b.Autostart != nil {
		return b.Autostart
	}
	dir := ""
	if self, err := os.Executable(); err == nil {
		dir = filepath.Dir(self)
	}
	return autostart.ForAgent(dir, b.Sandbox)
}

func (b EngineBackend) List(context.Context) ([]Row, error) {
	ss, err := b.Eng.Status()
	if err != nil {
		return nil, err
	}
	cs, err := b.Eng.List()
	if err != nil {
		return nil, err
	}
	byName := make(map[string]auth.Credential, len(cs))
	for _, c := range cs {
		byName[c.Name] = c
	}
	shared, _ := b.Eng.AllShared()
	rows := make([]Row, len(ss))
	for i, s := range ss {
		h := s.Health
		if h.ExpiresAt.IsZero() {
			h.ExpiresAt = s.ExpiresAt
		}
		rows[i] = Row{Name: s.Name, Kind: s.Kind, Health: h, Credential: byName[s.Name], Hosts: s.Hosts}
		sh := shared[s.Name]
		for _, t := range sh.Targets {
			rows[i].Shares = append(rows[i].Shares, t.Report())
		}
		if !sh.TokenChangedAt.IsZero() && len(sh.Targets) > 0 {
			rows[i].Shares = append(rows[i].Shares, "Bots started before "+sh.TokenChangedAt.Local().Format("2 Jan 15:04")+" keep the old token until they are restarted.")
		}
	}
	return rows, nil
}

func (b EngineBackend) Refresh(ctx context.Context, name string) error {
	if name != "" {
		_, err := b.Eng.Refresh(ctx, name, false)
		return err
	}
	results, err := b.Eng.RefreshAll(ctx, false)
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

func (b EngineBackend) Token(ctx context.Context, name string) (string, error) {
	return b.Eng.Token(ctx, name)
}

func (b EngineBackend) Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	return b.Eng.Login(ctx, name, opts, progress)
}

func (b EngineBackend) Extend(ctx context.Context, name string, until time.Time) (auth.Health, error) {
	return b.Eng.Extend(ctx, name, until)
}

// credential is what the form says of a credential; an empty endpoint is
// left for the engine, which gives the profile's own (the sandbox's
// brokers in the sandbox profile), as for the command line.
func credential(req AddRequest) auth.Credential {
	return auth.Credential{
		Name: req.Name, Kind: req.Kind, Endpoint: req.Endpoint, Scope: req.Scope,
		Region: req.Region, TestEnv: req.TestEnv,
	}
}

func (b EngineBackend) Add(ctx context.Context, req AddRequest) error {
	_, err := b.Eng.AddWith(ctx, credential(req), req.Secrets, engine.CheckOptions{NoCheck: req.NoCheck})
	return err
}

func (b EngineBackend) Update(ctx context.Context, req AddRequest) error {
	edit := credential(req)
	if edit.Endpoint == "" {
		var err error
		if edit.Endpoint, err = b.Eng.DefaultEndpoint(req.Kind); err != nil {
			return err
		}
	}
	_, err := b.Eng.UpdateWith(ctx, req.Name, req.Secrets, func(c *auth.Credential) {
		c.Endpoint, c.Scope = edit.Endpoint, edit.Scope
		if c.Kind == auth.KindWebull {
			c.Region, c.TestEnv = edit.Region, edit.TestEnv
		}
	}, engine.CheckOptions{NoCheck: req.NoCheck})
	return err
}

func (b EngineBackend) Remove(ctx context.Context, name string) error {
	_, err := b.Eng.Remove(ctx, name)
	return err
}

func (b EngineBackend) Logout(ctx context.Context, name string) error {
	_, err := b.Eng.Logout(ctx, name)
	return err
}

func (b EngineBackend) Where() Where {
	w := Where{Dir: b.Dir, Settings: b.SettingsFile, Keychain: keychainName(runtime.GOOS)}
	if b.KeychainService != "" {
		w.Keychain += fmt.Sprintf(", items under the service %q", b.KeychainService)
	}
	return w
}

// keychainName is the OS keychain go-keyring uses on goos.
func keychainName(goos string) string {
	switch goos {
	case "darwin":
		return "macOS Keychain"
	case "windows":
		return "Windows Credential Manager"
	}
	return "Secret Service (GNOME Keyring, KWallet) over D-Bus"
}

// Watch follows the settings file: the agent, the command line and this
// window all write it atomically (a rename into place), so watching its
// directory sees every change without polling.
func (b EngineBackend) Watch(ctx context.Context, changed func()) error {
	path := b.SettingsFile
	if path == "" {
		return errors.New("watch the settings for changes: the window was not told where they are")
	}
	return watchFile(ctx, path, "watch the settings for changes", func(fsnotify.Event) { changed() })
}

// watchFile calls fn for every event on the file at path until ctx ends.
// It watches the file's folder, so a file replaced by a rename into
// place (how every tokentray process writes) is seen too. what names the
// job in an error.
func watchFile(ctx context.Context, path, what string, fn func(fsnotify.Event)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := w.Add(filepath.Dir(path)); err != nil {
		w.Close()
		return fmt.Errorf("%s: %w", what, err)
	}
	path = filepath.Clean(path)
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if filepath.Clean(ev.Name) == path {
					fn(ev)
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
	return nil
}
