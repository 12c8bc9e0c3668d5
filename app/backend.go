// Package app is tokentray's window: the credentials and their health,
// forms to add and correct them, the Futu login and the Webull 2FA
// countdown, and settings. It holds no secrets of its own; everything
// goes through a Backend (the credential engine over the shared store).
package app

import (
	"context"
	"time"

	"tokentray/auth"
)

// Row is one credential as the window lists it.
type Row struct {
	Name   string
	Kind   auth.Kind
	Health auth.Health
	// Credential is what the settings keep of it (never a secret): the
	// endpoint, region, account and the times of its last check.
	Credential auth.Credential
	// Shares are its share targets, one line each with how its pushes
	// go, then the bots that keep an old token when a renewal changed it.
	Shares []string
	// Hosts are where its calls go (its endpoint, else the broker's
	// default for its brand or region).
	Hosts auth.Hosts
}

// AddRequest is what the add and edit forms collect. Secrets go straight
// to the backend, which puts them in the keychain.
type AddRequest struct {
	Kind     auth.Kind
	Name     string
	Endpoint string
	Scope    string
	Region   string
	TestEnv  bool
	Secrets  map[string]string
	// NoCheck stores it without asking the broker (one that cannot be
	// reached now), marked Unknown until the next check.
	NoCheck bool
}

// Setting is one user setting as the settings file keeps it and
// `tokentray config` lists it.
type Setting struct {
	// Key is the name `tokentray config` uses ("lead-time").
	Key string
	// Title says what it does, as a label.
	Title string
	// Value and Default are shown as `tokentray config` prints them.
	Value   string
	Default string
	// Allowed describes the accepted values ("1m to 168h").
	Allowed string
	// Switch is set for an on/off setting (Value "on" or "off").
	Switch bool
}

// Where says where tokentray keeps its data.
type Where struct {
	// Dir is the profile directory; Settings the settings file in it.
	Dir      string
	Settings string
	// Keychain names the keychain the secrets are kept in.
	Keychain string
}

// Backend is everything the window asks of the credential engine.
type Backend interface {
	List(ctx context.Context) ([]Row, error)
	// Refresh checks and renews one credential, or all when name is "".
	Refresh(ctx context.Context, name string) error
	// Token returns a current token: renewed first when it expires
	// within the lead time, never an expired one.
	Token(ctx context.Context, name string) (string, error)
	Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error)
	// Extend asks the broker for a token valid until the given time
	// (Futu API keys).
	Extend(ctx context.Context, name string, until time.Time) (auth.Health, error)
	// Add checks a new credential with its broker and stores it.
	Add(ctx context.Context, req AddRequest) error
	// Update replaces a credential's secrets and settings, checked with
	// the broker first; a refused update changes nothing. Empty secret
	// fields keep their stored value.
	Update(ctx context.Context, req AddRequest) error
	Remove(ctx context.Context, name string) error
	// Logout forgets a login's tokens (revoking them where the broker
	// allows) and keeps the credential, ready to log in again.
	Logout(ctx context.Context, name string) error

	// Settings lists every user setting; SetSetting changes one,
	// refusing a value out of its range with a sentence.
	Settings(ctx context.Context) ([]Setting, error)
	SetSetting(ctx context.Context, key, value string) error
	// Where says where the data lives.
	Where() Where
	// Watch calls changed (from any goroutine) whenever the stored
	// credentials or settings may have changed, until ctx ends.
	Watch(ctx context.Context, changed func()) error
}

// Autostart is the "Start at login" switch: an entry that starts the
// agent when the person logs in.
type Autostart interface {
	Enabled() bool
	Set(on bool) error
}
