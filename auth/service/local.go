package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/targets"
	"tokentray/internal/autostart"
	"tokentray/internal/filewatch"
)

// Local serves the faces from a credential engine in this process, over
// the same store and locks the agent, the command line and the window
// use, so no two of them renew one token twice.
type Local struct {
	Eng *engine.Engine
	// Sandbox is set for the sandbox profile (its start-at-login entry
	// starts the sandbox agent).
	Sandbox bool
	// Autostart is the start-at-login switch; nil means the XDG entry
	// that starts the tokentray agent installed beside this program.
	Autostart Autostart
	// Dir is the profile's settings folder; SettingsFile the settings file
	// in it, which Watch follows for changes.
	Dir, SettingsFile string
	// Prefs reads and writes the profile's settings.
	Prefs Prefs
	// KeychainService is the OS keychain's service name of every secret;
	// empty when the secrets are kept elsewhere.
	KeychainService string
}

var _ Service = Local{}

func (b Local) autostart() Autostart {
	if b.Autostart != nil {
		return b.Autostart
	}
	dir := ""
	if self, err := os.Executable(); err == nil {
		dir = filepath.Dir(self)
	}
	return autostart.ForAgent(dir, b.Sandbox)
}

func (b Local) Clock() clockwork.Clock { return b.Eng.Clock() }

func (b Local) Status(context.Context) ([]Status, error) { return b.Eng.Status() }

func (b Local) Credentials(context.Context) ([]auth.Credential, error) { return b.Eng.List() }

func (b Local) Get(_ context.Context, name string) (auth.Credential, error) { return b.Eng.Get(name) }

func (b Local) Shared(_ context.Context, name string) (auth.Credential, targets.Shared, error) {
	return b.Eng.Shared(name)
}

func (b Local) AllShared(context.Context) (map[string]targets.Shared, error) {
	return b.Eng.AllShared()
}

func (b Local) Handoffs(_ context.Context, name string) ([]auth.Handoff, error) {
	return b.Eng.Handoffs(name)
}

func (b Local) AppKeyID(_ context.Context, name string) (string, error) { return b.Eng.AppKeyID(name) }

// Rows joins each credential's status, what the settings keep of it and
// its share targets, one line each, then the bots that keep an old token
// when a renewal changed it.
func (b Local) Rows(context.Context) ([]Row, error) {
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

func (b Local) Recover(ctx context.Context) []Result { return b.Eng.Recover(ctx) }

func (b Local) Refresh(ctx context.Context, name string, force bool) (auth.Health, error) {
	return b.Eng.Refresh(ctx, name, force)
}

func (b Local) RefreshAll(ctx context.Context, force bool) ([]Result, error) {
	return b.Eng.RefreshAll(ctx, force)
}

func (b Local) RefreshNames(ctx context.Context, names []string, force bool) []Result {
	return b.Eng.RefreshNames(ctx, names, force)
}

func (b Local) Token(ctx context.Context, name string) (string, error) {
	return b.Eng.Token(ctx, name)
}

func (b Local) Env(ctx context.Context, name string) (map[string]string, string, error) {
	return b.Eng.Env(ctx, name)
}

func (b Local) Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	return b.Eng.Login(ctx, name, opts, progress)
}

func (b Local) Extend(ctx context.Context, name string, until time.Time, o ExtendOptions) (auth.Health, auth.Handover, error) {
	return b.Eng.ExtendWith(ctx, name, until, o)
}

func (b Local) Logout(ctx context.Context, name string) (Gone, error) {
	return b.Eng.LogoutAndTell(ctx, name)
}

func (b Local) Add(ctx context.Context, req AddRequest) (auth.Credential, error) {
	c, secrets := req.Credential, req.Secrets
	if req.ImportSDK != "" {
		var err error
		if c, secrets, err = b.Eng.ImportSDK(c, req.ImportSDK); err != nil {
			return c, fmt.Errorf("%s was not added: %w", c.Name, err)
		}
	}
	return b.Eng.AddWith(ctx, c, secrets, engine.CheckOptions{NoCheck: req.NoCheck})
}

func (b Local) Update(ctx context.Context, req UpdateRequest) (auth.Health, error) {
	edit := req.Edit
	if req.DefaultEndpoint && edit != nil {
		c, err := b.Eng.Get(req.Name)
		if err != nil {
			return auth.Health{}, err
		}
		def, err := b.Eng.DefaultEndpoint(c.Kind)
		if err != nil {
			return auth.Health{}, err
		}
		edit = func(c *auth.Credential) {
			req.Edit(c)
			if c.Endpoint == "" {
				c.Endpoint = def
			}
		}
	}
	return b.Eng.UpdateWith(ctx, req.Name, req.Secrets, edit, engine.CheckOptions{NoCheck: req.NoCheck})
}

func (b Local) ShareSDK(ctx context.Context, name string, wait time.Duration, o SDKShare) (SDKShared, error) {
	return b.Eng.ShareSDK(ctx, name, wait, o)
}

func (b Local) Change(ctx context.Context, name string, wait time.Duration, edit func(c *auth.Credential)) (auth.Credential, error) {
	return b.Eng.Change(ctx, name, wait, edit)
}

func (b Local) Provider(k auth.Kind) (auth.Provider, error) { return b.Eng.Provider(k) }

func (b Local) Remove(ctx context.Context, name string) (Gone, error) {
	return b.Eng.RemoveAndTell(ctx, name)
}

func (b Local) AddTarget(ctx context.Context, name string, t targets.Target) error {
	return b.Eng.AddTarget(ctx, name, t)
}

func (b Local) RemoveTarget(ctx context.Context, name string, t targets.Target) (TargetOff, error) {
	return b.Eng.RemoveTarget(ctx, name, t)
}

func (b Local) Push(ctx context.Context, name string, pick func(targets.Target) bool) (PushResult, error) {
	return b.Eng.Push(ctx, name, pick)
}

func (b Local) NewShareKeeper(notify func(PushResult)) *ShareKeeper {
	return b.Eng.NewShareKeeper(notify)
}

func (b Local) Tidy(context.Context) error { return b.Eng.Store().Tidy() }

func (b Local) Lead() time.Duration { return b.Eng.Lead() }

func (b Local) ShareEvery() time.Duration { return b.Eng.ShareEvery() }

func (b Local) Where() Where {
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
func (b Local) Watch(ctx context.Context, changed func()) error {
	path := b.SettingsFile
	if path == "" {
		return errors.New("watch the settings for changes: the window was not told where they are")
	}
	return filewatch.Watch(ctx, path, "watch the settings for changes", func(fsnotify.Event) { changed() })
}
